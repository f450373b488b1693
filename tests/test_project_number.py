"""The report's `project_number` is one that was read (issue 9, item 4), and `drift baseline
init` says which diff comes next and what it will show (item 9).

The number comes from the live secrets' names (or a snapshot of them). A number declared
in project.yaml still tells this project's numbered secret references apart when the
secrets could not be listed, but the report header never shows it as if it had been read.
"""

from __future__ import annotations

import json
import re
import shlex
from pathlib import Path
from typing import Any

from click.testing import CliRunner

from drift.cli import main
from drift.emulator import Emulator
from tests import worldkit as wk

DECLARED = "424242424242"  # wk.NUMBER: the world's own number
OTHER = "111111111111"


def run(args: list[str]) -> Any:
    return CliRunner().invoke(main, args, catch_exceptions=False)


def world_with_numbered_ref(tmp_path: Path, number: str, faults: list[Any]) -> Path:
    world = wk.world(
        services=[wk.service("api", env=[wk.secret_env("DB", f"projects/{number}/secrets/db")])],
        secrets=[wk.secret("db")],
        versions=[wk.version("db", 1)],
        connectors=[wk.connector("conn-a")],
    )
    world["emulator"] = {"faults": faults}
    path = tmp_path / "world.json"
    path.write_text(json.dumps(world))
    return path


def diff(tmp_path: Path, world: Path, project_number: str | None, *extra: str) -> Any:
    number = f'project_number: "{project_number}"\n' if project_number else ""
    expected = wk.write_baseline(
        tmp_path,
        {
            "s.yaml": f"services:\n  api:\n    region: {wk.REGION}\n"
            "    env: {DB: {secret: db}}\n"
        },
        project_yaml=f"project: {wk.PROJECT}\n{number}regions: [{wk.REGION}]\n",
    )
    return run(
        [
            "diff",
            "--project",
            wk.PROJECT,
            "--expected",
            str(expected),
            "--emulator",
            str(world),
            *extra,
        ]
    )


SECRETS_DENIED = [{"path": "/secrets", "status": 403}]


def test_a_declared_number_is_not_reported_when_none_was_read(tmp_path):
    world = world_with_numbered_ref(tmp_path, DECLARED, SECRETS_DENIED)
    r = diff(tmp_path, world, DECLARED, "--format", "json")
    report = json.loads(r.stdout)
    assert [n["kind"] for n in report["not_checked"]] == ["secrets"]
    assert report["project_number"] is None
    # ... but it still says the numbered reference is this project's: no drift on env.
    assert [f for f in report["findings"] if f["kind"] == "services"] == []
    table = diff(tmp_path, world, DECLARED, "--format", "table", "--color", "never")
    assert table.stdout.splitlines()[0] == f"drift report for project {wk.PROJECT}"


def test_the_declared_number_still_tells_other_projects_apart(tmp_path):
    world = world_with_numbered_ref(tmp_path, OTHER, SECRETS_DENIED)
    report = json.loads(diff(tmp_path, world, DECLARED, "--format", "json").stdout)
    assert report["project_number"] is None
    changed = [f for f in report["findings"] if f["kind"] == "services"]
    assert [(f["path"], f["type"]) for f in changed] == [("services/api/env/DB", "changed")]


def test_the_number_read_wins_over_the_declared_one(tmp_path):
    world = world_with_numbered_ref(tmp_path, DECLARED, [])
    r = diff(tmp_path, world, OTHER, "--format", "json")
    assert json.loads(r.stdout)["project_number"] == DECLARED  # the world's, read live
    table = diff(tmp_path, world, OTHER, "--format", "table", "--color", "never")
    assert table.stdout.splitlines()[0] == f"drift report for project {wk.PROJECT} ({DECLARED})"


def test_a_snapshot_keeps_only_the_number_read(tmp_path):
    world = world_with_numbered_ref(tmp_path, DECLARED, SECRETS_DENIED)
    expected = wk.write_baseline(
        tmp_path,
        {"c.yaml": "vpc_connectors: {}\n"},
        project_yaml=f'project: {wk.PROJECT}\nproject_number: "{OTHER}"\nregions: [{wk.REGION}]\n',
    )
    snap = tmp_path / "snap.json"
    r = run(
        [
            "snapshot",
            "--project",
            wk.PROJECT,
            "--expected",
            str(expected),
            "--emulator",
            str(world),
            "--output",
            str(snap),
        ]
    )
    assert r.exit_code == 0, r.output  # connectors only: secrets are not read at all
    assert json.loads(snap.read_text())["project_number"] is None


# -- baseline init: the next diff ---------------------------------------------------------------


def next_diff(stdout: str) -> list[str]:
    m = re.search(
        r"the next `(drift diff [^`]+)` should report nothing changed, missing, "
        r"unexpected or unmanaged \(lint findings and broken references may remain",
        stdout,
    )
    assert m, stdout
    return shlex.split(m.group(1))


def findings_of(args: list[str]) -> tuple[int, set[str]]:
    r = run([*args[1:], "--format", "json", "--quiet"])
    return r.exit_code, {f["type"] for f in json.loads(r.stdout)["findings"]}


def test_init_names_the_diff_that_reads_the_same_world(tmp_path):
    world = tmp_path / "w.json"
    world.write_text(
        json.dumps(
            wk.world(
                services=[
                    wk.service("api", env=[wk.secret_env("DB", "gone")])
                ],  # a broken reference
                secrets=[wk.secret("db")],
                versions=[wk.version("db", 1)],
                connectors=[wk.connector("conn-a")],
            )
        )
    )
    new = tmp_path / "new"
    r = run(
        [
            "baseline",
            "init",
            "--project",
            wk.PROJECT,
            "--expected",
            str(new),
            "--regions",
            wk.REGION,
            "--emulator",
            str(world),
            "--kinds",
            "services,secrets,vpc_connectors",
        ]
    )
    assert r.exit_code == 0, r.output
    args = next_diff(r.stdout)
    assert args == [
        "drift",
        "diff",
        "--project",
        wk.PROJECT,
        "--expected",
        str(new),
        "--emulator",
        str(world),
    ]
    code, types = findings_of(args)
    assert types == {"broken_reference"} and code == 2  # what init said may remain


def test_init_repeats_the_endpoint_and_the_bundled_emulator(tmp_path):
    world = wk.world(services=[wk.service("api")], connectors=[wk.connector("conn-a")])
    with Emulator(world) as emu:
        r = run(
            [
                "baseline",
                "init",
                "--project",
                wk.PROJECT,
                "--expected",
                str(tmp_path / "a"),
                "--regions",
                wk.REGION,
                "--api-endpoint",
                emu.base_url,
            ]
        )
        assert r.exit_code == 0, r.output
        args = next_diff(r.stdout)
        assert args[-2:] == ["--api-endpoint", emu.base_url]
        assert findings_of(args)[1] <= {"lint", "broken_reference"}
    r = run(
        [
            "baseline",
            "init",
            "--project",
            "netra-staging",
            "--expected",
            str(tmp_path / "b"),
            "--regions",
            "us-central1",
            "--emulator",
        ]
    )
    assert r.exit_code == 0, r.output
    args = next_diff(r.stdout)
    assert args[-1] == "--emulator" and args[args.index("--expected") + 1] == str(tmp_path / "b")
    assert findings_of(args)[1] <= {"lint", "broken_reference"}
