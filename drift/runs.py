"""Runs of several projects: `drift diff --all`, a repeated `--project`, a nightly job.

`run_projects` scans every project concurrently through one SharedScan (one set of rate
budgets, one bounded request pool: drift/collectors/scan.py) and builds one Report per
project. Each project's failures stay its own: a 403 in one project puts that project's
kinds under `not_checked`, never another's; a project whose baseline does not load is
a result with an `error` and no report, and the others still run.

The run's exit code is the worst of the projects' (1 over 2 over 0). What a run writes
(one report per project, a summary, or one combined JSON document) is drift/cli/many.py's
business; `run_json` and `summary_json` are the documents (docs/operations.md).
"""

from __future__ import annotations

import os
import re
from collections.abc import Callable, Iterable, Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor, as_completed
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

from drift.baseline import Baseline
from drift.collectors.settings import CollectSettings
from drift.model import Report, Snapshot

RUN_SCHEMA = "drift-run/v1"
SUMMARY_SCHEMA = "drift-summary/v1"
# A project id as a file name: GCP's ids (lowercase letters, digits, hyphens) and a
# little more, never a path (`..`, `/`) nor a hidden file.
SAFE_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,99}$")

ProjectProgress = Callable[[str, int, int, str], None]  # project, done, total, label
ProjectNotice = Callable[[str, str], None]  # project, sentence


@dataclass(frozen=True)
class ProjectJob:
    """One project of a run: the baseline to read and compare, or why there is none.

    `build` turns the snapshot into the Report (default: drift/pipeline.py build_report
    with the run's kinds); `error` is a sentence saying why the project cannot be
    compared (its baseline has errors, declares nothing), with `baseline` None.
    """

    project: str
    baseline: Baseline | None
    error: str | None = None
    build: Callable[[Snapshot], Report] | None = None


@dataclass(frozen=True)
class ProjectResult:
    """One project's outcome: its report (None when it could not be compared, see
    `error`) and its exit code as `drift diff --project` alone would give it."""

    project: str
    report: Report | None
    exit_code: int
    error: str | None = None


@dataclass(frozen=True)
class RunResult:
    """Every project's result, sorted by project id."""

    results: tuple[ProjectResult, ...]

    @property
    def reports(self) -> dict[str, Report]:
        """project -> Report, sorted by project (projects without a report left out)."""
        return {r.project: r.report for r in self.results if r.report is not None}

    @property
    def exit_code(self) -> int:
        """The worst of the projects' exit codes: 1 over 2 over 0 (0 for no project)."""
        return worst(r.exit_code for r in self.results)


def worst(codes: Iterable[int]) -> int:
    """1 (not everything checked, an error) over 2 (drift) over 0 (clean)."""
    seen = set(codes)
    if seen - {0, 2}:
        return 1
    return 2 if 2 in seen else 0


def job_exit_code(code: int) -> int:
    """A scheduled job's exit code: drift alone is news, not a failure (0); only a run
    that could not check or could not save (1) fails, so the scheduler retries it."""
    return 0 if code == 2 else code


def project_folders(expected_dir: Path) -> list[str]:
    """The project folders under `expected_dir`, sorted: those holding project.yaml, and
    those holding YAML without it (loading them says what is missing), as `drift validate`
    finds them. Raises OSError when the folder cannot be listed."""
    out = []
    for sub in sorted(Path(expected_dir).iterdir()):
        if sub.name.startswith("."):
            continue  # .git, editors' folders: never a project
        if not sub.is_dir():
            if sub.is_symlink():
                out.append(sub.name)  # a project linked from elsewhere that moved
            continue
        if os.path.lexists(sub / "project.yaml") or any(sub.glob("*.y*ml")):
            out.append(sub.name)
    return out


def shard(projects: Sequence[str], index: int, count: int) -> list[str]:
    """Task `index` of `count`'s share: the sorted projects at positions `index`,
    `index + count`, ... Every project falls to exactly one task, and the same list
    gives the same shares on every run and every retry."""
    if count < 1 or not 0 <= index < count:
        raise ValueError(f"task index {index} is not in 0..{count - 1}")
    return [p for i, p in enumerate(sorted(set(projects))) if i % count == index]


def run_projects(
    jobs: Sequence[ProjectJob],
    settings: CollectSettings,
    *,
    kinds: set[str] | None = None,
    fail_on: str = "info",
    source: tuple[str, str] | None = None,
    progress: ProjectProgress | None = None,
    notice: ProjectNotice | None = None,
    on_result: Callable[[ProjectResult], None] | None = None,
    shared: Any = None,
) -> RunResult:
    """Scan and compare every project concurrently; one Report per project.

    All requests go through one SharedScan (`shared`, else one made from `settings` and
    closed at the end): `settings.concurrency` bounds the requests in flight of the whole
    run, and the rate budgets are shared. `source` (type, detail) names where live state
    came from in each report. `on_result` hears of each project as it is done, in the
    calling thread, before anything is written (e.g. to record history).
    """
    from drift.collectors.scan import SharedScan

    own = shared is None
    scan = shared or SharedScan(settings)
    todo: list[ProjectJob] = []
    results: list[ProjectResult] = []
    for job in jobs:
        if job.baseline is None or job.error is not None:
            results.append(ProjectResult(job.project, None, 1, job.error or "no baseline"))
        else:
            todo.append(job)

    def one(job: ProjectJob) -> ProjectResult:
        return _run_one(job, settings, kinds, fail_on, source, progress, notice, scan)

    # Project threads only wait for their requests and compare; the requests themselves
    # are bounded by the shared pool, so this pool only needs to keep that one busy.
    workers = max(1, min(len(todo), max(2, settings.concurrency)))
    pool = ThreadPoolExecutor(max_workers=workers, thread_name_prefix="drift-project")
    try:
        futures = {pool.submit(one, job): job for job in todo}
        for fut in as_completed(futures):
            result = _result_of(fut, futures[fut])
            results.append(result)
            if on_result is not None:
                on_result(result)
    except BaseException:
        # Interrupted: drop what is queued and do not wait for requests in flight.
        pool.shutdown(wait=False, cancel_futures=True)
        scan.close(cancel=True)
        raise
    pool.shutdown(wait=True)
    if own:
        scan.close()
    return RunResult(tuple(sorted(results, key=lambda r: r.project)))


def _run_one(
    job: ProjectJob,
    settings: CollectSettings,
    kinds: set[str] | None,
    fail_on: str,
    source: tuple[str, str] | None,
    progress: ProjectProgress | None,
    notice: ProjectNotice | None,
    scan: Any,
) -> ProjectResult:
    from drift.pipeline import build_report, collect_live, exit_code

    assert job.baseline is not None
    p = job.project
    snap = collect_live(
        job.baseline,
        settings,
        kinds,
        (lambda d, t, label: progress(p, d, t, label)) if progress else None,
        (lambda text: notice(p, text)) if notice else None,
        shared=scan,
    )
    if source is not None:
        snap = replace(snap, source_type=source[0], source_detail=source[1])
    baseline = job.baseline
    build = job.build or (lambda s: build_report(baseline, s, kinds=kinds))
    report = build(snap)
    return ProjectResult(p, report, exit_code(report, fail_on))


def _result_of(fut: Any, job: ProjectJob) -> ProjectResult:
    """A project whose scan or comparison raised is that project's failure (exit 1),
    named with the error; the other projects' results stand."""
    try:
        result: ProjectResult = fut.result()
        return result
    except Exception as err:  # noqa: BLE001 - one project's failure is its own
        return ProjectResult(job.project, None, 1, f"drift failed: {type(err).__name__}: {err}")


def summary_row(result: ProjectResult) -> dict[str, Any]:
    """One project in a run summary: its exit code, counts and not-checked count."""
    rep = result.report
    counts = rep.counts() if rep is not None else {}
    row: dict[str, Any] = {
        "project": result.project,
        "exit_code": result.exit_code,
        "resources_checked": rep.resources_checked if rep is not None else 0,
        "critical": counts.get("critical", 0),
        "warning": counts.get("warning", 0),
        "info": counts.get("info", 0),
        "ignored": len(rep.ignored) if rep is not None else 0,
        "not_checked": len(rep.not_checked) if rep is not None else 0,
        "error": result.error,
    }
    return row


def summary_json(
    result: RunResult,
    files: Mapping[str, str],
    generated_at: str,
    task: tuple[int, int] | None = None,
) -> dict[str, Any]:
    """`DIR/summary.json`: the run's exit code and one row per project naming its report
    file (relative to DIR; null when the project has no report). `task` (index, count)
    when the run was one task's share of a sharded job."""
    out: dict[str, Any] = {
        "schema": SUMMARY_SCHEMA,
        "generated_at": generated_at,
        "exit_code": result.exit_code,
    }
    if task is not None:
        out["task"] = {"index": task[0], "count": task[1]}
    out["projects"] = [{**summary_row(r), "report": files.get(r.project)} for r in result.results]
    return out


def run_json(
    result: RunResult, generated_at: str, task: tuple[int, int] | None = None
) -> dict[str, Any]:
    """The combined JSON document of a run (`--output FILE`): the summary rows, then every
    project's drift-report/v1 report, both sorted by project."""
    from drift.report.json_format import to_dict

    out: dict[str, Any] = {
        "schema": RUN_SCHEMA,
        "generated_at": generated_at,
        "exit_code": result.exit_code,
    }
    if task is not None:
        out["task"] = {"index": task[0], "count": task[1]}
    out["projects"] = [summary_row(r) for r in result.results]
    out["reports"] = [to_dict(r.report) for r in result.results if r.report is not None]
    return out
