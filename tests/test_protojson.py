"""A list answer's items are read straight from its JSON (drift/collectors/protojson.py),
not parsed into protobuf messages and turned back into dicts: the result must be what the
client library's round trip gives, item for item, or the same refusal.

- every item of every world (the bundled one, each scenario's) converts exactly as
  `MessageToDict(ParseDict(item))`;
- so does every mutation of them hypothesis tries (numbers as strings, enums as numbers,
  nulls, unknown and proto-named keys, other spellings of timestamps and durations,
  values of the wrong type, defaults written out), or both refuse;
- a whole scan of every world gives the same snapshot as the library's round trip.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from google.cloud import compute_v1, run_v2, secretmanager, vpcaccess_v1
from google.protobuf import json_format
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from drift.collectors import guard, protojson
from drift.collectors.protojson import canonical_items, item_descriptor
from drift.collectors.scan import collect
from drift.collectors.settings import CollectSettings
from drift.emulator import Emulator
from drift.emulator.world import load_world
from drift.registry import KINDS

ROOT = Path(__file__).resolve().parent.parent
WORLD_FILES = sorted(ROOT.glob("tests/worlds/**/world*.json")) + sorted(
    ROOT.glob("drift/emulator/worlds/*.json")
)
# World key -> the message its items are (the list responses' item types).
MESSAGES: dict[str, Any] = {
    "services": run_v2.Service,
    "jobs": run_v2.Job,
    "secrets": secretmanager.Secret,
    "secretVersions": secretmanager.SecretVersion,
    "connectors": vpcaccess_v1.Connector,
    "healthChecks": compute_v1.HealthCheck,
    "backendServices": compute_v1.BackendService,
    "urlMaps": compute_v1.UrlMap,
    "sslCertificates": compute_v1.SslCertificate,
    "targetHttpsProxies": compute_v1.TargetHttpsProxy,
}


def official(item: Any, message: Any) -> dict[str, Any] | str:
    """The client library's round trip of one item, or "ParseError" when it refuses."""
    pb = message.pb()()
    try:
        # What json_format.Parse does with the decoded answer (it words any error as one).
        json_format.ParseDict(item, pb, ignore_unknown_fields=True)
    except Exception:  # noqa: BLE001
        return "ParseError"
    out: dict[str, Any] = json_format.MessageToDict(pb)
    return out


def fast(item: Any, message: Any) -> dict[str, Any] | str:
    try:
        (out,) = canonical_items([item], message.pb().DESCRIPTOR)
    except json_format.ParseError:
        return "ParseError"
    return out


def _world_items() -> list[tuple[str, dict[str, Any]]]:
    items = []
    for path in WORLD_FILES:
        try:
            world = json.loads(path.read_text(encoding="utf-8"))
        except ValueError:
            continue
        for project in (world.get("projects") or {}).values():
            if not isinstance(project, dict):
                continue
            for key in MESSAGES:
                for item in project.get(key) or []:
                    if isinstance(item, dict):
                        items.append((key, item))
    return items


ITEMS = _world_items()


def test_the_worlds_hold_items_of_every_message() -> None:
    assert {key for key, _ in ITEMS} == set(MESSAGES)


@pytest.mark.parametrize("key", sorted(MESSAGES))
def test_every_world_item_converts_as_the_library_does(key: str) -> None:
    message = MESSAGES[key]
    for k, item in ITEMS:
        if k == key:
            assert fast(item, message) == official(item, message), item.get("name")


def test_the_item_type_is_read_from_the_response_class() -> None:
    assert item_descriptor(run_v2.ListServicesResponse, "services").full_name == (
        "google.cloud.run.v2.Service"
    )
    assert item_descriptor(compute_v1.HealthCheckList, "items").name == "HealthCheck"


# -- mutations ---------------------------------------------------------------------------------

ODD_VALUES = st.sampled_from(
    [None, 0, 1, -1, 7, 2**40, 2**70, 1.5, 0.0, -0.0, 2.0, "", "0", "-0", "7", "1.5", "x",
     "007", True, False, [], {}, [None], ["a"], [1], {"a": None}, {"a": 1}, {"a": "b"},
     "2025-03-08T20:32:16Z", "2025-03-08T20:32:16.977333Z", "2025-03-08T20:32:16.977333000Z",
     "2025-03-08T20:32:16.9773Z", "2025-03-08T20:32:16+01:00", "2025-02-30T00:00:00Z",
     "2025-03-08T20:32:60Z", "0001-01-01T00:00:00Z", "300s", "300.500s", "300.5s", "-0s",
     "-0.500s", "1.000s", "0s", "NaN", "Infinity", "INGRESS_TRAFFIC_ALL",
     "INGRESS_TRAFFIC_UNSPECIFIED", "ENABLED", "STATE_UNSPECIFIED", "EXECUTION_ENVIRONMENT_GEN2",
     "aGVsbG8=", "[x.y]"]
)  # fmt: skip


def _paths(value: Any, prefix: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    out = [prefix]
    if isinstance(value, dict):
        for k, v in value.items():
            out += _paths(v, (*prefix, k))
    elif isinstance(value, list):
        for i, v in enumerate(value):
            out += _paths(v, (*prefix, i))
    return out


def _set(value: Any, path: tuple[Any, ...], new: Any) -> Any:
    if not path:
        return new
    head, rest = path[0], path[1:]
    if isinstance(value, dict):
        return {**value, head: _set(value[head], rest, new)}
    copy = list(value)
    copy[head] = _set(copy[head], rest, new)
    return copy


def _snake(name: str) -> str:
    return "".join("_" + c.lower() if c.isupper() else c for c in name)


@st.composite
def mutated(draw: Any) -> tuple[str, Any]:
    key, item = draw(st.sampled_from(ITEMS))
    for _ in range(draw(st.integers(1, 3))):
        paths = _paths(item)
        path = draw(st.sampled_from(paths))
        how = draw(st.sampled_from(["value", "unknown", "snake", "drop"]))
        target: Any = item
        for p in path:
            target = target[p]
        if how == "value" or not isinstance(target, dict) or not target:
            item = _set(item, path, draw(ODD_VALUES))
        elif how == "unknown":
            item = _set(item, path, {**target, "someNewField": draw(ODD_VALUES)})
        elif how == "snake":
            name = draw(st.sampled_from(sorted(target)))
            renamed = {(_snake(k) if k == name else k): v for k, v in target.items()}
            item = _set(item, path, renamed)
        else:
            name = draw(st.sampled_from(sorted(target)))
            item = _set(item, path, {k: v for k, v in target.items() if k != name})
    return key, item


@settings(max_examples=1500, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(mutated())
def test_mutated_items_convert_or_fail_as_the_library_does(case: tuple[str, Any]) -> None:
    key, item = case
    message = MESSAGES[key]
    assert fast(item, message) == official(item, message)


@pytest.mark.parametrize(
    "fraction",
    [
        "",
        ".001",
        ".010",
        ".100",
        ".123",
        ".000001",
        ".123456",
        ".123456789",
        ".999999999",
        ".000000001",
        ".500000",
        ".120000000",
    ],  # fmt: skip
)
def test_timestamps_and_durations_keep_their_spelling_only_when_canonical(fraction: str) -> None:
    item = {"createTime": f"2025-03-08T20:32:16{fraction}Z", "rotation": {
        "rotationPeriod": f"86400{fraction}s"}}  # fmt: skip
    assert fast(item, secretmanager.Secret) == official(item, secretmanager.Secret)


# -- whole scans ---------------------------------------------------------------------------------


def _scan(world_file: Path) -> Any:
    world = load_world(world_file)
    out = []
    for project, data in sorted((world.get("projects") or {}).items()):
        kinds = sorted(k for k, spec in KINDS.items() if data.get(spec.world_key))
        with Emulator(world) as emu:
            settings = CollectSettings(endpoint=emu.base_url, deadline_s=0)
            snap = collect(project, ["us-central1", "europe-west1"], kinds, settings)
        out.append((snap.resources, snap.not_checked))
    return out


@pytest.mark.parametrize(
    "world_file",
    [p for p in WORLD_FILES if "robustness" not in p.parts],
    ids=lambda p: str(p.relative_to(ROOT)),
)
def test_a_scan_reads_what_the_library_round_trip_reads(
    world_file: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    direct = _scan(world_file)
    # Without an attempt in sight, a page is read through the client's messages as before.
    real_current = guard.current
    monkeypatch.setattr(
        protojson, "canonical_items", lambda items, d: pytest.fail("not the library path")
    )
    monkeypatch.setattr(guard, "current", lambda: None)
    try:
        through_library = _scan(world_file)
    finally:
        monkeypatch.setattr(guard, "current", real_current)
    assert direct == through_library


def test_plans_built_by_many_threads_at_once_are_whole(monkeypatch: pytest.MonkeyPatch) -> None:
    """Worker threads read their first pages at the same moment: a plan one of them is
    still building must never be seen half-built by another."""
    import threading

    monkeypatch.setattr(protojson, "_PLANS", {})
    items = [item for key, item in ITEMS if key == "services"]
    descriptor = run_v2.Service.pb().DESCRIPTOR
    errors: list[BaseException] = []
    barrier = threading.Barrier(8)
    want = [official(i, run_v2.Service) for i in items]

    def read() -> None:
        barrier.wait()
        try:
            assert canonical_items(items, descriptor) == want
        except BaseException as err:  # noqa: BLE001 - reported below
            errors.append(err)

    threads = [threading.Thread(target=read) for _ in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
