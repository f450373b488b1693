"""Everything drift prints is safe: hostile live values and server error text reach the
table, stderr and the JSON report escaped (cases 19 and 20), through the emulator and the
real Google clients, and one value is always one table row.
"""

from __future__ import annotations

import copy
import json
import re
from dataclasses import fields, replace
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from drift.cli import main
from drift.emulator import Emulator, bundled_world_path, load_world
from drift.model import Finding, IgnoredFinding, NotChecked, Report
from drift.pipeline import run_diff
from drift.report import formatter
from drift.report.escape import escape_text, is_unsafe
from drift.report.table import render as render_table
from tests import worldkit as wk

ROOT = Path(__file__).resolve().parent.parent
CASES = Path(__file__).resolve().parent / "worlds" / "robustness"
CASE19 = CASES / "19-terminal-injection-env-values"
CASE20 = CASES / "20-terminal-injection-error-messages"
PROJECT = "netra-staging"
SEVERITY_ROW = re.compile(r"^  (critical|warning|info)  ")
SGR = re.compile(r"\x1b\[[0-9;]*m")  # rich's own colours, on a terminal only


def run(args: list[str], **env: str) -> Any:
    return CliRunner().invoke(
        main, args, env={"SOURCE_DATE_EPOCH": "1764000000", **env}, catch_exceptions=False
    )


def raw_unsafe(text: str) -> list[str]:
    """Unsafe characters left raw, apart from the line breaks drift writes itself."""
    return sorted({repr(c) for c in text if is_unsafe(c) and c != "\n"})


def hostile_env() -> dict[str, str]:
    world = json.loads((CASE19 / "world.json").read_text())
    svc = next(
        s
        for s in world["projects"][PROJECT]["services"]
        if s["name"].endswith("/netra-frontend-staging")
    )
    return {
        e["name"]: e["value"]
        for e in svc["template"]["containers"][0]["env"]
        if "value" in e
        and (e["name"].startswith("HOSTILE_") or e["name"] == "NEXT_PUBLIC_ENVIRONMENT")
    }


def diff19(*extra: str, **env: str) -> Any:
    return run(
        [
            "diff",
            "--project",
            PROJECT,
            "--expected",
            str(CASE19 / "expected"),
            "--emulator",
            str(CASE19 / "world.json"),
            "--quiet",
            *extra,
        ],
        **env,
    )


def rows_of(findings: Any) -> int:
    """Table rows for these findings: those on one path (and region) share a row."""
    return len(
        {(f["path"], f["region"]) if isinstance(f, dict) else (f.path, f.region) for f in findings}
    )


def test_case19_table_shows_hostile_values_escaped_one_row_each():
    table = diff19("--format", "table")
    report = json.loads(diff19("--format", "json").stdout)
    assert table.exit_code == 2
    assert raw_unsafe(table.stdout) == []
    # Wide enough that each value stays on its row's line (narrower, they stack or wrap).
    wide = diff19("--format", "table", COLUMNS="400")
    assert raw_unsafe(wide.stdout) == []
    for name, value in hostile_env().items():
        if name == "HOSTILE_LONG":
            continue  # cut to a few hundred characters in the table, checked below
        rows = [line for line in wide.stdout.splitlines() if f"env/{name} " in line]
        assert len(rows) == 1, name
        assert escape_text(value) in rows[0], name
    # The fake row of the case is part of one cell, not a line of its own.
    assert not [ln for ln in table.stdout.splitlines() if ln.lstrip().startswith("FAKE")]
    # One path, one row: no value can add a row of its own.
    rows = [ln for ln in table.stdout.splitlines() if SEVERITY_ROW.match(ln)]
    assert len(rows) == rows_of(report["findings"])


def test_case19_json_keeps_exact_values_and_escapes_c1_and_bidi():
    r = diff19("--format", "json")
    assert r.exit_code == 2
    assert raw_unsafe(r.stdout) == []
    assert "\\u009b2J" in r.stdout and "abc\\u202edcba" in r.stdout
    findings = {f["path"]: f for f in json.loads(r.stdout)["findings"]}
    for name, value in hostile_env().items():
        assert findings[f"services/netra-frontend-staging/env/{name}"]["actual"] == value


def test_case19_output_is_byte_identical_between_runs(tmp_path):
    for fmt in ("table", "json"):
        one, two = tmp_path / f"1.{fmt}", tmp_path / f"2.{fmt}"
        assert diff19("--format", fmt, "--output", str(one)).exit_code == 2
        assert diff19("--format", fmt, "--output", str(two)).exit_code == 2
        assert one.read_bytes() == two.read_bytes()
        assert raw_unsafe(one.read_text(encoding="utf-8")) == []


def test_case19_colour_table_on_a_terminal_has_only_rich_colours():
    """The terminal rendering (colour on): the only escape sequences are rich's SGR colours."""
    with Emulator(load_world(CASE19 / "world.json")) as emu:
        report = run_diff(PROJECT, CASE19 / "expected", endpoint=emu.base_url)
    text = render_table(report, color=True, width=120)
    assert "\x1b[" in text  # colour really is on
    assert raw_unsafe(SGR.sub("", text)) == []
    assert "staging\\x1b[2J\\x1b[H" in text
    plain = render_table(report, color=False, width=120)
    rows = [ln for ln in plain.splitlines() if SEVERITY_ROW.match(ln)]
    assert len(rows) == rows_of(report.findings)


def hostile_fault_world(tmp_path: Path, message: str) -> Path:
    world = copy.deepcopy(json.loads(bundled_world_path(PROJECT).read_text()))
    fault = json.loads((CASE20 / "fault.json").read_text())
    world["emulator"] = {"faults": [dict(fault, message=message)]}
    path = tmp_path / "world.json"
    path.write_text(json.dumps(world))
    return path


CASE20_MESSAGE = json.loads((CASE20 / "fault.json").read_text())["message"]
MESSAGES = [
    CASE20_MESSAGE,
    # the same kind, harder: OSC 8, C1 CSI, bidi override, NUL and a newline drawing a row
    "denied \x1b]8;;https://evil.example/\x1b\\link\x1b]8;;\x1b\\ \x9b31m \u202eevil\x00"
    "\nFAKE  critical  changed  env/X  ok\r\x08 end",
]


@pytest.mark.parametrize("message", MESSAGES)
def test_case20_server_error_text_is_escaped_in_the_table_header(tmp_path, message):
    world = hostile_fault_world(tmp_path, message)
    r = run(
        [
            "diff",
            "--project",
            PROJECT,
            "--expected",
            str(ROOT / "expected"),
            "--emulator",
            str(world),
            "--quiet",
            "--retry-deadline",
            "1",
            "--format",
            "table",
        ]
    )
    assert r.exit_code == 1
    assert raw_unsafe(r.stdout) == [] and raw_unsafe(r.stderr) == []
    header = r.stdout.split("\n\n")[0]  # the header lines before the first table
    # The collector may already tidy the text; what reaches the table is shown, not obeyed.
    line = header[header.index("NOT CHECKED: vpc_connectors in us-central1: PERMISSION_DENIED") :]
    assert "denied" in line and " end" in line
    assert not [ln for ln in r.stdout.splitlines() if ln.lstrip().startswith("FAKE")]
    js = run(
        [
            "diff",
            "--project",
            PROJECT,
            "--expected",
            str(ROOT / "expected"),
            "--emulator",
            str(world),
            "--quiet",
            "--retry-deadline",
            "1",
            "--format",
            "json",
        ]
    )
    assert raw_unsafe(js.stdout) == []
    assert "denied" in json.loads(js.stdout)["not_checked"][0]["error"]


@pytest.mark.parametrize("message", MESSAGES)
def test_case20_snapshot_and_init_stderr_lines_are_escaped(tmp_path, message):
    world = hostile_fault_world(tmp_path, message)
    snap = run(
        [
            "snapshot",
            "--project",
            PROJECT,
            "--expected",
            str(ROOT / "expected"),
            "--emulator",
            str(world),
            "--quiet",
            "--retry-deadline",
            "1",
            "--output",
            str(tmp_path / "snap.json"),
        ]
    )
    assert snap.exit_code == 1
    assert raw_unsafe(snap.stderr) == []
    lines = [ln for ln in snap.stderr.splitlines() if "vpc_connectors" in ln]
    assert len(lines) == 1 and "denied" in lines[0] and lines[0].endswith("end")
    assert not [ln for ln in snap.stderr.splitlines() if ln.lstrip().startswith("FAKE")]
    init = run(
        [
            "baseline",
            "init",
            "--project",
            PROJECT,
            "--expected",
            str(tmp_path / "new"),
            "--regions",
            "us-central1",
            "--emulator",
            str(world),
            "--quiet",
            "--retry-deadline",
            "1",
        ]
    )
    assert init.exit_code == 1
    assert raw_unsafe(init.stderr) == [] and raw_unsafe(init.stdout) == []
    assert "denied" in init.stderr
    assert not [ln for ln in init.stderr.splitlines() if ln.lstrip().startswith("FAKE")]


HOSTILE = "x\x1b[2J\x1b]0;t\x07\n\u202e\x9b\u2028\ud800y"


def hostile_report() -> Report:
    """A report with a hostile string in every string field a formatter may print."""

    def finding(type_: str, severity: str) -> Finding:
        return Finding(
            path=f"services/{HOSTILE}/env/{HOSTILE}",
            kind="services",
            resource=HOSTILE,
            region=HOSTILE,
            field=f"env/{HOSTILE}",
            type=type_,
            severity=severity,
            expected={"nested": HOSTILE},
            actual=HOSTILE,
            message=HOSTILE,
            source=f"{HOSTILE}/services.yaml:3",
            rule=HOSTILE,
        )

    return Report(
        project=HOSTILE,
        project_number=HOSTILE,
        generated_at="2026-11-25T00:00:00Z",
        source_type=HOSTILE,
        source_detail=HOSTILE,
        baseline_path=HOSTILE,
        baseline_sha256=HOSTILE,
        resources_checked=1,
        findings=(
            finding("changed", "critical"),
            finding("broken_reference", "warning"),
            finding("unmanaged", "info"),
        ),
        ignored=(IgnoredFinding(finding("changed", "info"), HOSTILE, HOSTILE),),
        not_checked=(NotChecked(HOSTILE, HOSTILE, HOSTILE),),
        notes=(HOSTILE,),
    )


def escaped(value: Any) -> Any:
    """`value` with every string already escaped (what a safe formatter shows)."""
    if isinstance(value, str):
        return escape_text(value)
    # A dict is shown as JSON text, whose own escapes (\u001b) already make it safe.
    if isinstance(value, tuple):
        return tuple(escaped(v) for v in value)
    if hasattr(value, "__dataclass_fields__"):
        return replace(value, **{f.name: escaped(getattr(value, f.name)) for f in fields(value)})
    return value


@pytest.mark.parametrize("color", [False, True])
def test_every_string_of_the_table_goes_through_the_escaping(color):
    """Rendering hostile strings = rendering their escaped form: no field is missed."""
    report = hostile_report()
    text = render_table(report, color=color, width=200)
    assert text == render_table(escaped(report), color=color, width=200)
    assert raw_unsafe(SGR.sub("", text)) == []
    rows = [ln for ln in SGR.sub("", text).splitlines() if SEVERITY_ROW.match(ln)]
    assert len(rows) == rows_of(report.findings)


def test_every_string_of_the_json_report_is_exact_and_safe():
    text = formatter("json")(hostile_report())
    text.encode("utf-8")  # a lone surrogate would raise here
    assert raw_unsafe(text) == []
    data = json.loads(text)
    assert data["project"] == HOSTILE and data["not_checked"][0]["error"] == HOSTILE
    assert data["findings"][0]["expected"] == {"nested": HOSTILE}


def test_show_ignored_lines_and_cli_errors_are_escaped(tmp_path):
    world = tmp_path / "w.json"
    world.write_text(json.dumps(wk.world(services=[wk.service("api", labels={"sha": "1"})])))
    expected = wk.write_baseline(
        tmp_path,
        {"s.yaml": f"services:\n  api: {{region: {wk.REGION}}}\n"},
        project_yaml=(
            f"project: {wk.PROJECT}\nregions: [{wk.REGION}]\nignore:\n"
            '  - {path: "services/*/labels/*", reason: "CI \\e[2J\\e]0;t\\a\\u202e"}\n'
            '  - {path: "services/*/*", reason: "CI \\e[2J\\e]0;t\\a\\u202e"}\n'
        ),
    )
    r = run(
        [
            "diff",
            "--project",
            wk.PROJECT,
            "--expected",
            str(expected),
            "--emulator",
            str(world),
            "--format",
            "table",
            "--show-ignored",
        ]
    )
    assert "ignored: services/api/" in r.stdout, r.output
    assert raw_unsafe(r.stdout) == [] and "CI \\x1b[2J\\x1b]0;t\\x07\\u202e" in r.stdout
    hostile_dir = str(tmp_path / "no\x1b]0;t\x07where\nFAKE")
    for args in (
        ["validate", hostile_dir],
        ["diff", "--project", "p", "--expected", hostile_dir, "--emulator"],
    ):
        bad = run(args)
        assert bad.exit_code == 1
        assert raw_unsafe(bad.output) == [] and "no\\x1b]0;t\\x07where\\nFAKE" in bad.output


def test_a_hostile_snapshot_file_is_shown_escaped(tmp_path):
    """`drift diff --snapshot FILE` prints text straight from a file: the same rule holds."""
    from drift.model import Snapshot

    snap = Snapshot(
        wk.PROJECT,
        wk.NUMBER,
        ("services",),
        (),
        (NotChecked("services", wk.REGION, HOSTILE),),
        "live",
        "",
    )
    path = tmp_path / "snap.json"
    path.write_text(json.dumps(snap.to_json()))
    expected = wk.write_baseline(tmp_path, {"s.yaml": f"services:\n  a: {{region: {wk.REGION}}}\n"})
    r = run(
        [
            "diff",
            "--project",
            wk.PROJECT,
            "--expected",
            str(expected),
            "--snapshot",
            str(path),
            "--format",
            "table",
        ]
    )
    assert r.exit_code == 1
    assert raw_unsafe(r.stdout) == []
    assert f"NOT CHECKED: services in {wk.REGION}: {escape_text(HOSTILE)}" in r.stdout
