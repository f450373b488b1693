"""--format junit: one test case per resource, findings as failures, not-checked as errors,
parsed back with junitparser (a JUnit XML reader CI tools share) and always well-formed."""

from __future__ import annotations

import copy
import json
import xml.etree.ElementTree as ET
from pathlib import Path
from typing import Any

from click.testing import CliRunner
from junitparser import Error, Failure, JUnitXml

from drift.baseline import load_baseline
from drift.cli import main
from drift.model import DeclaredResource, Finding, IgnoredFinding, NotChecked, Report
from drift.report.escape import is_unsafe
from drift.report.junit import render, xml_text
from tests import worldkit as wk

ROOT = Path(__file__).resolve().parent.parent
CASE19 = Path(__file__).parent / "worlds" / "robustness" / "19-terminal-injection-env-values"


def run(args: list[str]) -> Any:
    return CliRunner().invoke(
        main, args, env={"SOURCE_DATE_EPOCH": "1764000000"}, catch_exceptions=False
    )


def demo(fmt: str = "junit") -> Any:
    return run(
        [
            "diff",
            "--project",
            "netra-staging",
            "--expected",
            str(ROOT / "expected"),
            "--emulator",
            "--read-secret-digests",
            "--format",
            fmt,
            "--quiet",
        ]
    )


def parse(text: str) -> JUnitXml:
    """Parse with junitparser and check every count it can recompute from the cases."""
    xml = JUnitXml.fromstring(text.encode("utf-8"))
    declared = [(s.name, s.tests, s.failures, s.errors) for s in xml]
    recount = copy.deepcopy(xml)
    for suite in recount:
        suite.update_statistics()
    recount.update_statistics()
    assert [(s.name, s.tests, s.failures, s.errors) for s in recount] == declared
    assert (xml.tests, xml.failures, xml.errors) == (
        recount.tests,
        recount.failures,
        recount.errors,
    )
    return xml


def cases(xml: JUnitXml) -> dict[str, Any]:
    return {case.name: case for suite in xml for case in suite}


def test_demo_run_has_a_case_per_resource_and_fails_those_with_findings():
    r = demo()
    assert r.exit_code == 2
    xml = parse(r.stdout)
    found = cases(xml)
    report = json.loads(demo("json").stdout)
    baseline = load_baseline(ROOT / "expected", "netra-staging")
    for d in baseline.declared:
        where = f" ({d.region})" if d.region else ""
        case = found[f"{d.kind}/{d.name}{where}"]
        file, line = d.source.rsplit(":", 1)
        assert (case._elem.get("file"), case._elem.get("line")) == (file, line)
    by_case: dict[str, list[dict[str, Any]]] = {}
    for f in report["findings"]:
        where = f" ({f['region']})" if f["region"] else ""
        by_case.setdefault(f"{f['kind']}/{f['resource']}{where}", []).append(f)
    unmanaged = {n for n, fs in by_case.items() if any(f["type"] == "unmanaged" for f in fs)}
    assert unmanaged and unmanaged <= set(found)  # live resources nobody declared are cases too
    names = {
        f"{d.kind}/{d.name}" + (f" ({d.region})" if d.region else "") for d in baseline.declared
    }
    assert set(found) == names | set(by_case)  # nothing else, nothing left out
    for name, case in found.items():
        fs = by_case.get(name, [])
        if not fs:
            assert case.is_passed, name
            continue
        (failure,) = case.result
        assert isinstance(failure, Failure)
        for f in fs:
            assert f["message"] in failure.message
            assert f"{f['type']}/{f['severity']}" in failure.type
            assert f["path"] in failure.text
    assert xml.failures == len(by_case) and xml.errors == 0
    assert xml.name == "drift netra-staging"
    assert r.stdout == demo().stdout  # same inputs, same bytes


def test_not_checked_kinds_are_errors_never_passes(tmp_path):
    denied = {"path": "connectors", "status": 403, "reason": "IAM_PERMISSION_DENIED"}
    world = wk.world(services=[], connectors=[wk.connector("conn-a")])
    world["emulator"] = {"faults": [denied]}
    (tmp_path / "w.json").write_text(json.dumps(world))
    expected = wk.write_baseline(
        tmp_path,
        {
            "c.yaml": f"vpc_connectors:\n  conn-a: {{region: {wk.REGION}}}\n"
            f"  conn-b: {{region: {wk.REGION}, max_instances: 10}}\n"
        },
    )
    r = run(
        [
            "diff",
            "--project",
            wk.PROJECT,
            "--expected",
            str(expected),
            "--emulator",
            str(tmp_path / "w.json"),
            "--format",
            "junit",
            "--quiet",
        ]
    )
    assert r.exit_code == 1
    xml = parse(r.stdout)
    found = cases(xml)
    assert set(found) == {
        f"vpc_connectors listing in {wk.REGION}",
        f"vpc_connectors/conn-a ({wk.REGION})",
        f"vpc_connectors/conn-b ({wk.REGION})",
    }
    for case in found.values():
        (error,) = case.result
        assert isinstance(error, Error) and error.type == "not_checked"
        assert error.message.startswith("not checked: ") and "403" in error.message
    assert xml.errors == 3 and xml.failures == 0


def test_a_kind_declared_empty_and_not_checked_still_errors():
    nc = NotChecked("secrets", None, "UNAVAILABLE: down")
    xml = parse(render(report(not_checked=[nc])))
    (case,) = cases(xml).values()
    assert case.name == "secrets listing" and not case.is_passed
    assert xml.errors == 1


def test_ignored_findings_pass_and_are_listed():
    ign = IgnoredFinding(
        finding("services/api/labels/sha", severity="info"),
        "ignore services/*/labels/sha",
        "stamped by CI",
    )
    declared = DeclaredResource("services", "api", "us-central1", "expected/p/s.yaml:2", True)
    xml = parse(render(report(ignored=[ign], declared=[declared])))
    (case,) = cases(xml).values()
    assert case.is_passed
    assert "ignored: info changed services/api/labels/sha" in case.system_out
    assert "stamped by CI" in case.system_out


def test_failure_orders_findings_most_severe_first_and_counts_once_per_resource():
    fs = [
        finding("services/api/labels/x", "unexpected", "info"),
        finding("services/api/env/A", "missing", "critical"),
        finding("services/api/cpu", "changed", "warning"),
    ]
    declared = [
        DeclaredResource("services", "api", "us-central1", "expected/p/s.yaml:2", True),
        DeclaredResource("services", "web", "us-central1", "expected/p/s.yaml:9", True),
    ]
    xml = parse(render(report(fs, declared=declared)))
    found = cases(xml)
    (failure,) = found["services/api (us-central1)"].result
    assert failure.type == "missing/critical, changed/warning, unexpected/info"
    assert failure.text.splitlines()[0].startswith("critical missing services/api/env/A")
    assert found["services/web (us-central1)"].is_passed
    assert (xml.tests, xml.failures) == (2, 1)


def test_hostile_live_values_leave_the_document_well_formed_and_escaped():
    r = run(
        [
            "diff",
            "--project",
            "netra-staging",
            "--expected",
            str(CASE19 / "expected"),
            "--emulator",
            str(CASE19 / "world.json"),
            "--quiet",
            "--format",
            "junit",
        ]
    )
    assert r.exit_code == 2
    assert not [c for c in r.stdout if is_unsafe(c) and c != "\n"]
    xml = parse(r.stdout)
    texts = "".join(c.result[0].text or "" for c in cases(xml).values() if c.result)
    assert "\\x1b" in texts or "\\u202e" in texts


def test_characters_xml_cannot_hold_are_escaped_too():
    nasty = 'a\x00b\x1b[2J\ufffe\uffff\ud800c\u202e\n<&">'
    assert xml_text(nasty) == 'a\\x00b\\x1b[2J\\ufffe\\uffff\\ud800c\\u202e\\n<&">'
    f = finding("services/api/env/X", message=f"X is {nasty} live.")
    text = render(report([f]))
    ET.fromstring(text.encode("utf-8"))  # well-formed XML 1.0
    (case,) = cases(parse(text)).values()
    assert "X is a\\x00b" in case.result[0].message and '<&">' in case.result[0].message


def test_empty_report_is_a_valid_document_naming_the_project():
    text = render(report())
    xml = parse(text)
    assert xml.name == "drift p" and xml.tests == 0
    assert text.isascii()


def finding(
    path: str, type_: str = "changed", severity: str = "warning", *, message: str = ""
) -> Finding:
    kind, resource, *rest = path.split("/")
    return Finding(
        path,
        kind,
        resource,
        "us-central1",
        "/".join(rest) or None,
        type_,
        severity,
        1,
        0,
        message or f"{path} drifted.",
        "expected/p/s.yaml:3",
    )


def report(findings=(), ignored=(), not_checked=(), declared=()) -> Report:
    return Report(
        project="p",
        project_number=None,
        generated_at="2026-11-25T00:00:00Z",
        source_type="snapshot",
        source_detail="s.json",
        baseline_path="expected/p",
        baseline_sha256="ab" * 32,
        resources_checked=1,
        findings=tuple(findings),
        ignored=tuple(ignored),
        not_checked=tuple(not_checked),
        declared=tuple(declared),
    )


def test_golden_output():
    """tests/data/golden/report.junit.xml, byte for byte (see tests/golden.py)."""
    from tests.golden import GOLDEN, rendered

    text = rendered()["report.junit.xml"]
    assert text == (GOLDEN / "report.junit.xml").read_text()
    xml = parse(text)
    assert (xml.tests, xml.failures, xml.errors) == (5, 2, 2)
