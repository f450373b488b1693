"""Normalizes declared (baseline) values into the same view as live values, by field type.

Every rule here follows the field's declared type (drift/kinds/fields.py, looked up in the
registry), never its name: a unit field goes through the parser the schema validated it
with, a set is compared ignoring order, a mapping key by key, a probe by its declared
sub-keys only.
"""

from __future__ import annotations

from collections.abc import Callable
from fractions import Fraction
from typing import Any

from drift.kinds.fields import FieldSpec, declared_scalar
from drift.normalize.hosts import canonical_host, host_rule_host
from drift.registry import field_spec

# Mappings are compared key by key, whatever the amount of change: each differing key is
# its own finding (`env/NAME`, `traffic/REVISION`), with its own severity and ignore rules.
# Lists of references to zonal or regional things (`canon="scoped"`) are shown as
# `location/name` (global ones as `name`): a declared bare name stands for the one live
# entry of that name, if only one.


def spec_of(kind: str, field: str) -> FieldSpec | None:
    """The type of `kind`'s `field`; None for a field no kind declares."""
    return field_spec(kind, field)


#: The default of the `spec` arguments below: look the field's type up. compare looks it
#: up once per field and passes it on (a 10,000-resource diff looks up half a million).
LOOK_UP: Any = object()


def _spec(kind: str, field: str, spec: Any) -> FieldSpec | None:
    found: FieldSpec | None = spec_of(kind, field) if spec is LOOK_UP else spec
    return found


def is_keyed(kind: str, field: str) -> bool:
    """Compared key by key (env, labels, hosts, traffic)."""
    spec = spec_of(kind, field)
    return spec is not None and spec.keyed


def is_scoped_set(kind: str, field: str) -> bool:
    """A set of `LOCATION/NAME` references (backend groups, health checks)."""
    spec = spec_of(kind, field)
    return spec is not None and spec.type == "set" and spec.canon == "scoped"


def scalar_normalizer(kind: str, field: str) -> Callable[[Any], Any]:
    """The function that makes a declared scalar comparable with the live one."""
    return declared_scalar(spec_of(kind, field))


def env_value(value: Any) -> Any:
    """YAML may read 6379 as int or true as bool; env values are strings live."""
    if isinstance(value, dict) and "secret" in value:
        version = value.get("version")
        return {
            "secret": str(value["secret"]),
            "version": "latest" if version in (None, "") else str(version),
        }
    if isinstance(value, bool):
        return "true" if value else "false"
    if value is None:
        return ""
    return str(value) if not isinstance(value, str) else value


def declared_value(kind: str, field: str, value: Any, spec: Any = LOOK_UP) -> Any:
    """Normalize one plain (non-matcher) declared field value, by the field's type."""
    spec = _spec(kind, field, spec)
    t = spec.type if spec is not None else "str"
    if t == "env":
        return {k: env_value(v) for k, v in (value or {}).items()}
    if t == "traffic" and isinstance(value, dict):
        # A 0 % target carries no traffic: live views leave those out too.
        return {str(k): v for k, v in value.items() if v not in (0, "0")}
    if t == "map" and isinstance(value, dict):
        return {_key(spec, k): env_value(v) for k, v in value.items()}
    if t == "set" and spec is not None and spec.canon in ("host", "host_rule"):
        if isinstance(value, list | tuple):
            return sorted({_key(spec, v) for v in value})
    if t == "set":
        return sorted(str(v) for v in value or [])
    if t == "probe" and spec is not None and isinstance(value, dict):
        out = dict(value)
        for key, sub in spec.keys.items():
            if key in out:
                out[key] = declared_scalar(sub)(out[key])
        return out
    if t == "replication" and isinstance(value, dict) and "user_managed" in value:
        return {"user_managed": sorted(value["user_managed"] or [])}
    return declared_scalar(spec)(value)


def _key(spec: FieldSpec | None, name: Any) -> str:
    """A map key or set item as live views spell it (hosts in canonical form)."""
    if spec is not None and spec.canon == "host_rule":
        return host_rule_host(name)
    if spec is not None and spec.canon == "host":
        return canonical_host(name)
    return str(name)


def live_value(kind: str, field: str, value: Any, declared: Any = None, spec: Any = LOOK_UP) -> Any:
    """The live side of one field, in the form its declared side is compared in."""
    spec = _spec(kind, field, spec)
    t = spec.type if spec is not None else "str"
    if t == "set" and isinstance(value, list):
        return sorted(value)
    if t == "probe" and isinstance(value, dict) and isinstance(declared, dict):
        return {k: value.get(k) for k in declared}
    return value


def declared_keys(
    kind: str, field: str, value: dict[Any, Any], spec: Any = LOOK_UP
) -> dict[str, Any]:
    """A declared mapping with its keys as live views key them (hosts canonical, 0 %
    traffic targets dropped); values are left for declared_value()."""
    spec = _spec(kind, field, spec)
    t = spec.type if spec is not None else "map"
    if t == "traffic":
        return {str(k): v for k, v in value.items() if v not in (0, "0")}
    if t == "env":
        return dict(value)
    return {_key(spec, k): v for k, v in value.items()}


def resolve_scoped(declared: list[Any], live: list[Any]) -> list[str]:
    """Declared scoped references in the live spelling: an exact `location/name` stays; a
    bare `name` becomes the live `location/name` when exactly one live entry has that name
    (with two or more it stays bare and so differs: which one was meant is unknown)."""
    live_names = [str(v) for v in live or []]
    out: list[str] = []
    for item in declared or []:
        text = str(item)
        if text in live_names or "/" in text:
            out.append(text)
            continue
        same = [v for v in live_names if v.rsplit("/", 1)[-1] == text]
        out.append(same[0] if len(same) == 1 else text)
    return sorted(out)


def ambiguous_names(declared: Any, live: Any) -> list[str]:
    """Bare declared names that match several live `location/name` entries."""
    if not isinstance(declared, list) or not isinstance(live, list):
        return []
    found = []
    for item in declared:
        text = str(item)
        if "/" in text or text in live:
            continue
        if sum(1 for v in live if str(v).rsplit("/", 1)[-1] == text) > 1:
            found.append(text)
    return found


def traffic_in_declared_spelling(
    live: dict[str, Any], tags: dict[str, str], declared: dict[str, Any]
) -> dict[str, Any]:
    """Live traffic {revision: percent} with each revision keyed as the baseline names it.

    Cloud Run lets a target be named by its revision or its tag (TrafficTarget.revision,
    .tag); when the baseline uses a tag of a live revision, that revision's share is shown
    under the tag, so `{canary: 10}` and `{checkout-00042-xyz: 10}` both match.
    """
    tags_of: dict[str, list[str]] = {}
    for tag, revision in sorted(tags.items()):
        tags_of.setdefault(revision, []).append(tag)
    out: dict[str, Any] = {}
    for revision, percent in live.items():
        key = revision
        if revision not in declared:
            named = [t for t in tags_of.get(revision, []) if t in declared]
            if named:
                key = named[0]
        out[key] = out.get(key, 0) + percent if isinstance(percent, int) else percent
    return out


_SCALARS = (str, bool, type(None))
_NUMBERS = (int, float, Fraction)


def same_value(a: Any, b: Any) -> bool:
    """True only when DeepDiff, as compare runs it (ignore_order, ignore_numeric_type_changes),
    would find no difference between `a` and `b`: the two are equal and built alike (plain
    dicts and lists, numbers of any of int, float and Fraction). Anything else (a subclass,
    a tuple, a type it does not know) answers False, and compare asks DeepDiff.

    Most declared resources match live, so this check, about a hundred times cheaper than
    DeepDiff, settles them (tests/test_compare_fast_path.py)."""
    ta, tb = type(a), type(b)
    if ta is dict and tb is dict:
        return a.keys() == b.keys() and all(same_value(v, b[k]) for k, v in a.items())
    if ta is list and tb is list:
        return len(a) == len(b) and all(map(same_value, a, b))
    if ta in _NUMBERS and tb in _NUMBERS:
        return bool(a == b)
    return ta is tb and ta in _SCALARS and bool(a == b)
