"""The trend of the last runs as an inline SVG bar chart, for the HTML report.

One stacked bar per run (critical at the bottom, then warning, then info), oldest on the
left; each bar carries a `<title>` (the tooltip and what a screen reader reads) with the
run's date and all five numbers. No style attributes (the report's Content-Security-Policy
allows only its one hashed stylesheet): colours come from classes (`c-critical`, ...).

The points come from the history store (drift/history/trend.py `trend(store, project,
runs=30)`): a list of `{date, critical, warning, info, new, resolved}`, oldest first,
optionally with `generated_at` (named in the tooltip: several runs can share a date) and
`not_checked` (an incomplete run gets a mark above its bar). A store is a file on disk,
so every point is read defensively: a count that is not a non-negative integer counts 0,
and the date is text like any other value (escaped, never markup).
"""

from __future__ import annotations

import html
from collections.abc import Mapping, Sequence
from typing import Any

from drift.report.escape import escape_text

RUNS = 30
COUNTS = ("critical", "warning", "info", "new", "resolved")
STACK = ("critical", "warning", "info")
WIDTH = 640
HEIGHT = 180
LEFT = 40  # room for the y-axis labels
BOTTOM = 24  # room for the first and last date
TOP = 8


def esc(value: object) -> str:
    """Any value as text for HTML or SVG: control characters shown (`\\x1b`), markup
    characters as entities, quotes included (safe in an attribute too)."""
    return html.escape(escape_text(str(value)), quote=True)


def count(point: Mapping[str, Any], name: str) -> int:
    """One count of a trend point; anything but a non-negative int (bools too) is 0."""
    value = point.get(name)
    if isinstance(value, bool) or not isinstance(value, int) or value < 0:
        return 0
    return value


def points(trend: Sequence[Mapping[str, Any]] | None, runs: int = RUNS) -> list[dict[str, Any]]:
    """The last `runs` points of `trend`, each as {date: str, five counts: int}."""
    out = []
    for point in list(trend or [])[-runs:]:
        if not isinstance(point, Mapping):
            continue
        date, when = point.get("date"), point.get("generated_at")
        entry: dict[str, Any] = {"date": "" if date is None else str(date)}
        entry["when"] = when if isinstance(when, str) and when else entry["date"]
        entry.update({name: count(point, name) for name in (*COUNTS, "not_checked")})
        out.append(entry)
    return out


def describe(point: Mapping[str, Any]) -> str:
    """One run in words, as its bar's tooltip and the data table say it."""
    numbers = ", ".join(f"{point[name]} {name}" for name in COUNTS)
    if point.get("not_checked"):
        numbers += f"; incomplete run, {point['not_checked']} not checked"
    return f"{point.get('when') or point['date'] or '(no date)'}: {numbers}"


def _num(x: float) -> str:
    """A coordinate with one decimal, written the same way on every platform."""
    return f"{x:.1f}".removesuffix(".0")


def chart(trend: Sequence[Mapping[str, Any]] | None, runs: int = RUNS) -> str:
    """The SVG element for the last `runs` points of `trend`; "" when there is none."""
    pts = points(trend, runs)
    if not pts:
        return ""
    top = max(max(sum(p[s] for s in STACK) for p in pts), 1)
    plot_w = WIDTH - LEFT - 8
    plot_h = HEIGHT - TOP - BOTTOM
    slot = plot_w / max(len(pts), 1)
    bar = max(slot * 0.7, 1.0)
    base = TOP + plot_h
    parts = [
        f'<svg class="trend" xmlns="http://www.w3.org/2000/svg" width="{WIDTH}" '
        f'height="{HEIGHT}" viewBox="0 0 {WIDTH} {HEIGHT}" role="img" '
        f'aria-labelledby="trend-title">',
        f'<title id="trend-title">Findings per run, last {len(pts)} run'
        f"{'s' if len(pts) != 1 else ''} (critical, warning, info stacked)</title>",
        f'<line class="axis" x1="{LEFT}" y1="{base}" x2="{WIDTH - 8}" y2="{base}"/>',
        f'<line class="axis" x1="{LEFT}" y1="{TOP}" x2="{LEFT}" y2="{base}"/>',
        f'<text class="tick" x="{LEFT - 4}" y="{TOP + 10}" text-anchor="end">{top}</text>',
        f'<text class="tick" x="{LEFT - 4}" y="{base}" text-anchor="end">0</text>',
    ]
    for i, p in enumerate(pts):
        x = LEFT + i * slot + (slot - bar) / 2
        y = float(base)
        parts.append(f"<g><title>{esc(describe(p))}</title>")
        for severity in STACK:
            h = p[severity] / top * plot_h
            if h <= 0:
                continue
            y -= h
            parts.append(
                f'<rect class="c-{severity}" x="{_num(x)}" y="{_num(y)}" '
                f'width="{_num(bar)}" height="{_num(h)}"/>'
            )
        if p["not_checked"]:  # an incomplete run's counts are a floor: marked above
            parts.append(
                f'<rect class="c-incomplete" x="{_num(x)}" y="{_num(max(y - 6, 0))}" '
                f'width="{_num(bar)}" height="3"/>'
            )
        if sum(p[s] for s in STACK) == 0:  # a clean run still shows as a run
            parts.append(
                f'<rect class="c-zero" x="{_num(x)}" y="{base - 1}" width="{_num(bar)}" '
                'height="1"/>'
            )
        parts.append("</g>")
    label_y = HEIGHT - 6
    parts.append(f'<text class="tick" x="{LEFT}" y="{label_y}">{esc(pts[0]["date"])}</text>')
    if len(pts) > 1:
        parts.append(
            f'<text class="tick" x="{WIDTH - 8}" y="{label_y}" text-anchor="end">'
            f"{esc(pts[-1]['date'])}</text>"
        )
    parts.append("</svg>")
    return "\n".join(parts)
