"""Cloud Run domain mappings: the AuthorizedSession collector against the emulator, via the CLI."""

from __future__ import annotations

import json
import urllib.error
import urllib.request
from typing import Any

import pytest

from drift.collectors.domain_mappings import list_url
from drift.emulator import Emulator
from drift.emulator.discovery import validate, validate_world
from drift.normalize.resources import to_resource
from tests import worldkit as wk
from tests.test_e2e import by_path, diff

OTHER_REGION = "europe-west1"


def mapping(
    domain: str,
    service: str = "api",
    region: str = wk.REGION,
    mode: str | None = "AUTOMATIC",
    ready: str = "True",
) -> dict[str, Any]:
    """A DomainMapping exactly as Cloud Run Admin API v1 returns it."""
    spec: dict[str, Any] = {"routeName": service}
    if mode:
        spec["certificateMode"] = mode
    return {
        "apiVersion": "domains.cloudrun.com/v1",
        "kind": "DomainMapping",
        "metadata": {
            "name": domain,
            "namespace": wk.NUMBER,
            "labels": {"cloud.googleapis.com/location": region},
            "generation": 1,
            "creationTimestamp": "2026-01-02T03:04:05.123456Z",
            "resourceVersion": "AAYx",
            "selfLink": f"/apis/domains.cloudrun.com/v1/namespaces/{wk.NUMBER}/domainmappings/"
            f"{domain}",
            "uid": f"uid-{domain}",
        },
        "spec": spec,
        "status": {
            "conditions": [
                {
                    "type": "Ready",
                    "status": ready,
                    "lastTransitionTime": "2026-01-02T03:10:00Z",
                    **({} if ready == "True" else {"reason": "CertificatePending"}),
                },
                {"type": "CertificateProvisioned", "status": ready},
                {"type": "DomainRoutable", "status": "True"},
            ],
            "observedGeneration": 1,
            "resourceRecords": [
                {"name": domain.split(".")[0], "rrdata": "ghs.googlehosted.com.", "type": "CNAME"}
            ],
            "mappedRouteName": service,
        },
    }


def dm_world(mappings: list[dict[str, Any]]) -> dict[str, Any]:
    world = wk.world(
        services=[wk.service("api", connector=None), wk.service("web", connector=None)]
    )
    world["projects"][wk.PROJECT]["domainMappings"] = mappings
    return world


R = wk.REGION
DOMAINS = ["api.example.com", "www.example.com", "admin.example.com"]
BASELINE = {
    "domains.yaml": f"""
        domain_mappings:
          api.example.com: {{region: {R}, service: api, certificate_mode: automatic, ready: true}}
          www.example.com: {{region: {R}, service: web, certificate_mode: automatic, ready: true}}
          admin.example.com: {{region: {R}, service: api, certificate_mode: none}}
    """,
}


def clean_world() -> dict[str, Any]:
    return dm_world(
        [
            mapping("api.example.com"),
            mapping("www.example.com", service="web"),
            mapping("admin.example.com", mode="NONE"),
            # another region, not in project.yaml: never listed, never unmanaged
            mapping("eu.example.com", region=OTHER_REGION),
        ]
    )


def dm_requests(stats: dict[str, Any]) -> list[list[Any]]:
    return [e for e in stats["log"] if "/domainmappings" in e[1]]


def test_world_and_served_objects_conform_to_run_v1() -> None:
    world = clean_world()
    assert validate_world(world) == []
    with Emulator(world, page_size=2) as emu:
        for path in (
            f"/v1/projects/{wk.PROJECT}/locations/{wk.REGION}/domainmappings",
            f"/apis/domains.cloudrun.com/v1/namespaces/{wk.NUMBER}/domainmappings",
        ):
            seen, token = [], ""
            while True:
                with urllib.request.urlopen(
                    f"{emu.base_url}{path}" + (f"?continue={token}" if token else ""), timeout=10
                ) as resp:
                    page = json.loads(resp.read())
                assert validate("run.v1", "ListDomainMappingsResponse", page) == []
                assert page["apiVersion"] == "domains.cloudrun.com/v1"
                assert page["kind"] == "DomainMappingList"
                seen += [i["metadata"]["name"] for i in page.get("items", [])]
                token = page["metadata"].get("continue", "")
                if not token:
                    break
            if "/locations/" in path:
                assert sorted(seen) == sorted(DOMAINS)
            else:
                assert sorted(seen) == sorted([*DOMAINS, "eu.example.com"])
        for path in (
            f"/v1/projects/{wk.PROJECT}/locations/{OTHER_REGION}/domainmappings/eu.example.com",
            f"/apis/domains.cloudrun.com/v1/namespaces/{wk.PROJECT}/domainmappings/eu.example.com",
        ):
            with urllib.request.urlopen(emu.base_url + path, timeout=10) as resp:
                body = json.loads(resp.read())
            assert validate("run.v1", "DomainMapping", body) == []
            assert body["metadata"]["name"] == "eu.example.com"
        # get in the wrong region, unknown project: Google's error envelope
        for path, code in (
            (f"/v1/projects/{wk.PROJECT}/locations/{wk.REGION}/domainmappings/eu.example.com", 404),
            (f"/v1/projects/nope/locations/{wk.REGION}/domainmappings", 403),
            (f"/v1/projects/{wk.PROJECT}/locations/{wk.REGION}/domainmappings?continue=x", 400),
        ):
            with pytest.raises(urllib.error.HTTPError) as err:
                urllib.request.urlopen(emu.base_url + path, timeout=10)
            assert err.value.code == code
            assert validate("run.v1", "ErrorResponse", json.loads(err.value.read())) == []
        assert emu.stats()["requests"] == {"run": 9}


def test_bad_domain_mapping_in_world_is_reported() -> None:
    world = clean_world()
    world["projects"][wk.PROJECT]["domainMappings"][0]["spec"]["certificateMode"] = "AUTO"
    assert any("certificateMode" in e for e in validate_world(world))
    del world["projects"][wk.PROJECT]["domainMappings"][0]["metadata"]["labels"]
    assert any("cloud.googleapis.com/location" in e for e in validate_world(world))


def test_live_url_uses_the_regional_host() -> None:
    assert list_url(None, "p", "europe-west1") == (
        "https://europe-west1-run.googleapis.com/v1/projects/p/locations/europe-west1/domainmappings"
    )
    assert list_url("http://127.0.0.1:9", "p", "us-central1") == (
        "http://127.0.0.1:9/v1/projects/p/locations/us-central1/domainmappings"
    )


def test_normalized_view() -> None:
    r = to_resource("domain_mappings", mapping("a.example.com", ready="False"), {wk.PROJECT})
    assert (r.name, r.region) == ("a.example.com", wk.REGION)  # region from the label
    assert r.fields["service"] == "api"
    assert r.fields["certificate_mode"] == "automatic"
    assert r.fields["ready"] is False
    assert r.fields["_conditions"]["DomainRoutable"] == "True"
    for mode, expected in (("NONE", "none"), ("CERTIFICATE_MODE_UNSPECIFIED", None), (None, None)):
        raw = mapping("b.example.com", mode=mode)
        got = to_resource("domain_mappings", raw, {wk.PROJECT}, region="us-east1")
        assert got.fields["certificate_mode"] == expected
        assert got.region == "us-east1"  # the listing scope wins


def test_paging_follows_continue_and_diff_is_clean(tmp_path) -> None:
    result, report, stats = diff(tmp_path, clean_world(), BASELINE, page_size=1)
    assert report["findings"] == [], report["findings"]
    assert report["not_checked"] == []
    assert result.exit_code == 0
    assert report["summary"]["resources_checked"] == 3
    calls = dm_requests(stats)
    assert len(calls) == 3  # one region, three mappings, one per page
    assert all(c[1].startswith(f"/v1/projects/{wk.PROJECT}/locations/{wk.REGION}/") for c in calls)
    assert "continue=" not in calls[0][1]
    assert all("continue=" in c[1] and "limit=" in c[1] for c in calls[1:])
    assert all(c[2] == 200 for c in calls)


def test_not_ready_mapping_is_drift(tmp_path) -> None:
    world = clean_world()
    world["projects"][wk.PROJECT]["domainMappings"][0] = mapping("api.example.com", ready="False")
    world["projects"][wk.PROJECT]["domainMappings"].append(mapping("rogue.example.com"))
    result, report, _ = diff(tmp_path, world, BASELINE)
    found = by_path(report)
    ready = found[("domain_mappings/api.example.com/ready", "changed")]
    assert (ready["expected"], ready["actual"]) == (True, False)
    assert ("domain_mappings/rogue.example.com", "unmanaged") in found
    assert result.exit_code == 2


def test_changed_service_and_certificate_mode(tmp_path) -> None:
    world = dm_world(
        [
            mapping("api.example.com", service="web"),
            mapping("www.example.com", service="web", mode="NONE"),
            mapping("admin.example.com", mode="NONE"),
        ]
    )
    result, report, _ = diff(tmp_path, world, BASELINE)
    found = by_path(report)
    assert found[("domain_mappings/api.example.com/service", "changed")]["actual"] == "web"
    mode = found[("domain_mappings/www.example.com/certificate_mode", "changed")]
    assert (mode["expected"], mode["actual"]) == ("automatic", "none")
    assert result.exit_code == 2


def test_403_on_domain_mappings_is_not_checked(tmp_path) -> None:
    faults = [{"path": "/domainmappings", "status": 403, "times": None}]
    result, report, _ = diff(tmp_path, clean_world(), BASELINE, faults=faults)
    assert result.exit_code == 1
    assert [(n["kind"], n["region"]) for n in report["not_checked"]] == [
        ("domain_mappings", wk.REGION)
    ]
    assert report["not_checked"][0]["error"].startswith("PERMISSION_DENIED")
    assert not [f for f in report["findings"] if f["kind"] == "domain_mappings"]


def test_transient_503_heals(tmp_path) -> None:
    faults = [{"path": "/domainmappings", "status": 503, "times": 2}]
    result, report, stats = diff(tmp_path, clean_world(), BASELINE, faults=faults, page_size=2)
    assert result.exit_code == 0, report
    assert report["findings"] == [] and report["not_checked"] == []
    statuses = [c[2] for c in dm_requests(stats)]
    assert statuses.count(503) == 2 and statuses.count(200) == 2
