"""A baseline that matches a synthetic world (drift.emulator.generate), for benchmarks.

`write_baseline` declares that world's live values as `expected/<project>/*.yaml`, so a
diff of the two reports nothing but the secrets left undeclared (as unmanaged). It goes
through drift's own normalizers, the same code a diff uses on live state. It lives here,
not in the emulator, because the emulator imports nothing from drift's core.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml

from drift.baseline.schema import KIND_FIELDS
from drift.normalize import secrets as secrets_norm
from drift.normalize import services as services_norm
from drift.normalize import vpc_connectors as connectors_norm


def _declared(kind: str, fields: dict[str, Any]) -> dict[str, Any]:
    """Keep the fields a baseline may declare, dropping those the live object leaves unset."""
    allowed = KIND_FIELDS[kind]
    return {k: v for k, v in fields.items() if k in allowed and v is not None and v != {}}


def _region(name: str) -> str:
    return name.split("/")[3]


def write_baseline(
    world: dict[str, Any],
    out_dir: Path,
    project: str,
    declared_secrets: int = 100,
    declared_services: int | None = None,
) -> None:
    """Write `out_dir/<project>/{project,services,secrets,vpc_connectors}.yaml` for `world`.

    Declares the live values of all services (or the first `declared_services`), all
    connectors, and the first `declared_secrets` secrets (with `enabled_versions: {min: 1}`),
    in world order. Files are written with sorted keys so reruns give identical bytes.
    """
    proj = world["projects"][project]
    number = str(proj.get("projectNumber") or "")
    ids = {project, number} - {""}
    regions: list[str] = []
    for obj in [*proj.get("services", []), *proj.get("connectors", [])]:
        if _region(obj["name"]) not in regions:
            regions.append(_region(obj["name"]))
    services = proj.get("services", [])
    if declared_services is not None:
        services = services[:declared_services]
    services_doc = {
        obj["name"].rsplit("/", 1)[1]: {
            "region": _region(obj["name"]),
            **_declared("services", services_norm.normalize(obj, ids)),
        }
        for obj in services
    }
    secrets_doc = {}
    for obj in proj.get("secrets", [])[:declared_secrets]:
        fields = _declared("secrets", secrets_norm.normalize(obj, None))
        fields["enabled_versions"] = {"min": 1}
        secrets_doc[obj["name"].rsplit("/", 1)[1]] = fields
    connectors_doc = {
        obj["name"].rsplit("/", 1)[1]: {
            "region": _region(obj["name"]),
            **_declared("vpc_connectors", connectors_norm.normalize(obj)),
        }
        for obj in proj.get("connectors", [])
    }
    project_doc: dict[str, Any] = {"project": project, "regions": regions, "unmanaged": "report"}
    if number:
        project_doc["project_number"] = number
    target = Path(out_dir) / project
    target.mkdir(parents=True, exist_ok=True)
    for filename, doc in (
        ("project.yaml", project_doc),
        ("services.yaml", {"services": services_doc}),
        ("secrets.yaml", {"secrets": secrets_doc}),
        ("vpc_connectors.yaml", {"vpc_connectors": connectors_doc}),
    ):
        text = yaml.safe_dump(doc, sort_keys=True, default_flow_style=False, width=120)
        (target / filename).write_text(text, encoding="utf-8")
