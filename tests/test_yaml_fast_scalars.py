"""The baseline loader reads plain ints, YAML 1.1 booleans and nulls without PyYAML's
constructor (drift/baseline/yaml_lines.py `_FAST_SCALARS`); what it gives must be what
`yaml.safe_load` gives, value and type, for any scalar text and explicit tag."""

from __future__ import annotations

import yaml
from hypothesis import given, settings
from hypothesis import strategies as st

from drift.baseline.yaml_lines import UNREADABLE, load_yaml

PIECES = ["0", "1", "7", "9", "-", "+", "_", "x", "o", "b", ":", ".", "e", "1_000", "0x1f"]
PIECES += ["yes", "Yes", "NO", "on", "Off", "true", "FALSE", "y", "~", "null", "Null", "a"]
TAGS = ["", "!!int ", "!!bool ", "!!null ", "!!float ", "!!str "]


@settings(max_examples=3000, deadline=None)
@given(st.sampled_from(TAGS), st.lists(st.sampled_from(PIECES), max_size=4).map("".join))
def test_fast_scalars_read_as_safe_load_reads_them(tag: str, text: str) -> None:
    document = f"key: {tag}{text}\n"
    try:
        want = yaml.safe_load(document)
    except (yaml.YAMLError, ValueError, TypeError, LookupError, AttributeError):
        want = None  # PyYAML refuses it: drift must report a problem, not a value
    got, problems = load_yaml(document, "f.yaml")
    if want is None or not isinstance(want, dict):
        assert problems or got is UNREADABLE or got == want or got == {"key": None}
        return
    assert not problems
    assert got == want
    assert type(got["key"]) is type(want["key"])


def test_a_plain_decimal_int_and_its_neighbours():
    got, _ = load_yaml("a: 80\nb: -3\nc: 0755\nd: 1_000\ne: 0x1f\nf: 1:30\ng: +0\n", "f")
    assert got == {"a": 80, "b": -3, "c": 493, "d": 1000, "e": 31, "f": 90, "g": 0}
    got, _ = load_yaml("a: yes\nb: OFF\nc: ~\nd: y\n", "f")
    assert got == {"a": True, "b": False, "c": None, "d": "y"}
