"""A failure is scoped exactly (issue 8, case 25): what a not_checked entry withholds.

A global+regional kind (Compute) is one list per scope: a 403 on one region's list
withholds that region only, never the global resources of the kind, nor the reverse. A
global kind (secrets) is one list; a regional kind fails per region, and an entry without
a region covers all of it.
"""

from __future__ import annotations

import json
from typing import Any

import pytest

from drift.collectors.scan import collect
from drift.collectors.settings import CollectSettings
from drift.emulator import Emulator
from drift.model import NotChecked, Snapshot
from drift.registry import BOTH, GLOBAL, KINDS, REGIONAL
from tests import worldkit as wk
from tests.test_compute import BASELINE, compute_world
from tests.test_e2e import by_path, diff
from tests.test_faults import CASES
from tests.test_faults import diff as demo_diff

R = wk.REGION
EU = "europe-west1"


def snap(kind: str, *failed: str | None) -> Snapshot:
    return Snapshot("p", None, (kind,), (), tuple(NotChecked(kind, r, "DENIED: x") for r in failed))


def test_every_scope_kind_is_covered_here():
    assert {s.scope for s in KINDS.values()} == {GLOBAL, REGIONAL, BOTH}


def test_global_and_regional_kind_fails_per_scope():
    regional = snap("health_checks", R)
    assert regional.checked("health_checks", None)  # the global list was read
    assert not regional.checked("health_checks", R)
    assert regional.checked("health_checks", EU)
    global_ = snap("health_checks", None)
    assert not global_.checked("health_checks", None)
    assert global_.checked("health_checks", R)
    everywhere = snap("health_checks", None, R)
    assert not everywhere.checked("health_checks", None)
    assert not everywhere.checked("health_checks", R)


def test_regional_kind_fails_per_region_and_none_is_all_of_it():
    one = snap("services", R)
    assert not one.checked("services", R)
    assert one.checked("services", EU)
    assert not one.checked("services", None)  # "all of it" was not read
    whole = snap("services", None)
    assert not whole.checked("services", R) and not whole.checked("services", EU)


def test_global_kind_is_one_list():
    assert not snap("secrets", None).checked("secrets", None)
    assert snap("secrets").checked("secrets", None)


def test_a_failed_follow_up_hides_its_resource_only():
    """An entry naming a resource (its versions could not be read, its list was) leaves the
    kind checked and only that resource not checked, in any scope kind."""
    for kind, region in (("secrets", None), ("services", R), ("health_checks", R)):
        s = Snapshot("p", None, (kind,), (), (NotChecked(kind, region, "DENIED", "a"),))
        assert s.checked(kind, region)
        assert not s.checked_resource(kind, "a", region)
        assert s.checked_resource(kind, "b", region)
        assert not snap(kind, region).checked_resource(kind, "b", region)  # kind-wide still
        # It survives a snapshot file, and reports say which resource it was.
        again = Snapshot.from_json(json.loads(json.dumps(s.to_json())))
        assert again.not_checked == s.not_checked
        assert s.to_json()["not_checked"][0]["resource"] == "a"
        assert "resource" not in snap(kind, region).to_json()["not_checked"][0]


def test_a_kind_not_read_or_unknown_is_not_checked():
    assert not snap("services").checked("secrets", None)
    unknown = Snapshot("p", None, ("queues",), (), (NotChecked("queues", None, "no collector"),))
    assert not unknown.checked("queues", R) and not unknown.checked("queues", None)


def two_region_world() -> dict[str, Any]:
    """Health checks in three scopes, each drifted (timeout 9; declared 5)."""
    world = compute_world()
    hcs = world["projects"][wk.PROJECT]["healthChecks"]
    hcs.append(wk.health_check("hc-eu", region=EU, timeoutSec=9))
    for hc in hcs:
        if hc["name"] in ("hc-web", "hc-int"):
            hc["timeoutSec"] = 9
    return world


TWO_REGIONS = f"project: {wk.PROJECT}\nregions: [{R}, {EU}]\n"
HC_BASELINE = {
    "lb.yaml": f"""
        health_checks:
          hc-web: {{type: HTTP, timeout_sec: 5}}
          hc-int: {{region: {R}, type: HTTPS, timeout_sec: 5}}
          hc-eu: {{region: {EU}, type: HTTP, timeout_sec: 5}}
    """
}
DRIFT = {
    None: "health_checks/hc-web/timeout_sec",
    R: "health_checks/hc-int/timeout_sec",
    EU: "health_checks/hc-eu/timeout_sec",
}
LIST = {
    None: "/global/healthChecks$",
    R: f"/regions/{R}/healthChecks$",
    EU: f"/regions/{EU}/healthChecks$",
}


@pytest.mark.parametrize("failing", [None, R, EU])
def test_403_on_one_scope_withholds_that_scope_only(tmp_path, failing):
    faults = [{"path": LIST[failing], "status": 403, "times": None}]
    result, report, _ = diff(
        tmp_path,
        two_region_world(),
        HC_BASELINE,
        TWO_REGIONS,
        ["--kinds", "health_checks"],
        faults=faults,
    )
    assert result.exit_code == 1
    assert [(n["kind"], n["region"]) for n in report["not_checked"]] == [("health_checks", failing)]
    changed = {p for p, t in by_path(report) if t == "changed"}
    assert changed == {path for scope, path in DRIFT.items() if scope != failing}


def test_without_faults_every_scope_drifts(tmp_path):
    result, report, _ = diff(
        tmp_path, two_region_world(), HC_BASELINE, TWO_REGIONS, ["--kinds", "health_checks"]
    )
    assert result.exit_code == 2 and report["not_checked"] == []
    assert {p for p, t in by_path(report) if t == "changed"} == set(DRIFT.values())


@pytest.mark.parametrize("failing", [None, R])
def test_scan_keeps_the_resources_of_the_scopes_that_were_read(failing):
    """The snapshot itself (also what `drift snapshot` saves) drops only the failed scope."""
    faults = [{"path": LIST[failing], "status": 403, "times": None}]
    with Emulator(two_region_world(), faults=faults) as emu:
        s = collect(wk.PROJECT, [R, EU], ["health_checks"], CollectSettings(endpoint=emu.base_url))
    assert {r.region for r in s.resources} == {None, R, EU} - {failing}
    assert [(n.kind, n.region) for n in s.not_checked] == [("health_checks", failing)]


def test_reference_check_in_a_read_scope_still_runs(tmp_path):
    """A global backend service naming a missing global health check is reported although
    the regional health checks could not be read; the regional one's check is withheld."""
    world = compute_world()
    for bs in world["projects"][wk.PROJECT]["backendServices"]:
        if bs["name"] in ("bs-api", "bs-int"):
            region = R if bs["name"] == "bs-int" else None
            bs["healthChecks"] = [wk.compute_link("healthChecks", "hc-gone", region)]
    faults = [{"path": LIST[R], "status": 403, "times": None}]
    _, report, _ = diff(tmp_path, world, BASELINE, faults=faults)
    broken = {p for p, t in by_path(report) if t == "broken_reference"}
    assert "backend_services/bs-api/health_checks" in broken
    assert not [f for f in report["findings"] if f["region"] == R and f["kind"] == "health_checks"]
    assert not [p for p in broken if p.startswith("backend_services/bs-int")]


def test_case25_regional_403_keeps_the_global_health_check_finding():
    case = CASES / "25-regional-compute-403-hides-global-drift"
    fault = json.loads((case / "fault.json").read_text())
    result, report, _, _ = demo_diff([fault], "health_checks", deadline=4)
    assert result.exit_code == 1
    assert [(n["kind"], n["region"]) for n in report["not_checked"]] == [("health_checks", R)]
    paths = {(f["path"], f["type"]) for f in report["findings"]}
    assert ("health_checks/netra-staging-health-check/timeout_sec", "changed") in paths
