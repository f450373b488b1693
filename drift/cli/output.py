"""Where a command's result goes: `--output FILE` (checked before the scan) or stdout.

A path that cannot be written fails before any API call, with one sentence. If the write
still fails after the scan (disk full, folder removed meanwhile), the result is not lost:
it is printed on stdout after a one-sentence error on stderr, and the exit code is 1.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

from drift.cli.common import EXIT_ERROR, fail, warn
from drift.report.write import (
    OutputError,
    Target,
    check_target,
    describe_failure,
    write_target,
)


def check_output(output: str | None, what: str) -> Target | None:
    """The checked `--output` target (None: stdout); exits 1 with a sentence if unwritable."""
    if not output:
        return None
    try:
        return check_target(Path(output), what)
    except OutputError as err:
        fail(f"{err} Nothing was checked.")
        raise AssertionError("unreachable") from err  # fail() exits; this keeps mypy honest


def to_stdout(text: str) -> None:
    """Print `text`; a reader that went away (`| head`) ends the run quietly with exit 1."""
    try:
        sys.stdout.write(text)
        sys.stdout.flush()
    except BrokenPipeError:
        # Python would otherwise report the broken pipe again when it flushes at exit.
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        sys.exit(EXIT_ERROR)


def emit(text: str, target: Target | None, what: str) -> None:
    """Write `text` to the checked target, or stdout; a failed write prints it instead."""
    if target is None:
        to_stdout(text)
        return
    try:
        # Checked again: the path may have changed during the scan (a link repointed).
        write_target(check_target(target.path, what), text)
    except (OSError, OutputError) as err:
        sentence = err if isinstance(err, OutputError) else describe_failure(
            what, target.path, err
        )
        warn(f"drift: {sentence} {what[0].upper()}{what[1:]} follows on stdout instead.")
        to_stdout(text)
        sys.exit(EXIT_ERROR)
