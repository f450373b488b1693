"""One pure formatter per format (Report -> str) and atomic file writing; the CLI picks one."""

from __future__ import annotations

import shutil
from collections.abc import Callable

from drift.model import Report

FORMATS = ("table", "json")


def formatter(name: str, color: bool = False) -> Callable[[Report], str]:
    """The formatter for `name`; every name in FORMATS has one (tests check it)."""
    if name == "json":
        from drift.report.json_format import render

        return render
    if name == "table":
        from drift.report.table import render as render_table

        # On a terminal use its width; elsewhere a fixed width keeps output byte-stable.
        width = max(100, shutil.get_terminal_size((160, 24)).columns) if color else 160
        return lambda report: render_table(report, color=color, width=width)
    raise ValueError(f"unknown format {name!r}; choose one of: {', '.join(FORMATS)}")
