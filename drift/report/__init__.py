"""One pure formatter per format (Report -> str) and atomic file writing; the CLI picks one."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from drift.model import Report

FORMATS = ("table", "json", "sarif", "junit", "markdown", "html")


def formatter(
    name: str,
    color: bool = False,
    width: int | None = None,
    show_ignored: bool = False,
    link_base: str | None = None,
    trend: list[dict[str, Any]] | None = None,
) -> Callable[[Report], str]:
    """The formatter for `name`; every name in FORMATS has one (tests check it).

    `color`, `width` (terminal cells; None: the table's fixed default, byte-stable) and
    `show_ignored` only matter to the table (drift/report/terminal.py chooses them);
    `link_base` (the URL sources link under) to markdown; `trend` (the history store's
    last runs, drift/report/svg.py) to html, which says "No history yet" without it.
    """
    if name == "json":
        from drift.report.json_format import render

        return render
    if name == "table":
        from drift.report.table import renderer

        return renderer(color, width, show_ignored)
    if name == "sarif":
        from pathlib import Path

        from drift.report.sarif import renderer as sarif_renderer

        return sarif_renderer(Path.cwd())  # URIs relative to the baseline's repository
    if name == "junit":
        from drift.report.junit import render as junit_render

        return junit_render
    if name == "markdown":
        from functools import partial

        from drift.report.markdown import render as markdown_render

        return partial(markdown_render, link_base=link_base)
    if name == "html":
        from functools import partial

        from drift.report.html import render as html_render

        return partial(html_render, trend=trend)
    raise ValueError(f"unknown format {name!r}; choose one of: {', '.join(FORMATS)}")
