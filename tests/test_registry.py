"""Meta-tests over the one registry of kinds: every kind is complete everywhere."""

from __future__ import annotations

import importlib

import pytest

from drift.baseline.schema import KIND_FIELDS
from drift.emulator.world import COLLECTIONS, ROUTED_KEYS
from drift.normalize.resources import to_resource
from drift.registry import KINDS, kinds_to_collect

WORLD_KEY = {
    "services": "services",
    "secrets": "secrets",
    "vpc_connectors": "connectors",
    "health_checks": "healthChecks",
    "backend_services": "backendServices",
    "url_maps": "urlMaps",
    "ssl_certificates": "sslCertificates",
    "target_https_proxies": "targetHttpsProxies",
    "domain_mappings": "domainMappings",
}
SAMPLE = {
    "services": {"name": "projects/p/locations/r/services/s", "template": {"containers": [{}]}},
    "secrets": {"name": "projects/1/secrets/s", "replication": {"automatic": {}}},
    "vpc_connectors": {"name": "projects/p/locations/r/connectors/c", "state": "READY"},
    "health_checks": {"name": "hc", "type": "TCP", "tcpHealthCheck": {"port": 5432}},
    "backend_services": {"name": "bs", "protocol": "HTTPS"},
    "url_maps": {"name": "um", "defaultService": "global/backendServices/bs"},
    "ssl_certificates": {"name": "cert", "type": "MANAGED", "managed": {"domains": ["a.io"]}},
    "target_https_proxies": {"name": "px", "urlMap": "global/urlMaps/um"},
    "domain_mappings": {"metadata": {"name": "a.io"}, "spec": {"routeName": "s"}},
}


@pytest.mark.parametrize("kind", sorted(k for k, spec in KINDS.items() if spec.declarable))
def test_every_kind_has_collector_normalizer_schema_and_route(kind):
    module = importlib.import_module(f"drift.collectors.{kind}")
    assert callable(module.list_raw)
    assert kind in KIND_FIELDS
    resource = to_resource(kind, SAMPLE[kind], {"p", "1"})
    name = SAMPLE[kind].get("name") or SAMPLE[kind]["metadata"]["name"]  # Run v1: metadata
    assert resource.kind == kind and resource.name == name.rsplit("/", 1)[-1]
    # every normalized field is one the baseline may declare; internal ones start with "_"
    public = {f for f in resource.fields if not f.startswith("_")}
    assert public <= set(KIND_FIELDS[kind])
    assert WORLD_KEY[kind] in {c.key for c in COLLECTIONS} | ROUTED_KEYS


def test_kinds_to_collect_adds_what_reference_checks_need():
    assert kinds_to_collect({"services"}, None) == ["secrets", "services", "vpc_connectors"]
    assert kinds_to_collect({"services", "secrets"}, {"secrets"}) == ["secrets"]
    assert kinds_to_collect({"health_checks"}, None) == ["health_checks"]
    assert kinds_to_collect({"url_maps"}, None) == [
        "backend_services",
        "ssl_certificates",
        "target_https_proxies",
        "url_maps",
    ]


def test_compute_kinds_are_listed_globally_and_per_region():
    for kind in ("health_checks", "backend_services", "url_maps", "ssl_certificates"):
        assert KINDS[kind].api == "compute"
        assert KINDS[kind].scopes(["us-central1", "europe-west1"]) == [
            None,
            "us-central1",
            "europe-west1",
        ]
    assert not KINDS["target_https_proxies"].declarable
    assert "target_https_proxies" not in KIND_FIELDS
