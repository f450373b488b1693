"""Normalizes declared (baseline) values into the same view as live values."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from drift.normalize import units
from drift.normalize.hosts import canonical_host, host_rule_host

# Mappings are compared key by key, whatever the amount of change: each differing key is
# its own finding (`env/NAME`, `traffic/REVISION`), with its own severity and ignore rules.
DICT_FIELDS = {"env", "labels", "hosts", "traffic"}
SET_FIELDS = {"domains", "health_checks", "backends"}  # compared ignoring order
# Lists of references to zonal or regional things, shown as `location/name` (global ones as
# `name`): a declared bare name stands for the one live entry of that name, if only one.
SCOPED_SET_FIELDS = {"health_checks", "backends"}
PARTIAL_FIELDS = {"startup_probe", "liveness_probe"}  # only the declared sub-keys count

_FIELD_NORMALIZERS: dict[str, Callable[[Any], Any]] = {
    "timeout": units.duration_seconds,
    "rotation_period": units.duration_seconds,
    "memory": units.memory,
    "cpu": units.cpu,
    "vpc_connector": units.short_name,
    # a health check's Host header: case-insensitive, like every DNS name
    "host": lambda v: canonical_host(v) if isinstance(v, str) else v,
    "network": units.short_name,
}


def scalar_normalizer(field: str) -> Callable[[Any], Any]:
    """The function that makes a declared scalar comparable with the live one."""
    fn = _FIELD_NORMALIZERS.get(field)
    if fn is None:
        return lambda v: v

    def safe(v: Any) -> Any:
        try:
            return fn(v)
        except (TypeError, ValueError):
            return v

    return safe


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


def declared_value(field: str, value: Any) -> Any:
    """Normalize one plain (non-matcher) declared field value."""
    if field == "env":
        return {k: env_value(v) for k, v in (value or {}).items()}
    if field == "hosts" and isinstance(value, dict):
        return {host_rule_host(k): env_value(v) for k, v in value.items()}
    if field == "traffic" and isinstance(value, dict):
        # A 0 % target carries no traffic: live views leave those out too.
        return {str(k): v for k, v in value.items() if v not in (0, "0")}
    if field == "domains" and isinstance(value, list | tuple):
        return sorted({canonical_host(v) for v in value})
    if field in DICT_FIELDS and isinstance(value, dict):
        return {str(k): env_value(v) for k, v in value.items()}
    if field in SET_FIELDS:
        return sorted(str(v) for v in value or [])
    if field in PARTIAL_FIELDS and isinstance(value, dict):
        out = dict(value)
        for key in ("initial_delay", "period", "timeout"):
            if key in out:
                out[key] = scalar_normalizer("timeout")(out[key])
        return out
    if field == "replication" and isinstance(value, dict) and "user_managed" in value:
        return {"user_managed": sorted(value["user_managed"] or [])}
    return scalar_normalizer(field)(value)


def live_value(field: str, value: Any, declared: Any = None) -> Any:
    if field in SET_FIELDS and isinstance(value, list):
        return sorted(value)
    if field in PARTIAL_FIELDS and isinstance(value, dict) and isinstance(declared, dict):
        return {k: value.get(k) for k in declared}
    return value


def declared_keys(field: str, value: dict[Any, Any]) -> dict[str, Any]:
    """A declared mapping with its keys as live views key them (hosts canonical, 0 %
    traffic targets dropped); values are left for declared_value()."""
    if field == "hosts":
        return {host_rule_host(k): v for k, v in value.items()}
    if field == "traffic":
        return {str(k): v for k, v in value.items() if v not in (0, "0")}
    return {str(k) if field != "env" else k: v for k, v in value.items()}


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
