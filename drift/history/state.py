"""The state a project's `latest` pointer carries, and how one run moves it on (pure).

`advance(previous, report, run, kinds)` marks each finding of the report `new` or `open`
(since its first sighting), lists what the previous complete run had that this one
checked and no longer finds (`resolved`), and returns the next state. A finding this
run could not look at (its kind and scope not checked, a kind left out with --kinds, a
broken reference while anything was not checked) stays open: not seeing is not fixed.

Alert bookkeeping (drift/notify/) lives here too: each open finding lists the alert
destinations told it is open, and `unsent` keeps resolved findings some destination was
told about but not yet told are resolved.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, replace
from typing import Any

from drift.history.ids import finding_id, tracked
from drift.model import (
    SEVERITY_RANK,
    FindingHistory,
    Report,
    RunHistory,
    Snapshot,
    TrackedFinding,
)

SCHEMA = "drift-history/v1"
RUNS_KEPT = 1000  # runs in the trend index (about three years of nightly runs)
UNSENT_KEPT = 500  # resolved findings waiting for an alert, oldest dropped first


@dataclass(frozen=True)
class Open:
    """An open finding, and the alert destinations (ids) already told it is open."""

    finding: TrackedFinding
    alerted: tuple[str, ...] = ()

    def to_json(self) -> dict[str, Any]:
        return {**self.finding.to_json(), "alerted": list(self.alerted)}


@dataclass(frozen=True)
class Unsent:
    """A resolved finding that `targets` were told is open, not yet that it is resolved."""

    finding: TrackedFinding
    resolved_at: str
    targets: tuple[str, ...]

    def to_json(self) -> dict[str, Any]:
        return {**self.finding.to_json(), "resolved_at": self.resolved_at,
                "targets": list(self.targets)}  # fmt: skip


@dataclass(frozen=True)
class RunEntry:
    """One complete run in the trend index."""

    run: str
    generated_at: str
    critical: int
    warning: int
    info: int
    new: int
    resolved: int
    not_checked: int

    def to_json(self) -> dict[str, Any]:
        return {
            "run": self.run,
            "generated_at": self.generated_at,
            "critical": self.critical,
            "warning": self.warning,
            "info": self.info,
            "new": self.new,
            "resolved": self.resolved,
            "not_checked": self.not_checked,
        }


@dataclass(frozen=True)
class State:
    """What latest.json holds: the last complete run and what the next run needs."""

    project: str
    run: str | None = None  # runs/NAME.json of the last complete run, None before the first
    generated_at: str | None = None
    open: tuple[Open, ...] = ()
    unsent: tuple[Unsent, ...] = ()
    runs: tuple[RunEntry, ...] = ()

    def to_json(self) -> dict[str, Any]:
        return {
            "schema": SCHEMA,
            "project": self.project,
            "run": self.run,
            "generated_at": self.generated_at,
            "open": [o.to_json() for o in self.open],
            "unsent": [u.to_json() for u in self.unsent],
            "runs": [r.to_json() for r in self.runs],
        }

    @classmethod
    def from_json(cls, data: Any) -> State:
        """Read a pointer; anything else is ValueError (the caller names the file)."""
        if not isinstance(data, dict) or data.get("schema") != SCHEMA:
            raise ValueError(f"it is not a drift history pointer (schema {SCHEMA})")
        try:
            return cls(
                project=str(data["project"]),
                run=data.get("run"),
                generated_at=data.get("generated_at"),
                open=tuple(Open(_tracked(o), tuple(o.get("alerted") or ())) for o in data["open"]),
                unsent=tuple(
                    Unsent(_tracked(u), str(u["resolved_at"]), tuple(u.get("targets") or ()))
                    for u in data.get("unsent") or ()
                ),
                runs=tuple(RunEntry(**r) for r in data.get("runs") or ()),
            )
        except (KeyError, TypeError, AttributeError) as err:
            raise ValueError(f"it has a malformed entry ({err!r})") from err


def _tracked(d: dict[str, Any]) -> TrackedFinding:
    return TrackedFinding(
        id=str(d["id"]),
        path=str(d["path"]),
        kind=str(d["kind"]),
        region=d.get("region"),
        type=str(d["type"]),
        severity=str(d["severity"]),
        rule=d.get("rule"),
        first_seen=str(d["first_seen"]),
    )


def _order(f: TrackedFinding) -> tuple[int, str, str]:
    return (SEVERITY_RANK.get(f.severity, 9), f.path, f.id)


def looked_at(report: Report, kinds: set[str] | None, f: TrackedFinding) -> bool:
    """True when this run looked where `f` was, so its absence means it is gone.

    Scoping is Snapshot.checked_resource's (drift/model.py): a global kind whose list
    failed, a regional kind in a failed region, a Compute scope that failed, one resource
    whose follow-up read failed. A kind
    outside `--kinds` was not compared at all. A broken reference depends on the kind
    it points at too, so it is only resolved by a run that checked everything.
    """
    if kinds is not None and f.kind not in kinds:
        return False
    if f.type == "broken_reference" and report.not_checked:
        return False
    seen = Snapshot(report.project, None, (f.kind,), (), tuple(report.not_checked))
    parts = f.path.split("/")  # KIND/RESOURCE[/FIELD]: a resource name holds no '/'
    resource = parts[1] if len(parts) > 1 else ""
    return seen.checked_resource(f.kind, resource, f.region)


def advance(
    previous: State | None,
    report: Report,
    run: str,
    kinds: set[str] | None = None,
) -> tuple[Report, State]:
    """This run's report with history marks, and the state after it (see module doc)."""
    now = report.generated_at
    previous = previous or State(report.project)
    was_open = {o.finding.id: o for o in previous.open}
    unsent = {u.finding.id: u for u in previous.unsent}
    opened: dict[str, Open] = {}
    findings = []
    for f in report.findings:
        fid = finding_id(f)
        before = was_open.get(fid)
        if before is not None:
            mark = FindingHistory(fid, "open", before.finding.first_seen)
            alerted = before.alerted
        else:
            mark = FindingHistory(fid, "new", now)
            back = unsent.pop(fid, None)
            # Back before its resolution was told: those destinations still think it open.
            alerted = back.targets if back else opened[fid].alerted if fid in opened else ()
        findings.append(replace(f, history=mark))
        opened.setdefault(fid, Open(tracked(f, mark.first_seen), alerted))
    new = sum(1 for o in opened.values() if o.finding.id not in was_open)
    resolved: list[TrackedFinding] = []
    for fid, o in was_open.items():
        if fid in opened:
            continue
        if not looked_at(report, kinds, o.finding):
            opened[fid] = o  # not looked at: still open as far as anyone knows
            continue
        resolved.append(o.finding)
        if o.alerted:
            unsent[fid] = Unsent(o.finding, now, o.alerted)
    resolved.sort(key=_order)
    counts = report.counts()
    entry = RunEntry(
        run, now, counts["critical"], counts["warning"], counts["info"],
        new, len(resolved), len(report.not_checked),
    )  # fmt: skip
    state = State(
        project=report.project,
        run=run,
        generated_at=now,
        open=tuple(sorted(opened.values(), key=lambda o: _order(o.finding))),
        unsent=_newest(unsent.values(), UNSENT_KEPT),
        runs=(*previous.runs, entry)[-RUNS_KEPT:],
    )
    marked = replace(
        report,
        findings=tuple(findings),
        history=RunHistory(previous.run, previous.generated_at, tuple(resolved)),
    )
    return marked, state


def _newest(items: Iterable[Unsent], keep: int) -> tuple[Unsent, ...]:
    ordered = sorted(items, key=lambda u: (u.resolved_at, u.finding.path, u.finding.id))
    return tuple(ordered[-keep:])


# Alert bookkeeping: what each destination has not been told, and recording that it was.


@dataclass(frozen=True)
class Pending:
    """What one alert destination has not been told yet."""

    new: tuple[TrackedFinding, ...]
    resolved: tuple[TrackedFinding, ...]


def pending(state: State, target: str) -> Pending:
    """Open findings `target` was never told about, and resolved ones it was told were
    open and not yet that they are resolved."""
    return Pending(
        new=tuple(o.finding for o in state.open if target not in o.alerted),
        resolved=tuple(
            sorted((u.finding for u in state.unsent if target in u.targets), key=_order)
        ),
    )


def delivered(state: State, target: str, told: Pending) -> State:
    """The state once `target` received `told` (applied to whatever state is current)."""
    new_ids = {f.id for f in told.new}
    resolved_ids = {f.id for f in told.resolved}
    opened = tuple(
        replace(o, alerted=tuple(sorted({*o.alerted, target})))
        if o.finding.id in new_ids and target not in o.alerted
        else o
        for o in state.open
    )
    unsent = []
    for u in state.unsent:
        if u.finding.id in resolved_ids and target in u.targets:
            u = replace(u, targets=tuple(t for t in u.targets if t != target))
        if u.targets:
            unsent.append(u)
    return replace(state, open=opened, unsent=tuple(unsent))
