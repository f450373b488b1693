"""drift run as its own process leaves with os._exit once its command is done
(drift/cli/process.py): the exit code, stdout and stderr must be exactly what the command
produced, however big."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from drift.cli.process import exit_status
from drift.model import Resource, Snapshot
from tests import worldkit as wk

ROOT = Path(__file__).resolve().parent.parent
SECRETS = 3000  # a report of a few MB: more than any pipe buffer holds


def _drift(*args: str, stdin: str = "", timeout: float = 120) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "drift", *args],
        capture_output=True, text=True, cwd=ROOT, timeout=timeout, input=stdin,
    )  # fmt: skip


@pytest.fixture(scope="module")
def big(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    """A baseline declaring secrets and a snapshot of SECRETS undeclared ones."""
    root = tmp_path_factory.mktemp("big")
    expected = wk.write_baseline(root, {"secrets.yaml": "secrets: {}\n"})
    resources = tuple(
        Resource("secrets", f"s-{i:05d}", None, {"replication": "automatic"})
        for i in range(SECRETS)
    )
    snap = Snapshot(wk.PROJECT, wk.NUMBER, ("secrets",), resources, taken_at="2026-11-25T00:00:00Z")
    path = root / "snapshot.json"
    path.write_text(json.dumps(snap.to_json()), encoding="utf-8")
    return expected, path


def test_a_big_report_on_a_pipe_arrives_whole(big: tuple[Path, Path]) -> None:
    expected, snap = big
    run = _drift("diff", "--project", wk.PROJECT, "--expected", str(expected), "--snapshot",
                 str(snap), "--format", "json")  # fmt: skip
    assert run.returncode == 2, run.stderr
    report = json.loads(run.stdout)
    assert len(report["findings"]) == SECRETS
    assert run.stderr.strip().splitlines()[-1].startswith("drift: acme-stage")


def test_exit_codes_and_sentences_pass_through() -> None:
    assert _drift("--help").returncode == 0
    bad = _drift("validate", "/nonexistent-drift-folder")
    assert bad.returncode == 1
    assert "baseline folder does not exist" in bad.stderr
    assert _drift("diff", "--no-such-flag").returncode == 1


def test_exit_status_follows_python() -> None:
    assert (exit_status(None), exit_status(0), exit_status(2), exit_status(130)) == (0, 0, 2, 130)
    assert exit_status("drift: a sentence") == 1
