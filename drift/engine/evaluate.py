"""Turns raw differences into findings: default severities, project rules, ignores, messages."""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass, replace
from typing import Any

from drift.baseline import Baseline
from drift.engine.checks import reference_findings
from drift.engine.compare import RawFinding, compare, finding_from_raw
from drift.model import Finding, IgnoredFinding, Snapshot

KIND_NOUN = {
    "services": "Cloud Run service",
    "secrets": "secret",
    "vpc_connectors": "VPC connector",
}


def default_severity(raw: RawFinding) -> str:
    """spec/report.md: what hurts first is critical, labels and unmanaged are info."""
    field = raw.field or ""
    if raw.type in ("broken_reference",):
        return "critical"
    if raw.type == "unmanaged":
        return "info"
    if raw.field is None and raw.type == "missing":
        return "critical"
    if field.startswith("labels"):
        return "info"
    if field.startswith("env/"):
        if raw.type in ("missing", "changed"):
            return "critical"
        return "warning"
    return "warning"


def _show(value: Any) -> str:
    if isinstance(value, str):
        return value
    return json.dumps(value, sort_keys=True)


def message(raw: RawFinding, expected: Any, actual: Any) -> str:
    noun = KIND_NOUN.get(raw.kind, raw.kind)
    where = f" in {raw.region}" if raw.region else ""
    subject = f"{noun} {raw.resource}{where}"
    field = raw.field
    if raw.type == "unmanaged":
        return f"{subject} exists live but is not declared in the baseline."
    if raw.type == "missing" and field is None:
        return f"{subject} is declared but does not exist live."
    if raw.type == "broken_reference":
        if field == "vpc_connector":
            conn = (expected or {}).get("connector")
            if actual is None:
                return f"{subject} uses VPC connector {conn}, which does not exist{where}."
            return (
                f"{subject} uses VPC connector {conn}, which is {actual.get('state')}, not READY."
            )
        secret = (expected or {}).get("secret")
        version = (expected or {}).get("version")
        if actual is None:
            var = field.split("/", 1)[1]
            return f"{subject} env var {var} refers to secret {secret}, which does not exist."
        return (
            f"{subject} env var {field.split('/', 1)[1]} refers to version {version} of secret "
            f"{secret}, which is {actual.get('state') or 'missing'}, not ENABLED."
        )
    label = field or ""
    if label.startswith("env/"):
        label = f"env var {label[4:]}"
    elif "/" in label:
        label = label.replace("/", " ")
    if raw.type == "missing":
        return f"{subject}: {label} is declared as {_show(expected)} but is not set live."
    if raw.type == "unexpected":
        if actual is None:
            return f"{subject}: {label} must be absent but is set live."
        return f"{subject}: {label} is set live to {_show(actual)} but is not declared."
    return f"{subject}: {label} is {_show(actual)} live, declared {_show(expected)}."


@dataclass(frozen=True)
class Evaluation:
    findings: tuple[Finding, ...]
    ignored: tuple[IgnoredFinding, ...]
    notes: tuple[str, ...]
    resources_checked: int


def _with_source(raw: RawFinding, baseline: Baseline) -> RawFinding:
    """Broken references point at where the service (and that field) is declared, if it is."""
    if raw.source is not None:
        return raw
    for d in baseline.declared:
        if (d.kind, d.name, d.region) == (raw.kind, raw.resource, raw.region):
            src = d.field_sources.get(raw.field or "", None) or d.source
            return replace(raw, source=src)
    return raw


def evaluate(baseline: Baseline, snapshot: Snapshot, today: dt.date) -> Evaluation:
    raws = compare(baseline, snapshot) + reference_findings(snapshot)
    findings: list[Finding] = []
    ignored: list[IgnoredFinding] = []
    notes: set[str] = set()
    rules = baseline.rules
    for raw in raws:
        raw = _with_source(raw, baseline)
        severity = default_severity(raw)
        rule: str | None = None
        if raw.type == "unmanaged" and rules.unmanaged == "fail":
            severity, rule = "critical", "unmanaged: fail"
        override = rules.severity_for(raw.path)
        if override:
            severity, rule = override, f"severity {_matching_glob(rules, raw.path)}"
        expected_r = finding_from_raw(raw, severity, "", rule)
        text = message(raw, expected_r.expected, expected_r.actual)
        active, expired = rules.ignore_for(raw.path, today)
        if active is not None:
            f = finding_from_raw(raw, severity, text, f"ignore {active.path}")
            ignored.append(IgnoredFinding(f, f"ignore {active.path}", active.reason))
            continue
        if expired is not None:
            rule = f"ignore {expired.path} (expired {expired.until})"
            text = f"{text} The ignore rule for {expired.path} expired on {expired.until}."
            notes.add(
                f"Ignore rule {expired.path} ({expired.source}) expired on {expired.until}; "
                "its findings count again. Renew or remove it."
            )
        findings.append(finding_from_raw(raw, severity, text, rule))
    findings.sort(key=Finding.sort_key)
    ignored.sort(key=lambda i: i.finding.sort_key())
    return Evaluation(
        tuple(findings), tuple(ignored), tuple(sorted(notes)), _count(baseline, snapshot)
    )


def _matching_glob(rules: Any, path: str) -> str:
    from drift.baseline.rules import path_matches

    for glob, _sev in rules.severity:
        if path_matches(glob, path):
            return glob
    return "?"


def _count(baseline: Baseline, snapshot: Snapshot) -> int:
    keys = {
        (d.kind, d.name, d.region) for d in baseline.declared if snapshot.checked(d.kind, d.region)
    }
    keys |= {r.key() for r in snapshot.resources if r.kind in baseline.kinds}
    return len(keys)
