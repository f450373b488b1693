"""Scenario folders as data (tests/worlds/README.md): every folder is a world in Google's
JSON, a baseline and the exact findings drift must give on them, run by one test.

- `findings.json` (the simple form): one run of `world.json` against `expected/`;
- `case.json` (tests/worlds/real-world/*): several runs, other worlds, baselines written
  by `baseline init`.

Every run goes through the CLI, the built-in emulator and the real client libraries. The
next scenario is a data folder, not a new test function. A meta-test requires a
`kind-<name>` scenario for every registered kind, on which `baseline init` -> `diff` is
clean.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from drift.cli import main
from drift.emulator.world import load_world
from drift.registry import KINDS

WORLDS = Path(__file__).parent / "worlds"
DEFAULT_PROJECT = "acme-demo"


def _runs(folder: Path) -> list[dict[str, Any]]:
    """The runs a scenario folder asks for (case.json: several; findings.json: one)."""
    if (folder / "case.json").is_file():
        spec = json.loads((folder / "case.json").read_text())
        project = spec.get("project", DEFAULT_PROJECT)
        return [{"project": project, **run} for run in spec["runs"]]
    spec = json.loads((folder / "findings.json").read_text())
    return [{"world": "world.json", "expected": "expected", "project": DEFAULT_PROJECT, **spec}]


SCENARIOS = sorted(p.parent for name in ("case.json", "findings.json") for p in WORLDS.rglob(name))
RUNS = [
    pytest.param(folder, i, id=f"{folder.relative_to(WORLDS)}-{i}")
    for folder in SCENARIOS
    for i in range(len(_runs(folder)))
]


def _cli(args: list[str]) -> Any:
    return CliRunner().invoke(main, args, env={"SOURCE_DATE_EPOCH": "1764000000"})


def _emulator(folder: Path, world: str) -> list[str]:
    """`--emulator WORLD`; `bundled` is the world drift ships for the project."""
    return ["--emulator"] if world == "bundled" else ["--emulator", str(folder / world)]


def _init(folder: Path, world: str, project: str, target: Path, kinds: list[str]) -> Path:
    args = ["baseline", "init", "--project", project, *_emulator(folder, world),
            "--expected", str(target), "--regions", "us-central1", "--quiet"]  # fmt: skip
    result = _cli([*args, "--kinds", ",".join(kinds)] if kinds else args)
    assert result.exit_code == 0, result.output
    return target


def _diff(folder: Path, run: dict[str, Any], expected: Path) -> tuple[int, dict[str, Any]]:
    result = _cli(["diff", "--project", run["project"], "--expected", str(expected),
                   *_emulator(folder, run["world"]), "--format", "json", "--quiet",
                   *run.get("args", [])])  # fmt: skip
    return result.exit_code, json.loads(result.stdout)


@pytest.mark.parametrize(("folder", "index"), RUNS)
def test_scenario(folder: Path, index: int, tmp_path: Path) -> None:
    run = _runs(folder)[index]
    if "baseline_init_from" in run:
        expected = _init(folder, run["baseline_init_from"], run["project"], tmp_path / "e", [])
        written = "".join(p.read_text() for p in sorted(expected.rglob("*.yaml")))
        for text in run.get("init_contains", []):
            assert text in written
    else:
        expected = (folder / run["expected"]).resolve()
    code, report = _diff(folder, run, expected)
    got = {(f["path"], f["type"]): f for f in report["findings"]}
    want = {(f["path"], f["type"]): f for f in run["findings"]}
    # The exact set: an extra finding is a false alarm, a missing one a miss.
    assert sorted(got) == sorted(want), [f["message"] for f in report["findings"]]
    assert len(report["findings"]) == len(got)  # each fact once
    for key, w in want.items():
        f = got[key]
        assert f["severity"] == w["severity"], f
        for side in ("expected", "actual"):
            if side in w:
                assert f[side] == w[side], f
        assert w.get("message_contains", "") in f["message"]
    for text in run.get("notes_contain", []):
        assert any(text in n for n in report["notes"]), report["notes"]
    if "ignored" in run:
        assert len(report["ignored"]) == run["ignored"]
    assert report["not_checked"] == []
    assert code == run["exit"]


# -- one scenario per registered kind -----------------------------------------------------------


def _kind_folder(kind: str) -> Path:
    return WORLDS / f"kind-{kind}"


def test_every_registered_kind_has_a_scenario():
    missing = [k for k in sorted(KINDS) if not (_kind_folder(k) / "findings.json").is_file()]
    assert missing == [], f"add tests/worlds/kind-<name>/ for {missing} (docs/contributing.md)"
    extra = {p.name for p in WORLDS.glob("kind-*")} - {f"kind-{k}" for k in KINDS}
    assert extra == set(), f"scenario folders for kinds drift does not know: {sorted(extra)}"


@pytest.mark.parametrize("kind", sorted(KINDS))
def test_kind_scenario_baseline_init_then_diff_is_clean(kind: str, tmp_path: Path) -> None:
    """`baseline init` of the kind's world, then `diff`: nothing changed, missing,
    unexpected or unmanaged, nothing broken, and the kind was read (it is in the world,
    and in the baseline when it is declarable)."""
    folder = _kind_folder(kind)
    spec = KINDS[kind]
    project = json.loads((folder / "findings.json").read_text()).get("project", DEFAULT_PROJECT)
    world = load_world(folder / "world.json")
    assert world["projects"][project].get(spec.world_key), f"no {spec.world_key} in the world"
    # A kind read only for checks is read when a kind that needs it is declared.
    kinds = [kind] if spec.declarable else sorted(k for k, s in KINDS.items() if kind in s.needs)
    expected = _init(folder, "world.json", project, tmp_path / "expected", kinds)
    if spec.declarable:
        written = (expected / project / f"{kind}.yaml").read_text()
        assert f"{kind}:\n  " in written  # at least one resource declared
    run = {"project": project, "world": "world.json"}
    code, report = _diff(folder, run, expected)
    assert (code, report["findings"], report["not_checked"]) == (0, [], [])
    snap = tmp_path / "snap.json"
    world_path = str(folder / "world.json")
    result = _cli(["snapshot", "--project", project, "--expected", str(expected),
                   "--emulator", world_path, "--output", str(snap), "--quiet"])  # fmt: skip
    assert result.exit_code == 0, result.output
    read = [r for r in json.loads(snap.read_text())["resources"] if r["kind"] == kind]
    assert len(read) == len(world["projects"][project][spec.world_key])
