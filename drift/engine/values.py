"""Normalizes declared (baseline) values into the same view as live values."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from drift.normalize import units

DICT_FIELDS = {"env", "labels", "hosts"}  # compared key by key; findings name the key
SET_FIELDS = {"domains", "health_checks", "backends"}  # compared ignoring order
PARTIAL_FIELDS = {"startup_probe", "liveness_probe"}  # only the declared sub-keys count

_FIELD_NORMALIZERS: dict[str, Callable[[Any], Any]] = {
    "timeout": units.duration_seconds,
    "rotation_period": units.duration_seconds,
    "memory": units.memory,
    "cpu": units.cpu,
    "vpc_connector": units.short_name,
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
    if field in DICT_FIELDS:
        return {str(k): env_value(v) for k, v in (value or {}).items()}
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
