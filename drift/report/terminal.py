"""Where the table goes decides how it is drawn: colour, and the width to stay within.

- Colour (`--color auto|always|never`): `always` and `never` are obeyed as given; `auto`
  colours only a terminal, and not when `NO_COLOR` is set to anything (no-color.org) or
  `TERM=dumb` (a terminal that shows escape codes as text). A report written with
  `--output FILE` is never coloured under `auto`.
- Width: `COLUMNS` when set (the user's word, and how tests pin it), else the terminal's
  real width when stdout is one, else a fixed 120 so files and pipes are byte-stable.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from typing import IO

from drift.report.table import DEFAULT_WIDTH, MIN_WIDTH

COLOR_CHOICES = ("auto", "always", "never")


def use_color(choice: str, env: Mapping[str, str], on_terminal: bool) -> bool:
    """Whether to colour: `on_terminal` is stdout being a terminal that gets the report."""
    if choice not in COLOR_CHOICES:
        raise ValueError(f"--color must be one of {', '.join(COLOR_CHOICES)}, not {choice!r}")
    if choice != "auto":
        return choice == "always"
    if env.get("NO_COLOR") or env.get("TERM") == "dumb":
        return False
    return on_terminal


def table_width(env: Mapping[str, str], stream: IO[str] | None) -> int:
    """The width to draw in: `COLUMNS`, else `stream`'s terminal, else DEFAULT_WIDTH."""
    columns = (env.get("COLUMNS") or "").strip()
    if columns.isdigit() and int(columns) > 0:
        return max(MIN_WIDTH, int(columns))
    if stream is not None:
        try:
            if stream.isatty():
                return max(MIN_WIDTH, os.get_terminal_size(stream.fileno()).columns)
        except (OSError, ValueError, AttributeError):
            pass  # not a real terminal after all (a test's stream, a closed descriptor)
    return DEFAULT_WIDTH


def table_settings(
    choice: str, stream: IO[str], to_file: bool, env: Mapping[str, str] | None = None
) -> tuple[bool, int]:
    """(colour, width) for a table written to `stream`, or to a file when `to_file`."""
    env = os.environ if env is None else env
    on_terminal = not to_file and _isatty(stream)
    return use_color(choice, env, on_terminal), table_width(env, None if to_file else stream)


def _isatty(stream: IO[str]) -> bool:
    try:
        return stream.isatty()
    except (ValueError, AttributeError):
        return False
