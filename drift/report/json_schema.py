"""The JSON Schema of the JSON report, drift-report/v1 (spec/report.md, json_format.py).

`drift schema report` prints it, for consumers that check reports before trusting them.
Every key the report always writes is required; the `--compare-to` additions
(`compare_to`, `resolved`, `baseline_changes`, a finding's `change`) and the `--history`
ones (`history`, a finding's `history`) are described but optional. Objects accept
keys this schema does not know: a v1 reader must ignore additions, as drift promises to
only add to v1, never to change or remove.
"""

from __future__ import annotations

from typing import Any

from drift.model import BASELINE_CHANGES, CHANGES, FINDING_TYPES, HISTORY_STATUSES, SEVERITIES

DRAFT = "http://json-schema.org/draft-07/schema#"
_REF = "#/definitions/"

_STR = {"type": "string"}
_STR_OR_NULL = {"type": ["string", "null"]}
_COUNT = {"type": "integer", "minimum": 0}
_UTC = {"type": "string", "pattern": r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z$"}


def _object(props: dict[str, Any], required: list[str] | None = None) -> dict[str, Any]:
    return {
        "type": "object",
        "required": list(props) if required is None else required,
        "properties": props,
    }


def _finding() -> dict[str, Any]:
    props = {
        "path": {"type": "string", "minLength": 1},
        "kind": _STR,
        "resource": _STR,
        "region": _STR_OR_NULL,
        "field": _STR_OR_NULL,
        "type": {"enum": list(FINDING_TYPES)},
        "severity": {"enum": list(SEVERITIES)},
        "expected": {"description": "The declared value or matcher, as declared; or null."},
        "actual": {"description": "The live value after normalization (redacted); or null."},
        "message": _STR,
        "source": {**_STR_OR_NULL, "description": "expected/<project>/<file>.yaml:<line>"},
        "rule": _STR_OR_NULL,
        "change": {"enum": list(CHANGES), "description": "With --compare-to only."},
        "history": {
            **_object(
                {"id": _ID, "status": {"enum": list(HISTORY_STATUSES)}, "first_seen": _UTC}
            ),  # fmt: skip
            "description": "With --history only.",
        },
    }
    return _object(props, [k for k in props if k not in ("change", "history")])


_ID = {"type": "string", "pattern": "^[0-9a-f]{16}$"}


def _history() -> dict[str, Any]:
    """The top-level `history` of a report written with --history."""
    tracked = _object(
        {
            "id": _ID,
            "path": _STR,
            "kind": _STR,
            "region": _STR_OR_NULL,
            "type": {"enum": list(FINDING_TYPES)},
            "severity": {"enum": list(SEVERITIES)},
            "rule": _STR_OR_NULL,
            "first_seen": _UTC,
        }
    )
    previous = _object({"run": _STR, "generated_at": _UTC})
    return _object(
        {
            "previous_run": {"anyOf": [previous, {"type": "null"}]},
            "resolved": {"type": "array", "items": tracked},
        }
    )


def report_schema() -> dict[str, Any]:
    """The schema of `drift diff --format json` output."""
    severity_counts: dict[str, Any] = {s: _COUNT for s in SEVERITIES}
    summary = _object(
        {"resources_checked": _COUNT, **severity_counts, "ignored": _COUNT, "not_checked": _COUNT}
    )
    ignored = _object(
        {
            "path": _STR,
            "type": {"enum": list(FINDING_TYPES)},
            "severity": {"enum": list(SEVERITIES)},
            "rule": _STR,
            "reason": _STR,
        }
    )
    # `resource`: present only when one resource's follow-up read failed (its kind's list
    # was read); the entry then covers that resource alone.
    not_checked = _object(
        {"kind": _STR, "region": _STR_OR_NULL, "error": _STR, "resource": _STR},
        required=["kind", "region", "error"],
    )
    baseline = _object({"path": _STR, "sha256": {"type": "string", "pattern": "^[0-9a-f]{64}$"}})
    compare_to = _object(
        {
            "ref": _STR,
            "commit": _STR,
            "baseline": {"anyOf": [{"$ref": _REF + "baseline"}, {"type": "null"}]},
            "summary": _object({c: _COUNT for c in CHANGES}),
        }
    )
    baseline_change = _object(
        {
            "change": {"enum": list(BASELINE_CHANGES)},
            "path": _STR,
            "kind": _STR,
            "resource": _STR,
            "region": _STR_OR_NULL,
            "field": _STR_OR_NULL,
            "source": _STR_OR_NULL,
        }
    )
    props = {
        "schema": {"const": "drift-report/v1"},
        "project": {"type": "string", "minLength": 1},
        "project_number": _STR_OR_NULL,
        "generated_at": _UTC,
        "source": _object(
            {
                "type": {"enum": ["live", "snapshot", "emulator", "endpoint"]},
                "detail": _STR,
                "taken_at": {"anyOf": [_UTC, {"type": "null"}]},
            },
            ["type", "detail"],
        ),
        "baseline": {"$ref": _REF + "baseline"},
        "compare_to": compare_to,
        "summary": summary,
        "findings": {"type": "array", "items": {"$ref": _REF + "finding"}},
        "resolved": {"type": "array", "items": {"$ref": _REF + "finding"}},
        "baseline_changes": {"type": "array", "items": baseline_change},
        "ignored": {"type": "array", "items": ignored},
        "not_checked": {"type": "array", "items": not_checked},
        "notes": {"type": "array", "items": _STR},
        "history": _history(),
    }
    optional = {"compare_to", "resolved", "baseline_changes", "history"}
    return {
        "$schema": DRAFT,
        "title": "drift report (drift-report/v1)",
        **_object(props, [k for k in props if k not in optional]),
        "definitions": {"finding": _finding(), "baseline": baseline},
    }
