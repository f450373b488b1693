"""`drift diff --compare-to REF`: one read of the live state, two baselines, one report.

The working tree's baseline gives the report (exactly what `drift diff` alone gives);
the baseline at REF (drift/gitref.py) is evaluated against the same live state, and
drift/engine/changes.py classifies each finding as introduced or unchanged and lists the
resolved ones. Exit codes follow the working tree's findings only.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import replace

from drift.baseline import Baseline
from drift.model import Comparison, Finding, Report, Snapshot
from drift.pipeline import build_report, now_utc, restrict
from drift.registry import kinds_to_collect


def scan_for_both(after: Baseline, before: Baseline | None) -> Baseline:
    """The baseline one scan is made for when comparing with the baseline at a git ref:
    the working tree's, reading also the kinds, regions and secret versions only the
    one at REF declares, so each can be evaluated as if it had been scanned alone."""
    if before is None:
        return after
    regions = (*after.regions, *(r for r in before.regions if r not in after.regions))
    secrets = tuple(d for d in before.declared if d.kind == "secrets")
    return replace(
        after,
        regions=regions,
        kinds=tuple(sorted(set(after.kinds) | set(before.kinds))),
        declared=after.declared + secrets,  # only read for version_secrets_needed & co
    )


def narrow(
    snapshot: Snapshot, baseline: Baseline, scanned: Baseline, kinds: set[str] | None = None
) -> Snapshot:
    """What a scan made for `scanned` holds that a scan for `baseline` alone would have
    read: kinds and regions only `scanned` asked for are taken out, so the unmanaged
    resources, lint and reference checks of one baseline never come from the other's."""
    own = set(kinds_to_collect(set(baseline.kinds), kinds))
    extra_kinds = set(kinds_to_collect(set(scanned.kinds), kinds)) - own
    extra_regions = set(scanned.regions) - set(baseline.regions)
    if not extra_kinds and not extra_regions:
        return snapshot

    def keep(kind: str, region: str | None) -> bool:
        return kind not in extra_kinds and (region is None or region not in extra_regions)

    return replace(
        snapshot,
        kinds=tuple(k for k in snapshot.kinds if k not in extra_kinds),
        resources=tuple(r for r in snapshot.resources if keep(r.kind, r.region)),
        not_checked=tuple(n for n in snapshot.not_checked if keep(n.kind, n.region)),
    )


def build_compared_report(
    after: Baseline,
    before: Baseline | None,
    snapshot: Snapshot,
    ref: str,
    commit: str,
    *,
    scanned: Baseline | None = None,
    kinds: set[str] | None = None,
    when: dt.datetime | None = None,
) -> Report:
    """The working tree's report, each finding classified against the baseline at `ref`.

    `snapshot` is one read of the live state for both baselines (`scanned`: the baseline
    it was read for, see scan_for_both; None when it came from a snapshot file, which
    both then see whole). The report is the one `build_report(after, ...)` gives, plus
    `change` on each finding and a Comparison (resolved findings, baseline changes).
    """
    from drift.engine.changes import baseline_changes, classify, point_at_working_tree

    when = when or now_utc()
    after_snap = narrow(snapshot, after, scanned, kinds) if scanned else snapshot
    report = build_report(after, after_snap, when=when, kinds=kinds)
    before_findings: tuple[Finding, ...] = ()
    if before is not None:
        before_snap = narrow(snapshot, before, scanned, kinds) if scanned else snapshot
        before_findings = build_report(before, before_snap, when=when, kinds=kinds).findings
    findings, resolved = classify(before_findings, report.findings)
    shown_after = restrict(after, kinds) if kinds else after
    shown_before = restrict(before, kinds) if kinds and before is not None else before
    comparison = Comparison(
        ref=ref,
        commit=commit,
        baseline_path=before.path if before is not None else None,
        baseline_sha256=before.sha256 if before is not None else None,
        resolved=point_at_working_tree(resolved, after),
        baseline_changes=baseline_changes(shown_before, shown_after),
    )
    return replace(report, findings=findings, comparison=comparison)
