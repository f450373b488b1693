"""The tables of kinds and fields in README.md and docs/baseline.md are the registry's:
regenerate them with `python -m drift.kinds.docs` after adding a kind or a field."""

from __future__ import annotations

from pathlib import Path

import pytest

from drift.kinds import docs
from drift.registry import KINDS


def test_generated_tables_are_up_to_date():
    assert docs.outdated() == [], "run `.venv/bin/python -m drift.kinds.docs`"


def test_every_kind_and_field_is_in_the_tables():
    readme = (docs.ROOT / "README.md").read_text()
    reference = (docs.ROOT / "docs" / "baseline.md").read_text()
    for name, spec in KINDS.items():
        assert f"| `{name}`" in readme
        for field in spec.fields:
            assert f"| `{field}` |" in reference, (name, field)


def test_check_mode_reports_a_stale_file_and_leaves_it(tmp_path: Path):
    for rel in ("README.md", "docs/baseline.md"):
        (tmp_path / rel).parent.mkdir(parents=True, exist_ok=True)
        text = (docs.ROOT / rel).read_text()
        (tmp_path / rel).write_text(text.replace("| `services`", "| `servicez`", 1))
    before = (tmp_path / "README.md").read_text()
    stale = ["README.md (kinds table)", "docs/baseline.md (fields reference)"]
    assert docs.outdated(tmp_path) == stale
    assert (tmp_path / "README.md").read_text() == before
    assert docs.outdated(tmp_path, write=True) and docs.outdated(tmp_path) == []


def test_a_file_without_its_markers_is_an_error():
    with pytest.raises(ValueError, match="no generated block"):
        docs.render("no markers here", "kinds table", "x")
