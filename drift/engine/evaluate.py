"""Turns raw differences into findings: default severities, project rules and ignores.

Compare, the reference checks and lint each word their own findings (RawFinding.message);
this module only adds what a project rule says about one (an expired ignore).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, replace
from typing import Any, cast

from drift.baseline import Baseline
from drift.engine.checks import reference_findings, reference_notes
from drift.engine.compare import compare, finding_from_raw, live_key
from drift.engine.lint import SEVERITY as LINT_SEVERITY
from drift.engine.lint import lint_findings
from drift.model import Finding, IgnoredFinding, LintFinding, RawFinding, Severity, Snapshot


def default_severity(raw: RawFinding) -> Severity:
    """spec/report.md: what hurts first is critical, labels and unmanaged are info."""
    field = raw.field or ""
    if isinstance(raw, LintFinding):
        return LINT_SEVERITY[raw.rule]
    if raw.type in ("broken_reference",):
        return "critical"
    if raw.type == "unmanaged":
        return "info"
    if raw.field is None and raw.type == "missing":
        return "critical"
    if field.startswith("labels"):
        return "info"
    if raw.kind == "secrets" and field == "sha256":
        return "critical"  # the payload is not the one declared: clients using it fail
    if field.startswith("env/"):
        if raw.type in ("missing", "changed"):
            return "critical"
        return "warning"
    return "warning"


@dataclass(frozen=True)
class Evaluation:
    findings: tuple[Finding, ...]
    ignored: tuple[IgnoredFinding, ...]
    notes: tuple[str, ...]
    resources_checked: int


def _with_source(raw: RawFinding, declared: dict[tuple[str, str, str | None], Any]) -> RawFinding:
    """Broken references and lint point at where the resource (and that field, or the field
    holding it, e.g. `env:` for an undeclared env var) is declared, if it is."""
    if raw.source is not None:
        return raw
    d = declared.get((raw.kind, raw.resource, raw.region))
    if d is None:
        return raw
    field = raw.field or ""
    src = d.field_sources.get(field) or d.field_sources.get(field.split("/", 1)[0]) or d.source
    return replace(raw, source=src)


def _finding(raw: RawFinding, severity: Severity, text: str, rule: str | None) -> Finding:
    """finding_from_raw, except that a host_spelling finding keeps its canonical host: it
    comes from project.yaml, not from the (possibly secret-named) env var."""
    f = finding_from_raw(raw, severity, text, rule)
    if isinstance(raw, LintFinding) and raw.rule == "host_spelling":
        f = replace(f, expected=raw.expected)
    return f


def evaluate(
    baseline: Baseline,
    snapshot: Snapshot,
    today: dt.date,
    now: dt.datetime | None = None,
    ahead: Any = None,
) -> Evaluation:
    """All findings of one run. `today` decides ignore expiry; `now` (the report time,
    default: the start of `today`, UTC) decides certificate expiry. `ahead` holds what was
    compared and linted while the scan ran (drift/engine/ahead.py)."""
    if now is None:
        now = dt.datetime.combine(today, dt.time.min, tzinfo=dt.UTC)
    raws = (
        compare(baseline, snapshot, ahead)
        + reference_findings(snapshot, now)
        + lint_findings(snapshot, baseline.rules, ahead)
    )
    findings: list[Finding] = []
    ignored: list[IgnoredFinding] = []
    notes: set[str] = set(reference_notes(snapshot))
    rules = baseline.rules
    declared = {live_key(*d.key()): d for d in baseline.declared}
    for raw in raws:
        raw = _with_source(raw, declared)
        severity = default_severity(raw)
        rule: str | None = None
        if raw.type == "unmanaged" and rules.unmanaged == "fail":
            severity, rule = "critical", "unmanaged: fail"
        override = rules.severity_for(raw.path)
        if override:
            # project.yaml's severities are checked against SEVERITIES when loaded
            severity = cast(Severity, override)
            rule = f"severity {_matching_glob(rules, raw.path)}"
        if isinstance(raw, LintFinding):
            rule = f"lint:{raw.rule}"  # a lint finding always names its rule
        text = raw.message
        active, expired = rules.ignore_for(raw.path, today)
        if active is not None:
            f = _finding(raw, severity, text, f"ignore {active.path}")
            ignored.append(IgnoredFinding(f, f"ignore {active.path}", active.reason))
            continue
        if expired is not None:
            if not isinstance(raw, LintFinding):
                rule = f"ignore {expired.path} (expired {expired.until})"
            text = f"{text} The ignore rule for {expired.path} expired on {expired.until}."
            notes.add(
                f"Ignore rule {expired.path} ({expired.source}) expired on {expired.until}; "
                "its findings count again. Renew or remove it."
            )
        findings.append(_finding(raw, severity, text, rule))
    findings.sort(key=Finding.sort_key)
    ignored.sort(key=lambda i: i.finding.sort_key())
    return Evaluation(
        tuple(findings), tuple(ignored), tuple(sorted(notes)), _count(baseline, snapshot)
    )


def _matching_glob(rules: Any, path: str) -> str:
    from drift.baseline.rules import path_matches

    for glob, _sev in rules.severity:
        if path_matches(glob, path):
            return str(glob)
    return "?"


def _count(baseline: Baseline, snapshot: Snapshot) -> int:
    keys = {
        (d.kind, d.name, d.region)
        for d in baseline.declared
        if snapshot.checked_resource(d.kind, live_key(*d.key())[1], d.region)
    }
    keys |= {r.key() for r in snapshot.resources if r.kind in baseline.kinds}
    return len(keys)
