"""The report as GitHub-flavoured Markdown, for a pull-request comment or a job summary.

Layout, top to bottom: a hidden marker `<!-- drift:project=P -->` (a comment updated in
place is found by it), a heading, what was not checked (an incomplete run says so first
and never says "no drift"), one summary line (counts by severity and, with --compare-to,
resolved / introduced / unchanged), a table of the critical findings, the others in one
`<details>` block per resource, then with --compare-to the resolved findings and the
declarations changed since REF, and a footer naming the source and the baseline.
Findings on one path are one row listing every reason (drift/report/rows.py).

Live values are untrusted: whoever controls the project writes them, and the comment is
rendered by GitHub. So every string drift did not write itself goes through one of three
functions here, never into the Markdown raw:

- `code(text)`: a code span. Inside one, Markdown, HTML, links, `@mentions` and `#123`
  references mean nothing; the fence is one backtick longer than any run inside, and `|`
  is written `\\|` (in a table cell GitHub splits on a pipe unless a backslash is right
  before it, and removes that backslash).
- `text(text)`: plain text. Every ASCII punctuation character is backslash-escaped (so
  `<script>`, `[x](javascript:...)`, `*`, `|` are only characters), and a zero-width
  space after `@`, `#`, `://` and `www.` keeps GitHub from turning names into mentions,
  issue links or web links.
- `html(text)`: text inside an HTML block (the `<summary>` of a `<details>`), where
  Markdown is not parsed: `<`, `>`, `&` and quotes as entities.

All three first show control characters escaped (drift/report/escape.py), so a value
is one line and a newline cannot end a table row, and cut a long value after
VALUE_LIMIT characters with `(N more characters; the JSON report has all)`.

GitHub keeps at most 65,536 characters of a comment: the whole text stays under LIMIT
(counted in UTF-8 bytes, which is never fewer than characters); rows that do not fit
are left out and a closing line says how many, and where to read them all.
"""

from __future__ import annotations

import html as html_lib
import re
import urllib.parse
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

from drift.model import SEVERITY_RANK, BaselineChange, Report
from drift.report.escape import escape_text
from drift.report.rows import Row, merge

LIMIT = 65_536
# Kept free below LIMIT for the closing "left out" note (the footer is measured).
RESERVE = 400
VALUE_LIMIT = 300
ZWSP = "&#8203;"  # zero-width space, as an entity so the source stays ASCII
# ASCII punctuation that means something inline in GitHub Markdown (`$` starts math).
_SPECIAL = re.compile(r"([\\`*_{}\[\]<>()#+!|~&@$])")
_BREAK = re.compile(r"(?i)(www(?=\.)|:(?=//)|:(?=[a-z0-9_+-]+:))")
_SOURCE = re.compile(r"^(?P<file>[^:]+):(?P<line>[0-9]+)$")
SAFE_BASE = re.compile(r"^https?://[A-Za-z0-9._~:/%@+=,;!$&*-]+$")


def _size(text: str) -> int:
    return len(text.encode("utf-8"))


def _cut(value: str, limit: int = VALUE_LIMIT) -> tuple[str, str]:
    """(value shown escaped, at most `limit` characters; the cut marker, or "")."""
    out: list[str] = []
    used = 0
    for i, char in enumerate(value):
        shown = escape_text(char)
        if used + len(shown) > limit:
            return "".join(out), f"({len(value) - i:,} more characters; the JSON report has all)"
        out.append(shown)
        used += len(shown)
    return "".join(out), ""


def code(value: str, limit: int = VALUE_LIMIT, table: bool = True) -> str:
    """`value` as an inline code span (see the module docstring). In a table cell (the
    default) `|` is written `\\|`; elsewhere that backslash would show, and a pipe is
    only a character."""
    shown, more = _cut(value, limit)
    if not shown:
        return "(empty)" + (f" {more}" if more else "")
    longest = max((len(run) for run in re.findall(r"`+", shown)), default=0)
    fence = "`" * (longest + 1)
    # The renderer removes one space from both ends when both have one: padding keeps a
    # backtick at either end from joining the fence, and a value's own spaces shown.
    # (A span of spaces only is shown as it is.)
    pad = " " if shown.strip(" ") and (shown[0] in "` " or shown[-1] in "` ") else ""
    if table:
        shown = shown.replace("|", "\\|")
    span = f"{fence}{pad}{shown}{pad}{fence}"
    return f"{span} {more}" if more else span


def text(value: str, limit: int | None = VALUE_LIMIT) -> str:
    """`value` as inline Markdown text that can only render as those characters.

    Inline: the result is never put at the start of a line (where `-`, `1.` or `=` would
    start a block), and every caller writes something before it.
    """
    shown, more = _cut(value, limit) if limit else (escape_text(value), "")
    if more:
        shown = f"{shown} {more}"
    escaped = _SPECIAL.sub(r"\\\1", shown)
    # GitHub links mentions, issue numbers and URLs, and draws :emoji:, in rendered
    # text, escaped or not: a zero-width space after `@`, `#`, `www` and a `:` that is
    # followed by a word or `/` breaks each of them, and shows nothing.
    escaped = escaped.replace("\\@", "\\@" + ZWSP).replace("\\#", "\\#" + ZWSP)
    return _BREAK.sub(lambda m: m.group(1) + ZWSP, escaped)


def html(value: str, limit: int = VALUE_LIMIT) -> str:
    """`value` for an HTML block (a `<summary>`), inside `<code>` so mentions stay text."""
    shown, more = _cut(value, limit)
    body = f"<code>{html_lib.escape(shown, quote=True)}</code>"
    return f"{body} {html_lib.escape(more)}" if more else body


def marker(project: str) -> str:
    """The hidden comment a later `drift comment` finds its comment by."""
    # Percent-encoded so that no project id can close the comment (`-->`).
    safe = urllib.parse.quote(project, safe="._~").replace("--", "-%2D")
    return f"<!-- drift:project={safe} -->"


def source_link(source: str | None, link_base: str | None) -> str:
    """`file:line` as a link to that line under `link_base`, else as plain text.

    Only a relative path without `..` is linked: it is relative to where drift ran, which
    `link_base` names. A source at a git ref (`origin/main:expected/...`) is not in the
    tree the link base shows, so it is text.
    """
    if not source:
        return ""
    m = _SOURCE.match(source)
    path = m.group("file") if m else ""
    parts = path.split("/")
    if not link_base or not m or path.startswith("/") or ".." in parts or "" in parts:
        return text(source)
    url = f"{link_base.rstrip('/')}/{urllib.parse.quote(path)}#L{m.group('line')}"
    label = text(path.rsplit("/", 1)[-1] + ":" + m.group("line"))
    return f"[{label}]({url})"


def _count(n: int, noun: str, plural: str | None = None) -> str:
    return f"{n:,} {noun}" if n == 1 else f"{n:,} {plural or noun + 's'}"


def _where(kind: str, resource: str, region: str | None) -> str:
    return code(f"{kind}/{resource}") + (f" ({text(region)})" if region else "")


def _changes(row: Row) -> str:
    seen = [
        c
        for c in ("introduced", "resolved", "unchanged")
        if any(f.change == c for f in row.findings)
    ]
    return ", ".join(seen)


def _reasons(row: Row) -> str:
    cell = text(", ".join(row.reasons))
    for sentence in row.sentences:
        cell += "<br>" + text(sentence)
    return cell


def _values(row: Row) -> tuple[str, str]:
    if row.values is None:
        return "", ""
    return code(row.values[0]), code(row.values[1])


def _field(row: Row) -> str:
    return code(row.field) if row.field else "(resource)"


@dataclass
class _Doc:
    """The comment being written, with what is left of the size budget."""

    limit: int
    parts: list[str] = field(default_factory=list)
    size: int = 0
    left_out: int = 0

    def fits(self, chunk: str, after: int = 0) -> bool:
        return self.size + _size(chunk) + after <= self.limit - RESERVE

    def add(self, chunk: str) -> None:
        self.parts.append(chunk)
        self.size += _size(chunk)

    def table(
        self,
        header: list[str],
        rows: list[list[str]],
        before: str = "",
        after: str = "",
    ) -> None:
        """`before`, a table, `after`; rows that do not fit are counted in `left_out`.
        Nothing is written when not even the first row fits."""
        head = (
            before
            + "| "
            + " | ".join(header)
            + " |\n"
            + "|"
            + "|".join(" --- " for _ in header)
            + "|\n"
        )
        lines = ["| " + " | ".join(cell or " " for cell in r) + " |\n" for r in rows]
        closing = after
        if not lines or not self.fits(head + lines[0], _size(closing)):
            self.left_out += len(rows)
            return
        self.add(head)
        for i, line in enumerate(lines):
            if not self.fits(line, _size(closing)):
                self.left_out += len(lines) - i
                break
            self.add(line)
        self.add(closing)


def _summary_line(report: Report) -> str:
    counts = report.counts()
    total = len(report.findings)
    checked = _count(report.resources_checked, "resource") + " checked"
    extra = f", {_count(len(report.ignored), 'finding')} ignored" if report.ignored else ""
    if total == 0 and not report.not_checked:
        line = f"**No drift found.** {checked}; everything declared matches{extra}."
    elif total == 0:
        line = f"**0 findings in what could be checked** ({checked}{extra})."
    else:
        by = ", ".join(f"{counts[s]} {s}" for s in ("critical", "warning", "info"))
        line = f"**{_count(total, 'finding')}: {by}** ({checked}{extra})."
    changes = report.change_counts()
    if report.comparison is not None and changes is not None:
        comp = report.comparison
        at = code(comp.ref, table=False) + f" ({code(comp.commit[:12], table=False)})"
        base = "" if comp.baseline_path else "; no baseline there, so every finding is new"
        line += (
            f" Against {at}: {changes['resolved']} resolved, {changes['introduced']} "
            f"introduced, {changes['unchanged']} unchanged{base}."
        )
    return line + "\n\n"


def _not_checked(doc: _Doc, report: Report) -> None:
    """First thing after the heading: an incomplete run says so, whatever else fits."""
    if not report.not_checked:
        return
    n = len(report.not_checked)
    doc.add(
        f"**Incomplete run: {_count(n, 'scope')} could not be checked**, so this report "
        "cannot tell whether they drifted (exit code 1):\n\n"
    )
    items = sorted(report.not_checked, key=lambda n: (n.kind, n.region or "", n.error))
    for i, nc in enumerate(items):
        where = f" in {text(nc.region)}" if nc.region else ""
        line = f"- {code(nc.kind, table=False)}{where}: {text(nc.error)}\n"
        if not doc.fits(line, 4_000):  # the summary line must still fit after the list
            doc.add(f"- and {n - i} more (the JSON report lists them all)\n")
            break
        doc.add(line)
    doc.add("\n")


def _critical(doc: _Doc, rows: list[Row], compare: bool, link: Callable[[str | None], str]) -> None:
    if not rows:
        return
    if compare:  # what this change brings first: that is what a reviewer decides on
        rows = sorted(rows, key=lambda r: 0 if "introduced" in _changes(r) else 1)
    header = ["Resource", "Field", "Reasons", "Expected", "Actual", "Declared at"]
    body = []
    for r in rows:
        expected, actual = _values(r)
        cells = [
            _where(r.kind, r.resource, r.region),
            _field(r),
            _reasons(r),
            expected,
            actual,
            link(r.source),
        ]
        body.append(([_changes(r)] if compare else []) + cells)
    doc.table(
        (["Change"] if compare else []) + header,
        body,
        before=f"#### Critical ({_count(len(rows), 'row')})\n\n",
        after="\n",
    )


def _per_resource(
    doc: _Doc, rows: list[Row], compare: bool, link: Callable[[str | None], str], other: bool
) -> None:
    groups: dict[tuple[str, str, str], list[Row]] = {}
    for r in rows:
        groups.setdefault((r.kind, r.resource, r.region or ""), []).append(r)

    def order(key: tuple[str, str, str]) -> tuple[int, str, str, str]:
        return (min(SEVERITY_RANK[r.severity] for r in groups[key]), *key)

    # Written with the first block, so that no heading stands above nothing.
    heading = f"#### {'Other findings' if other else 'Findings'}, by resource\n\n"
    header = ["Field", "Severity", "Reasons", "Expected", "Actual", "Declared at"]
    for key in sorted(groups, key=order):
        members = groups[key]
        kind, resource, region = key
        counts: dict[str, int] = {}
        for r in members:
            counts[r.severity] = counts.get(r.severity, 0) + 1
        by = ", ".join(f"{counts[s]} {s}" for s in ("critical", "warning", "info") if s in counts)
        where = html(f"{kind}/{resource}") + (f" ({html(region)})" if region else "")
        introduced = sum(1 for r in members if "introduced" in _changes(r))
        new = f", {introduced} introduced" if compare and introduced else ""
        body = []
        for r in members:
            expected, actual = _values(r)
            cells = [_field(r), r.severity, _reasons(r), expected, actual, link(r.source)]
            body.append(([_changes(r)] if compare else []) + cells)
        size = doc.size
        doc.table(
            (["Change"] if compare else []) + header,
            body,
            before=f"{heading}<details><summary>{where}: {by}{new}</summary>\n\n",
            after="\n</details>\n\n",
        )
        if doc.size != size:
            heading = ""


def _resolved(doc: _Doc, report: Report, link: Callable[[str | None], str]) -> None:
    resolved = report.resolved
    if not resolved:
        return
    rows = merge(resolved)
    header = ["Resource", "Field", "Severity", "Reasons", "Expected", "Actual", "Declared at"]
    body = []
    for r in rows:
        expected, actual = _values(r)
        body.append(
            [
                _where(r.kind, r.resource, r.region),
                _field(r),
                r.severity,
                _reasons(r),
                expected,
                actual,
                link(r.source),
            ]
        )
    n = len(resolved)
    doc.table(
        header,
        body,
        before=(
            f"<details><summary>Resolved by this change: {_count(n, 'finding')} "
            "the baseline at the compared ref had</summary>\n\n"
        ),
        after="\n</details>\n\n",
    )


def _baseline_changes(
    doc: _Doc, changes: Iterable[BaselineChange], ref: str, link: Callable[[str | None], str]
) -> None:
    changes = list(changes)
    if not changes:
        return
    body = [
        [c.change, code(c.path), text(c.region) if c.region else "", link(c.source)]
        for c in changes
    ]
    doc.table(
        ["Change", "Declaration", "Region", "Declared at"],
        body,
        before=(
            f"<details><summary>Baseline changes since {html(ref)}: "
            f"{_count(len(changes), 'declaration')}</summary>\n\n"
        ),
        after="\n</details>\n\n",
    )


def _footer(report: Report) -> str:
    source = report.source_type + (f": {report.source_detail}" if report.source_detail else "")
    parts = [
        f"source {text(source)}",
        f"baseline {code(report.baseline_path, table=False)} "
        f"(sha256 {code(report.baseline_sha256[:12], table=False)})",
        f"generated {text(report.generated_at)}",
    ]
    if report.comparison is not None:
        comp = report.comparison
        parts.append(
            f"compared to {code(comp.ref, table=False)} ({code(comp.commit[:12], table=False)})"
        )
    return "---\n" + "; ".join(parts) + ".\n"


def render(report: Report, link_base: str | None = None, limit: int = LIMIT) -> str:
    """The report as Markdown of at most `limit` UTF-8 bytes (so characters too).

    `link_base` is the URL of the folder drift ran in as shown at the commit checked
    (`https://github.com/OWNER/REPO/blob/SHA`); sources then link to their line. It must
    be an http(s) URL of plain URL characters, else sources are not linked.
    """
    base = link_base if link_base and SAFE_BASE.match(link_base) else None

    def link(source: str | None) -> str:
        return source_link(source, base)

    footer = _footer(report)
    doc = _Doc(limit - _size(footer))
    doc.add(marker(report.project) + "\n")
    doc.add(f"### drift: {code(report.project, table=False)}\n\n")
    _not_checked(doc, report)
    doc.add(_summary_line(report))
    for note in report.notes:
        chunk = f"Note: {text(note)}\n\n"
        if doc.fits(chunk):
            doc.add(chunk)
    rows = merge(report.findings)
    compare = report.comparison is not None
    critical = [r for r in rows if r.severity == "critical"]
    _critical(doc, critical, compare, link)
    _per_resource(
        doc, [r for r in rows if r.severity != "critical"], compare, link, other=bool(critical)
    )
    if report.comparison is not None:
        _resolved(doc, report, link)
        _baseline_changes(doc, report.comparison.baseline_changes, report.comparison.ref, link)
    if doc.left_out:
        doc.add(
            f"**{_count(doc.left_out, 'row')} left out** to stay within GitHub's 65,536 "
            "characters per comment; the JSON report (`--format json`) has every finding.\n\n"
        )
    return "".join(doc.parts) + footer
