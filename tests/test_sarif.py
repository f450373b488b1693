"""--format sarif: valid SARIF 2.1.0 (the official OASIS schema, tests/data/), placed at the
baseline's file:line relative to the repository, stable fingerprints, escaped messages."""

from __future__ import annotations

import json
from dataclasses import replace
from pathlib import Path
from typing import Any

import jsonschema
import pytest
from click.testing import CliRunner

from drift.cli import main
from drift.model import Finding, IgnoredFinding, NotChecked, Report
from drift.report import formatter
from drift.report.escape import is_unsafe
from drift.report.sarif import (
    FINGERPRINT_KEY,
    LEVELS,
    artifact_uri,
    render,
    repository_root,
)
from tests import worldkit as wk

ROOT = Path(__file__).resolve().parent.parent
SCHEMA = json.loads((Path(__file__).parent / "data" / "sarif-schema-2.1.0.json").read_text())
CASE19 = Path(__file__).parent / "worlds" / "robustness" / "19-terminal-injection-env-values"


def run(args: list[str], epoch: str = "1764000000") -> Any:
    return CliRunner().invoke(main, args, env={"SOURCE_DATE_EPOCH": epoch}, catch_exceptions=False)


def validate(text: str) -> dict[str, Any]:
    """Parse and check against the official schema; every error is listed on failure."""
    doc = json.loads(text)
    errors = [
        f"{list(e.path)}: {e.message}" for e in jsonschema.Draft4Validator(SCHEMA).iter_errors(doc)
    ]
    assert errors == []
    return doc


def demo(fmt: str = "sarif", epoch: str = "1764000000") -> Any:
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
        ],
        epoch=epoch,
    )


def finding(
    path: str,
    type_: str = "changed",
    severity: str = "warning",
    *,
    region: str | None = "us-central1",
    actual: Any = 0,
    message: str = "",
    source: str | None = "expected/p/services.yaml:7",
    rule: str | None = None,
) -> Finding:
    kind, resource, *rest = path.split("/")
    return Finding(
        path,
        kind,
        resource,
        region,
        "/".join(rest) or None,
        type_,
        severity,
        1,
        actual,
        message or f"{path} drifted.",
        source,
        rule,
    )


def report(
    findings=(), ignored=(), not_checked=(), notes=(), when="2026-11-25T00:00:00Z", project="p"
) -> Report:
    return Report(
        project=project,
        project_number="123",
        generated_at=when,
        source_type="emulator",
        source_detail="world",
        baseline_path="expected/p",
        baseline_sha256="ab" * 32,
        resources_checked=3,
        findings=tuple(findings),
        ignored=tuple(ignored),
        not_checked=tuple(not_checked),
        notes=tuple(notes),
    )


def fingerprints(doc: dict[str, Any]) -> list[str]:
    return [r["partialFingerprints"][FINGERPRINT_KEY] for r in doc["runs"][0]["results"]]


# -- the demo project through the CLI, the emulator and the real clients ---------------------


def test_demo_run_is_valid_sarif_with_one_result_per_finding():
    r = demo()
    assert r.exit_code == 2
    doc = validate(r.stdout)
    json_report = json.loads(demo("json").stdout)
    run_ = doc["runs"][0]
    results = run_["results"]
    live = [x for x in results if "suppressions" not in x]
    suppressed = [x for x in results if "suppressions" in x]
    assert len(live) == len(json_report["findings"]) > 20
    assert len(suppressed) == len(json_report["ignored"]) >= 1
    assert run_["invocations"][0]["executionSuccessful"] is True
    assert run_["automationDetails"]["id"] == "drift/netra-staging/"
    assert run_["properties"]["project"] == "netra-staging"
    rules = run_["tool"]["driver"]["rules"]
    assert [rule["id"] for rule in rules] == sorted({x["ruleId"] for x in results})
    by_identity = {
        (x["properties"]["path"], x["properties"]["type"], x["message"]["text"]): x for x in live
    }
    for f in json_report["findings"]:
        res = by_identity[(f["path"], f["type"], f["message"])]  # plain text: nothing escaped
        assert res["ruleId"] == f"drift/{f['type']}/{f['kind']}"
        assert rules[res["ruleIndex"]]["id"] == res["ruleId"]
        assert res["level"] == LEVELS[f["severity"]]
        loc = res["locations"][0]["physicalLocation"]
        if f["source"] and f["type"] != "unmanaged":
            file, line = f["source"].rsplit(":", 1)
            # run from anywhere, the URI is relative to the repository holding the baseline
            assert loc["artifactLocation"] == {
                "uri": Path(file).resolve().relative_to(ROOT).as_posix(),
                "uriBaseId": "%SRCROOT%",
            }
            assert loc["region"] == {"startLine": int(line)}
        else:
            assert loc["artifactLocation"]["uri"] == "expected/netra-staging/project.yaml"
    assert {"error", "warning", "note"} <= {x["level"] for x in results}
    reasons = [s["justification"] for x in suppressed for s in x["suppressions"]]
    assert all("stamped by CI" in j for j in reasons)


def test_same_inputs_same_bytes_and_fingerprints_survive_a_new_run():
    first, again, later = demo(), demo(), demo(epoch="1764999999")
    assert first.stdout == again.stdout
    a, b = validate(first.stdout), validate(later.stdout)
    assert a != b  # the run's time is recorded...
    assert fingerprints(a) == fingerprints(b)  # ...but never part of an alert's identity
    assert len(set(fingerprints(a))) == len(fingerprints(a))


def test_fingerprints_depend_on_identity_never_on_values_times_or_rules():
    base = finding("services/api/memory", actual="1Gi", message="memory is 1Gi live.")
    other_value = finding(
        "services/api/memory",
        "changed",
        "critical",
        actual="2Gi",
        message="memory is 2Gi live.",
        rule="severity services/*/memory",
        source="expected/p/other.yaml:40",
    )
    one = json.loads(render(report([base])))
    two = json.loads(render(report([other_value], when="2027-01-01T00:00:00Z")))
    assert fingerprints(one) == fingerprints(two)
    # what makes it another alert: another path, region, type, project or lint rule
    others = [
        report([finding("services/api/cpu")]),
        report([finding("services/api/memory", region="europe-west1")]),
        report([finding("services/api/memory", "missing")]),
        report([base], project="q"),
        report([finding("services/api/memory", "lint", rule="lint:placeholders")]),
    ]
    seen = {fingerprints(one)[0]} | {fingerprints(json.loads(render(r)))[0] for r in others}
    assert len(seen) == 1 + len(others)
    # two lint rules on one path are two alerts
    both = report(
        [
            finding("services/api/env/X", "lint", rule="lint:placeholders"),
            finding("services/api/env/X", "lint", rule="lint:plaintext_secrets"),
        ]
    )
    assert len(set(fingerprints(json.loads(render(both))))) == 2


def test_not_checked_is_an_error_result_and_an_unsuccessful_invocation(tmp_path):
    denied = {"path": "connectors", "status": 403, "reason": "IAM_PERMISSION_DENIED"}
    world = wk.world(services=[], connectors=[wk.connector("conn-a")])
    world["emulator"] = {"faults": [denied]}
    (tmp_path / "w.json").write_text(json.dumps(world))
    expected = wk.write_baseline(
        tmp_path, {"c.yaml": f"vpc_connectors:\n  conn-a: {{region: {wk.REGION}}}\n"}
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
            "sarif",
            "--quiet",
        ]
    )
    assert r.exit_code == 1
    doc = validate(r.stdout)
    run_ = doc["runs"][0]
    (result,) = run_["results"]
    assert result["ruleId"] == "drift/not_checked/vpc_connectors" and result["level"] == "error"
    assert "was not checked" in result["message"]["text"]
    invocation = run_["invocations"][0]
    assert invocation["executionSuccessful"] is False
    (note,) = invocation["toolExecutionNotifications"]
    assert note["level"] == "error" and note["message"]["text"].startswith("vpc_connectors: ")


def test_hostile_live_values_are_escaped_and_the_log_stays_valid():
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
            "sarif",
        ]
    )
    assert r.exit_code == 2
    assert not [c for c in r.stdout if is_unsafe(c) and c != "\n"]  # nothing raw in the file
    doc = validate(r.stdout)
    texts = [x["message"]["text"] for x in doc["runs"][0]["results"]]
    decoded = "".join(texts)
    assert not [c for c in decoded if is_unsafe(c)]  # and nothing once decoded: shown escaped
    assert "\\x1b" in decoded or "\\u202e" in decoded


def test_messages_are_escaped_and_redacted_values_stay_redacted():
    hostile = finding(
        "services/api/env/MODE", message="MODE is \x1b[2Jok\u202e\u2028x live.", source=None
    )
    secret = finding(
        "services/api/env/API_KEY",
        "changed",
        "critical",
        actual="<redacted sha256:ab12cd34>",
        message="env var API_KEY is <redacted sha256:ab12cd34> live.",
    )
    text = render(report([hostile, secret]))
    doc = validate(text)
    msgs = [x["message"]["text"] for x in doc["runs"][0]["results"]]
    assert "env var API_KEY is <redacted sha256:ab12cd34> live." in msgs
    assert "MODE is \\x1b[2Jok\\u202e\\u2028x live." in msgs
    assert text.isascii()


def test_every_report_shape_is_schema_valid():
    f = finding("services/api/min_instances", "changed", "critical")
    un = finding("services/rogue", "unmanaged", "info", source=None)
    ign = IgnoredFinding(finding("services/api/labels/sha", severity="info"), "ignore x", "CI")
    nc = [NotChecked("secrets", None, "UNAVAILABLE"), NotChecked("health_checks", "us-east1", "x")]
    doc = validate(render(report([f, un], [ign], nc, notes=["an ignore rule expired"])))
    results = doc["runs"][0]["results"]
    assert [x["level"] for x in results] == ["error", "note", "note", "error", "error"]
    assert results[1]["locations"][0]["physicalLocation"]["region"] == {"startLine": 1}
    assert validate(render(report()))["runs"][0]["results"] == []


# -- where results are placed ---------------------------------------------------------------


def test_uris_are_relative_to_the_repository_and_percent_encoded(tmp_path):
    repo = tmp_path / "repo"
    (repo / ".git").mkdir(parents=True)
    sub = repo / "infra"
    sub.mkdir()
    assert repository_root(sub) == repo
    assert artifact_uri("expected/p/a b.yaml", sub, repo) == ("infra/expected/p/a%20b.yaml", True)
    assert artifact_uri(str(repo / "expected/p/x.yaml"), sub, repo) == ("expected/p/x.yaml", True)
    outside = tmp_path / "elsewhere" / "x.yaml"
    assert artifact_uri(str(outside), sub, repo) == (outside.as_uri(), False)
    assert artifact_uri("../x.yaml", sub, repo) == ("x.yaml", True)
    # no repository around: the folder drift runs in is the root
    lone = tmp_path / "lone"
    lone.mkdir()
    assert repository_root(lone) == lone
    # the repository holding the baseline wins over the one drift runs in
    assert repository_root(lone, str(sub / "expected" / "p")) == repo
    assert repository_root(sub, "../../lone/expected/p") == repo  # no repository there


def test_absolute_sources_outside_the_repository_are_file_uris(tmp_path):
    f = finding("services/api/cpu", source=str(tmp_path / "expected/p/services.yaml") + ":9")
    doc = validate(render(report([f]), cwd=tmp_path, root=tmp_path / "repo"))
    artifact = doc["runs"][0]["results"][0]["locations"][0]["physicalLocation"]
    assert artifact["artifactLocation"] == {"uri": (tmp_path / "expected/p/services.yaml").as_uri()}
    assert artifact["region"] == {"startLine": 9}


@pytest.mark.parametrize("fmt", ["sarif"])
def test_formatter_places_uris_from_the_working_directory(fmt, tmp_path, monkeypatch):
    (tmp_path / ".git").mkdir()
    (tmp_path / "ops").mkdir()
    monkeypatch.chdir(tmp_path / "ops")
    doc = json.loads(formatter(fmt)(report([finding("services/api/cpu")])))
    loc = doc["runs"][0]["results"][0]["locations"][0]["physicalLocation"]
    assert loc["artifactLocation"]["uri"] == "ops/expected/p/services.yaml"
    # run from outside any checkout, with the baseline given by absolute path
    other = tmp_path.parent / f"{tmp_path.name}-elsewhere"
    other.mkdir()
    monkeypatch.chdir(other)
    base = tmp_path / "ops" / "expected" / "p"
    base.mkdir(parents=True)
    far = replace(
        report([finding("services/api/cpu", source=f"{base}/services.yaml:4")]),
        baseline_path=str(base),
    )
    doc = json.loads(formatter(fmt)(far))
    loc = doc["runs"][0]["results"][0]["locations"][0]["physicalLocation"]
    assert loc["artifactLocation"]["uri"] == "ops/expected/p/services.yaml"


def test_golden_output():
    """tests/data/golden/report.sarif: every kind of entry, byte for byte (regenerate with
    `python -m tests.golden` after an intended change, and review the diff)."""
    from tests.golden import GOLDEN, golden_report, rendered

    text = rendered()["report.sarif"]
    assert text == (GOLDEN / "report.sarif").read_text()
    validate(render(golden_report()))


def test_compare_to_classification_is_the_baseline_state():
    new = replace(finding("services/api/cpu"), change="introduced")
    same = replace(finding("services/api/memory"), change="unchanged")
    doc = validate(render(report([new, same, finding("services/api/image")])))
    states = {x["properties"]["path"]: x.get("baselineState") for x in doc["runs"][0]["results"]}
    assert states == {
        "services/api/cpu": "new",
        "services/api/memory": "unchanged",
        "services/api/image": None,
    }
