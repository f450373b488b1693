"""Meta-tests over the one registry of kinds: every kind is complete everywhere, and every
table the rest of drift uses is derived from the kinds' specs."""

from __future__ import annotations

import importlib

import pytest

from drift.baseline.schema import KIND_FIELDS, META_FIELDS, REGIONAL
from drift.collectors.clients import CLIENTS, client_name
from drift.collectors.followup import step_of
from drift.collectors.lister import custom_function
from drift.emulator.world import COLLECTIONS, ROUTED_KEYS
from drift.engine.checks import REFERENCE_CHECKS
from drift.kinds.spec import ComputeList, CustomList, GapicList
from drift.normalize.resources import NORMALIZERS, to_resource
from drift.registry import KINDS, kinds_to_collect, noun

ALL = sorted(KINDS)
DECLARABLE = sorted(k for k, spec in KINDS.items() if spec.declarable)


@pytest.mark.parametrize("kind", ALL)
def test_every_kind_normalizes_its_sample_into_its_own_fields(kind):
    spec = KINDS[kind]
    resource = to_resource(kind, dict(spec.sample), {"p", "1"})
    name = spec.sample.get("name") or spec.sample["metadata"]["name"]  # Run v1: metadata
    assert resource.kind == kind and resource.name == str(name).rsplit("/", 1)[-1]
    # every normalized field is one the baseline may declare; internal ones start with "_"
    public = {f for f in resource.fields if not f.startswith("_")}
    assert public <= set(spec.fields) or not spec.declarable
    assert NORMALIZERS[kind] is spec.normalize


@pytest.mark.parametrize("kind", ALL)
def test_every_kind_is_served_by_the_emulator_and_readable_by_a_real_client(kind):
    spec = KINDS[kind]
    assert spec.world_key in {c.key for c in COLLECTIONS} | ROUTED_KEYS
    source = spec.source
    if isinstance(source, GapicList):
        cls = getattr(importlib.import_module(source.module), source.client)
        assert callable(getattr(cls, source.method))
        assert CLIENTS[client_name(source.module, source.client)] == (source.module, source.client)
    elif isinstance(source, ComputeList):
        module = importlib.import_module(source.module)
        for name in (source.client, source.region_client):
            assert callable(getattr(module, name).list)
            assert client_name(source.module, name) in CLIENTS
    else:
        assert isinstance(source, CustomList)
        assert callable(custom_function(source))
    if spec.follow_up is not None:
        assert callable(step_of(spec))


@pytest.mark.parametrize("kind", ALL)
def test_every_kind_has_words_references_and_a_region_rule(kind):
    spec = KINDS[kind]
    assert noun(kind) == spec.noun and spec.noun and spec.noun != kind
    assert set(spec.needs) <= set(KINDS)
    assert set(spec.references) <= set(REFERENCE_CHECKS)
    if spec.declarable:
        assert KIND_FIELDS[kind] == dict(spec.fields)
        assert REGIONAL[kind] == spec.region_rule
        assert ("region" in META_FIELDS[kind]) == (spec.region_rule != "none")
    else:
        assert kind not in KIND_FIELDS and not spec.fields


def test_registry_tables_are_derived_never_kept_by_hand():
    assert set(KIND_FIELDS) == set(DECLARABLE) and set(NORMALIZERS) == set(KINDS)
    assert {k: noun(k) for k in KINDS} == {k: spec.noun for k, spec in KINDS.items()}


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
