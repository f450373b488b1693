"""compare takes a short path for a declared scalar of a scalar field type
(drift/engine/compare.py `_PLAIN_TYPES`): for every kind and every such field, and any
declared and live values, it must give exactly the findings the general path gives."""

from __future__ import annotations

from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from drift import registry
from drift.baseline import Baseline
from drift.baseline.loader import Declared
from drift.engine import compare as compare_module
from drift.model import Resource, Snapshot

PLAIN_FIELDS = sorted(
    (kind, name)
    for kind, spec in registry.KINDS.items()
    for name, field in spec.fields.items()
    if field.type in compare_module._PLAIN_TYPES
)
SCALARS = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(-2, 600),
    st.sampled_from([0.5, 1.0, 2.0, 300.0]),
    st.sampled_from(["", "1", "0.5", "1000m", "512Mi", "0.5Gi", "300s", "5m", "1h30m"]),
    st.sampled_from(["API.Example.com.", "api.example.com", "all", "true", "x", "img:v1"]),
)


def _findings(kind: str, field: str, declared: Any, live: Any) -> list[tuple[Any, ...]]:
    spec = registry.KINDS[kind]
    region = "us-central1" if spec.scope == "regional" else None
    d = Declared(kind, "r1", region, {field: declared}, source="f.yaml:1")
    baseline = Baseline("p", ("us-central1",), "expected/p", "0" * 64, (d,), (kind,))
    fields = {} if live is None else {field: live}
    snapshot = Snapshot("p", "123", (kind,), (Resource(kind, "r1", region, fields),))
    found = compare_module.compare(baseline, snapshot)
    return [(f.path, f.type, repr(f.expected), repr(f.actual), f.message) for f in found]


@pytest.mark.parametrize(("kind", "field"), PLAIN_FIELDS)
@settings(max_examples=60, deadline=None)
@given(declared=SCALARS.filter(lambda v: v is not None), live=SCALARS)
def test_the_plain_path_finds_what_the_general_path_finds(kind, field, declared, live):
    fast = _findings(kind, field, declared, live)
    saved = compare_module._PLAIN_TYPES
    compare_module._PLAIN_TYPES = frozenset()  # every field through the general path
    try:
        general = _findings(kind, field, declared, live)
    finally:
        compare_module._PLAIN_TYPES = saved
    assert fast == general


def test_plain_fields_exist_for_the_test_to_cover():
    assert len(PLAIN_FIELDS) > 20
    assert {"memory", "cpu", "timeout", "image"} <= {f for k, f in PLAIN_FIELDS if k == "services"}
