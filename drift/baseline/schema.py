"""The baseline schema: what a baseline may declare, read from the registry of kinds.

`KIND_FIELDS` (kind -> field -> `FieldSpec`) and `REGIONAL` (kind -> required / optional /
none) are derived from drift/kinds/<kind>.py through drift/registry.py, never kept by
hand. The checking functions validate one declared value against its `FieldSpec` and
return problems as `(sub-path, line, sentence)` so the loader can prefix them with the
file and resource. A unit value (duration, memory, cpu) is valid exactly when the parser
that compares it accepts it (drift.normalize.units), so "accepted by the schema" always
means "compared correctly". Declared values are kept as written (no unit conversion:
comparing `10m` with a live `600` is the engine's job), except that scalar env / label /
host values written as YAML numbers become strings, because live they always are strings.
"""

from __future__ import annotations

import datetime
import difflib
import math
import re
from collections.abc import Callable, Mapping
from typing import Any

from drift.baseline.matchers import is_matcher, parse_matcher
from drift.baseline.yaml_lines import key_line, number_text, quote
from drift.kinds.fields import NUMERIC, STRUCTURED, FieldSpec
from drift.normalize import units
from drift.normalize.hosts import canonical_host, host_rule_host
from drift.registry import KINDS

__all__ = ["KIND_FIELDS", "META_FIELDS", "REGIONAL", "FieldSpec", "check_value", "expected"]

# (path below the field, "" for the field itself; line; message)
Issue = tuple[str, int | None, str]

STR, INT = FieldSpec("str"), FieldSpec("int")

KIND_FIELDS: dict[str, dict[str, FieldSpec]] = {
    name: dict(spec.fields) for name, spec in KINDS.items() if spec.declarable
}

# "required": the resource must say its region; "optional": global unless given;
# "none": the kind is global and a region is an error.
REGIONAL: dict[str, str] = {name: KINDS[name].region_rule for name in KIND_FIELDS}

# Keys a resource may carry that are not compared fields (they never enter `fields`):
# `region` where the kind has regions, `env_extra` where it has an env field.
META_FIELDS: dict[str, tuple[str, ...]] = {
    kind: (("region",) if REGIONAL[kind] != "none" else ())
    + (("env_extra",) if any(s.type == "env" for s in fields.values()) else ())
    for kind, fields in KIND_FIELDS.items()
}
ENV_EXTRA_CHOICES = ("allow", "deny")

# Numeric bounds ({min}, {max}) only make sense where the live value is a number.
_NUMERIC = NUMERIC
# Whole-field matchers on structured fields: only existence makes sense.
_STRUCTURED = STRUCTURED

_MEMORY = re.compile(units.MEMORY_PATTERN)
_CPU = re.compile(units.CPU_PATTERN)
_DURATION = re.compile(units.DURATION_PATTERN)
_SHA256 = re.compile(r"^sha256:[0-9a-f]{64}$")

_TYPE_WORDS = {
    "str": "a string",
    "image": "a container image (a string)",
    "short_name": "a name (a string)",
    "host": "a host name (a string)",
    "int": "a whole number",
    "cpu": "a number of CPUs such as 1, 0.5, '2' or '1000m'",
    "memory": "a memory size such as '512Mi', '4Gi', '1G' or a number of bytes",
    "duration": "a duration: seconds as a number, or a string such as '600s', '10m', '1h30m'",
    "bool": "true or false",
    "map": "a mapping of names to string values",
    "set": "a list of names",
    "env": "a mapping of env var names to values or {secret: NAME, version: V}",
    "replication": "'automatic' or {user_managed: [regions]}",
    "sha256": "a digest 'sha256:' followed by 64 lowercase hex characters",
    "probe": "a mapping with type, path, port, initial_delay, period, timeout, failure_threshold",
    "traffic": "'latest' or a mapping of revision name or tag to percent",
}


def suggest(word: Any, choices: Any) -> str:
    """Suggest the nearest choice ("did you mean 'x'?"), or list the valid choices."""
    options = [str(c) for c in choices]
    close = difflib.get_close_matches(str(word), options, n=1, cutoff=0.6)
    if not close:
        lowered = {o.lower(): o for o in options}
        if str(word).lower() in lowered:
            close = [lowered[str(word).lower()]]
    if close:
        return f"did you mean {close[0]!r}?"
    return "valid values are " + ", ".join(options)


def expected(spec: FieldSpec) -> str:
    """Words for the type a field expects."""
    if spec.type == "enum":
        return "one of " + ", ".join(spec.choices)
    return _TYPE_WORDS[spec.type]


def _is_num(value: Any) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)


def _got(value: Any) -> str:
    if isinstance(value, bool):
        return f"got {str(value).lower()}"
    if value is None:
        return "got nothing (null)"
    if isinstance(value, Mapping):
        return "got a mapping"
    if isinstance(value, list):
        return "got a list"
    if isinstance(value, datetime.date):
        return f"got the date {value.isoformat()} (quote it if it is text)"
    if isinstance(value, float) and not math.isfinite(value):
        return f"got {value}"
    return f"got {quote(value)}"


def _wrong(spec: FieldSpec, value: Any, line: int | None) -> list[Issue]:
    return [("", line, f"expected {expected(spec)}, {_got(value)}")]


# Types whose value may itself be a mapping (any other type's mapping is a matcher).
_MAPPING_TYPES = _STRUCTURED | {"replication", "traffic"}


# Exact types that are never a mapping (asking the Mapping ABC costs more than the check).
_SCALAR_TYPES = frozenset({str, int, float, bool, type(None)})


def check_value(spec: FieldSpec, value: Any, line: int | None) -> tuple[Any, list[Issue]]:
    """Validate one declared value (or matcher) for `spec`; return (clean value, issues)."""
    if (
        type(value) not in _SCALAR_TYPES  # most values: no mapping, no matcher
        and isinstance(value, Mapping)
        and (spec.type not in _MAPPING_TYPES or is_matcher(value))
    ):
        return _check_matcher(spec, value, line)
    return _CHECKERS[spec.type](spec, value, line)


def _check_matcher(spec: FieldSpec, value: Mapping, line: int | None) -> tuple[Any, list[Issue]]:
    try:
        matcher = parse_matcher(dict(value))
    except ValueError as exc:
        if is_matcher(value):
            return value, [("", line, f"bad matcher: {exc}")]
        return value, [("", line, f"expected {expected(spec)}, got a mapping: {exc}")]
    op = matcher.op
    if op == "secret":
        return value, [("", line, "a secret reference is only valid as an env var value")]
    if op == "range" and spec.type not in _NUMERIC:
        return value, [
            ("", line, f"min/max only apply to numbers; this field expects {expected(spec)}")
        ]
    if op in ("matches", "one_of") and spec.type in _STRUCTURED:
        return value, [
            (
                "",
                line,
                f"{op} does not apply to a whole {spec.type} field; "
                "use {present: true} or {absent: true}, or declare its entries",
            )
        ]
    issues: list[Issue] = []
    if op == "one_of":
        for i, option in enumerate(value["one_of"]):
            _, sub = _CHECKERS[spec.type](spec, option, line)
            issues += [(f"one_of[{i}]" + (f".{p}" if p else ""), ln, m) for p, ln, m in sub]
    return value, issues


def _check_str(spec: FieldSpec, value: Any, line: int | None) -> tuple[Any, list[Issue]]:
    return value, [] if isinstance(value, str) else _wrong(spec, value, line)


def _check_int(spec: FieldSpec, value: Any, line: int | None) -> tuple[Any, list[Issue]]:
    if not isinstance(value, int) or isinstance(value, bool):
        return value, _wrong(spec, value, line)
    if value < 0:
        return value, [("", line, f"must be 0 or more, got {value}")]
    return value, []


# `.inf` and `.nan` are YAML floats, but no live value is one, and a report holding them
# is not JSON (RFC 8259 has no Infinity or NaN).
_FINITE_WORDS = {
    "cpu": "a finite number of CPUs",
    "memory": "a finite memory size",
    "duration": "a finite duration",
}


def _check_pattern(pattern: re.Pattern[str]) -> Callable[..., tuple[Any, list[Issue]]]:
    def check(spec: FieldSpec, value: Any, line: int | None) -> tuple[Any, list[Issue]]:
        if isinstance(value, str) and pattern.match(value):
            return value, []
        return value, _wrong(spec, value, line)

    return check


def _check_unit(spec: FieldSpec, value: Any, line: int | None) -> tuple[Any, list[Issue]]:
    """A duration, memory size or CPU amount: valid exactly when its parser takes it."""
    if isinstance(value, float) and not math.isfinite(value):
        return value, [("", line, f"expected {_FINITE_WORDS[spec.type]}, {_got(value)}")]
    if not (isinstance(value, str) or _is_num(value)):
        return value, _wrong(spec, value, line)
    try:
        units.UNIT_PARSERS[spec.type](value)
    except ValueError:
        return value, _wrong(spec, value, line)
    return value, []


def _check_bool(spec: FieldSpec, value: Any, line: int | None) -> tuple[Any, list[Issue]]:
    return value, [] if isinstance(value, bool) else _wrong(spec, value, line)


def _check_enum(spec: FieldSpec, value: Any, line: int | None) -> tuple[Any, list[Issue]]:
    if isinstance(value, str) and value in spec.choices:
        return value, []
    if isinstance(value, str):
        return value, [
            (
                "",
                line,
                f"{value!r} is not one of {', '.join(spec.choices)}; "
                f"{suggest(value, spec.choices)}",
            )
        ]
    return value, _wrong(spec, value, line)


def _scalar_str(
    value: Any, line: int | None, what: str, text: str | None = None
) -> tuple[Any, list[Issue]]:
    """A string value inside env / labels / hosts. YAML numbers become strings.

    `text` is how the number was written: `1.10`, `0755` or `.inf` stay exactly that,
    where str() of the number YAML read would give `1.1`, `493` or `inf`.
    """
    if isinstance(value, str):
        return value, []
    if _is_num(value):
        return (text if text is not None else str(value)), []
    if isinstance(value, bool):
        word = str(value).lower()
        return value, [("", line, f"{what} values are strings; quote it: '{word}'")]
    return value, [("", line, f"{what} values are strings, {_got(value)}")]


def _check_map(spec: FieldSpec, value: Any, line: int | None) -> tuple[Any, list[Issue]]:
    if not isinstance(value, Mapping):
        return value, _wrong(spec, value, line)
    out: dict[str, Any] = {}
    issues: list[Issue] = []
    spelled: dict[str, str] = {}
    for key, item in value.items():
        kl = key_line(value, key) or line
        if not isinstance(key, str) or "/" in key or not key:
            issues.append((str(key), kl, "keys must be non-empty strings without '/'; quote it"))
            continue
        same = _canonical(spec, key)
        first = spelled.get(same)
        if first is not None and value[first] != item:
            # Two spellings of one host (case, trailing dot, :port) routed differently: one
            # of them could never be compared. Agreeing spellings (as live may have) are fine.
            issues.append((key, kl, f"{key!r} is the same host as {first!r}, mapped differently"
                           "; keep one"))  # fmt: skip
            continue
        spelled.setdefault(same, key)
        if type(item) not in _SCALAR_TYPES and isinstance(item, Mapping):
            item, sub = _check_matcher(STR, item, kl)
        else:
            item, sub = _scalar_str(item, kl, "map", number_text(value, key))
        out[key] = item
        issues += [(key + (f".{p}" if p else ""), ln, m) for p, ln, m in sub]
    return out, issues


_SECRET_HINT = " (a secret reference is {secret: NAME, version: V})"


def _check_env(spec: FieldSpec, value: Any, line: int | None) -> tuple[Any, list[Issue]]:
    if not isinstance(value, Mapping):
        return value, _wrong(spec, value, line)
    out: dict[str, Any] = {}
    issues: list[Issue] = []
    for key, item in value.items():
        kl = key_line(value, key) or line
        if not isinstance(key, str) or "/" in key or "=" in key or not key:
            issues.append((str(key), kl, "env var names are non-empty strings without '/' or '='"))
            continue
        sub: list[Issue]
        if type(item) not in _SCALAR_TYPES and isinstance(item, Mapping):
            try:
                parse_matcher(dict(item))
                sub = []
            except ValueError as exc:
                hint = "" if is_matcher(item) and "secret" not in item else _SECRET_HINT
                sub = [("", kl, f"{exc}{hint}")]
            if "min" in item or "max" in item:
                sub.append(("", kl, "min/max do not apply to env values, which are strings"))
        elif item is None:
            sub = [
                (
                    "",
                    kl,
                    "an env var needs a value; write '' for an empty one, or "
                    "{absent: true} to require that it is not set",
                )
            ]
        else:
            item, sub = _scalar_str(item, kl, "env", number_text(value, key))
        out[key] = item
        issues += [(key + (f".{p}" if p else ""), ln, m) for p, ln, m in sub]
    return out, issues


def _check_set(spec: FieldSpec, value: Any, line: int | None) -> tuple[Any, list[Issue]]:
    if not isinstance(value, list):
        return value, _wrong(spec, value, line)
    lines = getattr(value, "item_lines", None) or [line] * len(value)
    issues: list[Issue] = []
    seen: dict[str, str] = {}  # a set of hosts in two spellings is one host: compared once
    for i, item in enumerate(value):
        if not isinstance(item, str):
            issues.append((f"[{i}]", lines[i], f"list items are names (strings), {_got(item)}"))
        elif item in seen:
            issues.append((f"[{i}]", lines[i], f"{item!r} is listed twice; remove one"))
        else:
            seen[item] = _canonical(spec, item)
    return value, issues


def _canonical(spec: FieldSpec, name: str) -> str:
    if spec.canon == "host_rule":
        return host_rule_host(name)
    if spec.canon == "host":
        return canonical_host(name)
    return name


def _check_replication(spec: FieldSpec, value: Any, line: int | None) -> tuple[Any, list[Issue]]:
    if value == "automatic":
        return value, []
    if isinstance(value, Mapping) and set(value) == {"user_managed"}:
        regions = value["user_managed"]
        kl = key_line(value, "user_managed") or line
        if isinstance(regions, list) and regions and all(isinstance(r, str) for r in regions):
            return value, []
        return value, [("user_managed", kl, "expected a non-empty list of region names")]
    if isinstance(value, Mapping):
        bad = [k for k in value if k != "user_managed"]
        return value, [
            (
                str(bad[0]) if bad else "",
                line,
                f"expected {expected(spec)}; {suggest(bad[0] if bad else '', ['user_managed'])}",
            )
        ]
    return value, _wrong(spec, value, line)


def _check_probe(spec: FieldSpec, value: Any, line: int | None) -> tuple[Any, list[Issue]]:
    if not isinstance(value, Mapping):
        return value, _wrong(spec, value, line)
    issues: list[Issue] = []
    for key, item in value.items():
        kl = key_line(value, key) or line
        sub_spec = spec.keys.get(key) if isinstance(key, str) else None
        if sub_spec is None:
            issues.append((str(key), kl, f"unknown probe field; {suggest(key, spec.keys)}"))
            continue
        _, sub = check_value(sub_spec, item, kl)
        issues += [(key + (f".{p}" if p else ""), ln, m) for p, ln, m in sub]
    return value, issues


def _check_traffic(spec: FieldSpec, value: Any, line: int | None) -> tuple[Any, list[Issue]]:
    if value == "latest":
        return value, []
    if not isinstance(value, Mapping) or not value:
        return value, _wrong(spec, value, line)
    issues: list[Issue] = []
    total, all_plain = 0, True
    for key, item in value.items():
        kl = key_line(value, key) or line
        if not isinstance(key, str) or not key:
            issues.append((str(key), kl, "revision names and tags are strings; quote it"))
            continue
        if type(item) not in _SCALAR_TYPES and isinstance(item, Mapping):
            all_plain = False
            _, sub = _check_matcher(INT, item, kl)
            issues += [(key + (f".{p}" if p else ""), ln, m) for p, ln, m in sub]
        elif isinstance(item, int) and not isinstance(item, bool) and 0 <= item <= 100:
            total += item
        else:
            issues.append((key, kl, f"expected a percent from 0 to 100, {_got(item)}"))
            all_plain = False
    if all_plain and not issues and total != 100:
        issues.append(("", line, f"traffic percents add up to {total}, not 100"))
    return value, issues


_CHECKERS: dict[str, Callable[[FieldSpec, Any, int | None], tuple[Any, list[Issue]]]] = {
    "str": _check_str,
    "image": _check_str,
    "short_name": _check_str,
    "host": _check_str,
    "int": _check_int,
    "cpu": _check_unit,
    "memory": _check_unit,
    "duration": _check_unit,
    "bool": _check_bool,
    "enum": _check_enum,
    "map": _check_map,
    "set": _check_set,
    "env": _check_env,
    "replication": _check_replication,
    "sha256": _check_pattern(_SHA256),
    "probe": _check_probe,
    "traffic": _check_traffic,
}
