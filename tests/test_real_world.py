"""Real-world cases (tests/worlds/real-world/*/case.json): each folder is a world in Google's
JSON, one or more baselines, and the findings drift must give on them.

Every run goes through the CLI, the built-in emulator and the real client libraries. The
next real-world case is a data folder, not a new test function: copy the world and the
baseline in, and write what must happen in case.json:

    {"project": "acme-demo",                  (optional; default acme-demo)
     "runs": [{"world": "world.json",
               "expected": "expected",        (or "baseline_init_from": "world.json")
               "args": ["--fail-on", "critical"],              (optional)
               "exit": 2,
               "findings": [{"path": ..., "type": ..., "severity": ...,
                             "expected": ..., "actual": ...,   (optional, compared exactly)
                             "message_contains": ...}],        (optional)
               "notes_contain": [...], "init_contains": [...]}]}

`findings` is the exact set of (path, type): an extra finding is a false alarm, a missing
one a miss.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from drift.cli import main

CASES = Path(__file__).parent / "worlds" / "real-world"
RUNS = [
    pytest.param(case, i, id=f"{case.name}-{i}")
    for case in sorted(p for p in CASES.iterdir() if (p / "case.json").is_file())
    for i in range(len(json.loads((case / "case.json").read_text())["runs"]))
]


def _cli(args: list[str]) -> Any:
    return CliRunner().invoke(main, args, env={"SOURCE_DATE_EPOCH": "1764000000"})


def _baseline_from_init(case: Path, world: str, project: str, tmp_path: Path) -> Path:
    target = tmp_path / "expected"
    result = _cli(["baseline", "init", "--project", project, "--emulator", str(case / world),
                   "--expected", str(target), "--regions", "us-central1"])  # fmt: skip
    assert result.exit_code == 0, result.output
    return target


@pytest.mark.parametrize(("case", "index"), RUNS)
def test_real_world_case(case: Path, index: int, tmp_path: Path) -> None:
    spec = json.loads((case / "case.json").read_text())
    project = spec.get("project", "acme-demo")
    run = spec["runs"][index]
    if "baseline_init_from" in run:
        expected = _baseline_from_init(case, run["baseline_init_from"], project, tmp_path)
        written = "".join(p.read_text() for p in sorted(expected.rglob("*.yaml")))
        for text in run.get("init_contains", []):
            assert text in written
    else:
        expected = case / run["expected"]
    result = _cli(["diff", "--project", project, "--expected", str(expected), "--emulator",
                   str(case / run["world"]), "--format", "json", "--quiet",
                   *run.get("args", [])])  # fmt: skip
    report = json.loads(result.stdout)
    got = {(f["path"], f["type"]): f for f in report["findings"]}
    want = {(f["path"], f["type"]): f for f in run["findings"]}
    assert sorted(got) == sorted(want), [f["message"] for f in report["findings"]]
    for key, w in want.items():
        f = got[key]
        assert f["severity"] == w["severity"], f
        for side in ("expected", "actual"):
            if side in w:
                assert f[side] == w[side], f
        assert w.get("message_contains", "") in f["message"]
    for text in run.get("notes_contain", []):
        assert any(text in n for n in report["notes"]), report["notes"]
    assert report["not_checked"] == []
    assert result.exit_code == run["exit"], result.output
