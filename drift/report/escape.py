"""One rule for showing text drift did not write itself: control characters are shown, not obeyed.

Live values (env vars, labels, names), server error text and file paths come from whoever
controls the project, the network in between, or the disk. Printed raw, an ESC sequence
clears the screen, sets the window title or hides a link target; a newline draws a fake
table row; a bidi override makes `abc<U+202E>dcba` read as something else. Every text
output (table, stderr lines, the NOT CHECKED header) goes through `escape_text`, and the
JSON report through `escape_json`.

Unsafe characters are those of the Unicode categories below:
- Cc: C0 controls (NUL .. US, including ESC, BEL, CR, LF, TAB, backspace), DEL and the
  C1 controls U+0080-U+009F (U+009B is a one-character CSI on many terminals);
- Cf: format characters, among them the bidi controls (U+200E/F, U+061C, U+202A-U+202E,
  U+2066-U+2069) and zero-width characters that would hide a difference between values;
- Zl, Zp: U+2028 and U+2029, which `str.splitlines()` and many viewers take as line breaks;
- Cs: lone surrogates, which cannot even be encoded as UTF-8.

Backslashes are left as they are, so regular expressions and Windows paths stay readable:
the text formats are for reading, the JSON report is the exact record.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable

UNSAFE_CATEGORIES = frozenset({"Cc", "Cf", "Zl", "Zp", "Cs"})

# The familiar short forms; everything else is \xHH, \uHHHH or \UHHHHHHHH (Python's notation).
SHORT = {"\n": "\\n", "\r": "\\r", "\t": "\\t"}

# Printable ASCII is always safe: only other characters need a category look-up.
_NOT_PRINTABLE_ASCII = re.compile(r"[^\x20-\x7e]")
# json.dumps already escapes C0 controls inside strings, so in its output a raw character
# below DEL is structure (indentation newlines) and must stay.
_NOT_ASCII_BELOW_DEL = re.compile(r"[^\x00-\x7e]")


def is_unsafe(char: str) -> bool:
    """Whether one character must never reach a terminal or a viewer raw."""
    return unicodedata.category(char) in UNSAFE_CATEGORIES


def visible(char: str) -> str:
    """The escaped, printable-ASCII spelling of one character (`\\x1b`, `\\u202e`, `\\n`)."""
    if char in SHORT:
        return SHORT[char]
    code = ord(char)
    if code <= 0xFF:
        return f"\\x{code:02x}"
    if code <= 0xFFFF:
        return f"\\u{code:04x}"
    return f"\\U{code:08x}"


def json_escape(char: str) -> str:
    """The JSON string escape of one character (a surrogate pair above U+FFFF)."""
    code = ord(char)
    if code <= 0xFFFF:
        return f"\\u{code:04x}"
    code -= 0x10000
    return f"\\u{0xD800 + (code >> 10):04x}\\u{0xDC00 + (code & 0x3FF):04x}"


def _substitute(pattern: re.Pattern[str], text: str, spell: Callable[[str], str]) -> str:
    def one(match: re.Match[str]) -> str:
        char = match.group()
        return spell(char) if is_unsafe(char) else char

    return pattern.sub(one, text)


def escape_text(text: str) -> str:
    """`text` on one line with every unsafe character shown escaped; other text unchanged.

    A value with a newline stays one line (`a\\nb`), so it can never start a table row.
    """
    if text.isprintable():
        return text  # every unsafe category is unprintable: a quick pass rules them out
    return _substitute(_NOT_PRINTABLE_ASCII, text, visible)


def escape_json(text: str) -> str:
    """JSON text from `json.dumps(..., ensure_ascii=False)` with unsafe characters escaped.

    json.dumps escapes C0 controls but leaves DEL, C1 controls, bidi and other format
    characters, U+2028/9 and lone surrogates raw. Outside string literals JSON text is
    ASCII, so every such character found is inside a string, and its `\\uXXXX` form
    decodes to the same value. Other non-ASCII text (accents, CJK) stays readable UTF-8.
    """
    return _substitute(_NOT_ASCII_BELOW_DEL, text, json_escape)
