"""The table an on-call engineer reads in one screen (issue 9, item 8).

The demo's criticals fit one screen at 120 columns; nothing is wider than the terminal;
host names, fields and short values are never cut; findings on one path share a row
(the JSON keeps each); NO_COLOR, TERM=dumb and --color are obeyed; live values reach
the terminal escaped; an incomplete run never says "no drift".
"""

from __future__ import annotations

import io
import json
import os
import pty
import re
import struct
import subprocess
import sys
from collections.abc import Iterable
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner
from rich.cells import cell_len

from drift.cli import main
from drift.collectors.settings import CollectSettings
from drift.emulator import Emulator, bundled_world_path, load_world
from drift.model import Finding, IgnoredFinding, NotChecked, Report
from drift.pipeline import run_diff
from drift.report import formatter
from drift.report.escape import escape_text, is_unsafe
from drift.report.rows import merge
from drift.report.table import render
from drift.report.terminal import table_settings, table_width, use_color
from tests import worldkit as wk

ROOT = Path(__file__).resolve().parent.parent
PROJECT = "netra-staging"
CASE19 = ROOT / "tests" / "worlds" / "robustness" / "19-terminal-injection-env-values"
ROW = re.compile(r"^ {0,2}(critical|warning|info)  ")
SGR = re.compile(r"\x1b\[[0-9;]*m")
WIDTHS = (20, 40, 60, 79, 80, 100, 119, 120, 121, 160, 200)
OSC8 = "\x1b]8;;https://evil.example/\x1b\\click-me\x1b]8;;\x1b\\"


def run(args: list[str], **env: str) -> Any:
    return CliRunner().invoke(
        main, args, env={"SOURCE_DATE_EPOCH": "1764000000", **env}, catch_exceptions=False
    )


def demo(*extra: str, **env: str) -> Any:
    """The demo command, in-process like tests/test_cli.py runs it."""
    return run(
        [
            "diff",
            "--project",
            PROJECT,
            "--expected",
            str(ROOT / "expected"),
            "--emulator",
            "--read-secret-digests",
            "--quiet",
            *extra,
        ],
        **env,
    )


@pytest.fixture(scope="module")
def demo_report() -> Report:
    with Emulator(load_world(bundled_world_path(PROJECT))) as emu:
        settings = CollectSettings(endpoint=emu.base_url, read_secret_digests=True)
        return run_diff(PROJECT, ROOT / "expected", settings=settings)


@pytest.fixture(scope="module")
def hostile_report() -> Report:
    with Emulator(load_world(CASE19 / "world.json")) as emu:
        return run_diff(PROJECT, CASE19 / "expected", endpoint=emu.base_url)


def finding(
    path: str,
    type_: str = "changed",
    severity: str = "warning",
    expected: Any = 1,
    actual: Any = 0,
    rule: str | None = None,
    region: str | None = wk.REGION,
    message: str | None = None,
) -> Finding:
    kind, resource, *field = path.split("/")
    return Finding(
        path,
        kind,
        resource,
        region,
        "/".join(field) or None,
        type_,
        severity,
        expected,
        actual,
        message or f"{path} drifted.",
        None if type_ == "unmanaged" else f"expected/p/{kind}.yaml:3",
        rule,
    )


def report(
    findings: Iterable[Finding] = (),
    not_checked: Iterable[NotChecked] = (),
    ignored: Iterable[IgnoredFinding] = (),
) -> Report:
    return Report(
        project="p",
        project_number="123",
        generated_at="2026-11-25T00:00:00Z",
        source_type="emulator",
        source_detail="world w",
        baseline_path="expected/p",
        baseline_sha256="ab" * 32,
        resources_checked=4,
        findings=tuple(findings),
        ignored=tuple(ignored),
        not_checked=tuple(not_checked),
    )


def widest_line(text: str) -> int:
    return max((cell_len(SGR.sub("", line)) for line in text.splitlines()), default=0)


def row_blocks(text: str) -> list[tuple[int, int, str]]:
    """(first line, last line, severity) of each row: its line and the indented lines after."""
    lines = text.splitlines()
    blocks = []
    for i, line in enumerate(lines):
        match = ROW.match(line)
        if not match:
            continue
        end = i
        while (
            end + 1 < len(lines)
            and lines[end + 1].startswith(" " * 10)
            and not ROW.match(lines[end + 1])
        ):
            end += 1
        blocks.append((i, end, match.group(1)))
    return blocks


# -- one screen ------------------------------------------------------------------------


def test_demo_header_and_every_critical_fit_in_50_lines_at_120_columns():
    r = demo("--format", "table", COLUMNS="120")
    assert r.exit_code == 2
    text = r.stdout
    assert widest_line(text) <= 120
    lines = text.splitlines()
    assert lines[2].startswith("DRIFT: 30 findings on 14 resources: 14 critical")
    blocks = row_blocks(text)
    critical = [b for b in blocks if b[2] == "critical"]
    assert critical and max(end for _, end, _ in critical) < 50, "\n".join(lines[:60])
    # Every critical finding of the JSON report is in those rows, its field whole.
    findings = json.loads(demo("--format", "json").stdout)["findings"]
    shown = "\n".join("\n".join(lines[a : b + 1]) for a, b, _ in critical)
    paths = {(f["path"], f["region"]) for f in findings if f["severity"] == "critical"}
    assert len(critical) == len(paths)
    for f in findings:
        if f["severity"] == "critical":
            assert (f["field"] or "(resource)") in shown, f["path"]
    # Critical rows come before every other row.
    assert [b[2] for b in blocks] == sorted(
        (b[2] for b in blocks), key=["critical", "warning", "info"].index
    )


def test_the_old_layout_problems_are_gone_at_100_and_80_columns(demo_report):
    """At 100 columns expected/actual were squeezed to 1-2 characters; at 80 the demo was
    675 lines. Now both use the compact layout: one row a line or a few."""
    for width, most in ((100, 70), (80, 85)):
        text = render(demo_report, width=width)
        assert widest_line(text) <= width
        assert len(text.splitlines()) <= most
        assert "https://api-staging.netrasystems.ai" in text
        assert "https://api.staging.netrasystems.ai" in text


@pytest.mark.parametrize("width", WIDTHS)
def test_nothing_is_wider_than_the_terminal(width, demo_report, hostile_report):
    nc = NotChecked("vpc_connectors", wk.REGION, "PERMISSION_DENIED: " + "denied " * 40)
    ignored = IgnoredFinding(
        finding("services/api/labels/sha"), "ignore services/*/labels/*", "CI writes it " * 12
    )
    for rep in (demo_report, hostile_report, report([finding("services/api/x")], [nc], [ignored])):
        for color in (False, True):
            for show in (False, True):
                text = render(rep, color=color, width=width, show_ignored=show)
                assert widest_line(text) <= width, (width, color)


def test_eighty_columns_through_the_cli_is_eighty_columns():
    r = demo("--format", "table", "--show-ignored", COLUMNS="80")
    assert r.exit_code == 2
    assert widest_line(r.stdout) <= 80
    assert "ignored: " in r.stdout
    assert r.stdout.split("\n\n")[1].startswith("critical  ")  # compact: at the left edge


@pytest.mark.parametrize("width", (80, 100, 120, 160))
def test_hosts_fields_and_short_values_are_never_cut(width, demo_report):
    text = render(demo_report, width=width)
    lines = text.splitlines()
    for host in ("api-staging.netrasystems.ai", "api.staging.netrasystems.ai"):
        assert any(host in line for line in lines)
    for row in merge(demo_report.findings):
        if row.field:
            assert any(row.field in line for line in lines), (width, row.field)
        for value in row.values or ():
            for word in value.split(" "):
                assert any(word in line for line in lines), (width, word)
    # A host cut at its `-` or `.` would leave a line ending in the cut.
    assert not [ln for ln in lines if re.search(r"(api|netrasystems)[-.]$", ln)]


def test_two_long_values_are_stacked_so_the_difference_lines_up(demo_report):
    text = render(demo_report, width=80)
    lines = text.splitlines()
    i = next(n for n, ln in enumerate(lines) if ln.endswith("https://api-staging.netrasystems.ai"))
    a, b = lines[i], lines[i + 1]
    assert b.startswith(" " * 10 + "-> https://api.staging.netrasystems.ai")
    assert a.index("https://") == b.index("https://")


def test_a_single_word_wider_than_the_line_is_folded_and_a_huge_value_is_cut(hostile_report):
    text = render(hostile_report, width=80)
    assert widest_line(text) <= 80
    assert "more characters; the JSON report has all)" in text
    assert "x" * 2000 not in text.replace("\n", "").replace(" ", "")


# -- the layouts -----------------------------------------------------------------------


def test_compact_layout_golden():
    fs = [
        finding("services/api/min_instances"),
        finding(
            "services/api/env/URL",
            severity="critical",
            expected="https://api-staging.example.com",
            actual="https://api.staging.example.com",
        ),
        finding(
            "services/api/env/URL",
            "lint",
            "warning",
            "api-staging.example.com",
            "api.staging.example.com",
            rule="lint:host_spelling",
        ),
        finding("secrets/old", "unmanaged", "info", None, None, region=None),
    ]
    assert render(report(fs), width=100) == (
        "drift report for project p (123)\n"
        "source: emulator, world w; baseline: expected/p\n"
        "DRIFT: 4 findings on 2 resources: 1 critical, 2 warning, 1 info; 4 resources checked.\n"
        "\n"
        "critical  services/api (us-central1) env/URL:\n"
        "          https://api-staging.example.com -> https://api.staging.example.com  "
        "services.yaml:3\n"
        "          [changed, lint host_spelling]\n"
        "warning   services/api (us-central1) min_instances: 1 -> 0  services.yaml:3  [changed]\n"
        "info      secrets/old: exists live, not declared in the baseline\n"
    )


def test_wide_layout_golden():
    fs = [
        finding("services/api/min_instances"),
        finding(
            "services/api/env/URL",
            severity="critical",
            expected="https://api-staging.example.com",
            actual="https://api.staging.example.com",
        ),
        finding(
            "services/api/env/URL",
            "lint",
            "warning",
            "api-staging.example.com",
            "api.staging.example.com",
            rule="lint:host_spelling",
        ),
        finding(
            "services/api/env/DB",
            "broken_reference",
            "critical",
            {"secret": "db"},
            None,
            message="env var DB refers to secret db, which does not exist.",
        ),
        finding("secrets/old", "unmanaged", "info", None, None, region=None),
    ]
    assert render(report(fs), width=120) == (
        "drift report for project p (123)\n"
        "source: emulator, world w; baseline: expected/p\n"
        "DRIFT: 5 findings on 2 resources: 2 critical, 2 warning, 1 info; 4 resources checked.\n"
        "\n"
        "  severity  field            reasons                      expected -> actual\n"
        "services/api (us-central1)\n"
        "  critical  env/DB           broken_reference             env var DB refers to secret db,"
        " which does not exist.\n"
        "            services.yaml:3\n"
        "  critical  env/URL          changed, lint host_spelling     "
        "https://api-staging.example.com\n"
        "            services.yaml:3                               "
        "-> https://api.staging.example.com\n"
        "services/api (us-central1)\n"
        "  warning   min_instances    changed                      1 -> 0\n"
        "            services.yaml:3\n"
        "\n"
        "live resources not declared in the baseline\n"
        "  info      secrets/old\n"
    )


# -- one row per path -------------------------------------------------------------------


def test_findings_on_one_path_share_a_row_and_json_keeps_each(demo_report):
    rows = {(r.kind, r.resource, r.field): r for r in merge(demo_report.findings)}
    url = rows[("services", "netra-backend-staging", "env/API_BASE_URL")]
    assert url.reasons == ("changed", "lint host_spelling") and url.severity == "critical"
    host = rows[("url_maps", "netra-staging-lb", "hosts/api.staging.netrasystems.ai")]
    assert host.reasons == ("broken_reference", "lint host_spelling", "unexpected")
    assert host.severity == "critical"  # the most severe of critical, warning, warning
    assert host.values == ("api-staging.netrasystems.ai", "api.staging.netrasystems.ai")
    assert any("not covered by any certificate" in s for s in host.sentences)
    assert any("netra-backend-bs" in s for s in host.sentences)  # the unexpected's value
    text = render(demo_report, width=80)
    assert "[changed, lint host_spelling]" in text
    assert "[broken_reference, lint host_spelling, unexpected]" in text
    data = json.loads(formatter("json")(demo_report))
    same = [
        f
        for f in data["findings"]
        if f["path"] == "url_maps/netra-staging-lb/hosts/api.staging.netrasystems.ai"
    ]
    assert sorted(f["type"] for f in same) == ["broken_reference", "lint", "unexpected"]


def test_the_header_counts_findings_and_resources_apart():
    fs = [
        finding("services/api/a"),
        finding("services/api/a", "lint", rule="lint:x"),
        finding("services/api/b"),
        finding("services/web/a", severity="critical"),
    ]
    text = render(report(fs), width=120)
    assert "DRIFT: 4 findings on 2 resources: 1 critical, 3 warning, 0 info" in text
    assert "1 finding on 1 resource:" in render(report(fs[:1]), width=120)


def test_a_row_is_as_severe_as_its_worst_finding():
    fs = [
        finding("services/api/a", severity="info"),
        finding("services/api/a", "lint", "critical", rule="lint:placeholders"),
    ]
    (row,) = merge(fs)
    assert row.severity == "critical" and row.reasons == ("lint placeholders", "changed")
    assert row.values == ("1", "0")  # the plain difference gives the values


def test_empty_and_space_padded_strings_are_quoted():
    (row,) = merge([finding("services/api/env/X", expected="", actual=" x")])
    assert row.values == ('""', '" x"')


# -- an incomplete run -------------------------------------------------------------------


@pytest.mark.parametrize("width", (80, 120))
@pytest.mark.parametrize("with_findings", (False, True))
def test_an_incomplete_run_never_says_no_drift(width, with_findings):
    ncs = [
        NotChecked("vpc_connectors", wk.REGION, "PERMISSION_DENIED: denied"),
        NotChecked("secrets", None, "UNAVAILABLE: down"),
    ]
    fs = [finding("services/api/a")] if with_findings else []
    text = render(report(fs, ncs), width=width)
    assert "no drift" not in text.lower()
    headline = " ".join(text.split("\n\n")[0].splitlines()[2:])
    assert headline.startswith(
        f"INCOMPLETE RUN: not checked: vpc_connectors in {wk.REGION}, secrets."
    )
    assert "NOT CHECKED: secrets: UNAVAILABLE: down" in text


def test_an_incomplete_run_through_the_cli(tmp_path):
    world = json.loads(bundled_world_path(PROJECT).read_text())
    world["emulator"] = {
        "faults": [{"path": "/connectors$", "status": 403, "times": None, "message": "denied"}]
    }
    path = tmp_path / "world.json"
    path.write_text(json.dumps(world))
    r = run(
        [
            "diff",
            "--project",
            PROJECT,
            "--expected",
            str(ROOT / "expected"),
            "--emulator",
            str(path),
            "--quiet",
            "--retry-deadline",
            "1",
            "--format",
            "table",
        ],
        COLUMNS="120",
    )
    assert r.exit_code == 1
    assert "no drift" not in r.stdout.lower()
    assert "INCOMPLETE RUN: not checked: vpc_connectors in us-central1." in r.stdout


def test_a_complete_clean_run_says_so():
    text = render(report(), width=80)
    assert "No drift found: 4 resources checked, all as declared." in text


# -- colour ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("choice", "env", "tty", "want"),
    [
        ("auto", {}, True, True),
        ("auto", {}, False, False),
        ("auto", {"NO_COLOR": "1"}, True, False),
        ("auto", {"NO_COLOR": ""}, True, True),  # no-color.org: set *and* not empty
        ("auto", {"TERM": "dumb"}, True, False),
        ("always", {"NO_COLOR": "1", "TERM": "dumb"}, False, True),  # the flag is the user's word
        ("never", {}, True, False),
    ],
)
def test_colour_choice(choice, env, tty, want):
    assert use_color(choice, env, tty) is want


def test_width_comes_from_columns_then_the_terminal_then_a_fixed_default():
    assert table_width({"COLUMNS": "87"}, None) == 87
    assert table_width({"COLUMNS": "junk"}, None) == 120
    assert table_width({}, io.StringIO()) == 120  # not a terminal: the fixed default
    assert table_width({}, None) == 120
    assert table_settings("auto", sys.stdout, to_file=True, env={"COLUMNS": "90"}) == (False, 90)


def test_color_flag_through_the_cli():
    always = demo("--format", "table", "--color", "always", NO_COLOR="1", COLUMNS="80")
    assert always.exit_code == 2 and "\x1b[1;31mcritical\x1b[0m" in always.stdout
    for flag in ("auto", "never"):
        plain = demo("--format", "table", "--color", flag, COLUMNS="80")
        assert "\x1b" not in plain.stdout
    assert SGR.sub("", always.stdout) == plain.stdout
    bad = demo("--format", "table", "--color", "sometimes")
    assert bad.exit_code != 0 and "sometimes" in bad.output


def _on_a_terminal(env: dict[str, str], columns: int) -> str:
    """drift diff with stdout on a real pseudo-terminal `columns` wide; what it printed."""
    import fcntl
    import termios

    leader, follower = pty.openpty()
    fcntl.ioctl(follower, termios.TIOCSWINSZ, struct.pack("HHHH", 40, columns, 0, 0))
    full = {k: v for k, v in os.environ.items() if k not in ("COLUMNS", "NO_COLOR", "TERM")}
    proc = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "drift",
            "diff",
            "--project",
            PROJECT,
            "--expected",
            str(ROOT / "expected"),
            "--emulator",
            "--quiet",
            "--format",
            "table",
        ],
        stdout=follower,
        stderr=subprocess.DEVNULL,
        env={**full, **env},
        cwd=ROOT,
    )
    os.close(follower)
    chunks = []
    while True:
        try:
            data = os.read(leader, 65536)
        except OSError:  # EIO: the other side closed
            break
        if not data:
            break
        chunks.append(data)
    os.close(leader)
    assert proc.wait(timeout=60) == 2
    return b"".join(chunks).decode("utf-8").replace("\r\n", "\n")


def test_a_real_terminal_gets_its_width_and_colour_unless_no_color():
    text = _on_a_terminal({"TERM": "xterm"}, 80)
    assert "\x1b[1;31mcritical" in text
    assert widest_line(text) <= 80
    plain = _on_a_terminal({"TERM": "xterm", "NO_COLOR": "1"}, 100)
    assert "\x1b" not in plain and 80 < widest_line(plain) <= 100


# -- escaping --------------------------------------------------------------------------


@pytest.mark.parametrize("width", (80, 120))
@pytest.mark.parametrize("color", (False, True))
def test_live_escape_sequences_reach_the_terminal_escaped(width, color):
    fs = [
        finding("services/api/env/A", actual="staging\x1b[2J\x1b[H"),
        finding("services/api/env/B", actual=OSC8, severity="critical"),
        finding("services/api/env/C", "broken_reference", message=f"bad {OSC8}\nFAKE row"),
    ]
    text = render(report(fs), color=color, width=width)
    plain = SGR.sub("", text)
    assert not [c for c in plain if is_unsafe(c) and c != "\n"]
    assert "staging\\x1b[2J\\x1b[H" in plain
    assert escape_text(OSC8) in plain  # whole: it fits a line, so it is never cut
    assert not [ln for ln in plain.splitlines() if ln.lstrip().startswith("FAKE")]


def test_case19_through_the_cli_at_80_columns_is_escaped_and_narrow():
    r = run(
        [
            "diff",
            "--project",
            PROJECT,
            "--expected",
            str(CASE19 / "expected"),
            "--emulator",
            str(CASE19 / "world.json"),
            "--quiet",
            "--format",
            "table",
            "--color",
            "always",
        ],
        COLUMNS="80",
    )
    assert r.exit_code == 2
    plain = SGR.sub("", r.stdout)
    assert not [c for c in plain if is_unsafe(c) and c != "\n"]
    assert widest_line(r.stdout) <= 80
    assert "staging\\x1b[2J\\x1b[H" in plain
    assert escape_text(OSC8) in plain  # the case's OSC 8 link, shown whole and inert


def test_the_table_is_deterministic(demo_report):
    for width in (80, 120):
        assert render(demo_report, width=width) == render(demo_report, width=width)
