"""Safe YAML loading that remembers where every key was written, within fixed bounds.

Baseline errors must name `file:line`, and a baseline with a duplicate key must be
rejected rather than silently keeping the last value (PyYAML's default). So instead of
`yaml.safe_load` we compose the node graph with a safe loader (libyaml's when present,
which is ~20x faster) and build our own structure from it: `LMap` / `LList` are plain
dict / list subclasses that also carry the line of each key / item. Scalars are
constructed by PyYAML's SafeConstructor, so tags, ints, bools, nulls and dates resolve
exactly as with `yaml.safe_load`.

Nothing a file holds may crash, hang or exhaust memory here; every such input becomes
a located `Problem` instead:

- characters YAML forbids (NUL, ESC, DEL, other controls) are found before parsing;
- nesting deeper than `MAX_DEPTH` is refused (libyaml stops at 1000 on its own);
- aliases (`*name`) may be re-used, but the values they expand to are counted, and a
  file that expands more than `MAX_ALIAS_NODES` of them ("billion laughs") is refused;
  merge keys (`<<: *base`) are expanded here, under the same count, not by PyYAML
  (whose `flatten_mapping` copies merged lists and grows exponentially);
- a scalar the constructor cannot build (`2026-13-45`, `!!int abc`, a 5000-digit
  number) is a problem at its line, never a ValueError.

`Problem` and `BaselineError` live here because this is the lowest layer of the
package: every other module reports into them.
"""

from __future__ import annotations

import gc
import re
import unicodedata
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

import yaml

# Deeper than any real baseline (which needs about 6 levels), shallow enough that the
# recursive builder stays far from Python's recursion limit.
MAX_DEPTH = 64
# Values an alias may stand for, summed over one file. Shared blocks of a few hundred
# values are fine; a "billion laughs" file reaches this after a few milliseconds.
MAX_ALIAS_NODES = 10_000
# Longest value or field path quoted in an error; the rest is elided in the middle.
_MAX_QUOTE = 160


@dataclass(frozen=True)
class Problem:
    """One thing wrong with a baseline, located as precisely as we know."""

    file: str
    line: int | None
    field: str | None
    message: str

    def __str__(self) -> str:
        where = self.file if self.line is None else f"{self.file}:{self.line}"
        if self.field:
            where = f"{where}: {shorten(self.field)}"
        # The message may quote a file's content; keep one line of printable text.
        return escape_controls(f"{where}: {shorten(self.message, 4 * _MAX_QUOTE)}")


class BaselineError(Exception):
    """A baseline that cannot be used; carries every problem found, not just the first."""

    def __init__(self, problems: list[Problem]) -> None:
        self.problems = list(problems)
        super().__init__(str(self))

    def __str__(self) -> str:
        return "\n".join(str(p) for p in self.problems)


def escape_controls(text: str) -> str:
    """Write unsafe characters as \\n, \\xNN, \\uNNNN so an error cannot drive the terminal.

    Unsafe are the Unicode categories Cc (controls, ESC sequences), Cf (format, bidi
    overrides), Zl / Zp (line separators) and Cs (lone surrogates from undecodable file
    names), spelled as drift/report/escape.py spells them, so an error line looks the same
    whichever layer escaped it.
    """
    if text.isascii() and text.isprintable():
        return text
    return "".join(_escape_char(c) if _unsafe(c) else c for c in text)


_UNSAFE_CATEGORIES = frozenset({"Cc", "Cf", "Zl", "Zp", "Cs"})
_SHORT = {"\n": "\\n", "\r": "\\r", "\t": "\\t"}


def _unsafe(char: str) -> bool:
    return not (" " <= char <= "~") and unicodedata.category(char) in _UNSAFE_CATEGORIES


def _escape_char(char: str) -> str:
    code = ord(char)
    if char in _SHORT:
        return _SHORT[char]
    return (
        f"\\x{code:02x}"
        if code < 0x100
        else f"\\u{code:04x}"
        if code < 0x10000
        else f"\\U{code:08x}"
    )


def shorten(text: str, limit: int = _MAX_QUOTE) -> str:
    """`text`, or its head and tail around an ellipsis when longer than `limit`."""
    if len(text) <= limit:
        return text
    head = limit * 2 // 3
    return f"{text[:head]}…{text[len(text) - (limit - head - 1) :]}"


def quote(value: Any) -> str:
    """repr() of a value for a message, at most a line long."""
    return shorten(repr(value))


class LMap(dict):
    """A dict that knows its own line and the line of each of its keys.

    `number_text` keeps the text of values written as plain YAML numbers (`1.10`,
    `0755`, `.inf`), for fields whose values are strings live, where `1.1` or `493`
    would not be what the user wrote.
    """

    line: int = 0
    key_lines: dict[Any, int]
    number_text: dict[Any, str]

    def __init__(self, line: int = 0) -> None:
        super().__init__()
        self.line = line
        self.key_lines = {}
        self.number_text = {}


class LList(list):
    """A list that knows its own line and the line of each item."""

    line: int = 0
    item_lines: list[int]

    def __init__(self, line: int = 0) -> None:
        super().__init__()
        self.line = line
        self.item_lines = []


class Unreadable(str):
    """The text of a scalar that could not be built (already reported as a problem).

    It stands in for the value so the rest of the file is still checked; checks that
    would only repeat the same complaint can recognise it.
    """


_STR_TAG = "tag:yaml.org,2002:str"
_NUMBER_TAGS = ("tag:yaml.org,2002:int", "tag:yaml.org,2002:float")
# Scalars whose value PyYAML's SafeConstructor would give can be read without it (a big
# baseline has tens of thousands: `concurrency: 80`, `ready: true`). A plain decimal
# integer (no `_`, base prefix, leading zero or `:`) is int(text); YAML 1.1 booleans are
# its bool_values by lower case; the null spellings are None. Anything else goes
# through the constructor.
_PLAIN_INT = re.compile(r"[-+]?(?:0|[1-9][0-9]{0,17})\Z")
_BOOLS = {"yes": True, "no": False, "true": True, "false": False, "on": True, "off": False}


def _fast_int(text: str) -> Any:
    return int(text) if _PLAIN_INT.match(text) else _SLOW


def _fast_bool(text: str) -> Any:
    return _BOOLS.get(text.lower(), _SLOW)


def _fast_null(text: str) -> Any:
    return None


_SLOW: Any = object()
_FAST_SCALARS = {
    "tag:yaml.org,2002:int": _fast_int,
    "tag:yaml.org,2002:bool": _fast_bool,
    "tag:yaml.org,2002:null": _fast_null,
}
_MAP_TAG = "tag:yaml.org,2002:map"
_SEQ_TAG = "tag:yaml.org,2002:seq"
_MERGE_TAG = "tag:yaml.org,2002:merge"
_VALUE_TAG = "tag:yaml.org,2002:value"
_TIMESTAMP_TAG = "tag:yaml.org,2002:timestamp"
_YAML_TAG_PREFIX = "tag:yaml.org,2002:"
_DATE_ONLY = re.compile(r"^\d{4}-\d\d?-\d\d?$")
# What YAML allows in a stream (YAML 1.1 "printable"), minus NEL, LS and PS: YAML counts
# those as line breaks and editors do not, so every line number after them would be off.
_FORBIDDEN = re.compile(
    "[^\t\n\r\x20-\x7e\xa0-\u2027\u202a-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]"
)
_CHAR_NAMES = {0x00: "NUL", 0x07: "BEL", 0x08: "BS", 0x0B: "VT", 0x0C: "FF", 0x1B: "ESC"}
_CHAR_NAMES |= {0x7F: "DEL", 0x85: "NEL", 0x2028: "LINE SEPARATOR", 0x2029: "PARAGRAPH SEPARATOR"}
_CHAR_NAMES |= {0xFFFE: "not a character", 0xFFFF: "not a character"}

_BaseLoader: Any = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


class _Loader(_BaseLoader):  # type: ignore[misc, valid-type]
    """Safe loading only: no python tags, no arbitrary objects.

    libyaml composes the nodes, but asks this (Python) resolver for the tag of every one:
    a 3,000-service baseline has 200,000 scalars, most of them repeated (`true`, `1`,
    field names), so each answer is kept for the rest of the file. `resolve` depends only
    on its arguments (no path resolvers are registered).
    """

    def __init__(self, stream: Any) -> None:
        super().__init__(stream)
        self._tags: dict[tuple[Any, Any, Any], str] = {}
        self._plain: dict[str, str] = {}  # the tag of a plain scalar, by its text

    def resolve(self, kind: Any, value: Any, implicit: Any) -> str:
        if kind is yaml.ScalarNode and implicit[0] is True:
            # A plain scalar (most nodes): its tag depends on its text alone.
            tag = self._plain.get(value)
            if tag is None:
                tag = self._plain[value] = super().resolve(kind, value, implicit)
            return tag
        key = (kind, value, implicit)
        tag = self._tags.get(key)
        if tag is None:
            tag = self._tags[key] = super().resolve(kind, value, implicit)
        return tag


class _TooManyAliases(Exception):
    def __init__(self, line: int, path: str) -> None:
        super().__init__(path)
        self.line, self.path = line, path


@dataclass
class _Builder:
    loader: Any
    file: str
    # Whether the file can hold an alias at all (`*name`): without one no node is reached
    # twice, so the bookkeeping that bounds alias expansion and finds recursive aliases
    # is skipped (a third of the time of a big file).
    aliases: bool = True
    problems: list[Problem] = field(default_factory=list)
    _active: set[int] = field(default_factory=set)
    _built: set[int] = field(default_factory=set)
    _expanded: int = 0
    # Where the outermost alias expansion in progress is written: (line, path).
    _alias_start: tuple[int, str] | None = None

    def build(self, node: yaml.Node, path: str, depth: int = 0, at: int = 0) -> Any:
        """Build `node` (found at `path`, written at line `at` when it is an alias)."""
        if not self.aliases:
            return self._build_tree(node, path, depth)
        if id(node) in self._active:
            self._problem(node, path, "recursive YAML alias; write the value out instead")
            return None
        if depth > MAX_DEPTH:
            self._problem(
                node,
                path,
                f"nested more than {MAX_DEPTH} levels deep; a baseline needs only a few levels",
            )
            return None
        outermost = False
        if id(node) in self._built:
            # Built before: we are expanding an alias. Count it, whatever its size.
            self._expanded += 1
            if self._alias_start is None:
                self._alias_start, outermost = (at or _line(node), path), True
            if self._expanded > MAX_ALIAS_NODES:
                raise _TooManyAliases(*self._alias_start)
        self._built.add(id(node))
        self._active.add(id(node))
        try:
            if isinstance(node, yaml.ScalarNode):
                return self._scalar(node, path)
            if node.tag not in (_MAP_TAG, _SEQ_TAG):
                # We build collections ourselves, so refuse any tag we would otherwise ignore.
                self._problem(node, path, f"unsupported YAML tag {_tag(node.tag)}; remove it")
                return None
            if isinstance(node, yaml.MappingNode):
                return self._mapping(node, path, depth)
            out = LList(_line(node))
            for i, item in enumerate(node.value):
                # An alias node carries its anchor's line; where it is used, we only
                # know the enclosing list's line.
                item_at = at if id(item) in self._built else _line(item)
                out.append(self.build(item, f"{path}[{i}]", depth + 1, item_at))
                out.item_lines.append(_line(item))
            return out
        finally:
            self._active.discard(id(node))
            if outermost:
                self._alias_start = None

    def _build_tree(self, node: yaml.Node, path: str, depth: int) -> Any:
        """`build` for a file without aliases: every node is met once, so it is a tree."""
        if depth > MAX_DEPTH:
            self._problem(
                node,
                path,
                f"nested more than {MAX_DEPTH} levels deep; a baseline needs only a few levels",
            )
            return None
        if isinstance(node, yaml.ScalarNode):
            tag = node.tag
            if tag == _STR_TAG:
                return node.value
            fast = _FAST_SCALARS.get(tag)
            if fast is not None:
                value = fast(node.value)
                if value is not _SLOW:
                    return value
            return self._scalar(node, path)
        if node.tag not in (_MAP_TAG, _SEQ_TAG):
            self._problem(node, path, f"unsupported YAML tag {_tag(node.tag)}; remove it")
            return None
        if isinstance(node, yaml.MappingNode):
            return self._mapping(node, path, depth)
        out = LList(node.start_mark.line + 1)
        lines = out.item_lines
        for i, item in enumerate(node.value):
            out.append(self._build_tree(item, f"{path}[{i}]", depth + 1))
            lines.append(item.start_mark.line + 1)
        return out

    def _scalar(self, node: yaml.ScalarNode, path: str) -> Any:
        if node.tag == _STR_TAG:
            return node.value  # what SafeConstructor returns, without its bookkeeping
        try:
            return self.loader.construct_object(node, deep=True)
        except (ValueError, TypeError, LookupError, AttributeError, yaml.YAMLError) as exc:
            self._problem(node, path, _scalar_problem(node, exc))
            return Unreadable(node.value)

    def _key(self, key_node: yaml.Node, path: str) -> Any:
        """A mapping key's value, or Unreadable when it is not a plain scalar (reported)."""
        if not isinstance(key_node, yaml.ScalarNode):
            self._problem(key_node, path, "mapping keys must be plain names, not lists or mappings")
            return Unreadable("")
        if key_node.tag == _VALUE_TAG:  # the `=` key of YAML 1.1: a plain string to us
            return key_node.value
        return self._scalar(key_node, path)

    def _mapping(self, node: yaml.MappingNode, path: str, depth: int) -> LMap:
        explicit = LMap(_line(node))
        key_lines = explicit.key_lines
        merged: list[LMap] = []
        # Without aliases a plain string value needs no bookkeeping: taken as it is (most
        # of a big baseline's values; the same as build() would give).
        plain_strings = not self.aliases and depth + 1 <= MAX_DEPTH
        for key_node, value_node in node.value:
            key_tag = key_node.tag
            if key_tag == _MERGE_TAG:
                merged += self._merge(value_node, path, depth, _line(key_node))
                continue
            if key_tag == _STR_TAG and isinstance(key_node, yaml.ScalarNode):
                key = key_node.value  # what _key gives a plain string key
            else:
                key = self._key(key_node, path)
                if isinstance(key, Unreadable):
                    continue
            line = key_node.start_mark.line + 1
            if key in key_lines:
                self._problem(
                    key_node,
                    f"{path}.{key}" if path else str(key),
                    f"duplicate key {quote(key)} (first at line {key_lines[key]}, "
                    f"again at line {line}); keep only one",
                )
                continue
            key_lines[key] = line
            value_tag = value_node.tag
            if plain_strings and value_tag == _STR_TAG and isinstance(value_node, yaml.ScalarNode):
                explicit[key] = value_node.value
                continue
            sub = f"{path}.{key}" if path else str(key)
            if plain_strings:  # no alias in the file: a tree, built without the bookkeeping
                explicit[key] = self._build_tree(value_node, sub, depth + 1)
            else:
                explicit[key] = self.build(value_node, sub, depth + 1, line)
            if value_tag in _NUMBER_TAGS and isinstance(value_node, yaml.ScalarNode):
                explicit.number_text[key] = value_node.value
        if not merged:
            return explicit
        # YAML merge keys: keys written in the mapping win over merged ones, and among
        # merged mappings the first listed wins. Merged keys keep the line they came from.
        out = LMap(explicit.line)
        for source in [*merged, explicit]:
            for key, value in source.items():
                if key in out and source is not explicit:
                    continue  # an earlier merged mapping already gave this key
                out[key], out.key_lines[key] = value, source.key_lines.get(key, source.line)
                out.number_text.pop(key, None)
                if key in source.number_text:
                    out.number_text[key] = source.number_text[key]
        return out

    def _merge(self, value_node: yaml.Node, path: str, depth: int, at: int) -> list[LMap]:
        """The mappings a `<<` key merges in, in the order written."""
        sources = value_node.value if isinstance(value_node, yaml.SequenceNode) else [value_node]
        where = f"{path}.<<" if path else "<<"
        out: list[LMap] = []
        for source in sources:
            if not isinstance(source, yaml.MappingNode):
                message = "a merge key (<<) takes a mapping or a list of mappings, e.g. <<: *base"
                self._problem(source, where, message)
                continue
            built = self.build(source, where, depth + 1, at)
            if isinstance(built, LMap):
                out.append(built)
        return out

    def _problem(self, node: yaml.Node, path: str, message: str) -> None:
        self.problems.append(Problem(self.file, _line(node), path or None, message))


def _line(node: yaml.Node) -> int:
    return int(node.start_mark.line) + 1


def _tag(tag: str) -> str:
    """`tag:yaml.org,2002:int` -> `!!int`, as the user wrote it."""
    return "!!" + tag[len(_YAML_TAG_PREFIX) :] if tag.startswith(_YAML_TAG_PREFIX) else tag


def _scalar_problem(node: yaml.ScalarNode, exc: Exception) -> str:
    text = quote(node.value)
    # Only ValueError and YAML's own errors say something useful; a KeyError or
    # AttributeError from inside the constructor just means "not in that form".
    reason = ""
    if isinstance(exc, yaml.MarkedYAMLError) and exc.problem:
        reason = exc.problem
    elif isinstance(exc, ValueError):
        reason = str(exc).split("\n")[0]
        if "digits" in reason:
            reason = "more digits than any number drift compares"
    because = f" ({shorten(reason)})" if reason else ""
    if node.tag == _TIMESTAMP_TAG and _DATE_ONLY.match(node.value):
        return (
            f"expected a date YYYY-MM-DD, got {text} (no such date{': ' + reason if reason else ''}"
            "); an unquoted YYYY-MM-DD is read as a date: fix it, or quote it if it is text"
        )
    if node.tag == _TIMESTAMP_TAG:
        return f"expected a date and time, got {text}{because}; fix it, or quote it if it is text"
    return f"cannot read {text} as {_tag(node.tag)}{because}; fix the value or quote it"


def _forbidden_character(text: str, file: str) -> Problem | None:
    found = _FORBIDDEN.search(text)
    if found is None:
        return None
    pos, code = found.start(), ord(found.group())
    line = text.count("\n", 0, pos) + 1
    column = pos - (text.rfind("\n", 0, pos) + 1) + 1
    name = _CHAR_NAMES.get(code, "a control character")
    more = len(_FORBIDDEN.findall(text)) - 1
    also = f" ({more} more in this file)" if more else ""
    return Problem(
        file,
        line,
        None,
        f"YAML error: unacceptable character #x{code:04x} ({name}) at column {column}{also}; "
        "remove it (write it as an escape such as \\t inside double quotes if you need it)",
    )


@contextmanager
def no_gc() -> Iterator[None]:
    """Pause the cyclic garbage collector (re-entrant: restores what it found)."""
    # Composing builds hundreds of thousands of small objects that are all alive at the
    # end; CPython's cyclic collector re-scans them again and again (5 s instead of
    # 0.7 s for a 5 MB file). Nothing built here holds a cycle, so pause it.
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()


# Returned instead of a value when the text could not be parsed at all.
UNREADABLE: Any = object()


def load_yaml(text: str, file: str) -> tuple[Any, list[Problem]]:
    """Parse one YAML document into LMap / LList / scalars, reporting problems instead of raising.

    An empty document gives None. A syntax error gives UNREADABLE and a Problem at the
    line the parser points at. Duplicate keys, bad scalars and bad tags are reported but
    the value is still returned (first occurrence kept) so the rest of the file can be
    checked in the same run. Only `Problem`s come out: no YAML, value or recursion error
    escapes, and the work is bounded (see the module docstring).
    """
    bad_char = _forbidden_character(text, file)
    if bad_char is not None:
        return UNREADABLE, [bad_char]
    loader: Any = None
    try:
        with no_gc():
            loader = _Loader(text)
            node = loader.get_single_node()
            if node is None:
                return None, []
            builder = _Builder(loader, file, aliases="*" in text)
            try:
                value = builder.build(node, "")
            except _TooManyAliases as exc:
                return UNREADABLE, builder.problems + [
                    Problem(
                        file,
                        exc.line,
                        exc.path or None,
                        f"YAML aliases in this file expand to more than {MAX_ALIAS_NODES} "
                        "values; use aliases (*name) only for small shared blocks, "
                        "or write the values out",
                    )
                ]
            return value, builder.problems
    except yaml.MarkedYAMLError as exc:
        return UNREADABLE, [_syntax_problem(exc, file)]
    except yaml.YAMLError as exc:
        return UNREADABLE, [Problem(file, None, None, f"YAML error: {shorten(str(exc))}")]
    except RecursionError:
        # Only reachable with the pure-Python parser (no libyaml), whose composer recurses.
        return UNREADABLE, [
            Problem(file, None, None, "nested too deeply; a baseline needs only a few levels")
        ]
    finally:
        if loader is not None:
            loader.dispose()


def _syntax_problem(exc: yaml.MarkedYAMLError, file: str) -> Problem:
    mark = exc.problem_mark or exc.context_mark
    line = mark.line + 1 if mark is not None else None
    what = exc.problem or "invalid YAML"
    if exc.context:
        started = ""
        if exc.context_mark is not None and exc.context_mark.line + 1 != line:
            started = f" (started at line {exc.context_mark.line + 1})"
        what = f"{exc.context}{started}, {what}"
    if "maximum nesting depth" in what:
        return Problem(file, line, None, "nested too deeply; a baseline needs only a few levels")
    if isinstance(exc, yaml.constructor.ConstructorError):
        message = f"unsupported YAML value: {exc.problem}; remove the tag or quote the value"
    else:
        message = f"YAML syntax error: {what}; check indentation and quoting"
    return Problem(file, line, None, message)


def plain(value: Any) -> Any:
    """Strip the line bookkeeping: LMap -> dict, LList -> list, recursively."""
    if isinstance(value, dict):
        return {k: plain(v) for k, v in value.items()}
    if isinstance(value, list):
        return [plain(v) for v in value]
    return value


def key_line(mapping: Any, key: Any) -> int | None:
    """Line of `key` in `mapping` when it is an LMap, else None."""
    if isinstance(mapping, LMap):
        return mapping.key_lines.get(key)
    return None


def number_text(mapping: Any, key: Any) -> str | None:
    """The text a number value was written as in `mapping` (an LMap), else None."""
    if isinstance(mapping, LMap):
        return mapping.number_text.get(key)
    return None


def own_line(value: Any) -> int | None:
    """Line where a mapping or list starts, when known."""
    return getattr(value, "line", None) or None
