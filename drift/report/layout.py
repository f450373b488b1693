"""Plain-text layout for the table: wrap at word boundaries, fold only what cannot fit.

The table is read to spot one character (`api-staging` vs `api.staging`), so a host
name, a field or a short value is never cut in two: text wraps between words, a field
path after a `/`, a list after a comma. Only a single word wider than the whole column
(a 2,000-character value) is folded, since the other choice is a line wider than the
terminal. Widths are counted in terminal cells (a CJK character takes two).

Text given to these functions is already escaped (drift/report/escape.py): it holds no
control characters, so a space is the only whitespace and splitting on it is safe.
"""

from __future__ import annotations

from collections.abc import Iterable

from rich.cells import cell_len, chop_cells, get_character_cell_size
from rich.color import ColorSystem
from rich.style import Style

# A token is (what joins it to the text before it on the same line, its text).
Token = tuple[str, str]


def cells(text: str) -> int:
    """Terminal cells `text` takes."""
    return cell_len(text)


_WIDTHS: dict[str, int] = {}  # cells of each character met (rich's table, looked up once)
_JOINERS = ("\u200d", "\ufe0f")  # zero-width joiner, variation selector 16


def head(text: str, limit: int) -> str:
    """The first line `chop_cells(text, limit)` gives, at a cost bounded by `limit`.

    chop_cells splits the whole text into graphemes first: for a long value cut to 400
    cells, or folded line by line, that was most of a big table's time. Without a joiner
    or a variation selector (which merge characters into one grapheme), each character
    of nonzero width starts a grapheme and a zero-width one joins the previous, so the
    line can be measured character by character, up to where it ends.
    """
    if text.isascii() and text.isprintable():
        return text[:limit]  # one cell a character
    if any(j in text for j in _JOINERS):
        lines = chop_cells(text, limit)
        return lines[0] if lines else text  # no line: nothing but zero-width characters
    used = 0
    for i, char in enumerate(text):
        width = _WIDTHS.get(char)
        if width is None:
            width = _WIDTHS[char] = get_character_cell_size(char)
        if width and used + width > limit:
            return text[:i]
        used += width
    return text


def words(text: str, first_sep: str = " ") -> list[Token]:
    """`text` split at spaces; runs of spaces are kept when the words share a line."""
    parts = text.split(" ")
    return [(first_sep if i == 0 else " ", part) for i, part in enumerate(parts)]


def path_tokens(path: str, first_sep: str = " ") -> list[Token]:
    """A field path that may break after each `/` (`hosts/` + `api.staging.example.com`)."""
    parts = path.split("/")
    out = [p + "/" for p in parts[:-1]] + [parts[-1]]
    return [(first_sep if i == 0 else "", part) for i, part in enumerate(out) if part]


def list_tokens(items: Iterable[str], first_sep: str = " ") -> list[Token]:
    """`a, b, c` that may break after a comma, never inside an item."""
    items = list(items)
    return [
        (first_sep if i == 0 else " ", item + ("," if i < len(items) - 1 else ""))
        for i, item in enumerate(items)
    ]


def widest(tokens: Iterable[Token]) -> int:
    """The widest single token: the narrowest column that holds them without folding."""
    return max((cells(text) for _, text in tokens), default=0)


def wrap(
    tokens: Iterable[Token], width: int, start: str = "", first: int | None = None
) -> list[str]:
    """Lines of at most `width` cells (the first line: `first`), filled greedily; `start`
    is a line already begun.

    A token wider than its line is folded over several lines: the one case where a word
    is cut, because it cannot fit any line.
    """
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
            chunk = head(line, limit()) or line[0]  # a wide char in a 1-cell line
            lines.append(chunk)
            line = line[len(chunk) :]
    lines.append(line)
    return lines


def clip(text: str, limit: int) -> str:
    """`text` cut to about `limit` cells with the size left out named: one value must not
    fill the screen (the JSON report keeps it whole)."""
    if cells(text) <= limit:
        return text
    kept = head(text, limit)
    return f"{kept} ... ({len(text) - len(kept)} more characters; the JSON report has all)"


def pad(text: str, width: int) -> str:
    """`text` followed by spaces up to `width` cells."""
    return text + " " * max(0, width - cells(text))


class Painter:
    """Colour for a terminal, or nothing: deterministic SGR codes from rich's styles."""

    def __init__(self, color: bool) -> None:
        self.color = color

    def __call__(self, text: str, style: str | None) -> str:
        if not self.color or not style or not text:
            return text
        return Style.parse(style).render(text, color_system=ColorSystem.STANDARD)


def columns(
    cols: list[tuple[list[str], int, str | None]], paint: Painter, indent: int, gap: int
) -> list[str]:
    """Cells side by side: each column is (its lines, its width, its style); the last
    column is not padded, so no line ends in blanks."""
    height = max((len(lines) for lines, _, _ in cols), default=0)
    out = []
    for i in range(height):
        parts = []
        for n, (lines, width, style) in enumerate(cols):
            text = lines[i] if i < len(lines) else ""
            last = n == len(cols) - 1
            parts.append(paint(text, style) + ("" if last else " " * (width - cells(text))))
        out.append((" " * indent + (" " * gap).join(parts)).rstrip())
    return out
