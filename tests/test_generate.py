"""The world generator: deterministic, realistic in shape, and declared by write_baseline."""

from __future__ import annotations

import json
import re
from collections import Counter
from pathlib import Path
from typing import Any

import pytest
import yaml

from drift.baseline.synthetic import write_baseline
from drift.emulator.generate import generate_world
from drift.emulator.world import World

DISCOVERY = Path(__import__("googleapiclient").__file__).parent / "discovery_cache" / "documents"
REGIONS = ("us-central1", "europe-west1", "asia-east1")
SMALL = {"services": 31, "secrets": 40, "connectors": 5, "regions": REGIONS, "seed": 7}

SERVICE_ID = re.compile(r"^[a-z](?:[-a-z0-9]{0,47}[a-z0-9])?$")
SECRET_ID = re.compile(r"^[A-Za-z0-9_-]{1,255}$")
CONNECTOR_ID = re.compile(r"^[a-z][-a-z0-9]{0,23}[a-z0-9]$")


@pytest.fixture(scope="module")
def world() -> dict[str, Any]:
    return generate_world(**SMALL)


def _project(world: dict[str, Any]) -> dict[str, Any]:
    return world["projects"]["bench"]


def _short(name: str) -> str:
    return name.rsplit("/", 1)[-1]


def test_same_seed_same_world_and_other_seed_differs(world: dict[str, Any]) -> None:
    again = generate_world(**SMALL)
    assert json.dumps(again, sort_keys=True) == json.dumps(world, sort_keys=True)
    other = generate_world(**{**SMALL, "seed": 8})
    assert other != world


def test_counts_and_even_region_spread(world: dict[str, Any]) -> None:
    proj = _project(world)
    assert proj["projectNumber"] == "123456789012"
    assert len(proj["services"]) == 31
    assert len(proj["secrets"]) == 40
    assert len(proj["connectors"]) == 5
    per_region = Counter(s["name"].split("/")[3] for s in proj["services"])
    assert set(per_region) == set(REGIONS)
    assert max(per_region.values()) - min(per_region.values()) <= 1


def test_names_are_valid_and_the_world_loads(world: dict[str, Any]) -> None:
    World(world)  # the emulator's own structural check
    proj = _project(world)
    names = [s["name"] for s in proj["services"]]
    assert len(set(names)) == len(names)
    for n in names:
        assert re.fullmatch(r"projects/bench/locations/[a-z0-9-]+/services/[^/]+", n)
        assert SERVICE_ID.match(_short(n)), n
    for s in proj["secrets"]:
        assert re.fullmatch(r"projects/123456789012/secrets/[^/]+", s["name"])
        assert SECRET_ID.match(_short(s["name"])), s["name"]
    for c in proj["connectors"]:
        assert re.fullmatch(r"projects/bench/locations/[a-z0-9-]+/connectors/[^/]+", c["name"])
        assert CONNECTOR_ID.match(_short(c["name"])), c["name"]


def test_versions_one_to_three_latest_enabled(world: dict[str, Any]) -> None:
    by_secret: dict[str, list[dict[str, Any]]] = {}
    for v in _project(world)["secretVersions"]:
        by_secret.setdefault(v["name"].split("/versions/")[0], []).append(v)
    assert set(by_secret) == {s["name"] for s in _project(world)["secrets"]}
    for versions in by_secret.values():
        assert 1 <= len(versions) <= 3
        latest = max(versions, key=lambda v: int(_short(v["name"])))
        assert latest["state"] == "ENABLED"


def test_references_resolve_within_the_world(world: dict[str, Any]) -> None:
    proj = _project(world)
    secret_ids = {_short(s["name"]) for s in proj["secrets"]}
    connectors = {c["name"] for c in proj["connectors"]}
    forms = set()
    for svc in proj["services"]:
        region = svc["name"].split("/")[3]
        template = svc["template"]
        assert template["vpcAccess"]["connector"] in connectors
        assert template["vpcAccess"]["connector"].split("/")[3] == region
        refs = [
            e["valueSource"]["secretKeyRef"]
            for c in template["containers"]
            for e in c.get("env", [])
            if "valueSource" in e
        ]
        assert 1 <= len(refs) <= 3
        for ref in refs:
            forms.add("full" if ref["secret"].startswith("projects/") else "short")
            assert _short(ref["secret"]) in secret_ids
    assert forms == {"full", "short"}


def _unknown_fields(doc: dict[str, Any], schema: str, obj: Any, path: str) -> list[str]:
    """Field names (recursively) that the discovery document does not define."""
    props = doc["schemas"][schema].get("properties", {})
    out = []
    for key, value in obj.items():
        prop = props.get(key)
        if prop is None:
            out.append(f"{path}.{key}")
        elif "$ref" in prop:
            out += _unknown_fields(doc, prop["$ref"], value, f"{path}.{key}")
        elif prop.get("type") == "array" and "$ref" in prop.get("items", {}):
            for i, item in enumerate(value):
                out += _unknown_fields(doc, prop["items"]["$ref"], item, f"{path}.{key}[{i}]")
        elif "enum" in prop and value not in prop["enum"]:
            out.append(f"{path}.{key}={value!r}")
    return out


@pytest.mark.parametrize(
    "key, document, schema",
    [
        ("services", "run.v2.json", "GoogleCloudRunV2Service"),
        ("secrets", "secretmanager.v1.json", "Secret"),
        ("secretVersions", "secretmanager.v1.json", "SecretVersion"),
        ("connectors", "vpcaccess.v1.json", "Connector"),
    ],
)
def test_objects_use_only_real_api_fields(
    world: dict[str, Any], key: str, document: str, schema: str
) -> None:
    doc = json.loads((DISCOVERY / document).read_text(encoding="utf-8"))
    bad = []
    for i, obj in enumerate(_project(world)[key]):
        bad += _unknown_fields(doc, schema, obj, f"{key}[{i}]")
    assert bad == []


def _load(folder: Path, name: str) -> dict[str, Any]:
    return yaml.safe_load((folder / name).read_text(encoding="utf-8"))


def test_write_baseline_declares_what_it_is_asked_to(world: dict[str, Any], tmp_path: Path) -> None:
    write_baseline(world, tmp_path, "bench", declared_secrets=12, declared_services=10)
    folder = tmp_path / "bench"
    assert sorted(p.name for p in folder.iterdir()) == [
        "project.yaml",
        "secrets.yaml",
        "services.yaml",
        "vpc_connectors.yaml",
    ]
    project = _load(folder, "project.yaml")
    assert project["project"] == "bench"
    assert project["project_number"] == "123456789012"
    assert project["regions"] == list(REGIONS)
    services = _load(folder, "services.yaml")["services"]
    first = [_short(s["name"]) for s in _project(world)["services"][:10]]
    assert sorted(services) == sorted(first)
    secrets = _load(folder, "secrets.yaml")["secrets"]
    assert list(secrets) == sorted(_short(s["name"]) for s in _project(world)["secrets"][:12])
    assert all(s["enabled_versions"] == {"min": 1} for s in secrets.values())
    assert len(_load(folder, "vpc_connectors.yaml")["vpc_connectors"]) == 5


def test_write_baseline_states_live_values_in_declared_form(
    world: dict[str, Any], tmp_path: Path
) -> None:
    write_baseline(world, tmp_path, "bench")
    services = _load(tmp_path / "bench", "services.yaml")["services"]
    assert len(services) == 31
    live = {_short(s["name"]): s for s in _project(world)["services"]}
    for name, declared in services.items():
        raw = live[name]
        assert declared["region"] == raw["name"].split("/")[3]
        assert isinstance(declared["timeout"], int)  # "600s" -> 600
        assert declared["min_instances"] == raw["template"]["scaling"].get("minInstanceCount", 0)
        assert declared["vpc_connector"] == _short(raw["template"]["vpcAccess"]["connector"])
        serving = next(c for c in raw["template"]["containers"] if c.get("ports"))
        assert declared["image"] == serving["image"]
        assert set(declared["env"]) == {e["name"] for e in serving["env"]}
        for ref in (v for v in declared["env"].values() if isinstance(v, dict)):
            assert "/" not in ref["secret"]  # declared by short id
    # Every byte is reproducible.
    again = tmp_path / "again"
    write_baseline(world, again, "bench")
    for f in (tmp_path / "bench").iterdir():
        assert (again / "bench" / f.name).read_bytes() == f.read_bytes()


def test_services_draw_references_from_the_front_of_the_secret_list() -> None:
    def referenced(world: dict[str, Any]) -> set[str]:
        return {
            _short(e["valueSource"]["secretKeyRef"]["secret"])
            for s in _project(world)["services"]
            for c in s["template"]["containers"]
            for e in c.get("env", [])
            if "valueSource" in e
        }

    world = generate_world(services=60, secrets=100, connectors=3, seed=3)
    front = {_short(s["name"]) for s in _project(world)["secrets"][:10]}
    assert referenced(world) <= front
    wide = generate_world(services=60, secrets=100, connectors=3, seed=3, referenced_secrets=100)
    assert len(referenced(wide)) > 10


def test_a_diff_of_the_world_against_its_baseline_finds_only_unmanaged_secrets(
    tmp_path: Path,
) -> None:
    from drift.collectors import CollectSettings
    from drift.emulator import Emulator
    from drift.pipeline import run_diff

    world = generate_world(services=12, secrets=30, connectors=4, seed=5)
    write_baseline(world, tmp_path, "bench", declared_secrets=6)
    with Emulator(world, page_size=7) as emu:
        report = run_diff(
            "bench", tmp_path, settings=CollectSettings(endpoint=emu.base_url, concurrency=4)
        )
    assert report.not_checked == ()
    assert Counter((f.type, f.kind) for f in report.findings) == {("unmanaged", "secrets"): 24}
