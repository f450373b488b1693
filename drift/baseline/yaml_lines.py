"""Safe YAML loading that remembers where every key was written.

Baseline errors must name `file:line`, and a baseline with a duplicate key must be
rejected rather than silently keeping the last value (PyYAML's default). So instead of
`yaml.safe_load` we compose the node graph with a SafeLoader subclass and build our own
structure from it: `LMap` / `LList` are plain dict / list subclasses that also carry the
line of each key / item. Scalars are constructed by SafeLoader itself, so tags, ints,
bools, nulls and dates resolve exactly as with `yaml.safe_load`.

`Problem` and `BaselineError` live here because this is the lowest layer of the
package: every other module reports into them.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import yaml


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
            return f"{where}: {self.field}: {self.message}"
        return f"{where}: {self.message}"


class BaselineError(Exception):
    """A baseline that cannot be used; carries every problem found, not just the first."""

    def __init__(self, problems: list[Problem]) -> None:
        self.problems = list(problems)
        super().__init__(str(self))

    def __str__(self) -> str:
        return "\n".join(str(p) for p in self.problems)


class LMap(dict):
    """A dict that knows its own line and the line of each of its keys."""

    line: int = 0
    key_lines: dict[Any, int]

    def __init__(self, line: int = 0) -> None:
        super().__init__()
        self.line = line
        self.key_lines = {}


class LList(list):
    """A list that knows its own line and the line of each item."""

    line: int = 0
    item_lines: list[int]

    def __init__(self, line: int = 0) -> None:
        super().__init__()
        self.line = line
        self.item_lines = []


_PLAIN_TAGS = frozenset({"tag:yaml.org,2002:map", "tag:yaml.org,2002:seq"})


class _Loader(yaml.SafeLoader):
    """Safe loading only: no python tags, no arbitrary objects."""


@dataclass
class _Builder:
    loader: _Loader
    file: str
    problems: list[Problem] = field(default_factory=list)
    _active: set[int] = field(default_factory=set)

    def build(self, node: yaml.Node, path: str) -> Any:
        if id(node) in self._active:
            self._problem(node, path, "recursive YAML alias; write the value out instead")
            return None
        if not isinstance(node, yaml.ScalarNode) and node.tag not in _PLAIN_TAGS:
            # We build collections ourselves, so refuse any tag we would otherwise ignore.
            self._problem(node, path, f"unsupported YAML tag {node.tag!r}; remove it")
            return None
        self._active.add(id(node))
        try:
            if isinstance(node, yaml.MappingNode):
                return self._mapping(node, path)
            if isinstance(node, yaml.SequenceNode):
                out = LList(_line(node))
                for i, item in enumerate(node.value):
                    out.append(self.build(item, f"{path}[{i}]"))
                    out.item_lines.append(_line(item))
                return out
            return self.loader.construct_object(node, deep=True)
        finally:
            self._active.discard(id(node))

    def _mapping(self, node: yaml.MappingNode, path: str) -> LMap:
        # Resolves `<<: *anchor` merge keys the way PyYAML does.
        self.loader.flatten_mapping(node)
        out = LMap(_line(node))
        for key_node, value_node in node.value:
            if not isinstance(key_node, yaml.ScalarNode):
                self._problem(
                    key_node, path, "mapping keys must be plain names, not lists or mappings"
                )
                continue
            key = self.loader.construct_object(key_node, deep=True)
            sub = f"{path}.{key}" if path else str(key)
            if key in out.key_lines:
                self._problem(
                    key_node,
                    sub,
                    f"duplicate key {key!r} (first at line {out.key_lines[key]}, again at line "
                    f"{_line(key_node)}); keep only one",
                )
                continue
            out.key_lines[key] = _line(key_node)
            out[key] = self.build(value_node, sub)
        return out

    def _problem(self, node: yaml.Node, path: str, message: str) -> None:
        self.problems.append(Problem(self.file, _line(node), path or None, message))


def _line(node: yaml.Node) -> int:
    return node.start_mark.line + 1


# Returned instead of a value when the text could not be parsed at all.
UNREADABLE: Any = object()


def load_yaml(text: str, file: str) -> tuple[Any, list[Problem]]:
    """Parse one YAML document into LMap / LList / scalars, reporting problems instead of raising.

    An empty document gives None. A syntax error gives UNREADABLE and a Problem at the
    line PyYAML points at. Duplicate keys are reported but the value is still returned
    (first occurrence kept) so the rest of the file can be checked in the same run.
    """
    loader = _Loader(text)
    try:
        node = loader.get_single_node()
        if node is None:
            return None, []
        builder = _Builder(loader, file)
        value = builder.build(node, "")
        return value, builder.problems
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line = mark.line + 1 if mark is not None else None
        what = exc.problem or "invalid YAML"
        if exc.context:
            started = ""
            if exc.context_mark is not None and exc.context_mark.line + 1 != line:
                started = f" (started at line {exc.context_mark.line + 1})"
            what = f"{exc.context}{started}, {what}"
        message = f"YAML syntax error: {what}; check indentation and quoting"
        if isinstance(exc, yaml.constructor.ConstructorError):
            message = f"unsupported YAML value: {exc.problem}; remove the tag or quote the value"
        return UNREADABLE, [Problem(file, line, None, message)]
    except yaml.YAMLError as exc:
        return UNREADABLE, [Problem(file, None, None, f"YAML error: {exc}")]
    finally:
        loader.dispose()


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


def own_line(value: Any) -> int | None:
    """Line where a mapping or list starts, when known."""
    return getattr(value, "line", None) or None
