"""The trend of a project's runs, from the index latest.json keeps (one read).

`trend(store, project, runs=30)` is what the HTML report draws: one dict per complete
run, oldest first. `daily(...)` folds runs into days for `drift history`.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from drift.history.record import read_state
from drift.history.state import State
from drift.history.store import Store


def trend(store: Store, project: str, runs: int = 30) -> list[dict[str, Any]]:
    """The project's last `runs` complete runs, oldest first: each {run, generated_at,
    date, critical, warning, info, new, resolved, not_checked}; [] with no history."""
    state, _ = read_state(store, project)
    return [] if state is None else points(state, runs)


def points(state: State, runs: int = 30) -> list[dict[str, Any]]:
    """trend()'s points from a state already read (e.g. the one a run just wrote)."""
    if runs <= 0:
        return []
    return [{**e.to_json(), "date": e.generated_at[:10]} for e in state.runs[-runs:]]


def daily(entries: list[dict[str, Any]], days: int, today: dt.date) -> list[dict[str, Any]]:
    """One row per day of the last `days` days up to `today`, oldest first: the number of
    runs, the counts of the day's last run (None on a day without a run), and the new and
    resolved findings of all its runs added up."""
    first = today - dt.timedelta(days=days - 1)
    rows: dict[str, dict[str, Any]] = {}
    for n in range(days):
        date = (first + dt.timedelta(days=n)).isoformat()
        rows[date] = {"date": date, "runs": 0, "critical": None, "warning": None,
                      "info": None, "new": 0, "resolved": 0, "not_checked": None}  # fmt: skip
    for e in entries:
        row = rows.get(e["date"])
        if row is None:
            continue
        row["runs"] += 1
        row["new"] += e["new"]
        row["resolved"] += e["resolved"]
        # entries are oldest first: the day's last run wins
        for k in ("critical", "warning", "info", "not_checked"):
            row[k] = e[k]
    return list(rows.values())
