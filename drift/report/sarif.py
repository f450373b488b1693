"""SARIF 2.1.0 (Report -> str), for GitHub code scanning and other SARIF viewers.

One rule per finding type and kind (`drift/changed/services`); each finding is a result
located where its expectation is declared (`expected/<project>/<file>.yaml:<line>`), or at
the project's project.yaml when nothing declares it (an unmanaged resource, a lint finding
on one). Code scanning tracks an alert across runs by its `partialFingerprints`: here a
digest of the project, path, region and type (and the lint rule), never of values or times,
so a changed live value or a new run keeps the same alert.

Ignored findings are results with a suppression (the ignore rule's reason), so they are
recorded, not lost. A kind that could not be checked is an error-level result of rule
`drift/not_checked/<kind>` and a tool execution notification, and the invocation is marked
unsuccessful: an incomplete run never reads as "no drift".

Live values are untrusted: messages carry the report's already-redacted text, escaped like
every text output (drift/report/escape.py), and the JSON text is escaped like the JSON
report. Same report, same bytes.
"""

from __future__ import annotations

import hashlib
import json
import os
from collections.abc import Callable
from pathlib import Path, PurePosixPath
from typing import Any
from urllib.parse import quote

from drift import __version__
from drift.model import Finding, IgnoredFinding, NotChecked, Report
from drift.report.escape import escape_json, escape_text

SCHEMA_URI = (
    "https://docs.oasis-open.org/sarif/sarif/v2.1.0/errata01/os/schemas/sarif-schema-2.1.0.json"
)
LEVELS = {"critical": "error", "warning": "warning", "info": "note"}
# The key GitHub and other consumers read as ours; bump the suffix if the recipe changes.
FINGERPRINT_KEY = "driftFinding/v1"
SRCROOT = "%SRCROOT%"
# --compare-to REF classifies findings; SARIF says the same with baselineState. Resolved
# findings are not results at all: code scanning would open alerts for them.
BASELINE_STATES = {"introduced": "new", "unchanged": "unchanged"}

_TYPE_WORDS = {
    "changed": "A declared field differs from its live value",
    "missing": "Declared, but not there live",
    "unexpected": "Set live, but not declared (or declared absent)",
    "unmanaged": "A live resource the baseline does not declare",
    "broken_reference": "Refers to something that does not exist or is not ready",
    "lint": "A built-in lint rule (for example an unreplaced placeholder)",
    "not_checked": "Could not be looked at: nothing is known about it",
}
_DEFAULT_LEVEL = {
    "changed": "warning",
    "missing": "error",
    "unexpected": "warning",
    "unmanaged": "note",
    "broken_reference": "error",
    "lint": "warning",
    "not_checked": "error",
}


def find_repository(start: Path) -> Path | None:
    """The nearest folder at or above `start` holding `.git` (a checkout), if any."""
    for folder in (start, *start.parents):
        if (folder / ".git").exists():
            return folder
    return None


def repository_root(cwd: Path, baseline: str | None = None) -> Path:
    """The folder URIs are made relative to: the repository holding the baseline, else
    the one around `cwd`, else `cwd` itself.

    Code scanning places a result by a URI relative to the repository's root, which is not
    always the folder drift runs in (`--expected /src/infra/expected` from elsewhere).
    """
    if baseline:
        found = find_repository(Path(os.path.normpath(cwd / baseline)))
        if found is not None:
            return found
    return find_repository(cwd) or cwd


def artifact_uri(path: str, cwd: Path | None, root: Path | None) -> tuple[str, bool]:
    """(URI, relative?) of a file named as the report names it (relative to `cwd`).

    Inside `root` it is a relative, percent-encoded URI (`expected/p/services.yaml`);
    outside, an absolute `file://` URI. Without `cwd` the path is kept as written.
    """
    if cwd is None or root is None:
        pure = PurePosixPath(path)
        if pure.is_absolute():
            return "file://" + quote(pure.as_posix(), safe="/"), False
        return quote(pure.as_posix(), safe="/"), True
    full = Path(os.path.normpath(cwd / path))
    try:
        rel = full.relative_to(root)
    except ValueError:
        return full.as_uri(), False
    return quote(rel.as_posix(), safe="/"), True


def _split_source(source: str) -> tuple[str, int | None]:
    """`file:line` -> (file, line); a source without a line number is the whole file."""
    head, sep, tail = source.rpartition(":")
    if sep and tail.isdigit() and int(tail) > 0:
        return head, int(tail)
    return source, None


def rule_id(type_: str, kind: str) -> str:
    """`drift/<type>/<kind>`, the rule of one kind of finding on one kind of resource."""
    return f"drift/{type_}/{kind}"


def _rule(type_: str, kind: str) -> dict[str, Any]:
    words = _TYPE_WORDS.get(type_, type_)
    return {
        "id": rule_id(type_, kind),
        "name": "".join(w.capitalize() for w in f"{type_}_{kind}".split("_")),
        "shortDescription": {"text": escape_text(f"{words} ({kind})")},
        "fullDescription": {
            "text": escape_text(
                f"drift compares the live {kind} of a Google Cloud project with the baseline "
                f"declared under expected/<project>/; this rule reports {type_} findings."
            )
        },
        "defaultConfiguration": {"level": _DEFAULT_LEVEL.get(type_, "warning")},
        "properties": {"tags": ["drift", escape_text(kind), type_]},
    }


def fingerprint(project: str, *parts: str | None) -> str:
    """A stable digest of identity only (project, path, region, type...), never values."""
    text = "\0".join([project, *(p or "" for p in parts)])
    return hashlib.sha256(text.encode("utf-8", "surrogatepass")).hexdigest()


def _finding_identity(f: Finding) -> tuple[str | None, ...]:
    # Two lint rules can flag the same path; other rules only re-classify, so they stay out.
    lint_rule = f.rule if f.type == "lint" else None
    return (f.path, f.region, f.type, lint_rule)


class _Builder:
    """Collects the rules used and turns findings into results."""

    def __init__(self, report: Report, cwd: Path | None, root: Path | None) -> None:
        self.report = report
        self.cwd = cwd
        self.root = root
        self.rules: dict[str, dict[str, Any]] = {}
        self.seen: dict[str, int] = {}

    def location(self, source: str | None) -> dict[str, Any]:
        """Where a result is declared; the project's project.yaml (line 1) when nowhere."""
        if source:
            path, line = _split_source(source)
        else:
            path, line = f"{self.report.baseline_path}/project.yaml", 1
        uri, relative = artifact_uri(path, self.cwd, self.root)
        artifact: dict[str, Any] = {"uri": uri}
        if relative:
            artifact["uriBaseId"] = SRCROOT
        physical: dict[str, Any] = {"artifactLocation": artifact}
        if line is not None:
            physical["region"] = {"startLine": line}
        return {"physicalLocation": physical}

    def _fingerprint(self, parts: tuple[str | None, ...]) -> str:
        digest = fingerprint(self.report.project, *parts)
        # Identical identities in one run (should two findings share one) stay distinct,
        # numbered in report order, which is itself deterministic.
        n = self.seen.get(digest, 0)
        self.seen[digest] = n + 1
        return digest if n == 0 else f"{digest}:{n}"

    def _result(
        self,
        type_: str,
        kind: str,
        level: str,
        text: str,
        source: str | None,
        identity: tuple[str | None, ...],
        properties: dict[str, Any],
    ) -> dict[str, Any]:
        rid = rule_id(type_, kind)
        self.rules.setdefault(rid, _rule(type_, kind))
        return {
            "ruleId": rid,
            "level": level,
            "message": {"text": escape_text(text)},
            "locations": [self.location(source)],
            "partialFingerprints": {FINGERPRINT_KEY: self._fingerprint(identity)},
            "properties": properties,
        }

    def finding(self, f: Finding) -> dict[str, Any]:
        props: dict[str, Any] = {
            "path": escape_text(f.path),
            "region": f.region,
            "severity": f.severity,
            "type": f.type,
        }
        if f.rule:
            props["rule"] = escape_text(f.rule)
        source = None if f.type == "unmanaged" else f.source
        result = self._result(
            f.type, f.kind, LEVELS[f.severity], f.message, source, _finding_identity(f), props
        )
        if f.change in BASELINE_STATES:  # with --compare-to REF: relative to the baseline at REF
            result["baselineState"] = BASELINE_STATES[f.change]
        return result

    def ignored(self, i: IgnoredFinding) -> dict[str, Any]:
        result = self.finding(i.finding)
        result["suppressions"] = [
            {
                "kind": "external",  # the ignore rule lives in project.yaml, not at the result
                "status": "accepted",
                "justification": escape_text(f"{i.rule}: {i.reason}"),
            }
        ]
        return result

    def not_checked(self, nc: NotChecked) -> dict[str, Any]:
        where = f" in {nc.region}" if nc.region else ""
        text = f"{nc.kind}{where} was not checked: {nc.error}"
        props = {"region": nc.region, "type": "not_checked"}
        identity = ("not_checked", nc.kind, nc.region)
        return self._result("not_checked", nc.kind, "error", text, None, identity, props)


def _order(f: Finding) -> tuple[Any, ...]:
    return (*f.sort_key(), f.region or "", f.rule or "", f.message)


def to_dict(report: Report, cwd: Path | None = None, root: Path | None = None) -> dict[str, Any]:
    """The SARIF log as plain data. `cwd` and `root` (see repository_root) make artifact
    URIs relative to the repository; without them paths are kept as the report has them."""
    b = _Builder(report, cwd, root)
    not_checked = sorted(report.not_checked, key=lambda n: (n.kind, n.region or "", n.error))
    results = [b.finding(f) for f in sorted(report.findings, key=_order)]
    results += [b.ignored(i) for i in sorted(report.ignored, key=lambda i: _order(i.finding))]
    results += [b.not_checked(nc) for nc in not_checked]
    rule_ids = sorted(b.rules)
    index = {rid: n for n, rid in enumerate(rule_ids)}
    for r in results:
        r["ruleIndex"] = index[r["ruleId"]]
    notifications = [
        {
            "level": "error",
            "message": {"text": escape_text(f"{nc.kind}: {nc.error}")},
            "descriptor": {"id": "drift/not_checked"},
        }
        for nc in not_checked
    ] + [{"level": "note", "message": {"text": escape_text(note)}} for note in report.notes]
    counts = report.counts()
    return {
        "$schema": SCHEMA_URI,
        "version": "2.1.0",
        "runs": [
            {
                "tool": {
                    "driver": {
                        "name": "drift",
                        "version": __version__,
                        "semanticVersion": __version__,
                        "rules": [b.rules[rid] for rid in rule_ids],
                    }
                },
                # Code scanning keeps one analysis per category: one per project.
                "automationDetails": {"id": f"drift/{escape_text(report.project)}/"},
                "originalUriBaseIds": {
                    SRCROOT: {"description": {"text": "The root of the repository drift ran in."}}
                },
                "invocations": [
                    {
                        "executionSuccessful": not report.not_checked,
                        "endTimeUtc": report.generated_at,
                        "toolExecutionNotifications": notifications,
                    }
                ],
                "results": results,
                "properties": {
                    "project": escape_text(report.project),
                    "project_number": report.project_number,
                    "source": {
                        "type": report.source_type,
                        "detail": escape_text(report.source_detail),
                    },
                    "baseline": {
                        "path": escape_text(report.baseline_path),
                        "sha256": report.baseline_sha256,
                    },
                    "summary": {
                        "resources_checked": report.resources_checked,
                        **counts,
                        "ignored": len(report.ignored),
                        "not_checked": len(report.not_checked),
                    },
                },
            }
        ],
    }


def render(report: Report, cwd: Path | None = None, root: Path | None = None) -> str:
    """The SARIF log as JSON text: key order fixed, unsafe characters as \\u escapes."""
    text = json.dumps(to_dict(report, cwd, root), indent=2, ensure_ascii=False)
    return escape_json(text) + "\n"


def renderer(cwd: Path | None = None) -> Callable[[Report], str]:
    """A Report -> str for the CLI: URIs relative to the repository holding the baseline
    (see repository_root), paths read relative to `cwd`."""
    if cwd is None:
        return render
    here = cwd
    return lambda report: render(report, here, repository_root(here, report.baseline_path))
