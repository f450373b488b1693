"""The terminal report: what drifted, where it is declared and the live value, in one screen.

Two layouts, chosen by the width drift is given (the terminal's, `COLUMNS`, or 120 off a
terminal so files are byte-stable):
- wide (120 columns and more, when the columns fit): one heading per resource, then one
  row per field in aligned columns `severity | field, declared at | reasons | expected ->
  actual`; two values too long for one line are stacked, so `api-staging` sits right
  above `api.staging`;
- compact (narrower): one line per row, `severity  kind/resource field: expected -> actual
  file:line  [reasons]`, wrapped at word boundaries under a hanging indent.
Findings on one path share a row (drift/report/rows.py). Every string from a report is
escaped first (drift/report/escape.py): live values and server errors are untrusted.
A run that could not check something says so in its headline, never "no drift".
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from drift.model import SEVERITIES, Report
from drift.report.causes import group
from drift.report.escape import escape_text
from drift.report.layout import (
    Painter,
    Token,
    cells,
    clip,
    columns,
    list_tokens,
    pad,
    path_tokens,
    widest,
    words,
    wrap,
)
from drift.report.rows import Row, group_by_resource, merge

STYLE = {"critical": "bold red", "warning": "yellow", "info": "cyan"}
DEFAULT_WIDTH = 120  # off a terminal: wide enough for the wide layout, stable for files
WIDE_FROM = 120  # below this the compact layout reads better than squeezed columns
MIN_WIDTH = 20
SEV = max(len(s) for s in SEVERITIES)  # "critical"
INDENT, GAP = 2, 2
MIN_VALUE = 30  # a value column narrower than this is not worth the columns
VALUE_CAP = 400  # cells of one value shown before it is cut (the JSON report has it all)
# From this many rows the table is plain: one row per line (the compact layout, whatever
# the width) and values cut at BIG_VALUE_CAP cells, so thousands of findings stay fast to
# draw and to scroll; the JSON report holds every value.
BIG_ROWS = 1000
BIG_VALUE_CAP = 120
HEADINGS = ("severity", "field", "reasons", "expected -> actual")


@dataclass(frozen=True)
class Options:
    """How to draw: colour codes or not, the width to stay within, ignored findings listed."""

    color: bool = False
    width: int = DEFAULT_WIDTH
    show_ignored: bool = False


def _e(text: str) -> str:
    return escape_text(text)


def _resource(kind: str, resource: str, region: str | None) -> str:
    """`services/api (us-central1)`, escaped; a global resource has no region."""
    return _e(f"{kind}/{resource} ({region})" if region else f"{kind}/{resource}")


def _source(source: str | None, baseline_path: str) -> str:
    """'expected/p/services.yaml:31' -> 'services.yaml:31' (the header names the folder)."""
    if not source:
        return ""
    prefix = baseline_path.rstrip("/") + "/"
    return _e(source[len(prefix) :] if source.startswith(prefix) else source)


def _values(row: Row, cap: int = VALUE_CAP) -> tuple[str, str] | None:
    if row.values is None:
        return None
    return (clip(_e(row.values[0]), cap), clip(_e(row.values[1]), cap))


def _sentences(row: Row, cap: int = VALUE_CAP) -> list[str]:
    return [clip(_e(s), cap * 2) for s in row.sentences]


def _stacked(expected: str, actual: str, width: int) -> list[str]:
    """Expected above actual, both starting in the same column: `   X` over `-> Y`."""
    lines = []
    for mark, value in (("   ", expected), ("-> ", actual)):
        for i, line in enumerate(wrap(words(value), width - 3)):
            lines.append((mark if i == 0 else "   ") + line)
    return lines


def _value_lines(values: tuple[str, str] | None, width: int) -> list[str]:
    if values is None:
        return []
    inline = f"{values[0]} -> {values[1]}"
    return [inline] if cells(inline) <= width else _stacked(*values, width)


# -- the header -----------------------------------------------------------------------


def _plural(n: int, word: str) -> str:
    return f"{n} {word}" if n == 1 else f"{n} {word}s"


def _headline(report: Report, resources: int) -> tuple[str, str]:
    """The line that says how the run went (findings and resources counted apart), and its
    style. An incomplete run names what was not checked and never reads as "no drift"."""
    counts = report.counts()
    found = (
        f"{_plural(len(report.findings), 'finding')} on {_plural(resources, 'resource')}"
        f": " + ", ".join(f"{counts[s]} {s}" for s in SEVERITIES)
    )
    checked = f"{_plural(report.resources_checked, 'resource')} checked"
    ignored = f", {_plural(len(report.ignored), 'finding')} ignored" if report.ignored else ""
    if report.not_checked:
        missed = ", ".join(
            f"{nc.kind} in {nc.region}" if nc.region else nc.kind for nc in report.not_checked
        )
        return (
            f"INCOMPLETE RUN: not checked: {missed}. In what was checked ({checked}"
            f"{ignored}): {found if report.findings else '0 findings'}.",
            "bold red",
        )
    if report.findings:
        return f"DRIFT: {found}; {checked}{ignored}.", "bold"
    return f"No drift found: {checked}, all as declared{ignored}.", "bold green"


def _header(report: Report, rows: list[Row], width: int, paint: Painter) -> list[str]:
    number = f" ({report.project_number})" if report.project_number else ""
    resources = len({(r.kind, r.resource, r.region) for r in rows})
    headline, style = _headline(report, resources)
    lines = [
        paint(line, "bold")
        for line in _hanging(
            words(_e(f"drift report for project {report.project}{number}")), width, 2
        )
    ]
    lines += _hanging(
        words(
            _e(
                f"source: {report.source_type}, {report.source_detail}; "
                f"baseline: {report.baseline_path}"
            )
        ),
        width,
        2,
    )
    lines += [paint(line, style) for line in _hanging(words(_e(headline)), width, 2)]
    for cause in group(report.not_checked):  # one line per cause, naming where it hit
        text = _e(f"NOT CHECKED: {cause.line()}")
        lines += [paint(line, "bold red") for line in _hanging(words(text), width, 2)]
    for note in report.notes:
        lines += _hanging(words(_e(f"note: {note}")), width, 2)
    return lines


def _hanging(tokens: list[Token], width: int, indent: int) -> list[str]:
    """Wrapped lines: the first as wide as `width`, the rest `indent` narrower and indented."""
    first, *rest = wrap(tokens, width - indent, first=width)
    return [first] + [" " * indent + line for line in rest]


# -- the wide layout --------------------------------------------------------------------


def _wide(report: Report, rows: list[Row], width: int, paint: Painter) -> list[str] | None:
    """Aligned columns per resource, or None when the value column would be too narrow."""
    drifted = [r for r in rows if not r.unmanaged_only]
    fields = {id(r): path_tokens(_e(r.field or "(resource)"), "") for r in drifted}
    sources = {id(r): _source(r.source, report.baseline_path) for r in drifted}
    reasons = {id(r): list_tokens((_e(x) for x in r.reasons), "") for r in drifted}
    values = {id(r): _values(r) for r in drifted}

    def span(tokens: list[Token]) -> int:
        return cells("".join(sep + text for sep, text in tokens).lstrip())

    f_nat = max(
        [len(HEADINGS[1])] + [max(span(fields[id(r)]), cells(sources[id(r)])) for r in drifted]
    )
    f_min = max(
        [len(HEADINGS[1])] + [max(widest(fields[id(r)]), cells(sources[id(r)])) for r in drifted]
    )
    r_nat = max([len(HEADINGS[2])] + [span(reasons[id(r)]) for r in drifted])
    r_min = max([len(HEADINGS[2])] + [widest(reasons[id(r)]) for r in drifted])
    need = max([MIN_VALUE] + [3 + max(cells(v[0]), cells(v[1])) for v in values.values() if v])
    need = min(need, 3 + 60)  # a longer value wraps inside its column
    avail = width - INDENT - SEV - 3 * GAP
    f_w, r_w = f_nat, r_nat
    if avail - f_w - r_w < need:
        r_w = max(r_min, r_w - (need - (avail - f_w - r_w)))
    if avail - f_w - r_w < need:
        f_w = max(f_min, f_w - (need - (avail - f_w - r_w)))
    v_w = avail - f_w - r_w
    if v_w < MIN_VALUE:
        return None

    out: list[str] = []
    if drifted:
        out += [
            paint(line, "bold")
            for line in columns(
                [([h], w, None) for h, w in zip(HEADINGS, (SEV, f_w, r_w, v_w), strict=True)],
                paint,
                INDENT,
                GAP,
            )
        ]
    for key, members in group_by_resource(drifted):
        out += [paint(line, "bold") for line in wrap(words(_resource(*key)), width)]
        for row in members:
            field_cell = wrap(fields[id(row)], f_w)
            if sources[id(row)]:
                field_cell += wrap(words(sources[id(row)]), f_w)
            value_cell = _value_lines(values[id(row)], v_w)
            for sentence in _sentences(row):
                value_cell += wrap(words(sentence), v_w)
            out += columns(
                [
                    ([row.severity], SEV, STYLE.get(row.severity)),
                    (field_cell, f_w, None),
                    (wrap(reasons[id(row)], r_w), r_w, None),
                    (value_cell, v_w, None),
                ],
                paint,
                INDENT,
                GAP,
            )
    return out + _unmanaged(rows, width, paint, after=bool(out))


def _unmanaged(rows: list[Row], width: int, paint: Painter, after: bool) -> list[str]:
    """The live resources not declared in the baseline: a list of names, last."""
    unmanaged = [r for r in rows if r.unmanaged_only]
    out: list[str] = []
    if unmanaged:
        out += [""] if after else []
        out += [paint("live resources not declared in the baseline", "bold")]
        for row in unmanaged:
            name = wrap(
                words(_resource(row.kind, row.resource, row.region)), width - INDENT - SEV - GAP
            )
            out += columns(
                [([row.severity], SEV, STYLE.get(row.severity)), (name, 0, None)],
                paint,
                INDENT,
                GAP,
            )
    return out


# -- the compact layout -----------------------------------------------------------------


def _compact_row(
    row: Row, width: int, baseline_path: str, paint: Painter, cap: int = VALUE_CAP
) -> list[str]:
    """`severity  kind/resource field: expected -> actual  file:line  [reasons]`, wrapped."""
    hang = SEV + GAP
    inner = width - hang
    head = words(_resource(row.kind, row.resource, row.region), "")
    if row.field:
        field = _e(row.field)
        # A field breaks after a `/` only when it cannot fit a line whole.
        head += path_tokens(field, " ") if cells(field) + 1 >= inner else [(" ", field)]
    sep, last = head[-1]
    head[-1] = (sep, last + ":")
    lines = wrap(head, inner)
    sentences = _sentences(row, cap)
    values = _values(row, cap)
    if values is not None:
        inline = f"{values[0]} -> {values[1]}"
        if cells(lines[-1] + " " + inline) <= inner:
            lines[-1] += " " + inline
        else:
            lines += _value_lines(values, inner)
    elif sentences:
        lines[-1:] = wrap(words(sentences.pop(0)), inner, start=lines[-1])
    tail: list[Token] = []
    source = _source(row.source, baseline_path)
    if source:
        tail.append(("  ", source))
    if not row.unmanaged_only:
        tag = "[" + ", ".join(_e(r) for r in row.reasons) + "]"
        tail += [("  ", tag)] if cells(tag) <= inner else words(tag, "  ")
    if tail:
        lines[-1:] = wrap(tail, inner, start=lines[-1])
    for sentence in sentences:
        lines += wrap(words(sentence), inner)
    first = paint(pad(row.severity, SEV), STYLE.get(row.severity)) + " " * GAP + lines[0]
    return [first.rstrip()] + [(" " * hang + line).rstrip() for line in lines[1:]]


def _compact(
    report: Report, rows: list[Row], width: int, paint: Painter, cap: int = VALUE_CAP
) -> list[str]:
    out: list[str] = []
    for _, members in group_by_resource(rows):
        for row in members:
            out += _compact_row(row, width, report.baseline_path, paint, cap)
    return out


# -- the report -------------------------------------------------------------------------


def _footer(report: Report, opts: Options) -> list[str]:
    if not report.ignored:
        return []
    if not opts.show_ignored:
        return wrap(
            words(
                f"{len(report.ignored)} finding(s) ignored by project rules "
                "(see --show-ignored or the JSON report)."
            ),
            opts.width,
        )
    out = []
    for i in report.ignored:
        text = _e(f"ignored: {i.finding.path} ({i.finding.type}) by {i.rule}: {i.reason}")
        out += _hanging(words(text), opts.width, 2)
    return out


def render(
    report: Report, color: bool = False, width: int | None = None, show_ignored: bool = False
) -> str:
    """The report as terminal text no wider than `width` cells, colour codes if `color`."""
    opts = Options(color, max(MIN_WIDTH, width or DEFAULT_WIDTH), show_ignored)
    paint = Painter(opts.color)
    rows = merge(report.findings)
    lines = _header(report, rows, opts.width, paint)
    body: list[str] | None = None
    if len(rows) >= BIG_ROWS:
        note = (
            f"{len(rows)} rows: one per line, values longer than {BIG_VALUE_CAP} "
            "characters cut; the JSON report (--format json) holds every value."
        )
        lines += _hanging(words(note), opts.width, 2)
        drifted = [r for r in rows if not r.unmanaged_only]
        body = _compact(report, drifted, opts.width, paint, BIG_VALUE_CAP)
        body += _unmanaged(rows, opts.width, paint, after=bool(body))
    if rows and body is None and opts.width >= WIDE_FROM:
        body = _wide(report, rows, opts.width, paint)
    if rows and body is None:
        body = _compact(report, rows, opts.width, paint)
    if body:
        lines += [""] + body
    footer = _footer(report, opts)
    if footer:
        lines += [""] + footer
    return "\n".join(line.rstrip() for line in lines) + "\n"


def renderer(color: bool, width: int | None, show_ignored: bool) -> Callable[[Report], str]:
    """`render` with its options bound: the formatter interface of drift/report."""
    return lambda report: render(report, color=color, width=width, show_ignored=show_ignored)
