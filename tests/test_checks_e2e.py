"""Every reference check and lint rule, through the emulator with the real clients and the CLI.

One live world holds one instance of each broken thing; the baseline declares only the
load balancer kinds, services and domain mappings it needs, so each finding below is
produced by the collectors' real view of the emulator, not by hand-made Snapshots.
"""

from __future__ import annotations

from typing import Any

from tests import worldkit as wk
from tests.test_domain_mappings import mapping
from tests.test_e2e import by_path, diff

R = wk.REGION


def broken_world() -> dict[str, Any]:
    world = wk.world(
        services=[
            wk.service(
                "api",
                env=[
                    wk.env("MODE", "prod"),
                    wk.secret_env("OLD_TOKEN", "tok", "1"),  # version 1 is DISABLED
                    wk.env("STRIPE_API_KEY", "sk_live_0123456789abcdefghijklmn"),  # plaintext
                    wk.env("PUBLIC_URL", "https://api.exmaple.com"),  # host typo
                ],
                connector="conn-down",
            ),
            wk.service("web", env=[wk.env("DB_INSTANCE", "<instance-name>")], connector=None),
        ],
        secrets=[wk.secret("tok")],
        versions=[wk.version("tok", 1, "DISABLED"), wk.version("tok", 2)],
        connectors=[{**wk.connector("conn-down"), "state": "ERROR"}],
    )
    web = world["projects"][wk.PROJECT]["services"][1]
    web["latestCreatedRevision"] = f"{web['name']}/revisions/web-00002"
    web["latestReadyRevision"] = f"{web['name']}/revisions/web-00001"
    project = world["projects"][wk.PROJECT]
    project["domainMappings"] = [mapping("app.example.com", service="gone")]
    project["healthChecks"] = []
    project["backendServices"] = [wk.backend_service("bs-api", health_checks=("hc-gone",))]
    project["urlMaps"] = [wk.url_map("lb", "bs-api", {"api.example.com": "bs-missing"})]
    project["sslCertificates"] = [wk.ssl_certificate("cert", ["www.example.com"])]
    project["targetHttpsProxies"] = [wk.target_https_proxy("proxy", "lb", ["cert"])]
    return world


BASELINE = {
    "lb.yaml": """
        health_checks: {}
        backend_services: {bs-api: {}}
        url_maps: {lb: {}}
        ssl_certificates: {cert: {}}
    """,
    "run.yaml": f"""
        services:
          api: {{region: {R}, env_extra: allow}}
          web: {{region: {R}, env_extra: allow}}
        domain_mappings:
          app.example.com: {{region: {R}}}
    """,
}
PROJECT_YAML = f"""
    project: {wk.PROJECT}
    regions: [{R}]
    canonical_hosts: [api.example.com, www.example.com, app.example.com]
"""

EXPECTED = {
    # reference checks
    ("services/api/env/OLD_TOKEN", "broken_reference"): "critical",
    ("services/api/vpc_connector", "broken_reference"): "critical",
    ("domain_mappings/app.example.com/service", "broken_reference"): "critical",
    ("url_maps/lb/hosts/api.example.com", "broken_reference"): "critical",
    ("backend_services/bs-api/health_checks", "broken_reference"): "critical",
    # lint
    ("services/web/env/DB_INSTANCE", "lint"): "critical",  # placeholders
    ("services/api/env/STRIPE_API_KEY", "lint"): "warning",  # plaintext_secrets
    ("services/api/env/PUBLIC_URL", "lint"): "warning",  # host_spelling
    ("services/web/ready", "lint"): "critical",  # not_ready
}


def test_each_reference_check_and_lint_rule_through_the_emulator(tmp_path):
    result, report, stats = diff(tmp_path, broken_world(), BASELINE, PROJECT_YAML)
    assert report["not_checked"] == [], report["not_checked"]
    found = by_path(report)
    for key, severity in EXPECTED.items():
        assert key in found, (key, sorted(found))
        assert found[key]["severity"] == severity, (key, found[key])
    cert = found[("url_maps/lb/hosts/api.example.com", "broken_reference")]
    # the certificate check: www.example.com's certificate does not cover api.example.com
    assert any(
        "certificate" in f["message"]
        for f in report["findings"]
        if f["path"] == "url_maps/lb/hosts/api.example.com"
    )
    assert cert["severity"] == "critical"
    assert "sk_live_0123456789abcdefghijklmn" not in result.output
    rules = {f["rule"] for f in report["findings"] if f["type"] == "lint"}
    assert rules == {
        "lint:placeholders",
        "lint:plaintext_secrets",
        "lint:host_spelling",
        "lint:not_ready",
    }
    assert result.exit_code == 2
    # It only reads: GETs, and the HEAD probe of the endpoint before the scan.
    assert all(e[0] == "GET" or (e[0], e[1]) == ("HEAD", "/") for e in stats["log"])


def test_lint_rules_can_be_turned_off(tmp_path):
    off = (
        PROJECT_YAML
        + """
    lint: {placeholders: false, plaintext_secrets: false, host_spelling: false, not_ready: false}
"""
    )
    _, report, _ = diff(tmp_path, broken_world(), BASELINE, off)
    assert not [f for f in report["findings"] if f["type"] == "lint"]
    assert [f for f in report["findings"] if f["type"] == "broken_reference"]
