"""Where a command's result goes: `--output FILE` (checked before the scan) or stdout.

A path that cannot be written fails before any API call, with one sentence. If the write
still fails after the scan (disk full, folder removed meanwhile), the result is not lost:
it is printed on stdout after a one-sentence error on stderr, and the exit code is 1.
Every run then ends with one summary line on stderr (unless --quiet) naming where it went.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path
from typing import TYPE_CHECKING

from drift.cli.common import fail, warn
from drift.cli.exits import EXIT_ERROR
from drift.cli.interrupt import uninterruptible
from drift.report.write import (
    OutputError,
    Target,
    check_target,
    describe_failure,
    write_target,
)

if TYPE_CHECKING:
    from drift.model import Report, Snapshot


def check_output(output: str | None, what: str) -> Target | None:
    """The checked `--output` target (None: stdout, also for `-`, the usual spelling of
    standard output); exits 1 with a sentence if unwritable."""
    if not output or output == "-":
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


def emit(text: str, target: Target | None, what: str) -> tuple[str, bool]:
    """Write `text` to the checked target, or stdout; a failed write prints it instead.

    Returns (where it went, in words for the summary line; whether it went where asked).
    Signals wait until the write is done, so a report is never half-written.
    """
    with uninterruptible():
        if target is None:
            to_stdout(text)
            return "on stdout", True
        try:
            # Checked again: the path may have changed during the scan (a link repointed).
            write_target(check_target(target.path, what), text)
            return f"written to {target.path}", True
        except (OSError, OutputError) as err:
            sentence = (
                err if isinstance(err, OutputError) else describe_failure(what, target.path, err)
            )
            warn(f"drift: {sentence} {what[0].upper()}{what[1:]} follows on stdout instead.")
            to_stdout(text)
            return f"on stdout (not written to {target.path})", False


def _count(n: int, noun: str) -> str:
    return f"{n} {noun}" if n == 1 else f"{n} {noun}s"


def _source_words(source_type: str, detail: str) -> str:
    if source_type == "live":
        return "live GCP"
    return f"{source_type}: {detail}" if detail else source_type


def summary_line(report: Report, where: str) -> str:
    """The one line every `drift diff` ends with on stderr: what, how much, where it went."""
    counts = report.counts()
    return (
        f"drift: {report.project} ({_source_words(report.source_type, report.source_detail)}): "
        f"{_count(report.resources_checked, 'resource')} checked, {counts['critical']} critical, "
        f"{counts['warning']} warning, {counts['info']} info, {len(report.ignored)} ignored, "
        f"{len(report.not_checked)} not checked; report {where}."
    )


def summary_fields(report: Report, code: int) -> dict[str, object]:
    """The summary line's facts as fields of a structured log entry (drift/cli/logs.py)."""
    counts = report.counts()
    return {
        "project": report.project,
        "exit_code": code,
        "resources_checked": report.resources_checked,
        "critical": counts["critical"],
        "warning": counts["warning"],
        "info": counts["info"],
        "ignored": len(report.ignored),
        "not_checked": len(report.not_checked),
    }


def snapshot_summary_line(snap: Snapshot, where: str) -> str:
    """The one line `drift snapshot` ends with on stderr."""
    return (
        f"drift: {snap.project} ({_source_words(snap.source_type, snap.source_detail)}): "
        f"{_count(len(snap.resources), 'resource')}, {len(snap.not_checked)} not checked; "
        f"snapshot {where}."
    )
