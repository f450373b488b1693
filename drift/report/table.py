"""A readable terminal report grouped by resource (rich); colour only on a terminal.

One small table per drifted resource, then one table of unmanaged resources, so an
on-call engineer reads what drifted, where it is declared and the live value on one screen.
"""

from __future__ import annotations

import io
import json
from itertools import groupby
from typing import Any

from rich import box
from rich.console import Console
from rich.table import Table

from drift.model import Finding, Report
from drift.report.escape import escape_text

STYLE = {"critical": "bold red", "warning": "yellow", "info": "cyan"}
SECRET_REF_KEYS = {"secret", "version", "state"}
COLUMNS = ("severity", "type", "field", "expected", "actual", "declared at")


def _cell(value: Any) -> str:
    """A value as one escaped line: live values may carry terminal escapes or newlines."""
    if value is None:
        return "-"
    if isinstance(value, str):
        return escape_text(value)
    if isinstance(value, dict) and "secret" in value and set(value) <= SECRET_REF_KEYS:
        state = f", {value['state']}" if value.get("state") else ""
        return escape_text(f"secret {value['secret']} ({value.get('version', 'latest')}{state})")
    return escape_text(json.dumps(value, sort_keys=True))


def _line(console: Console, text: str, style: str | None = None) -> None:
    """Print one header line; its values (names, paths, server errors) are shown escaped."""
    console.print(escape_text(text), style=style)


def _header(console: Console, report: Report) -> None:
    counts = report.counts()
    number = f" ({report.project_number})" if report.project_number else ""
    _line(console, f"drift report for project {report.project}{number}", style="bold")
    _line(
        console,
        f"source: {report.source_type}, {report.source_detail}; baseline: {report.baseline_path}",
    )
    _line(
        console,
        f"{report.resources_checked} resources checked: {counts['critical']} critical, "
        f"{counts['warning']} warning, {counts['info']} info, {len(report.ignored)} ignored, "
        f"{len(report.not_checked)} not checked"
    )
    for nc in report.not_checked:
        region = f" in {nc.region}" if nc.region else ""
        _line(console, f"NOT CHECKED: {nc.kind}{region}: {nc.error}", style="bold red")
    for note in report.notes:
        _line(console, f"note: {note}")


def _short_source(source: str | None, baseline_path: str) -> str:
    """'expected/p/services.yaml:31' -> 'services.yaml:31' (the header names the folder)."""
    if not source:
        return "-"
    prefix = baseline_path.rstrip("/") + "/"
    return escape_text(source[len(prefix):] if source.startswith(prefix) else source)


def _resource_table(title: str, items: list[Finding], color: bool, baseline_path: str) -> Table:
    table = Table(title=escape_text(title), title_justify="left", box=box.SIMPLE_HEAD,
                  expand=False)
    for col in COLUMNS:
        wraps = col in ("expected", "actual")
        table.add_column(col, overflow="fold", no_wrap=not wraps)
    for f in items:
        # A broken reference's structured values read better as its sentence.
        if f.type == "broken_reference":
            expected, actual = "-", escape_text(f.message)
        else:
            expected, actual = _cell(f.expected), _cell(f.actual)
        table.add_row(
            f.severity, f.type, escape_text(f.field or "(resource)"), expected, actual,
            _short_source(f.source, baseline_path), style=STYLE.get(f.severity) if color else None,
        )
    return table


def _unmanaged_table(items: list[Finding], color: bool) -> Table:
    table = Table(title="live resources not declared in the baseline", title_justify="left",
                  box=box.SIMPLE_HEAD, expand=False)
    for col in ("severity", "kind", "resource", "region"):
        table.add_column(col)
    for f in items:
        table.add_row(f.severity, f.kind, escape_text(f.resource),
                      escape_text(f.region or "global"),
                      style=STYLE.get(f.severity) if color else None)
    return table


def render(report: Report, color: bool = False, width: int | None = 160) -> str:
    buf = io.StringIO()
    console = Console(
        file=buf, force_terminal=color, no_color=not color, width=width, highlight=False,
        emoji=False, markup=False, color_system="standard" if color else None,
    )
    _header(console, report)
    if not report.findings:
        clean = "No drift found." if not report.not_checked else (
            "No drift found in what could be checked; the run is incomplete.")
        console.print(clean)
    drifted = [f for f in report.findings if f.type != "unmanaged"]
    unmanaged = [f for f in report.findings if f.type == "unmanaged"]

    def key(f: Finding) -> tuple[str, str, str]:
        return (f.kind, f.resource, f.region or "")

    for (kind, resource, region), group in groupby(sorted(drifted, key=key), key=key):
        where = f" ({region})" if region else ""
        items = sorted(group, key=Finding.sort_key)
        console.print(
            _resource_table(f"{kind}/{resource}{where}", items, color, report.baseline_path)
        )
    if unmanaged:
        console.print(_unmanaged_table(sorted(unmanaged, key=Finding.sort_key), color))
    if report.ignored:
        console.print(
            f"{len(report.ignored)} finding(s) ignored by project rules "
            "(see --show-ignored or the JSON report)."
        )
    # rich pads lines to the table width; trailing blanks only garble pasted reports.
    return "\n".join(line.rstrip() for line in buf.getvalue().splitlines()) + "\n"
