"""`--format html`: one self-contained page that live values cannot take over.

The page is read back with html.parser, the way a browser tokenizes it: every element and
attribute must be drift's own, the values only text. A hostile report and a benign twin
(the same shape, plain values) must give the same sequence of tags and attribute names,
so no value opened, closed or decorated an element. The browser side (filters clicked,
CSP obeyed) is tests/test_html_browser.py.
"""

from __future__ import annotations

import base64
import hashlib
import json
import re
import time
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

from click.testing import CliRunner
from hypothesis import given, settings
from hypothesis import strategies as st

from drift.cli import main
from drift.model import (
    BaselineChange,
    Comparison,
    Finding,
    FindingHistory,
    IgnoredFinding,
    NotChecked,
    Report,
    RunHistory,
    TrackedFinding,
)
from drift.report import FORMATS, formatter
from drift.report.escape import escape_text
from drift.report.html import VALUE_LIMIT, render
from drift.report.svg import RUNS
from tests import worldkit as wk

HOSTILE = [
    "<script>alert(1)</script>",
    '"onerror=alert(1) x="',
    "' onmouseover='alert(1)",
    "</style><style>body{display:none}</style>",
    "\x1b[2J\x07\u202eevil\x00\u200b\r\nnext line",
    "</title></textarea><!-- x --><![CDATA[ ]]>",
    "&amp; &#60;b&#62; &lt;i&gt;",
    "<svg onload=alert(1)><img src=x onerror=alert(1)>",
    '</td></tr></table><tr class="f s-critical k0"><td>',
    "\ud800 lone surrogate",
    "caf\u00e9 \u65e5\u672c \U0001f600",
    "<label for=fs-info>x</label><input type=radio id=fs-critical checked>",
]

# Elements drift writes; with the attribute names and values each may carry.
OWN_TAGS = {
    "html",
    "head",
    "meta",
    "title",
    "style",
    "body",
    "header",
    "h1",
    "h2",
    "h3",
    "p",
    "code",
    "section",
    "ul",
    "li",
    "div",
    "span",
    "table",
    "thead",
    "tbody",
    "tr",
    "th",
    "td",
    "br",
    "input",
    "label",
    "details",
    "summary",
    "footer",
    "svg",
    "g",
    "rect",
    "line",
    "text",
}
SECTION_IDS = {
    "incomplete",
    "summary",
    "trend",
    "findings",
    "history",
    "comparison",
    "ignored",
    "trend-title",
}
RADIO_ID = re.compile(r"^f[skh]-(all|critical|warning|info|new|open|[0-9]+)$")
CLASS = re.compile(
    r"^(f|k[0-9]+|s-(critical|warning|info)|h-(new|open)|c-(critical|warning|info|zero)|"
    r"b-(critical|warning|info)|c-incomplete|seen|card|n|alert|badge|muted|more|none|meta|verdict|clean|"
    r"cards|incomplete|rows|count|fl|gap|notes|legend|sw|trend|axis|tick|where|val|src)$"
)
NUMBER = re.compile(r"^[0-9]+(\.[0-9])?$")


def attribute_ok(tag: str, name: str, value: str | None) -> bool:
    """Whether one attribute is one drift writes (its name and the shape of its value)."""
    fixed = {
        "lang": {"en"},
        "charset": {"utf-8"},
        "http-equiv": {"Content-Security-Policy"},
        "name": {"referrer", "viewport", "fs", "fk", "fh"},
        "type": {"radio"},
        "role": {"img"},
        "aria-label": {"Summary"},
        "aria-labelledby": {"trend-title"},
        "xmlns": {"http://www.w3.org/2000/svg"},
        "text-anchor": {"end"},
        "viewBox": {"0 0 640 180"},
        "viewbox": {"0 0 640 180"},
    }
    if name in fixed:
        return value in fixed[name]
    if name == "checked":
        return tag == "input" and value is None
    if name == "content":
        return value in ("no-referrer", "width=device-width, initial-scale=1") or bool(
            value
            and re.fullmatch(
                r"default-src 'none'; style-src 'sha256-[A-Za-z0-9+/=]+'; "
                r"img-src 'none'; base-uri 'none'; form-action 'none'",
                value,
            )
        )
    if name == "class":
        return bool(value) and all(CLASS.match(c) for c in (value or "").split(" "))
    if name in ("id", "for"):
        return bool(value and (RADIO_ID.match(value) or (name == "id" and value in SECTION_IDS)))
    if name in ("x", "y", "x1", "y1", "x2", "y2", "width", "height"):
        return bool(value and NUMBER.match(value))
    return False


class Page(HTMLParser):
    """The page as a browser's tokenizer sees it."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.structure: list[tuple[str, tuple[str, ...]]] = []
        self.attrs: list[tuple[str, str, str | None]] = []
        self.text: list[str] = []
        self.style = ""
        self.csp = ""
        self.comments: list[str] = []
        self.rows: list[list[str]] = []  # finding rows: the class, then each cell's text
        self.labels: dict[str, str] = {}  # radio id -> its label's text
        self.heads: list[str] = []
        self._open: list[str] = []
        self._label: str | None = None
        self._row = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.structure.append((tag, tuple(sorted(a for a, _ in attrs))))
        self.attrs += [(tag, a, v) for a, v in attrs]
        a = dict(attrs)
        if tag == "meta" and a.get("http-equiv") == "Content-Security-Policy":
            self.csp = a.get("content") or ""
        if tag == "tr":
            self._row = "f" in (a.get("class") or "").split()
            if self._row:
                self.rows.append([a.get("class") or ""])
        if tag == "td" and self._row:
            self.rows[-1].append("")
        if tag == "label":
            self._label = a.get("for") or ""
            self.labels[self._label] = ""
        if tag not in ("br", "input", "meta", "rect", "line"):  # void, or written `<x/>`
            self._open.append(tag)

    def handle_endtag(self, tag: str) -> None:
        if self._open and self._open[-1] == tag:
            self._open.pop()
        if tag == "tr":
            self._row = False
        if tag == "label":
            self._label = None

    def handle_data(self, data: str) -> None:
        self.text.append(data)
        where = self._open[-1] if self._open else ""
        if where == "style":
            self.style += data
        if where == "th":
            self.heads.append(data)
        if self._label is not None:
            self.labels[self._label] += data
        if self._row and len(self.rows[-1]) > 1:
            self.rows[-1][-1] += data

    def handle_comment(self, data: str) -> None:
        self.comments.append(data)


def parse(page: str) -> Page:
    out = Page()
    out.feed(page)
    out.close()
    return out


def assert_safe(page: str) -> Page:
    """The rules every HTML report keeps, whatever the values were."""
    assert all(c == "\n" or " " <= c <= "~" for c in page), "only printable ASCII and newlines"
    assert page.startswith("<!DOCTYPE html>\n") and page.endswith("</html>\n")
    assert "<script" not in page.lower()
    doc = parse(page)
    assert {t for t, _ in doc.structure} <= OWN_TAGS, {t for t, _ in doc.structure} - OWN_TAGS
    bad = [a for a in doc.attrs if not attribute_ok(*a)]
    assert not bad, bad
    assert doc.comments == []
    # The policy allows exactly the stylesheet written, by its hash.
    digest = base64.b64encode(hashlib.sha256(doc.style.encode()).digest()).decode()
    assert f"style-src 'sha256-{digest}'" in doc.csp
    assert [t for t, _ in doc.structure].count("style") == 1
    return doc


def finding(
    path: str,
    severity: str = "warning",
    type_: str = "changed",
    expected: Any = "a",
    actual: Any = "b",
    message: str | None = None,
    source: str | None = "exp/p/s.yaml:3",
    rule: str | None = None,
    region: str | None = "us-central1",
    **kw: Any,
) -> Finding:
    kind, resource, *rest = path.split("/")
    return Finding(
        path,
        kind,
        resource,
        region,
        "/".join(rest) or None,
        type_,
        severity,
        expected,
        actual,
        message or f"{path} drifted.",
        source,
        rule,
        **kw,
    )


def report(findings: list[Finding] = (), **kw: Any) -> Report:  # type: ignore[assignment]
    base: dict[str, Any] = dict(
        project="acme-stage",
        project_number="42",
        generated_at="2026-11-25T00:00:00Z",
        source_type="emulator",
        source_detail="world",
        baseline_path="expected/acme-stage",
        baseline_sha256="ab" * 32,
        resources_checked=3,
        findings=tuple(findings),
    )
    base.update(kw)
    return Report(**base)


def shaped(value: Any) -> Report:
    """A report with `value(slot)` in every place a value can be: names, values, errors,
    notes, rules, history and comparison; the slots are the same whatever `value` is."""
    v = value
    fs = [
        Finding(
            f"{v(1)}/{v(2)}/{v(3)}",
            v(1),
            v(2),
            v(4),
            v(3),
            "changed",
            "critical",
            v(5),
            {"k": v(6)},
            v(7),
            v(8),
            v(9),
            history=FindingHistory(v(10), "new", v(11)),
        ),
        Finding(
            f"services/{v(12)}",
            "services",
            v(12),
            None,
            None,
            "unmanaged",
            "info",
            None,
            None,
            v(13),
            None,
            None,
            history=FindingHistory("id", "open", v(14)),
        ),
    ]
    ign = IgnoredFinding(finding(f"services/{v(15)}/labels/x", message=v(16)), v(17), v(18))
    comp = Comparison(
        v(19),
        "c0ffee" * 7,
        v(20),
        "ab" * 32,
        resolved=(finding(f"services/{v(21)}", message=v(22)),),
        baseline_changes=(BaselineChange("added", "services", v(23), v(24), v(25), v(26)),),
    )
    run = RunHistory(
        v(27),
        v(28),
        resolved=(
            TrackedFinding(
                "id", f"secrets/{v(29)}", "secrets", v(30), "missing", "critical", None, v(31)
            ),
        ),
    )
    return report(
        fs,
        project=v(32),
        project_number=v(33),
        generated_at=v(34),
        source_detail=v(35),
        baseline_path=v(36),
        notes=(v(37),),
        ignored=(ign,),
        comparison=comp,
        history=run,
        source_taken_at=v(38),
        not_checked=(NotChecked(v(39), v(40), v(41)), NotChecked("secrets", None, v(42))),
    )


def unkinded(attrs: list[tuple[str, str, str | None]]) -> list[tuple[str, str, str | None]]:
    """Attributes with the kind indexes (`k0`, `fk-1`) blanked, in document order."""
    return [(t, a, re.sub(r"(?<![a-z-])(k|fk-)[0-9]+", r"\1#", v) if v else v) for t, a, v in attrs]


def benign(slot: int) -> str:
    return f"v{slot:02d}"


def trend_of(value: Any) -> list[dict[str, Any]]:
    return [
        {"date": value(50 + i), "critical": i, "warning": 1, "info": 0, "new": 1, "resolved": 0}
        for i in range(3)
    ]


# -- the rule: values are text --------------------------------------------------------


def test_hostile_values_are_only_text_wherever_they_are():
    for n, bad in enumerate(HOSTILE):

        def hostile(slot: int, bad: str = bad) -> str:
            return f"{bad}{slot:02d}"

        page = render(shaped(hostile), trend=trend_of(hostile))
        doc = assert_safe(page)
        twin = parse(render(shaped(benign), trend=trend_of(benign)))
        assert doc.structure == twin.structure, n
        text = "".join(doc.text)
        for slot in (1, 2, 5, 7, 8, 13, 17, 18, 19, 22, 25, 29, 32, 35, 37, 41, 42, 50):
            assert escape_text(hostile(slot)) in text, (n, slot)
        # Nothing of a value reaches the stylesheet or an attribute: both are the twin's
        # (the kinds sort differently, so rows may swap `k0` and `k1`).
        assert doc.style == twin.style and doc.csp == twin.csp
        assert unkinded(doc.attrs) == unkinded(twin.attrs)


def test_control_characters_are_shown_not_written():
    page = render(shaped(lambda slot: f"a\x1b[31m\x00\u202e\u2028b{slot}"))
    assert_safe(page)
    assert "a\\x1b[31m\\x00\\u202e\\u2028b32" in "".join(parse(page).text)


@settings(max_examples=60, deadline=None)
@given(st.text(max_size=40))
def test_any_text_in_any_slot_stays_text(value):
    def hostile(slot: int) -> str:
        return f"{value}{slot:02d}"

    doc = assert_safe(render(shaped(hostile), trend=trend_of(hostile)))
    assert doc.structure == parse(render(shaped(benign), trend=trend_of(benign))).structure
    assert escape_text(hostile(7)) in "".join(doc.text)


# -- what the page says -----------------------------------------------------------------


def test_every_finding_is_a_row_with_expected_actual_and_source():
    fs = [
        finding(
            "services/api/env/A",
            "critical",
            "missing",
            "x",
            None,
            source="expected/acme-stage/services.yaml:9",
        ),
        finding("services/api/memory", "warning", expected="1Gi", actual="2Gi"),
        finding("secrets/rogue", "info", "unmanaged", None, None, source=None, region=None),
    ]
    doc = assert_safe(render(report(fs)))
    assert doc.heads[:6] == ["Severity", "Where", "What", "Expected", "Actual", "Declared at"]
    rows = {r[2]: r for r in doc.rows}  # by the Where cell
    assert rows["services/api (us-central1)env/A"][1:] == [
        "critical",
        "services/api (us-central1)env/A",
        "missingservices/api/env/A drifted.",
        "x",
        "(not set)",
        "expected/acme-stage/services.yaml:9",
    ]
    assert rows["services/api (us-central1)memory"][4:6] == ["1Gi", "2Gi"]
    assert rows["secrets/rogue"][4:] == ["(not declared)", "(not set)", ""]
    # Sorted as the JSON report is: severity, then path.
    assert [r[1] for r in doc.rows] == ["critical", "warning", "info"]


def test_summary_cards_count_everything():
    fs = [
        finding("services/a/x", "critical"),
        finding("services/a/y", "critical"),
        finding("services/b/x", "info"),
    ]
    ign = IgnoredFinding(finding("services/a/labels/z"), "ignore z", "CI")
    page = render(
        report(
            fs,
            ignored=(ign,),
            resources_checked=7,
            not_checked=(NotChecked("secrets", None, "denied"),),
        )
    )
    cards = re.findall(
        r'<div class="card[^"]*"><span class="n">([0-9,]+)</span>([^<]+)</div>', page
    )
    assert cards == [
        ("2", "critical"),
        ("0", "warning"),
        ("1", "info"),
        ("1", "not checked"),
        ("1", "ignored"),
        ("7", "resources checked"),
    ]


def test_incomplete_run_says_so_first_and_never_no_drift():
    nc = NotChecked("vpc_connectors", "us-central1", "PERMISSION_DENIED: denied")
    for fs in ([], [finding("services/api/memory")]):
        page = render(report(fs, not_checked=(nc,)))
        assert_safe(page)
        assert "no drift" not in page.lower()
        body = page[page.index("<body>") :]
        first = body.index("Incomplete run: 1 scope could not be checked")
        assert first < body.index('class="verdict') < body.index('class="cards')
        assert "<title>drift: acme-stage (incomplete run)</title>" in page
    assert "0 findings in what could be checked" in render(report(not_checked=(nc,)))


def test_clean_run_says_no_drift():
    page = render(report())
    assert_safe(page)
    assert "No drift found: 3 resources checked; everything declared matches." in page
    assert "<table>" not in page and "fs-all" not in page


def test_long_values_are_cut_and_say_so():
    long = "x" * (VALUE_LIMIT + 4321)
    doc = assert_safe(render(report([finding("services/api/env/A", actual=long)])))
    (row,) = doc.rows
    assert row[5] == "x" * VALUE_LIMIT + " (4,321 more characters; the JSON report has all)"


def test_same_inputs_same_bytes_in_any_order():
    fs = [
        finding(f"services/s{i % 7}/env/V{i}", ("critical", "warning", "info")[i % 3])
        for i in range(50)
    ]
    trend = trend_of(benign)
    one = render(report(fs), trend=trend)
    assert one == render(report(list(reversed(fs))), trend=trend)
    assert one == formatter("html", trend=trend)(report(fs))


# -- filters ---------------------------------------------------------------------------


def test_each_filter_has_its_rule_and_each_row_its_classes():
    fs = [
        finding("services/api/memory", "critical"),
        finding("secrets/db/sha256", "warning"),
        finding("url_maps/lb/hosts/a", "info"),
        finding("services/web/cpu", "info"),
    ]
    doc = assert_safe(render(report(fs)))
    kinds = {
        rid: text.rsplit(" (", 1)[0]
        for rid, text in doc.labels.items()
        if rid.startswith("fk-") and rid != "fk-all"
    }
    assert kinds == {"fk-0": "secrets", "fk-1": "services", "fk-2": "url_maps"}
    for rid in [r for r in doc.labels if not r.endswith("-all")]:
        assert re.search(re.escape(f"#{rid}:checked ~ .rows tr.f:not(."), doc.style), rid
    for row in doc.rows:
        classes = row[0].split()
        (sev,) = [c for c in classes if c.startswith("s-")]
        (k,) = [c for c in classes if re.fullmatch(r"k[0-9]+", c)]
        assert sev == f"s-{row[1]}"
        assert row[2].startswith(kinds[f"fk-{k[1:]}"] + "/")
    assert doc.labels["fs-critical"] == "critical (1)" and doc.labels["fs-all"] == "all (4)"
    assert not any(r.startswith("fh-") for r in doc.labels)  # no history marks: no status


def test_history_marks_add_a_status_column_and_filter():
    fs = [
        finding(
            "services/api/memory",
            "critical",
            history=FindingHistory("a1", "new", "2026-11-25T00:00:00Z"),
        ),
        finding(
            "services/api/cpu",
            "warning",
            history=FindingHistory("b2", "open", "2026-11-01T00:00:00Z"),
        ),
    ]
    run = RunHistory(
        "runs/2",
        "2026-11-24T00:00:00Z",
        resolved=(
            TrackedFinding(
                "c3",
                "secrets/old",
                "secrets",
                None,
                "missing",
                "critical",
                None,
                "2026-10-01T00:00:00Z",
            ),
        ),
    )
    page = render(report(fs, history=run))
    doc = assert_safe(page)
    assert doc.heads[:2] == ["Severity", "Status"]
    assert doc.labels["fh-new"] == "new (1)" and doc.labels["fh-open"] == "open (1)"
    assert [r[2] for r in doc.rows] == [
        "newfirst seen 2026-11-25T00:00:00Z",
        "openfirst seen 2026-11-01T00:00:00Z",
    ]
    assert "h-new" in doc.rows[0][0] and "h-open" in doc.rows[1][0]
    assert '<span class="n">1</span>new since the last run' in page
    assert '<span class="n">1</span>resolved since the last run' in page
    assert "Resolved since the last run (1)" in page and "secrets/old" in page


def test_compare_to_adds_a_change_column_resolved_and_baseline_changes():
    comp = Comparison(
        "origin/main",
        "0123456789ab" + "0" * 28,
        "expected/p",
        "cd" * 32,
        resolved=(finding("services/api/cpu"),),
        baseline_changes=(
            BaselineChange("added", "services", "web", None, None, "expected/p/services.yaml:4"),
        ),
    )
    page = render(report([finding("services/api/memory", change="introduced")], comparison=comp))
    doc = assert_safe(page)
    assert doc.heads[:2] == ["Severity", "Change"] and doc.rows[0][2] == "introduced"
    assert "Resolved by this change (1)" in page and "Baseline changes since then (1)" in page


# -- trend -----------------------------------------------------------------------------


def test_no_history_yet_without_a_trend():
    for trend in (None, []):
        page = render(report(), trend=trend)
        assert "No history yet" in page and "<svg" not in page


def test_trend_draws_the_last_30_runs():
    trend = [
        {
            "date": f"run-{i:02d}",
            "critical": i % 4,
            "warning": 2,
            "info": i % 3,
            "new": 1,
            "resolved": 0,
        }
        for i in range(45)
    ]
    page = render(report(), trend=trend)
    doc = assert_safe(page)
    svg = page[page.index("<svg") : page.index("</svg>")]
    titles = re.findall(r"<g><title>([^<]*)</title>", svg)
    assert len(titles) == RUNS
    assert titles[0] == "run-15: 3 critical, 2 warning, 0 info, 1 new, 0 resolved"
    assert titles[-1].startswith("run-44: ")
    # The tallest stack fills the plot (critical + warning + info = 7 at most).
    heights = [
        sum(float(h) for h in re.findall(r'height="([0-9.]+)"/>', group))
        for group in svg.split("<g>")[1:]
    ]
    assert abs(max(heights) - (180 - 8 - 24)) < 0.5
    assert "No history yet" not in page and "run-44" in "".join(doc.text)


def test_trend_counts_that_are_not_counts_are_zero():
    trend = [
        {"date": None, "critical": -3, "warning": "7", "info": True, "new": 2.5},
        "not a point",
        {"date": "d2", "critical": 1},
    ]
    page = render(report(), trend=trend)  # type: ignore[arg-type]
    assert_safe(page)
    titles = re.findall(r"<g><title>([^<]*)</title>", page)
    assert titles == [
        "(no date): 0 critical, 0 warning, 0 info, 0 new, 0 resolved",
        "d2: 1 critical, 0 warning, 0 info, 0 new, 0 resolved",
    ]


def test_trend_names_each_run_and_marks_incomplete_ones():
    trend = [
        {
            "run": "r1",
            "generated_at": "2026-11-02T03:00:00Z",
            "date": "2026-11-02",
            "critical": 1,
            "warning": 0,
            "info": 0,
            "new": 1,
            "resolved": 0,
            "not_checked": 0,
        },
        {
            "run": "r2",
            "generated_at": "2026-11-02T15:00:00Z",
            "date": "2026-11-02",
            "critical": 1,
            "warning": 0,
            "info": 0,
            "new": 0,
            "resolved": 0,
            "not_checked": 2,
        },
    ]
    page = render(report(), trend=trend)
    assert_safe(page)
    assert re.findall(r"<g><title>([^<]*)</title>", page) == [
        "2026-11-02T03:00:00Z: 1 critical, 0 warning, 0 info, 1 new, 0 resolved",
        "2026-11-02T15:00:00Z: 1 critical, 0 warning, 0 info, 0 new, 0 resolved; "
        "incomplete run, 2 not checked",
    ]
    assert page.count('<rect class="c-incomplete"') == 1
    assert "incomplete run (not everything checked)" in page


# -- size ------------------------------------------------------------------------------


def test_ten_thousand_findings_make_a_reasonable_page():
    fs = [
        finding(
            f"services/svc-{i % 50:02d}/env/VARIABLE_{i:05d}",
            ("critical", "warning", "info")[i % 3],
            expected=f"https://api-{i}.example",
            actual=f"https://api-{i}.example.org/v2",
            region="europe-west1",
            source=f"expected/acme-stage/services.yaml:{i + 3}",
        )
        for i in range(10_000)
    ]
    started = time.monotonic()
    page = render(report(fs))
    assert time.monotonic() - started < 30  # a hang or a quadratic step, not a timing
    assert page.count('<tr class="f ') == 10_000
    # About 0.5 KB a finding (4.7 MB here): a page a browser opens, not a 100 MB file.
    assert len(page) < 10_000_000, len(page)


# -- through the CLI and the emulator ---------------------------------------------------


def run_html(tmp_path: Path, world: dict[str, Any], baseline: str, *extra: str) -> Any:
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
            "html",
            "--quiet",
            *extra,
        ],
        env={"SOURCE_DATE_EPOCH": "1764000000"},
        catch_exceptions=False,
    )


def test_cli_writes_the_page_from_live_values(tmp_path):
    env = [wk.env(f"V{i}", value) for i, value in enumerate(HOSTILE) if "\ud800" not in value]
    world = wk.world(services=[wk.service("api", env=env, connector=None)])
    baseline = f"services:\n  api:\n    region: {wk.REGION}\n    env:\n" + "".join(
        f"      V{i}: declared\n" for i in range(len(HOSTILE))
    )
    out = tmp_path / "report.html"
    result = run_html(tmp_path, world, baseline, "--output", str(out))
    assert result.exit_code == 2, result.output
    page = out.read_text(encoding="ascii")
    doc = assert_safe(page)
    assert wk.PROJECT in "".join(doc.text)
    actual = {r[2].removeprefix(f"services/api ({wk.REGION})"): r[5] for r in doc.rows}
    assert actual["env/V0"] == "<script>alert(1)</script>"
    assert actual["env/V4"] == "\\x1b[2J\\x07\\u202eevil\\x00\\u200b\\r\\nnext line"
    again = tmp_path / "again.html"
    run_html(tmp_path, world, baseline, "--output", str(again))
    assert again.read_bytes() == out.read_bytes()


def test_cli_incomplete_run_is_exit_1_and_says_so(tmp_path):
    world = wk.world(services=[wk.service("api", connector=None)])
    world["emulator"] = {
        "faults": [
            {
                "path": "/services",
                "status": 403,
                "reason": "forbidden",
                "message": "denied <b>x</b>",
            }
        ]
    }
    result = run_html(tmp_path, world, f"services:\n  api: {{region: {wk.REGION}}}\n")
    assert result.exit_code == 1
    assert_safe(result.stdout)
    assert "Incomplete run: 1 scope could not be checked" in result.stdout
    assert "no drift" not in result.stdout.lower()


def test_cli_with_history_marks_findings_and_draws_the_trend(tmp_path):
    world = wk.world(
        services=[wk.service("api", env=[wk.env("MODE", "dev")], memory="2Gi", connector=None)]
    )
    baseline = (
        f"services:\n  api:\n    region: {wk.REGION}\n    memory: 1Gi\n    env: {{MODE: prod}}\n"
    )
    expected = wk.write_baseline(tmp_path, {"services.yaml": baseline})
    (tmp_path / "world.json").write_text(json.dumps(world))
    pages = []
    for n, epoch in enumerate(("1764000000", "1764086400")):
        out = tmp_path / f"run{n}.html"
        result = CliRunner().invoke(
            main,
            [
                "diff",
                "--project",
                wk.PROJECT,
                "--expected",
                str(expected),
                "--emulator",
                str(tmp_path / "world.json"),
                "--format",
                "html",
                "--output",
                str(out),
                "--quiet",
                "--history",
                str(tmp_path / "history"),
            ],
            env={"SOURCE_DATE_EPOCH": epoch},
            catch_exceptions=False,
        )
        assert result.exit_code == 2, result.output
        pages.append(out.read_text(encoding="ascii"))
    first, second = (assert_safe(p) for p in pages)
    assert [r[2].split("first seen")[0] for r in first.rows] == ["new", "new"]
    assert [r[2].split("first seen")[0] for r in second.rows] == ["open", "open"]
    assert "No history yet" not in pages[0]
    titles = re.findall(r"<g><title>([^<]*)</title>", pages[1])
    assert titles == [
        "2025-11-24T16:00:00Z: 1 critical, 1 warning, 0 info, 2 new, 0 resolved",
        "2025-11-25T16:00:00Z: 1 critical, 1 warning, 0 info, 0 new, 0 resolved",
    ]


def test_html_is_a_format():
    assert "html" in FORMATS
    assert (
        "html"
        in main.commands["diff"]
        .params[[p.name for p in main.commands["diff"].params].index("fmt")]
        .type.choices
    )
