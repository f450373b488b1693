"""Compute kinds end to end: real compute_v1 clients over HTTP to the emulator, via the CLI.

Health checks, backend services, URL maps, SSL certificates (and target HTTPS proxies,
read for checks only), each listed globally and in every region of project.yaml.
"""

from __future__ import annotations

import copy
import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from google.api_core import exceptions as gexc

from drift.collectors.lister import list_raw
from drift.collectors.scan import _context, collect
from drift.collectors.settings import CollectSettings
from drift.emulator import Emulator
from drift.emulator.discovery import validate, validate_world
from drift.emulator.faults import QuotaLimiter
from drift.normalize.resources import to_resource
from drift.registry import KINDS
from tests import worldkit as wk
from tests.test_e2e import by_path, diff, run

R = wk.REGION
HC = KINDS["health_checks"]
IDS = {wk.PROJECT, wk.NUMBER}


def compute_world() -> dict[str, Any]:
    world = wk.world(services=[])
    world["projects"][wk.PROJECT].update(
        healthChecks=[
            wk.health_check("hc-web"),  # interval/timeout/thresholds omitted: defaults
            wk.health_check("hc-db", type_="TCP", port=5432, checkIntervalSec=10),
            wk.health_check("hc-int", region=R, type_="HTTPS", port=None, request_path=None),
            wk.health_check("hc-grpc", type_="GRPC", port=50051, healthyThreshold=3),
        ],
        backendServices=[
            wk.backend_service(
                "bs-web",
                health_checks=("hc-web",),
                groups=("neg-web-b", "neg-web-a"),
                timeoutSec=600,
                connectionDraining={"drainingTimeoutSec": 300},
            ),
            wk.backend_service("bs-api", health_checks=("hc-web",), groups=("neg-api",)),
            wk.backend_service(
                "bs-int",
                region=R,
                health_checks=("hc-int",),
                groups=("neg-int",),
                scheme="INTERNAL_MANAGED",
                protocol="HTTP",
                timeoutSec=120,
            ),
        ],
        urlMaps=[
            wk.url_map("web-map", "bs-web", {"www.acme.io": "bs-web", "api.acme.io": "bs-api"}),
            wk.url_map("int-map", "bs-int", {"int.acme.internal": "bs-int"}, region=R),
        ],
        sslCertificates=[
            wk.ssl_certificate("www-cert", ["www.acme.io", "api.acme.io"]),
            wk.ssl_certificate("legacy-cert", ["old.acme.io"], managed=False),
            wk.ssl_certificate("int-cert", ["int.acme.internal"], managed=False, region=R),
        ],
        targetHttpsProxies=[
            wk.target_https_proxy("web-proxy", "web-map", ["www-cert", "legacy-cert"]),
            wk.target_https_proxy("int-proxy", "int-map", ["int-cert"], region=R),
        ],
    )
    return world


BASELINE = {
    "lb.yaml": f"""
        health_checks:
          hc-web: {{type: HTTP, port: 8080, request_path: /healthz, check_interval_sec: 5,
                    timeout_sec: 5, healthy_threshold: 2, unhealthy_threshold: 2}}
          hc-db: {{type: TCP, port: 5432, check_interval_sec: 10}}
          hc-int: {{region: {R}, type: HTTPS, port: 443, request_path: /}}
          hc-grpc: {{type: GRPC, port: 50051, healthy_threshold: 3, request_path: {{absent: true}}}}
        backend_services:
          bs-web:
            protocol: HTTPS
            timeout_sec: 600
            connection_draining_timeout_sec: 300
            health_checks: [hc-web]
            load_balancing_scheme: EXTERNAL_MANAGED
            backends: [neg-web-a, neg-web-b]
          bs-api: {{timeout_sec: 30, health_checks: [hc-web], backends: [neg-api]}}
          bs-int: {{region: {R}, protocol: HTTP, timeout_sec: 120,
                    load_balancing_scheme: INTERNAL_MANAGED}}
        url_maps:
          web-map:
            default_service: bs-web
            hosts: {{www.acme.io: bs-web, api.acme.io: bs-api}}
          int-map: {{region: {R}, default_service: bs-int,
                     hosts: {{int.acme.internal: bs-int}}}}
        ssl_certificates:
          www-cert: {{type: MANAGED, domains: [api.acme.io, www.acme.io], status: ACTIVE}}
          legacy-cert: {{type: SELF_MANAGED, domains: [old.acme.io]}}
          int-cert: {{region: {R}, type: SELF_MANAGED, domains: [int.acme.internal]}}
    """,
}


def settings(emu: Emulator) -> CollectSettings:
    return CollectSettings(endpoint=emu.base_url, initial_backoff_s=0.05)


# -- the emulator's Compute routes -------------------------------------------------------


def test_compute_world_and_responses_conform_to_discovery():
    world = compute_world()
    assert validate_world(world) == []
    schemas = {
        "healthChecks": "HealthCheck",
        "backendServices": "BackendService",
        "urlMaps": "UrlMap",
        "sslCertificates": "SslCertificate",
        "targetHttpsProxies": "TargetHttpsProxy",
    }
    import urllib.request

    with Emulator(world, page_size=1) as emu:
        for collection, schema in schemas.items():
            for scope in ("global", f"regions/{R}"):
                base = f"{emu.base_url}/compute/v1/projects/{wk.PROJECT}/{scope}/{collection}"
                token, names = "", []
                while True:
                    url = base + (f"?pageToken={token}" if token else "")
                    with urllib.request.urlopen(url) as resp:
                        page = json.loads(resp.read())
                    assert validate("compute.v1", f"{schema}List", page) == []
                    assert page["kind"] == f"compute#{schema[0].lower()}{schema[1:]}List"
                    assert page["selfLink"].endswith(f"/projects/{wk.PROJECT}/{scope}/{collection}")
                    for obj in page.get("items", []):
                        names.append(obj["name"])
                        with urllib.request.urlopen(f"{base}/{obj['name']}") as resp:
                            got = json.loads(resp.read())
                        assert got == obj and validate("compute.v1", schema, got) == []
                    token = page.get("nextPageToken", "")
                    if not token:
                        break
                expected = [
                    o["name"]
                    for o in world["projects"][wk.PROJECT][collection]
                    if ("region" in o) == (scope != "global")
                ]
                assert names == sorted(expected)


def test_compute_object_without_self_link_is_placed_by_its_region():
    world = wk.world(services=[])
    world["projects"][wk.PROJECT]["healthChecks"] = [
        {"name": "g", "type": "TCP", "tcpHealthCheck": {"port": 1}},
        {"name": "r", "type": "TCP", "region": f"{wk.COMPUTE}/regions/{R}"},
    ]
    with Emulator(world) as emu:
        snap = collect(wk.PROJECT, [R], ["health_checks"], settings(emu))
    assert {(r.name, r.region) for r in snap.resources} == {("g", None), ("r", R)}


def test_world_rejects_a_compute_object_in_the_wrong_place():
    world = compute_world()
    hc = world["projects"][wk.PROJECT]["healthChecks"][0]
    hc["region"] = f"{wk.COMPUTE}/regions/{R}"  # but its selfLink is global
    with pytest.raises(ValueError, match="region"):
        Emulator(world)
    world = compute_world()
    world["projects"][wk.PROJECT]["urlMaps"][0]["name"] = "projects/x/global/urlMaps/web-map"
    with pytest.raises(ValueError, match="short"):
        Emulator(world)


# -- collectors: real compute_v1 clients ---------------------------------------------------


def test_collect_lists_global_and_regional_with_paging():
    kinds = [
        "backend_services",
        "health_checks",
        "ssl_certificates",
        "target_https_proxies",
        "url_maps",
    ]
    with Emulator(compute_world(), page_size=1) as emu:
        snap = collect(wk.PROJECT, [R], kinds, settings(emu))
        log = emu.stats()["log"]
    assert snap.not_checked == ()
    keys = {(r.kind, r.name, r.region) for r in snap.resources}
    assert ("health_checks", "hc-web", None) in keys
    assert ("health_checks", "hc-int", R) in keys
    assert ("target_https_proxies", "int-proxy", R) in keys
    assert len(keys) == 4 + 3 + 2 + 3 + 2
    # page size 1: the global health checks took 2 follow-up pages via nextPageToken
    hc_global = [
        e for e in log if e[1].startswith(f"/compute/v1/projects/{wk.PROJECT}/global/healthChecks?")
    ]
    assert len(hc_global) == 3
    assert sum("pageToken=" in e[1] for e in hc_global) == 2
    assert all("maxResults=500" in e[1] for e in hc_global)
    assert all(e[0] == "GET" and e[2] == 200 for e in log)
    proxy = next(r for r in snap.resources if r.name == "web-proxy")
    assert proxy.fields == {
        "url_map": "web-map",
        "ssl_certificates": ["legacy-cert", "www-cert"],
        "certificate_map": None,
    }


def test_compute_messages_come_back_as_camel_case_api_json():
    world = compute_world()
    fr_like = world["projects"][wk.PROJECT]["backendServices"][0]
    fr_like["enableCDN"] = True  # Python name enable_c_d_n; JSON name must survive
    with Emulator(world) as emu:
        items = list_raw(_context(settings(emu)), KINDS["backend_services"], wk.PROJECT, None)
    web = next(i for i in items if i["name"] == "bs-web")
    assert web["enableCDN"] is True
    assert web["connectionDraining"] == {"drainingTimeoutSec": 300}
    assert web["timeoutSec"] == 600 and web["loadBalancingScheme"] == "EXTERNAL_MANAGED"
    assert web["healthChecks"][0].endswith("/global/healthChecks/hc-web")


# -- through the CLI ---------------------------------------------------------------------


def test_declared_compute_baseline_diffs_clean(tmp_path):
    result, report, stats = diff(tmp_path, compute_world(), BASELINE, page_size=1)
    assert report["findings"] == [], report["findings"]
    assert report["not_checked"] == []
    assert result.exit_code == 0
    assert report["summary"]["resources_checked"] == 12
    compute = [e for e in stats["log"] if e[1].startswith("/compute/")]
    assert any("pageToken=" in e[1] for e in compute)
    assert {e[1].split("?")[0].rsplit("/", 1)[-1] for e in compute} == {
        "healthChecks",
        "backendServices",
        "urlMaps",
        "sslCertificates",
        "targetHttpsProxies",
    }


def test_drifted_compute_values_are_changed_findings(tmp_path):
    world = compute_world()
    proj = world["projects"][wk.PROJECT]
    web = proj["backendServices"][0]
    del web["timeoutSec"]  # Google's default, 30, against the declared 600
    web["connectionDraining"] = {"drainingTimeoutSec": 0}
    web["backends"] = web["backends"][:1]  # neg-web-b removed
    proj["healthChecks"][0]["timeoutSec"] = 10
    proj["healthChecks"][2]["httpsHealthCheck"]["requestPath"] = "/ready"
    proj["urlMaps"][0]["pathMatchers"][0]["defaultService"] = wk.compute_link(
        "backendServices", "bs-web"
    )  # api.acme.io now goes to bs-web
    proj["sslCertificates"][0]["managed"]["status"] = "PROVISIONING"
    proj["healthChecks"].append(wk.health_check("hc-rogue", region=R))
    result, report, _ = diff(tmp_path, world, BASELINE)
    found = by_path(report)
    assert result.exit_code == 2
    timeout = found[("backend_services/bs-web/timeout_sec", "changed")]
    assert (timeout["expected"], timeout["actual"], timeout["region"]) == (600, 30, None)
    assert timeout["message"] == "backend service bs-web: timeout_sec is 30 live, declared 600."
    draining = found[("backend_services/bs-web/connection_draining_timeout_sec", "changed")]
    assert (draining["expected"], draining["actual"]) == (300, 0)
    assert found[("backend_services/bs-web/backends", "changed")]["actual"] == [
        "us-central1-a/neg-web-b"
    ]
    hc = found[("health_checks/hc-web/timeout_sec", "changed")]
    assert (hc["expected"], hc["actual"]) == (5, 10)
    regional = found[("health_checks/hc-int/request_path", "changed")]
    assert (regional["actual"], regional["region"]) == ("/ready", R)
    host = found[("url_maps/web-map/hosts/api.acme.io", "changed")]
    assert (host["expected"], host["actual"]) == ("bs-api", "bs-web")
    assert found[("ssl_certificates/www-cert/status", "changed")]["actual"] == "PROVISIONING"
    rogue = found[("health_checks/hc-rogue", "unmanaged")]
    assert rogue["region"] == R and rogue["severity"] == "info"
    drift = {k for k in found if k[1] in ("changed", "missing", "unexpected", "unmanaged")}
    assert len(drift) == 8, sorted(found)


def test_snapshot_keeps_compute_kinds_for_an_offline_diff(tmp_path):
    world = compute_world()
    world["projects"][wk.PROJECT]["healthChecks"][0]["timeoutSec"] = 10
    expected = wk.write_baseline(tmp_path, BASELINE)
    snap = tmp_path / "snap.json"
    with Emulator(world) as emu:
        r = run(
            [
                "snapshot",
                "--project",
                wk.PROJECT,
                "--expected",
                str(expected),
                "--output",
                str(snap),
                "--api-endpoint",
                emu.base_url,
            ]
        )
        assert r.exit_code == 0, r.output
    kinds = {r["kind"] for r in json.loads(snap.read_text())["resources"]}
    assert {
        "health_checks",
        "backend_services",
        "url_maps",
        "ssl_certificates",
        "target_https_proxies",
    } <= kinds
    offline = run(
        [
            "diff",
            "--project",
            wk.PROJECT,
            "--expected",
            str(expected),
            "--format",
            "json",
            "--snapshot",
            str(snap),
        ]
    )
    paths = {(f["path"], f["type"]) for f in json.loads(offline.stdout)["findings"]}
    assert ("health_checks/hc-web/timeout_sec", "changed") in paths
    assert offline.exit_code == 2


def test_403_on_global_backend_services_is_not_checked(tmp_path):
    faults = [{"path": "/global/backendServices", "status": 403, "times": None}]
    world = compute_world()
    world["projects"][wk.PROJECT]["backendServices"][0]["timeoutSec"] = 5  # drift, unseen
    result, report, _ = diff(tmp_path, world, BASELINE, faults=faults)
    assert result.exit_code == 1
    (nc,) = report["not_checked"]
    assert (nc["kind"], nc["region"]) == ("backend_services", None)
    assert nc["error"].startswith("PERMISSION_DENIED")
    assert not [f for f in report["findings"] if f["kind"] == "backend_services"]
    assert report["findings"] == []  # the other kinds still compared clean


def test_compute_rate_limit_403_heals(tmp_path):
    faults = [
        {"path": "/global/healthChecks", "status": 403, "times": 2, "reason": "rateLimitExceeded"}
    ]
    result, report, stats = diff(tmp_path, compute_world(), BASELINE, faults=faults)
    assert result.exit_code == 0, report
    assert report["findings"] == [] and report["not_checked"] == []
    hc = [e for e in stats["log"] if "/global/healthChecks" in e[1]]
    assert [e[2] for e in hc] == [403, 403, 200]


def test_emulator_compute_quota_403_is_retried_until_the_window_slides():
    clock = [0.0]
    retried: list[BaseException] = []

    def on_retry(err: BaseException) -> None:
        retried.append(err)
        clock[0] += 61  # the quota's 60 s window slides past the earlier request

    with Emulator(compute_world()) as emu:
        emu.quotas = QuotaLimiter({"compute": 1}, clock=lambda: clock[0])
        ctx = _context(settings(emu))
        ctx.on_retry = on_retry
        assert [h["name"] for h in list_raw(ctx, HC, wk.PROJECT, None)] == [
            "hc-db",
            "hc-grpc",
            "hc-web",
        ]
        assert [h["name"] for h in list_raw(ctx, HC, wk.PROJECT, R)] == ["hc-int"]
        statuses = [e[2] for e in emu.stats()["log"]]
    assert statuses == [200, 403, 200]
    (err,) = retried
    assert isinstance(err, gexc.Forbidden)
    assert err.errors[0]["reason"] == "rateLimitExceeded"


# -- normalizers on raw JSON ----------------------------------------------------------------


def norm(kind: str, raw: dict[str, Any], region: str | None = None) -> Any:
    return to_resource(kind, raw, IDS, region=region)


def test_health_check_defaults_and_sub_object_by_type():
    r = norm("health_checks", {"name": "hc", "type": "HTTP", "httpHealthCheck": {}})
    assert (r.name, r.region) == ("hc", None)
    assert r.fields == {
        "type": "HTTP",
        "port": 80,
        "request_path": "/",
        "host": None,
        "check_interval_sec": 5,
        "timeout_sec": 5,
        "healthy_threshold": 2,
        "unhealthy_threshold": 2,
    }
    raw = {
        "name": "hc",
        "type": "HTTPS",
        # a stale sub-object of another type is ignored: the one matching `type` counts
        "httpHealthCheck": {"port": 1, "requestPath": "/wrong"},
        "httpsHealthCheck": {"port": 8443, "requestPath": "/ok", "host": "a.io"},
        "checkIntervalSec": 30,
        "timeoutSec": 0,
        "region": "https://www.googleapis.com/compute/v1/projects/p/regions/europe-west1",
    }
    r = norm("health_checks", raw)
    assert r.region == "europe-west1"
    assert (r.fields["port"], r.fields["request_path"], r.fields["host"]) == (8443, "/ok", "a.io")
    assert (r.fields["check_interval_sec"], r.fields["timeout_sec"]) == (30, 0)
    tcp = norm("health_checks", {"name": "t", "type": "TCP", "tcpHealthCheck": {}}, region=R)
    assert (tcp.fields["port"], tcp.fields["request_path"], tcp.region) == (80, None, R)
    serving = {
        "name": "s",
        "type": "HTTP2",
        "http2HealthCheck": {"portSpecification": "USE_SERVING_PORT"},
    }
    assert norm("health_checks", serving).fields["port"] is None
    grpc = norm("health_checks", {"name": "g", "grpcHealthCheck": {"port": 50051}})
    assert (grpc.fields["type"], grpc.fields["port"]) == ("GRPC", 50051)


def test_backend_service_defaults_and_names():
    link = "https://www.googleapis.com/compute/v1/projects/p"
    r = norm(
        "backend_services",
        {
            "name": "bs",
            "protocol": "HTTP",
            "healthChecks": [
                f"{link}/global/healthChecks/hc-b",
                f"{link}/global/healthChecks/hc-a",
            ],
            "backends": [
                {"group": f"{link}/zones/us-central1-a/instanceGroups/ig-1"},
                {"group": f"{link}/regions/us-central1/networkEndpointGroups/neg"},
            ],
            "selfLink": f"{link}/regions/us-central1/backendServices/bs",
        },
    )
    assert r.region == "us-central1"
    assert r.fields == {
        "protocol": "HTTP",
        "timeout_sec": 30,  # documented default
        "connection_draining_timeout_sec": None,  # no documented default
        "health_checks": ["hc-a", "hc-b"],
        "load_balancing_scheme": None,
        # scoped: groups of one name in several zones stay distinct
        "backends": ["us-central1-a/ig-1", "us-central1/neg"],
        "_health_check_refs": [
            {"name": "hc-a", "region": None, "collection": "healthChecks"},
            {"name": "hc-b", "region": None, "collection": "healthChecks"},
        ],
    }
    drained = norm(
        "backend_services",
        {"name": "d", "connectionDraining": {"drainingTimeoutSec": 0}, "timeoutSec": 600},
    )
    assert drained.fields["connection_draining_timeout_sec"] == 0
    assert drained.fields["timeout_sec"] == 600


def test_url_map_hosts_and_every_reference():
    svc = "https://www.googleapis.com/compute/v1/projects/p/global/backendServices/"
    bucket = "https://www.googleapis.com/compute/v1/projects/p/global/backendBuckets/"
    raw = {
        "name": "m",
        "defaultService": svc + "default",
        "hostRules": [
            {"hosts": ["a.io", "www.a.io"], "pathMatcher": "pm-a"},
            {"hosts": ["static.a.io"], "pathMatcher": "pm-static"},
            {"hosts": ["route.a.io"], "pathMatcher": "pm-route"},
        ],
        "pathMatchers": [
            {
                "name": "pm-a",
                "defaultService": svc + "web",
                "pathRules": [{"paths": ["/api/*"], "service": svc + "api"}],
            },
            {"name": "pm-static", "defaultService": bucket + "assets"},
            {
                "name": "pm-route",
                "defaultRouteAction": {
                    "weightedBackendServices": [
                        {"backendService": svc + "canary", "weight": 10},
                        {"backendService": svc + "web", "weight": 90},
                    ]
                },
                "routeRules": [
                    {
                        "priority": 1,
                        "service": svc + "rr",
                        "routeAction": {"requestMirrorPolicy": {"backendService": svc + "mirror"}},
                    }
                ],
            },
        ],
        "defaultRouteAction": {"weightedBackendServices": [{"backendService": svc + "top"}]},
    }
    r = norm("url_maps", raw)
    assert r.fields["default_service"] == "default"
    assert r.fields["hosts"] == {
        "a.io": "web",
        "www.a.io": "web",
        "static.a.io": "assets",
        "route.a.io": None,  # no defaultService: weighted traffic only
    }
    assert r.fields["_backend_services"] == [
        "api",
        "canary",
        "default",
        "mirror",
        "rr",
        "top",
        "web",
    ]
    assert r.fields["_backend_buckets"] == ["assets"]
    bare = norm("url_maps", {"name": "b", "defaultUrlRedirect": {"httpsRedirect": True}})
    assert bare.fields == {
        "default_service": None,
        "hosts": {},
        "_backend_services": [],
        "_backend_buckets": [],
    }


def test_ssl_certificate_managed_and_self_managed():
    managed = norm(
        "ssl_certificates",
        {
            "name": "c",
            "type": "MANAGED",
            "managed": {
                "domains": ["b.io", "a.io"],
                "status": "PROVISIONING",
                "domainStatus": {"a.io": "ACTIVE", "b.io": "FAILED_NOT_VISIBLE"},
            },
        },
    )
    assert managed.fields == {
        "type": "MANAGED",
        "domains": ["a.io", "b.io"],
        "status": "PROVISIONING",
        "_domain_status": {"a.io": "ACTIVE", "b.io": "FAILED_NOT_VISIBLE"},
        "_expire_time": None,
    }
    own = norm(
        "ssl_certificates",
        {  # no `type`: "the certificate is self-managed"
            "name": "s",
            "subjectAlternativeNames": ["x.io"],
            "expireTime": "2026-09-01T12:00:00.000-07:00",
        },
    )
    assert own.fields["type"] == "SELF_MANAGED" and own.fields["domains"] == ["x.io"]
    assert own.fields["status"] is None
    assert own.fields["_expire_time"] == "2026-09-01T12:00:00.000-07:00"


def test_target_https_proxy_fields():
    link = "https://www.googleapis.com/compute/v1/projects/p/global"
    r = norm(
        "target_https_proxies",
        {
            "name": "px",
            "urlMap": f"{link}/urlMaps/m",
            "sslCertificates": [f"{link}/sslCertificates/b", f"{link}/sslCertificates/a"],
            "certificateMap": "//certificatemanager.googleapis.com/projects/p/locations/global/"
            "certificateMaps/cm",
        },
    )
    assert r.fields["url_map"] == "m" and r.fields["ssl_certificates"] == ["a", "b"]
    assert r.fields["certificate_map"].endswith("/certificateMaps/cm")


# -- compute_v1 is imported only when a Compute kind is collected -------------------------


def _importtime(tmp_path: Path, files: dict[str, str]) -> str:
    expected = wk.write_baseline(tmp_path, files)
    world = compute_world()
    world["projects"][wk.PROJECT].update(
        copy.deepcopy(
            wk.world(
                services=[wk.service("api", connector="conn-a")],
                secrets=[wk.secret("db-pass")],
                connectors=[wk.connector("conn-a")],
            )["projects"][wk.PROJECT]
        )
    )
    world_file = tmp_path / "world.json"
    world_file.write_text(json.dumps(world))
    proc = subprocess.run(
        [
            sys.executable,
            "-X",
            "importtime",
            "-m",
            "drift",
            "diff",
            "--project",
            wk.PROJECT,
            "--expected",
            str(expected),
            "--emulator",
            str(world_file),
            "--format",
            "json",
        ],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
        cwd=Path(__file__).resolve().parent.parent,
    )
    assert proc.returncode in (0, 2), proc.stderr[-2000:]
    json.loads(proc.stdout)
    return proc.stderr


def test_compute_client_library_is_imported_only_for_compute_kinds(tmp_path):
    plain = {
        "s.yaml": f"services:\n  api: {{region: {R}, vpc_connector: conn-a}}\n",
        "x.yaml": "secrets:\n  db-pass: {replication: automatic}\n",
        "c.yaml": f"vpc_connectors:\n  conn-a: {{region: {R}}}\n",
    }
    stderr = _importtime(tmp_path / "a", plain)
    assert "google.cloud.run_v2" in stderr  # the probe sees the imports at all
    assert "google.cloud.compute_v1" not in stderr
    with_hc = {"hc.yaml": "health_checks:\n  hc-web: {port: 8080}\n"}
    assert "google.cloud.compute_v1" in _importtime(tmp_path / "b", with_hc)
