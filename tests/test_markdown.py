"""`--format markdown`: a pull-request comment that live values cannot take over.

The comment is checked the way GitHub shows it: rendered by markdown-it-py (CommonMark
plus GFM tables, raw HTML passed through as GitHub would before sanitising), then the
HTML read back: the number of table rows, the tags and links present, the text a reader
sees. Hostile values come through the emulator and the real Google clients.
"""

from __future__ import annotations

import json
import re
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner
from markdown_it import MarkdownIt

from drift.cli import main
from drift.cli.compare import github_link_base
from drift.model import Finding, NotChecked, Report
from drift.report import FORMATS
from drift.report.escape import is_unsafe
from drift.report.markdown import LIMIT, code, marker, render, text
from drift.report.rows import merge
from tests import worldkit as wk

# Tags drift writes itself; anything else in the rendered HTML came from a value.
OWN_TAGS = {
    "h3",
    "h4",
    "p",
    "strong",
    "table",
    "thead",
    "tbody",
    "tr",
    "th",
    "td",
    "code",
    "a",
    "details",
    "summary",
    "br",
    "ul",
    "li",
    "hr",
}

HOSTILE = {
    "PIPES": "a | b || c |",
    "TICKS": "``` `x` `` ``",
    "SCRIPT": "<script>alert(1)</script><img src=x onerror=alert(1)>",
    "MENTION": "ping @acme/oncall and @alice, see #123 and acme/infra#45",
    "JSLINK": "[x](javascript:alert(1)) <javascript:alert(1)> [y][1]\n\n[1]: javascript:alert(2)",
    "NEWLINE": "line1\n| fake | row | here |\nline3",
    "CONTROL": "\x1b[2J\x07\u202eevil\x00\u200b",
    "HUGE": "word " * 20_000,  # 100 KB
    "URLS": "http://evil.example/x www.evil.example mailto:a@b.example",
    "EMOJI": ":rocket: :+1:",
    "MATH": "$x^2$ and $$y$$",
    "HTMLENT": "&lt;b&gt; &amp; &#60;i&#62;",
    "BACKSLASH_PIPE": "a\\|b\\",
    "DETAILS": "</details></summary><details open>",
}


class Rendered(HTMLParser):
    """What GitHub would show: tags, links, table rows, and the text outside code."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.tags: set[str] = set()
        self.hrefs: list[str] = []
        self.tables: list[list[int]] = []  # per table, the cell count of each row
        self.comments: list[str] = []
        self.plain: list[str] = []  # text not inside <code> or <a>
        self.codes: list[str] = []
        self._in: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.add(tag)
        if tag == "a":
            self.hrefs.append(dict(attrs).get("href") or "")
        if tag == "table":
            self.tables.append([])
        if tag == "tr":
            self.tables[-1].append(0)
        if tag in ("td", "th"):
            self.tables[-1][-1] += 1
        if tag != "br":
            self._in.append(tag)
        if tag == "code":
            self.codes.append("")

    def handle_endtag(self, tag: str) -> None:
        if tag in self._in:
            while self._in.pop() != tag:
                pass

    def handle_data(self, data: str) -> None:
        if "code" in self._in:
            self.codes[-1] += data
        elif "a" not in self._in:
            self.plain.append(data)

    def handle_comment(self, data: str) -> None:
        self.comments.append(data)


def rendered(md: str) -> Rendered:
    html = MarkdownIt("commonmark", {"html": True}).enable("table").render(md)
    out = Rendered()
    out.feed(html)
    out.close()
    return out


def assert_safe(md: str) -> Rendered:
    """The rules every Markdown report keeps, whatever the values were."""
    assert len(md) < LIMIT and len(md.encode("utf-8")) <= LIMIT
    assert [c for c in md if is_unsafe(c) and c != "\n"] == []
    page = rendered(md)
    assert page.tags <= OWN_TAGS, page.tags - OWN_TAGS
    assert all(h.startswith("https://") for h in page.hrefs), page.hrefs
    assert len(page.comments) == 1 and page.comments[0].startswith(" drift:project=")
    seen = " ".join(page.plain)
    assert not re.search(r"(?<![\w\u200b])@[A-Za-z0-9]", seen), "a mention"
    assert not re.search(r"#[0-9]", seen), "an issue reference"
    assert not re.search(r"https?://|www\.|javascript:", seen, re.I), "a link"
    assert not re.search(r":[a-z0-9_+-]+:", seen), "an emoji shortcode"
    for cells in page.tables:  # no row gained or lost a cell
        assert len(set(cells)) == 1, cells
    return page


# -- through the emulator --------------------------------------------------------------


def hostile_world() -> dict[str, Any]:
    env = [wk.env(name, value) for name, value in HOSTILE.items()]
    env.append(wk.env("EXTRA_<b>@acme/team|x", "1"))  # an undeclared, hostile name
    return wk.world(services=[wk.service("api", env=env, connector=None)])


def hostile_baseline() -> str:
    lines = [f"services:\n  api:\n    region: {wk.REGION}\n    env:\n"]
    lines += [f"      {name}: declared\n" for name in HOSTILE]
    return "".join(lines)


def run_markdown(
    tmp_path: Path, world: dict[str, Any], baseline: str, *extra: str, **env: str
) -> Any:
    expected = wk.write_baseline(tmp_path, {"services.yaml": baseline})
    path = tmp_path / "world.json"
    path.write_text(json.dumps(world))
    return CliRunner().invoke(
        main,
        [
            "diff",
            "--project",
            wk.PROJECT,
            "--expected",
            str(expected),
            "--emulator",
            str(path),
            "--format",
            "markdown",
            "--quiet",
            *extra,
        ],
        env={"SOURCE_DATE_EPOCH": "1764000000", "GITHUB_ACTIONS": "", **env},
        catch_exceptions=False,
    )


def test_hostile_live_values_stay_text(tmp_path):
    result = run_markdown(tmp_path, hostile_world(), hostile_baseline())
    assert result.exit_code == 2
    md = result.stdout
    page = assert_safe(md)
    # One critical row per declared env var, one warning row (the hostile name) in a
    # <details> block: the tables have exactly those rows, each with all its cells.
    critical, details = page.tables
    assert len(critical) == 1 + len(HOSTILE)
    assert len(details) == 1 + 1
    # Values reach the reader as the characters they are, controls shown escaped.
    for value in (
        "a | b || c |",
        "``` `x` `` ``",
        "a\\|b\\",
        "$x^2$ and $$y$$",
        HOSTILE["SCRIPT"],
        HOSTILE["DETAILS"],
        HOSTILE["MENTION"],
        "line1\\n| fake | row | here |\\nline3",
        "\\x1b[2J\\x07\\u202eevil\\x00\\u200b",
    ):
        assert value in page.codes, value
    # The 100 KB value is cut, and says so.
    (huge,) = [c for c in page.codes if c.startswith('"word word')]  # quoted: ends in " "
    m = re.search(r"\(([0-9,]+) more characters; the JSON report has all\)", md)
    assert m and len(huge) + int(m.group(1).replace(",", "")) == len(HOSTILE["HUGE"]) + 2
    assert len(huge) == 300
    assert "env/EXTRA_<b>@acme/team|x" in page.codes


def test_size_limit_leaves_rows_out_and_says_how_many(tmp_path):
    names = [f"VAR_{i:04d}" for i in range(400)]
    world = wk.world(
        services=[
            wk.service("api", env=[wk.env(n, "live " * 100 + n) for n in names], connector=None)
        ]
    )
    baseline = f"services:\n  api:\n    region: {wk.REGION}\n    env:\n" + "".join(
        f"      {n}: declared\n" for n in names
    )
    result = run_markdown(tmp_path, world, baseline)
    md = result.stdout
    assert_safe(md)
    shown = sum(len(rows) - 1 for rows in rendered(md).tables)
    m = re.search(r"\*\*([0-9,]+) rows left out\*\* to stay within GitHub's 65,536", md)
    assert m, md[-500:]
    assert shown + int(m.group(1).replace(",", "")) == 400
    assert shown > 50  # the budget is used, not given up early
    assert md.rstrip().splitlines()[-1].startswith("source emulator")  # footer kept


def test_incomplete_run_says_so_first_and_never_no_drift(tmp_path):
    world = wk.world(services=[wk.service("api", connector=None)])
    world["emulator"] = {
        "faults": [
            {
                "path": "/services",
                "status": 403,
                "reason": "forbidden",
                "message": "denied @acme/admins <b>x</b>",
            }
        ]
    }
    result = run_markdown(tmp_path, world, f"services:\n  api: {{region: {wk.REGION}}}\n")
    assert result.exit_code == 1
    md = result.stdout
    assert_safe(md)
    lines = md.splitlines()
    assert lines[0] == f"<!-- drift:project={wk.PROJECT} -->"
    assert lines[3].startswith("**Incomplete run: 1 scope could not be checked**")
    assert "no drift" not in md.lower()
    assert "0 findings in what could be checked" in md


def test_clean_run_says_no_drift(tmp_path):
    world = wk.world(services=[wk.service("api", env=[wk.env("MODE", "prod")], connector=None)])
    result = run_markdown(
        tmp_path, world, f"services:\n  api:\n    region: {wk.REGION}\n    env: {{MODE: prod}}\n"
    )
    assert result.exit_code == 0
    assert "**No drift found.** 1 resource checked" in result.stdout
    assert rendered(result.stdout).tables == []


def test_link_base_must_be_a_web_url(tmp_path):
    result = run_markdown(
        tmp_path, hostile_world(), hostile_baseline(), "--link-base", "javascript:alert(1)//"
    )
    assert result.exit_code == 1
    assert result.stderr.startswith("drift: --link-base must be an http(s) URL")
    assert result.stdout == ""


def test_github_actions_links_the_pull_request_head(tmp_path, monkeypatch):
    head = "b" * 40
    event = tmp_path / "event.json"
    event.write_text(json.dumps({"pull_request": {"head": {"sha": head}}}))
    monkeypatch.chdir(tmp_path)
    result = run_markdown(
        tmp_path,
        hostile_world(),
        hostile_baseline(),
        GITHUB_ACTIONS="true",
        GITHUB_SERVER_URL="https://github.com",
        GITHUB_REPOSITORY="acme/infra",
        GITHUB_SHA="c" * 40,
        GITHUB_EVENT_NAME="pull_request",
        GITHUB_EVENT_PATH=str(event),
        GITHUB_WORKSPACE=str(tmp_path),
    )
    page = assert_safe(result.stdout)
    # --expected was absolute: sources are absolute paths, not linked (nothing to link to).
    assert page.hrefs == []
    env = {
        "GITHUB_ACTIONS": "true",
        "GITHUB_SERVER_URL": "https://github.com",
        "GITHUB_REPOSITORY": "acme/infra",
        "GITHUB_SHA": "c" * 40,
        "GITHUB_EVENT_NAME": "pull_request",
        "GITHUB_EVENT_PATH": str(event),
        "GITHUB_WORKSPACE": str(tmp_path),
    }
    assert github_link_base(env, tmp_path) == f"https://github.com/acme/infra/blob/{head}"
    (tmp_path / "infra").mkdir()
    assert github_link_base(env, tmp_path / "infra") == (
        f"https://github.com/acme/infra/blob/{head}/infra"
    )
    push = {**env, "GITHUB_EVENT_NAME": "push"}
    assert github_link_base(push, tmp_path) == f"https://github.com/acme/infra/blob/{'c' * 40}"
    assert github_link_base({**env, "GITHUB_ACTIONS": ""}, tmp_path) is None
    assert github_link_base({**env, "GITHUB_REPOSITORY": "a/b)(x"}, tmp_path) is None


def test_relative_sources_link_to_their_line(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    wk.write_baseline(tmp_path, {"services.yaml": hostile_baseline()})
    (tmp_path / "world.json").write_text(json.dumps(hostile_world()))
    result = CliRunner().invoke(
        main,
        [
            "diff",
            "--project",
            wk.PROJECT,
            "--emulator",
            "world.json",
            "--format",
            "markdown",
            "--link-base",
            "https://github.com/acme/infra/blob/main/",
            "--quiet",
        ],
        env={"GITHUB_ACTIONS": ""},
        catch_exceptions=False,
    )
    page = assert_safe(result.stdout)
    base = f"https://github.com/acme/infra/blob/main/expected/{wk.PROJECT}/services.yaml#L"
    assert f"{base}6" in page.hrefs  # PIPES, the first declared env var
    assert len(page.hrefs) == len(HOSTILE) + 1


# -- the formatter on its own -----------------------------------------------------------


def finding(
    path: str,
    type_: str,
    severity: str,
    rule: str | None = None,
    expected: Any = "a",
    actual: Any = "b",
    source: str | None = None,
) -> Finding:
    kind, resource, *rest = path.split("/")
    return Finding(
        path,
        kind,
        resource,
        wk.REGION,
        "/".join(rest) or None,
        type_,
        severity,
        expected,
        actual,
        f"{path} differs.",
        source,
        rule,
    )


def report(findings: list[Finding], **kw: Any) -> Report:
    return Report(
        project=wk.PROJECT,
        project_number=None,
        generated_at="2026-01-01T00:00:00Z",
        source_type="snapshot",
        source_detail="s.json",
        baseline_path="expected/p",
        baseline_sha256="0" * 64,
        resources_checked=3,
        findings=tuple(sorted(findings, key=Finding.sort_key)),
        **kw,
    )


def test_findings_on_one_path_are_one_row_with_every_reason():
    findings = [
        finding("url_maps/lb/hosts/api.example.com", "changed", "warning"),
        finding("url_maps/lb/hosts/api.example.com", "lint", "warning", "lint:host_spelling"),
        finding(
            "url_maps/lb/hosts/api.example.com",
            "broken_reference",
            "critical",
            expected={"backend_service": "gone"},
            actual=None,
        ),
        finding("services/api/memory", "changed", "warning"),
    ]
    md = render(report(findings))
    page = assert_safe(md)
    critical, details = page.tables
    assert len(critical) == 2 and len(details) == 2  # header + one row each
    assert "broken\\_reference, changed, lint host\\_spelling" in md
    assert len(merge(tuple(findings))) == 2


def test_every_severity_is_counted_in_the_summary_line():
    findings = [
        finding("services/a/x", "changed", "critical"),
        finding("services/a/y", "changed", "warning"),
        finding("services/b/z", "unexpected", "info"),
    ]
    md = render(report(findings))
    assert "**3 findings: 1 critical, 1 warning, 1 info** (3 resources checked)." in md
    assert md.count("<details>") == 2  # one per resource outside the critical table


def test_not_checked_comes_before_everything_and_is_escaped():
    nc = NotChecked("services", wk.REGION, "PERMISSION_DENIED: <img src=x> @acme/ops #9\n| x |")
    md = render(report([finding("services/a/x", "changed", "critical")], not_checked=(nc,)))
    assert_safe(md)
    assert md.index("Incomplete run") < md.index("1 critical")
    assert "no drift" not in md.lower()


def test_marker_cannot_close_the_comment():
    assert marker("acme-stage") == "<!-- drift:project=acme-stage -->"
    hostile = marker("a-->b--!><script>")
    assert hostile.count("--") == 2 and hostile.endswith(" -->")
    assert "<script" not in hostile


# Code-span edges: spaces kept at the ends, backticks at the ends, spaces only.
EDGES = [" x ", " x", "x ", "  ", "`", "``a``", "a\\", "\\|", "|"]


@pytest.mark.parametrize("value", list(HOSTILE.values()) + EDGES)
def test_each_escape_renders_back_to_the_value(value):
    """A code span shows the value (controls escaped, cut at 300) and nothing else."""
    from drift.report.escape import escape_text

    md = f"| h |\n| --- |\n| {code(value)} |\n\nx {text(value)}\n"
    page = rendered(md)
    assert page.tables == [[1, 1]]
    assert page.tags <= OWN_TAGS
    assert page.codes[0] == escape_text(value)[:300] or len(value) > 300
    plain = "".join(page.plain).replace("\u200b", "")
    # Plain text is for sentences: a paragraph's closing spaces are not shown.
    assert escape_text(value)[:300].strip() in plain or len(value) > 300


def test_markdown_is_a_format():
    assert "markdown" in FORMATS
