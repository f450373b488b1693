"""Findings that share a path become one table row (the JSON report keeps every finding).

A field can be `changed`, fail a `lint` rule and hold a `broken_reference` at once: three
rows with the same path read as one finding printed three times, so the table shows one
row per path listing every reason (`changed, lint host_spelling`) at its most severe
severity. One finding gives the row its values; the others add a sentence when they say
something those values do not (a reference that does not exist, another pair of values).
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from itertools import groupby
from typing import Any

from drift.model import SEVERITY_RANK, Finding

# Which finding gives a row its values: the plain difference first, the derived ones after.
# A broken reference, a whole missing resource and an unmanaged one are told in words.
VALUE_ORDER = ("changed", "missing", "lint", "unexpected", "unmanaged", "broken_reference")
SECRET_REF_KEYS = {"secret", "version", "state"}


@dataclass(frozen=True)
class Row:
    """One table row: every finding on one path (in one region)."""

    kind: str
    resource: str
    region: str | None
    field: str | None
    severity: str
    reasons: tuple[str, ...]
    values: tuple[str, str] | None  # (expected, actual) shown as text, or None: words only
    sentences: tuple[str, ...]
    source: str | None
    findings: tuple[Finding, ...]

    @property
    def unmanaged_only(self) -> bool:
        """A live resource not declared, and nothing else to say about it."""
        return all(f.type == "unmanaged" for f in self.findings)

    def sort_key(self) -> tuple[int, str, str]:
        return (SEVERITY_RANK[self.severity], self.field or "", self.findings[0].path)


def show_value(value: Any, side: str) -> str:
    """A value as one line of text (not yet escaped): strings as they are, the rest as JSON.

    A string that is empty or has spaces at either end is quoted, or `""` and `" x"` would
    look like nothing and like `x`. None is named by the side it is missing from.
    """
    if value is None:
        return "(not declared)" if side == "expected" else "(not set)"
    if isinstance(value, str):
        # Quoted, not JSON-encoded: the table's one escaping rule still applies to it.
        return f'"{value}"' if value != value.strip() or not value else value
    if isinstance(value, dict) and "secret" in value and set(value) <= SECRET_REF_KEYS:
        state = f", {value['state']}" if value.get("state") else ""
        return f"secret {value['secret']} ({value.get('version', 'latest')}{state})"
    return json.dumps(value, sort_keys=True, ensure_ascii=False)


def reason(finding: Finding) -> str:
    """`changed`, or `lint host_spelling` for a lint finding (its rule names the check)."""
    if finding.type == "lint" and finding.rule and finding.rule.startswith("lint:"):
        return f"lint {finding.rule.removeprefix('lint:')}"
    return finding.type


def _words(finding: Finding) -> str:
    """What a finding without values says, in as few words as tell it."""
    if finding.type == "unmanaged":
        return "exists live, not declared in the baseline"
    if finding.type == "missing" and finding.field is None:
        return "declared, does not exist live"
    return finding.message


def _has_values(finding: Finding) -> bool:
    if finding.type in ("broken_reference", "unmanaged"):
        return False
    return not (finding.type == "missing" and finding.field is None)


def _extra(main: Finding, other: Finding) -> str | None:
    """What `other` adds to a row whose values come from `main`, if anything.

    A broken reference is told in its sentence. A lint rule or `unmanaged` is said by its
    reason (`lint placeholders`) next to the values it is about; any other finding adds
    its sentence only when its values are not the row's (an unexpected host's backend).
    """
    if other.type == "broken_reference":
        return other.message
    if other.type in ("lint", "unmanaged"):
        return None
    if not _has_values(other):
        return _words(other)
    if (other.expected, other.actual) == (main.expected, main.actual):
        return None
    return other.message


def make_row(findings: list[Finding]) -> Row:
    """One row from the findings of one path (all of the same kind, resource and region)."""
    ordered = sorted(
        findings,
        key=lambda f: (
            VALUE_ORDER.index(f.type) if f.type in VALUE_ORDER else len(VALUE_ORDER),
            SEVERITY_RANK[f.severity],
            f.message,
        ),
    )
    main = ordered[0]
    values = None
    sentences: list[str] = []
    if _has_values(main):
        values = (show_value(main.expected, "expected"), show_value(main.actual, "actual"))
    else:
        sentences.append(_words(main))
    for other in ordered[1:]:
        text = _extra(main, other)
        if text and text not in sentences:
            sentences.append(text)
    by_severity = sorted(findings, key=lambda f: (SEVERITY_RANK[f.severity], f.type))
    rank: dict[str, int] = {}
    for f in findings:  # each reason at the rank of its most severe finding
        rank[reason(f)] = min(rank.get(reason(f), len(SEVERITY_RANK)), SEVERITY_RANK[f.severity])
    reasons = sorted(rank, key=lambda r: (rank[r], r))
    return Row(
        kind=main.kind,
        resource=main.resource,
        region=main.region,
        field=main.field,
        severity=by_severity[0].severity,
        reasons=tuple(reasons),
        values=values,
        sentences=tuple(sentences),
        source=next((f.source for f in ordered if f.source), None),
        findings=tuple(sorted(findings, key=Finding.sort_key)),
    )


def merge(findings: tuple[Finding, ...] | list[Finding]) -> list[Row]:
    """One row per (path, region), sorted by severity, then field."""

    def key(f: Finding) -> tuple[str, str]:
        return (f.path, f.region or "")

    rows = [make_row(list(group)) for _, group in groupby(sorted(findings, key=key), key=key)]
    return sorted(rows, key=Row.sort_key)


def group_by_resource(rows: list[Row]) -> list[tuple[tuple[str, str, str | None], list[Row]]]:
    """Rows under a heading per resource and severity: every critical row comes before any
    warning, and within one severity the rows of a resource are together."""
    groups: dict[tuple[str, str, str, str | None], list[Row]] = {}
    for row in rows:
        groups.setdefault((row.severity, row.kind, row.resource, row.region), []).append(row)

    def order(key: tuple[str, str, str, str | None]) -> tuple[int, str, str, str]:
        severity, kind, resource, region = key
        return (SEVERITY_RANK[severity], kind, resource, region or "")

    return [
        ((k[1], k[2], k[3]), sorted(groups[k], key=Row.sort_key)) for k in sorted(groups, key=order)
    ]
