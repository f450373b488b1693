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
