"""Recording one run: the write order that keeps `latest` whole, and races lost cleanly.

1. read latest.json (state and generation G; none before the first run);
2. mark the report against it (state.advance);
3. write the run's report as runs/<time>-<random>.json (only if no such object exists);
4. write latest.json only if its generation is still G.

A run killed between 3 and 4 leaves an unreferenced report and `latest` at the previous
complete run. A run that loses the race at 4 (another run of the project moved the
pointer) reads it again and redoes 2-4 (rewriting its own report), a few times, then
gives up with a sentence. A write retried after a lost answer that had in fact landed is
recognised: the pointer then already names this run.
"""

from __future__ import annotations

import json
import random
import secrets
import time
from dataclasses import dataclass

from drift.history.state import Pending, State, advance, delivered, pending
from drift.history.store import Conflict, HistoryError, Store, Stored, pointer_key, run_key
from drift.model import Report

ATTEMPTS = 5


@dataclass(frozen=True)
class Recorded:
    """A recorded run: its marked report, the state written, and where it went."""

    report: Report
    state: State
    run: str  # runs/NAME.json, as the pointer names it
    location: str  # where the run's report is, for people (path or gs:// URL)
    generation: str  # of latest.json as this run wrote it


def read_state(store: Store, project: str) -> tuple[State | None, Stored | None]:
    """The project's state and the pointer it was read from (None, None: no history)."""
    key = pointer_key(project)
    stored = store.get(key)
    if stored is None:
        return None, None
    try:
        state = State.from_json(json.loads(stored.text))
    except ValueError as err:  # json.JSONDecodeError is a ValueError too
        raise HistoryError(
            f"{store.location(key)} cannot be read as history: {err}; move it away to "
            "start the project's history again."
        ) from err
    if state.project != project:
        raise HistoryError(
            f"{store.location(key)} is the history of {state.project}, not of {project}."
        )
    return state, stored


def new_run_name(report: Report) -> str:
    """runs/<UTC time>-<8 hex>.json: sorts by time, unique between concurrent runs."""
    stamp = report.generated_at.replace("-", "").replace(":", "")
    return f"runs/{stamp}-{secrets.token_hex(4)}.json"


def state_text(state: State) -> str:
    """The pointer's bytes: ASCII JSON (live names in it are shown escaped, not raw)."""
    return json.dumps(state.to_json(), indent=1, ensure_ascii=True) + "\n"


def record(
    store: Store,
    report: Report,
    kinds: set[str] | None = None,
    attempts: int = ATTEMPTS,
) -> Recorded:
    """Mark `report` against the project's history and record it (see module doc)."""
    from drift.report.json_format import render

    project = report.project
    run = new_run_name(report)
    key = run_key(project, run)
    ours: str | None = None  # generation of our run report once written
    last: tuple[Report, State] | None = None
    for attempt in range(attempts):
        previous, stored = read_state(store, project)
        if previous is not None and stored is not None and previous.run == run and last:
            # Our pointer write landed although its answer was lost.
            return Recorded(last[0], previous, run, store.location(key), stored.generation)
        marked, state = advance(previous, report, run, kinds)
        last = (marked, state)
        ours = _put_own(store, key, render(marked), ours)
        try:
            generation = store.put(
                pointer_key(project),
                state_text(state),
                expect=stored.generation if stored else None,
            )
        except Conflict:
            _pause(attempt)
            continue
        return Recorded(marked, state, run, store.location(key), generation)
    raise HistoryError(
        f"other drift runs of {project} kept updating {store.location(pointer_key(project))} "
        f"during {attempts} attempts to record this one; its report is kept at "
        f"{store.location(key)} but is not in the history. Run one drift per project at "
        "a time."
    )


def _put_own(store: Store, key: str, text: str, ours: str | None) -> str:
    """Write this run's own report object (new, or over our earlier version); a write
    retried after a lost answer finds its own text there, which is success."""
    try:
        return store.put(key, text, expect=ours)
    except Conflict:
        there = store.get(key)
        if there is not None and there.text == text:
            return there.generation
        raise HistoryError(
            f"{store.location(key)} was written by someone else during this run."
        ) from None


def record_delivery(store: Store, project: str, target: str, told: Pending) -> None:
    """Note in latest.json that alert destination `target` received `told`, whatever
    run the pointer is at now; retried on lost races."""
    key = pointer_key(project)
    for attempt in range(ATTEMPTS):
        state, stored = read_state(store, project)
        if state is None or stored is None:
            return
        after = delivered(state, target, told)
        if after == state:
            return
        try:
            store.put(key, state_text(after), expect=stored.generation)
            return
        except Conflict:
            _pause(attempt)
    raise HistoryError(
        f"could not note the delivered alert in {store.location(key)}: other runs kept "
        "updating it; the same alert may be sent again."
    )


def _pause(attempt: int) -> None:
    """A short random wait before trying again, so two racing runs fall out of step."""
    time.sleep(random.uniform(0.01, 0.05) * (2**attempt))


__all__ = ["Recorded", "pending", "read_state", "record", "record_delivery"]
