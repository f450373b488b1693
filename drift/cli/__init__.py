"""Thin command layer (spec/cli.md): parse, call the library, choose the exit code.

Heavy modules (Google clients, rich, deepdiff) are imported inside commands so that
`drift --help` stays fast. Shared helpers live in common.py; `drift baseline` in baseline.py.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

import click

from drift.cli.common import (
    fail,
    load_or_exit,
    parse_kinds,
    print_problems,
    take_snapshot,
    warn,
    warn_not_checked,
    with_source_options,
)
from drift.cli.diffrun import prepare, report_options
from drift.cli.exits import EXIT_ERROR, DriftGroup
from drift.cli.history import NIGHTLY_OPTIONS, nightly_from
from drift.cli.inputs import check_expected, check_scan_inputs
from drift.cli.many import PROJECTS_OPTION, RUN_OPTIONS
from drift.cli.output import (
    check_output,
    emit,
    snapshot_summary_line,
    summary_fields,
    summary_line,
)


@click.group(cls=DriftGroup, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(package_name="drift-gcp", prog_name="drift")
def main() -> None:
    """drift: compare live Google Cloud state with the baseline declared in expected/."""


@main.command()
@report_options(
    click.option(
        "--format",
        "fmt",
        type=click.Choice(["table", "json", "sarif", "junit", "markdown", "html"]),
        default=None,
        envvar="DRIFT_FORMAT",
        show_envvar=True,
        help="Report format (default: table on a terminal, json otherwise).",
    ),
    click.option("--show-ignored", is_flag=True, help="List ignored findings in the table."),
    click.option(
        "--color",
        "color_choice",
        type=click.Choice(["auto", "always", "never"]),
        default="auto",
        show_default=True,
        help="Colour the table: auto = on a terminal, unless NO_COLOR is set or TERM=dumb.",
    ),
    *RUN_OPTIONS,
    *NIGHTLY_OPTIONS,
    project=PROJECTS_OPTION,
)
def diff(
    project: tuple[str, ...],
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
    all_projects: bool,
    output_dir: str | None,
    job: bool,
    log_format: str,
    task_index: int | None,
    task_count: int | None,
    **scan: Any,
) -> None:
    """Compare live state with the baseline and report drift.

    Exit 0 clean, 2 drift at or above --fail-on, 1 anything else (bad input, not
    everything checked), 130 interrupted (143 on SIGTERM). Several projects (--all, a
    repeated --project, --output-dir): the worst of theirs, 1 over 2 over 0. --job: drift
    alone exits 0.
    """
    from drift.cli.many import diff_many, final_code, start

    args = start(project, all_projects, output_dir, job, log_format, task_index, task_count)
    if args.many:
        diff_many(
            args,
            expected,
            fmt,
            output,
            fail_on,
            snapshot_file,
            show_ignored,
            color_choice,
            compare_to,
            link_base,
            kinds,
            scan,
        )
    nightly = nightly_from(scan)  # --history, --notify: checked before any work too
    # Everything that can be wrong with the inputs fails here, before any work.
    run = prepare(args.projects[0], expected, output, snapshot_file, compare_to, kinds, scan)
    from drift.cli.compare import link_base_for
    from drift.pipeline import exit_code
    from drift.report import formatter

    links = link_base_for(link_base) if fmt == "markdown" else None
    report = run.report()
    if nightly is not None:  # marked and recorded before it is written (drift/history/)
        report = nightly.record(report, run.kinds)
    fmt = fmt or ("table" if sys.stdout.isatty() and not output else "json")
    color, width = False, None  # colour and width only matter to the table
    if fmt == "table":
        from drift.report.terminal import table_settings  # loads rich: only for a table

        color, width = table_settings(color_choice, sys.stdout, to_file=bool(output))
    trend = nightly.trend(report.project) if nightly is not None else None  # html draws it
    text = formatter(
        fmt, color=color, width=width, show_ignored=show_ignored, link_base=links, trend=trend
    )(report)
    where, written = emit(text, run.target, "the report")
    if report.not_checked and not (fmt == "table" and run.target is None and sys.stdout.isatty()):
        warn_not_checked(report.not_checked)  # the table on screen says it already
    code = exit_code(report, fail_on) if written else EXIT_ERROR
    if nightly is not None and nightly.notify():  # after the report and history are saved
        code = EXIT_ERROR
    if not scan["quiet"]:
        warn(
            summary_line(report, where),
            "INFO" if code == 0 else "WARNING" if code == 2 else "ERROR",
            **summary_fields(report, code),
        )
    sys.exit(final_code(code, args.job))


@main.command()
@click.option("--project", required=True, help="GCP project id.")
@click.option(
    "--expected",
    default="expected",
    show_default=True,
    help="Baseline folder (its project.yaml gives the regions to scan).",
)
@click.option("--output", required=True, help="Snapshot file to write (JSON).")
@with_source_options
def snapshot(
    project: str,
    expected: str,
    output: str,
    kinds: str | None,
    **scan: Any,
) -> None:
    """Save the normalized live state to a file, for `drift diff --snapshot FILE` later.

    Exit 0 written, 1 anything else (bad input, not everything read), 130 interrupted.
    """
    kind_set = parse_kinds(kinds)
    source = check_scan_inputs(scan)
    check_expected(expected, project)
    target = check_output(output, "the snapshot")
    baseline = load_or_exit(expected, project)
    if not kind_set and not baseline.kinds:
        fail(
            f"{baseline.path} declares no kind, so there is nothing to read; declare "
            "resources (or write a baseline with `drift baseline init`), or pass --kinds."
        )
    snap = take_snapshot(baseline, project, source, kind_set, scan)
    warn_not_checked(snap.not_checked)
    text = json.dumps(snap.to_json(), indent=2, sort_keys=True) + "\n"
    where, written = emit(text, target, "the snapshot")
    if not scan["quiet"]:
        warn(snapshot_summary_line(snap, where))
    sys.exit(EXIT_ERROR if snap.not_checked or not written else 0)


@main.command()
@click.argument("directory", default="expected", required=False)
def validate(directory: str) -> None:
    """Check every baseline under DIRECTORY without calling any API."""
    from drift.baseline import BaselineError, validate_dir

    check_expected(directory, flag="drift validate ")
    try:
        projects = validate_dir(Path(directory))
    except BaselineError as err:
        print_problems(err)
        sys.exit(EXIT_ERROR)
    if not projects:
        fail(f"no baseline found under {directory}/ (expected {directory}/<project>/project.yaml).")
    from drift.report.escape import escape_text

    for p in projects:
        click.echo(escape_text(f"ok: {directory}/{p}"))


@main.command()
@click.option("--world", default=None, help="World file (default: the bundled netra-staging).")
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", default=8765, show_default=True, type=click.IntRange(0, 65535))
@click.option(
    "--page-size",
    default=None,
    type=click.IntRange(min=1),
    help="Items per page (default from world).",
)
@click.option(
    "--latency-ms",
    default=None,
    type=click.IntRange(min=0),
    help="Delay added to every response.",
)
def emulator(
    world: str | None, host: str, port: int, page_size: int | None, latency_ms: int | None
) -> None:
    """Serve a fake GCP (the REST APIs drift reads) on HOST:PORT until stopped.

    Ctrl-C or SIGTERM stops it (exit 0); a world file or address it cannot use is one
    sentence and exit 1.
    """
    from drift.cli.emulator import serve

    serve(world, host, port, page_size, latency_ms)


from drift.cli.baseline import baseline  # noqa: E402  (registers `drift baseline`)

main.add_command(baseline)

from drift.cli.schema import schema  # noqa: E402  (registers `drift schema`)

main.add_command(schema)

from drift.cli.comment import comment  # noqa: E402  (registers `drift comment`)

main.add_command(comment)

from drift.cli.history import history  # noqa: E402  (registers `drift history`)

main.add_command(history)
