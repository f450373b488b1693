"""Unit normalization shared by live values and declared values."""

from __future__ import annotations

import re
from typing import Any

_DURATION = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*(ms|s|m|h|d)?\s*$")
_DURATION_FACTORS = {"ms": 0.001, "s": 1, "m": 60, "h": 3600, "d": 86400, None: 1}

_MEMORY = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*([KMGTPE]i?|k)?\s*$")
_BINARY = {"Ki": 2**10, "Mi": 2**20, "Gi": 2**30, "Ti": 2**40, "Pi": 2**50, "Ei": 2**60}
_DECIMAL = {"k": 10**3, "K": 10**3, "M": 10**6, "G": 10**9, "T": 10**12, "P": 10**15, "E": 10**18}


def _number(value: float) -> int | float:
    """Whole numbers become ints so 600.0 and 600 print and compare the same."""
    return int(value) if float(value).is_integer() else float(value)


def duration_seconds(value: Any) -> int | float | None:
    """'600s', '10m', 600, {'seconds': 600} -> 600. None stays None."""
    if value is None:
        return None
    if isinstance(value, bool):
        raise ValueError(f"not a duration: {value!r}")
    if isinstance(value, int | float):
        return _number(value)
    if isinstance(value, dict):
        return _number(float(value.get("seconds", 0)) + float(value.get("nanos", 0)) / 1e9)
    m = _DURATION.match(str(value))
    if not m:
        raise ValueError(f"not a duration: {value!r} (use seconds, e.g. 600 or '600s')")
    return _number(float(m.group(1)) * _DURATION_FACTORS[m.group(2)])


def memory_bytes(value: Any) -> int | None:
    """'4Gi', '4096Mi', '1G', 536870912 -> bytes."""
    if value is None:
        return None
    if isinstance(value, bool):
        raise ValueError(f"not a memory size: {value!r}")
    if isinstance(value, int | float):
        return int(value)
    m = _MEMORY.match(str(value))
    if not m:
        raise ValueError(f"not a memory size: {value!r} (use e.g. '512Mi' or '4Gi')")
    unit = m.group(2)
    factor = _BINARY.get(unit) or _DECIMAL.get(unit) or 1 if unit else 1
    return int(float(m.group(1)) * factor)


def memory(value: Any) -> str | None:
    """Canonical memory spelling: the largest exact binary unit, else decimal, else bytes."""
    n = memory_bytes(value)
    if n is None:
        return None
    for unit in ("Ei", "Pi", "Ti", "Gi", "Mi", "Ki"):
        if n and n % _BINARY[unit] == 0:
            return f"{n // _BINARY[unit]}{unit}"
    for unit in ("E", "P", "T", "G", "M", "k"):
        if n and n % _DECIMAL[unit] == 0:
            return f"{n // _DECIMAL[unit]}{unit}"
    return str(n)


def cpu(value: Any) -> int | float | None:
    """'1000m' -> 1, '4' -> 4, '0.5' -> 0.5, 2 -> 2."""
    if value is None:
        return None
    if isinstance(value, bool):
        raise ValueError(f"not a CPU amount: {value!r}")
    if isinstance(value, int | float):
        return _number(value)
    text = str(value).strip()
    try:
        if text.endswith("m"):
            return _number(float(text[:-1]) / 1000)
        return _number(float(text))
    except ValueError:
        raise ValueError(f"not a CPU amount: {value!r} (use e.g. 1, 0.5 or '1000m')") from None


def integer(value: Any) -> int | None:
    """int64 fields arrive as JSON strings; accept both."""
    if value is None or value == "":
        return None
    return int(value)


def short_name(value: Any) -> str | None:
    """'projects/p/locations/r/connectors/c' -> 'c'; a URL's last path segment likewise."""
    if value is None or value == "":
        return None
    return str(value).rstrip("/").rsplit("/", 1)[-1]


def enum_name(value: Any, prefix: str, mapping: dict[str, str] | None = None) -> str | None:
    """'INGRESS_TRAFFIC_ALL' -> mapping or lower-case hyphenated rest; *_UNSPECIFIED -> None."""
    if value is None or value == "":
        return None
    text = str(value)
    if mapping and text in mapping:
        return mapping[text]
    if text.endswith("UNSPECIFIED"):
        return None
    if text.startswith(prefix):
        text = text[len(prefix) :]
    return text.lower().replace("_", "-")
