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
from drift.cli.exits import EXIT_ERROR, DriftGroup
from drift.cli.inputs import check_expected, check_scan_inputs
from drift.cli.output import check_output, emit, snapshot_summary_line, summary_line


@click.group(cls=DriftGroup, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(package_name="drift-gcp", prog_name="drift")
def main() -> None:
    """drift: compare live Google Cloud state with the baseline declared in expected/."""


@main.command()
@click.option("--project", required=True, help="GCP project id; the baseline is DIR/<project>/.")
@click.option("--expected", default="expected", show_default=True, help="Baseline folder.")
@click.option(
    "--format",
    "fmt",
    type=click.Choice(["table", "json", "sarif", "junit", "markdown"]),
    default=None,
    help="Report format (default: table on a terminal, json otherwise).",
)
@click.option(
    "--compare-to",
    "compare_to",
    default=None,
    metavar="REF",
    help="Also compare with the baseline at git ref REF (e.g. origin/main): each finding "
    "is introduced or unchanged, and the findings REF had that are gone are resolved.",
)
@click.option(
    "--link-base",
    default=None,
    metavar="URL",
    help="Markdown: link sources under URL, the folder drift runs in at the commit shown "
    "(default in GitHub Actions: the pull request's head commit).",
)
@click.option("--output", default=None, help="Write the report to FILE (atomically).")
@click.option(
    "--fail-on",
    type=click.Choice(["info", "warning", "critical"]),
    default="info",
    show_default=True,
    help="Lowest severity that makes the exit code 2.",
)
@click.option(
    "--snapshot",
    "snapshot_file",
    default=None,
    metavar="FILE",
    help="Compare with a file written by `drift snapshot` (no API calls).",
)
@click.option("--show-ignored", is_flag=True, help="List ignored findings in the table.")
@click.option(
    "--color",
    "color_choice",
    type=click.Choice(["auto", "always", "never"]),
    default="auto",
    show_default=True,
    help="Colour the table: auto = on a terminal, unless NO_COLOR is set or TERM=dumb.",
)
@with_source_options
def diff(
    project: str,
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
    **scan: Any,
) -> None:
    """Compare live state with the baseline and report drift.

    Exit 0 clean, 2 drift at or above --fail-on, 1 anything else (bad input, not
    everything checked), 130 interrupted (143 on SIGTERM).
    """
    # Everything that can be wrong with the inputs fails here, before any work.
    kind_set = parse_kinds(kinds)
    source = check_scan_inputs(scan, snapshot_file)
    check_expected(expected, project)
    target = check_output(output, "the report")
    baseline = load_or_exit(expected, project)
    from drift.cli.compare import link_base_for, load_ref_or_exit
    from drift.pipeline import build_report, exit_code, nothing_to_compare
    from drift.report import formatter
    from drift.report.terminal import table_settings

    if nothing_to_compare(baseline, kind_set):
        _fail_nothing_declared(baseline, project, expected, kind_set)
    at_ref = load_ref_or_exit(compare_to, expected, project) if compare_to else None
    links = link_base_for(link_base) if fmt == "markdown" else None
    if at_ref is None:
        snap = take_snapshot(baseline, project, source, kind_set, scan)
        report = build_report(baseline, snap, kinds=kind_set)
    else:
        report = _compared_report(baseline, at_ref, project, source, kind_set, scan)
    fmt = fmt or ("table" if sys.stdout.isatty() and not output else "json")
    color, width = table_settings(color_choice, sys.stdout, to_file=bool(output))
    text = formatter(
        fmt, color=color, width=width, show_ignored=show_ignored, link_base=links
    )(report)
    where, written = emit(text, target, "the report")
    if report.not_checked and not (fmt == "table" and target is None and sys.stdout.isatty()):
        warn_not_checked(report.not_checked)  # the table on screen says it already
    if not scan["quiet"]:
        warn(summary_line(report, where))
    sys.exit(exit_code(report, fail_on) if written else EXIT_ERROR)


def _compared_report(
    baseline: Any, at_ref: Any, project: str, source: Any, kinds: set[str] | None,
    scan: dict[str, Any],
) -> Any:
    """One read of the live state, compared with the working tree's baseline and REF's."""
    from drift.comparison import build_compared_report, scan_for_both

    # A live scan also reads what only REF declares; a snapshot file is what it is.
    scanned = None if source.snapshot else scan_for_both(baseline, at_ref.baseline)
    snap = take_snapshot(scanned or baseline, project, source, kinds, scan)
    return build_compared_report(
        baseline, at_ref.baseline, snap, at_ref.ref, at_ref.commit, scanned=scanned, kinds=kinds
    )


def _fail_nothing_declared(
    baseline: Any, project: str, expected: str, kinds: set[str] | None
) -> None:
    """A baseline that asks nothing of the live state is not "no drift": exit 1."""
    init = f"drift baseline init --project {project}"
    if expected != "expected":
        init += f" --expected {expected}"
    folder = Path(expected) / project
    if any(p.name != "project.yaml" for p in folder.glob("*.y*ml")):
        init += " --force"  # init keeps project.yaml, replaces the (empty) resource files
    scope = f" of {', '.join(sorted(kinds))}" if kinds else ""
    fail(
        f"{baseline.path} declares nothing{scope} to compare (no resources, and no kind "
        "whose unmanaged resources are reported), so nothing was checked; write a first "
        f"baseline from the live project with `{init}`, or declare resources "
        f"in {baseline.path}/*.yaml."
    )


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
