"""Compare and lint worked out while the scan runs (drift/engine/ahead.py): the report is
the one evaluate gives from scratch, and a result is reused only for the very resource,
declaration and project number it was worked out with."""

from __future__ import annotations

import datetime as dt
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest

from drift import pipeline
from drift.baseline import load_baseline
from drift.collectors.settings import CollectSettings
from drift.emulator import Emulator, bundled_world_path, load_world
from drift.engine import compare as compare_module
from drift.engine.ahead import Ahead
from drift.model import Resource

ROOT = Path(__file__).resolve().parent.parent
PROJECT = "netra-staging"
WHEN = dt.datetime(2026, 11, 25, tzinfo=dt.UTC)


def _scan() -> tuple[Any, Any]:
    baseline = load_baseline(ROOT / "expected", PROJECT)
    with Emulator(load_world(bundled_world_path(PROJECT))) as emu:
        snap = pipeline.collect_live(baseline, CollectSettings(endpoint=emu.base_url))
    return baseline, snap


def test_the_report_is_the_one_evaluate_gives_from_scratch() -> None:
    baseline, snap = _scan()
    with_ahead = pipeline.build_report(baseline, snap, when=WHEN)
    # The same resources in a new tuple: nothing worked out ahead is found for them.
    from_scratch = pipeline.build_report(
        baseline, replace(snap, resources=tuple(snap.resources)), when=WHEN
    )
    assert with_ahead.findings and with_ahead == from_scratch


def test_what_was_compared_during_the_scan_is_not_compared_again(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    baseline, snap = _scan()
    compared: list[str] = []
    real = compare_module._Comparer.resource

    def counting(self: Any, d: Any, live: Any) -> None:
        compared.append(d.kind)
        real(self, d, live)

    monkeypatch.setattr(compare_module._Comparer, "resource", counting)
    pipeline.build_report(baseline, snap, when=WHEN)
    # Services, jobs and connectors were compared as their pages came in; secrets are
    # normalized only once their versions are read, at the end.
    assert compared and set(compared) <= {"secrets"}


def test_a_result_is_reused_only_for_the_same_resource_and_number() -> None:
    baseline = load_baseline(ROOT / "expected", PROJECT)
    d = next(d for d in baseline.declared if d.kind == "services")
    live = Resource("services", d.name, d.region, {"image": "other:1"})
    ahead = Ahead(baseline)
    ahead.add([live], "123")
    assert ahead.compared(d, live, "123")  # an image that differs
    assert ahead.compared(d, live, "456") is None  # another project number
    twin = Resource(live.kind, live.name, live.region, dict(live.fields))
    assert ahead.compared(d, twin, "123") is None  # an equal but other object
    assert ahead.linted(live, baseline.rules) is not None
    assert ahead.linted(live, replace(baseline.rules)) is None  # other rules
