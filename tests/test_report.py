"""Formatters: golden output, the empty report in every format, atomic writes."""

from __future__ import annotations

import json

import pytest

from drift.model import Finding, IgnoredFinding, NotChecked, Report
from drift.report import FORMATS, formatter
from drift.report.write import write_atomic


def finding(path, type_="changed", severity="warning", expected=1, actual=0):
    kind, resource, *field = path.split("/")
    return Finding(
        path,
        kind,
        resource,
        "us-central1",
        "/".join(field) or None,
        type_,
        severity,
        expected,
        actual,
        f"{path} drifted.",
        "expected/p/services.yaml:3",
    )


def report(findings=(), ignored=(), not_checked=()):
    return Report(
        project="p",
        project_number="123",
        generated_at="2026-11-25T00:00:00Z",
        source_type="emulator",
        source_detail="bundled world p",
        baseline_path="expected/p",
        baseline_sha256="ab" * 32,
        resources_checked=3,
        findings=tuple(findings),
        ignored=tuple(ignored),
        not_checked=tuple(not_checked),
    )


@pytest.mark.parametrize("fmt", FORMATS)
def test_every_format_renders_the_empty_report_and_names_the_project(fmt):
    text = formatter(fmt)(report())
    assert "p" in text and text.endswith("\n")
    assert text.isascii() or fmt == "table"  # no emoji anywhere


def test_json_golden_shape():
    f = finding("services/api/min_instances")
    ign = IgnoredFinding(finding("services/api/labels/sha", severity="info"), "ignore x", "CI")
    nc = NotChecked("vpc_connectors", "us-central1", "PERMISSION_DENIED: denied")
    data = json.loads(formatter("json")(report([f], [ign], [nc])))
    assert list(data) == [
        "schema",
        "project",
        "project_number",
        "generated_at",
        "source",
        "baseline",
        "summary",
        "findings",
        "ignored",
        "not_checked",
        "notes",
    ]
    assert data["schema"] == "drift-report/v1"
    assert data["summary"] == {
        "resources_checked": 3,
        "critical": 0,
        "warning": 1,
        "info": 0,
        "ignored": 1,
        "not_checked": 1,
    }
    assert list(data["findings"][0]) == [
        "path",
        "kind",
        "resource",
        "region",
        "field",
        "type",
        "severity",
        "expected",
        "actual",
        "message",
        "source",
        "rule",
    ]
    assert data["ignored"][0]["reason"] == "CI"
    assert data["not_checked"][0]["error"].startswith("PERMISSION_DENIED")


def test_table_groups_by_resource_and_lists_unmanaged_once():
    fs = [
        finding("services/api/min_instances", severity="critical"),
        finding("services/api/env/X", "missing", "critical", "a", None),
        finding("services/rogue", "unmanaged", "info", None, None),
    ]
    text = formatter("table")(report(fs))
    # Rows of one resource and one severity share one heading (drift/report/table.py).
    assert text.count("services/api (us-central1)") == 1
    assert "live resources not declared in the baseline" in text
    assert "rogue" in text and "services.yaml:3" in text
    assert "\x1b[" not in text  # no colour codes off a terminal


def test_table_says_when_a_run_is_incomplete():
    nc = NotChecked("secrets", None, "UNAVAILABLE: down")
    text = formatter("table")(report(not_checked=[nc]))
    assert "NOT CHECKED: secrets: UNAVAILABLE: down" in text
    assert "INCOMPLETE RUN: not checked: secrets." in text
    assert "no drift" not in text.lower()


def test_unknown_format_is_a_clear_error():
    with pytest.raises(ValueError, match="choose one of"):
        formatter("xml")


def test_atomic_write_replaces_whole_file(tmp_path):
    target = tmp_path / "out" / "r.json"
    write_atomic(target, "one\n")
    write_atomic(target, "two\n")
    assert target.read_text() == "two\n"
    assert [p.name for p in target.parent.iterdir()] == ["r.json"]
