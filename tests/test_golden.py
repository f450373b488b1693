"""Every format, byte for byte, for the demo report and the empty report (tests/golden.py).

An intended output change: `.venv/bin/python -m tests.golden`, then review `git diff
tests/data` in the same commit, so that every change of drift's output is seen in review.
"""

from __future__ import annotations

import pytest

from drift.report import FORMATS
from tests.golden import GOLDEN, SUFFIX, rendered

FILES = rendered()


@pytest.mark.parametrize("name", sorted(FILES))
def test_golden_file(name: str) -> None:
    assert (GOLDEN / name).read_text() == FILES[name], (
        f"{name} changed: if intended, run `.venv/bin/python -m tests.golden` and review the diff"
    )


def test_every_format_has_a_demo_and_an_empty_golden_file() -> None:
    for report in ("demo", "empty"):
        for fmt in FORMATS:
            assert f"{report}.{SUFFIX[fmt]}" in FILES
    assert set(SUFFIX) == set(FORMATS)


def test_no_stale_golden_file() -> None:
    assert sorted(p.name for p in GOLDEN.iterdir()) == sorted(FILES)


def test_golden_demo_is_the_demo_scenario() -> None:
    """The demo's JSON holds the pinned finding set of tests/worlds/demo-netra-staging."""
    import json

    from tests.test_worlds import WORLDS

    pinned = json.loads((WORLDS / "demo-netra-staging" / "findings.json").read_text())
    report = json.loads(FILES["demo.json"])
    got = sorted((f["path"], f["type"]) for f in report["findings"])
    assert got == sorted((f["path"], f["type"]) for f in pinned["findings"])
