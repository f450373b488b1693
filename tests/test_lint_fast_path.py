"""lint's placeholder search rules most strings out with one scan (drift/engine/lint.py
`_MAYBE`); it must find exactly what the full search finds, on any text."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from drift.engine import lint
from drift.redact import is_mask

PIECES = ["<", ">", "${", "}", "{{", "}}", "$", "{", "TO", "DO", "TODO", "CHANGE", "_ME"]
PIECES += ["ME", "REPLACE", "@sha256:", "ab", "0f", "a", " ", "-", "x", "html", "<b>", "/"]


def full_search(text: str) -> list[str]:
    """lint.placeholders without the quick rule-out: every pattern, always."""
    if not text or is_mask(text):
        return []
    text = lint._DIGEST.sub("", text)
    found = [(m.start(), m.group(0)) for m in lint._ANGLE.finditer(text)
             if m.group(1).lower() not in lint._HTML_TAGS]  # fmt: skip
    for pattern in (lint._DOLLAR, lint._MUSTACHE, lint._WORDS):
        found += [(m.start(), m.group(0)) for m in pattern.finditer(text)]
    return [token for _, token in sorted(found)]


@settings(max_examples=2000, deadline=None)
@given(st.lists(st.sampled_from(PIECES), max_size=12).map("".join))
def test_the_quick_rule_out_finds_what_the_full_search_finds(text: str) -> None:
    assert lint.placeholders(text) == full_search(text)


def test_a_digest_taken_out_cannot_hide_a_placeholder() -> None:
    assert lint.placeholders("TO@sha256:0fDO") == ["TODO"]
    assert lint.placeholders("img@sha256:0f") == []
    assert lint.placeholders("https://api.example.com/v1") == []


# Field values as live resources hold them: strings (keys too), numbers, booleans, None,
# lists and nested mappings, built from the same pieces plus characters repr() escapes.
_TEXT = st.lists(st.sampled_from([*PIECES, "'", '"', "\\", "\n", "\x1b", "é"]), max_size=8).map(
    "".join
)
_LEAF = _TEXT | st.integers() | st.booleans() | st.none()
_VALUE = st.recursive(
    _LEAF,
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(_TEXT, inner, max_size=3),
    max_leaves=12,
)


@settings(max_examples=1500, deadline=None)
@given(st.dictionaries(_TEXT, _VALUE, max_size=4))
def test_the_whole_resource_rule_out_never_hides_a_placeholder(fields) -> None:
    """lint rules a resource out with one look at repr() of its fields: whenever any string
    in it (a key or a value, however deep) holds a placeholder, that look must say maybe."""
    from drift.model import Resource

    r = Resource("services", "svc", "us-central1", fields)
    if not lint._may_hold_placeholder(fields):
        assert lint._placeholders(r) == []
        strings = [text for _, text, _ in lint._strings(fields, "f", "f")] + list(fields)
        assert not any(full_search(s) for s in strings if isinstance(s, str))
