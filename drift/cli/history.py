"""History and alerts on the command line (docs/operations.md, "Nightly runs").

- `drift diff --history LOCATION [--notify slack:URL|webhook:URL ...] [--report-url T]`:
  the options are checked before the scan (`nightly_from`); after each project's report
  is built, `Nightly.record` marks it against the project's history and records it (so
  the report written carries the marks); once the reports are written, `Nightly.notify`
  sends the alerts and records who received them. A failure of either is a sentence on
  stderr and makes the run exit 1; it never loses the report.
- `drift history --project P [--history LOCATION] [--days N] [--format table|json]`:
  the trend per day.
"""

from __future__ import annotations

import json
import sys
from dataclasses import dataclass, field
from typing import Any

import click

from drift.cli.common import fail, warn
from drift.cli.exits import EXIT_ERROR

NIGHTLY_OPTIONS = [
    click.option(
        "--history",
        "history",
        default=None,
        metavar="LOCATION",
        envvar="DRIFT_HISTORY",
        show_envvar=True,
        help="Keep each run's JSON report and a `latest` pointer per project in LOCATION "
        "(a folder, or gs://BUCKET/PREFIX); findings are marked new or open since their "
        "first run, and those gone since the last run are listed as resolved.",
    ),
    click.option(
        "--notify",
        "notify",
        multiple=True,
        metavar="slack:URL|webhook:URL",
        envvar="DRIFT_NOTIFY",
        show_envvar=True,
        help="Alert this destination when something is new, resolved or not checked; "
        "never twice for one open finding (needs --history). Repeatable.",
    ),
    click.option(
        "--report-url",
        "report_url",
        default=None,
        metavar="TEMPLATE",
        help="The report link in alerts: an http(s) URL with {project}, {run} and "
        "{generated_at} (default: the run's report in --history).",
    ),
    click.option(
        "--notify-deadline",
        "notify_deadline",
        type=click.FloatRange(min=0.1),
        default=30.0,
        show_default=True,
        metavar="SECONDS",
        help="Stop retrying an alert destination after this long.",
    ),
]
_KEYS = ("history", "notify", "report_url", "notify_deadline")


def nightly_options(fn: Any) -> Any:
    """Apply NIGHTLY_OPTIONS to a command (they arrive in its **kwargs)."""
    for option in reversed(NIGHTLY_OPTIONS):
        fn = option(fn)
    return fn


@dataclass
class Nightly:
    """History (and alerts) of one `drift diff` run, over one project or many."""

    store: Any  # drift/history/store.py Store
    targets: tuple[Any, ...]  # drift/notify/targets.py Target
    report_url: str | None
    deadline_s: float
    quiet: bool = False
    recorded: dict[str, Any] = field(default_factory=dict)  # project -> Recorded
    failed: bool = False

    def record(self, report: Any, kinds: set[str] | None = None) -> Any:
        """`report` marked against its project's history and recorded; on failure a
        sentence, the run will exit 1, and the report comes back unmarked."""
        from drift.history import HistoryError, record

        try:
            rec = record(self.store, report, kinds)
        except HistoryError as err:
            self.failed = True
            warn(f"drift: {report.project}: history not recorded: {err}", "ERROR",
                 project=report.project)  # fmt: skip
            return report
        self.recorded[report.project] = rec
        if not self.quiet:
            warn(history_line(rec), "INFO", project=report.project, history=rec.location)
        return rec.report

    def record_run(self, result: Any, kinds: set[str] | None = None) -> Any:
        """A drift/runs.py RunResult with each project's report recorded and marked."""
        from dataclasses import replace

        return replace(
            result,
            results=tuple(
                replace(r, report=self.record(r.report, kinds)) if r.report is not None else r
                for r in result.results
            ),
        )

    def trend(self, project: str, runs: int = 30) -> list[dict[str, Any]] | None:
        """The trend of `project` as recorded by this run (None: not recorded)."""
        from drift.history.trend import points

        rec = self.recorded.get(project)
        return points(rec.state, runs) if rec is not None else None

    def notify(self) -> int:
        """Send every recorded project's alerts; EXIT_ERROR when anything failed."""
        from drift.notify import notify

        for project, rec in self.recorded.items():
            for sentence in notify(self.store, rec, self.targets, self.report_url, self.deadline_s):
                self.failed = True
                warn(f"drift: {project}: {sentence}", "ERROR", project=project)
        return EXIT_ERROR if self.failed else 0


def history_line(rec: Any) -> str:
    """`drift: P history: 1 new, 4 open, 1 resolved since the run of T; report kept at L.`"""
    findings = rec.report.findings
    ids = {f.history.id: f.history.status for f in findings if f.history is not None}
    new = sum(1 for s in ids.values() if s == "new")
    hist = rec.report.history
    since = (
        f"since the run of {hist.previous_generated_at}"
        if hist.previous_run
        else "(first recorded run)"
    )
    return (
        f"drift: {rec.report.project} history: {new} new, {len(ids) - new} open, "
        f"{len(hist.resolved)} resolved {since}; report kept at {rec.location}."
    )


def nightly_from(scan: dict[str, Any]) -> Nightly | None:
    """Take the history options out of `scan` and check them before any scan; each
    problem is one sentence and exit 1. None without --history."""
    values = {k: scan.pop(k, None) for k in _KEYS}
    location, notify = values["history"], tuple(values["notify"] or ())
    if not location:
        if notify:
            fail("--notify needs --history LOCATION: alerts say only what is new or "
                 "resolved, and drift remembers what it has said there.")  # fmt: skip
        return None
    from drift.notify import TargetError, check_report_url, parse_target  # with --history only

    try:
        targets = tuple(dict.fromkeys(parse_target(t) for t in notify))
        if values["report_url"]:
            check_report_url(values["report_url"])
    except TargetError as err:
        fail(str(err))
    store = open_or_exit(location)
    return Nightly(store, targets, values["report_url"], float(values["notify_deadline"] or 30),
                   quiet=bool(scan.get("quiet")))  # fmt: skip


def open_or_exit(location: str, then: str = " Nothing was checked.") -> Any:
    """The checked store for LOCATION, or one sentence (and `then`) and exit 1."""
    from drift.history import HistoryError, open_store

    try:
        store = open_store(location)
        store.check()
    except HistoryError as err:
        fail(f"{err}{then}")
    return store


@click.command("history")
@click.option("--project", required=True, help="GCP project id.")
@click.option(
    "--history",
    "location",
    default=None,
    metavar="LOCATION",
    envvar="DRIFT_HISTORY",
    show_envvar=True,
    help="Where `drift diff --history` keeps the runs (a folder or gs://BUCKET/PREFIX).",
)
@click.option("--days", type=click.IntRange(1, 3660), default=30, show_default=True,
              help="How many days back, today included.")  # fmt: skip
@click.option("--format", "fmt", type=click.Choice(["table", "json"]), default="table",
              show_default=True)  # fmt: skip
def history(project: str, location: str | None, days: int, fmt: str) -> None:
    """The trend of a project's recorded runs: findings per day, new and resolved."""
    from drift.history import HistoryError, daily, trend
    from drift.history.state import RUNS_KEPT
    from drift.pipeline import now_utc

    if not location:
        fail("give --history LOCATION (or set DRIFT_HISTORY): the folder or "
             "gs://BUCKET/PREFIX that `drift diff --history` writes to.")  # fmt: skip
    store = open_or_exit(location, then="")
    try:
        entries = trend(store, project, runs=RUNS_KEPT)
    except HistoryError as err:
        fail(str(err))
    if not entries:
        fail(f"no run of {project} is recorded in {store.location()} yet; record one with "
             f"`drift diff --project {project} --history {location}`.")  # fmt: skip
    rows = daily(entries, days, now_utc().date())
    from drift.report.escape import escape_json, escape_text

    if fmt == "json":
        doc = {
            "schema": "drift-history-trend/v1",
            "project": project,
            "history": store.location(),
            "latest_run": entries[-1],
            "days": rows,
        }
        click.echo(escape_json(json.dumps(doc, indent=2, ensure_ascii=False)))
    else:
        click.echo(escape_text(f"drift history of {project} ({store.location()}), "
                               f"last {days} day{'s' if days != 1 else ''}:"))  # fmt: skip
        click.echo(table(rows))
        last = entries[-1]
        click.echo(escape_text(f"Last run: {last['generated_at']} ({last['run']})."))
    sys.exit(0)


COLUMNS = (
    ("DATE", "date"), ("RUNS", "runs"), ("CRITICAL", "critical"), ("WARNING", "warning"),
    ("INFO", "info"), ("NEW", "new"), ("RESOLVED", "resolved"), ("NOT CHECKED", "not_checked"),
)  # fmt: skip


def table(rows: list[dict[str, Any]]) -> str:
    """The daily rows as aligned columns; a day without a run shows `-` for its counts."""
    cells = [[h for h, _ in COLUMNS]]
    for row in rows:
        cells.append(["-" if row[k] is None else str(row[k]) for _, k in COLUMNS])
    widths = [max(len(r[i]) for r in cells) for i in range(len(COLUMNS))]
    lines = []
    for r in cells:
        first = r[0].ljust(widths[0])
        rest = [c.rjust(w) for c, w in zip(r[1:], widths[1:], strict=True)]
        lines.append("  ".join([first, *rest]))
    return "\n".join(lines)
