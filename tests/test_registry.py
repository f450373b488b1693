"""Meta-tests over the one registry of kinds: every kind is complete everywhere."""

from __future__ import annotations

import importlib

import pytest

from drift.baseline.schema import KIND_FIELDS
from drift.emulator.world import COLLECTIONS
from drift.normalize.resources import to_resource
from drift.registry import KINDS, kinds_to_collect

WORLD_KEY = {"services": "services", "secrets": "secrets", "vpc_connectors": "connectors"}
SAMPLE = {
    "services": {"name": "projects/p/locations/r/services/s", "template": {"containers": [{}]}},
    "secrets": {"name": "projects/1/secrets/s", "replication": {"automatic": {}}},
    "vpc_connectors": {"name": "projects/p/locations/r/connectors/c", "state": "READY"},
}


@pytest.mark.parametrize("kind", sorted(k for k, spec in KINDS.items() if spec.declarable))
def test_every_kind_has_collector_normalizer_schema_and_route(kind):
    module = importlib.import_module(f"drift.collectors.{kind}")
    assert callable(module.list_raw)
    assert kind in KIND_FIELDS
    resource = to_resource(kind, SAMPLE[kind], {"p", "1"})
    assert resource.kind == kind and resource.name == SAMPLE[kind]["name"].rsplit("/", 1)[-1]
    # every normalized field is one the baseline may declare; internal ones start with "_"
    public = {f for f in resource.fields if not f.startswith("_")}
    assert public <= set(KIND_FIELDS[kind])
    assert WORLD_KEY[kind] in {c.key for c in COLLECTIONS}


def test_kinds_to_collect_adds_what_reference_checks_need():
    assert kinds_to_collect({"services"}, None) == ["secrets", "services", "vpc_connectors"]
    assert kinds_to_collect({"services", "secrets"}, {"secrets"}) == ["secrets"]
    assert kinds_to_collect({"health_checks"}, None) == []
