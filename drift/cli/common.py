"""Shared pieces of the commands: sources, scan settings, failing with a sentence."""

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


def warn(message: str) -> None:
    """One line on stderr; values in it (paths, server errors) are shown escaped."""
    from drift.report.escape import escape_text

    click.echo(escape_text(message), err=True)


def fail(message: str) -> None:
    """Say what went wrong in one sentence on stderr and exit 1."""
    warn(f"drift: {message}")
    sys.exit(EXIT_ERROR)


def print_problems(err: Any) -> None:
    """A BaselineError on stderr, one escaped line per problem."""
    for problem in getattr(err, "problems", None) or [err]:
        warn(str(problem))


def load_or_exit(expected: str, project: str) -> Any:
    from drift.baseline import BaselineError, load_baseline

    try:
        return load_baseline(Path(expected), project)
    except BaselineError as err:
        print_problems(err)
        fail("the baseline has errors; nothing was checked.")


def parse_kinds(value: str | None) -> set[str] | None:
    if not value:
        return None
    from drift.baseline.schema import KIND_FIELDS

    kinds = {k.strip() for k in value.split(",") if k.strip()}
    unknown = sorted(kinds - set(KIND_FIELDS))
    if unknown:
        fail(
            f"unknown kind(s) in --kinds: {', '.join(unknown)}; valid kinds: "
            f"{', '.join(sorted(KIND_FIELDS))}."
        )
    return kinds


def parse_rates(values: tuple[str, ...]) -> dict[str, int]:
    out: dict[str, int] = {}
    for item in values:
        api, _, n = item.partition("=")
        if not n.isdigit() or int(n) <= 0:
            fail(f"--rate expects API=REQUESTS_PER_MINUTE (e.g. secretmanager=300), got {item!r}.")
        out[api.strip()] = int(n)
    return out


@contextlib.contextmanager
def live_source(
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
        fail(f"cannot load the emulator world: {err}")
    detail = f"bundled world {project}" if emulator == BUNDLED else f"world {Path(emulator).name}"
    emu = Emulator(world)
    base = emu.start()
    try:
        yield base, "emulator", detail
    finally:
        emu.stop()


@contextlib.contextmanager
def progress_bar(enabled: bool) -> Iterator[Any]:
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


def scan_settings(endpoint: str | None, scan: dict[str, Any]) -> Any:
    from drift.collectors.settings import CollectSettings

    deadline = scan["retry_deadline"]
    return CollectSettings(
        endpoint=endpoint,
        concurrency=scan["concurrency"],
        rate_per_minute=parse_rates(scan["rates"]),
        deadline_s=deadline,
        initial_backoff_s=min(0.5, max(deadline, 0.01) / 8),
        read_secret_digests=scan.get("read_secret_digests", False),
    )


def take_snapshot(
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
            fail(f"cannot read snapshot {snapshot_file}: {err}. Write one with `drift snapshot`.")
        if snap.project != project:
            fail(f"snapshot {snapshot_file} is of project {snap.project}, not {project}.")
        return snap
    with live_source(project, scan["emulator"], scan["api_endpoint"]) as (endpoint, stype, detail):
        with progress_bar(not scan["quiet"]) as progress:
            snap = collect_live(baseline, scan_settings(endpoint, scan), kinds, progress)
    return Snapshot(
        snap.project,
        snap.project_number,
        snap.kinds,
        snap.resources,
        snap.not_checked,
        stype,
        detail,
    )


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
]

# Only `diff` and `snapshot` compare digests; `baseline init` never reads a payload.
digest_option = click.option(
    "--read-secret-digests",
    is_flag=True,
    help="Check declared secret `sha256` digests: reads the latest enabled version's "
    "payload of those secrets only, keeps its SHA-256 and discards the payload at once "
    "(needs roles/secretmanager.secretAccessor).",
)


def with_source_options(fn: Any, digests: bool = True) -> Any:
    for option in reversed([*source_options, *([digest_option] if digests else [])]):
        fn = option(fn)
    return fn
