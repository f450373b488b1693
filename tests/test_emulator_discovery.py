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


# (list path, api, list schema, item field, item schema)
LISTS = [
    (
        f"/v2/{RUN_PARENT}/services",
        "run.v2",
        "GoogleCloudRunV2ListServicesResponse",
        "services",
        "GoogleCloudRunV2Service",
    ),
    (f"/v1/{SM_PARENT}/secrets", "secretmanager.v1", "ListSecretsResponse", "secrets", "Secret"),
    (
        f"/v1/projects/{PROJECT}/secrets/db-password/versions",
        "secretmanager.v1",
        "ListSecretVersionsResponse",
        "versions",
        "SecretVersion",
    ),
    (
        f"/v1/{RUN_PARENT}/connectors",
        "vpcaccess.v1",
        "ListConnectorsResponse",
        "connectors",
        "Connector",
    ),
]


@pytest.mark.parametrize("path,api,list_schema,field,item_schema", LISTS)
def test_list_and_get_responses_conform(
    emu: Emulator, path: str, api: str, list_schema: str, field: str, item_schema: str
) -> None:
    items = 0
    for page in list_all(emu, path):
        assert validate(api, list_schema, page) == []
        for obj in page.get(field, []):
            items += 1
            status, body = get(emu, "/" + path.split("/", 2)[1] + "/" + obj["name"])
            assert status == 200
            assert validate(api, item_schema, body) == []
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
        (f"/compute/v1/projects/{PROJECT}/global/urlMaps", "compute.v1"),
    ],
)
def test_error_bodies_conform(emu: Emulator, path: str, api: str) -> None:
    status, body = get(emu, path)
    assert status >= 400
    assert validate(api, "ErrorResponse", body) == []
    assert body["error"]["code"] == status
    assert body["error"]["details"][0]["@type"] == "type.googleapis.com/google.rpc.ErrorInfo"
    if api == "compute.v1":
        assert body["error"]["errors"][0]["reason"] == "notFound"


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
        for proj in world["projects"].values():
            for coll in COLLECTIONS:
                for obj in proj.get(coll.key, []):
                    status, body = get(e, coll.prefix + obj["name"])
                    assert status == 200, body
                    assert validate(coll.discovery, coll.schema, body) == []
