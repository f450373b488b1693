"""The library API behind the CLI: load baseline -> collect -> evaluate -> Report.

Scripts and the benchmark call `run_diff`; the CLI adds sources, formats and exit codes.
"""

from __future__ import annotations

import datetime as dt
import os
import threading
from collections.abc import Callable
from dataclasses import replace
from pathlib import Path
from typing import Any

from drift.baseline import Baseline, load_baseline
from drift.collectors.settings import CollectSettings
from drift.model import SEVERITY_RANK, DeclaredResource, NotChecked, Report, Snapshot
from drift.registry import KINDS, kinds_to_collect

Progress = Callable[[int, int, str], None]
Notice = Callable[[str], None]


def now_utc() -> dt.datetime:
    """The report time; SOURCE_DATE_EPOCH pins it so identical inputs give identical bytes."""
    epoch = os.environ.get("SOURCE_DATE_EPOCH")
    if epoch and epoch.isdigit():
        return dt.datetime.fromtimestamp(int(epoch), tz=dt.UTC)
    return dt.datetime.now(tz=dt.UTC).replace(microsecond=0)


def version_secrets_needed(baseline: Baseline) -> set[str]:
    """Secrets whose declared fields can only be checked by listing their versions."""
    return {
        d.name
        for d in baseline.declared
        if d.kind == "secrets" and ({"enabled_versions", "sha256"} & set(d.fields))
    }


def digest_secrets_declared(baseline: Baseline) -> set[str]:
    """Secrets that declare `sha256` (read only with --read-secret-digests)."""
    return {d.name for d in baseline.declared if d.kind == "secrets" and "sha256" in d.fields}


def skip_unread_digests(baseline: Baseline, snapshot: Snapshot) -> tuple[Baseline, list[str]]:
    """Without --read-secret-digests a live secret has no `sha256` key at all (with it, the
    key is there, None when there is no enabled version): a declared digest is then not
    compared, never reported missing, and a note says how to check it."""
    live = {r.name: r for r in snapshot.resources if r.kind == "secrets"}
    declared = []
    skipped = 0
    for d in baseline.declared:
        r = live.get(d.name) if d.kind == "secrets" else None
        if r is not None and "sha256" in d.fields and "sha256" not in r.fields:
            d = replace(d, fields={k: v for k, v in d.fields.items() if k != "sha256"})
            skipped += 1
        declared.append(d)
    if not skipped:
        return baseline, []
    note = f"sha256 of {skipped} secret(s) not checked: pass --read-secret-digests"
    return replace(baseline, declared=tuple(declared)), [note]


def unsupported_kinds(baseline: Baseline, requested: set[str] | None) -> list[NotChecked]:
    """Declared kinds with no collector yet are reported as not checked, never as clean."""
    wanted = requested or set(baseline.kinds)
    return [
        NotChecked(k, None, f"drift has no collector for {k} yet; it was not checked")
        for k in sorted(wanted)
        if k not in KINDS
    ]


class _Ahead:
    """Which snapshot's resources were compared and linted while its scan ran.

    collect_live hands each batch of normalized resources to a drift.engine.ahead.Ahead;
    build_report finds it again by the snapshot's resources (the same tuple object
    whatever `replace` did to the Snapshot around it). Only the last few scans are
    remembered, so a caller that never builds a report holds nothing for long.
    """

    KEEP = 4

    def __init__(self) -> None:
        self._by_resources: dict[int, tuple[tuple[Any, ...], Any]] = {}
        self._lock = threading.Lock()

    def put(self, resources: tuple[Any, ...], ahead: Any) -> None:
        with self._lock:
            self._by_resources[id(resources)] = (resources, ahead)
            while len(self._by_resources) > self.KEEP:
                self._by_resources.pop(next(iter(self._by_resources)))

    def take(self, resources: tuple[Any, ...]) -> Any:
        with self._lock:
            found = self._by_resources.pop(id(resources), None)
        return found[1] if found is not None and found[0] is resources else None


_AHEAD = _Ahead()


def collect_live(
    baseline: Baseline,
    settings: CollectSettings,
    kinds: set[str] | None = None,
    progress: Progress | None = None,
    notice: Notice | None = None,
    shared: Any = None,
) -> Snapshot:
    """Read the live state the baseline (or `kinds`) needs; records when it was read.

    `progress(done, total, label)` hears of each list done, `notice(sentence)` of each
    wait to retry (drift/collectors/scan.py); `shared` is the SharedScan of a run of
    several projects (drift/runs.py), None for a scan of its own. Resources are compared
    and linted as they arrive (drift/engine/ahead.py), for build_report to reuse."""
    from drift.collectors.scan import collect
    from drift.engine.ahead import Ahead

    taken_at = now_utc().strftime("%Y-%m-%dT%H:%M:%SZ")
    wanted = kinds_to_collect(set(baseline.kinds), kinds)
    ahead = Ahead(baseline)
    snap = collect(
        baseline.project,
        list(baseline.regions),
        wanted,
        settings,
        version_secrets=version_secrets_needed(baseline),
        digest_secrets=digest_secrets_declared(baseline) if settings.read_secret_digests else None,
        project_number=baseline.project_number,
        progress=progress,
        notice=notice,
        shared=shared,
        on_resources=ahead.add,
    )
    _AHEAD.put(snap.resources, ahead)
    extra = unsupported_kinds(baseline, kinds)
    return replace(
        snap,
        not_checked=snap.not_checked + tuple(extra),
        taken_at=taken_at,
        # An endpoint override (a local emulator, a proxy) is not live GCP: say so.
        source_type="endpoint" if settings.endpoint else snap.source_type,
    )


def init_kinds(requested: set[str] | None = None) -> tuple[str, ...]:
    """What `drift baseline init` declares: the requested kinds, else every declarable kind."""
    if requested:
        return tuple(sorted(requested))
    return tuple(sorted(k for k, spec in KINDS.items() if spec.declarable))


def collect_for_init(
    project: str,
    regions: list[str],
    settings: CollectSettings,
    kinds: tuple[str, ...],
    progress: Progress | None = None,
    notice: Notice | None = None,
) -> Snapshot:
    """Live state for `drift baseline init`: an empty baseline declaring `kinds`, collected.

    Every secret's versions are listed (init writes each one's enabled_versions). Kinds
    with no collector come back in `not_checked`, as in a diff.
    """
    empty = Baseline(project=project, regions=tuple(regions), path="", sha256="", kinds=kinds)
    settings = replace(settings, all_secret_versions=True)
    return collect_live(empty, settings, None, progress, notice)


def restrict(baseline: Baseline, kinds: set[str]) -> Baseline:
    """The baseline seen through `--kinds`: other kinds are neither compared nor unmanaged."""
    return replace(
        baseline,
        declared=tuple(d for d in baseline.declared if d.kind in kinds),
        kinds=tuple(k for k in baseline.kinds if k in kinds),
    )


def nothing_to_compare(baseline: Baseline, kinds: set[str] | None = None) -> bool:
    """True when the baseline (seen through `--kinds`) asks nothing of the live state.

    Something is asked when a resource is declared, or when a kind is declared (even
    empty, `services: {}`) and `unmanaged` is not `ignore`: its live resources are then
    reported as unmanaged. Otherwise a run would read nothing and print "no drift".
    """
    if kinds:
        baseline = restrict(baseline, kinds)
    if baseline.declared:
        return False
    return not baseline.kinds or baseline.rules.unmanaged == "ignore"


def declared_resources(baseline: Baseline, snapshot: Snapshot) -> tuple[DeclaredResource, ...]:
    """What the baseline declares, named as findings name it, each saying whether its kind
    (in its region) was looked at: JUnit makes one test case of each."""
    from drift.engine.compare import live_key

    return tuple(
        DeclaredResource(
            *live_key(d.kind, d.name, d.region),
            source=d.source or None,
            checked=snapshot.checked_resource(*live_key(d.kind, d.name, d.region)),
        )
        for d in baseline.declared
    )


def build_report(
    baseline: Baseline,
    snapshot: Snapshot,
    when: dt.datetime | None = None,
    kinds: set[str] | None = None,
) -> Report:
    from drift.engine.evaluate import evaluate

    when = when or now_utc()
    if kinds:
        baseline = restrict(baseline, kinds)
    baseline, digest_notes = skip_unread_digests(baseline, snapshot)
    # The declared number still tells this project's numbered secret references apart
    # when none was read (secrets not listed); the report only shows a number read live.
    number = snapshot.project_number or baseline.project_number
    ahead = _AHEAD.take(snapshot.resources)  # what was worked out while the scan ran
    ev = evaluate(
        baseline, replace(snapshot, project_number=number), when.date(), now=when, ahead=ahead
    )
    findings, ignored = ev.findings, ev.ignored
    if kinds:
        # Checks and lint look at everything collected; --kinds shows only what was asked.
        findings = tuple(f for f in findings if f.kind in kinds)
        ignored = tuple(i for i in ignored if i.finding.kind in kinds)
    return Report(
        project=baseline.project,
        project_number=snapshot.project_number,
        generated_at=when.strftime("%Y-%m-%dT%H:%M:%SZ"),
        source_type=snapshot.source_type,
        source_detail=snapshot.source_detail,
        baseline_path=baseline.path,
        baseline_sha256=baseline.sha256,
        resources_checked=ev.resources_checked,
        findings=findings,
        ignored=ignored,
        not_checked=snapshot.not_checked,
        notes=tuple(sorted((*ev.notes, *digest_notes))),
        source_taken_at=snapshot.taken_at,
        declared=declared_resources(baseline, snapshot),
    )


def run_diff(
    project: str,
    expected_dir: Path,
    *,
    endpoint: str | None = None,
    settings: CollectSettings | None = None,
    kinds: set[str] | None = None,
    progress: Progress | None = None,
) -> Report:
    """Load the baseline (raising BaselineError before any API call), scan, compare."""
    baseline = load_baseline(Path(expected_dir), project)
    settings = settings or CollectSettings(endpoint=endpoint)
    if endpoint and not settings.endpoint:
        settings = replace(settings, endpoint=endpoint)  # the caller's settings stay as they are
    snapshot = collect_live(baseline, settings, kinds, progress)
    return build_report(baseline, snapshot, kinds=kinds)


def exit_code(report: Report, fail_on: str = "info") -> int:
    """0 clean, 2 drift at or above `fail_on`, 1 when anything could not be checked."""
    if report.not_checked:
        return 1
    limit = SEVERITY_RANK[fail_on]
    if any(SEVERITY_RANK[f.severity] <= limit for f in report.findings):
        return 2
    return 0
