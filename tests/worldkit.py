"""Builders for small test worlds in the real API JSON shapes, and baselines beside them."""

from __future__ import annotations

import textwrap
import zlib
from pathlib import Path
from typing import Any

PROJECT = "acme-stage"
NUMBER = "424242424242"
REGION = "us-central1"


def service(
    name: str,
    env: list[dict[str, Any]] | None = None,
    region: str = REGION,
    min_instances: int | None = 1,
    max_instances: int = 5,
    memory: str = "1Gi",
    cpu: str = "1000m",
    connector: str | None = "conn-a",
    labels: dict[str, str] | None = None,
    image: str = "us-docker.pkg.dev/acme/app/api:v1",
) -> dict[str, Any]:
    scaling: dict[str, Any] = {"maxInstanceCount": max_instances}
    if min_instances:
        scaling["minInstanceCount"] = min_instances
    template: dict[str, Any] = {
        "scaling": scaling,
        "timeout": "300s",
        "serviceAccount": f"run@{PROJECT}.iam.gserviceaccount.com",
        "maxInstanceRequestConcurrency": 80,
        "containers": [
            {
                "name": "app",
                "image": image,
                "ports": [{"name": "http1", "containerPort": 8080}],
                "env": env or [],
                "resources": {"limits": {"cpu": cpu, "memory": memory}},
            }
        ],
    }
    if connector:
        template["vpcAccess"] = {
            "connector": f"projects/{PROJECT}/locations/{region}/connectors/{connector}",
            "egress": "PRIVATE_RANGES_ONLY",
        }
    return {
        "name": f"projects/{PROJECT}/locations/{region}/services/{name}",
        "uid": f"uid-{name}",
        "generation": "3",
        "labels": labels or {},
        "ingress": "INGRESS_TRAFFIC_ALL",
        "launchStage": "GA",
        "template": template,
        "traffic": [{"type": "TRAFFIC_TARGET_ALLOCATION_TYPE_LATEST", "percent": 100}],
        "terminalCondition": {"type": "Ready", "state": "CONDITION_SUCCEEDED"},
    }


def env(name: str, value: str) -> dict[str, Any]:
    return {"name": name, "value": value}


def secret_env(name: str, secret: str, version: str = "latest") -> dict[str, Any]:
    return {"name": name, "valueSource": {"secretKeyRef": {"secret": secret, "version": version}}}


def secret(sid: str) -> dict[str, Any]:
    return {
        "name": f"projects/{NUMBER}/secrets/{sid}",
        "replication": {"automatic": {}},
        "createTime": "2026-01-01T00:00:00Z",
        "etag": '"abc"',
    }


def version(sid: str, n: int, state: str = "ENABLED") -> dict[str, Any]:
    return {
        "name": f"projects/{NUMBER}/secrets/{sid}/versions/{n}",
        "createTime": "2026-01-01T00:00:00Z",
        "state": state,
    }


def connector(name: str, region: str = REGION, max_instances: int = 10) -> dict[str, Any]:
    return {
        "name": f"projects/{PROJECT}/locations/{region}/connectors/{name}",
        "network": "default",
        "ipCidrRange": "10.8.0.0/28",
        "state": "READY",
        "minThroughput": 200,
        "maxThroughput": 1000,
        "minInstances": 2,
        "maxInstances": max_instances,
        "machineType": "e2-micro",
    }


def world(
    services: list[dict[str, Any]],
    secrets: list[dict[str, Any]] | None = None,
    versions: list[dict[str, Any]] | None = None,
    connectors: list[dict[str, Any]] | None = None,
) -> dict[str, Any]:
    return {
        "projects": {
            PROJECT: {
                "projectNumber": NUMBER,
                "services": services,
                "secrets": secrets or [],
                "secretVersions": versions or [],
                "connectors": connectors or [],
            }
        }
    }


def write_baseline(root: Path, files: dict[str, str], project_yaml: str | None = None) -> Path:
    """Write expected/<PROJECT>/ with the given files (dedented YAML) and return expected/."""
    folder = root / "expected" / PROJECT
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "project.yaml").write_text(
        textwrap.dedent(project_yaml or f"project: {PROJECT}\nregions: [{REGION}]\n")
    )
    for name, text in files.items():
        (folder / name).write_text(textwrap.dedent(text))
    return root / "expected"


# -- Compute (load balancer kinds) ------------------------------------------------------
# Real Compute JSON: short `name`, full `selfLink`, `region` URL on regional objects.

COMPUTE = f"https://www.googleapis.com/compute/v1/projects/{PROJECT}"


def compute_link(collection: str, name: str, region: str | None = None) -> str:
    scope = f"regions/{region}" if region else "global"
    return f"{COMPUTE}/{scope}/{collection}/{name}"


def _compute(kind: str, collection: str, name: str, region: str | None) -> dict[str, Any]:
    obj: dict[str, Any] = {
        "kind": f"compute#{kind}",
        "id": str(zlib.crc32(f"{collection}/{region}/{name}".encode()) * 1000003),
        "creationTimestamp": "2026-01-05T10:00:00.000-08:00",
        "name": name,
        "selfLink": compute_link(collection, name, region),
    }
    if region:
        obj["region"] = f"{COMPUTE}/regions/{region}"
    return obj


def health_check(
    name: str,
    region: str | None = None,
    type_: str = "HTTP",
    port: int | None = 8080,
    request_path: str | None = "/healthz",
    **top: Any,
) -> dict[str, Any]:
    """`top` sets top-level fields, e.g. timeoutSec=10 (omitted ones take Google's defaults)."""
    sub: dict[str, Any] = {}
    if port is not None:
        sub["port"] = port
    if request_path is not None and type_ in ("HTTP", "HTTPS", "HTTP2"):
        sub["requestPath"] = request_path
    key = {
        "HTTP": "httpHealthCheck",
        "HTTPS": "httpsHealthCheck",
        "HTTP2": "http2HealthCheck",
        "TCP": "tcpHealthCheck",
        "SSL": "sslHealthCheck",
        "GRPC": "grpcHealthCheck",
    }[type_]
    return {**_compute("healthCheck", "healthChecks", name, region), "type": type_, key: sub, **top}


def backend_service(
    name: str,
    region: str | None = None,
    health_checks: tuple[str, ...] = (),
    groups: tuple[str, ...] = (),
    protocol: str = "HTTPS",
    scheme: str = "EXTERNAL_MANAGED",
    **top: Any,
) -> dict[str, Any]:
    """`groups` are short instance-group / NEG names (zonal NEGs in <region>-a)."""
    zone = f"{region or REGION}-a"
    return {
        **_compute("backendService", "backendServices", name, region),
        "protocol": protocol,
        "loadBalancingScheme": scheme,
        "healthChecks": [compute_link("healthChecks", hc, region) for hc in health_checks],
        "backends": [
            {
                "group": f"{COMPUTE}/zones/{zone}/networkEndpointGroups/{g}",
                "balancingMode": "RATE",
                "capacityScaler": 1,
            }
            for g in groups
        ],
        **top,
    }


def url_map(
    name: str,
    default_service: str,
    hosts: dict[str, str] | None = None,
    region: str | None = None,
    **top: Any,
) -> dict[str, Any]:
    """`hosts`: host -> backend service; one path matcher per distinct service."""
    link = lambda svc: compute_link("backendServices", svc, region)  # noqa: E731
    services = sorted(set((hosts or {}).values()))
    return {
        **_compute("urlMap", "urlMaps", name, region),
        "defaultService": link(default_service),
        "hostRules": [
            {"hosts": sorted(h for h, s in (hosts or {}).items() if s == svc), "pathMatcher": svc}
            for svc in services
        ],
        "pathMatchers": [{"name": svc, "defaultService": link(svc)} for svc in services],
        **top,
    }


def ssl_certificate(
    name: str,
    domains: list[str],
    managed: bool = True,
    status: str = "ACTIVE",
    region: str | None = None,
) -> dict[str, Any]:
    obj = _compute("sslCertificate", "sslCertificates", name, region)
    obj["expireTime"] = "2036-09-01T12:00:00.000-07:00"
    if managed:
        obj["type"] = "MANAGED"
        each = "ACTIVE" if status == "ACTIVE" else "PROVISIONING"
        obj["managed"] = {
            "domains": domains,
            "status": status,
            "domainStatus": {d: each for d in domains},
        }
        if status == "ACTIVE":
            obj["subjectAlternativeNames"] = domains
    else:
        obj["type"] = "SELF_MANAGED"
        obj["certificate"] = "-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n"
        obj["subjectAlternativeNames"] = domains
    return obj


def target_https_proxy(
    name: str, url_map_name: str, certs: list[str], region: str | None = None
) -> dict[str, Any]:
    return {
        **_compute("targetHttpsProxy", "targetHttpsProxies", name, region),
        "urlMap": compute_link("urlMaps", url_map_name, region),
        "sslCertificates": [compute_link("sslCertificates", c, region) for c in certs],
    }
