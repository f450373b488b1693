"""The scan as a flow (drift/collectors/flow.py): follow-up requests start while lists are
still paging, and what comes out is what a list-by-list scan gives, failures included."""

from __future__ import annotations

from typing import Any

import pytest

from drift.collectors import flow
from drift.collectors.answers import BadResponse
from drift.collectors.lister import list_raw
from drift.collectors.scan import collect
from drift.collectors.settings import CollectSettings
from drift.emulator import Emulator
from tests import worldkit as wk

SECRETS = [f"s{i:02d}" for i in range(12)]


def _world() -> dict[str, Any]:
    refs = [wk.secret_env("A", "s11")]  # referenced by a service, declared nowhere
    return wk.world(
        services=[wk.service("api", env=refs, connector=None)],
        secrets=[wk.secret(s) for s in SECRETS],
        versions=[wk.version(s, 1) for s in SECRETS],
    )


def _paths(emu: Emulator) -> list[str]:
    return [path.split("?")[0] for _method, path, _status in emu.stats()["log"]]


def test_version_lists_start_while_the_secrets_list_is_still_paging() -> None:
    with Emulator(_world(), page_size=2, latency_ms=30) as emu:
        settings = CollectSettings(endpoint=emu.base_url)
        snap = collect(wk.PROJECT, [wk.REGION], ["secrets", "services"], settings, {"s00", "s01"})
        paths = _paths(emu)
    listed = [i for i, p in enumerate(paths) if p.endswith("/secrets")]
    versions = [p.rsplit("/", 2)[-2] for p in paths if p.endswith("/versions")]
    assert len(listed) == 6  # 12 secrets, 2 a page
    first_versions = next(i for i, p in enumerate(paths) if p.endswith("/versions"))
    assert first_versions < listed[-1]  # s00 and s01 did not wait for the rest of the list
    # The declared ones, and the one a live service references (known once services are in).
    assert sorted(versions) == ["s00", "s01", "s11"]
    with_versions = {r.name for r in snap.resources if r.kind == "secrets"
                     and r.fields.get("enabled_versions") is not None}  # fmt: skip
    assert with_versions == {"s00", "s01", "s11"}
    assert snap.project_number == wk.NUMBER and not snap.not_checked


def test_a_list_failing_after_its_first_page_takes_back_its_follow_up_and_number(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Its first page (which named the project number and started version lists) is not
    data once the list fails: the kind is not checked, no version list is reported, and
    the number is not one read live."""

    def failing_secrets(ctx: Any, spec: Any, project: str, region: Any, on_page: Any) -> Any:
        if spec.name != "secrets":
            return list_raw(ctx, spec, project, region, on_page)
        on_page([wk.secret("s00"), wk.secret("s01")])
        raise BadResponse("http://x/secrets", 200, "an empty body; a proxy in between?")

    monkeypatch.setattr(flow, "list_raw", failing_secrets)
    with Emulator(_world(), latency_ms=20) as emu:
        settings = CollectSettings(endpoint=emu.base_url)
        snap = collect(wk.PROJECT, [wk.REGION], ["secrets", "services"], settings, {"s00"})
    assert [(nc.kind, nc.error.split(":")[0]) for nc in snap.not_checked] == [
        ("secrets", "UNAVAILABLE")
    ]
    assert snap.project_number is None
    assert [r.kind for r in snap.resources] == ["services"]


def test_services_wait_for_the_number_their_secret_references_need() -> None:
    """A full-name reference to this project's secret is recognised by the number that the
    secret list reveals, even when the services are in long before that list ends."""
    refs = [wk.secret_env("A", f"projects/{wk.NUMBER}/secrets/s03")]
    world = wk.world(
        services=[wk.service("api", env=refs, connector=None)],
        secrets=[wk.secret(s) for s in SECRETS],
        versions=[wk.version(s, 1) for s in SECRETS],
    )
    with Emulator(world, page_size=2, latency_ms=20) as emu:
        settings = CollectSettings(endpoint=emu.base_url)
        snap = collect(wk.PROJECT, [wk.REGION], ["secrets", "services"], settings)
    (svc,) = [r for r in snap.resources if r.kind == "services"]
    assert svc.fields["env"]["A"]["secret"] == "s03"  # this project's: the short id
    (s03,) = [r for r in snap.resources if r.name == "s03"]
    assert s03.fields.get("enabled_versions") == 1  # referenced, so its versions were read


def test_ctrl_c_received_by_another_thread_still_stops_the_scan() -> None:
    """The kernel may hand Ctrl-C to any thread; CPython then leaves the main thread's wait
    alone. The scan must stop all the same (it used to wait for its lists to end: hours
    against an answer dripping in a byte every 5 s)."""
    import signal
    import threading
    import time

    from drift.cli.interrupt import Interrupted, signals_stop_the_run

    world = _world()
    with Emulator(world, faults=[{"path": ".", "kind": "drip", "every": 5}]) as emu:
        # A thread drift did not start (it does not block signals), waiting in a system
        # call as the scan's threads do: the signal lands there.
        sleeper = threading.Thread(target=time.sleep, args=(60,), daemon=True)
        sleeper.start()

        def poke() -> None:
            deadline = time.monotonic() + 30
            while not emu.stats()["requests"] and time.monotonic() < deadline:
                time.sleep(0.02)
            assert sleeper.ident is not None
            signal.pthread_kill(sleeper.ident, signal.SIGINT)

        settings = CollectSettings(endpoint=emu.base_url)
        start = time.monotonic()
        threading.Thread(target=poke, daemon=True).start()
        with pytest.raises(Interrupted), signals_stop_the_run():
            collect(wk.PROJECT, [wk.REGION], ["secrets", "services"], settings)
        assert time.monotonic() - start < 20
