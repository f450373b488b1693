"""Synthetic worlds for benchmarks and scale tests, plus a baseline that matches them.

`generate_world` builds a project of any size in the real Google REST JSON (the same
format as the bundled worlds in `worlds/`), varied the way real projects are: sidecars
listed before the serving container, CPU written as "1000m" or "1", memory as "4096Mi"
or "4Gi", secret references by short id or full name, by number, `latest` or version
alias, secrets mounted as volumes, the instance cap at service level or in the revision
template, zero-valued fields left out.
Everything comes from one `random.Random(seed)`, so a seed always gives the same world.

drift.baseline.synthetic.write_baseline declares such a world's live values as a baseline
(it needs drift's normalizers, which the emulator never imports).
"""

from __future__ import annotations

import hashlib
import random
from datetime import UTC, datetime, timedelta
from typing import Any

# Fixed epoch: timestamps must not depend on when the world is generated.
_EPOCH = datetime(2025, 1, 6, 9, 0, 0, tzinfo=UTC)

_TEAMS = ("payments", "search", "accounts", "orders", "catalog", "billing", "notify", "media")
_PARTS = ("api", "worker", "gateway", "sync", "render", "ingest", "admin", "events")
_SECRET_KINDS = ("api-key", "db-password", "oauth-client-secret", "webhook-token", "tls-key")
_CPUS = ("1", "1000m", "2", "2000m", "4")
_MEMORY = ("512Mi", "1Gi", "2Gi", "2048Mi", "4Gi", "4096Mi")
_TIMEOUTS = ("60s", "300s", "600s", "3600s")
_INGRESS = (
    "INGRESS_TRAFFIC_ALL",
    "INGRESS_TRAFFIC_ALL",
    "INGRESS_TRAFFIC_INTERNAL_ONLY",
    "INGRESS_TRAFFIC_INTERNAL_LOAD_BALANCER",
)
_MACHINES = ("e2-micro", "e2-micro", "f1-micro", "e2-standard-4")


def _time(rng: random.Random, start_days: int = 0, span_days: int = 300) -> str:
    """An RFC 3339 timestamp with microseconds, as Google writes them."""
    offset = timedelta(
        days=start_days + rng.randrange(span_days),
        seconds=rng.randrange(86400),
        microseconds=rng.randrange(1_000_000),
    )
    return (_EPOCH + offset).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def _hex(rng: random.Random, n: int) -> str:
    return "".join(rng.choice("0123456789abcdef") for _ in range(n))


def _uid(rng: random.Random) -> str:
    h = _hex(rng, 32)
    return f"{h[:8]}-{h[8:12]}-4{h[13:16]}-a{h[17:20]}-{h[20:]}"


def _etag(name: str, generation: int) -> str:
    return '"' + hashlib.sha1(f"{name}/{generation}".encode()).hexdigest()[:20] + '"'


def _connectors(
    project: str, regions: tuple[str, ...], count: int, rng: random.Random
) -> list[dict[str, Any]]:
    out = []
    for i in range(count):
        region = regions[i % len(regions)]
        machine = rng.choice(_MACHINES)
        low = rng.choice((2, 2, 3))
        high = rng.randrange(low + 1, 11)
        out.append(
            {
                "name": f"projects/{project}/locations/{region}/connectors/vpc-conn-{i:03d}",
                "network": rng.choice((f"{project}-vpc", "shared-vpc", "default")),
                "ipCidrRange": f"10.{8 + i // 16}.{(i % 16) * 16}.0/28",
                "state": "READY",
                "machineType": machine,
                "minInstances": low,
                "maxInstances": high,
                # Google fills the deprecated throughput fields (Mbps, 200..1000) from the
                # instance counts.
                "minThroughput": max(200, min(900, low * 100)),
                "maxThroughput": max(300, min(1000, high * 100)),
                "connectedProjects": [project],
            }
        )
    return out


def _secrets(
    project_number: str, regions: tuple[str, ...], count: int, rng: random.Random
) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    secrets, versions = [], []
    for i in range(count):
        name = f"projects/{project_number}/secrets/{rng.choice(_SECRET_KINDS)}-{i:04d}"
        created = _time(rng, span_days=200)
        secret: dict[str, Any] = {"name": name, "createTime": created}
        if rng.random() < 0.9:
            secret["replication"] = {"automatic": {}}
        else:
            where = sorted(rng.sample(regions, k=min(2, len(regions))))
            secret["replication"] = {"userManaged": {"replicas": [{"location": r} for r in where]}}
        if rng.random() < 0.5:
            secret["labels"] = {"team": rng.choice(_TEAMS), "env": "bench"}
        secret["etag"] = _etag(name, 1)
        secrets.append(secret)
        n = rng.randint(1, 3)
        for v in range(1, n + 1):
            # Older versions are disabled or destroyed now and then; the latest is ENABLED.
            state = "ENABLED" if v == n else rng.choice(("ENABLED", "DISABLED", "DESTROYED"))
            version: dict[str, Any] = {
                "name": f"{name}/versions/{v}",
                "createTime": _time(rng, start_days=200 + 30 * v, span_days=30),
                "state": state,
                "replicationStatus": {"automatic": {}},
                "etag": _etag(f"{name}/versions/{v}", 1),
            }
            if state == "DESTROYED":
                version["destroyTime"] = _time(rng, start_days=400, span_days=30)
            versions.append(version)
        if i % 3 == 0:  # Secret.versionAliases: references may name a version by alias
            secret["versionAliases"] = {"current": str(n)}
    return secrets, versions


def _service(
    i: int,
    project: str,
    project_number: str,
    region: str,
    connector: str | None,
    secret_refs: list[tuple[str, str]],
    rng: random.Random,
) -> dict[str, Any]:
    team, part = rng.choice(_TEAMS), rng.choice(_PARTS)
    sid = f"{team}-{part}-{i:04d}"
    name = f"projects/{project}/locations/{region}/services/{sid}"
    generation = rng.randint(1, 120)
    created, updated = _time(rng, span_days=100), _time(rng, start_days=100, span_days=200)
    labels = {"team": team, "env": "bench"}
    env: list[dict[str, Any]] = [
        {"name": "ENVIRONMENT", "value": "bench"},
        {"name": "SERVICE_NAME", "value": sid},
        {"name": "LOG_LEVEL", "value": rng.choice(("info", "debug", "warning"))},
    ]
    for var, (secret_id, version) in enumerate(secret_refs):
        # Same-project references come both ways in real projects.
        ref = secret_id if rng.random() < 0.7 else f"projects/{project_number}/secrets/{secret_id}"
        source = {"secretKeyRef": {"secret": ref, "version": version}}
        env.append({"name": f"SECRET_{var}", "valueSource": source})
    port = rng.choice((8080, 8080, 3000))
    serving: dict[str, Any] = {
        "name": f"{part}-1",
        "image": f"{region}-docker.pkg.dev/{project}/{team}/{part}@sha256:{_hex(rng, 64)}",
        "ports": [{"name": rng.choice(("http1", "h2c")), "containerPort": port}],
        "env": env,
        "resources": {"limits": {"cpu": rng.choice(_CPUS), "memory": rng.choice(_MEMORY)}},
        "startupProbe": {
            "timeoutSeconds": 240,
            "periodSeconds": 240,
            "failureThreshold": 1,
            "tcpSocket": {"port": port},
        },
    }
    if rng.random() < 0.6:
        serving["resources"]["cpuIdle"] = True
    if rng.random() < 0.7:
        serving["resources"]["startupCpuBoost"] = True
    containers = [serving]
    if rng.random() < 0.1:
        # A sidecar without ports, listed first: the serving container is the one with a port.
        containers.insert(
            0,
            {
                "name": "otel-collector",
                "image": "us-docker.pkg.dev/cloud-ops-agents-artifacts/cloud-run-gmp-sidecar/"
                "cloud-run-gmp-sidecar:1.2.0",
                "resources": {"limits": {"cpu": "1000m", "memory": "512Mi"}, "cpuIdle": True},
            },
        )
        serving["dependsOn"] = ["otel-collector"]
    scaling: dict[str, Any] = {}
    low = rng.choice((0, 0, 0, 1, 2))
    if low:  # Google leaves out a zero minInstanceCount
        scaling["minInstanceCount"] = low
    scaling["maxInstanceCount"] = rng.choice((3, 5, 10, 20, 50, 100))
    service_scaling: dict[str, Any] = {}
    if i % 4 == 1:  # the cap at service level only, as Terraform and Firebase now write it
        service_scaling["maxInstanceCount"] = scaling.pop("maxInstanceCount")
    template: dict[str, Any] = {"labels": dict(labels), "scaling": scaling}
    if i % 5 == 2 and secret_refs:  # a secret mounted as a file, as well as in env
        template["volumes"] = [
            {"name": "secret-file", "secret": {
                "secret": secret_refs[0][0], "items": [{"path": "value", "version": "latest"}]}}
        ]  # fmt: skip
        serving["volumeMounts"] = [{"name": "secret-file", "mountPath": "/secrets"}]
    if connector:
        template["vpcAccess"] = {
            "connector": connector,
            "egress": rng.choice(("PRIVATE_RANGES_ONLY", "PRIVATE_RANGES_ONLY", "ALL_TRAFFIC")),
        }
    template["timeout"] = rng.choice(_TIMEOUTS)
    template["serviceAccount"] = f"run-{team}@{project}.iam.gserviceaccount.com"
    if rng.random() < 0.7:
        template["executionEnvironment"] = "EXECUTION_ENVIRONMENT_GEN2"
    concurrency = rng.choice((80, 80, 250, 0))
    if concurrency:
        template["maxInstanceRequestConcurrency"] = concurrency
    template["containers"] = containers
    revision = f"{name}/revisions/{sid}-{generation:05d}-{_hex(rng, 3)}"
    ready = {"type": "Ready", "state": "CONDITION_SUCCEEDED", "lastTransitionTime": updated}
    uri = f"https://{sid}-{project_number}.{region}.run.app"
    extra: dict[str, Any] = {"scaling": service_scaling} if service_scaling else {}
    return {
        **extra,
        "name": name,
        "uid": _uid(rng),
        "generation": str(generation),
        "labels": labels,
        "createTime": created,
        "updateTime": updated,
        "creator": f"deployer@{project}.iam.gserviceaccount.com",
        "lastModifier": f"deployer@{project}.iam.gserviceaccount.com",
        "client": "gcloud",
        "clientVersion": "524.0.0",
        "ingress": rng.choice(_INGRESS),
        "launchStage": "GA",
        "template": template,
        "traffic": [{"type": "TRAFFIC_TARGET_ALLOCATION_TYPE_LATEST", "percent": 100}],
        "observedGeneration": str(generation),
        "terminalCondition": ready,
        "conditions": [
            {"type": "RoutesReady", "state": "CONDITION_SUCCEEDED", "lastTransitionTime": updated},
            {
                "type": "ConfigurationsReady",
                "state": "CONDITION_SUCCEEDED",
                "lastTransitionTime": updated,
            },
        ],
        "latestReadyRevision": revision,
        "latestCreatedRevision": revision,
        "trafficStatuses": [{"type": "TRAFFIC_TARGET_ALLOCATION_TYPE_LATEST", "percent": 100}],
        "uri": uri,
        "urls": [uri],
        "etag": _etag(name, generation),
    }


def _version_ref(secret_id: str, latest: int, i: int, rng: random.Random) -> str:
    """'latest' mostly, else the latest number, or its alias where the secret has one."""
    if rng.random() < 0.8:
        return "latest"
    aliased = int(secret_id.rsplit("-", 1)[-1]) % 3 == 0  # see _secrets: every third
    return "current" if aliased and i % 2 == 0 else str(latest)


def generate_world(
    project: str = "bench",
    project_number: str = "123456789012",
    services: int = 300,
    regions: tuple[str, ...] = ("us-central1", "europe-west1", "asia-east1"),
    secrets: int = 1000,
    connectors: int = 20,
    seed: int = 0,
    referenced_secrets: int | None = None,
) -> dict[str, Any]:
    """A world dict (the bundled-world format) with these counts; the same seed, the same world.

    Services and connectors are spread round-robin over `regions`; each service references
    1 to 3 existing secrets (at `latest` or at their latest, ENABLED, version) and, when its
    region has one, a connector of that region. References are drawn from the first
    `referenced_secrets` secrets (default: a tenth, at least one), as in real projects where
    a few shared secrets are in use and the rest are leftovers; `write_baseline` declares
    secrets from the front, so by default every referenced secret is also declared.
    """
    if not regions:
        raise ValueError("generate_world needs at least one region")
    if services and not secrets:
        raise ValueError("services reference secrets: give at least one secret")
    rng = random.Random(seed)
    conns = _connectors(project, regions, connectors, rng)
    by_region: dict[str, list[str]] = {}
    for c in conns:
        by_region.setdefault(c["name"].split("/")[3], []).append(c["name"])
    secret_objs, versions = _secrets(project_number, regions, secrets, rng)
    latest: dict[str, int] = {}
    for v in versions:
        secret_id, _, number = v["name"].split("/", 3)[3].partition("/versions/")
        latest[secret_id] = max(latest.get(secret_id, 0), int(number))
    pool = max(1, secrets // 10) if referenced_secrets is None else referenced_secrets
    secret_ids = list(latest)[: max(1, pool)]
    svc_objs = []
    for i in range(services):
        region = regions[i % len(regions)]
        picked = rng.sample(secret_ids, k=min(rng.randint(1, 3), len(secret_ids)))
        refs = [(s, _version_ref(s, latest[s], i, rng)) for s in picked]
        connector = rng.choice(by_region[region]) if by_region.get(region) else None
        svc_objs.append(_service(i, project, project_number, region, connector, refs, rng))
    return {
        "projects": {
            project: {
                "projectNumber": project_number,
                "services": svc_objs,
                "secrets": secret_objs,
                "secretVersions": versions,
                "connectors": conns,
            }
        }
    }
