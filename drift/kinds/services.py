"""Cloud Run services (Admin API v2): one per region, keyed by short name."""

from __future__ import annotations

from drift.kinds.fields import enum, f, probe
from drift.kinds.spec import REGIONAL, GapicList, KindSpec, path_named
from drift.normalize import services

SPEC = KindSpec(
    name="services",
    noun="Cloud Run service",
    title="Cloud Run v2",
    api="run",
    scope=REGIONAL,
    source=GapicList(
        module="google.cloud.run_v2",
        client="ServicesClient",
        method="list_services",
        parent="projects/{project}/locations/{region}",
        items="services",
    ),
    world_key="services",
    fields={
        "image": f("image", "the serving container's image"),
        "ingress": enum("all", "internal", "internal-and-cloud-load-balancing", "none"),
        "service_account": f("str"),
        "min_instances": f("int", "effective: the tighter of service and revision scaling"),
        "max_instances": f("int", "effective: the tighter of service and revision scaling"),
        "timeout": f("duration", "request timeout"),
        "concurrency": f("int", "requests per instance"),
        "cpu": f("cpu"),
        "memory": f("memory"),
        "execution_environment": enum("gen1", "gen2"),
        "vpc_connector": f("short_name", "connector name"),
        "vpc_egress": enum("all-traffic", "private-ranges-only"),
        "labels": f("map"),
        "env": f("env", "exact: every live variable is declared (see below)"),
        "ready": f("bool", "the latest revision is ready", live_state=True),
        "traffic": f(
            "traffic",
            "`latest`, or revision name or tag -> percent (adding up to 100)",
            live_state=True,
        ),
        "startup_probe": probe("only the declared keys are compared; durations in seconds"),
        "liveness_probe": probe("as startup_probe"),
    },
    normalize=path_named(lambda raw, ctx: services.normalize(raw, set(ctx.project_ids))),
    sample={
        "name": "projects/p/locations/r/services/s",
        "template": {"containers": [{"image": "gcr.io/p/s:1"}]},
    },
    needs=("secrets", "vpc_connectors"),
    references=("secret_refs", "vpc_connector"),
    init_notes=(
        "Fields describe the serving container (the one with a port). `ready` and `traffic`",
        "are the live state at init time. env is compared exactly: every live variable is listed.",
    ),
)
