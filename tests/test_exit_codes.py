"""Exit codes (docs/operations.md#exit-codes): 0 clean, 2 drift, 1 everything else.

CI reads 2 as "drift found", so nothing but drift may exit 2: click's own usage exit code
(2) is mapped to 1 for every command and subcommand. One test per exit path; Ctrl-C
(130) and SIGTERM (143) are in test_interrupt.py.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import click
import pytest
from click.testing import CliRunner

from drift.cli import main
from tests import worldkit as wk

CONNECTOR = f"vpc_connectors:\n  conn-a: {{region: {wk.REGION}, max_instances: 10}}\n"


def run(args: list[str], **env: str) -> Any:
    return CliRunner().invoke(
        main, args, env={"SOURCE_DATE_EPOCH": "1764000000", **env}, catch_exceptions=False
    )


def world_file(tmp_path: Path, **emulator: Any) -> Path:
    data = wk.world(services=[], connectors=[wk.connector("conn-a", max_instances=10)])
    if emulator:
        data["emulator"] = emulator
    path = tmp_path / "world.json"
    path.write_text(json.dumps(data))
    return path


def diff(tmp_path: Path, files: dict[str, str], *extra: str, **emulator: Any) -> Any:
    expected = wk.write_baseline(tmp_path, files)
    return run(
        [
            "diff",
            "--project",
            wk.PROJECT,
            "--expected",
            str(expected),
            "--emulator",
            str(world_file(tmp_path, **emulator)),
            "--format",
            "json",
            *extra,
        ]
    )


def test_clean_exits_0(tmp_path):
    r = diff(tmp_path, {"c.yaml": CONNECTOR})
    assert r.exit_code == 0, r.output
    assert json.loads(r.stdout)["findings"] == []


def test_drift_exits_2(tmp_path):
    r = diff(tmp_path, {"c.yaml": CONNECTOR.replace("10", "20")})
    assert r.exit_code == 2
    assert json.loads(r.stdout)["summary"]["warning"] == 1


def test_drift_below_fail_on_exits_0(tmp_path):
    r = diff(tmp_path, {"c.yaml": CONNECTOR.replace("10", "20")}, "--fail-on", "critical")
    assert r.exit_code == 0


def test_bad_baseline_exits_1(tmp_path):
    r = diff(tmp_path, {"c.yaml": "vpc_conectors: {}\n"})
    assert r.exit_code == 1
    assert "did you mean 'vpc_connectors'" in r.stderr and r.stdout == ""


def test_not_checked_exits_1_even_with_drift(tmp_path):
    denied = {"path": "connectors", "status": 403, "reason": "IAM_PERMISSION_DENIED"}
    r = diff(tmp_path, {"c.yaml": CONNECTOR.replace("10", "20")}, faults=[denied])
    assert r.exit_code == 1
    report = json.loads(r.stdout)
    assert report["not_checked"][0]["kind"] == "vpc_connectors" and report["findings"] == []


def test_unwritable_output_exits_1(tmp_path):
    r = diff(tmp_path, {"c.yaml": CONNECTOR}, "--output", str(tmp_path))  # a folder
    assert r.exit_code == 1
    assert "it is a directory" in r.stderr and "Traceback" not in r.output


def test_nothing_declared_exits_1_and_points_at_baseline_init(tmp_path):
    """Only project.yaml: nothing is read, nothing compared; that is not "no drift"."""
    r = diff(tmp_path, {})
    assert r.exit_code == 1 and r.stdout == ""
    assert "declares nothing to compare" in r.stderr
    assert f"drift baseline init --project {wk.PROJECT}" in r.stderr


# -- usage errors: click's classes, on every command -------------------------------------

USAGE_ERRORS = {
    # class: (arguments after `drift diff --project P`, text click prints)
    click.NoSuchOption: (["--quite"], "No such option '--quite'"),
    click.BadParameter: (["--concurrency", "0"], "Invalid value for '--concurrency'"),
    click.BadOptionUsage: (["--fail-on"], "Option '--fail-on' requires an argument"),
    click.UsageError: (["extra-argument"], "Got unexpected extra argument"),
}


@pytest.mark.parametrize("error", list(USAGE_ERRORS), ids=lambda e: e.__name__)
def test_each_usage_error_class_exits_1(tmp_path, error):
    args, words = USAGE_ERRORS[error]
    r = run(["diff", "--project", wk.PROJECT, "--expected", str(tmp_path), *args])
    assert r.exit_code == 1, r.output
    assert words in r.stderr and "Traceback" not in r.output


def test_missing_required_option_exits_1():
    r = run(["diff"])  # click.MissingParameter
    assert r.exit_code == 1 and "Missing option '--project'" in r.stderr


def test_unknown_command_exits_1():
    for args in (["dif"], ["baseline", "int"]):
        r = run(args)
        assert r.exit_code == 1 and "No such command" in r.stderr


def every_command(group: click.Group = main, prefix: tuple[str, ...] = ()) -> list[tuple]:
    """Every command path of the CLI, subcommands included (`baseline init`)."""
    out = []
    for name, cmd in sorted(group.commands.items()):
        out.append((*prefix, name))
        if isinstance(cmd, click.Group):
            out.extend(every_command(cmd, (*prefix, name)))
    return out


def test_every_command_maps_usage_errors_to_1_and_help_to_0():
    """The general rule: no command or subcommand, present or future, exits 2 on a typo."""
    commands = every_command()
    assert ("baseline", "init") in commands and ("diff",) in commands
    for path in [(), *commands]:
        bad = run([*path, "--no-such-flag"])
        assert bad.exit_code == 1, (path, bad.output)
        assert "No such option '--no-such-flag'" in bad.stderr
        ok = run([*path, "--help"])
        assert ok.exit_code == 0 and "Usage:" in ok.stdout, path
    assert run(["--version"]).exit_code == 0
