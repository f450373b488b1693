"""Builders for small test worlds in the real API JSON shapes, and baselines beside them."""

from __future__ import annotations

import textwrap
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
