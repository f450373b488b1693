"""A readable terminal report grouped by resource (rich); colour only on a terminal."""

from __future__ import annotations

import io
import json
from itertools import groupby
from typing import Any

from rich.console import Console
from rich.table import Table

from drift.model import Finding, Report

STYLE = {"critical": "bold red", "warning": "yellow", "info": "cyan"}


def _cell(value: Any) -> str:
    if value is None:
        return "-"
    if isinstance(value, str):
        return value
    return json.dumps(value, sort_keys=True)


def render(report: Report, color: bool = False, width: int = 140) -> str:
    buf = io.StringIO()
    console = Console(
        file=buf,
        force_terminal=color,
        no_color=not color,
        width=width,
        highlight=False,
        emoji=False,
        color_system="standard" if color else None,
    )
    counts = report.counts()
    number = f" ({report.project_number})" if report.project_number else ""
    console.print(f"drift report for project {report.project}{number}", style="bold", markup=False)
    console.print(
        f"source: {report.source_type} {report.source_detail}".rstrip()
        + f"   baseline: {report.baseline_path}",
        markup=False,
    )
    console.print(
        f"{report.resources_checked} resources checked: {counts['critical']} critical, "
        f"{counts['warning']} warning, {counts['info']} info, {len(report.ignored)} ignored, "
        f"{len(report.not_checked)} not checked",
        markup=False,
    )
    for nc in report.not_checked:
        region = f" in {nc.region}" if nc.region else ""
        console.print(f"NOT CHECKED: {nc.kind}{region}: {nc.error}", style="bold red", markup=False)
    for note in report.notes:
        console.print(f"note: {note}", markup=False)
    if not report.findings:
        console.print(
            "No drift found."
            if not report.not_checked
            else "No drift found in what could be checked.",
            markup=False,
        )
    key = lambda f: (f.kind, f.resource, f.region or "")  # noqa: E731
    for (kind, resource, region), group in groupby(sorted(report.findings, key=key), key=key):
        items: list[Finding] = sorted(group, key=Finding.sort_key)
        where = f" ({region})" if region else ""
        table = Table(
            title=f"{kind}/{resource}{where}", title_justify="left", show_lines=False, expand=False
        )
        for col in ("severity", "type", "field", "expected", "actual", "declared at"):
            table.add_column(col, overflow="fold")
        for f in items:
            table.add_row(
                f.severity,
                f.type,
                f.field or "-",
                _cell(f.expected),
                _cell(f.actual),
                f.source or "-",
                style=STYLE.get(f.severity) if color else None,
            )
        console.print(table)
    if report.ignored:
        console.print(
            f"{len(report.ignored)} finding(s) ignored by project rules "
            "(listed in the JSON report).",
            markup=False,
        )
    return buf.getvalue()
