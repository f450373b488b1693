"""drift's stderr lines as people read them, or as Cloud Logging reads them.

`--log-format text` (a person at a terminal, a CI log, cron mail) writes each line as
it always was: `drift: ...`, escaped. `--log-format json` writes one JSON object per
line, as Cloud Run's logging agent turns stderr into structured entries: `severity`
(Cloud Logging's field: INFO, WARNING, ERROR), `message` (the same sentence as the text
line) and fields (`project`, `exit_code`, counts, `kind`, `region`, `error`, `report`).
`auto` (the default) is JSON in a Cloud Run job (`--job`, CLOUD_RUN_JOB) whose stderr is
not a terminal, text everywhere else.

The choice lives in the click context of the running command (not a module global), so
one command's choice never leaks into the next in the same process (tests).
"""

from __future__ import annotations

import json
import os
import sys
from typing import Any, TextIO

import click

FORMATS = ("auto", "text", "json")
_KEY = "drift.log_format"

log_format_option = click.option(
    "--log-format",
    type=click.Choice(FORMATS),
    default="auto",
    show_default=True,
    envvar="DRIFT_LOG_FORMAT",
    show_envvar=True,
    help="stderr lines as text, or as one JSON object a line for Cloud Logging (severity, "
    "message, fields); auto = json in a Cloud Run job when stderr is not a terminal.",
)


def _isatty(stream: TextIO) -> bool:
    try:
        return stream.isatty()
    except (AttributeError, ValueError):
        return False


def choose(choice: str, job: bool, stream: TextIO | None = None) -> str:
    """`text` or `json` for `--log-format` `choice`: auto is json only in a Cloud Run job
    (`job`, or CLOUD_RUN_JOB set) writing to something that is not a terminal."""
    if choice != "auto":
        return choice
    in_job = job or bool(os.environ.get("CLOUD_RUN_JOB"))
    return "json" if in_job and not _isatty(stream or sys.stderr) else "text"


def configure(fmt: str) -> None:
    """Use `fmt` (text or json) for the rest of the running command."""
    ctx = click.get_current_context(silent=True)
    if ctx is not None:
        ctx.find_root().meta[_KEY] = fmt


def structured() -> bool:
    """True when stderr lines are JSON for the running command."""
    ctx = click.get_current_context(silent=True)
    return ctx is not None and ctx.find_root().meta.get(_KEY) == "json"


def json_line(severity: str, message: str, fields: dict[str, Any]) -> str:
    """One log entry: severity, message, then the fields, every string escaped as the text
    line would be (a value from outside never brings a control character along)."""
    from drift.report.escape import escape_text

    def clean(value: Any) -> Any:
        if isinstance(value, str):
            return escape_text(value)
        if isinstance(value, dict):
            return {str(k): clean(v) for k, v in value.items()}
        if isinstance(value, list | tuple):
            return [clean(v) for v in value]
        return value

    entry = {"severity": severity, "message": escape_text(message)}
    entry.update({k: clean(v) for k, v in fields.items() if k not in entry})
    return json.dumps(entry, ensure_ascii=True)


def emit(message: str, severity: str = "WARNING", **fields: Any) -> None:
    """One stderr line: the escaped sentence, or its JSON entry with `fields`."""
    if structured():
        click.echo(json_line(severity, message, fields), err=True)
        return
    from drift.report.escape import escape_text

    click.echo(escape_text(message), err=True)
