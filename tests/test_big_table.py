"""Big reports (issue 13, item 3): thousands of findings draw in one plain pass.

- the layout primitives are linear and give what rich's chop_cells gives (a line is cut
  where chop_cells cuts it, a long word folds the same way), on any text;
- escaping skips text with nothing unprintable, and nothing unsafe is unprintable-free;
- from BIG_ROWS rows the table is one row per line, values cut at BIG_VALUE_CAP cells,
  with a note naming the JSON report; smaller reports keep their layouts.
"""

from __future__ import annotations

import sys
from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st
from rich.cells import cell_len, chop_cells

from drift.model import Finding, Report
from drift.report import escape, table
from drift.report.layout import Token, cells, head, wrap

# ASCII, accents, CJK (2 cells), combining marks (0 cells), emoji with a zero-width
# joiner and a variation selector, a soft hyphen: every way a cell count can go.
ALPHABET = ["a", "b", " ", "é", "漢", "字", "\u0301", "\u0300", "👍", "\u200d", "\ufe0f", "❤",
            "\u00ad", "x" * 5, "漢" * 4]  # fmt: skip
texts = st.lists(st.sampled_from(ALPHABET), min_size=1, max_size=40).map("".join)


@settings(max_examples=1500, deadline=None)
@given(texts, st.integers(1, 30))
def test_head_is_the_first_line_chop_cells_gives(text: str, limit: int) -> None:
    lines = chop_cells(text, limit)
    assert head(text, limit) == (lines[0] if lines else text)


def _old_wrap(
    tokens: list[Token], width: int, start: str = "", first: int | None = None
) -> list[str]:
    """wrap() as it was before it was made linear: the reference."""
    lines: list[str] = []
    line = start

    def limit() -> int:
        return max(1, first if first is not None and not lines else width)

    for sep, text in tokens:
        joined = line + sep + text if line else text
        if cells(joined) <= limit():
            line = joined
            continue
        if line:
            lines.append(line)
        line = text
        while cells(line) > limit():
            chunks = chop_cells(line, limit())  # [] for text of zero width
            chunk = (chunks[0] if chunks else "") or line[0]
            lines.append(chunk)
            line = line[len(chunk) :]
    lines.append(line)
    return lines


@settings(max_examples=800, deadline=None)
@given(
    st.lists(st.tuples(st.sampled_from(["", " "]), texts), min_size=1, max_size=6),
    # From 2 cells: at 1 a double-width character fits nowhere, and the two foldings
    # differ there on zero-width joiners before it (seen once in CI; a table column is
    # never 1 cell wide).
    st.integers(2, 25),
    st.one_of(st.none(), st.integers(2, 25)),
)
def test_wrap_folds_as_it_did(tokens: list[Token], width: int, first: int | None) -> None:
    assert wrap(tokens, width, first=first) == _old_wrap(tokens, width, first=first)


def test_nothing_unsafe_is_printable() -> None:
    """escape_text passes printable text through untouched: that is only right if every
    character it must escape is unprintable."""
    unsafe = [c for c in map(chr, range(sys.maxunicode + 1)) if escape.is_unsafe(c)]
    assert unsafe and not any(c.isprintable() for c in unsafe)
    assert escape.escape_text("漢字 é") == "漢字 é"
    assert escape.escape_text("a\x1b[2Jb\u202e") == "a\\x1b[2Jb\\u202e"


def _report(n: int, value: str) -> Report:
    findings = tuple(
        Finding(f"services/s{i:05d}/image", "services", f"s{i:05d}", "us-central1", "image",
                "changed", "warning", value + "-declared", value + "-live",
                f"Cloud Run service s{i:05d}: image differs.", f"e/p/services.yaml:{i}")
        for i in range(n)
    )  # fmt: skip
    return Report("p", "1", "2026-01-01T00:00:00Z", "live", "x", "e/p", "0", n, findings)


def _rows(text: str) -> list[str]:
    return [line for line in text.splitlines() if line.startswith(("warning", "  warning"))]


def test_a_big_table_is_one_plain_row_per_line() -> None:
    long = "漢字" * 300  # 1,200 cells: cut at BIG_VALUE_CAP
    out = table.render(_report(table.BIG_ROWS, long), width=120)
    lines = out.splitlines()
    assert f"{table.BIG_ROWS} rows: one per line" in out
    assert "the JSON report (--format json) holds every value" in out
    rows = _rows(out)
    assert len(rows) == table.BIG_ROWS  # no heading per resource, no column header
    assert all(r.startswith("warning   services/s") for r in rows)
    assert all(cell_len(line) <= 120 for line in lines)
    assert "more characters; the JSON report has all" in out
    assert len(lines) <= 6 * table.BIG_ROWS  # each value cut short: a few lines a row


def test_a_smaller_table_keeps_its_layout() -> None:
    out = table.render(_report(table.BIG_ROWS - 1, "img"), width=120)
    assert "rows: one per line" not in out
    assert "  severity  field" in out  # the wide layout's column header


def _lines_per_row(n: int, value: Any) -> float:
    return len(table.render(_report(n, value), width=100).splitlines()) / n


def test_drawing_stays_linear() -> None:
    """Twice the rows, twice the lines: nothing is redone per row for the others."""
    a, b = (
        _lines_per_row(table.BIG_ROWS, "x" * 2000),
        _lines_per_row(2 * table.BIG_ROWS, "x" * 2000),
    )
    assert abs(a - b) < 0.01
