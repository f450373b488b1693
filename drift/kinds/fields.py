"""The types of baseline fields, and what each type means on both sides of a comparison.

A kind declares each field with a `FieldSpec` (drift/kinds/<kind>.py). The type decides:
- what a baseline may write there (drift/baseline/schema.py checks it, and the JSON
  Schema of `drift schema` describes it);
- how a declared value is normalized before it is compared with the live one
  (`declared_scalar`): units through the same parsers the schema validates with;
- how the engine compares it: key by key (`KEYED`), ignoring order (`set`), only the
  declared sub-keys (`probe`).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any, Literal

from drift.normalize import units
from drift.normalize.hosts import canonical_host

FieldType = Literal[
    "str",
    "image",
    "short_name",
    "host",
    "int",
    "cpu",
    "memory",
    "duration",
    "bool",
    "enum",
    "map",
    "set",
    "env",
    "replication",
    "sha256",
    "probe",
    "traffic",
]
#: How names inside a map's keys or a set's items compare (drift.normalize.hosts):
#: "host" (case, trailing dot), "host_rule" (also a `:port`), "scoped" (`LOCATION/NAME`,
#: a bare NAME standing for the one live entry of that name).
Canon = Literal["", "host", "host_rule", "scoped"]

UNIT_TYPES: frozenset[str] = frozenset(units.UNIT_PARSERS)
#: Compared key by key: each differing key is its own finding (`env/NAME`).
KEYED: frozenset[str] = frozenset({"map", "env", "traffic"})
#: Whole-field matchers on these only make sense as existence checks.
STRUCTURED: frozenset[str] = frozenset({"map", "set", "env", "probe"})
#: Numeric bounds ({min}, {max}) only make sense where the live value is a number.
NUMERIC: frozenset[str] = frozenset({"int", "cpu", "duration"})


@dataclass(frozen=True)
class FieldSpec:
    """The type of one declared field.

    `choices` lists an enum's values; `keys` the sub-fields of a probe; `canon` how the
    names in a map's keys or a set's items compare; `doc` is the line docs/baseline.md
    shows for it; `live_state` marks a field that is the live state at `baseline init`
    time (written with a comment saying so).
    """

    type: FieldType
    choices: tuple[str, ...] = ()
    keys: Mapping[str, FieldSpec] = field(default_factory=dict)
    canon: Canon = ""
    doc: str = ""
    live_state: bool = False

    @property
    def keyed(self) -> bool:
        """A mapping compared key by key (env, labels, hosts, traffic)."""
        return self.type in KEYED


def f(type_: FieldType, doc: str = "", *, canon: Canon = "", live_state: bool = False) -> FieldSpec:
    """A field of a plain type, with the words docs/baseline.md shows for it."""
    return FieldSpec(type_, doc=doc, canon=canon, live_state=live_state)


def enum(*choices: str, doc: str = "", live_state: bool = False) -> FieldSpec:
    """An enum field: exactly one of `choices` (case-sensitive)."""
    return FieldSpec("enum", tuple(choices), doc=doc, live_state=live_state)


PROBE_KEYS: dict[str, FieldSpec] = {
    "type": enum("http", "tcp", "grpc"),
    "path": f("str"),
    "port": f("int"),
    "initial_delay": f("duration"),
    "period": f("duration"),
    "timeout": f("duration"),
    "failure_threshold": f("int"),
}


def probe(doc: str = "") -> FieldSpec:
    """A Cloud Run probe: only the declared sub-keys are compared."""
    return FieldSpec("probe", keys=PROBE_KEYS, doc=doc)


def _host(value: Any) -> Any:
    return canonical_host(value) if isinstance(value, str) else value


_SCALAR: dict[str, Callable[[Any], Any]] = {
    **units.UNIT_PARSERS,
    "short_name": units.short_name,
    "host": _host,
}


def declared_scalar(spec: FieldSpec | None) -> Callable[[Any], Any]:
    """The function that makes a declared scalar of this type comparable with the live one.

    The schema has already accepted the value with the same parser (a unit) or type
    (a name, a host), so it does not fail on a loaded baseline; a matcher's option of
    another type (e.g. a YAML number given for a name) is left as written.
    """
    if spec is None:
        return _same
    fn = _SCALAR.get(spec.type)
    if fn is None:
        return _same
    norm = _NORMS.get(spec.type)  # one per type: compare asks for each declared field
    if norm is None:
        norm = _NORMS[spec.type] = _tolerant(fn)
    return norm


_NORMS: dict[str, Callable[[Any], Any]] = {}


def _tolerant(fn: Callable[[Any], Any]) -> Callable[[Any], Any]:
    def norm(value: Any) -> Any:
        try:
            return fn(value)
        except (TypeError, ValueError):
            return value  # not this type: compares unequal, as written

    return norm


def _same(value: Any) -> Any:
    return value
