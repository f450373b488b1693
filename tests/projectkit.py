"""Worlds and baselines of several projects (drift diff --all, a sharded job).

Each project is worldkit's one-project world under another id and number: a service
`api` (memory `memory`) reading secret `db-pass`, and connector `conn-a`; its baseline
declares `api` with 1Gi, so a project built with another memory has one drift.
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

from tests import worldkit as wk

_PROJECT_IN_PATH = re.compile(r"/(?:projects|namespaces)/([^/?:]+)")


def number_of(index: int) -> str:
    return str(100000000000 + index)


def project(pid: str, number: str, memory: str = "1Gi") -> dict[str, Any]:
    """worldkit's project as `pid`/`number` (real API JSON names carry both)."""
    one = wk.world(
        services=[wk.service("api", env=[wk.secret_env("DB", "db-pass")], memory=memory)],
        secrets=[wk.secret("db-pass")],
        versions=[wk.version("db-pass", 1)],
        connectors=[wk.connector("conn-a")],
    )
    text = json.dumps(one).replace(wk.PROJECT, pid).replace(wk.NUMBER, number)
    data: dict[str, Any] = json.loads(text)["projects"][pid]
    return data


def world(projects: dict[str, str], **emulator: Any) -> dict[str, Any]:
    """A world of `projects` (id -> memory of its service `api`)."""
    return {
        "emulator": emulator,
        "projects": {
            pid: project(pid, number_of(i), memory)
            for i, (pid, memory) in enumerate(sorted(projects.items()))
        },
    }


def baselines(root: Path, projects: list[str]) -> Path:
    """expected/<project>/ for each project, declaring `api` with 1Gi; returns expected/."""
    for pid in projects:
        folder = root / "expected" / pid
        folder.mkdir(parents=True, exist_ok=True)
        (folder / "project.yaml").write_text(f"project: {pid}\nregions: [{wk.REGION}]\n")
        (folder / "services.yaml").write_text(
            f"services:\n  api:\n    region: {wk.REGION}\n    memory: 1Gi\n"
        )
    return root / "expected"


def project_of(request_path: str, numbers: dict[str, str]) -> str | None:
    """The project id a request names (by id, or by number for Secret Manager)."""
    m = _PROJECT_IN_PATH.search(request_path)
    if not m:
        return None
    return numbers.get(m.group(1), m.group(1))


def numbers(world_data: dict[str, Any]) -> dict[str, str]:
    """number -> project id of a world."""
    return {p["projectNumber"]: pid for pid, p in world_data["projects"].items()}
