"""A YAML file without any alias (`*name`) is built without the alias bookkeeping
(drift/baseline/yaml_lines.py `_build_tree`): every value, line, number text and problem
must be what the alias-aware builder gives, on the loader fuzzer's inputs."""

from __future__ import annotations

from typing import Any

import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from drift.baseline import yaml_lines
from drift.baseline.yaml_lines import LList, LMap, _Builder, _Loader, no_gc
from tests.test_loader_fuzz import mutated, project_yaml, resource_yaml


def _shape(value: Any) -> Any:
    """The value with every line the builder records, for comparing two builds."""
    if isinstance(value, LMap):
        items = {k: _shape(v) for k, v in value.items()}
        return ("map", value.line, items, dict(value.key_lines), dict(value.number_text))
    if isinstance(value, LList):
        return ("list", value.line, [_shape(v) for v in value], list(value.item_lines))
    return (type(value).__name__, value)


def _build(text: str, aliases: bool) -> Any:
    loader = _Loader(text)
    try:
        with no_gc():
            node = loader.get_single_node()
            if node is None:
                return None
            builder = _Builder(loader, "f.yaml", aliases=aliases)
            try:
                value = builder.build(node, "")
            except yaml_lines._TooManyAliases:
                return "too many aliases"
            return _shape(value), [str(p) for p in builder.problems]
    except yaml.YAMLError:
        return "YAML error"
    finally:
        loader.dispose()


texts = (
    st.one_of(resource_yaml(), project_yaml())
    .flatmap(lambda t: st.one_of(st.just(t), mutated(t)))
    .filter(lambda t: "*" not in t and yaml_lines._forbidden_character(t, "f") is None)
)


@settings(max_examples=400, deadline=None, suppress_health_check=list(HealthCheck))
@given(texts)
def test_a_file_without_aliases_builds_the_same_either_way(text: str) -> None:
    assert _build(text, aliases=False) == _build(text, aliases=True)


def test_only_a_file_that_can_hold_an_alias_pays_for_them() -> None:
    value, problems = yaml_lines.load_yaml("a: &x {b: 1}\nc: *x\n", "f.yaml")
    assert value == {"a": {"b": 1}, "c": {"b": 1}} and problems == []
    deep = "a: " + "[" * 70 + "]" * 70 + "\n"
    _, problems = yaml_lines.load_yaml(deep, "f.yaml")
    assert any("nested more than 64 levels" in str(p) for p in problems)
