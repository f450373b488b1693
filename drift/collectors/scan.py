"""Runs the collectors concurrently under one bounded limit and per-API rate budgets.

Every kind is listed in every region at once (drift/collectors/lister.py, from each kind's
spec), and the follow-up steps kinds declare (secrets: versions only for the secrets that
a declared field or a live reference needs, digests with --read-secret-digests;
drift/collectors/followup.py) start as soon as the pages they need are in
(drift/collectors/flow.py). A kind that still fails after retries with a Google or
transport error becomes a NotChecked value, never an empty list; any other exception is
a bug in drift and fails the run.
"""

from __future__ import annotations

from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import replace

from drift.collectors.budget import Budgets
from drift.collectors.clients import ClientFactory, client_type, scan_clients
from drift.collectors.context import ScanContext
from drift.collectors.flow import Flow, OnResources, Progress
from drift.collectors.retry import RetryPolicy, retry_reason
from drift.collectors.settings import CollectSettings
from drift.collectors.signals import block_in_this_thread
from drift.model import NotChecked, Resource, Snapshot

Notice = Callable[[str], None]


def retry_notice(api: str, region: str | None, err: BaseException, left_s: float) -> str:
    """`retrying secretmanager (503), giving up in 110 s`: what a wait to retry is for."""
    where = f" in {region}" if region else ""
    return f"retrying {api}{where} ({retry_reason(err)}), giving up in {max(left_s, 0):.0f} s"


def _context(settings: CollectSettings) -> ScanContext:
    policy = RetryPolicy(
        initial_s=settings.initial_backoff_s,
        deadline_s=settings.deadline_s,
        attempt_timeout_s=settings.attempt_timeout_s,
    )
    clients = ClientFactory(settings.endpoint, settings.credentials)
    return ScanContext(clients, Budgets(settings.rate_per_minute), policy)


class SharedScan:
    """What the scans of several projects in one run share (drift/runs.py): one set of
    rate budgets, one client factory, one retry policy and one bounded request pool.

    Google counts read quotas against the caller's quota project, so projects read with
    one identity draw on the same per-minute budget; and `--concurrency` bounds the
    requests in flight of the whole run, not of each project.
    """

    def __init__(self, settings: CollectSettings) -> None:
        self.base = _context(settings)
        self.pool = ThreadPoolExecutor(
            max_workers=max(1, settings.concurrency),
            thread_name_prefix="drift-scan",
            initializer=block_in_this_thread,  # signals go to the main thread
        )

    @property
    def budgets(self) -> Budgets:
        return self.base.budgets

    def context(self) -> ScanContext:
        """A context for one project's scan: its own callbacks, the shared budgets/clients."""
        return replace(self.base, on_retry=None, on_wait=None, requests_made={})

    def close(self, cancel: bool = False) -> None:
        """Stop the pool; `cancel` drops queued requests and does not wait for those in
        flight (an interrupted run), as collect() does with a pool of its own."""
        self.pool.shutdown(wait=not cancel, cancel_futures=cancel)


def import_clients(kinds: list[str], regions: list[str]) -> None:
    """Import the client classes a scan of `kinds` uses, in this thread, each only with its
    own service module (drift/collectors/imports.py): before any worker needs one, or
    while something else is waited for (the endpoint probe)."""
    for name in scan_clients(kinds, regions):
        client_type(name)


def collect(
    project: str,
    regions: list[str],
    kinds: list[str],
    settings: CollectSettings,
    version_secrets: set[str] | None = None,
    digest_secrets: set[str] | None = None,
    project_number: str | None = None,
    progress: Progress | None = None,
    notice: Notice | None = None,
    shared: SharedScan | None = None,
    on_resources: OnResources | None = None,
) -> Snapshot:
    """Snapshot `kinds` of `project`; `version_secrets` are secret ids whose versions are needed.

    `digest_secrets` (used only with settings.read_secret_digests) are secret ids whose latest
    enabled payload is read and kept as a `sha256` digest, nothing else. `project_number`
    (the baseline's) helps recognise this project's secret references; the snapshot's own
    number is only one read live. `progress(done, total, label)` is told of each list done,
    `notice(sentence)` of each wait to retry (from worker threads). With `shared`, the
    requests go through its pool and budgets (several projects in one run), else through
    a pool and budgets of this scan's own. `on_resources(resources, number)` hears of
    each batch of resources as it is normalized (drift/collectors/flow.py).
    """
    import_clients(kinds, regions)
    own = shared is None
    scan = shared or SharedScan(settings)
    ctx = scan.context()
    if notice is not None:
        ctx.on_wait = lambda api, region, err, left: notice(retry_notice(api, region, err, left))
    flow = Flow(
        project, kinds, regions, settings, ctx, scan.pool, project_number, progress, on_resources
    )
    try:
        resources, failed, read_number = flow.run(
            frozenset(version_secrets or ()), frozenset(digest_secrets or ())
        )
    except BaseException:
        # Stopped (Ctrl-C, SIGTERM: drift/cli/interrupt.py) or failed: drop the queued
        # requests and do not wait for those in flight, as `with` would. A shared pool
        # keeps serving the other projects: only this scan's requests are dropped.
        if own:
            scan.close(cancel=True)
        flow.cancel()
        raise
    if own:
        scan.close()

    snapshot = Snapshot(
        project=project,
        project_number=read_number,
        kinds=tuple(kinds),
        resources=(),
        # Failures come in as they happen; reports list them in kind and region order.
        not_checked=tuple(sorted(failed, key=lambda nc: _failure_order(nc, kinds, regions))),
        source_type="live",
        source_detail=settings.endpoint or "Google Cloud APIs (Application Default Credentials)",
    )
    # Drop partial data of a failed scope: the engine must not see half a list as the
    # truth. Snapshot.checked() says what each failure covers (a region's Compute list
    # failing leaves the global list of that kind, and the reverse).
    kept = [r for r in resources if snapshot.checked(r.kind, r.region)]
    return replace(snapshot, resources=tuple(sorted(kept, key=_key)))


def _failure_order(nc: NotChecked, kinds: list[str], regions: list[str]) -> tuple[int, int, str]:
    """The kinds' order, then the global scope, then project.yaml's regions, then the text."""
    kind = kinds.index(nc.kind) if nc.kind in kinds else len(kinds)
    region = (
        -1
        if nc.region is None
        else (regions.index(nc.region) if nc.region in regions else len(regions))
    )
    return (kind, region, nc.error)


def _key(r: Resource) -> tuple[str, str, str]:
    return (r.kind, r.name, r.region or "")
