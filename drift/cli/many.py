"""`drift diff` over several projects: `--all`, a repeated `--project`, `--output-dir`, and
a Cloud Run job task's share of them (docs/operations.md, "Scheduled runs").

A run of several projects checks every input before any work, as one project does
(the flags, where live state comes from, every output path), scans the projects
concurrently within one request pool and one set of rate budgets (drift/runs.py), and
writes one report per project (`--output-dir DIR`: `DIR/<project>.<ext>` and
`DIR/summary.json`) and/or one combined JSON document (`--output FILE`, or stdout).
A project whose baseline does not load is that project's failure (exit 1 for it, the
others still run). The exit code is the worst of the projects' (1 over 2 over 0); in
job mode drift alone exits 0 (drift/runs.py job_exit_code).
"""

from __future__ import annotations

import json
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any, NoReturn

import click

from drift.cli.common import fail, parse_kinds, warn
from drift.cli.exits import EXIT_ERROR
from drift.cli.logs import choose, configure, log_format_option

# --format -> the extension of DIR/<project>.<ext>
EXTENSIONS = {
    "json": "json",
    "table": "txt",
    "markdown": "md",
    "sarif": "sarif",
    "junit": "xml",
    "html": "html",
}
# Formats whose per-project documents still read as one when printed one after another.
CONCATENABLE = ("table", "markdown")

PROJECTS_OPTION = click.option(
    "--project",
    "project",
    multiple=True,
    envvar="DRIFT_PROJECTS",
    show_envvar=True,
    metavar="P",
    help="GCP project id; the baseline is DIR/<project>/. Repeat for several (DRIFT_PROJECTS: "
    "ids separated by spaces or commas).",
)

RUN_OPTIONS = [
    click.option(
        "--all",
        "all_projects",
        is_flag=True,
        envvar="DRIFT_ALL",
        show_envvar=True,
        help="Every project folder under --expected (scanned concurrently).",
    ),
    click.option(
        "--output-dir",
        default=None,
        envvar="DRIFT_OUTPUT_DIR",
        show_envvar=True,
        metavar="DIR",
        help="One report per project, DIR/<project>.<ext> in --format, and the run's "
        "DIR/summary.json.",
    ),
    click.option(
        "--job",
        is_flag=True,
        envvar="DRIFT_JOB",
        show_envvar=True,
        help="Scheduled job (also when CLOUD_RUN_JOB is set): drift alone exits 0; 1 only "
        "when something could not be checked or saved (a failed Cloud Run task is retried).",
    ),
    log_format_option,
    click.option(
        "--task-index",
        type=click.IntRange(min=0),
        default=None,
        envvar="CLOUD_RUN_TASK_INDEX",
        show_envvar=True,
        help="This task's share of the projects: those at positions I, I+N, ... of the "
        "sorted list.",
    ),
    click.option(
        "--task-count",
        type=click.IntRange(min=1),
        default=None,
        envvar="CLOUD_RUN_TASK_COUNT",
        show_envvar=True,
        help="How many tasks share the projects (N).",
    ),
]


@dataclass(frozen=True)
class RunArgs:
    """Which projects, and how the run reports: what `start` made of the run options."""

    projects: tuple[str, ...]  # as given (split, duplicates dropped); empty with --all
    all: bool
    output_dir: str | None
    job: bool
    task: tuple[int, int] | None  # (index, count) of a sharded job, count > 1

    @property
    def many(self) -> bool:
        """A run of projects (run-shaped output), not today's single report."""
        return self.all or len(self.projects) > 1 or bool(self.output_dir) or bool(self.task)


def start(
    project: tuple[str, ...],
    all_projects: bool,
    output_dir: str | None,
    job: bool,
    log_format: str,
    task_index: int | None,
    task_count: int | None,
) -> RunArgs:
    """Set the log format and check the run options; each problem is one sentence, exit 1."""
    import os

    job = job or bool(os.environ.get("CLOUD_RUN_JOB"))
    configure(choose(log_format, job))
    names: list[str] = []
    for item in project:
        for name in item.replace(",", " ").split():
            if name not in names:
                names.append(name)
    if all_projects and names:
        fail("give --project (one or more) or --all, not both (check DRIFT_PROJECTS, DRIFT_ALL).")
    if not all_projects and not names:
        raise click.UsageError(
            "Missing option '--project'. Give --project P (repeat it for several), or --all "
            "for every project folder under --expected."
        )
    if (task_index is None) != (task_count is None):
        fail(
            "give --task-index and --task-count together (CLOUD_RUN_TASK_INDEX and "
            "CLOUD_RUN_TASK_COUNT)."
        )
    task = None
    if task_index is not None and task_count is not None:
        if task_index >= task_count:
            fail(f"--task-index {task_index} is not below --task-count {task_count}.")
        task = (task_index, task_count) if task_count > 1 else None
    return RunArgs(tuple(names), all_projects, output_dir or None, job, task)


def final_code(code: int, job: bool) -> int:
    """The process's exit code: in job mode drift alone is 0 (drift/runs.py)."""
    if not job:
        return code
    from drift.runs import job_exit_code

    return job_exit_code(code)


@dataclass(frozen=True)
class Outputs:
    """Where a run's results go, every path checked before the scan."""

    fmt: str
    combined: Any  # Target of --output (the combined JSON), or None
    files: dict[str, Any]  # project -> Target of DIR/<project>.<ext>
    summary: Any  # Target of DIR/summary.json, or None
    stdout: bool  # neither --output nor --output-dir: the run goes to stdout


def _check_usage(
    fmt: str | None,
    output: str | None,
    args: RunArgs,
    snapshot_file: str | None,
    compare_to: str | None,
) -> str:
    """The run's format; flags that only make sense for one project fail here."""
    why = "a run of several projects" if not args.output_dir else "--output-dir"
    if snapshot_file:
        fail(
            f"--snapshot holds one project's live state; it cannot feed {why}: give one "
            "--project without --all or --output-dir."
        )
    if compare_to:
        fail(
            f"--compare-to compares one project's baseline at a git ref; it is not available "
            f"for {why} yet: give one --project without --all or --output-dir."
        )
    if output and args.task:
        fail(
            f"--output {output} would be written over by every task of the job (task "
            f"index {args.task[0]} of {args.task[1]} tasks); use --output-dir DIR, where "
            "each task writes its projects' reports and its own summary."
        )
    fmt = fmt or ("table" if sys.stdout.isatty() and not output and not args.output_dir else "json")
    if output and fmt != "json" and not args.output_dir:
        fail(
            f"--output writes the run's combined JSON report (drift-run/v1), so --format "
            f"{fmt} does not apply to it; use --output-dir DIR for one {fmt} file per "
            "project (with or without --output)."
        )
    if not output and not args.output_dir and fmt not in ("json", *CONCATENABLE):
        fail(
            f"--format {fmt} makes one document per project; give --output-dir DIR to "
            "write DIR/<project>.<ext> for each."
        )
    return fmt


def _projects(expected: str, args: RunArgs) -> list[str]:
    """The projects of the run (before sharding), sorted."""
    from drift.cli.inputs import check_expected
    from drift.runs import project_folders

    if not args.all:
        for p in args.projects:
            check_expected(expected, p)
        return sorted(args.projects)
    check_expected(expected)
    try:
        found = project_folders(Path(expected))
    except OSError as err:
        fail(f"cannot list the project folders of --expected {expected}: {err.strerror or err}.")
    if not found:
        fail(
            f"--all found no project folder under {expected}/ (expected "
            f"{expected}/<project>/project.yaml)."
        )
    return found


def _summary_name(task: tuple[int, int] | None) -> str:
    # Every task of a sharded job writes its own summary: one file would be overwritten.
    return "summary.json" if task is None else f"summary-{task[0]}.json"


def _check_outputs(fmt: str, output: str | None, args: RunArgs, mine: list[str]) -> Outputs:
    """Every output path of the run, checked before any work (one sentence, exit 1)."""
    from drift.cli.output import check_output
    from drift.report.write import OutputError, check_target
    from drift.runs import SAFE_NAME

    combined = check_output(output, "the run report")
    files: dict[str, Any] = {}
    summary = None
    if args.output_dir:
        folder = Path(args.output_dir)
        ext = EXTENSIONS.get(fmt, fmt)
        summary_name = _summary_name(args.task)
        for p in mine:
            if not SAFE_NAME.match(p):
                fail(
                    f"project {p!r} cannot name a file in --output-dir (letters, digits, "
                    "'.', '_' and '-' only, not starting with a dot or a dash)."
                )
            if f"{p}.{ext}" == summary_name:
                fail(
                    f"the report of project {p} would be {folder / summary_name}, the run "
                    "summary's name; use another --format, or --output without --output-dir."
                )
        try:
            summary = check_target(folder / summary_name, "the run summary")
            for p in mine:
                files[p] = check_target(folder / f"{p}.{ext}", f"the report of {p}")
        except OutputError as err:
            fail(f"{err} Nothing was checked.")
    stdout = combined is None and not args.output_dir
    return Outputs(fmt, combined, files, summary, stdout)


def _jobs(expected: str, mine: list[str], kinds: set[str] | None) -> list[Any]:
    """One ProjectJob per project: its baseline, or why it cannot be compared (said now)."""
    from drift.baseline import BaselineError, load_baseline
    from drift.pipeline import nothing_to_compare
    from drift.runs import ProjectJob

    jobs = []
    for p in mine:
        try:
            baseline = load_baseline(Path(expected), p)
        except BaselineError as err:
            for problem in getattr(err, "problems", None) or [err]:
                warn(str(problem), "ERROR", project=p)
            jobs.append(ProjectJob(p, None, "the baseline has errors; nothing was checked"))
            continue
        if nothing_to_compare(baseline, kinds):
            why = (
                f"{baseline.path} declares nothing to compare; write a first baseline with "
                f"`drift baseline init --project {p}`"
            )
            jobs.append(ProjectJob(p, None, why))
            continue
        jobs.append(ProjectJob(p, baseline))
    return jobs


class _RunDisplay:
    """One progress line for the whole run (summed over projects), notices named by project."""

    def __init__(self, show: Any) -> None:
        import threading

        self.show = show
        self.counts: dict[str, tuple[int, int]] = {}
        self.lock = threading.Lock()

    def progress(self, project: str, done: int, total: int, label: str) -> None:
        with self.lock:
            self.counts[project] = (done, total)
            d = sum(c[0] for c in self.counts.values())
            t = sum(c[1] for c in self.counts.values())
        if self.show.progress:
            self.show.progress(d, t, f"{project}: {label}")

    def notice(self, project: str, text: str) -> None:
        if self.show.notice:
            self.show.notice(f"{project}: {text}")


def diff_many(
    args: RunArgs,
    expected: str,
    fmt: str | None,
    output: str | None,
    fail_on: str,
    snapshot_file: str | None,
    show_ignored: bool,
    color_choice: str,
    compare_to: str | None,
    link_base: str | None,
    kinds: str | None,
    scan: dict[str, Any],
) -> NoReturn:
    """`drift diff` over the run's projects; exits with the run's code."""
    from drift.cli.inputs import check_scan_inputs
    from drift.runs import shard

    fmt = _check_usage(fmt, output, args, snapshot_file, compare_to)
    kind_set = parse_kinds(kinds)
    source = check_scan_inputs(scan, None)
    projects = _projects(expected, args)
    mine = shard(projects, *args.task) if args.task else projects
    outputs = _check_outputs(fmt, output, args, mine)
    from drift.cli.history import nightly_from

    nightly = nightly_from(scan)  # --history, --notify: checked before the scan
    jobs = _jobs(expected, mine, kind_set)
    result = _scan(jobs, source, kind_set, fail_on, scan)
    if nightly is not None:  # each project's report marked and recorded before writing
        result = nightly.record_run(result, kind_set)
    wrote, written = _write(
        result,
        outputs,
        args,
        show_ignored,
        color_choice,
        link_base,
        trend=nightly.trend if nightly is not None else None,
    )
    codes = [result.exit_code, wrote]
    if nightly is not None:  # alerts after the reports and history are saved
        codes.append(nightly.notify())
    from drift.runs import worst

    code = worst(codes)
    _tell_run(result, outputs, written, args, scan, code)
    sys.exit(final_code(code, args.job))


def _scan(
    jobs: list[Any], source: Any, kinds: set[str] | None, fail_on: str, scan: dict[str, Any]
) -> Any:
    """Read and compare every project that has a baseline (nothing is read for none)."""
    from drift.cli.common import live_source
    from drift.cli.progress import scan_display
    from drift.runs import RunResult, run_projects

    todo = [j.project for j in jobs if j.baseline is not None]
    if not todo:
        return run_projects(jobs, _no_settings(), kinds=kinds, fail_on=fail_on)
    with live_source(todo, source, scan) as live, scan_display(not scan["quiet"]) as show:
        display = _RunDisplay(show)
        result: RunResult = run_projects(
            jobs,
            live.settings,
            kinds=kinds,
            fail_on=fail_on,
            source=(live.source_type, live.detail),
            progress=display.progress,
            notice=display.notice,
        )
    return result


def _no_settings() -> Any:
    from drift.collectors.settings import CollectSettings

    return CollectSettings()


def _write(
    result: Any,
    outputs: Outputs,
    args: RunArgs,
    show_ignored: bool,
    color_choice: str,
    link_base: str | None,
    trend: Any = None,
) -> tuple[int, dict[str, str]]:
    """Write every output of the run: (1 when any did not go where it was asked to, else
    0; project -> its report file's name in DIR, for those written). `trend(project)`,
    with --history, gives each HTML report its own trend of recorded runs."""
    from drift.cli.output import emit
    from drift.pipeline import now_utc
    from drift.report import formatter
    from drift.report.escape import escape_json
    from drift.report.terminal import table_settings
    from drift.runs import run_json, summary_json

    links = None
    if outputs.fmt == "markdown":
        from drift.cli.compare import link_base_for

        links = link_base_for(link_base)
    when = now_utc().strftime("%Y-%m-%dT%H:%M:%SZ")
    ok = True
    written: dict[str, str] = {}
    if outputs.files:
        color, width = table_settings(color_choice, sys.stdout, to_file=True)
        for p, report in result.reports.items():
            points = trend(p) if trend is not None and outputs.fmt == "html" else None
            render = formatter(
                outputs.fmt,
                color=color,
                width=width,
                show_ignored=show_ignored,
                link_base=links,
                trend=points,
            )
            target = outputs.files[p]
            _, went = emit(render(report), target, f"the report of {p}")
            ok = ok and went
            if went:
                written[p] = target.path.name
    if outputs.summary is not None:
        doc = summary_json(result, written, when, args.task)
        text = escape_json(json.dumps(doc, indent=2, ensure_ascii=False)) + "\n"
        ok = emit(text, outputs.summary, "the run summary")[1] and ok
    if outputs.combined is not None or (outputs.stdout and outputs.fmt == "json"):
        doc = run_json(result, when, args.task)
        text = escape_json(json.dumps(doc, indent=2, ensure_ascii=False)) + "\n"
        ok = emit(text, outputs.combined, "the run report")[1] and ok
    elif outputs.stdout:
        color, width = table_settings(color_choice, sys.stdout, to_file=False)
        render = formatter(
            outputs.fmt, color=color, width=width, show_ignored=show_ignored, link_base=links
        )
        text = "\n".join(render(r) for r in result.reports.values())
        ok = emit(text, None, "the reports")[1] and ok
    return (0 if ok else EXIT_ERROR), written


def _severity(code: int) -> str:
    return {0: "INFO", 2: "WARNING"}.get(code, "ERROR")


def _tell_run(
    result: Any,
    outputs: Outputs,
    written: dict[str, str],
    args: RunArgs,
    scan: dict[str, Any],
    code: int,
) -> None:
    """stderr: per project its not-checked causes, error and summary line, then the run's
    line; as text, or one JSON entry each with its fields (drift/cli/logs.py)."""
    from drift.cli.output import summary_line
    from drift.report.causes import group
    from drift.report.json_format import to_dict
    from drift.runs import summary_row

    on_screen = outputs.stdout and outputs.fmt == "table" and sys.stdout.isatty()
    for r in result.results:
        row = summary_row(r)
        if r.report is None:
            warn(f"drift: {r.project}: {r.error}", "ERROR", **row)
            continue
        if not on_screen:  # a table on screen names them already
            for cause in group(r.report.not_checked):
                warn(
                    f"drift: {r.project}: not checked: {cause.line()}",
                    "ERROR",
                    project=r.project,
                    error=cause.error,
                    scopes=[{"kind": k, "region": reg} for k, reg in cause.scopes],
                )
        if not scan["quiet"]:
            fields = {**row, "source": to_dict(r.report)["source"]}
            target = outputs.files.get(r.project)
            if target is not None and r.project in written:
                where = f"written to {target.path}"
                fields["report"] = str(target.path)
            elif target is not None:
                where = f"not written to {target.path}"
            elif outputs.combined is not None:
                where = f"in the run report {outputs.combined.path}"
            else:
                where = "on stdout"
            warn(summary_line(r.report, where), _severity(r.exit_code), **fields)
    if scan["quiet"]:
        return
    n = len(result.results)
    clean = sum(1 for r in result.results if r.exit_code == 0)
    drifted = sum(1 for r in result.results if r.exit_code == 2)
    failed = n - clean - drifted
    task = f" (task index {args.task[0]}, {args.task[1]} tasks)" if args.task else ""
    places = []
    if outputs.summary is not None:
        places.append(f"summary {outputs.summary.path}")
    if outputs.combined is not None:
        places.append(f"run report {outputs.combined.path}")
    tail = f"; {', '.join(places)}" if places else ""
    final = final_code(code, args.job)
    job = f" (job mode: exit {final})" if args.job and final != code else ""
    warn(
        f"drift: run of {n} project{'s' if n != 1 else ''}{task}: {clean} clean, {drifted} "
        f"with drift, {failed} not fully checked; exit {code}{job}{tail}.",
        _severity(code),
        projects=n,
        clean=clean,
        drift=drifted,
        not_fully_checked=failed,
        exit_code=code,
        process_exit_code=final,
        **({"task_index": args.task[0], "task_count": args.task[1]} if args.task else {}),
    )
