"""Declared values compare by their field's *type* (drift/kinds/fields.py), never its name.

- Every unit field (duration, memory, cpu), at any depth: any value the schema accepts
  normalizes to the number its canonical form has (a property test), so "accepted by the
  schema" always means "compared correctly".
- `1h30m`, `90m` and `5400s` equal a live 5400 on every duration field; `5s` equals 5 on
  health_checks.timeout_sec.
- Every typed field of every kind: a declared spelling of the live value gives no finding,
  another value gives one (a walk over the registry, so a new kind is covered too).
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from drift.baseline.loader import Baseline, Declared
from drift.baseline.schema import KIND_FIELDS, check_value
from drift.engine.compare import compare
from drift.kinds.fields import UNIT_TYPES, FieldSpec, declared_scalar
from drift.model import Resource, Snapshot
from drift.normalize import units
from drift.registry import KINDS

PROJECT, REGION = "p", "us-central1"


def typed_fields() -> Iterator[tuple[str, str, str | None, FieldSpec]]:
    """(kind, field, probe sub-key or None, spec) of every declarable field, sub-keys too."""
    for kind, fields in KIND_FIELDS.items():
        for name, spec in fields.items():
            yield kind, name, None, spec
            for key, sub in spec.keys.items():
                yield kind, name, key, sub


UNIT_FIELDS = [t for t in typed_fields() if t[3].type in UNIT_TYPES]
DURATION_FIELDS = [t for t in UNIT_FIELDS if t[3].type == "duration"]


def _id(t: tuple[str, str, str | None, FieldSpec]) -> str:
    return f"{t[0]}.{t[1]}" + (f".{t[2]}" if t[2] else "")


def _region(kind: str) -> str | None:
    return REGION if KINDS[kind].region_rule == "required" else None


def _findings(kind: str, declared: dict[str, Any], live: dict[str, Any]) -> list[Any]:
    """compare() of one declared resource with its live twin."""
    region = _region(kind)
    d = Declared(kind, "r", region, declared, source="expected/p/x.yaml:1")
    baseline = Baseline(PROJECT, (REGION,), "expected/p", "0" * 64, (d,), (kind,))
    snap = Snapshot(PROJECT, None, (kind,), (Resource(kind, "r", region, live),))
    return compare(baseline, snap)


def _declare(field: str, key: str | None, value: Any) -> dict[str, Any]:
    return {field: {key: value}} if key else {field: value}


# -- the unit grammar ---------------------------------------------------------------------------

_FACTORS = {"s": 1, "m": 60, "h": 3600, "d": 86400}


@st.composite
def durations(draw: st.DrawFn) -> tuple[Any, float]:
    """(a spelling, its seconds): a number, one unit, or the compound form (1h30m)."""
    form = draw(st.sampled_from(["number", "unit", "ms", "compound"]))
    if form == "number":
        floats = st.floats(0, 1e6, allow_nan=False).map(lambda f: round(f, 3))
        n = draw(st.integers(0, 10**6) | floats)
        return n, n
    if form == "unit":
        n, unit = draw(st.integers(0, 10**5)), draw(st.sampled_from(list(_FACTORS)))
        space = draw(st.sampled_from(["", " "]))
        return f"{n}{space}{unit}", n * _FACTORS[unit]
    if form == "ms":
        n = draw(st.integers(0, 10**6))
        return f"{n}ms", n / 1000
    parts = draw(st.lists(st.sampled_from(list(_FACTORS)), min_size=1, unique=True))
    order = [u for u in "dhms" if u in parts]
    counts = {u: draw(st.integers(0, 99)) for u in order}
    text = "".join(f"{counts[u]}{u}" for u in order)
    return text, sum(counts[u] * _FACTORS[u] for u in order)


_BYTES = {"": 1, "k": 10**3, "K": 10**3, "M": 10**6, "G": 10**9, "T": 10**12, "Ki": 2**10,
          "Mi": 2**20, "Gi": 2**30, "Ti": 2**40}  # fmt: skip


@st.composite
def memories(draw: st.DrawFn) -> tuple[Any, int]:
    """(a spelling, its bytes)."""
    n, unit = draw(st.integers(0, 4096)), draw(st.sampled_from(list(_BYTES)))
    if draw(st.booleans()) and not unit:
        return n, n  # a YAML number of bytes
    return f"{n}{unit}", n * _BYTES[unit]


@st.composite
def cpus(draw: st.DrawFn) -> tuple[Any, float]:
    """(a spelling, its CPUs)."""
    n = draw(st.integers(0, 64000))
    form = draw(st.sampled_from(["milli", "text", "number"]))
    if form == "milli":
        return f"{n}m", n / 1000
    if form == "text":
        return str(n), n
    return n, n


SPELLINGS = {"duration": durations(), "memory": memories(), "cpu": cpus()}


def canonical(type_: str, amount: float) -> Any:
    """What the live side holds for `amount`: seconds, a memory spelling, CPUs."""
    if type_ == "memory":
        return units.memory(int(amount))
    return units.UNIT_PARSERS[type_](amount)


@pytest.mark.parametrize("field", UNIT_FIELDS, ids=_id)
@settings(max_examples=60, deadline=None)
@given(data=st.data())
def test_every_unit_value_the_schema_accepts_compares_as_its_canonical_form(field, data):
    _, _, _, spec = field
    value, amount = data.draw(SPELLINGS[spec.type])
    clean, issues = check_value(spec, value, None)
    assert issues == [], (value, issues)
    assert declared_scalar(spec)(clean) == canonical(spec.type, amount)


@pytest.mark.parametrize("type_", sorted(UNIT_TYPES))
@settings(max_examples=300, deadline=None)
@given(text=st.text(alphabet="0123456789.smhdkKMGTPEi -", max_size=9))
def test_accepted_text_is_never_left_uncompared(type_, text):
    """Whatever the schema accepts, the parser turns into a number: nothing is swallowed
    and compared as raw text (the bug: `1h30m` accepted, then compared as a string)."""
    spec = FieldSpec(type_)  # type: ignore[arg-type]
    _, issues = check_value(spec, text, None)
    normalized = declared_scalar(spec)(text)
    if not issues:
        assert normalized != text or type_ == "memory" and normalized == units.memory(text)
        units.UNIT_PARSERS[type_](text)  # does not raise
    else:
        with pytest.raises(ValueError):
            units.UNIT_PARSERS[type_](text)


@pytest.mark.parametrize("field", DURATION_FIELDS, ids=_id)
@pytest.mark.parametrize("spelling", ["1h30m", "90m", "5400s", "5400", 5400])
def test_every_duration_field_compares_spellings_of_5400_seconds_equal(field, spelling):
    kind, name, key, spec = field
    assert check_value(spec, spelling, None)[1] == []
    live = {name: {key: 5400}} if key else {name: 5400}
    assert _findings(kind, _declare(name, key, spelling), live) == []
    other = {name: {key: 5401}} if key else {name: 5401}
    assert [f.path for f in _findings(kind, _declare(name, key, spelling), other)] == [
        f"{kind}/r/{name}"
    ]


def test_health_check_timeout_in_seconds_with_a_unit():
    assert _findings("health_checks", {"timeout_sec": "5s"}, {"timeout_sec": 5}) == []
    assert _findings("backend_services", {"timeout_sec": "10m"}, {"timeout_sec": 600}) == []
    (f,) = _findings("health_checks", {"timeout_sec": "5s"}, {"timeout_sec": 10})
    assert (f.type, f.expected, f.actual) == ("changed", 5, 10)


# -- every typed field ---------------------------------------------------------------------------

# type -> (a declared spelling, the live value it equals, a live value it does not equal)
SAMPLES: dict[str, tuple[Any, Any, Any]] = {
    "str": ("x-1", "x-1", "x-2"),
    "image": ("gcr.io/p/i:1", "gcr.io/p/i:1", "gcr.io/p/i:2"),
    "short_name": ("projects/p/locations/r/connectors/c", "c", "d"),
    "host": ("API.Example.com.", "api.example.com", "api2.example.com"),
    "int": (3, 3, 4),
    "cpu": ("1000m", 1, 2),
    "memory": ("4096Mi", "4Gi", "2Gi"),
    "duration": ("1h30m", 5400, 5401),
    "bool": (True, True, False),
    "map": ({"a": 1}, {"a": "1"}, {"a": "2"}),
    "set": (["b", "a"], ["a", "b"], ["a"]),
    "env": ({"A": 6379}, {"A": "6379"}, {"A": "6380"}),
    "replication": ({"user_managed": ["b", "a"]}, {"user_managed": ["a", "b"]}, "automatic"),
    "sha256": ("sha256:" + "a" * 64, "sha256:" + "a" * 64, "sha256:" + "b" * 64),
    "probe": ({"timeout": "10s", "type": "http"}, {"type": "http", "timeout": 10, "port": 80},
              {"type": "http", "timeout": 11}),
    "traffic": ({"a": 60, "b": 40, "c": 0}, {"a": 60, "b": 40}, {"a": 50, "b": 50}),
}  # fmt: skip
CANON_SAMPLES: dict[str, tuple[Any, Any, Any]] = {
    "host_rule": ({"API.x.com.:443": "bs"}, {"api.x.com": "bs"}, {"api.x.com": "other"}),
    "host": (["A.io.", "b.io"], ["a.io", "b.io"], ["a.io"]),
    "scoped": (["ig"], ["us-central1-a/ig"], ["us-central1-a/ig", "us-central1-b/ig"]),
}


def _sample(spec: FieldSpec) -> tuple[Any, Any, Any]:
    if spec.canon:
        return CANON_SAMPLES[spec.canon]
    if spec.type == "enum":
        return spec.choices[0], spec.choices[0], spec.choices[-1]
    return SAMPLES[spec.type]


TOP_FIELDS = [t for t in typed_fields() if t[2] is None]


@pytest.mark.parametrize("field", TOP_FIELDS, ids=_id)
def test_every_typed_field_compares_a_declared_spelling_of_the_live_value(field):
    kind, name, _, spec = field
    declared, same, different = _sample(spec)
    clean, issues = check_value(spec, declared, None)
    assert issues == [], issues
    assert _findings(kind, {name: clean}, {name: same}) == []
    found = _findings(kind, {name: clean}, {name: different})
    assert found and all(f.path.startswith(f"{kind}/r/{name}") for f in found)


def test_every_field_type_has_a_sample():
    """A new field type needs a sample here, so the walk above covers it."""
    types = {spec.type for *_, spec in typed_fields() if not spec.canon and spec.type != "enum"}
    assert types <= set(SAMPLES)
    assert {spec.canon for *_, spec in typed_fields() if spec.canon} <= set(CANON_SAMPLES)
