"""Turns raw differences into findings: default severities, project rules, ignores, messages."""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass, replace
from typing import Any

from drift.baseline import Baseline
from drift.engine.checks import reference_findings, reference_notes
from drift.engine.compare import RawFinding, compare, finding_from_raw, live_key
from drift.engine.lint import SEVERITY as LINT_SEVERITY
from drift.engine.lint import LintFinding, lint_findings
from drift.engine.redact import is_mask
from drift.engine.values import SCOPED_SET_FIELDS, ambiguous_names
from drift.model import Finding, IgnoredFinding, Snapshot

KIND_NOUN = {
    "services": "Cloud Run service",
    "secrets": "secret",
    "vpc_connectors": "VPC connector",
    "health_checks": "health check",
    "backend_services": "backend service",
    "url_maps": "URL map",
    "ssl_certificates": "SSL certificate",
    "target_https_proxies": "target HTTPS proxy",
    "domain_mappings": "Cloud Run domain mapping",
}


def default_severity(raw: RawFinding) -> str:
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
        return _broken_message(raw, subject, expected, actual)
    label = _label(field)
    if isinstance(raw, LintFinding):
        return _lint_message(raw, subject, label, expected, actual)
    if raw.type == "missing":
        return f"{subject}: {label} is declared as {_show(expected)} but is not set live."
    if raw.type == "unexpected":
        if actual is None:
            return f"{subject}: {label} must be absent but is set live."
        return f"{subject}: {label} is set live to {_show(actual)} but is not declared."
    text = f"{subject}: {label} is {_show(actual)} live, declared {_show(expected)}."
    if field in SCOPED_SET_FIELDS:
        for name in ambiguous_names(expected, actual):
            text += (
                f" {name} names several live groups ({', '.join(_same_name(name, actual))}): "
                "declare each as LOCATION/NAME."
            )
    return text


def _same_name(name: str, live: list[Any]) -> list[str]:
    return sorted(str(v) for v in live if str(v).rsplit("/", 1)[-1] == name)


def _label(field: str | None) -> str:
    label = field or ""
    if label.startswith("env/"):
        return f"env var {label[4:]}"
    return label.replace("/", " ")


def _scope(raw: RawFinding) -> str:
    return f"in {raw.region}" if raw.region else "in the global scope"


def _broken_message(raw: RawFinding, subject: str, expected: Any, actual: Any) -> str:
    """One sentence per kind of broken reference (see drift/engine/checks.py)."""
    field = raw.field or ""
    exp = expected if isinstance(expected, dict) else {}
    act = actual if isinstance(actual, dict) else {}
    where = f" in {raw.region}" if raw.region else ""
    if raw.kind == "domain_mappings" and field == "service":
        return (
            f"{subject} routes to Cloud Run service {exp.get('service')}, which does not "
            f"exist{where}."
        )
    if raw.kind == "domain_mappings" and field == "ready":
        conds = act.get("conditions") or {}
        bad = [f"{k} is {v}" for k, v in sorted(conds.items()) if v != "True"]
        why = f" ({'; '.join(bad)})" if bad else ""
        return f"{subject} is not ready{why}: the domain does not serve its service."
    if raw.kind == "url_maps" and field.startswith("hosts/") and "certificates" in act:
        host = exp.get("host") or field.split("/", 1)[1]
        certs = act.get("certificates") or {}
        checked = ", ".join(f"{name} {words}" for name, words in sorted(certs.items()))
        return (
            f"Host {host} served by URL map {raw.resource}{where} is not covered by any "
            f"certificate on HTTPS proxy {exp.get('https_proxy')} "
            f"({checked or 'it has no certificates'})."
        )
    if raw.kind == "url_maps":
        svc = exp.get("backend_service")
        if field.startswith("hosts/"):
            what = f"routes host {field.split('/', 1)[1]} to backend service {svc}"
        elif field == "default_service":
            what = f"has default service {svc}"
        else:
            what = f"routes paths to backend service {svc}"
        return f"{subject} {what}, which does not exist {_scope(raw)}."
    if raw.kind == "backend_services" and field == "health_checks":
        names = exp.get("health_checks") or []
        noun = "health check" if len(names) == 1 else "health checks"
        verb = "does" if len(names) == 1 else "do"
        return f"{subject} uses {noun} {', '.join(names)}, which {verb} not exist {_scope(raw)}."
    if field == "vpc_connector":
        conn = exp.get("connector")
        if actual is None:
            return f"{subject} uses VPC connector {conn}, which does not exist{where}."
        return f"{subject} uses VPC connector {conn}, which is {act.get('state')}, not READY."
    if field.startswith(("env/", "containers/", "volumes/")) and "secret" in exp:
        return _secret_ref_message(subject, field, exp, act, actual is None)
    return f"{subject}: {_label(field)} refers to {_show(expected)}, which does not exist."


def _secret_ref_message(
    subject: str, field: str, exp: dict[str, Any], act: dict[str, Any], gone: bool
) -> str:
    """A broken secret reference of an env var (any container) or a secret volume."""
    parts = field.split("/")
    if parts[0] == "volumes":
        where, verb = f"volume {'/'.join(parts[1:])}", "mounts"
    elif parts[0] == "containers":
        where, verb = f"container {parts[1]} env var {'/'.join(parts[3:])}", "refers to"
    else:
        where, verb = f"env var {'/'.join(parts[1:])}", "refers to"
    secret, version = exp.get("secret"), exp.get("version")
    if gone:
        return f"{subject} {where} {verb} secret {secret}, which does not exist."
    if "alias_of" in act:
        if act.get("alias_of") is None:
            return (
                f"{subject} {where} {verb} version alias {version} of secret {secret}, "
                "which does not exist."
            )
        return (
            f"{subject} {where} {verb} version alias {version} of secret {secret} (version "
            f"{act.get('alias_of')}), which is {act.get('state') or 'missing'}, not ENABLED."
        )
    return (
        f"{subject} {where} {verb} version {version} of secret {secret}, which is "
        f"{act.get('state') or 'missing'}, not ENABLED."
    )


def _lint_message(raw: LintFinding, subject: str, label: str, expected: Any, actual: Any) -> str:
    """One sentence per lint rule (see drift/engine/lint.py). Values are the redacted ones."""
    at = f"{subject}: {label}" if label else subject
    if raw.rule == "placeholders":
        if is_mask(actual) or actual != raw.actual:
            return (
                f"{at} holds an unreplaced template placeholder (value redacted: {_show(actual)}); "
                "deploy the real value."
            )
        return (
            f"{at} is {_show(actual)}, which holds an unreplaced template placeholder "
            f"({raw.note}); deploy the real value."
        )
    if raw.rule == "plaintext_secrets":
        return (
            f"{at} is a plain value ({_show(actual)}) and {raw.note}; store it in Secret Manager "
            "and reference it ({secret: NAME})."
        )
    if raw.rule == "host_spelling":
        if is_mask(actual):
            return (
                f"{at} uses a host close to, but not, the canonical host {expected} "
                "(value redacted)."
            )
        field = raw.field or ""
        if field.startswith("hosts/"):
            return f"{subject} serves host {actual}; the canonical host is {expected}."
        if field == "domains":
            return f"{subject} names domain {actual}; the canonical host is {expected}."
        if not field:
            return f"{subject} is not a canonical host; the canonical host is {expected}."
        if field == "host":
            return f"{subject} checks host {actual}; the canonical host is {expected}."
        return f"{at} uses host {actual}; the canonical host is {expected}."
    if raw.rule == "not_ready":
        return (
            f"{subject} is not ready: its latest revision never became ready "
            "(a failed or partial deploy)."
        )
    return f"{at}: lint rule {raw.rule} ({raw.note})."


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


def _finding(raw: RawFinding, severity: str, text: str, rule: str | None) -> Finding:
    """finding_from_raw, except that a host_spelling finding keeps its canonical host: it
    comes from project.yaml, not from the (possibly secret-named) env var."""
    f = finding_from_raw(raw, severity, text, rule)
    if isinstance(raw, LintFinding) and raw.rule == "host_spelling":
        f = replace(f, expected=raw.expected)
    return f


def evaluate(
    baseline: Baseline, snapshot: Snapshot, today: dt.date, now: dt.datetime | None = None
) -> Evaluation:
    """All findings of one run. `today` decides ignore expiry; `now` (the report time,
    default: the start of `today`, UTC) decides certificate expiry."""
    if now is None:
        now = dt.datetime.combine(today, dt.time.min, tzinfo=dt.UTC)
    raws = (
        compare(baseline, snapshot)
        + reference_findings(snapshot, now)
        + lint_findings(snapshot, baseline.rules)
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
            severity, rule = override, f"severity {_matching_glob(rules, raw.path)}"
        if isinstance(raw, LintFinding):
            rule = f"lint:{raw.rule}"  # a lint finding always names its rule
        expected_r = _finding(raw, severity, "", rule)
        text = message(raw, expected_r.expected, expected_r.actual)
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
            return glob
    return "?"


def _count(baseline: Baseline, snapshot: Snapshot) -> int:
    keys = {
        (d.kind, d.name, d.region) for d in baseline.declared if snapshot.checked(d.kind, d.region)
    }
    keys |= {r.key() for r in snapshot.resources if r.kind in baseline.kinds}
    return len(keys)
