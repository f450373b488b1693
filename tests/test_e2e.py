"""drift diff end to end: real Google clients over HTTP to the emulator, through the CLI."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from drift.cli import main
from drift.emulator import Emulator
from drift.engine.redact import mask
from tests import worldkit as wk

PLAINTEXT = "s3cr3t-plaintext-value-9f8e7d"

BASELINE = {
    "services.yaml": f"""
        services:
          api:
            region: {wk.REGION}
            min_instances: 1
            max_instances: 5
            memory: 1024Mi          # live says 1Gi: the same size
            cpu: 1
            timeout: 5m             # live says 300s
            vpc_connector: conn-a
            env:
              MODE: prod
              DB_PASSWORD: {{secret: db-pass}}
              API_TOKEN: {{secret: api-token, version: latest}}
          worker:
            region: {wk.REGION}
            max_instances: 5
            env:
              MODE: batch
    """,
    "secrets.yaml": """
        secrets:
          db-pass: {replication: automatic, enabled_versions: {min: 1}}
          api-token: {replication: automatic}
    """,
    "connectors.yaml": f"""
        vpc_connectors:
          conn-a: {{region: {wk.REGION}, max_instances: 10, state: READY, network: default}}
    """,
}


def clean_world() -> dict[str, Any]:
    return wk.world(
        services=[
            wk.service(
                "api",
                env=[
                    wk.env("MODE", "prod"),
                    wk.secret_env("DB_PASSWORD", "db-pass"),
                    # full same-project name: equal to the short declared form
                    wk.secret_env("API_TOKEN", f"projects/{wk.NUMBER}/secrets/api-token"),
                ],
            ),
            wk.service("worker", env=[wk.env("MODE", "batch")], min_instances=None),
        ],
        secrets=[wk.secret("db-pass"), wk.secret("api-token")],
        versions=[
            wk.version("db-pass", 1, "DISABLED"),
            wk.version("db-pass", 2),
            wk.version("api-token", 1),
        ],
        connectors=[wk.connector("conn-a")],
    )


def run(args: list[str], env: dict[str, str] | None = None) -> Any:
    runner = CliRunner()
    return runner.invoke(
        main, args, env={"SOURCE_DATE_EPOCH": "1764000000", **(env or {})}, catch_exceptions=False
    )


def drift_cli(command: str, expected: Path, *args: str) -> Any:
    """`drift <command> --project <test project> --expected <dir> ARGS` in-process."""
    return run([command, "--project", wk.PROJECT, "--expected", str(expected), *args])


def diff(
    tmp_path: Path,
    world: dict[str, Any],
    baseline: dict[str, str] | None = None,
    project_yaml: str | None = None,
    extra: list[str] | None = None,
    **emu: Any,
) -> tuple[Any, dict[str, Any] | None, dict[str, Any]]:
    expected = wk.write_baseline(tmp_path, baseline or BASELINE, project_yaml)
    with Emulator(world, **emu) as server:
        result = drift_cli(
            "diff",
            expected,
            "--format",
            "json",
            "--api-endpoint",
            server.base_url,
            "--quiet",
            *(extra or []),
        )
        stats = server.stats()
    try:
        report = json.loads(result.stdout)
    except ValueError:
        report = None
    return result, report, stats


def by_path(report: dict[str, Any]) -> dict[tuple[str, str], dict[str, Any]]:
    return {(f["path"], f["type"]): f for f in report["findings"]}


def test_clean_world_exits_0_with_no_findings(tmp_path):
    result, report, stats = diff(tmp_path, clean_world())
    assert report["findings"] == [], report["findings"]
    assert report["not_checked"] == []
    assert result.exit_code == 0
    assert report["project_number"] == wk.NUMBER
    assert report["summary"]["resources_checked"] == 5
    # It only reads: GETs, and the HEAD probe of the endpoint before the scan.
    assert all(e[0] == "GET" or (e[0], e[1]) == ("HEAD", "/") for e in stats["log"])


def test_each_finding_type(tmp_path):
    world = clean_world()
    api = world["projects"][wk.PROJECT]["services"][0]
    api["template"]["scaling"]["maxInstanceCount"] = 20  # changed
    api["template"]["containers"][0]["env"] = [
        wk.env("MODE", "prod"),
        wk.secret_env("DB_PASSWORD", "db-pass"),
        wk.env("DEBUG", "1"),  # unexpected; API_TOKEN missing
    ]
    del world["projects"][wk.PROJECT]["services"][1]  # worker: missing resource
    world["projects"][wk.PROJECT]["services"].append(wk.service("rogue"))  # unmanaged
    result, report, _ = diff(tmp_path, world)
    found = by_path(report)
    assert result.exit_code == 2
    assert found[("services/api/max_instances", "changed")]["actual"] == 20
    assert found[("services/api/max_instances", "changed")]["severity"] == "warning"
    missing_env = found[("services/api/env/API_TOKEN", "missing")]
    assert missing_env["severity"] == "critical"
    assert missing_env["expected"] == {"secret": "api-token", "version": "latest"}
    assert missing_env["source"].endswith("services.yaml:14")
    assert found[("services/api/env/DEBUG", "unexpected")]["severity"] == "warning"
    assert found[("services/worker", "missing")]["severity"] == "critical"
    assert found[("services/rogue", "unmanaged")]["severity"] == "info"
    assert len(report["findings"]) == 5
    severities = [f["severity"] for f in report["findings"]]
    assert severities == sorted(severities, key=["critical", "warning", "info"].index)


MATCHER_BASELINE = {
    "services.yaml": f"""
        services:
          api:
            region: {wk.REGION}
            image: {{matches: 'us-docker\\.pkg\\.dev/acme/.*'}}
            memory: {{one_of: [512Mi, 1024Mi]}}
            max_instances: {{min: 2, max: 8}}
            min_instances: {{min: 1}}
            service_account: {{present: true}}
            env:
              MODE: {{one_of: [prod, staging]}}
              DB_PASSWORD: {{secret: db-pass, version: latest}}
              API_TOKEN: {{present: true}}
              LEGACY_FLAG: {{absent: true}}
    """,
}


def test_every_matcher_holds_on_matching_live_state(tmp_path):
    world = clean_world()
    del world["projects"][wk.PROJECT]["services"][1]
    result, report, _ = diff(tmp_path, world, MATCHER_BASELINE)
    assert report["findings"] == []
    assert result.exit_code == 0


def test_every_matcher_fails_on_drifted_live_state(tmp_path):
    world = wk.world(
        services=[
            wk.service(
                "api",
                image="docker.io/evil/api:latest",
                memory="2Gi",
                max_instances=50,
                min_instances=None,
                env=[
                    wk.env("MODE", "dev"),
                    wk.secret_env("DB_PASSWORD", "db-pass", "3"),
                    wk.env("LEGACY_FLAG", "on"),
                ],
            )
        ],
        secrets=[wk.secret("db-pass")],
        versions=[wk.version("db-pass", 3)],
        connectors=[wk.connector("conn-a")],
    )
    world["projects"][wk.PROJECT]["services"][0]["template"].pop("serviceAccount")
    _, report, _ = diff(tmp_path, world, MATCHER_BASELINE)
    found = by_path(report)
    expected = {
        ("services/api/image", "changed"),
        ("services/api/memory", "changed"),
        ("services/api/max_instances", "changed"),
        ("services/api/min_instances", "changed"),
        ("services/api/service_account", "missing"),
        ("services/api/env/MODE", "changed"),
        ("services/api/env/DB_PASSWORD", "changed"),
        ("services/api/env/API_TOKEN", "missing"),
        ("services/api/env/LEGACY_FLAG", "unexpected"),
    }
    assert expected <= set(found), sorted(set(found))
    assert found[("services/api/max_instances", "changed")]["expected"] == {"min": 2, "max": 8}


def test_pagination_sees_every_resource(tmp_path):
    world = clean_world()
    extra = [wk.service(f"extra-{i}") for i in range(5)]
    world["projects"][wk.PROJECT]["services"].extend(extra)
    world["projects"][wk.PROJECT]["secrets"].extend(wk.secret(f"s-{i}") for i in range(4))
    result, report, stats = diff(tmp_path, world, page_size=1)
    unmanaged = {f["resource"] for f in report["findings"] if f["type"] == "unmanaged"}
    assert unmanaged == {f"extra-{i}" for i in range(5)} | {f"s-{i}" for i in range(4)}
    assert not [f for f in report["findings"] if f["type"] != "unmanaged"]
    paged = [e for e in stats["log"] if "pageToken=" in e[1] and "/services" in e[1]]
    assert len(paged) >= 6  # 7 services, one per page
    assert result.exit_code == 2


def test_403_on_one_kind_is_not_checked_and_never_missing(tmp_path):
    faults = [{"path": "/connectors", "status": 403, "times": None}]
    result, report, _ = diff(tmp_path, clean_world(), faults=faults)
    assert result.exit_code == 1
    assert report["summary"]["not_checked"] == 1
    nc = report["not_checked"][0]
    assert nc["kind"] == "vpc_connectors" and nc["region"] == wk.REGION
    assert nc["error"].startswith("PERMISSION_DENIED")
    assert not [
        f
        for f in report["findings"]
        if f["kind"] == "vpc_connectors" or f["field"] == "vpc_connector"
    ]


def test_transient_503_and_429_heal(tmp_path):
    faults = [
        {"path": "/services", "status": 503, "times": 2},
        {"path": "/secrets$", "status": 429, "times": 2},
        {"path": "/versions", "status": 503, "times": 1},
    ]
    result, report, stats = diff(tmp_path, clean_world(), faults=faults)
    assert result.exit_code == 0, report
    assert report["findings"] == [] and report["not_checked"] == []
    statuses = [e[2] for e in stats["log"]]
    assert statuses.count(503) == 3 and statuses.count(429) == 2


def test_quota_429s_are_retried_until_they_heal(tmp_path):
    # 2 Secret Manager reads a minute would take minutes; a fault-injected 429 burst heals.
    faults = [{"path": "/secrets", "status": 429, "times": 3}]
    result, report, _ = diff(tmp_path, clean_world(), faults=faults)
    assert result.exit_code == 0 and report["not_checked"] == []


def test_plaintext_secret_never_appears_in_any_output(tmp_path):
    world = clean_world()
    world["projects"][wk.PROJECT]["services"][0]["template"]["containers"][0]["env"].append(
        wk.env("STRIPE_API_KEY", PLAINTEXT)
    )
    world["projects"][wk.PROJECT]["services"][1]["template"]["containers"][0]["env"] = [
        wk.env("MODE", "postgres://admin:hunter2hunter2@db:5432/app")
    ]
    expected = wk.write_baseline(tmp_path, BASELINE)
    with Emulator(world) as server:
        outputs, stdouts = [], []
        for fmt in ("json", "table"):
            r = drift_cli("diff", expected, "--format", fmt, "--api-endpoint", server.base_url)
            outputs.append(r.output)  # stdout and stderr (the summary line)
            stdouts.append(r.stdout)
        out_file = tmp_path / "snap.json"
        r = drift_cli(
            "snapshot", expected, "--output", str(out_file), "--api-endpoint", server.base_url
        )
    report = json.loads(stdouts[0])
    found = by_path(report)
    assert found[("services/api/env/STRIPE_API_KEY", "unexpected")]["actual"].startswith(
        "<redacted sha256:"
    )
    assert found[("services/worker/env/MODE", "changed")]["actual"].startswith("<redacted")
    stored = out_file.read_text()
    for text in [*outputs, stored]:
        assert PLAINTEXT not in text and "hunter2" not in text
    # the digest kept in the snapshot still compares equal to a declared plaintext value
    assert mask(PLAINTEXT) in stored


def test_two_runs_give_identical_json(tmp_path):
    world = clean_world()
    world["projects"][wk.PROJECT]["services"].append(wk.service("rogue"))
    expected = wk.write_baseline(tmp_path, BASELINE)
    outputs = []
    with Emulator(world, page_size=1) as server:
        for n in range(2):
            out = tmp_path / f"r{n}.json"
            r = drift_cli(
                "diff",
                expected,
                "--format",
                "json",
                "--output",
                str(out),
                "--api-endpoint",
                server.base_url,
            )
            assert r.exit_code == 2
            outputs.append(out.read_bytes())
    assert outputs[0] == outputs[1]
    assert b'"generated_at": "2025-11-24T' in outputs[0]


def test_baseline_typo_exits_1_before_any_api_call(tmp_path):
    bad = dict(BASELINE)
    bad["services.yaml"] = BASELINE["services.yaml"].replace(
        "max_instances: 5\n    ", "max_instanses: 5\n    ", 1
    )
    result, report, stats = diff(tmp_path, clean_world(), bad)
    assert result.exit_code == 1
    assert report is None
    assert "services.yaml:6" in result.stderr
    assert "did you mean 'max_instances'" in result.stderr
    assert stats["log"] == []


def test_secret_versions_listed_only_when_needed(tmp_path):
    world = clean_world()
    world["projects"][wk.PROJECT]["secrets"].append(wk.secret("unrelated"))
    world["projects"][wk.PROJECT]["secretVersions"].append(wk.version("unrelated", 1))
    _, report, stats = diff(tmp_path, world)
    version_calls = sorted(e[1].split("?")[0] for e in stats["log"] if "/versions" in e[1])
    assert version_calls == [
        f"/v1/projects/{wk.NUMBER}/secrets/api-token/versions",  # referenced by a service
        f"/v1/projects/{wk.NUMBER}/secrets/db-pass/versions",  # declares enabled_versions
    ]


def test_broken_references_for_missing_secret_and_connector(tmp_path):
    world = clean_world()
    api = world["projects"][wk.PROJECT]["services"][0]
    api["template"]["containers"][0]["env"][1] = wk.secret_env("DB_PASSWORD", "db-pass-v2")
    api["template"]["vpcAccess"]["connector"] = (
        f"projects/{wk.PROJECT}/locations/{wk.REGION}/connectors/gone"
    )
    _, report, _ = diff(tmp_path, world)
    found = by_path(report)
    assert found[("services/api/env/DB_PASSWORD", "broken_reference")]["severity"] == "critical"
    assert found[("services/api/vpc_connector", "broken_reference")]["severity"] == "critical"
    assert ("services/api/env/DB_PASSWORD", "changed") in found


@pytest.mark.parametrize("fail_on,code", [("info", 2), ("warning", 0), ("critical", 0)])
def test_fail_on_threshold(tmp_path, fail_on, code):
    world = clean_world()
    world["projects"][wk.PROJECT]["services"].append(wk.service("rogue"))  # info only
    result, _, _ = diff(tmp_path, world, extra=["--fail-on", fail_on])
    assert result.exit_code == code


def test_snapshot_then_diff_offline_gives_same_report(tmp_path):
    world = clean_world()
    world["projects"][wk.PROJECT]["services"].append(wk.service("rogue"))
    expected = wk.write_baseline(tmp_path, BASELINE)
    snap = tmp_path / "snap.json"
    with Emulator(world) as server:
        r = drift_cli(
            "snapshot", expected, "--output", str(snap), "--api-endpoint", server.base_url
        )
        assert r.exit_code == 0
        live = drift_cli("diff", expected, "--format", "json", "--api-endpoint", server.base_url)
        requests_before = len(server.stats()["log"])
        offline = drift_cli("diff", expected, "--format", "json", "--snapshot", str(snap))
        assert len(server.stats()["log"]) == requests_before  # no API call at all
    a, b = json.loads(live.stdout), json.loads(offline.stdout)
    assert a["findings"] == b["findings"] and b["source"]["type"] == "snapshot"


def test_persistent_503_gives_up_at_the_deadline_as_not_checked(tmp_path):
    faults = [{"path": "/secrets", "status": 503, "times": None}]
    result, report, stats = diff(
        tmp_path, clean_world(), faults=faults, extra=["--retry-deadline", "1"]
    )
    assert result.exit_code == 1
    assert [n["kind"] for n in report["not_checked"]] == ["secrets"]
    assert report["not_checked"][0]["error"].startswith("UNAVAILABLE")
    assert not [f for f in report["findings"] if f["kind"] == "secrets"]
    # services were still compared, but no reference check could use the unknown secrets
    assert not [f for f in report["findings"] if f["type"] == "broken_reference"]
    assert sum(1 for e in stats["log"] if e[2] == 503) >= 2  # it did retry


def test_snapshot_digest_matches_declared_secret_looking_value(tmp_path):
    world = clean_world()
    world["projects"][wk.PROJECT]["services"][1]["template"]["containers"][0]["env"].append(
        wk.env("SIGNING_KEY", PLAINTEXT)
    )
    files = dict(BASELINE)
    files["services.yaml"] = BASELINE["services.yaml"].replace(
        "MODE: batch", f"MODE: batch\n              SIGNING_KEY: {PLAINTEXT}"
    )
    # A plain secret-looking value is also a lint:plaintext_secrets warning; this test is
    # about digests, so that rule is off here.
    project = f"project: {wk.PROJECT}\nregions: [{wk.REGION}]\nlint: {{plaintext_secrets: false}}\n"
    expected = wk.write_baseline(tmp_path, files, project)
    snap = tmp_path / "snap.json"
    with Emulator(world) as server:
        drift_cli("snapshot", expected, "--output", str(snap), "--api-endpoint", server.base_url)
    same = drift_cli("diff", expected, "--format", "json", "--snapshot", str(snap))
    assert json.loads(same.stdout)["findings"] == [] and same.exit_code == 0
    files["services.yaml"] = files["services.yaml"].replace(PLAINTEXT, "another-value")
    expected = wk.write_baseline(tmp_path / "b", files, project)
    changed = drift_cli("diff", expected, "--format", "json", "--snapshot", str(snap))
    (f,) = json.loads(changed.stdout)["findings"]
    assert f["path"] == "services/worker/env/SIGNING_KEY" and f["type"] == "changed"
    assert f["actual"] == mask(PLAINTEXT) and f["expected"] == mask("another-value")
