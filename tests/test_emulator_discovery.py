"""The emulator's responses (and bundled world files) must match Google's discovery docs.

Discovery schemas are converted to JSON Schema with ``additionalProperties: false``,
so a misspelt field (which the client libraries would silently drop) fails here.
"""

from __future__ import annotations

import copy
import json
import urllib.error
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from drift.emulator import Emulator
from drift.emulator.discovery import schema_names, validate, validate_world
from drift.emulator.world import COLLECTIONS, WORLDS_DIR, load_world
from tests import worldkit as wk

try:  # tests/ is on sys.path under pytest's default import mode
    from test_emulator import NUMBER, PROJECT, REGION, make_service, make_world
except ImportError:  # pragma: no cover - tests/ turned into a package
    from tests.test_emulator import NUMBER, PROJECT, REGION, make_service, make_world

RUN_PARENT = f"projects/{PROJECT}/locations/{REGION}"
SM_PARENT = f"projects/{NUMBER}"


def get(emu: Emulator, path: str) -> tuple[int, dict[str, Any]]:
    try:
        with urllib.request.urlopen(emu.base_url + path, timeout=10) as resp:
            return resp.status, json.loads(resp.read())
    except urllib.error.HTTPError as e:
        return e.code, json.loads(e.read())


@pytest.fixture(scope="module")
def emu() -> Iterator[Emulator]:
    with Emulator(make_world(), page_size=2) as e:
        yield e


def list_all(emu: Emulator, path: str) -> list[dict[str, Any]]:
    """Every page of a list call (each page body returned)."""
    pages, token = [], ""
    while True:
        status, body = get(emu, path + (f"?pageToken={token}" if token else ""))
        assert status == 200, body
        pages.append(body)
        token = body.get("nextPageToken", "")
        if not token:
            return pages


# -- every collection the emulator serves, from the scenario worlds ------------------------------

SCENARIO_WORLDS = sorted((Path(__file__).parent / "worlds").glob("kind-*/world.json"))


def _lists(coll: Any) -> list[tuple[Path, str]]:
    """(scenario world, list path) for every list of `coll` a scenario world fills."""
    found: list[tuple[Path, str]] = []
    for path in SCENARIO_WORLDS:
        for pid, proj in load_world(path)["projects"].items():
            for obj in proj.get(coll.key) or []:
                where = coll.prefix + coll.path_of(obj, pid).rsplit("/", 1)[0]
                if (path, where) not in found:
                    found.append((path, where))
    return found


def test_every_collection_is_in_a_scenario_world() -> None:
    """So the conformance check below sees every collection the emulator serves."""
    assert [c.key for c in COLLECTIONS if not _lists(c)] == []


@pytest.mark.parametrize("coll", COLLECTIONS, ids=lambda c: c.key)
def test_list_and_get_responses_conform(coll: Any) -> None:
    """Every list page and every object of every collection validates against its
    discovery schemas (loops over the emulator's COLLECTIONS, not a hand list)."""
    items = 0
    for world_path, list_path in _lists(coll):
        with Emulator(load_world(world_path), page_size=1) as emu:
            for page in list_all(emu, list_path):
                assert validate(coll.discovery, coll.list_schema, page) == []
                if coll.list_kind:
                    assert page["kind"] == coll.list_kind
                    assert page["selfLink"].endswith(list_path.split("/compute/v1/")[1])
                for obj in page.get(coll.list_field, []):
                    items += 1
                    tail = obj["name"] if coll.compute else obj["name"].rsplit("/", 1)[1]
                    status, body = get(emu, f"{list_path}/{tail}")
                    assert status == 200 and body == obj
                    assert validate(coll.discovery, coll.schema, body) == []
    assert items > 0


def test_empty_list_conforms(emu: Emulator) -> None:
    status, body = get(emu, f"/v2/projects/{PROJECT}/locations/asia-east1/services")
    assert (status, body) == (200, {})
    assert validate("run.v2", "GoogleCloudRunV2ListServicesResponse", body) == []


@pytest.mark.parametrize(
    "path,api",
    [
        (f"/v2/{RUN_PARENT}/services/nope", "run.v2"),
        (f"/v1/{SM_PARENT}/secrets/nope", "secretmanager.v1"),
        (f"/v1/{RUN_PARENT}/connectors?pageToken=bad", "vpcaccess.v1"),
        (f"/v2/projects/unknown/locations/{REGION}/services", "run.v2"),
        (f"/compute/v1/projects/{PROJECT}/global/urlMaps/nope", "compute.v1"),
        (f"/compute/v1/projects/{PROJECT}/regions/{REGION}/healthChecks/nope", "compute.v1"),
        (f"/compute/v1/projects/{PROJECT}/global/backendServices?maxResults=501", "compute.v1"),
        (f"/compute/v1/projects/{PROJECT}/global/sslCertificates?pageToken=x", "compute.v1"),
        ("/compute/v1/projects/unknown/global/targetHttpsProxies", "compute.v1"),
    ],
)
def test_error_bodies_conform(emu: Emulator, path: str, api: str) -> None:
    status, body = get(emu, path)
    assert status >= 400
    assert validate(api, "ErrorResponse", body) == []
    assert body["error"]["code"] == status
    assert body["error"]["details"][0]["@type"] == "type.googleapis.com/google.rpc.ErrorInfo"
    if api == "compute.v1":
        legacy = {404: "notFound", 400: "invalid", 403: "forbidden"}[status]
        assert body["error"]["errors"][0]["reason"] == legacy


def test_wrong_field_name_is_reported() -> None:
    svc = make_service("bad")
    assert validate("run.v2", "GoogleCloudRunV2Service", svc) == []
    svc["template"]["scaling"]["minInstances"] = 1  # real name: minInstanceCount
    errors = validate("run.v2", "GoogleCloudRunV2Service", svc)
    assert len(errors) == 1
    assert "$.template.scaling" in errors[0] and "minInstances" in errors[0]


@pytest.mark.parametrize(
    "mutate,needle",
    [
        (lambda s: s.update(ingress="INGRESS_ALL"), "ingress"),  # unknown enum
        (lambda s: s.update(generation=7), "generation"),  # int64 must be a JSON string
        (lambda s: s["template"].update(timeout="5m"), "timeout"),  # duration format
        (lambda s: s.update(createTime="yesterday"), "createTime"),  # timestamp format
        (lambda s: s["template"]["containers"][0]["resources"]["limits"].update(cpu=1), "cpu"),
    ],
)
def test_type_errors_are_reported(mutate: Any, needle: str) -> None:
    svc = copy.deepcopy(make_service("bad"))
    mutate(svc)
    errors = validate("run.v2", "GoogleCloudRunV2Service", svc)
    assert errors and any(needle in e for e in errors), errors


def test_inline_world_is_valid() -> None:
    assert validate_world(make_world()) == []
    broken = make_world()
    broken["projects"][PROJECT]["connectors"][0]["minInstanceCount"] = 2
    assert any("minInstanceCount" in e for e in validate_world(broken))


def test_unknown_schema_and_api() -> None:
    assert "Secret" in schema_names("secretmanager.v1")
    with pytest.raises(ValueError):
        validate("run.v2", "NoSuchSchema", {})
    with pytest.raises(ValueError):
        validate("nope.v9", "Secret", {})


BUNDLED = sorted(WORLDS_DIR.glob("*.json"))


@pytest.mark.parametrize("path", BUNDLED, ids=[p.stem for p in BUNDLED])
def test_bundled_worlds_conform(path: Path) -> None:
    world = load_world(path)
    assert validate_world(world) == []
    with Emulator(world) as e:  # and every object is served back, still conforming
        for pid, proj in world["projects"].items():
            for coll in COLLECTIONS:
                for obj in proj.get(coll.key, []):
                    status, body = get(e, coll.prefix + coll.path_of(obj, pid))
                    assert status == 200, body
                    assert validate(coll.discovery, coll.schema, body) == []


# -- Compute: global and regional collections, list envelope {kind, id, items, selfLink} ---


def compute_world() -> dict[str, Any]:
    r = wk.REGION
    world = wk.world(services=[])
    world["projects"][wk.PROJECT].update(
        healthChecks=[
            wk.health_check("hc-a"),
            wk.health_check("hc-b", type_="TCP", port=5432),
            wk.health_check("hc-c", type_="GRPC", port=50051),
            wk.health_check("hc-r", region=r, type_="HTTPS"),
        ],
        backendServices=[
            wk.backend_service(
                "bs-a",
                health_checks=("hc-a",),
                groups=("neg-a",),
                connectionDraining={"drainingTimeoutSec": 300},
                timeoutSec=60,
            ),
            wk.backend_service("bs-b", health_checks=("hc-a",)),
            wk.backend_service("bs-r", region=r, scheme="INTERNAL_MANAGED"),
        ],
        urlMaps=[
            wk.url_map("map-a", "bs-a", {"a.io": "bs-a", "b.io": "bs-b"}),
            wk.url_map("map-r", "bs-r", {"r.internal": "bs-r"}, region=r),
        ],
        sslCertificates=[
            wk.ssl_certificate("cert-a", ["a.io", "b.io"]),
            wk.ssl_certificate("cert-b", ["old.io"], managed=False),
            wk.ssl_certificate("cert-p", ["p.io"], status="PROVISIONING"),
            wk.ssl_certificate("cert-r", ["r.internal"], managed=False, region=r),
        ],
        targetHttpsProxies=[
            wk.target_https_proxy("px-a", "map-a", ["cert-a", "cert-b"]),
            wk.target_https_proxy("px-r", "map-r", ["cert-r"], region=r),
        ],
    )
    return world


@pytest.fixture(scope="module")
def compute_emu() -> Iterator[Emulator]:
    with Emulator(compute_world(), page_size=2) as e:
        yield e


def test_compute_world_is_valid() -> None:
    world = compute_world()
    assert validate_world(world) == []
    proj = next(iter(world["projects"].values()))
    proj["healthChecks"][0]["httpHealthCheck"]["request_path"] = "/"  # real: requestPath
    proj["backendServices"][0]["timeoutSec"] = "30"  # int32: a JSON number
    problems = validate_world(world)
    assert any("request_path" in p for p in problems)
    assert any("timeoutSec" in p for p in problems)


def test_compute_empty_list_keeps_its_envelope(compute_emu: Emulator) -> None:
    path = f"/compute/v1/projects/{wk.NUMBER}/regions/asia-east1/urlMaps"
    status, body = get(compute_emu, path)
    assert status == 200 and "items" not in body and "nextPageToken" not in body
    assert body["kind"] == "compute#urlMapList"
    assert validate("compute.v1", "UrlMapList", body) == []


def test_compute_max_results_is_honoured_up_to_the_page_size(compute_emu: Emulator) -> None:
    path = f"/compute/v1/projects/{wk.PROJECT}/global/healthChecks"
    assert len(get(compute_emu, path + "?maxResults=1")[1]["items"]) == 1
    assert len(get(compute_emu, path + "?maxResults=500")[1]["items"]) == 2  # emulator cap
    assert len(get(compute_emu, path + "?maxResults=0")[1]["items"]) == 2
    assert get(compute_emu, path + "?maxResults=-1")[0] == 400


def test_domain_mappings_and_secret_access_conform() -> None:
    """Routes outside COLLECTIONS: Run v1 domain mappings (both list forms) and :access."""
    world = make_world()
    labels = {"cloud.googleapis.com/location": REGION}
    world["projects"][PROJECT]["domainMappings"] = [
        {
            "apiVersion": "domains.cloudrun.com/v1",
            "kind": "DomainMapping",
            "metadata": {"name": f"d{i}.example.com", "namespace": PROJECT, "labels": labels},
            "spec": {"routeName": "svc", "certificateMode": "AUTOMATIC"},
            "status": {"conditions": [{"type": "Ready", "status": "True"}]},
        }
        for i in range(3)
    ]
    versions = world["projects"][PROJECT]["secretVersions"]
    version = next(v["name"] for v in versions if v["state"] == "ENABLED")
    world["projects"][PROJECT]["secretPayloads"] = {version: "c2VjcmV0"}
    assert validate_world(world) == []
    with Emulator(world, page_size=2) as e:
        for base in (
            f"/v1/{RUN_PARENT}/domainmappings",
            f"/apis/domains.cloudrun.com/v1/namespaces/{PROJECT}/domainmappings",
        ):
            status, page = get(e, base)
            assert status == 200 and "continue" in page["metadata"]
            assert validate("run.v1", "ListDomainMappingsResponse", page) == []
            status, page = get(e, f"{base}?continue={page['metadata']['continue']}")
            assert status == 200 and len(page["items"]) == 1 and "continue" not in page["metadata"]
            status, body = get(e, f"{base}/d0.example.com")
            assert status == 200 and validate("run.v1", "DomainMapping", body) == []
        status, body = get(e, f"/v1/{version}:access")
        assert status == 200
        assert validate("secretmanager.v1", "AccessSecretVersionResponse", body) == []
