"""Matchers: declared values that accept a range of live values instead of one.

A baseline may write `{min: 1}` or `{matches: '^v1\\.'}` wherever a value is expected.
They are kept as the plain dicts the user wrote (so reports can show them as declared);
`parse_matcher` turns one into a `Matcher` that can judge a live value. Anything that
looks like a matcher but is not one (`{matchs: ...}`) is an error, never a literal,
because a typo that silently became "expect this mapping" would hide drift.
"""

from __future__ import annotations

import difflib
import math
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

import re2  # type: ignore[import-untyped]

# The keys a user writes. `version` only appears next to `secret`.
MATCHER_NAMES = ("matches", "one_of", "min", "max", "present", "absent", "secret")
MATCHER_KEYS = frozenset(MATCHER_NAMES) | {"version"}
_VALID = ", ".join(MATCHER_NAMES)


def is_matcher(value: Any) -> bool:
    """True when `value` is a mapping made only of matcher keys (it may still be invalid)."""
    if not isinstance(value, Mapping) or not value:
        return False
    keys = set(value)
    return keys <= MATCHER_KEYS and keys != {"version"}


def _is_number(value: Any) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)


def _is_finite(value: Any) -> bool:
    return _is_number(value) and (not isinstance(value, float) or math.isfinite(value))


# `matches` patterns run on RE2, whose matching time is linear in the text whatever the
# pattern: a user's `(a+)+$` against a long live value cannot hang a scan, as it does
# with Python's backtracking `re`. The price is RE2's dialect (no look-around, no
# back-references), checked when the baseline is loaded. log_errors off: RE2 would
# otherwise print its own complaint about a bad pattern to stderr.
_RE2_OPTIONS = re2.Options()
_RE2_OPTIONS.log_errors = False


@lru_cache(maxsize=512)
def compile_regex(pattern: str) -> Any:
    """Compile a `matches` pattern for RE2; raise ValueError with a sentence saying why not."""
    try:
        return re2.compile(pattern, options=_RE2_OPTIONS)
    except re2.error as exc:
        raw = exc.args[0] if exc.args else ""
        reason = raw.decode("utf-8", "replace") if isinstance(raw, bytes) else str(raw)
    except UnicodeError:
        reason = "it holds a character that is not valid Unicode"
    raise ValueError(
        f"matches: invalid regular expression {pattern!r}: {reason} (drift matches with "
        "RE2 syntax, which has no look-around or back-references; see docs/baseline.md)"
    )


def _fullmatch(pattern: str, text: str) -> bool:
    regex = compile_regex(pattern)
    try:
        return regex.fullmatch(text) is not None
    except UnicodeError:  # a lone surrogate cannot be UTF-8 encoded for RE2
        return regex.fullmatch(text.encode("utf-8", "replace").decode("utf-8")) is not None


@dataclass(frozen=True)
class Matcher:
    """A parsed matcher. `declared` is the mapping as written, for reports."""

    op: str  # "matches" | "one_of" | "range" | "present" | "absent" | "secret"
    arg: Any
    declared: dict

    def holds(
        self, present: bool, actual: Any, normalize: Callable[[Any], Any] = lambda v: v
    ) -> bool:
        """Judge a live value. `normalize` turns declared options into the live form."""
        if self.op == "absent":
            return not present
        if not present:
            return False
        if self.op == "present":
            return True
        if self.op == "matches":
            return actual is not None and _fullmatch(self.arg, str(actual))
        if self.op == "one_of":
            return any(actual == normalize(option) for option in self.arg)
        if self.op == "range":
            if not _is_number(actual):
                return False
            low, high = self.arg
            return (low is None or actual >= low) and (high is None or actual <= high)
        if self.op == "secret":
            name, version = self.arg
            ref = {"secret": name, "version": version}
            if actual == ref:
                return True
            try:
                return bool(actual == normalize(ref))
            except Exception:  # noqa: BLE001 - a normalizer that cannot take a ref just means "no"
                return False
        raise AssertionError(f"unknown matcher op {self.op}")

    def describe(self) -> str:
        """A short phrase for messages: "between 1 and 10", "matches '^v1.*'"."""
        if self.op == "matches":
            return f"matches {self.arg!r}"
        if self.op == "one_of":
            return f"one of {list(self.arg)!r}"
        if self.op == "range":
            low, high = self.arg
            if low is not None and high is not None:
                return f"between {low} and {high}"
            return f"at least {low}" if low is not None else f"at most {high}"
        if self.op == "present":
            return "present"
        if self.op == "absent":
            return "absent"
        name, version = self.arg
        return f"secret {name} version {version}"


def _suggest(word: Any) -> str:
    close = difflib.get_close_matches(str(word), MATCHER_NAMES, n=1, cutoff=0.6)
    return f"did you mean {close[0]!r}? " if close else ""


def parse_matcher(value: dict) -> Matcher:
    """Parse a matcher mapping; raise ValueError with a sentence that says how to fix it."""
    if not isinstance(value, Mapping) or not value:
        raise ValueError(f"not a matcher; valid matchers are {_VALID}")
    declared = dict(value)
    keys = set(declared)
    unknown = sorted(str(k) for k in keys - MATCHER_KEYS)
    if unknown:
        if len(keys) == 1:
            raise ValueError(
                f"{unknown[0]!r} is not a matcher; {_suggest(unknown[0])}"
                f"valid matchers are {_VALID}"
            )
        raise ValueError(
            f"a mapping is not a valid value here and {', '.join(map(repr, unknown))} "
            f"{'is' if len(unknown) == 1 else 'are'} not a matcher; {_suggest(unknown[0])}"
            f"valid matchers are {_VALID}"
        )
    if "secret" in keys or "version" in keys:
        return _secret(declared, keys)
    if keys <= {"min", "max"}:
        return _range(declared)
    if len(keys) > 1:
        raise ValueError(
            f"cannot combine {' and '.join(sorted(keys))}; use one matcher per value "
            "(only min and max combine)"
        )
    (op,) = keys
    arg = declared[op]
    if op == "matches":
        if not isinstance(arg, str):
            raise ValueError("matches needs a regular expression string")
        compile_regex(arg)
        return Matcher("matches", arg, declared)
    if op == "one_of":
        if not isinstance(arg, list) or not arg:
            raise ValueError("one_of needs a non-empty list of values, e.g. {one_of: [a, b]}")
        for option in arg:
            if isinstance(option, Mapping | list):
                raise ValueError("one_of options must be plain values, not mappings or lists")
            if _is_number(option) and not _is_finite(option):
                raise ValueError(f"one_of options must be finite numbers, got {option}")
        return Matcher("one_of", tuple(arg), declared)
    # present / absent
    if arg is not True:
        other = "absent" if op == "present" else "present"
        raise ValueError(f"write {{{op}: true}}; to say the opposite use {{{other}: true}}")
    return Matcher(op, True, declared)


def _range(declared: dict) -> Matcher:
    low, high = declared.get("min"), declared.get("max")
    for name, bound in (("min", low), ("max", high)):
        if name in declared and not _is_number(bound):
            raise ValueError(f"{name} needs a number, got {bound!r}")
        if name in declared and not _is_finite(bound):
            raise ValueError(f"{name} needs a finite number, got {bound}")
    if low is not None and high is not None and low > high:
        raise ValueError(f"min ({low}) is greater than max ({high}); swap them")
    return Matcher("range", (low, high), declared)


def _secret(declared: dict, keys: set) -> Matcher:
    if "secret" not in keys:
        raise ValueError("version only goes with secret, e.g. {secret: NAME, version: latest}")
    if keys - {"secret", "version"}:
        other = ", ".join(sorted(keys - {"secret", "version"}))
        raise ValueError(f"a secret reference takes only secret and version, not {other}")
    name = declared["secret"]
    if not isinstance(name, str) or not name:
        raise ValueError("secret needs the secret's id (a non-empty string)")
    version = declared.get("version", "latest")
    if isinstance(version, bool) or not isinstance(version, str | int) or version == "":
        raise ValueError("version must be 'latest' or a version number")
    return Matcher("secret", (name, str(version)), declared)
