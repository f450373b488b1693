"""Shared pieces of the commands: sources, scan settings, failing with a sentence."""

from __future__ import annotations

import contextlib
import json
import sys
from collections.abc import Callable, Iterator
from dataclasses import dataclass, replace
from pathlib import Path
from typing import TYPE_CHECKING, Any, NoReturn

import click

from drift.cli.exits import EXIT_ERROR

if TYPE_CHECKING:  # imported inside the functions, so that `drift --help` stays fast
    from drift.baseline import Baseline
    from drift.collectors.settings import CollectSettings
    from drift.model import Snapshot

BUNDLED = "__bundled__"


def warn(message: str, severity: str = "WARNING", **fields: Any) -> None:
    """One line on stderr; values in it (paths, server errors) are shown escaped. With
    `--log-format json`, one JSON entry with `severity` and `fields` (drift/cli/logs.py)."""
    from drift.cli.logs import emit

    emit(message, severity, **fields)


def fail(message: str) -> NoReturn:
    """Say what went wrong in one sentence on stderr and exit 1."""
    warn(f"drift: {message}", "ERROR")
    sys.exit(EXIT_ERROR)


def print_problems(err: Any) -> None:
    """A BaselineError on stderr, one escaped line per problem."""
    for problem in getattr(err, "problems", None) or [err]:
        warn(str(problem))


def load_or_exit(expected: str, project: str) -> Baseline:
    """The project's baseline; a bad one is listed on stderr and ends the run with exit 1."""
    from drift.baseline import BaselineError, load_baseline

    try:
        return load_baseline(Path(expected), project)
    except BaselineError as err:
        print_problems(err)
        fail("the baseline has errors; nothing was checked.")


def parse_kinds(value: str | None) -> set[str] | None:
    """`--kinds K1,K2` as a set (None: all); an unknown kind fails with the valid ones."""
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


@dataclass(frozen=True)
class Live:
    """Where a scan reads from: the report's source type and detail, and the settings
    (endpoint, credentials and the scan options) to read with."""

    source_type: str
    detail: str
    settings: Any  # drift.collectors.settings.CollectSettings


@contextlib.contextmanager
def live_source(
    project: str | list[str],
    source: Any,
    scan: dict[str, Any],
    warm_up: Callable[[], object] | None = None,
) -> Iterator[Live]:
    """The Live source for a drift/cli/inputs.py Source, checked before any scan: an
    endpoint must answer at all, live GCP needs credentials; starts the in-process
    emulator when asked (for several projects, one emulator serving the bundled world of
    each). An endpoint override is type `endpoint`, not `live`: the report must not call
    a local emulator or a proxy "live GCP"."""
    if source.emulator is None:
        if source.endpoint:
            check_reachable(source, warm_up)
            yield Live("endpoint", source.endpoint_label(), scan_settings(source.endpoint, scan))
        else:
            settings = replace(scan_settings(None, scan), credentials=live_credentials())
            yield Live("live", "Google Cloud APIs (Application Default Credentials)", settings)
        return
    from drift.emulator import Emulator, bundled_world_path, load_world

    emulator = source.emulator
    projects = [project] if isinstance(project, str) else sorted(project)
    try:
        if emulator == BUNDLED:
            worlds = [load_world(bundled_world_path(p)) for p in projects]
            world = {**worlds[0], "projects": {}}
            for each in worlds:
                world["projects"].update(each.get("projects") or {})
        else:
            world = load_world(Path(emulator))
    except (ValueError, OSError) as err:
        fail(f"cannot load the emulator world: {err}")
    detail = (
        f"bundled world {', '.join(projects)}"
        if emulator == BUNDLED
        else f"world {Path(emulator).name}"
    )
    emu = Emulator(world)
    base = emu.start()
    try:
        yield Live("emulator", detail, scan_settings(base, scan))
    finally:
        emu.stop()


def check_reachable(source: Any, meanwhile: Callable[[], object] | None = None) -> None:
    """An endpoint that refuses connections, does not resolve or fails TLS ends the run
    now, in seconds, not after every request has retried for --retry-deadline.
    `meanwhile` runs while the probe's answer is on its way (the scan's imports)."""
    import importlib

    from drift.collectors.reach import probe_meanwhile

    def warm_up() -> None:
        importlib.import_module("drift.collectors.scan")
        if meanwhile is not None:
            meanwhile()

    why = probe_meanwhile(source.endpoint, warm_up)
    if why is None:
        return
    name = "DRIFT_API_ENDPOINT" if source.endpoint_from_env else "--api-endpoint"
    fail(
        f"{name} {source.endpoint} cannot be reached: {why}; check the URL and that the "
        "server is running (`drift emulator` serves the built-in fake GCP, or use "
        "--emulator instead); nothing was checked."
    )


def live_credentials() -> Any:
    """Application Default Credentials, resolved once before a scan of live GCP; none (or
    none that works) is one sentence saying how to log in, and exit 1."""
    from drift.collectors.credentials import CredentialsError, resolve

    try:
        return resolve()
    except CredentialsError as err:
        fail(f"{err}; nothing was checked.")


def warn_not_checked(not_checked: Any) -> None:
    """What could not be checked, on stderr: one line per distinct cause, naming where
    (drift/report/causes.py), not one per kind and region."""
    from drift.report.causes import group

    for cause in group(not_checked):
        warn(
            f"drift: not checked: {cause.line()}",
            "ERROR",
            error=cause.error,
            scopes=[{"kind": k, "region": r} for k, r in cause.scopes],
        )


def scan_settings(endpoint: str | None, scan: dict[str, Any]) -> CollectSettings:
    """CollectSettings from the scan options (rates parsed by inputs.check_scan_inputs)."""
    from drift.collectors.settings import CollectSettings

    deadline = scan["retry_deadline"]
    return CollectSettings(
        endpoint=endpoint,
        concurrency=scan["concurrency"],
        rate_per_minute=scan["rate_per_minute"],
        deadline_s=deadline,
        initial_backoff_s=min(0.5, max(deadline, 0.01) / 8),
        read_secret_digests=scan.get("read_secret_digests", False),
    )


def read_snapshot_file(
    baseline: Baseline, project: str, path: str, scan: dict[str, Any]
) -> Snapshot:
    """A file written by `drift snapshot`, checked against the project and the flags."""
    from dataclasses import replace

    from drift.model import Snapshot

    try:
        data = json.loads(Path(path).read_text(encoding="utf-8"))
        snap = Snapshot.from_json(data, detail=path)
    except OSError as err:  # its reason in words, not Python's "[Errno 2] ...: 'path'"
        why = (err.strerror or type(err).__name__).lower()
        fail(f"cannot read snapshot {path}: {why}. Write one with `drift snapshot`.")
    except (ValueError, KeyError, TypeError, AttributeError) as err:
        fail(f"cannot read snapshot {path}: {err}. Write one with `drift snapshot`.")
    if snap.project != project:
        fail(f"snapshot {path} is of project {snap.project}, not {project}.")
    if scan.get("read_secret_digests"):
        from drift.pipeline import digest_secrets_declared

        live = {r.name: r for r in snap.resources if r.kind == "secrets"}
        unread = sorted(
            sid
            for sid in digest_secrets_declared(baseline)
            if sid in live and "sha256" not in live[sid].fields
        )
        if unread:
            fail(
                f"snapshot {path} was taken without --read-secret-digests, so it holds no "
                f"digest of {', '.join(unread)}; take it again with `drift snapshot "
                "--read-secret-digests`, or diff it without --read-secret-digests."
            )
    when = f"taken {snap.taken_at}" if snap.taken_at else "taken at an unknown time (older drift)"
    return replace(snap, source_detail=f"{path}, {when}")


def take_snapshot(
    baseline: Any,
    project: str,
    source: Any,
    kinds: set[str] | None,
    scan: dict[str, Any],
) -> Any:
    """The live state from the chosen source (drift/cli/inputs.py Source)."""
    from dataclasses import replace

    from drift.cli.progress import scan_display
    from drift.pipeline import collect_live

    if source.snapshot:
        return read_snapshot_file(baseline, project, source.snapshot, scan)

    def warm_up() -> None:  # the clients this scan needs, while the endpoint is probed
        from drift.collectors.scan import import_clients
        from drift.registry import kinds_to_collect

        import_clients(kinds_to_collect(set(baseline.kinds), kinds), list(baseline.regions))

    with (
        live_source(project, source, scan, warm_up) as live,
        scan_display(not scan["quiet"]) as show,
    ):
        snap = collect_live(baseline, live.settings, kinds, show.progress, show.notice)
    return replace(snap, source_type=live.source_type, source_detail=live.detail)


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
        show_envvar=True,
        default=None,
        metavar="URL",
        help="Send every GCP API call to this base URL with anonymous credentials "
        "(the report's source is then `endpoint`).",
    ),
    click.option("--kinds", default=None, metavar="K1,K2", help="Only these resource kinds."),
    click.option(
        "--concurrency",
        default=16,
        show_default=True,
        type=click.IntRange(1, 64),
        help="Requests in flight at once.",
    ),
    click.option(
        "--rate",
        "rates",
        multiple=True,
        metavar="API=N",
        help="Requests per minute for one API (run, secretmanager, vpcaccess, compute); "
        "repeat for several.",
    ),
    click.option(
        "--retry-deadline",
        default=120.0,
        show_default=True,
        type=click.FloatRange(0, 3600),
        metavar="SECONDS",
        help="Stop retrying one request (429, 5xx, timeouts) after this long.",
    ),
    click.option(
        "--quiet",
        is_flag=True,
        help="No progress display and no summary line on stderr (errors still show).",
    ),
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
