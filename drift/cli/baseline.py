"""`drift baseline init`: write a first baseline from live state."""

from __future__ import annotations

import shlex
from functools import partial
from pathlib import Path
from typing import Any

import click

from drift.cli.common import (
    fail,
    live_source,
    parse_kinds,
    print_problems,
    warn,
    warn_not_checked,
    with_source_options,
)
from drift.cli.inputs import check_expected, check_scan_inputs
from drift.cli.interrupt import uninterruptible
from drift.cli.progress import scan_display


@click.group()
def baseline() -> None:
    """Start and maintain baselines (expected/<project>/)."""


def _baseline_yaml_files(folder: Path) -> list[Path]:
    """The files the baseline loader reads in `folder`."""
    if not folder.is_dir():
        return []
    return sorted(p for p in folder.iterdir() if p.is_file() and p.suffix in (".yaml", ".yml"))


def _existing_project(folder: Path, project: str) -> tuple[str, tuple[str, ...]] | None:
    """(text, regions) of an existing valid project.yaml; None when there is none."""
    from drift.baseline.rules import parse_project
    from drift.baseline.yaml_lines import UNREADABLE, load_yaml

    path = folder / "project.yaml"
    if not path.is_file():
        return None
    text = path.read_text(encoding="utf-8")
    tree, problems = load_yaml(text, path.as_posix())
    info = None
    if tree is not UNREADABLE:
        info, more = parse_project(tree, path.as_posix(), project)
        problems += more
    if problems or info is None:
        for p in problems:
            warn(str(p))
        fail(f"{path.as_posix()} has errors; fix it, or rewrite it with --force --regions R1,R2.")
    return text, info.regions


def _next_diff(project: str, expected: str, source: Any) -> str:
    """The `drift diff` that compares with what init just read: same folder, same source
    (a DRIFT_API_ENDPOINT in the environment applies to it by itself)."""
    from drift.cli.common import BUNDLED

    words = ["drift", "diff", "--project", project]
    if expected != "expected":
        words += ["--expected", expected]
    if source.emulator == BUNDLED:
        words += ["--emulator"]
    elif source.emulator is not None:
        words += ["--emulator", source.emulator]
    elif source.endpoint and not source.endpoint_from_env:
        words += ["--api-endpoint", source.endpoint]
    return shlex.join(words)


def _init_source(stype: str, detail: str) -> str:
    if stype == "emulator":
        return f"the drift emulator ({detail})"
    return detail


@baseline.command("init")
@click.option("--project", required=True, help="GCP project id; writes DIR/<project>/.")
@click.option("--expected", default="expected", show_default=True, help="Baseline folder.")
@click.option(
    "--regions",
    default=None,
    metavar="R1,R2",
    help="Regions to read regional resources in (default: those of an existing project.yaml).",
)
@click.option("--force", is_flag=True, help="Replace the YAML files of an existing baseline.")
@partial(with_source_options, digests=False)
def baseline_init(
    project: str,
    expected: str,
    regions: str | None,
    force: bool,
    kinds: str | None,
    **scan: Any,
) -> None:
    """Write a first baseline from the project's live state (exit 0 written, 1 not written).

    Every field set live is declared, so a `drift diff` right after reports nothing
    changed, missing, unexpected or unmanaged (lint and broken references may remain); secret
    values are never written and volatile values become matchers. Review it before committing.
    """
    import datetime as dt
    import tempfile

    from drift.baseline import BaselineError, load_baseline
    from drift.baseline.init import PROJECT_FILE, render_baseline
    from drift.pipeline import collect_for_init, init_kinds, now_utc
    from drift.report.escape import escape_text
    from drift.report.write import OutputError, check_target, write_atomic

    kind_set = parse_kinds(kinds)
    source = check_scan_inputs(scan)
    check_expected(expected, project)
    folder = Path(expected) / project
    try:
        check_target(folder / PROJECT_FILE, "the baseline")  # before the scan, not after
    except OutputError as err:
        fail(f"{err} Nothing was read.")
    existing = _baseline_yaml_files(folder)
    resource_files = [p.name for p in existing if p.name != PROJECT_FILE]
    if resource_files and not force:
        fail(
            f"{folder.as_posix()} already holds a baseline ({', '.join(resource_files)}); "
            "pass --force to replace its YAML files, or choose another --expected folder."
        )
    keep = None if force else _existing_project(folder, project)
    if regions is not None:
        region_list = [r.strip() for r in regions.split(",") if r.strip()]
        if not region_list:
            fail("--regions expects region names separated by commas, e.g. us-central1.")
        if len(set(region_list)) != len(region_list):
            fail("--regions lists a region twice.")
        if keep is not None and tuple(region_list) != keep[1]:
            fail(
                f"{folder.as_posix()}/project.yaml lists regions {', '.join(keep[1])}, not "
                f"{', '.join(region_list)}: edit its regions, or pass --force to rewrite it."
            )
    elif keep is not None:
        region_list = list(keep[1])
    else:
        found = None if not force else _existing_project(folder, project)
        if found is None:
            fail(
                "which regions should be read? Pass --regions (e.g. --regions us-central1), or "
                f"write {folder.as_posix()}/project.yaml with `regions: [...]` first."
            )
        region_list = list(found[1])
    declared = init_kinds(kind_set)
    with live_source(project, source, scan) as live, scan_display(not scan["quiet"]) as show:
        snap = collect_for_init(
            project, region_list, live.settings, declared, show.progress, show.notice
        )
    stype, detail = live.source_type, live.detail
    if snap.not_checked:
        warn_not_checked(snap.not_checked)
        failed = sorted({nc.kind for nc in snap.not_checked})
        fail(f"nothing was written: could not read {', '.join(failed)}.")

    when: dt.date = now_utc().date()
    rendered = render_baseline(
        snap, region_list, declared, source=_init_source(stype, detail), date=when.isoformat()
    )
    files = dict(rendered.files)
    if keep is not None:
        files[PROJECT_FILE] = keep[0]  # the user's own project.yaml (rules, comments) stays
    # The files must load as a baseline before anything is written.
    with tempfile.TemporaryDirectory() as tmp:
        for name, text in files.items():
            (Path(tmp) / project).mkdir(exist_ok=True)
            (Path(tmp) / project / name).write_text(text, encoding="utf-8")
        try:
            load_baseline(Path(tmp), project)
        except BaselineError as err:
            print_problems(err)
            fail(
                "internal error: the baseline built from live state does not load; nothing written."
            )
    with uninterruptible():  # Ctrl-C waits for the whole set of files, never half of it
        for old in existing:
            if old.name not in files:
                old.unlink()
                warn(f"drift: removed {old.as_posix()} (replaced, --force)")
        for name in sorted(files):
            if name == PROJECT_FILE and keep is not None:
                continue
            try:
                write_atomic(folder / name, files[name])
            except OutputError as err:
                fail(f"{err} The baseline in {folder.as_posix()} is incomplete; run init again.")
    for note in rendered.notes:
        warn(f"drift: note: {note}")
    total = sum(rendered.counts.values())
    per_kind = ", ".join(f"{n} {k}" for k, n in sorted(rendered.counts.items()))
    again = _next_diff(project, expected, source)
    click.echo(
        escape_text(
            f"wrote {folder.as_posix()}/ ({', '.join(sorted(files))}): {total} resources "
            f"({per_kind}). Review it before committing; the next `{again}` "
            "should report nothing changed, missing, unexpected or unmanaged (lint findings and "
            "broken references may remain: init writes what is there, not what is right)."
        )
    )
