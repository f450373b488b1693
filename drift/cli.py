"""Thin command layer (spec/cli.md): parse, call the library, choose the exit code.

Heavy modules (Google clients, rich, deepdiff) are imported inside commands so that
`drift --help` stays fast.
"""

from __future__ import annotations

import contextlib
import json
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import click

BUNDLED = "__bundled__"
EXIT_ERROR = 1


def _fail(message: str) -> None:
    click.echo(f"drift: {message}", err=True)
    sys.exit(EXIT_ERROR)


def _load(expected: str, project: str) -> Any:
    from drift.baseline import BaselineError, load_baseline

    try:
        return load_baseline(Path(expected), project)
    except BaselineError as err:
        click.echo(str(err), err=True)
        click.echo("drift: the baseline has errors; nothing was checked.", err=True)
        sys.exit(EXIT_ERROR)


def _kinds(value: str | None) -> set[str] | None:
    if not value:
        return None
    from drift.baseline.schema import KIND_FIELDS

    kinds = {k.strip() for k in value.split(",") if k.strip()}
    unknown = sorted(kinds - set(KIND_FIELDS))
    if unknown:
        _fail(
            f"unknown kind(s) in --kinds: {', '.join(unknown)}; valid kinds: "
            f"{', '.join(sorted(KIND_FIELDS))}."
        )
    return kinds


def _rates(values: tuple[str, ...]) -> dict[str, int]:
    out: dict[str, int] = {}
    for item in values:
        api, _, n = item.partition("=")
        if not n.isdigit() or int(n) <= 0:
            _fail(f"--rate expects API=REQUESTS_PER_MINUTE (e.g. secretmanager=300), got {item!r}.")
        out[api.strip()] = int(n)
    return out


@contextlib.contextmanager
def _source(
    project: str, emulator: str | None, api_endpoint: str | None
) -> Iterator[tuple[str | None, str, str]]:
    """Yields (endpoint, source type, detail); starts the in-process emulator when asked."""
    if emulator is None:
        if api_endpoint:
            yield api_endpoint, "live", api_endpoint
        else:
            yield None, "live", "Google Cloud APIs (Application Default Credentials)"
        return
    from drift.emulator import Emulator, bundled_world_path, load_world

    try:
        path = bundled_world_path(project) if emulator == BUNDLED else Path(emulator)
        world = load_world(path)
    except (ValueError, OSError) as err:
        _fail(f"cannot load the emulator world: {err}")
    detail = f"bundled world {project}" if emulator == BUNDLED else f"world {Path(emulator).name}"
    emu = Emulator(world)
    base = emu.start()
    try:
        yield base, "emulator", detail
    finally:
        emu.stop()


@contextlib.contextmanager
def _progress(enabled: bool) -> Iterator[Any]:
    """A progress bar on stderr when it is a terminal; silent otherwise."""
    if not enabled or not sys.stderr.isatty():
        yield None
        return
    from rich.console import Console
    from rich.progress import Progress

    with Progress(console=Console(stderr=True), transient=True) as bar:
        task = bar.add_task("scanning", total=None)

        def update(done: int, total: int, label: str) -> None:
            bar.update(task, completed=done, total=total, description=f"scanning {label}")

        yield update


def _settings(endpoint: str | None, scan: dict[str, Any]) -> Any:
    from drift.collectors.settings import CollectSettings

    deadline = scan["retry_deadline"]
    return CollectSettings(
        endpoint=endpoint,
        concurrency=scan["concurrency"],
        rate_per_minute=_rates(scan["rates"]),
        deadline_s=deadline,
        initial_backoff_s=min(0.5, max(deadline, 0.01) / 8),
        read_secret_digests=scan.get("read_secret_digests", False),
    )


def _snapshot(
    baseline: Any,
    project: str,
    snapshot_file: str | None,
    kinds: set[str] | None,
    scan: dict[str, Any],
) -> Any:
    from drift.model import Snapshot
    from drift.pipeline import collect_live

    if snapshot_file:
        try:
            data = json.loads(Path(snapshot_file).read_text(encoding="utf-8"))
            snap = Snapshot.from_json(data, detail=snapshot_file)
        except (OSError, ValueError, KeyError) as err:
            _fail(f"cannot read snapshot {snapshot_file}: {err}. Write one with `drift snapshot`.")
        if snap.project != project:
            _fail(f"snapshot {snapshot_file} is of project {snap.project}, not {project}.")
        return snap
    with _source(project, scan["emulator"], scan["api_endpoint"]) as (endpoint, stype, detail):
        with _progress(not scan["quiet"]) as progress:
            snap = collect_live(baseline, _settings(endpoint, scan), kinds, progress)
    return Snapshot(
        snap.project,
        snap.project_number,
        snap.kinds,
        snap.resources,
        snap.not_checked,
        stype,
        detail,
    )


def _write(text: str, output: str | None) -> None:
    if output:
        from drift.report.write import write_atomic

        write_atomic(Path(output), text)
    else:
        sys.stdout.write(text)
        sys.stdout.flush()


source_options = [
    click.option(
        "--emulator",
        "emulator",
        is_flag=False,
        flag_value=BUNDLED,
        default=None,
        metavar="[WORLD]",
        help="Start the built-in fake GCP in-process, loaded with WORLD or the bundled "
        "world for the project.",
    ),
    click.option(
        "--api-endpoint",
        envvar="DRIFT_API_ENDPOINT",
        default=None,
        metavar="URL",
        help="Send every GCP API call to this base URL with anonymous credentials.",
    ),
    click.option("--kinds", default=None, metavar="K1,K2", help="Only these resource kinds."),
    click.option(
        "--concurrency",
        default=8,
        show_default=True,
        type=click.IntRange(1, 64),
        help="Requests in flight at once.",
    ),
    click.option(
        "--rate",
        "rates",
        multiple=True,
        metavar="API=N",
        help="Requests per minute for one API (run, secretmanager, vpcaccess, compute).",
    ),
    click.option(
        "--retry-deadline",
        default=120.0,
        show_default=True,
        type=click.FloatRange(0, 3600),
        metavar="SECONDS",
        help="Stop retrying one request (429, 5xx, timeouts) after this long.",
    ),
    click.option("--quiet", is_flag=True, help="No progress display on stderr."),
    click.option(
        "--read-secret-digests",
        is_flag=True,
        help="Check declared secret `sha256` digests: reads the latest enabled version's "
        "payload of those secrets only, keeps its SHA-256 and discards the payload at once "
        "(needs roles/secretmanager.secretAccessor).",
    ),
]


def with_source_options(fn: Any) -> Any:
    for option in reversed(source_options):
        fn = option(fn)
    return fn


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
    kind_set = _kinds(kinds)
    baseline = _load(expected, project)
    snap = _snapshot(baseline, project, snapshot_file, kind_set, scan)
    from drift.pipeline import build_report, exit_code
    from drift.report import formatter

    report = build_report(baseline, snap, kinds=kind_set)
    fmt = fmt or ("table" if sys.stdout.isatty() and not output else "json")
    color = fmt == "table" and not output and sys.stdout.isatty()
    text = formatter(fmt, color=color)(report)
    if show_ignored and fmt == "table" and report.ignored:
        text += "".join(
            f"ignored: {i.finding.path} ({i.finding.type}) by {i.rule}: {i.reason}\n"
            for i in report.ignored
        )
    _write(text, output)
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
    kind_set = _kinds(kinds)
    baseline = _load(expected, project)
    snap = _snapshot(baseline, project, None, kind_set, scan)
    from drift.report.write import write_atomic

    write_atomic(Path(output), json.dumps(snap.to_json(), indent=2, sort_keys=True) + "\n")
    for nc in snap.not_checked:
        click.echo(f"drift: not checked: {nc.kind} {nc.region or ''}: {nc.error}", err=True)
    sys.exit(EXIT_ERROR if snap.not_checked else 0)


@main.command()
@click.argument("directory", default="expected", required=False)
def validate(directory: str) -> None:
    """Check every baseline under DIRECTORY without calling any API."""
    from drift.baseline import BaselineError, validate_dir

    try:
        projects = validate_dir(Path(directory))
    except BaselineError as err:
        click.echo(str(err), err=True)
        sys.exit(EXIT_ERROR)
    if not projects:
        _fail(
            f"no baseline found under {directory}/ (expected {directory}/<project>/project.yaml)."
        )
    for p in projects:
        click.echo(f"ok: {directory}/{p}")


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


# -- drift baseline ------------------------------------------------------------------------------


@main.group()
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
            click.echo(str(p), err=True)
        _fail(f"{path.as_posix()} has errors; fix it, or rewrite it with --force --regions R1,R2.")
    return text, info.regions


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
@with_source_options
def baseline_init(
    project: str,
    expected: str,
    regions: str | None,
    force: bool,
    kinds: str | None,
    **scan: Any,
) -> None:
    """Write a first baseline from the project's live state (exit 0 written, 1 not written).

    Every field set live is declared, so a `drift diff` right after finds no drift; secret
    values are never written and volatile values become matchers. Review it before committing.
    """
    import datetime as dt
    import tempfile

    from drift.baseline import BaselineError, load_baseline
    from drift.baseline.init import PROJECT_FILE, render_baseline
    from drift.pipeline import collect_for_init, init_kinds, now_utc
    from drift.report.write import write_atomic

    kind_set = _kinds(kinds)
    folder = Path(expected) / project
    existing = _baseline_yaml_files(folder)
    resource_files = [p.name for p in existing if p.name != PROJECT_FILE]
    if resource_files and not force:
        _fail(
            f"{folder.as_posix()} already holds a baseline ({', '.join(resource_files)}); "
            "pass --force to replace its YAML files, or choose another --expected folder."
        )
    keep = None if force else _existing_project(folder, project)
    if regions is not None:
        region_list = [r.strip() for r in regions.split(",") if r.strip()]
        if not region_list:
            _fail("--regions expects region names separated by commas, e.g. us-central1.")
        if len(set(region_list)) != len(region_list):
            _fail("--regions lists a region twice.")
        if keep is not None and tuple(region_list) != keep[1]:
            _fail(
                f"{folder.as_posix()}/project.yaml lists regions {', '.join(keep[1])}, not "
                f"{', '.join(region_list)}: edit its regions, or pass --force to rewrite it."
            )
    elif keep is not None:
        region_list = list(keep[1])
    else:
        found = None if not force else _existing_project(folder, project)
        if found is None:
            _fail(
                "which regions should be read? Pass --regions (e.g. --regions us-central1), or "
                f"write {folder.as_posix()}/project.yaml with `regions: [...]` first."
            )
        region_list = list(found[1])
    if scan.get("read_secret_digests"):
        click.echo(
            "drift: baseline init never reads secret payloads; add sha256 digests by hand.",
            err=True,
        )
        scan["read_secret_digests"] = False

    declared = init_kinds(kind_set)
    with _source(project, scan["emulator"], scan["api_endpoint"]) as (endpoint, stype, detail):
        with _progress(not scan["quiet"]) as progress:
            snap = collect_for_init(
                project, region_list, _settings(endpoint, scan), declared, progress
            )
    if snap.not_checked:
        for nc in snap.not_checked:
            where = f" in {nc.region}" if nc.region else ""
            click.echo(f"drift: could not read {nc.kind}{where}: {nc.error}", err=True)
        failed = sorted({nc.kind for nc in snap.not_checked})
        _fail(f"nothing was written: could not read {', '.join(failed)}.")

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
            click.echo(str(err), err=True)
            _fail(
                "internal error: the baseline built from live state does not load; nothing written."
            )
    for old in existing:
        if old.name not in files:
            old.unlink()
            click.echo(f"drift: removed {old.as_posix()} (replaced, --force)", err=True)
    for name in sorted(files):
        if name == PROJECT_FILE and keep is not None:
            continue
        write_atomic(folder / name, files[name])
    for note in rendered.notes:
        click.echo(f"drift: note: {note}", err=True)
    total = sum(rendered.counts.values())
    per_kind = ", ".join(f"{n} {k}" for k, n in sorted(rendered.counts.items()))
    click.echo(
        f"wrote {folder.as_posix()}/ ({', '.join(sorted(files))}): {total} resources "
        f"({per_kind}). Review it before committing; `drift diff --project {project}"
        f"{'' if expected == 'expected' else ' --expected ' + expected}` should find no drift."
    )
