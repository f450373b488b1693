"""End-to-end tests of the built-in emulator with the REAL Google client libraries.

No client class is mocked: the clients speak REST over loopback to the emulator.
"""

from __future__ import annotations

import datetime as dt
import json
import threading
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from typing import Any

import pytest
from google.api_core import exceptions as gexc
from google.api_core.client_options import ClientOptions
from google.auth.credentials import AnonymousCredentials
from google.cloud import run_v2, secretmanager, vpcaccess_v1

from drift.emulator import Emulator, WorldNotFoundError, bundled_world_path, load_world

PROJECT = "netra-staging"
NUMBER = "701982941522"
REGION = "us-central1"
RUN_PARENT = f"projects/{PROJECT}/locations/{REGION}"
SM_PARENT = f"projects/{NUMBER}"


def make_service(name: str, region: str = REGION) -> dict[str, Any]:
    """A realistic Cloud Run v2 Service as the API returns it (camelCase JSON)."""
    return {
        "name": f"projects/{PROJECT}/locations/{region}/services/{name}",
        "uid": f"0b6c8f1e-{name}",
        "generation": "7",
        "labels": {"team": "platform"},
        "createTime": "2025-01-10T12:00:00.123456Z",
        "updateTime": "2025-03-01T08:30:00Z",
        "creator": "deploy@netra-staging.iam.gserviceaccount.com",
        "ingress": "INGRESS_TRAFFIC_ALL",
        "launchStage": "GA",
        "scaling": {"minInstanceCount": 0},
        "template": {
            "revision": f"{name}-00007-abc",
            "scaling": {"minInstanceCount": 1, "maxInstanceCount": 10},
            "vpcAccess": {
                "connector": f"projects/{PROJECT}/locations/{region}/connectors/staging-conn",
                "egress": "PRIVATE_RANGES_ONLY",
            },
            "timeout": "300s",
            "serviceAccount": f"{name}@netra-staging.iam.gserviceaccount.com",
            "executionEnvironment": "EXECUTION_ENVIRONMENT_GEN2",
            "maxInstanceRequestConcurrency": 80,
            "containers": [
                {
                    "name": "app",
                    "image": f"us-docker.pkg.dev/netra-staging/apps/{name}:1.4.2",
                    "ports": [{"name": "http1", "containerPort": 8080}],
                    "env": [
                        {"name": "LOG_LEVEL", "value": "info"},
                        {
                            "name": "DB_PASSWORD",
                            "valueSource": {
                                "secretKeyRef": {"secret": "db-password", "version": "latest"}
                            },
                        },
                    ],
                    "resources": {
                        "limits": {"cpu": "1000m", "memory": "512Mi"},
                        "cpuIdle": True,
                    },
                }
            ],
        },
        "traffic": [{"type": "TRAFFIC_TARGET_ALLOCATION_TYPE_LATEST", "percent": 100}],
        "uri": f"https://{name}-abc123-uc.a.run.app",
        "observedGeneration": "7",
        "terminalCondition": {
            "type": "Ready",
            "state": "CONDITION_SUCCEEDED",
            "lastTransitionTime": "2025-03-01T08:31:00Z",
        },
        "latestReadyRevision": f"projects/{PROJECT}/locations/{region}/revisions/{name}-00007-abc",
        "etag": '"abc"',
    }


def make_secret(sid: str) -> dict[str, Any]:
    return {
        "name": f"projects/{NUMBER}/secrets/{sid}",
        "replication": {"automatic": {}},
        "createTime": "2024-11-02T10:00:00.5Z",
        "labels": {"env": "staging"},
        "etag": '"16234"',
    }


def make_version(sid: str, n: int, state: str = "ENABLED", created: str = "") -> dict[str, Any]:
    return {
        "name": f"projects/{NUMBER}/secrets/{sid}/versions/{n}",
        "createTime": created or f"2024-11-0{n}T10:00:00Z",
        "state": state,
        "etag": f'"{n}"',
    }


def make_connector(name: str) -> dict[str, Any]:
    return {
        "name": f"projects/{PROJECT}/locations/{REGION}/connectors/{name}",
        "network": "default",
        "ipCidrRange": "10.8.0.0/28",
        "state": "READY",
        "minThroughput": 200,
        "maxThroughput": 1000,
        "minInstances": 2,
        "maxInstances": 10,
        "machineType": "e2-micro",
    }


def make_world() -> dict[str, Any]:
    secret = make_secret("db-password")
    secret["versionAliases"] = {"current": "2"}
    return {
        "emulator": {"pageSize": 50},
        "projects": {
            PROJECT: {
                "projectNumber": NUMBER,
                "services": [make_service(f"svc-{c}") for c in "edcba"]
                + [make_service("svc-eu", "europe-west1")],
                "secrets": [secret, make_secret("api-key")],
                "secretVersions": [
                    make_version("db-password", 1, "DISABLED"),
                    make_version("db-password", 2),
                    make_version("db-password", 3, "DESTROYED"),
                    make_version("api-key", 1),
                ],
                "connectors": [make_connector("staging-conn")],
            }
        },
    }


def _opts(emu: Emulator) -> dict[str, Any]:
    return {
        "credentials": AnonymousCredentials(),
        "transport": "rest",
        "client_options": ClientOptions(api_endpoint=emu.base_url),
    }


def run_client(emu: Emulator) -> run_v2.ServicesClient:
    return run_v2.ServicesClient(**_opts(emu))


def sm_client(emu: Emulator) -> secretmanager.SecretManagerServiceClient:
    return secretmanager.SecretManagerServiceClient(**_opts(emu))


def vpc_client(emu: Emulator) -> vpcaccess_v1.VpcAccessServiceClient:
    return vpcaccess_v1.VpcAccessServiceClient(**_opts(emu))


def raw(emu: Emulator, path: str, method: str = "GET") -> tuple[int, dict[str, Any]]:
    """Plain HTTP request; returns (status, json body)."""
    req = urllib.request.Request(emu.base_url + path, method=method)
    try:
        with urllib.request.urlopen(req, timeout=10) as resp:
            return resp.status, json.loads(resp.read() or b"{}")
    except urllib.error.HTTPError as e:
        return e.code, json.loads(e.read() or b"{}")


@pytest.fixture(scope="module")
def emu() -> Iterator[Emulator]:
    with Emulator(make_world(), page_size=2) as e:
        yield e


# -- Cloud Run -----------------------------------------------------------------


def test_list_services_pages(emu: Emulator) -> None:
    pager = run_client(emu).list_services(parent=RUN_PARENT)
    pages = list(pager.pages)
    names = [s.name.rsplit("/", 1)[-1] for p in pages for s in p.services]
    assert names == ["svc-a", "svc-b", "svc-c", "svc-d", "svc-e"]  # sorted, region-scoped
    assert [len(p.services) for p in pages] == [2, 2, 1]
    assert pages[-1].next_page_token == ""


def test_page_size_capped_and_honoured(emu: Emulator) -> None:
    status, body = raw(emu, f"/v2/{RUN_PARENT}/services?pageSize=100")
    assert status == 200 and len(body["services"]) == 2  # capped at page_size=2
    query = "pageSize=1&%24alt=json%3Benum-encoding%3Dint"  # extra params are ignored
    status, body = raw(emu, f"/v2/{RUN_PARENT}/services?{query}")
    assert status == 200 and len(body["services"]) == 1 and body["nextPageToken"]


def test_get_service_parses_with_real_client(emu: Emulator) -> None:
    svc = run_client(emu).get_service(name=f"{RUN_PARENT}/services/svc-a")
    assert svc.ingress == run_v2.IngressTraffic.INGRESS_TRAFFIC_ALL
    assert svc.template.timeout == dt.timedelta(seconds=300)
    c = svc.template.containers[0]
    assert c.resources.limits == {"cpu": "1000m", "memory": "512Mi"}
    assert c.ports[0].container_port == 8080
    assert c.env[1].value_source.secret_key_ref.secret == "db-password"
    assert svc.template.scaling.max_instance_count == 10
    assert svc.template.vpc_access.connector.endswith("/connectors/staging-conn")


def test_service_by_project_number(emu: Emulator) -> None:
    svc = run_client(emu).get_service(name=f"projects/{NUMBER}/locations/{REGION}/services/svc-b")
    assert svc.name == f"{RUN_PARENT}/services/svc-b"  # stored name served verbatim


def test_empty_region_is_empty_object(emu: Emulator) -> None:
    assert raw(emu, f"/v2/projects/{PROJECT}/locations/asia-east1/services") == (200, {})
    empty = run_client(emu).list_services(parent=f"projects/{PROJECT}/locations/asia-east1")
    assert list(empty) == []


def test_not_found(emu: Emulator) -> None:
    with pytest.raises(gexc.NotFound) as ei:
        run_client(emu).get_service(name=f"{RUN_PARENT}/services/nope")
    assert "does not exist" in ei.value.message
    status, body = raw(emu, "/v3/whatever")
    assert status == 404 and body["error"]["status"] == "NOT_FOUND"
    assert body["error"]["details"][0]["@type"] == "type.googleapis.com/google.rpc.ErrorInfo"


def test_unknown_project_is_permission_denied(emu: Emulator) -> None:
    with pytest.raises(gexc.Forbidden) as ei:
        list(run_client(emu).list_services(parent="projects/other/locations/us-central1"))
    assert ei.value.reason == "IAM_PERMISSION_DENIED"


def test_bad_page_token(emu: Emulator) -> None:
    with pytest.raises(gexc.BadRequest):
        list(run_client(emu).list_services(request={"parent": RUN_PARENT, "page_token": "zzz"}))
    status, body = raw(emu, f"/v2/{RUN_PARENT}/services?pageSize=abc")
    assert status == 400 and body["error"]["status"] == "INVALID_ARGUMENT"


# -- Secret Manager --------------------------------------------------------------


@pytest.mark.parametrize("parent", [f"projects/{PROJECT}", f"projects/{NUMBER}"])
def test_list_secrets_by_id_and_number(emu: Emulator, parent: str) -> None:
    pager = sm_client(emu).list_secrets(parent=parent)
    secrets = list(pager)
    assert [s.name for s in secrets] == [
        f"projects/{NUMBER}/secrets/api-key",
        f"projects/{NUMBER}/secrets/db-password",
    ]
    assert pager.total_size == 2
    assert secrets[0].replication._pb.WhichOneof("replication") == "automatic"


def test_secret_versions(emu: Emulator) -> None:
    client = sm_client(emu)
    versions = list(client.list_secret_versions(parent=f"projects/{PROJECT}/secrets/db-password"))
    assert [v.name.rsplit("/", 1)[-1] for v in versions] == ["1", "2", "3"]
    assert [v.state.name for v in versions] == ["DISABLED", "ENABLED", "DESTROYED"]
    # "latest" = most recently created version (Google's documented meaning)
    latest = client.get_secret_version(name=f"{SM_PARENT}/secrets/db-password/versions/latest")
    assert latest.name.endswith("/versions/3")
    alias = client.get_secret_version(name=f"{SM_PARENT}/secrets/db-password/versions/current")
    assert alias.name.endswith("/versions/2")
    with pytest.raises(gexc.NotFound):
        client.get_secret_version(name=f"{SM_PARENT}/secrets/db-password/versions/9")
    with pytest.raises(gexc.NotFound) as ei:
        list(client.list_secret_versions(parent=f"{SM_PARENT}/secrets/nope"))
    assert "not found" in ei.value.message


def test_get_secret(emu: Emulator) -> None:
    s = sm_client(emu).get_secret(name=f"projects/{PROJECT}/secrets/api-key")
    assert s.labels["env"] == "staging"
    assert s.create_time.year == 2024


# -- VPC Access ----------------------------------------------------------------


def test_connectors(emu: Emulator) -> None:
    client = vpc_client(emu)
    conns = list(client.list_connectors(parent=RUN_PARENT))
    assert len(conns) == 1
    c = client.get_connector(name=conns[0].name)
    assert c.state == vpcaccess_v1.Connector.State.READY
    assert (c.min_instances, c.max_instances) == (2, 10)


# -- faults, quotas, latency ---------------------------------------------------


def test_fault_503_twice_then_success() -> None:
    faults = [{"path": r"/secrets$", "status": 503, "times": 2}]
    with Emulator(make_world(), faults=faults) as e:
        client = sm_client(e)
        for _ in range(2):
            with pytest.raises(gexc.ServiceUnavailable) as ei:
                client.list_secrets(parent=SM_PARENT, retry=None)
            assert ei.value.response.json()["error"]["status"] == "UNAVAILABLE"
        assert len(list(client.list_secrets(parent=SM_PARENT, retry=None))) == 2
        assert e.stats()["status"]["secretmanager"] == {"503": 2, "200": 1}


def test_fault_403_forever_with_reason() -> None:
    faults = [{"path": r"/connectors", "status": 403, "reason": "SERVICE_DISABLED"}]
    with Emulator(make_world(), faults=faults) as e:
        client = vpc_client(e)
        for _ in range(3):
            with pytest.raises(gexc.Forbidden) as ei:
                client.list_connectors(parent=RUN_PARENT)
            assert ei.value.reason == "SERVICE_DISABLED"
        # other APIs are unaffected
        assert run_client(e).get_service(name=f"{RUN_PARENT}/services/svc-a").name


def test_world_emulator_block_supplies_faults() -> None:
    world = make_world()
    world["emulator"]["faults"] = [{"path": "svc-a$", "status": 500, "times": 1}]
    with Emulator(world) as e:
        with pytest.raises(gexc.InternalServerError):
            run_client(e).get_service(name=f"{RUN_PARENT}/services/svc-a", retry=None)
        assert run_client(e).get_service(name=f"{RUN_PARENT}/services/svc-a", retry=None)


def test_quota_secretmanager_429() -> None:
    with Emulator(make_world(), quotas={"secretmanager": 3}) as e:
        client = sm_client(e)
        for _ in range(3):
            client.get_secret(name=f"{SM_PARENT}/secrets/api-key")
        with pytest.raises(gexc.TooManyRequests) as ei:
            client.get_secret(name=f"projects/{PROJECT}/secrets/api-key")  # same project by id
        assert "Quota exceeded for quota metric 'Read requests'" in ei.value.message
        assert "secretmanager.googleapis.com" in ei.value.message
        assert e.stats()["throttled"] == 1
        # a different API has its own bucket
        assert list(vpc_client(e).list_connectors(parent=RUN_PARENT))


def test_quota_run_is_per_region() -> None:
    with Emulator(make_world(), quotas={"run": 2}) as e:
        client = run_client(e)
        for _ in range(2):
            client.get_service(name=f"{RUN_PARENT}/services/svc-a")
        with pytest.raises(gexc.TooManyRequests) as ei:
            client.get_service(name=f"{RUN_PARENT}/services/svc-a", retry=None)
        assert "per region" in ei.value.message
        eu = f"projects/{PROJECT}/locations/europe-west1/services/svc-eu"
        assert client.get_service(name=eu).name == eu


def test_quota_compute_is_403_rate_limit() -> None:
    with Emulator(make_world(), quotas={"compute": 1}) as e:
        path = f"/compute/v1/projects/{PROJECT}/global/healthChecks"
        status, body = raw(e, path)
        assert status == 200 and body["kind"] == "compute#healthCheckList"
        status, body = raw(e, path)
        assert status == 403
        assert body["error"]["errors"][0] == {
            "domain": "usageLimits",
            "reason": "rateLimitExceeded",
            "message": body["error"]["message"],
        }


def test_latency_honoured_and_concurrent() -> None:
    with Emulator(make_world(), latency_ms=300) as e:
        client = sm_client(e)
        t0 = time.monotonic()
        client.get_secret(name=f"{SM_PARENT}/secrets/api-key")
        assert time.monotonic() - t0 >= 0.3
        results: list[int] = []
        threads = [
            threading.Thread(target=lambda: results.append(raw(e, f"/v1/{SM_PARENT}/secrets")[0]))
            for _ in range(4)
        ]
        t0 = time.monotonic()
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        assert results == [200] * 4
        assert time.monotonic() - t0 < 4 * 0.3  # overlapped, not serialised


# -- misc ----------------------------------------------------------------------


@pytest.mark.parametrize("method", ["POST", "DELETE", "PATCH"])
def test_non_get_is_405(emu: Emulator, method: str) -> None:
    status, body = raw(emu, f"/v2/{RUN_PARENT}/services", method=method)
    assert status == 405
    assert body["error"]["code"] == 405 and body["error"]["status"] == "UNIMPLEMENTED"


def test_stats() -> None:
    with Emulator(make_world()) as e:
        run_client(e).get_service(name=f"{RUN_PARENT}/services/svc-a")
        list(sm_client(e).list_secrets(parent=SM_PARENT))
        raw(e, f"/v2/{RUN_PARENT}/services/missing")
        s = e.stats()
        assert s["requests"] == {"run": 2, "secretmanager": 1}
        assert s["status"] == {"run": {"200": 1, "404": 1}, "secretmanager": {"200": 1}}
        assert s["throttled"] == 0
        method, path, _ = s["log"][0]
        assert method == "GET" and path.startswith(f"/v2/{RUN_PARENT}/services/svc-a?")
        assert [entry[2] for entry in s["log"]] == [200, 200, 404]
        status, over_http = raw(e, "/_emulator/stats")
        assert status == 200 and over_http["requests"] == s["requests"]
        e.reset_stats()
        assert e.stats() == {"requests": {}, "status": {}, "throttled": 0, "log": []}


def test_load_world_errors(tmp_path: Any) -> None:
    bad = tmp_path / "bad.json"
    bad.write_text("{not json")
    with pytest.raises(ValueError, match="not valid JSON"):
        load_world(bad)
    world = make_world()
    world["projects"][PROJECT]["services"][0]["name"] = "projects/x/services/y"
    bad.write_text(json.dumps(world))
    with pytest.raises(ValueError, match="does not match"):
        load_world(bad)
    world = make_world()
    world["projects"][PROJECT]["widgets"] = []
    bad.write_text(json.dumps(world))
    with pytest.raises(ValueError, match="unknown keys"):
        load_world(bad)
    good = tmp_path / "good.json"
    good.write_text(json.dumps(make_world()))
    assert load_world(good)["projects"][PROJECT]["projectNumber"] == NUMBER
    with pytest.raises(ValueError, match="faults"):
        Emulator(make_world(), faults=[{"path": "(", "status": 503}])


def test_bundled_world_path_missing() -> None:
    with pytest.raises(WorldNotFoundError, match="bundled worlds"):
        bundled_world_path("no-such-world")
