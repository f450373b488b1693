"""compare's equality fast path (drift/engine/values.py `same_value`, used by compare's
`deep`) may skip DeepDiff only where DeepDiff would find nothing: `same_value(a, b)` must
imply an empty diff under the options compare uses, for every kind of value a normalized
view holds (numbers of mixed types, Fractions from unit parsing, booleans, the baseline
loader's line-carrying dicts and lists)."""

from __future__ import annotations

from fractions import Fraction
from typing import Any

from deepdiff import DeepDiff
from hypothesis import given, settings
from hypothesis import strategies as st

from drift.baseline.yaml_lines import LList, LMap
from drift.engine.compare import compare
from drift.engine.values import same_value
from drift.model import Resource, Snapshot
from tests import worldkit as wk
from tests.test_engine import load

OPTIONS = dict(ignore_order=True, ignore_numeric_type_changes=True, threshold_to_diff_deeper=0)

scalars = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(-3, 3),
    st.sampled_from([0.0, 0.5, 1.0, -0.0, 2.0, 0.043]),
    st.sampled_from([Fraction(1, 2), Fraction(1), Fraction(43, 1000), Fraction(0)]),
    st.sampled_from(["", "a", "1", "true", "0.5"]),
)


def _lmap(d: dict[str, Any]) -> LMap:
    m = LMap(1)
    m.update(d)
    return m


def _llist(items: list[Any]) -> LList:
    out = LList(1)
    out.extend(items)
    return out


values = st.recursive(
    scalars,
    lambda inner: st.one_of(
        st.lists(inner, max_size=3),
        st.lists(inner, max_size=3).map(_llist),
        st.dictionaries(st.sampled_from(["a", "b", "env"]), inner, max_size=3),
        st.dictionaries(st.sampled_from(["a", "b", "env"]), inner, max_size=3).map(_lmap),
    ),
    max_leaves=8,
)


def _twin(value: Any) -> Any:
    """An equal value built differently: numbers of another type, plain containers."""
    if isinstance(value, bool) or value is None or isinstance(value, str):
        return value
    if isinstance(value, Fraction | int | float):
        return float(value) if float(value) == value else value
    if isinstance(value, dict):
        return {k: _twin(v) for k, v in value.items()}
    return [_twin(v) for v in value]


@settings(max_examples=400, deadline=None)
@given(values, values)
def test_equal_values_have_no_deepdiff(a: Any, b: Any) -> None:
    for left, right in ((a, b), (a, _twin(a)), (_twin(b), b)):
        if same_value({"x": left}, {"x": right}):
            assert not DeepDiff({"x": left}, {"x": right}, **OPTIONS)


@given(values)
def test_a_value_and_its_plain_twin_take_the_fast_path(a: Any) -> None:
    """The implication above is not vacuous: equal plain values are recognised."""
    plain = _twin(a)
    assert same_value(plain, _twin(plain))


def test_a_difference_behind_equal_fields_is_still_found(tmp_path) -> None:
    """Fields that are equal take the fast path, one that differs still gets its finding."""
    baseline = load(
        tmp_path,
        {"services.yaml": "services:\n  api:\n    region: us-central1\n    image: img:v1\n"
         "    labels: {team: a}\n  web:\n    region: us-central1\n    image: img:v1\n"},
    )  # fmt: skip
    live = (
        Resource("services", "api", wk.REGION, {"image": "img:v2", "labels": {"team": "a"}}),
        Resource("services", "web", wk.REGION, {"image": "img:v1"}),
    )
    found = compare(baseline, Snapshot(wk.PROJECT, wk.NUMBER, ("services",), live))
    assert [(f.resource, f.field, f.type) for f in found] == [("api", "image", "changed")]
