"""Cloud Run jobs (Admin API v2): one per region, keyed by short name.

Fields are named like the services' ones. A job's configuration is its execution template
(`taskCount`, `parallelism`) and, inside it, the task template (containers, `maxRetries`,
`timeout` per task, service account, VPC access, volumes). Omitted fields take Cloud
Run's documented defaults (google.cloud.run_v2 ExecutionTemplate, TaskTemplate): 1 task,
3 retries, 600 s; a parallelism of 0 means "as many as possible". Env vars and secret
references follow the services' rules (drift.normalize.services), so the reference
checks and lint rules that apply to services apply here too.
"""

from __future__ import annotations

from typing import Any

from drift.kinds.fields import enum, f
from drift.kinds.spec import REGIONAL, GapicList, KindSpec, NormContext, path_named
from drift.normalize import services, units

DEFAULT_TASK_COUNT = 1
DEFAULT_MAX_RETRIES = 3
DEFAULT_TIMEOUT = 600
SUCCEEDED = "EXECUTION_SUCCEEDED"
UNSUCCESSFUL = ("EXECUTION_FAILED", "EXECUTION_CANCELLED")


def latest_execution_succeeded(raw: dict[str, Any]) -> bool | None:
    """The latest created execution's completion: True succeeded, False failed or was
    cancelled, None while it runs or when the job never ran (nothing to say yet)."""
    status = (raw.get("latestCreatedExecution") or {}).get("completionStatus")
    if status == SUCCEEDED:
        return True
    return False if status in UNSUCCESSFUL else None


def normalize(raw: dict[str, Any], ctx: NormContext) -> dict[str, Any]:
    """One job's normalized view (the fields of SPEC, plus `_secret_refs`)."""
    execution = raw.get("template") or {}
    task = execution.get("template") or {}
    container = services.serving_container(task.get("containers") or [])
    vpc = task.get("vpcAccess") or {}
    connector = units.short_name(vpc.get("connector"))
    egress = None
    if connector or vpc.get("networkInterfaces"):
        # Google documents an unset egress as PRIVATE_RANGES_ONLY.
        egress = services.EGRESS.get(vpc.get("egress", ""), "private-ranges-only")
    retries = units.integer(task.get("maxRetries"))  # a oneof: 0 is sent when set
    ids = set(ctx.project_ids)
    return {
        "image": container.get("image"),
        "service_account": task.get("serviceAccount"),
        "task_count": units.integer(execution.get("taskCount")) or DEFAULT_TASK_COUNT,
        "parallelism": units.integer(execution.get("parallelism")) or 0,
        "max_retries": DEFAULT_MAX_RETRIES if retries is None else retries,
        "timeout": units.duration_seconds(task.get("timeout")) or DEFAULT_TIMEOUT,
        "vpc_connector": connector,
        "vpc_egress": egress,
        "labels": dict(raw.get("labels") or {}),
        "env": services.env_map(container, ids),
        "latest_execution_succeeded": latest_execution_succeeded(raw),
        "_secret_refs": services.secret_references(task, container, ids),
    }


SPEC = KindSpec(
    name="jobs",
    noun="Cloud Run job",
    title="Cloud Run v2",
    api="run",
    scope=REGIONAL,
    source=GapicList(
        module="google.cloud.run_v2",
        client="JobsClient",
        method="list_jobs",
        parent="projects/{project}/locations/{region}",
        items="jobs",
    ),
    world_key="jobs",
    fields={
        "image": f("image", "the task's (first) container image"),
        "service_account": f("str"),
        "task_count": f("int", "tasks per execution (default 1)"),
        "parallelism": f("int", "tasks at once; 0: as many as possible"),
        "max_retries": f("int", "retries per task (default 3)"),
        "timeout": f("duration", "per task attempt (default 600 s)"),
        "vpc_connector": f("short_name", "connector name"),
        "vpc_egress": enum("all-traffic", "private-ranges-only"),
        "labels": f("map"),
        "env": f("env", "exact, as for services"),
        "latest_execution_succeeded": f(
            "bool", "the latest created execution succeeded (unset while it runs)", live_state=True
        ),
    },
    normalize=path_named(normalize),
    sample={
        "name": "projects/p/locations/r/jobs/j",
        "template": {"template": {"containers": [{"image": "gcr.io/p/j:1"}]}},
    },
    needs=("secrets", "vpc_connectors"),
    references=("secret_refs", "vpc_connector"),
    init_notes=(
        "Fields describe the task template's first container. `latest_execution_succeeded`",
        "is the live state at init time. env is compared exactly: every live variable is listed.",
    ),
)
