"""drift.report.escape: which characters are shown escaped, and how (a table of cases)."""

from __future__ import annotations

import json
import unicodedata

import pytest

from drift.report.escape import escape_json, escape_text, is_unsafe

# (raw, as shown in text output): one row per kind of character the rule covers.
TEXT_CASES = [
    ("plain ascii ~!@#$%^&*()[]{}<>|`", "plain ascii ~!@#$%^&*()[]{}<>|`"),
    ("back\\slash C:\\dir ^\\d+$", "back\\slash C:\\dir ^\\d+$"),  # left as is, see the module
    ("café 東京 ñ", "café 東京 ñ"),  # ordinary non-ASCII text stays readable
    ("emoji \U0001f600", "emoji \U0001f600"),
    ("nbsp\u00a0here", "nbsp\u00a0here"),
    ("staging\x1b[2J\x1b[H", "staging\\x1b[2J\\x1b[H"),  # CSI: clear screen, cursor home
    (
        "\x1b]8;;https://evil.example/\x1b\\click\x1b]8;;\x1b\\",
        "\\x1b]8;;https://evil.example/\\x1b\\click\\x1b]8;;\\x1b\\",
    ),  # OSC 8 hyperlink
    ("\x1b]0;owned-title\x07", "\\x1b]0;owned-title\\x07"),  # OSC 0 window title, BEL
    ("line1\nFAKE  critical\nline3", "line1\\nFAKE  critical\\nline3"),
    ("innocent\rEVIL", "innocent\\rEVIL"),
    ("a\tb", "a\\tb"),
    ("safe\b\b\bevil", "safe\\x08\\x08\\x08evil"),
    ("a\x00b", "a\\x00b"),
    ("del\x7f", "del\\x7f"),
    ("\x0b\x0c\x1c\x1d\x1e", "\\x0b\\x0c\\x1c\\x1d\\x1e"),  # splitlines() breaks on these
    ("\x9b2J", "\\x9b2J"),  # C1 CSI
    ("\x85next line", "\\x85next line"),  # C1 NEL
    ("\x80\x9f", "\\x80\\x9f"),  # both ends of C1
    ("abc\u202edcba", "abc\\u202edcba"),  # right-to-left override
    ("\u202a\u202b\u202c\u202d", "\\u202a\\u202b\\u202c\\u202d"),
    ("\u2066\u2067\u2068\u2069", "\\u2066\\u2067\\u2068\\u2069"),  # isolates
    ("\u200e\u200f\u061c", "\\u200e\\u200f\\u061c"),  # marks
    ("sta\u200bging", "sta\\u200bging"),  # zero-width space would hide a difference
    ("\ufeffbom", "\\ufeffbom"),
    ("a\u2028b\u2029c", "a\\u2028b\\u2029c"),  # line and paragraph separators
    ("tag\U000e0041", "tag\\U000e0041"),  # invisible tag character
    ("lone\ud800", "lone\\ud800"),  # a lone surrogate cannot even be encoded
]


@pytest.mark.parametrize(("raw", "shown"), TEXT_CASES)
def test_escape_text_table(raw: str, shown: str) -> None:
    assert escape_text(raw) == shown


@pytest.mark.parametrize(("raw", "shown"), TEXT_CASES)
def test_escaped_text_is_one_line_and_encodable(raw: str, shown: str) -> None:
    out = escape_text(raw)
    assert len(out.splitlines()) <= 1
    out.encode("utf-8")  # raises on a lone surrogate left raw


def test_every_code_point_of_the_unsafe_categories_is_escaped() -> None:
    """The general rule over planes 0, 1 and 14 (where format characters live)."""
    points = [*range(0, 0x20000), *range(0xE0000, 0xE1000)]
    text = "".join(map(chr, points))
    out = escape_text(text)
    assert not [c for c in out if is_unsafe(c)]
    assert len(out.splitlines()) == 1
    kept = {c for c in text if not is_unsafe(c)}
    assert kept <= set(out)  # nothing else was touched
    cats = {unicodedata.category(c) for c in text if is_unsafe(c)}
    assert cats == {"Cc", "Cf", "Zl", "Zp", "Cs"}


@pytest.mark.parametrize(("raw", "shown"), TEXT_CASES)
def test_escape_json_keeps_the_value_and_escapes_the_same_characters(raw: str, shown: str):
    text = escape_json(json.dumps({"v": raw, "n": [1, None]}, indent=2, ensure_ascii=False))
    assert json.loads(text) == {"v": raw, "n": [1, None]}
    assert not [c for c in text if is_unsafe(c) and c != "\n"]
    assert all(line.startswith((" ", "{", "}")) for line in text.splitlines())  # no new lines
    text.encode("utf-8")


def test_escape_json_leaves_ordinary_text_readable_and_is_deterministic() -> None:
    value = {"name": "café \u202e", "c1": "\x9b", "astral": "\U000e0041"}
    text = escape_json(json.dumps(value, ensure_ascii=False, sort_keys=True))
    assert text == '{"astral": "\\udb40\\udc41", "c1": "\\u009b", "name": "café \\u202e"}'
    assert escape_json(json.dumps(value, ensure_ascii=False, sort_keys=True)) == text


def test_large_values_are_escaped_whole() -> None:
    """A 1 MB env value (the original of case 19 had one) is escaped to its last character."""
    big = ("x" * 1_000_000) + "\x1b"
    assert escape_text(big) == "x" * 1_000_000 + "\\x1b"
    cjk = "東" * 200_000 + "\u202e"
    assert escape_text(cjk) == "東" * 200_000 + "\\u202e"
    assert json.loads(escape_json(json.dumps(big, ensure_ascii=False))) == big
