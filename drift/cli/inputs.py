"""Inputs checked before any work: where live state comes from, --rate, --expected.

Each problem is one sentence and exit 1 (drift/cli/common.py `fail`), before a baseline
is loaded or an API called: a long scan must not end on a mistake that was visible at
the start.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import click
from click.core import ParameterSource

from drift.cli.common import fail

ENDPOINT_ENV = "DRIFT_API_ENDPOINT"


@dataclass(frozen=True)
class Source:
    """Where live state comes from: at most one of snapshot, emulator, endpoint is set."""

    snapshot: str | None = None
    emulator: str | None = None  # BUNDLED, or a world file
    endpoint: str | None = None
    endpoint_from_env: bool = False

    def endpoint_label(self) -> str:
        """The endpoint as the report and the summary name it, with where it came from."""
        return (
            f"{self.endpoint} (from {ENDPOINT_ENV})"
            if self.endpoint_from_env
            else (self.endpoint or "")
        )


def resolve_source(snapshot_file: str | None, scan: dict[str, Any]) -> Source:
    """The one source the user chose; two given at once is an error, not a silent pick.

    DRIFT_API_ENDPOINT counts as given: left set in a shell or a CI job, it would
    otherwise redirect every run without a word.
    """
    ctx = click.get_current_context()
    from_env = ctx.get_parameter_source("api_endpoint") == ParameterSource.ENVIRONMENT
    endpoint = scan.get("api_endpoint") or None
    given = []
    if snapshot_file is not None:
        given.append("--snapshot")
    if scan.get("emulator") is not None:
        given.append("--emulator")
    if endpoint:
        given.append(f"{ENDPOINT_ENV} (set in the environment)" if from_env else "--api-endpoint")
    if len(given) > 1:
        hint = f"; unset {ENDPOINT_ENV} or " if from_env else "; "
        fail(
            f"{' and '.join(given)} each say where live state comes from{hint}"
            "give only one of --snapshot, --emulator, --api-endpoint."
        )
    if endpoint and not endpoint.startswith(("http://", "https://")):
        name = ENDPOINT_ENV if from_env else "--api-endpoint"
        fail(f"{name} must be a base URL such as http://127.0.0.1:8765, got {endpoint!r}.")
    return Source(snapshot_file, scan.get("emulator"), endpoint, bool(endpoint) and from_env)


def known_apis() -> list[str]:
    """The APIs that have a rate budget (`--rate API=N`)."""
    from drift.collectors.budget import DEFAULT_RATE_PER_MINUTE

    return sorted(DEFAULT_RATE_PER_MINUTE)


def parse_rates(values: tuple[str, ...]) -> dict[str, int]:
    """`--rate API=N` values as {api: requests per minute}; a bad one fails with a sentence."""
    apis = known_apis()
    out: dict[str, int] = {}
    for item in values:
        api, _, n = item.partition("=")
        api = api.strip()
        if not n.strip().isdigit() or int(n) <= 0:
            fail(f"--rate expects API=REQUESTS_PER_MINUTE (e.g. secretmanager=300), got {item!r}.")
        if api not in apis:
            fail(f"--rate names an unknown API {api!r}; known APIs: {', '.join(apis)}.")
        if api in out:
            fail(f"--rate gives {api} twice; give each API once.")
        out[api] = int(n)
    return out


def _folder_above(folder: Path) -> str:
    """How to name the folder above `folder` on a command line (`.` has `..` above it)."""
    if folder.name in ("", ".", ".."):
        return os.path.relpath(folder.resolve().parent)
    return folder.parent.as_posix()


def check_expected(expected: str, project: str | None = None, flag: str = "--expected ") -> None:
    """--expected names the folder that holds project folders, not a project folder itself.

    `--expected expected/P` (a folder holding project.yaml) would look for
    expected/P/P/project.yaml; say which folder was meant instead.
    """
    folder = Path(expected)
    if not (folder / "project.yaml").is_file():
        return
    if project is not None and (folder / project / "project.yaml").exists():
        return
    parent = _folder_above(folder)
    fail(
        f"{folder.as_posix()} is a project folder (it holds project.yaml); give the folder "
        f"above it, which holds one folder per project: {flag}{parent}"
    )


def check_scan_inputs(scan: dict[str, Any], snapshot_file: str | None = None) -> Source:
    """Check the scan options of a command before any work; sets scan["rate_per_minute"]."""
    scan["rate_per_minute"] = parse_rates(scan["rates"])
    return resolve_source(snapshot_file, scan)
