"""Alerts for the nightly run (`drift diff --history LOC --notify slack:URL|webhook:URL`).

A destination hears about a run only when something is new to it, resolved since it
was told, or could not be checked; never twice about the same open finding. Who was told
what is recorded in history (drift/history/state.py), after the run's report and history
are written: a failed send is retried on the next run, a delivered one never repeats.
"""

from __future__ import annotations

import string
from collections.abc import Sequence

from drift.history.record import Recorded, record_delivery
from drift.history.state import Pending, pending
from drift.history.store import HistoryError, Store
from drift.notify.message import Alert
from drift.notify.send import DEADLINE_S, SendError, deliver
from drift.notify.targets import Target, TargetError, parse_target

PLACEHOLDERS = ("project", "run", "generated_at")

__all__ = [
    "Alert",
    "Target",
    "TargetError",
    "alert_for",
    "check_report_url",
    "notify",
    "parse_target",
    "report_url",
]


def check_report_url(template: str) -> None:
    """`--report-url`: an http(s) URL whose only placeholders are {project}, {run} and
    {generated_at}; else TargetError with a sentence."""
    if not template.startswith(("https://", "http://")) or any(c.isspace() for c in template):
        raise TargetError("--report-url must be an http(s) URL without spaces.")
    try:
        names = [f for _, f, _, _ in string.Formatter().parse(template) if f is not None]
    except ValueError as err:
        raise TargetError(f"--report-url: {err} (write a literal brace as {{{{ or }}}}).") from err
    unknown = sorted(set(names) - set(PLACEHOLDERS))
    if unknown:
        raise TargetError(
            f"--report-url: unknown placeholder {{{unknown[0]}}}; use "
            f"{', '.join('{' + p + '}' for p in PLACEHOLDERS)}."
        )


def report_url(template: str | None, recorded: Recorded) -> str:
    """Where the alert links to: the template filled in, or the run's report in history."""
    if not template:
        return recorded.location
    r = recorded.report
    return template.format(project=r.project, run=recorded.run, generated_at=r.generated_at)


def alert_for(recorded: Recorded, target: Target, url: str) -> tuple[Alert, Pending]:
    """What `target` is told about this run, and the Pending to record once delivered."""
    told = pending(recorded.state, target.id)
    report = recorded.report
    messages = {f.history.id: f.message for f in report.findings if f.history is not None}
    alert = Alert(
        project=report.project,
        generated_at=report.generated_at,
        report_url=url,
        counts=report.counts(),
        new=told.new,
        resolved=told.resolved,
        not_checked=tuple(report.not_checked),
        messages=messages,
    )
    return alert, told


def notify(
    store: Store,
    recorded: Recorded,
    targets: Sequence[Target],
    template: str | None = None,
    deadline_s: float = DEADLINE_S,
) -> list[str]:
    """Send each destination its alert, if it has one, and record each delivery.

    Returns one sentence per failure (empty: all delivered or nothing to say)."""
    failures = []
    url = report_url(template, recorded)
    for target in targets:
        alert, told = alert_for(recorded, target, url)
        if not alert.worth_sending():
            continue
        try:
            deliver(target, alert, deadline_s)
        except SendError as err:
            failures.append(f"{err} The report and history are saved; the alert is sent "
                            "again on the next run.")  # fmt: skip
            continue
        try:
            record_delivery(store, recorded.report.project, target.id, told)
        except HistoryError as err:
            failures.append(str(err))
    return failures
