"""Matchers and rule paths: pure functions, no files."""

from __future__ import annotations

import pytest

from drift.baseline import Matcher, is_matcher, parse_matcher, path_matches


@pytest.mark.parametrize(
    ("glob", "path", "expected"),
    [
        ("services/*/env/*", "services/netra-backend-staging/env/E2E_BYPASS_KEY", True),
        ("services/*/env/*", "services/a/env", False),
        ("services/*/env/*", "services/a/labels/x", False),
        ("services/*/env/*", "secrets/a/env/X", False),
        ("services/**", "services/a/env/X", True),
        ("services/**", "services", True),
        ("**", "domain_mappings/api-staging.netrasystems.ai/ready", True),
        ("**/ready", "domain_mappings/api-staging.netrasystems.ai/ready", True),
        ("services/**/X", "services/a/env/X", True),
        ("services/**/X", "services/a/env/Y", False),
        ("domain_mappings/*/ready", "domain_mappings/api-staging.netrasystems.ai/ready", True),
        ("domain_mappings/*", "domain_mappings/api.staging.netrasystems.ai", True),
        ("domain_mappings/*.netrasystems.ai", "domain_mappings/api.staging.netrasystems.ai", True),
        ("services/*/labels/commit-*", "services/a/labels/commit-sha", True),
        ("services/*/labels/commit-*", "services/a/labels/team", False),
        ("services/a/image", "services/a/image", True),
        ("services/a/image", "services/A/image", False),
        ("services/a", "services/a/image", False),
    ],
)
def test_path_matches(glob: str, path: str, expected: bool) -> None:
    assert path_matches(glob, path) is expected


def test_is_matcher() -> None:
    assert is_matcher({"min": 1})
    assert is_matcher({"secret": "s", "version": 2})
    assert not is_matcher({"team": "a"})
    assert not is_matcher({"min": 1, "team": "a"})
    assert not is_matcher({})
    assert not is_matcher({"version": "1"})
    assert not is_matcher("min")


def test_matches() -> None:
    m = parse_matcher({"matches": "^v1.*"})
    assert m.op == "matches" and m.declared == {"matches": "^v1.*"}
    assert m.holds(True, "v1.2.3")
    assert not m.holds(True, "xv1")
    assert parse_matcher({"matches": "v1"}).holds(True, "v1")
    assert not parse_matcher({"matches": "v1"}).holds(True, "v12")  # whole value
    assert parse_matcher({"matches": "[0-9]+"}).holds(True, 600)  # compared as str
    assert not m.holds(False, None)
    assert m.describe() == "matches '^v1.*'"


def test_one_of_uses_normalize_on_options() -> None:
    m = parse_matcher({"one_of": ["4Gi", "2Gi"]})
    to_mib = {"4Gi": 4096, "2Gi": 2048}.get
    assert m.holds(True, 4096, normalize=to_mib)
    assert not m.holds(True, 1024, normalize=to_mib)
    assert m.holds(True, "2Gi")
    assert not m.holds(False, None)
    assert m.describe() == "one of ['4Gi', '2Gi']"


def test_range() -> None:
    both = parse_matcher({"min": 1, "max": 10})
    assert both.holds(True, 1) and both.holds(True, 10) and both.holds(True, 5.5)
    assert not both.holds(True, 0) and not both.holds(True, 11)
    assert not both.holds(True, "5")  # non-numeric live value
    assert not both.holds(True, True)
    assert not both.holds(False, None)
    assert both.describe() == "between 1 and 10"
    assert parse_matcher({"min": 1}).describe() == "at least 1"
    assert parse_matcher({"max": 3}).describe() == "at most 3"
    assert parse_matcher({"max": 3}).holds(True, -100)


def test_present_and_absent() -> None:
    present, absent = parse_matcher({"present": True}), parse_matcher({"absent": True})
    assert present.holds(True, None) and present.holds(True, "")
    assert not present.holds(False, None)
    assert absent.holds(False, None)
    assert not absent.holds(True, "x")
    assert (present.describe(), absent.describe()) == ("present", "absent")


def test_secret_reference() -> None:
    m = parse_matcher({"secret": "e2e-bypass-key"})
    assert m == Matcher("secret", ("e2e-bypass-key", "latest"), {"secret": "e2e-bypass-key"})
    assert m.holds(True, {"secret": "e2e-bypass-key", "version": "latest"})
    assert not m.holds(True, {"secret": "other", "version": "latest"})
    assert not m.holds(True, "plain-value")
    assert not m.holds(False, None)
    pinned = parse_matcher({"secret": "db", "version": 3})
    assert pinned.holds(True, {"secret": "db", "version": "3"})
    assert not pinned.holds(True, {"secret": "db", "version": "latest"})
    # normalize applies to the declared reference, e.g. to resolve a full resource name
    full = {"secret": "projects/p/secrets/db", "version": "3"}
    assert pinned.holds(
        True, full, normalize=lambda ref: {**ref, "secret": "projects/p/secrets/db"}
    )


@pytest.mark.parametrize(
    ("value", "needle"),
    [
        ({"matchs": "x"}, "did you mean 'matches'?"),
        ({"oneof": ["a"]}, "did you mean 'one_of'?"),
        ({"matches": "(("}, "invalid regular expression"),
        ({"matches": 1}, "regular expression string"),
        ({"one_of": []}, "non-empty list"),
        ({"one_of": "a"}, "non-empty list"),
        ({"min": "1"}, "min needs a number"),
        ({"min": True}, "min needs a number"),
        ({"min": 5, "max": 1}, "greater than max"),
        ({"min": 1, "matches": "x"}, "cannot combine"),
        ({"present": False}, "{absent: true}"),
        ({"absent": "yes"}, "{absent: true}"),
        ({"version": 1}, "version only goes with secret"),
        ({"secret": ""}, "secret needs"),
        ({"secret": "s", "version": True}, "version must be"),
        ({"secret": "s", "min": 1}, "only secret and version"),
        ({}, "not a matcher"),
    ],
)
def test_bad_matchers(value: dict, needle: str) -> None:
    with pytest.raises(ValueError) as info:
        parse_matcher(value)
    assert needle in str(info.value)
    assert "valid matchers are" in str(info.value) or not set(value) - {
        "matches",
        "one_of",
        "min",
        "max",
        "present",
        "absent",
        "secret",
        "version",
    }
