"""`--format html`: the report as one self-contained page, to open from disk or a CI artifact.

Top to bottom: what was not checked (an incomplete run says so first and never says "no
drift"), one verdict line, summary cards (counts by severity, not checked, ignored,
resources checked, and new findings when the report carries history marks), notes, the
trend of the last runs (an inline SVG, or "No history yet"), the findings with filters,
then with --compare-to the resolved findings and baseline changes, the ignored findings,
and a footer naming the source and the baseline.

Safe to open whatever the live values hold:
- Every value drift did not write goes through `esc` (drift/report/svg.py): control
  characters shown escaped (drift/report/escape.py), then `html.escape` with quotes, and
  the page is written as ASCII (other characters as `&#N;`). Values only ever land in
  element text, never in an attribute, a class, an id or the stylesheet: classes and ids
  are drift's own words or indexes (`k0` is the first kind in sorted order).
- There is no script at all. The filters are CSS: radio buttons that are siblings of the
  findings table, and rules like `#fs-critical:checked ~ .rows tr.f:not(.s-critical)
  {display: none}`. So the page works with JavaScript disabled, and with CSS disabled
  too (every finding shown, the radios inert).
- A Content-Security-Policy meta tag allows nothing but the page's one `<style>`
  element, by its SHA-256 hash (`default-src 'none'; style-src 'sha256-...'`): no script,
  no network, no image, no form, no base URL. The hash is computed over the stylesheet
  this module writes, which holds no value, so an injected `<style>` could not apply.

Deterministic: the same report and trend give the same bytes (sorted findings, sorted
kinds, no clock read here; `generated_at` is the report's).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from drift import __version__
from drift.model import SEVERITIES, Finding, Report
from drift.report.html_style import CSS, csp
from drift.report.rows import show_value
from drift.report.svg import RUNS, chart, esc, points

# Characters of one value shown before "(N more characters; ...)": 10,000 findings with
# long values stay a page a browser opens.
VALUE_LIMIT = 1000
STATUSES = ("new", "open")


def _plural(n: int, noun: str, plural: str | None = None) -> str:
    return f"{n:,} {noun}" if n == 1 else f"{n:,} {plural or noun + 's'}"


def code(value: str, limit: int = VALUE_LIMIT) -> str:
    """`value` in a `<code>` element, escaped, cut after `limit` characters with a note."""
    if len(value) <= limit:
        return f"<code>{esc(value)}</code>"
    more = f"({len(value) - limit:,} more characters; the JSON report has all)"
    return f'<code>{esc(value[:limit])}</code> <span class="more">{more}</span>'


def shown(value: Any, side: str) -> str:
    """An expected or actual value: words (muted) for none, the value as code otherwise."""
    if value is None:
        return f'<span class="none">{esc(show_value(None, side))}</span>'
    return code(show_value(value, side))


def mark(finding: Finding) -> tuple[str | None, str | None]:
    """(status, first_seen) of a finding's history mark, or (None, None) without one.

    The mark is `{id, status: new|open, first_seen}` (a mapping or an object with those
    attributes); reports from runs without --history have none, and read the same.
    """
    h = getattr(finding, "history", None)
    if h is None:
        return None, None
    if isinstance(h, Mapping):
        status, first = h.get("status"), h.get("first_seen")
    else:
        status, first = getattr(h, "status", None), getattr(h, "first_seen", None)
    return (
        status if isinstance(status, str) else None,
        None if first is None else str(first),
    )


def has_history(report: Report) -> bool:
    """True when the report carries history marks (a run with --history)."""
    return getattr(report, "history", None) is not None or any(
        mark(f)[0] is not None for f in report.findings
    )


def _not_checked(report: Report) -> list[str]:
    if not report.not_checked:
        return []
    n = len(report.not_checked)
    out = [
        '<section class="incomplete" id="incomplete">',
        f"<h2>Incomplete run: {_plural(n, 'scope')} could not be checked</h2>",
        "<p>This report cannot tell whether they drifted (exit code 1).</p>",
        "<ul>",
    ]
    for nc in sorted(report.not_checked, key=lambda n: (n.kind, n.region or "", n.error)):
        where = f" in {esc(nc.region)}" if nc.region else ""
        out.append(f"<li><code>{esc(nc.kind)}</code>{where}: {esc(nc.error)}</li>")
    out += ["</ul>", "</section>"]
    return out


def _verdict(report: Report) -> str:
    total = len(report.findings)
    checked = _plural(report.resources_checked, "resource") + " checked"
    ignored = f", {_plural(len(report.ignored), 'finding')} ignored" if report.ignored else ""
    if total == 0 and not report.not_checked:
        return (
            f'<p class="verdict clean">No drift found: {checked}; everything declared '
            f"matches{ignored}.</p>"
        )
    if total == 0:
        return f'<p class="verdict">0 findings in what could be checked ({checked}{ignored}).</p>'
    counts = report.counts()
    by = ", ".join(f"{counts[s]:,} {s}" for s in SEVERITIES)
    return f'<p class="verdict">{_plural(total, "finding")}: {by} ({checked}{ignored}).</p>'


def _card(n: int, label: str, cls: str = "") -> str:
    classes = f"card {cls}" if cls else "card"
    return f'<div class="{classes}"><span class="n">{n:,}</span>{label}</div>'


def _cards(report: Report, history: bool) -> list[str]:
    counts = report.counts()
    out = ['<section class="cards" id="summary" aria-label="Summary">']
    out += [_card(counts[s], s, f"c-{s}") for s in SEVERITIES]
    if history:
        new = sum(1 for f in report.findings if mark(f)[0] == "new")
        out.append(_card(new, "new since the last run"))
    run = getattr(report, "history", None)
    if run is not None:
        out.append(_card(len(getattr(run, "resolved", ()) or ()), "resolved since the last run"))
    nc = len(report.not_checked)
    out.append(_card(nc, "not checked", "alert" if nc else ""))
    out.append(_card(len(report.ignored), "ignored"))
    out.append(_card(report.resources_checked, "resources checked"))
    out.append("</section>")
    return out


def _trend(trend: Sequence[Mapping[str, Any]] | None) -> list[str]:
    pts = points(trend)
    out = ['<section id="trend">', f"<h2>Trend (last {RUNS} runs)</h2>"]
    if not pts:
        out += [
            '<p class="muted">No history yet: run drift with history kept to see the '
            "trend of findings here.</p>",
            "</section>",
        ]
        return out
    out.append(chart(trend))
    incomplete = (
        '<span class="sw c-incomplete">incomplete run (not everything checked)</span>'
        if any(p["not_checked"] for p in pts)
        else ""
    )
    out.append(
        '<p class="legend"><span class="sw c-critical">critical</span>'
        '<span class="sw c-warning">warning</span><span class="sw c-info">info</span>'
        f"{incomplete}</p>"
    )
    out += [
        "<details><summary>The numbers</summary>",
        "<table>",
        "<thead><tr><th>Run</th><th>critical</th><th>warning</th><th>info</th><th>new</th>"
        "<th>resolved</th><th>not checked</th></tr></thead>",
        "<tbody>",
    ]
    for p in pts:
        cells = "".join(
            f"<td>{p[k]:,}</td>"
            for k in ("critical", "warning", "info", "new", "resolved", "not_checked")
        )
        out.append(f"<tr><td>{esc(p['when'] or '(no date)')}</td>{cells}</tr>")
    out += ["</tbody>", "</table>", "</details>", "</section>"]
    return out


def _radio(group: str, value: str, label: str, checked: bool = False) -> str:
    rid = f"{group}-{value}"
    on = " checked" if checked else ""
    return f'<input type="radio" name="{group}" id="{rid}"{on}><label for="{rid}">{label}</label>'


def _filters(findings: list[Finding], kinds: list[str], history: bool) -> tuple[list[str], str]:
    """The radio buttons (siblings of the table) and the CSS rules that make them filter."""
    out: list[str] = []
    rules: list[str] = []
    hide = " ~ .rows tr.f:not(.{cls}){{display:none}}"
    out.append('<span class="fl">Severity</span>')
    out.append(_radio("fs", "all", f"all ({len(findings):,})", checked=True))
    for s in SEVERITIES:
        n = sum(1 for f in findings if f.severity == s)
        out.append(_radio("fs", s, f"{s} ({n:,})"))
        rules.append(f"#fs-{s}:checked" + hide.format(cls=f"s-{s}"))
    out.append('<br class="gap"><span class="fl">Kind</span>')
    out.append(_radio("fk", "all", "all", checked=True))
    for i, kind in enumerate(kinds):
        n = sum(1 for f in findings if f.kind == kind)
        out.append(_radio("fk", str(i), f"{esc(kind)} ({n:,})"))
        rules.append(f"#fk-{i}:checked" + hide.format(cls=f"k{i}"))
    if history:
        out.append('<br class="gap"><span class="fl">Status</span>')
        out.append(_radio("fh", "all", "all", checked=True))
        for status in STATUSES:
            n = sum(1 for f in findings if mark(f)[0] == status)
            out.append(_radio("fh", status, f"{status} ({n:,})"))
            rules.append(f"#fh-{status}:checked" + hide.format(cls=f"h-{status}"))
    return out, "\n".join(rules) + "\n"


def _row(f: Finding, kinds: dict[str, int], history: bool, compare: bool) -> str:
    classes = [
        "f",
        f"s-{f.severity}" if f.severity in SEVERITIES else "s-other",
        f"k{kinds[f.kind]}",
    ]
    status, first = mark(f)
    if status in STATUSES:
        classes.append(f"h-{status}")
    cells = [
        f'<td><span class="badge b-{f.severity}">{esc(f.severity)}</span></td>'
        if f.severity in SEVERITIES
        else f"<td>{esc(f.severity)}</td>"
    ]
    if history:
        since = f'<br><span class="muted seen">first seen {esc(first)}</span>' if first else ""
        cells.append(f"<td>{esc(status) if status else ''}{since}</td>")
    if compare:
        cells.append(f"<td>{esc(f.change) if f.change else ''}</td>")
    region = f' <span class="muted">({esc(f.region)})</span>' if f.region else ""
    field = f"<br>{code(f.field)}" if f.field else ""
    cells.append(f'<td class="where">{code(f"{f.kind}/{f.resource}")}{region}{field}</td>')
    rule = f' <span class="muted">{esc(f.rule)}</span>' if f.rule else ""
    cells.append(f"<td>{esc(f.type)}{rule}<br>{esc(f.message)}</td>")
    cells.append(f'<td class="val">{shown(f.expected, "expected")}</td>')
    cells.append(f'<td class="val">{shown(f.actual, "actual")}</td>')
    cells.append(f'<td class="src">{code(f.source) if f.source else ""}</td>')
    return f'<tr class="{" ".join(classes)}">{"".join(cells)}</tr>'


def _findings(report: Report, history: bool) -> tuple[list[str], str]:
    findings = sorted(report.findings, key=Finding.sort_key)
    out = ['<section id="findings">', f"<h2>Findings ({len(findings):,})</h2>"]
    if not findings:
        word = (
            "No findings."
            if not report.not_checked
            else ("No findings in what could be checked; see what was not checked above.")
        )
        return out + [f"<p>{word}</p>", "</section>"], ""
    kind_list = sorted({f.kind for f in findings})
    kinds = {k: i for i, k in enumerate(kind_list)}
    compare = report.comparison is not None
    radios, rules = _filters(findings, kind_list, history)
    out += radios
    head = ["Severity"] + (["Status"] if history else []) + (["Change"] if compare else [])
    head += ["Where", "What", "Expected", "Actual", "Declared at"]
    out += [
        '<div class="rows">',
        "<table>",
        "<thead><tr>" + "".join(f"<th>{h}</th>" for h in head) + "</tr></thead>",
        "<tbody>",
    ]
    out += [_row(f, kinds, history, compare) for f in findings]
    out += [
        "</tbody>",
        "</table>",
        "</div>",
        f'<p class="count muted">{_plural(len(findings), "finding")}</p>',
        "</section>",
    ]
    return out, rules


def _comparison(report: Report) -> list[str]:
    comp = report.comparison
    if comp is None:
        return []
    out = [
        '<section id="comparison">',
        f"<h2>Compared to <code>{esc(comp.ref)}</code> (<code>{esc(comp.commit[:12])}</code>)</h2>",
    ]
    if comp.baseline_path is None:
        out.append("<p>No baseline there, so every finding is new.</p>")
    out.append(f"<h3>Resolved by this change ({len(comp.resolved):,})</h3>")
    if comp.resolved:
        out += [
            "<table>",
            "<thead><tr><th>Severity</th><th>Where</th><th>What</th></tr></thead>",
            "<tbody>",
        ]
        for f in comp.resolved:
            out.append(
                f"<tr><td>{esc(f.severity)}</td><td>{code(f.path)}</td>"
                f"<td>{esc(f.type)}<br>{esc(f.message)}</td></tr>"
            )
        out += ["</tbody>", "</table>"]
    out.append(f"<h3>Baseline changes since then ({len(comp.baseline_changes):,})</h3>")
    if comp.baseline_changes:
        out += [
            "<table>",
            "<thead><tr><th>Change</th><th>Declaration</th><th>Region</th>"
            "<th>Declared at</th></tr></thead>",
            "<tbody>",
        ]
        for c in comp.baseline_changes:
            out.append(
                f"<tr><td>{esc(c.change)}</td><td>{code(c.path)}</td>"
                f"<td>{esc(c.region or '')}</td>"
                f"<td>{code(c.source) if c.source else ''}</td></tr>"
            )
        out += ["</tbody>", "</table>"]
    return out + ["</section>"]


def _history(report: Report) -> list[str]:
    """With --history: the previous run compared with, and the findings it had that are gone."""
    run = getattr(report, "history", None)
    if run is None:
        return []
    previous = getattr(run, "previous_generated_at", None)
    resolved = tuple(getattr(run, "resolved", ()) or ())
    out = ['<section id="history">', f"<h2>Resolved since the last run ({len(resolved):,})</h2>"]
    if getattr(run, "previous_run", None) is None:
        out.append("<p>This is the first run in the history: every finding is new.</p>")
    elif previous:
        out.append(f'<p class="muted">The last complete run was generated {esc(previous)}.</p>')
    if resolved:
        out += [
            "<table>",
            "<thead><tr><th>Severity</th><th>Where</th><th>Type</th>"
            "<th>First seen</th></tr></thead>",
            "<tbody>",
        ]
        for t in resolved:
            region = getattr(t, "region", None)
            where = code(str(getattr(t, "path", ""))) + (
                f' <span class="muted">({esc(region)})</span>' if region else ""
            )
            out.append(
                f"<tr><td>{esc(getattr(t, 'severity', ''))}</td><td>{where}</td>"
                f"<td>{esc(getattr(t, 'type', ''))}</td>"
                f"<td>{esc(getattr(t, 'first_seen', ''))}</td></tr>"
            )
        out += ["</tbody>", "</table>"]
    return out + ["</section>"]


def _ignored(report: Report) -> list[str]:
    if not report.ignored:
        return []
    out = [
        '<section id="ignored">',
        f"<h2>Ignored ({len(report.ignored):,})</h2>",
        "<table>",
        "<thead><tr><th>Severity</th><th>Where</th><th>Type</th><th>Rule</th>"
        "<th>Reason</th></tr></thead>",
        "<tbody>",
    ]
    for i in report.ignored:
        f = i.finding
        out.append(
            f"<tr><td>{esc(f.severity)}</td><td>{code(f.path)}</td><td>{esc(f.type)}</td>"
            f"<td>{code(i.rule)}</td><td>{esc(i.reason)}</td></tr>"
        )
    return out + ["</tbody>", "</table>", "</section>"]


def _header(report: Report) -> list[str]:
    number = esc(report.project_number) if report.project_number else "not read"
    source = report.source_type + (f": {report.source_detail}" if report.source_detail else "")
    taken = f"; live state read {esc(report.source_taken_at)}" if report.source_taken_at else ""
    return [
        "<header>",
        f"<h1>drift report: <code>{esc(report.project)}</code></h1>",
        f'<p class="meta">Project number {number}; generated {esc(report.generated_at)}; '
        f"source {esc(source)}{taken}.</p>",
        f'<p class="meta">Baseline <code>{esc(report.baseline_path)}</code> (sha256 '
        f"<code>{esc(report.baseline_sha256[:12])}</code>).</p>",
        "</header>",
    ]


def render(report: Report, trend: Sequence[Mapping[str, Any]] | None = None) -> str:
    """The report as one HTML page (ASCII text, no external asset, no script).

    `trend` is the history store's `trend(store, project, runs=30)`: points
    `{date, critical, warning, info, new, resolved}`, oldest first; the last 30 are drawn.
    Without it (None or empty) the page says "No history yet".
    """
    history = has_history(report)
    body: list[str] = _header(report) + _not_checked(report) + [_verdict(report)]
    body += _cards(report, history)
    if report.notes:
        body += ['<ul class="notes">'] + [f"<li>Note: {esc(n)}</li>" for n in report.notes]
        body.append("</ul>")
    body += _trend(trend)
    findings, rules = _findings(report, history)
    body += findings + _history(report) + _comparison(report) + _ignored(report)
    body += [
        f'<footer class="muted">drift {esc(__version__)}; this page runs no script and '
        "loads nothing from the network.</footer>"
    ]
    style = CSS + rules
    title = f"drift: {report.project}"
    if report.not_checked:
        title += " (incomplete run)"
    head = [
        "<!DOCTYPE html>",
        '<html lang="en">',
        "<head>",
        '<meta charset="utf-8">',
        f'<meta http-equiv="Content-Security-Policy" content="{csp(style)}">',
        '<meta name="referrer" content="no-referrer">',
        '<meta name="viewport" content="width=device-width, initial-scale=1">',
        f"<title>{esc(title)}</title>",
        f"<style>{style}</style>",
        "</head>",
        "<body>",
    ]
    page = "\n".join(head + body + ["</body>", "</html>"]) + "\n"
    # ASCII bytes whatever the values hold: no encoding for a viewer to guess wrong.
    return page.encode("ascii", "xmlcharrefreplace").decode("ascii")
