"""The JSON report of spec/report.md: stable key order, sorted findings, byte-identical output."""

from __future__ import annotations

import json
from typing import Any

from drift.model import Report
from drift.report.escape import escape_json


def to_dict(report: Report) -> dict[str, Any]:
    counts = report.counts()
    return {
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
            for n in sorted(report.not_checked, key=lambda n: (n.kind, n.region or "", n.error))
        ],
        "notes": list(report.notes),
    }


def render(report: Report) -> str:
    """The report as JSON text: UTF-8 for ordinary text, unsafe characters as \\u escapes.

    ensure_ascii=False keeps names and values readable (`café`, not `caf\\u00e9`), but leaves
    C1 controls, bidi controls and U+2028/9 raw: escape_json turns those into \\uXXXX, so
    `cat report.json` is as safe as the table and the decoded values are unchanged.
    """
    return escape_json(json.dumps(to_dict(report), indent=2, ensure_ascii=False)) + "\n"
