"""Unit normalization shared by live values and declared values.

One parser per unit type (duration, memory, cpu): the baseline schema accepts a declared
value exactly when the parser does (drift/baseline/schema.py calls `parse`), and the
declared value is compared after the same parser ran, so "accepted" always means
"compared correctly" (`1h30m`, `90m` and `5400s` are all 5400). The `*_PATTERN` strings
are the same grammars, also written into the baseline's JSON Schema.
"""

from __future__ import annotations

import functools
import math
import re
from collections.abc import Callable
from fractions import Fraction
from typing import Any

# Seconds as a decimal with one unit (`600s`, `1.5m`, `500ms`, `600`), or the compound
# form (`1h30m`, `1d2h`, `2m30s`). ASCII digits only: editors run this as an ECMA regex.
DURATION_PATTERN = (
    r"^\s*(?:[0-9]+(?:\.[0-9]+)?\s*(?:ms|s|m|h|d)?"
    r"|(?=[0-9])(?:[0-9]+d)?(?:[0-9]+h)?(?:[0-9]+m)?(?:[0-9]+(?:\.[0-9]+)?s)?)\s*$"
)
MEMORY_PATTERN = r"^\s*[0-9]+(?:\.[0-9]+)?\s*(?:[KMGTPE]i?|k)?\s*$"
CPU_PATTERN = r"^\s*[0-9]+(?:\.[0-9]+)?m?\s*$"

_SIMPLE_DURATION = re.compile(r"^\s*([0-9]+(?:\.[0-9]+)?)\s*(ms|s|m|h|d)?\s*$")
_COMPOUND_DURATION = re.compile(
    r"^\s*(?=[0-9])(?:([0-9]+)d)?(?:([0-9]+)h)?(?:([0-9]+)m)?(?:([0-9]+(?:\.[0-9]+)?)s)?\s*$"
)
_DURATION_FACTORS = {
    "ms": Fraction(1, 1000),
    "s": Fraction(1),
    "m": Fraction(60),
    "h": Fraction(3600),
    "d": Fraction(86400),
    None: Fraction(1),
}

_MEMORY = re.compile(r"^\s*([0-9]+(?:\.[0-9]+)?)\s*([KMGTPE]i?|k)?\s*$")
_BINARY = {"Ki": 2**10, "Mi": 2**20, "Gi": 2**30, "Ti": 2**40, "Pi": 2**50, "Ei": 2**60}
_DECIMAL = {"k": 10**3, "K": 10**3, "M": 10**6, "G": 10**9, "T": 10**12, "P": 10**15, "E": 10**18}

_CPU = re.compile(r"^\s*([0-9]+(?:\.[0-9]+)?)(m?)\s*$")


def _number(value: float | Fraction) -> int | float:
    """Whole numbers become ints so 600.0 and 600 print and compare the same. Text is
    computed exactly (Fraction) and rounded once, so `43ms` and `0.043s` are one value."""
    if isinstance(value, Fraction):
        return int(value) if value.denominator == 1 else float(value)
    return int(value) if float(value).is_integer() else float(value)


def _plain_number(value: Any, what: str) -> int | float:
    """A JSON/YAML number given for a unit value: finite and not negative."""
    if type(value) is int and value >= 0:
        return value  # most of them: nothing to check or round
    if not math.isfinite(value) or value < 0:
        raise ValueError(f"not {what}: {value!r} (must be a finite number, 0 or more)")
    return _number(value)


def duration_seconds(value: Any) -> int | float | None:
    """'600s', '10m', '1h30m', 600, {'seconds': 600} -> 600. None stays None."""
    if value is None:
        return None
    if isinstance(value, bool):
        raise ValueError(f"not a duration: {value!r}")
    if isinstance(value, int | float):
        return _plain_number(value, "a duration")
    if isinstance(value, dict):
        return _number(float(value.get("seconds", 0)) + float(value.get("nanos", 0)) / 1e9)
    return _duration_text(str(value))


# A baseline of thousands of services spells the same few values again and again (`300s`,
# `512Mi`, `1`), and the loader's check and compare both parse each: parse a text once.
# Only results are kept (a ValueError is raised afresh each time); all are immutable.
@functools.lru_cache(maxsize=4096)
def _duration_text(text: str) -> int | float:
    m = _SIMPLE_DURATION.match(text)
    if m:
        return _number(Fraction(m.group(1)) * _DURATION_FACTORS[m.group(2)])
    m = _COMPOUND_DURATION.match(text)
    if m and any(m.groups()):
        days, hours, minutes, seconds = (Fraction(g) if g else Fraction(0) for g in m.groups())
        return _number(days * 86400 + hours * 3600 + minutes * 60 + seconds)
    raise ValueError(f"not a duration: {text!r} (use seconds, e.g. 600 or '600s', or '1h30m')")


def memory_bytes(value: Any) -> int | None:
    """'4Gi', '4096Mi', '1G', 536870912 -> bytes."""
    if value is None:
        return None
    if isinstance(value, bool):
        raise ValueError(f"not a memory size: {value!r}")
    if isinstance(value, int | float):
        return int(_plain_number(value, "a memory size"))
    return _memory_text(str(value))


@functools.lru_cache(maxsize=4096)
def _memory_text(text: str) -> int:
    m = _MEMORY.match(text)
    if not m:
        raise ValueError(f"not a memory size: {text!r} (use e.g. '512Mi' or '4Gi')")
    unit = m.group(2)
    factor = (_BINARY.get(unit) or _DECIMAL.get(unit) or 1) if unit else 1
    return int(Fraction(m.group(1)) * factor)


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
        return _plain_number(value, "a CPU amount")
    return _cpu_text(str(value))


@functools.lru_cache(maxsize=4096)
def _cpu_text(text: str) -> int | float:
    m = _CPU.match(text)
    if not m:
        raise ValueError(f"not a CPU amount: {text!r} (use e.g. 1, 0.5 or '1000m')")
    amount = Fraction(m.group(1))
    return _number(amount / 1000 if m.group(2) else amount)


#: The parser of each unit field type (drift/kinds/fields.py): schema and compare share it.
UNIT_PARSERS: dict[str, Callable[[Any], Any]] = {
    "duration": duration_seconds,
    "memory": memory,
    "cpu": cpu,
}
UNIT_PATTERNS: dict[str, str] = {
    "duration": DURATION_PATTERN,
    "memory": MEMORY_PATTERN,
    "cpu": CPU_PATTERN,
}


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
