"""The JSON report of spec/report.md: stable key order, sorted findings, byte-identical output."""

from __future__ import annotations

import json
from typing import Any

from drift.model import Report
from drift.report.escape import escape_json


def to_dict(report: Report) -> dict[str, Any]:
    """The report as plain data; the --compare-to and --history keys only when used."""
    counts = report.counts()
    out: dict[str, Any] = {
        "schema": "drift-report/v1",
        "project": report.project,
        "project_number": report.project_number,
        "generated_at": report.generated_at,
        "source": {
            "type": report.source_type,
            "detail": report.source_detail,
            "taken_at": report.source_taken_at,
        },
        "baseline": {"path": report.baseline_path, "sha256": report.baseline_sha256},
        "summary": {
            "resources_checked": report.resources_checked,
            "critical": counts["critical"],
            "warning": counts["warning"],
            "info": counts["info"],
            "ignored": len(report.ignored),
            "not_checked": len(report.not_checked),
        },
        "findings": [f.to_json() for f in report.findings],
        "ignored": [i.to_json() for i in report.ignored],
        "not_checked": [
            n.to_json()
            for n in sorted(
                report.not_checked,
                key=lambda n: (n.kind, n.region or "", n.resource or "", n.error),
            )
        ],
        "notes": list(report.notes),
    }
    if report.comparison is not None:
        out = _with_comparison(out, report)
    if report.history is not None:
        # drift-report/v1 addition of `--history` (docs/operations.md), last so that
        # reports without it keep their bytes; each finding carries its own `history`.
        out["history"] = report.history.to_json()
    return out


def _with_comparison(out: dict[str, Any], report: Report) -> dict[str, Any]:
    """drift-report/v1 additions of `--compare-to REF` (docs/operations.md): `compare_to`
    after `baseline`, `resolved` and `baseline_changes` after `findings`; each finding
    already carries its `change`. Readers that do not know them see a v1 report."""
    comp = report.comparison
    assert comp is not None
    counts = report.change_counts() or {}
    compare_to = {
        "ref": comp.ref,
        "commit": comp.commit,
        "baseline": (
            {"path": comp.baseline_path, "sha256": comp.baseline_sha256}
            if comp.baseline_path is not None
            else None
        ),
        "summary": {k: counts.get(k, 0) for k in ("introduced", "unchanged", "resolved")},
    }
    ordered: dict[str, Any] = {}
    for key, value in out.items():
        ordered[key] = value
        if key == "baseline":
            ordered["compare_to"] = compare_to
        elif key == "findings":
            ordered["resolved"] = [f.to_json() for f in comp.resolved]
            ordered["baseline_changes"] = [c.to_json() for c in comp.baseline_changes]
    return ordered


def render(report: Report) -> str:
    """The report as JSON text: UTF-8 for ordinary text, unsafe characters as \\u escapes.

    ensure_ascii=False keeps names and values readable (`café`, not `caf\\u00e9`), but leaves
    C1 controls, bidi controls and U+2028/9 raw: escape_json turns those into \\uXXXX, so
    `cat report.json` is as safe as the table and the decoded values are unchanged.
    """
    return escape_json(json.dumps(to_dict(report), indent=2, ensure_ascii=False)) + "\n"
