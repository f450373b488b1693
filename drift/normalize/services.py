"""Cloud Run v2 Service JSON -> normalized `services` fields (spec/baseline.md)."""

from __future__ import annotations

from typing import Any

from drift.normalize import units

INGRESS = {
    "INGRESS_TRAFFIC_ALL": "all",
    "INGRESS_TRAFFIC_INTERNAL_ONLY": "internal",
    "INGRESS_TRAFFIC_INTERNAL_LOAD_BALANCER": "internal-and-cloud-load-balancing",
    "INGRESS_TRAFFIC_NONE": "none",
}
EGRESS = {"ALL_TRAFFIC": "all-traffic", "PRIVATE_RANGES_ONLY": "private-ranges-only"}
EXEC_ENV = {"EXECUTION_ENVIRONMENT_GEN1": "gen1", "EXECUTION_ENVIRONMENT_GEN2": "gen2"}

LATEST = "TRAFFIC_TARGET_ALLOCATION_TYPE_LATEST"

# Cloud Run's documented defaults for fields Google omits when unset.
DEFAULT_TIMEOUT = 300
DEFAULT_MAX_INSTANCES = 100
DEFAULT_CPU = 1
DEFAULT_MEMORY = "512Mi"


def region_of(name: str) -> str | None:
    parts = name.split("/")
    if "locations" in parts:
        i = parts.index("locations")
        if i + 1 < len(parts):
            return parts[i + 1]
    return None


def serving_container(containers: list[dict[str, Any]]) -> dict[str, Any]:
    """The container that receives requests: the one with a port, else the first."""
    for c in containers:
        if c.get("ports"):
            return c
    return containers[0] if containers else {}


def secret_ref(ref: dict[str, Any], project_ids: set[str]) -> dict[str, str]:
    """secretKeyRef -> {secret, version}; a same-project full name becomes its short id."""
    secret = str(ref.get("secret", ""))
    parts = secret.split("/")
    if len(parts) == 4 and parts[0] == "projects" and parts[2] == "secrets":
        if parts[1] in project_ids:
            secret = parts[3]
    version = ref.get("version")
    return {"secret": secret, "version": str(version) if version not in (None, "") else "latest"}


def env_map(container: dict[str, Any], project_ids: set[str]) -> dict[str, Any]:
    env: dict[str, Any] = {}
    for var in container.get("env") or []:
        name = var.get("name")
        if not name:
            continue
        source = (var.get("valueSource") or {}).get("secretKeyRef")
        env[name] = secret_ref(source, project_ids) if source else str(var.get("value", ""))
    return env


def concurrency(template: dict[str, Any], cpu: float) -> int:
    """0 or absent means Cloud Run's default: 80 with at least one CPU, else 1."""
    value = units.integer(template.get("maxInstanceRequestConcurrency"))
    if value:
        return value
    return 80 if cpu >= 1 else 1


def ready(raw: dict[str, Any]) -> bool:
    """Ready condition succeeded and the latest created revision is the latest ready one."""
    cond = raw.get("terminalCondition") or {}
    ok = cond.get("state") == "CONDITION_SUCCEEDED"
    created, ready_rev = raw.get("latestCreatedRevision"), raw.get("latestReadyRevision")
    return ok and (created is None or created == ready_rev)


def traffic(raw: dict[str, Any]) -> Any:
    """'latest' when all traffic follows the latest revision, else {revision: percent}.

    A target is keyed by its revision name ('latest' for a LATEST target); its tag, if
    any, is kept in traffic_tags() so that a baseline may name it either way.
    """
    targets = [t for t in raw.get("traffic") or [] if units.integer(t.get("percent"))]
    if not targets or all(t.get("type") == LATEST for t in targets):
        return "latest"
    split: dict[str, int] = {}
    for t in targets:
        key = _target_key(t)
        split[key] = split.get(key, 0) + (units.integer(t.get("percent")) or 0)
    return split


def _target_key(target: dict[str, Any]) -> str:
    if target.get("type") == LATEST:
        return "latest"
    return units.short_name(target.get("revision")) or target.get("tag") or "?"


def traffic_tags(raw: dict[str, Any]) -> dict[str, str]:
    """{tag: revision name (or 'latest')} of every tagged traffic target, 0 % ones too."""
    return {str(t["tag"]): _target_key(t) for t in raw.get("traffic") or [] if t.get("tag")}


def scaling(raw: dict[str, Any]) -> tuple[int, int]:
    """Effective (min_instances, max_instances) of a service.

    Cloud Run has two levels: the service's `scaling` (ServiceScaling: total for the
    service, applied at once) and the revision template's (RevisionScaling: per revision,
    applied on deploy). Both bound the service, so the effective value is the tighter of
    the two: the larger minimum and the smaller maximum. MANUAL scaling mode runs exactly
    `manualInstanceCount` instances (min = max). Unset levels don't count; with neither,
    Google's defaults apply (min 0, max 100). Should the levels contradict each other (a
    service-level minimum above the revision maximum), the service level wins.
    """
    service = raw.get("scaling") or {}
    template = (raw.get("template") or {}).get("scaling") or {}
    if service.get("scalingMode") == "MANUAL":
        count = units.integer(service.get("manualInstanceCount")) or 0
        return count, count
    mins = [units.integer(x.get("minInstanceCount")) for x in (service, template)]
    maxes = [units.integer(x.get("maxInstanceCount")) for x in (service, template)]
    low = max((m for m in mins if m is not None), default=0)
    # 0 is proto3's "unset" for a maximum (a service capped at 0 instances cannot exist).
    high = min((m for m in maxes if m), default=DEFAULT_MAX_INSTANCES)
    if low > high:
        # The levels disagree (a service-level minimum above a revision maximum): the
        # service level, applied at once and recommended by Google, wins for its bound.
        if mins[0] is not None and mins[0] == low:
            high = low
        else:
            low = high
    return low, high


def secret_references(
    template: dict[str, Any], serving: dict[str, Any], project_ids: set[str]
) -> dict[str, dict[str, str]]:
    """Every Secret Manager reference of a revision template, keyed by where it is:

    - `env/NAME` for the serving container's env vars (the `env` field's keys),
    - `containers/CONTAINER/env/NAME` for the other containers (sidecars),
    - `volumes/VOLUME` for a secret volume (`volumes/VOLUME/PATH` per item when it
      mounts several items), whose version is 'latest' when no item names one.
    Each value is {secret, version}; a same-project full name becomes the short id.
    """
    refs: dict[str, dict[str, str]] = {}
    for c in template.get("containers") or []:
        prefix = "" if c is serving else f"containers/{c.get('name') or '?'}/"
        for var in c.get("env") or []:
            source = (var.get("valueSource") or {}).get("secretKeyRef")
            if var.get("name") and source:
                refs[f"{prefix}env/{var['name']}"] = secret_ref(source, project_ids)
    for vol in template.get("volumes") or []:
        source = vol.get("secret")
        if not isinstance(source, dict) or not vol.get("name"):
            continue
        items = source.get("items") or [{}]
        for item in items:
            field = f"volumes/{vol['name']}"
            if len(items) > 1:
                field += f"/{item.get('path') or '?'}"
            ref = {"secret": source.get("secret"), "version": item.get("version")}
            refs[field] = secret_ref(ref, project_ids)
    return refs


def probe(raw: dict[str, Any] | None) -> dict[str, Any] | None:
    if not raw:
        return None
    kind: str | None = None
    spec: dict[str, Any] = {}
    for key, name in (("httpGet", "http"), ("tcpSocket", "tcp"), ("grpc", "grpc")):
        if key in raw:
            kind, spec = name, raw.get(key) or {}
    out = {
        "type": kind,
        "path": spec.get("path") if kind == "http" else None,
        "port": units.integer(spec.get("port")),
        "initial_delay": units.integer(raw.get("initialDelaySeconds")) or 0,
        "period": units.integer(raw.get("periodSeconds")),
        "timeout": units.integer(raw.get("timeoutSeconds")),
        "failure_threshold": units.integer(raw.get("failureThreshold")),
    }
    if kind == "http" and out["path"] is None:
        out["path"] = "/"  # Google's default path for an HTTP probe
    return {k: v for k, v in out.items() if v is not None}


def normalize(raw: dict[str, Any], project_ids: set[str]) -> dict[str, Any]:
    """Normalize one service; `project_ids` are the id and number that mean 'this project'."""
    template = raw.get("template") or {}
    container = serving_container(template.get("containers") or [])
    limits = (container.get("resources") or {}).get("limits") or {}
    cpu_value = units.cpu(limits.get("cpu")) if limits.get("cpu") else None
    cpu = DEFAULT_CPU if cpu_value is None else cpu_value
    vpc = template.get("vpcAccess") or {}
    connector = units.short_name(vpc.get("connector"))
    egress = None
    if connector or vpc.get("networkInterfaces"):
        # Google documents an unset egress as PRIVATE_RANGES_ONLY.
        egress = EGRESS.get(vpc.get("egress", ""), "private-ranges-only")
    min_instances, max_instances = scaling(raw)
    return {
        "image": container.get("image"),
        "ingress": units.enum_name(raw.get("ingress"), "INGRESS_TRAFFIC_", INGRESS),
        "service_account": template.get("serviceAccount"),
        "min_instances": min_instances,
        "max_instances": max_instances,
        "timeout": units.duration_seconds(template.get("timeout")) or DEFAULT_TIMEOUT,
        "concurrency": concurrency(template, cpu),
        "cpu": cpu,
        "memory": units.memory(limits.get("memory")) if limits.get("memory") else DEFAULT_MEMORY,
        "execution_environment": units.enum_name(
            template.get("executionEnvironment"), "EXECUTION_ENVIRONMENT_", EXEC_ENV
        ),
        "vpc_connector": connector,
        "vpc_egress": egress,
        "labels": dict(raw.get("labels") or {}),
        "env": env_map(container, project_ids),
        "ready": ready(raw),
        "traffic": traffic(raw),
        "_traffic_tags": traffic_tags(raw),
        "_secret_refs": secret_references(template, container, project_ids),
        "startup_probe": probe(container.get("startupProbe")),
        "liveness_probe": probe(container.get("livenessProbe")),
    }
