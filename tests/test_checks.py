"""Reference checks (broken_reference) on plain Snapshots: no server, no Google library."""

from __future__ import annotations

import datetime as dt

import pytest

from drift.baseline import load_baseline
from drift.engine.checks import host_matches, reference_findings
from drift.engine.evaluate import evaluate
from drift.model import NotChecked, Resource, Snapshot
from tests import worldkit as wk

TODAY = dt.date(2026, 11, 25)
NOW = dt.datetime(2026, 11, 25, 3, 0, tzinfo=dt.UTC)
R = wk.REGION
LB_KINDS = (
    "services",
    "domain_mappings",
    "health_checks",
    "backend_services",
    "url_maps",
    "ssl_certificates",
    "target_https_proxies",
)


def snap(*resources, not_checked=(), kinds=LB_KINDS):
    return Snapshot(wk.PROJECT, wk.NUMBER, tuple(kinds), tuple(resources), tuple(not_checked))


def run(tmp_path, *resources, not_checked=(), kinds=LB_KINDS, files=None, project_yaml=None):
    """evaluate() with a baseline that declares nothing but the kinds (lint kept quiet)."""
    expected = wk.write_baseline(tmp_path, files or {}, project_yaml)
    baseline = load_baseline(expected, wk.PROJECT)
    ev = evaluate(baseline, snap(*resources, not_checked=not_checked, kinds=kinds), TODAY, NOW)
    return [f for f in ev.findings if f.type == "broken_reference"]


def by_path(findings):
    return {f.path: f for f in findings}


def service(name, region=R, **fields):
    return Resource("services", name, region, {"env": {}, "ready": True, **fields})


def mapping(domain, service_name, ready=True, region=R, conditions=None):
    conds = conditions or {"Ready": "True" if ready else "False"}
    fields = {
        "service": service_name,
        "certificate_mode": "automatic",
        "ready": ready,
        "_conditions": conds,
    }
    return Resource("domain_mappings", domain, region, fields)


def hc(name, region=None):
    return Resource("health_checks", name, region, {"type": "HTTP", "port": 8080})


def bs(name, checks=("hc",), region=None):
    return Resource(
        "backend_services",
        name,
        region,
        {"protocol": "HTTP", "timeout_sec": 600, "health_checks": sorted(checks)},
    )


def url_map(name, hosts, default=None, region=None, services=None, buckets=()):
    refs = services if services is not None else sorted({*hosts.values(), default} - {None})
    return Resource(
        "url_maps",
        name,
        region,
        {
            "default_service": default,
            "hosts": dict(hosts),
            "_backend_services": sorted(refs),
            "_backend_buckets": sorted(buckets),
        },
    )


def managed(name, status, region=None):
    return Resource(
        "ssl_certificates",
        name,
        region,
        {
            "type": "MANAGED",
            "domains": sorted(status),
            "status": "ACTIVE" if all(s == "ACTIVE" for s in status.values()) else "PROVISIONING",
            "_domain_status": dict(status),
            "_expire_time": None,
        },
    )


def self_managed(name, domains, expires, region=None):
    return Resource(
        "ssl_certificates",
        name,
        region,
        {
            "type": "SELF_MANAGED",
            "domains": sorted(domains),
            "status": None,
            "_domain_status": {},
            "_expire_time": expires,
        },
    )


def proxy(name, url_map_name, certs, region=None, certificate_map=None):
    return Resource(
        "target_https_proxies",
        name,
        region,
        {
            "url_map": url_map_name,
            "ssl_certificates": sorted(certs),
            "certificate_map": certificate_map,
        },
    )


# -- wildcard matching -------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("host", "domain", "covered"),
    [
        ("api-staging.netrasystems.ai", "*.netrasystems.ai", True),
        ("api.staging.netrasystems.ai", "*.netrasystems.ai", False),  # one label only
        ("netrasystems.ai", "*.netrasystems.ai", False),  # not the apex
        ("API-Staging.NetraSystems.ai", "*.netrasystems.ai", True),  # case-insensitive
        ("staging.netrasystems.ai", "STAGING.netrasystems.ai", True),
        ("staging.netrasystems.ai", "api-staging.netrasystems.ai", False),
        ("*.netrasystems.ai", "*.netrasystems.ai", True),
        ("x.netrasystems.ai.evil.com", "*.netrasystems.ai", False),
    ],
)
def test_wildcard_covers_exactly_one_label(host, domain, covered):
    assert host_matches(host, domain) is covered


# -- domain mappings ---------------------------------------------------------------------------


def test_domain_mapping_to_existing_ready_service_is_fine(tmp_path):
    assert run(tmp_path, service("web"), mapping("staging.example.ai", "web")) == []


def test_domain_mapping_to_missing_service_and_not_ready(tmp_path):
    dm = mapping(
        "api.example.ai",
        "gone",
        ready=False,
        conditions={
            "Ready": "False",
            "CertificateProvisioned": "Unknown",
            "DomainRoutable": "True",
        },
    )
    found = by_path(run(tmp_path, service("web"), dm))
    svc = found["domain_mappings/api.example.ai/service"]
    assert svc.severity == "critical" and svc.expected == {"service": "gone"} and svc.actual is None
    assert svc.message == (
        "Cloud Run domain mapping api.example.ai in us-central1 routes to Cloud Run service "
        "gone, which does not exist in us-central1."
    )
    ready = found["domain_mappings/api.example.ai/ready"]
    assert ready.expected is True and ready.actual["ready"] is False
    assert "CertificateProvisioned is Unknown" in ready.message
    assert "DomainRoutable" not in ready.message


def test_domain_mapping_service_in_another_region_does_not_count(tmp_path):
    found = by_path(
        run(tmp_path, service("web", region="europe-west1"), mapping("a.example.ai", "web"))
    )
    assert "domain_mappings/a.example.ai/service" in found


def test_domain_mapping_service_not_checked_gives_no_finding(tmp_path):
    nc = NotChecked("services", R, "PERMISSION_DENIED: no")
    assert run(tmp_path, mapping("a.example.ai", "gone"), not_checked=[nc]) == []
    assert run(tmp_path, mapping("a.example.ai", "gone"), kinds=("domain_mappings",)) == []


# -- URL maps -> backend services --------------------------------------------------------------


def test_url_map_with_existing_backends_is_fine(tmp_path):
    um = url_map("lb", {"api.example.ai": "api-bs"}, default="web-bs")
    assert run(tmp_path, um, bs("api-bs"), bs("web-bs"), hc("hc")) == []


def test_url_map_missing_backend_names_the_host_or_default(tmp_path):
    um = url_map(
        "lb",
        {"api.example.ai": "api-bs", "www.example.ai": "web-bs"},
        default="web-bs",
        services=["api-bs", "web-bs", "ws-bs"],
    )
    found = by_path(run(tmp_path, um, bs("api-bs"), hc("hc")))
    assert set(found) == {
        "url_maps/lb/hosts/www.example.ai",
        "url_maps/lb/default_service",
        "url_maps/lb/backend_services/ws-bs",
    }
    host = found["url_maps/lb/hosts/www.example.ai"]
    assert host.expected == {"backend_service": "web-bs"} and host.actual is None
    assert host.message == (
        "URL map lb routes host www.example.ai to backend service web-bs, "
        "which does not exist in the global scope."
    )
    assert "default service web-bs" in found["url_maps/lb/default_service"].message
    assert "ws-bs" in found["url_maps/lb/backend_services/ws-bs"].message


def test_url_map_backend_buckets_are_not_flagged(tmp_path):
    um = url_map(
        "lb",
        {"static.example.ai": "assets"},
        default="api-bs",
        services=["api-bs"],
        buckets=["assets"],
    )
    assert run(tmp_path, um, bs("api-bs"), hc("hc")) == []


def test_url_map_scope_global_vs_regional(tmp_path):
    regional = url_map("lb", {"a.example.ai": "api-bs"}, region=R)
    found = by_path(run(tmp_path, regional, bs("api-bs"), hc("hc")))  # only a global one
    assert found["url_maps/lb/hosts/a.example.ai"].region == R
    assert "does not exist in us-central1" in found["url_maps/lb/hosts/a.example.ai"].message
    assert run(tmp_path / "b", regional, bs("api-bs", region=R), hc("hc")) == []


def test_url_map_backends_not_checked_gives_no_finding(tmp_path):
    nc = NotChecked("backend_services", None, "PERMISSION_DENIED: no")
    assert run(tmp_path, url_map("lb", {"a.example.ai": "x"}), not_checked=[nc]) == []


# -- backend services -> health checks ---------------------------------------------------------


def test_backend_service_missing_health_check(tmp_path):
    found = by_path(run(tmp_path, bs("api-bs", checks=("hc", "gone")), hc("hc")))
    f = found["backend_services/api-bs/health_checks"]
    assert f.expected == {"health_checks": ["gone"]} and f.severity == "critical"
    assert f.message == (
        "backend service api-bs uses health check gone, which does not exist in the global scope."
    )


def test_backend_service_health_check_scope(tmp_path):
    # a global backend service cannot use a regional check
    found = by_path(run(tmp_path, bs("api-bs"), hc("hc", region=R)))
    assert "backend_services/api-bs/health_checks" in found
    # a regional backend service may use a check of its region, or a global one
    assert run(tmp_path / "b", bs("api-bs", region=R), hc("hc", region=R)) == []
    assert run(tmp_path / "c", bs("api-bs", region=R), hc("hc")) == []
    found = by_path(run(tmp_path / "d", bs("api-bs", region=R), hc("hc", region="europe-west1")))
    assert found["backend_services/api-bs/health_checks"].region == R


def test_backend_service_health_checks_not_checked_gives_no_finding(tmp_path):
    nc = NotChecked("health_checks", None, "PERMISSION_DENIED: no")
    assert run(tmp_path, bs("api-bs", checks=("gone",)), not_checked=[nc]) == []
    assert run(tmp_path / "b", bs("api-bs", checks=("gone",)), kinds=("backend_services",)) == []


# -- certificate coverage ----------------------------------------------------------------------

HOSTS = {"staging.netrasystems.ai": "web-bs", "api-staging.netrasystems.ai": "api-bs"}


def lb(*certs, hosts=None, **proxy_kw):
    names = [c.name for c in certs]
    return [
        url_map("netra-staging-lb", hosts or HOSTS),
        bs("web-bs"),
        bs("api-bs"),
        hc("hc"),
        proxy("netra-staging-https-proxy", "netra-staging-lb", names, **proxy_kw),
        *certs,
    ]


def cert_findings(tmp_path, *resources, **kw):
    return by_path(f for f in run(tmp_path, *resources, **kw) if "certificates" in (f.actual or {}))


def test_managed_wildcard_covers_hyphenated_host_but_not_dotted(tmp_path):
    cert = managed(
        "netra-staging-cert", {"*.netrasystems.ai": "ACTIVE", "staging.netrasystems.ai": "ACTIVE"}
    )
    assert cert_findings(tmp_path, *lb(cert)) == {}
    hosts = {**HOSTS, "api.staging.netrasystems.ai": "api-bs", "netrasystems.ai": "web-bs"}
    found = cert_findings(tmp_path / "b", *lb(cert, hosts=hosts))
    assert set(found) == {
        "url_maps/netra-staging-lb/hosts/api.staging.netrasystems.ai",
        "url_maps/netra-staging-lb/hosts/netrasystems.ai",
    }
    f = found["url_maps/netra-staging-lb/hosts/api.staging.netrasystems.ai"]
    assert f.type == "broken_reference" and f.severity == "critical"
    assert f.message == (
        "Host api.staging.netrasystems.ai served by URL map netra-staging-lb is not covered by "
        "any certificate on HTTPS proxy netra-staging-https-proxy (netra-staging-cert covers "
        "*.netrasystems.ai, staging.netrasystems.ai)."
    )
    assert f.expected == {
        "host": "api.staging.netrasystems.ai",
        "https_proxy": "netra-staging-https-proxy",
    }


def test_managed_domain_still_provisioning_does_not_cover(tmp_path):
    cert = managed(
        "c", {"staging.netrasystems.ai": "ACTIVE", "api-staging.netrasystems.ai": "PROVISIONING"}
    )
    found = cert_findings(tmp_path, *lb(cert))
    (f,) = found.values()
    assert f.path == "url_maps/netra-staging-lb/hosts/api-staging.netrasystems.ai"
    assert "api-staging.netrasystems.ai is PROVISIONING" in f.message


def test_self_managed_unexpired_covers_and_expired_does_not(tmp_path):
    domains = ["staging.netrasystems.ai", "api-staging.netrasystems.ai"]
    fresh = self_managed("own", domains, "2027-03-01T00:00:00.000-08:00")
    assert cert_findings(tmp_path, *lb(fresh)) == {}
    stale = self_managed("own", domains, "2026-11-25T02:59:59Z")  # one second before NOW
    found = cert_findings(tmp_path / "b", *lb(stale))
    assert len(found) == 2
    assert all("own expired 2026-11-25T02:59:59Z" in f.message for f in found.values())


def test_certificate_expiry_is_judged_at_report_time():
    stale = self_managed(
        "own", ["staging.netrasystems.ai", "api-staging.netrasystems.ai"], "2026-11-25T12:00:00Z"
    )
    s = snap(*lb(stale))
    assert [f for f in reference_findings(s, NOW) if f.field.startswith("hosts/")] == []
    later = dt.datetime(2026, 11, 25, 12, 0, tzinfo=dt.UTC)
    assert len([f for f in reference_findings(s, later) if f.field.startswith("hosts/")]) == 2


def test_any_certificate_of_the_proxy_may_cover_a_host(tmp_path):
    a = managed("a", {"staging.netrasystems.ai": "ACTIVE"})
    b = self_managed("b", ["*.NetraSystems.ai"], None)
    assert cert_findings(tmp_path, *lb(a, b)) == {}


def test_missing_certificate_and_proxy_without_certificates(tmp_path):
    resources = lb()
    resources[4] = proxy("netra-staging-https-proxy", "netra-staging-lb", ["gone"])
    found = cert_findings(tmp_path, *resources)
    assert len(found) == 2 and all("gone does not exist" in f.message for f in found.values())
    resources[4] = proxy("netra-staging-https-proxy", "netra-staging-lb", [])
    found = cert_findings(tmp_path / "b", *resources)
    assert all("it has no certificates" in f.message for f in found.values())


def test_url_map_without_https_proxy_or_with_certificate_map_is_not_checked(tmp_path):
    no_proxy = [r for r in lb() if r.kind != "target_https_proxies"]
    assert cert_findings(tmp_path, *no_proxy) == {}
    with_map = lb(certificate_map="//certificatemanager.googleapis.com/projects/p/x/maps/m")
    assert cert_findings(tmp_path / "b", *with_map) == {}


def test_certificates_not_checked_give_no_finding(tmp_path):
    cert = managed("c", {"staging.netrasystems.ai": "ACTIVE"})
    nc = NotChecked("ssl_certificates", None, "PERMISSION_DENIED: no")
    assert cert_findings(tmp_path, *lb(cert), not_checked=[nc]) == {}
    kinds = tuple(k for k in LB_KINDS if k != "target_https_proxies")
    assert cert_findings(tmp_path / "b", *lb(cert), kinds=kinds) == {}


def test_regional_proxy_uses_regional_map_and_certificates(tmp_path):
    cert = managed("c", {"*.netrasystems.ai": "ACTIVE", "staging.netrasystems.ai": "ACTIVE"})
    regional = [
        url_map("netra-staging-lb", HOSTS, region=R),
        bs("web-bs", region=R),
        bs("api-bs", region=R),
        hc("hc", region=R),
        proxy("p", "netra-staging-lb", ["c"], region=R),
    ]
    found = cert_findings(tmp_path, *regional, cert)  # the certificate is global: not usable
    assert len(found) == 2 and all(f.region == R for f in found.values())
    regional_cert = Resource("ssl_certificates", "c", R, cert.fields)
    assert cert_findings(tmp_path / "b", *regional, regional_cert) == {}


# -- project rules apply -----------------------------------------------------------------------


def test_broken_reference_can_be_ignored_or_reclassified(tmp_path):
    project = f"""
        project: {wk.PROJECT}
        regions: [{R}]
        severity:
          backend_services/*/health_checks: warning
        ignore:
          - path: url_maps/*/hosts/**
            reason: certificate being replaced this week
    """
    cert = managed("c", {"staging.netrasystems.ai": "ACTIVE"})
    resources = [*lb(cert), bs("other", checks=("gone",))]
    expected = wk.write_baseline(tmp_path, {}, project)
    ev = evaluate(load_baseline(expected, wk.PROJECT), snap(*resources), TODAY, NOW)
    found = by_path(ev.findings)
    assert found["backend_services/other/health_checks"].severity == "warning"
    assert [i.finding.path for i in ev.ignored] == [
        "url_maps/netra-staging-lb/hosts/api-staging.netrasystems.ai"
    ]


def test_source_points_at_the_declaration(tmp_path):
    files = {
        "lb.yaml": """
        backend_services:
          api-bs:
            timeout_sec: 600
            health_checks: [gone]
    """
    }
    found = by_path(run(tmp_path, bs("api-bs", checks=("gone",)), hc("hc"), files=files))
    assert found["backend_services/api-bs/health_checks"].source.endswith("lb.yaml:5")
