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
    EXIT_ERROR,
    fail,
    load_or_exit,
    parse_kinds,
    print_problems,
    take_snapshot,
    warn,
    with_source_options,
)
from drift.cli.output import check_output, emit


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(package_name="drift-gcp", prog_name="drift")
def main() -> None:
    """drift: compare live Google Cloud state with the baseline declared in expected/."""


@main.command()
@click.option("--project", required=True, help="GCP project id; the baseline is DIR/<project>/.")
@click.option("--expected", default="expected", show_default=True, help="Baseline folder.")
@click.option(
    "--format",
    "fmt",
    type=click.Choice(["table", "json"]),
    default=None,
    help="Report format (default: table on a terminal, json otherwise).",
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
@with_source_options
def diff(
    project: str,
    expected: str,
    fmt: str | None,
    output: str | None,
    fail_on: str,
    snapshot_file: str | None,
    show_ignored: bool,
    kinds: str | None,
    **scan: Any,
) -> None:
    """Compare live state with the baseline and report drift (exit 0 clean, 2 drift, 1 error)."""
    # Sources are taken in the order of spec/cli.md: --snapshot, --emulator, --api-endpoint.
    kind_set = parse_kinds(kinds)
    target = check_output(output, "the report")
    baseline = load_or_exit(expected, project)
    snap = take_snapshot(baseline, project, snapshot_file, kind_set, scan)
    from drift.pipeline import build_report, exit_code
    from drift.report import formatter
    from drift.report.escape import escape_text

    report = build_report(baseline, snap, kinds=kind_set)
    fmt = fmt or ("table" if sys.stdout.isatty() and not output else "json")
    color = fmt == "table" and not output and sys.stdout.isatty()
    text = formatter(fmt, color=color)(report)
    if show_ignored and fmt == "table" and report.ignored:
        text += "".join(
            escape_text(f"ignored: {i.finding.path} ({i.finding.type}) by {i.rule}: {i.reason}")
            + "\n"
            for i in report.ignored
        )
    emit(text, target, "the report")
    sys.exit(exit_code(report, fail_on))


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
    """Save the normalized live state to a file, for `drift diff --snapshot FILE` later."""
    kind_set = parse_kinds(kinds)
    target = check_output(output, "the snapshot")
    baseline = load_or_exit(expected, project)
    snap = take_snapshot(baseline, project, None, kind_set, scan)
    for nc in snap.not_checked:
        where = f" in {nc.region}" if nc.region else ""
        warn(f"drift: not checked: {nc.kind}{where}: {nc.error}")
    emit(json.dumps(snap.to_json(), indent=2, sort_keys=True) + "\n", target, "the snapshot")
    sys.exit(EXIT_ERROR if snap.not_checked else 0)


@main.command()
@click.argument("directory", default="expected", required=False)
def validate(directory: str) -> None:
    """Check every baseline under DIRECTORY without calling any API."""
    from drift.baseline import BaselineError, validate_dir

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
@click.option("--port", default=8765, show_default=True, type=int)
@click.option("--page-size", default=None, type=int, help="Items per page (default from world).")
@click.option("--latency-ms", default=None, type=int, help="Delay added to every response.")
def emulator(
    world: str | None, host: str, port: int, page_size: int | None, latency_ms: int | None
) -> None:
    """Serve a fake GCP (the REST APIs drift reads) on HOST:PORT until interrupted."""
    from drift.emulator import bundled_world_path, serve_forever

    path = Path(world) if world else bundled_world_path("netra-staging")
    knobs: dict[str, Any] = {}
    if page_size is not None:
        knobs["page_size"] = page_size
    if latency_ms is not None:
        knobs["latency_ms"] = latency_ms
    try:
        serve_forever(path, host, port, **knobs)
    except KeyboardInterrupt:
        pass


from drift.cli.baseline import baseline  # noqa: E402  (registers `drift baseline`)

main.add_command(baseline)
