"""The part of `drift diff` that `drift comment` shares: its options and its pipeline.

`report_options` are the flags both commands take (project, baseline, --compare-to,
--link-base, --output, --fail-on, where live state comes from and the scan settings).
`prepare` checks every input before any work (each problem is one sentence and exit 1)
and returns a `Prepared` run whose `report()` reads the live state once and builds the
report; formatting and where the result goes stay with each command.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

import click

from drift.cli.common import fail, load_or_exit, parse_kinds, take_snapshot, with_source_options
from drift.cli.inputs import check_expected, check_scan_inputs
from drift.cli.output import check_output

if TYPE_CHECKING:
    from drift.model import Report

PROJECT_OPTION = click.option(
    "--project", required=True, help="GCP project id; the baseline is DIR/<project>/."
)
_SHARED = [
    click.option(
        "--expected",
        default="expected",
        show_default=True,
        envvar="DRIFT_EXPECTED",
        show_envvar=True,
        help="Baseline folder.",
    ),
    click.option(
        "--compare-to",
        "compare_to",
        default=None,
        metavar="REF",
        help="Also compare with the baseline at git ref REF (e.g. origin/main): each finding "
        "is introduced or unchanged, and the findings REF had that are gone are resolved.",
    ),
    click.option(
        "--link-base",
        default=None,
        metavar="URL",
        help="Markdown: link sources under URL, the folder drift runs in at the commit shown "
        "(default in GitHub Actions: the pull request's head commit).",
    ),
    click.option(
        "--output", default=None, help="Write the report to FILE (atomically); - is stdout."
    ),
    click.option(
        "--fail-on",
        type=click.Choice(["info", "warning", "critical"]),
        default="info",
        show_default=True,
        envvar="DRIFT_FAIL_ON",
        show_envvar=True,
        help="Lowest severity that makes the exit code 2.",
    ),
    click.option(
        "--snapshot",
        "snapshot_file",
        default=None,
        metavar="FILE",
        help="Compare with a file written by `drift snapshot` (no API calls).",
    ),
]


def report_options(*extra: Any, project: Any = PROJECT_OPTION) -> Any:
    """A decorator applying the options `drift diff` and `drift comment` share, then a
    command's own `extra` options, then the source options (the order `--help` shows).
    `project` is the --project option (`drift diff` takes it repeated: drift/cli/many.py)."""

    def apply(fn: Any) -> Any:
        fn = with_source_options(fn)
        for option in reversed([project, *_SHARED, *extra]):
            fn = option(fn)
        return fn

    return apply


@dataclass
class Prepared:
    """A run whose inputs were all checked: `report()` does the one scan."""

    project: str
    baseline: Any
    at_ref: Any  # drift/gitref.py RefBaseline, or None without --compare-to
    source: Any  # drift/cli/inputs.py Source
    kinds: set[str] | None
    target: Any  # drift/report/write.py Target, or None: stdout
    scan: dict[str, Any]

    def report(self) -> Report:
        """Read the live state once and build the Report (with --compare-to, against both)."""
        from drift.pipeline import build_report

        if self.at_ref is None:
            snap = take_snapshot(self.baseline, self.project, self.source, self.kinds, self.scan)
            return build_report(self.baseline, snap, kinds=self.kinds)
        from drift.comparison import build_compared_report, scan_for_both

        # A live scan also reads what only REF declares; a snapshot file is what it is.
        scanned = (
            None if self.source.snapshot else scan_for_both(self.baseline, self.at_ref.baseline)
        )
        snap = take_snapshot(
            scanned or self.baseline, self.project, self.source, self.kinds, self.scan
        )
        return build_compared_report(
            self.baseline,
            self.at_ref.baseline,
            snap,
            self.at_ref.ref,
            self.at_ref.commit,
            scanned=scanned,
            kinds=self.kinds,
        )


def prepare(
    project: str,
    expected: str,
    output: str | None,
    snapshot_file: str | None,
    compare_to: str | None,
    kinds: str | None,
    scan: dict[str, Any],
    what: str = "the report",
) -> Prepared:
    """Check every input before any work; each problem is one sentence and exit 1."""
    kind_set = parse_kinds(kinds)
    source = check_scan_inputs(scan, snapshot_file)
    check_expected(expected, project)
    target = check_output(output, what)
    baseline = load_or_exit(expected, project)
    from drift.cli.compare import load_ref_or_exit
    from drift.pipeline import nothing_to_compare

    if nothing_to_compare(baseline, kind_set):
        _fail_nothing_declared(baseline, project, expected, kind_set)
    at_ref = load_ref_or_exit(compare_to, expected, project) if compare_to else None
    return Prepared(project, baseline, at_ref, source, kind_set, target, scan)


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
