"""Frozen, plain data passed between pipeline stages: collect -> normalize -> compare -> report.

Nothing here imports google.*, so the engine and reports are tested on plain data.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Literal, get_args

from drift.redact import fingerprint, redact_env_value
from drift.registry import BOTH, GLOBAL, KINDS, REGIONAL

Severity = Literal["critical", "warning", "info"]
FindingType = Literal["changed", "missing", "unexpected", "unmanaged", "broken_reference", "lint"]
SEVERITIES: tuple[Severity, ...] = get_args(Severity)
SEVERITY_RANK: dict[str, int] = {"critical": 0, "warning": 1, "info": 2}  # any text: 3+
FINDING_TYPES: tuple[FindingType, ...] = get_args(FindingType)
# With `drift diff --compare-to REF`: how each finding relates to the baseline at REF.
CHANGES = ("introduced", "unchanged", "resolved")
BASELINE_CHANGES = ("added", "removed", "changed")
# With `drift diff --history`: a finding first seen in this run, or open since an earlier one.
HISTORY_STATUSES = ("new", "open")


@dataclass(frozen=True)
class Resource:
    """One live resource in its normalized view (see docs/baseline.md)."""

    kind: str
    name: str
    region: str | None
    fields: dict[str, Any]

    def key(self) -> tuple[str, str, str | None]:
        return (self.kind, self.name, self.region)

    def to_json(self) -> dict[str, Any]:
        return {"kind": self.kind, "name": self.name, "region": self.region, "fields": self.fields}

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Resource:
        return cls(data["kind"], data["name"], data.get("region"), dict(data.get("fields") or {}))


@dataclass(frozen=True)
class NotChecked:
    """A kind (in a region) that could not be looked at: failure is a value, never an empty list.

    `resource` names the one resource whose follow-up read failed (a secret's versions or
    digest) when its kind's list itself was read: then only that resource is not checked
    (Snapshot.checked_resource), and the rest of the kind still is.
    """

    kind: str
    region: str | None
    error: str
    resource: str | None = None

    def to_json(self) -> dict[str, Any]:
        out: dict[str, Any] = {"kind": self.kind, "region": self.region, "error": self.error}
        if self.resource is not None:
            out["resource"] = self.resource
        return out


@dataclass(frozen=True)
class DeclaredResource:
    """A resource the baseline declares, as a report lists it (JUnit: one test case each).

    `name` is the key findings use (drift.engine.compare.live_key); `checked` is False when
    its kind (in its region) could not be looked at; `source` is `file:line`.
    """

    kind: str
    name: str
    region: str | None
    source: str | None
    checked: bool


@dataclass(frozen=True)
class Snapshot:
    """Everything drift saw of one project, already normalized."""

    project: str
    project_number: str | None
    kinds: tuple[str, ...]
    resources: tuple[Resource, ...]
    not_checked: tuple[NotChecked, ...] = ()
    source_type: str = "live"
    source_detail: str = ""
    # When the live state was read (UTC, `2026-11-24T03:00:00Z`); None in a snapshot file
    # written before drift recorded it.
    taken_at: str | None = None

    def checked(self, kind: str, region: str | None) -> bool:
        """True when `kind` in scope `region` was looked at successfully.

        What a NotChecked covers depends on how the kind is listed (drift/registry.py):
        - a global kind (secrets) is one list: any failure hides all of it;
        - a regional kind: region r hides r; region None hides the whole kind (and asking
          with region None means "all of it");
        - a global+regional kind (Compute) is one list per scope, and None *is* a scope
          (the global list): a failure hides exactly its own scope, so a 403 on one
          region's health checks never hides the global ones, nor the reverse. A kind that
          failed everywhere has one entry per scope.
        A kind drift has no collector for is covered whole by an entry without region.
        An entry naming one resource (its follow-up failed) leaves the kind checked: ask
        `checked_resource` about that resource.
        """
        if kind not in self.kinds:
            return False
        scope = KINDS[kind].scope if kind in KINDS else REGIONAL
        for nc in self.not_checked:
            if nc.kind != kind or nc.resource is not None:
                continue
            if scope == GLOBAL:
                return False
            if scope == BOTH:
                if nc.region == region:
                    return False
            elif nc.region is None or region is None or nc.region == region:
                return False
        return True

    def checked_resource(self, kind: str, name: str, region: str | None) -> bool:
        """True when the resource `name` of `kind` (in `region`) was read whole: its kind
        in that scope was looked at, and no follow-up read of it failed (a 403 on one
        secret's versions hides that secret's version checks, not every secret)."""
        if not self.checked(kind, region):
            return False
        return not any(nc.kind == kind and nc.resource == name for nc in self.not_checked)

    def by_kind(self, kind: str) -> list[Resource]:
        return [r for r in self.resources if r.kind == kind]

    def to_json(self) -> dict[str, Any]:
        return {
            "schema": "drift-snapshot/v1",
            "project": self.project,
            "project_number": self.project_number,
            "taken_at": self.taken_at,
            "kinds": list(self.kinds),
            "resources": [
                _redacted_resource(r).to_json()
                for r in sorted(self.resources, key=lambda r: (r.kind, r.name, r.region or ""))
            ],
            "not_checked": [
                n.to_json()
                for n in sorted(
                    self.not_checked,
                    key=lambda n: (n.kind, n.region or "", n.resource or "", n.error),
                )
            ],
        }

    @classmethod
    def from_json(cls, data: dict[str, Any], detail: str = "") -> Snapshot:
        if data.get("schema") != "drift-snapshot/v1":
            raise ValueError("not a drift snapshot (expected schema drift-snapshot/v1)")
        taken_at = data.get("taken_at")
        if taken_at is not None and not isinstance(taken_at, str):
            raise ValueError(f"taken_at must be a time such as 2026-11-24T03:00:00Z: {taken_at!r}")
        return cls(
            project=data["project"],
            project_number=data.get("project_number"),
            kinds=tuple(data.get("kinds") or ()),
            resources=tuple(Resource.from_json(r) for r in data.get("resources") or ()),
            not_checked=tuple(
                NotChecked(n["kind"], n.get("region"), n["error"], n.get("resource"))
                for n in data.get("not_checked") or ()
            ),
            source_type="snapshot",
            source_detail=detail,
            taken_at=taken_at,  # absent in snapshots of older drift: still loadable
        )


def _redacted_resource(r: Resource) -> Resource:
    """A snapshot file is stored output too: secret-looking env values are kept as digests,
    and a secret payload's digest only as its short fingerprint (sha256:1a2b3c4d...)."""
    fields = dict(r.fields)
    if isinstance(fields.get("sha256"), str):
        fields["sha256"] = fingerprint(fields["sha256"])
    env = fields.get("env")
    if isinstance(env, dict):
        fields["env"] = {k: redact_env_value(k, v) for k, v in env.items()}
    return Resource(r.kind, r.name, r.region, fields)


@dataclass(frozen=True)
class RawFinding:
    """A finding as compare, the reference checks and lint produce it: what differs, in
    words (`message`, with the values a report may show), before project rules give it
    its final severity and ignores."""

    kind: str
    resource: str
    region: str | None
    field: str | None
    type: FindingType
    expected: Any
    actual: Any
    source: str | None
    message: str = ""

    @property
    def path(self) -> str:
        base = f"{self.kind}/{self.resource}"
        return f"{base}/{self.field}" if self.field else base


@dataclass(frozen=True)
class LintFinding(RawFinding):
    """A RawFinding of type `lint`, knowing which rule produced it (and a word on why)."""

    rule: str = ""
    note: str = ""


@dataclass(frozen=True)
class Finding:
    """One difference between declared and live state, as in spec/report.md."""

    path: str
    kind: str
    resource: str
    region: str | None
    field: str | None
    type: FindingType
    severity: Severity
    expected: Any
    actual: Any
    message: str
    source: str | None
    rule: str | None = None
    # `introduced`, `unchanged` or `resolved` with --compare-to (see CHANGES); None without,
    # and then absent from the JSON, so reports without --compare-to keep their bytes.
    change: str | None = None
    # With `drift diff --history`: the finding's stable id and whether it is new or open
    # since an earlier run (drift/history/); None without, and then absent from the JSON.
    history: FindingHistory | None = None

    def sort_key(self) -> tuple[int, str, str]:
        return (SEVERITY_RANK[self.severity], self.path, self.type)

    def to_json(self) -> dict[str, Any]:
        out: dict[str, Any] = {
            "path": self.path,
            "kind": self.kind,
            "resource": self.resource,
            "region": self.region,
            "field": self.field,
            "type": self.type,
            "severity": self.severity,
            "expected": self.expected,
            "actual": self.actual,
            "message": self.message,
            "source": self.source,
            "rule": self.rule,
        }
        if self.change is not None:
            out["change"] = self.change
        if self.history is not None:
            out["history"] = self.history.to_json()
        return out


@dataclass(frozen=True)
class FindingHistory:
    """A finding as history knows it: `status` is `new` (first seen in this run) or
    `open` (seen in every complete run since `first_seen`, a UTC time)."""

    id: str
    status: str  # new | open (HISTORY_STATUSES)
    first_seen: str

    def to_json(self) -> dict[str, Any]:
        return {"id": self.id, "status": self.status, "first_seen": self.first_seen}


@dataclass(frozen=True)
class TrackedFinding:
    """What history keeps of a finding between runs: who it is, never its values."""

    id: str
    path: str
    kind: str
    region: str | None
    type: str
    severity: str
    rule: str | None
    first_seen: str

    def to_json(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "path": self.path,
            "kind": self.kind,
            "region": self.region,
            "type": self.type,
            "severity": self.severity,
            "rule": self.rule,
            "first_seen": self.first_seen,
        }


@dataclass(frozen=True)
class RunHistory:
    """What `drift diff --history` adds to a report: the previous complete run of the
    project (None: this is the first), and the findings it had that this run checked
    and no longer finds."""

    previous_run: str | None  # the previous run's key in the history location
    previous_generated_at: str | None
    resolved: tuple[TrackedFinding, ...] = ()

    def to_json(self) -> dict[str, Any]:
        previous = (
            {"run": self.previous_run, "generated_at": self.previous_generated_at}
            if self.previous_run is not None
            else None
        )
        return {"previous_run": previous, "resolved": [f.to_json() for f in self.resolved]}


@dataclass(frozen=True)
class IgnoredFinding:
    finding: Finding
    rule: str
    reason: str

    def to_json(self) -> dict[str, Any]:
        return {
            "path": self.finding.path,
            "type": self.finding.type,
            "severity": self.finding.severity,
            "rule": self.rule,
            "reason": self.reason,
        }


@dataclass(frozen=True)
class Report:
    """The outcome of one comparison; formatters turn it into bytes."""

    project: str
    project_number: str | None
    generated_at: str
    source_type: str
    source_detail: str
    baseline_path: str
    baseline_sha256: str
    resources_checked: int
    findings: tuple[Finding, ...]
    ignored: tuple[IgnoredFinding, ...] = ()
    not_checked: tuple[NotChecked, ...] = ()
    notes: tuple[str, ...] = field(default=())
    source_taken_at: str | None = None  # when the live state compared was read
    # Every declared resource compared (after --kinds), in baseline order; not in the JSON.
    declared: tuple[DeclaredResource, ...] = ()
    comparison: Comparison | None = None  # set by --compare-to REF
    history: RunHistory | None = None  # set by --history LOCATION

    def counts(self) -> dict[str, int]:
        out: dict[str, int] = {s: 0 for s in SEVERITIES}
        for f in self.findings:
            out[f.severity] += 1
        return out

    @property
    def resolved(self) -> tuple[Finding, ...] | None:
        """Findings the baseline at REF had that this change removes (None: no --compare-to)."""
        return self.comparison.resolved if self.comparison else None

    @property
    def baseline_changes(self) -> tuple[BaselineChange, ...] | None:
        """Declarations added, removed or changed since REF (None: no --compare-to)."""
        return self.comparison.baseline_changes if self.comparison else None

    def change_counts(self) -> dict[str, int] | None:
        """{introduced, unchanged, resolved: n} with --compare-to, else None."""
        if self.comparison is None:
            return None
        out = {c: 0 for c in CHANGES}
        for f in self.findings:
            if f.change in out:
                out[f.change] += 1
        out["resolved"] = len(self.comparison.resolved)
        return out


@dataclass(frozen=True)
class BaselineChange:
    """One declaration that differs between the baseline at REF and the working tree's.

    `field` is None for a whole resource, else a declared field (`max_instances`) or one
    key of a mapping (`env/API_URL`). `source` is where it is declared now (added,
    changed), or at REF for a removed one (`REF:expected/P/file.yaml:LINE`). Values are
    left out: the baseline is in git for anyone to read, and a diff of values is git's.
    """

    change: str  # added | removed | changed (BASELINE_CHANGES)
    kind: str
    resource: str
    region: str | None
    field: str | None
    source: str | None

    @property
    def path(self) -> str:
        base = f"{self.kind}/{self.resource}"
        return f"{base}/{self.field}" if self.field else base

    def sort_key(self) -> tuple[str, str, str]:
        return (self.path, self.region or "", self.change)

    def to_json(self) -> dict[str, Any]:
        return {
            "change": self.change,
            "path": self.path,
            "kind": self.kind,
            "resource": self.resource,
            "region": self.region,
            "field": self.field,
            "source": self.source,
        }


@dataclass(frozen=True)
class Comparison:
    """What `drift diff --compare-to REF` adds to a report: the baseline at REF, the
    findings it had that are gone, and the declarations that changed since."""

    ref: str
    commit: str
    baseline_path: str | None  # None: the project has no baseline at REF
    baseline_sha256: str | None
    resolved: tuple[Finding, ...] = ()
    baseline_changes: tuple[BaselineChange, ...] = ()
