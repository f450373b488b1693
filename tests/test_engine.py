"""The diff engine on plain data: no server, no Google library."""

from __future__ import annotations

import datetime as dt

from drift.baseline import load_baseline
from drift.engine.evaluate import evaluate
from drift.engine.redact import looks_like_credential, mask, redact_env_value
from drift.model import NotChecked, Resource, Snapshot
from tests import worldkit as wk

TODAY = dt.date(2026, 11, 25)


def svc(name: str, **fields):
    base = {
        "image": "img:v1",
        "ingress": "all",
        "service_account": "sa",
        "min_instances": 1,
        "max_instances": 5,
        "timeout": 300,
        "concurrency": 80,
        "cpu": 1,
        "memory": "1Gi",
        "execution_environment": None,
        "vpc_connector": None,
        "vpc_egress": None,
        "labels": {},
        "env": {},
    }
    base.update(fields)
    return Resource("services", name, wk.REGION, base)


def snapshot(*resources, not_checked=(), kinds=("services", "secrets", "vpc_connectors")):
    return Snapshot(wk.PROJECT, wk.NUMBER, kinds, tuple(resources), tuple(not_checked))


def load(tmp_path, files, project_yaml=None):
    expected = wk.write_baseline(tmp_path, files, project_yaml)
    return load_baseline(expected, wk.PROJECT)


def paths(ev):
    return {(f.path, f.type): f for f in ev.findings}


SERVICES = {
    "services.yaml": f"""
        services:
          api:
            region: {wk.REGION}
            memory: 1024Mi
            timeout: 300s
            labels: {{team: core, commit-sha: abc}}
            env:
              MODE: prod
              PORT: 8080
"""
}


def test_units_and_types_normalize_before_comparing(tmp_path):
    bl = load(tmp_path, SERVICES)
    live = svc(
        "api", labels={"team": "core", "commit-sha": "abc"}, env={"MODE": "prod", "PORT": "8080"}
    )
    assert evaluate(bl, snapshot(live), TODAY).findings == ()


def test_labels_default_to_info_and_env_to_critical(tmp_path):
    bl = load(tmp_path, SERVICES)
    live = svc(
        "api",
        labels={"team": "edge", "commit-sha": "abc"},
        env={"MODE": "dev", "PORT": "8080", "EXTRA": "x"},
    )
    found = paths(evaluate(bl, snapshot(live), TODAY))
    assert found[("services/api/labels/team", "changed")].severity == "info"
    assert found[("services/api/env/MODE", "changed")].severity == "critical"
    assert found[("services/api/env/EXTRA", "unexpected")].severity == "warning"
    assert found[("services/api/env/MODE", "changed")].source.endswith("services.yaml:9")


def test_env_extra_allow_accepts_undeclared_vars(tmp_path):
    files = {
        "services.yaml": SERVICES["services.yaml"].replace(
            "memory: 1024Mi", "memory: 1024Mi\n            env_extra: allow"
        )
    }
    bl = load(tmp_path, files)
    live = svc(
        "api",
        labels={"team": "core", "commit-sha": "abc"},
        env={"MODE": "prod", "PORT": "8080", "EXTRA": "x"},
    )
    assert evaluate(bl, snapshot(live), TODAY).findings == ()


def test_value_turned_secret_reference_is_a_changed_env_var(tmp_path):
    bl = load(tmp_path, SERVICES)
    live = svc(
        "api",
        labels={"team": "core", "commit-sha": "abc"},
        env={"MODE": {"secret": "mode", "version": "latest"}, "PORT": "8080"},
    )
    found = paths(evaluate(bl, snapshot(live), TODAY))
    f = found[("services/api/env/MODE", "changed")]
    assert f.expected == "prod" and f.actual == {"secret": "mode", "version": "latest"}


PROJECT_RULES = f"""
    project: {wk.PROJECT}
    regions: [{wk.REGION}]
    unmanaged: fail
    severity:
      services/*/labels/team: critical
    ignore:
      - path: services/*/labels/commit-sha
        reason: stamped by CI
      - path: services/api/env/MODE
        reason: migration
        until: 2026-01-31
"""


def test_project_rules_severity_ignore_expiry_and_unmanaged(tmp_path):
    bl = load(tmp_path, SERVICES, PROJECT_RULES)
    live = svc(
        "api", labels={"team": "edge", "commit-sha": "def"}, env={"MODE": "dev", "PORT": "8080"}
    )
    ev = evaluate(bl, snapshot(live, svc("stray")), TODAY)
    found = paths(ev)
    team = found[("services/api/labels/team", "changed")]
    assert team.severity == "critical" and team.rule == "severity services/*/labels/team"
    assert [i.finding.path for i in ev.ignored] == ["services/api/labels/commit-sha"]
    assert ev.ignored[0].reason == "stamped by CI"
    mode = found[("services/api/env/MODE", "changed")]
    assert "expired" in mode.rule and "expired on 2026-01-31" in mode.message
    assert any("expired on 2026-01-31" in n for n in ev.notes)
    stray = found[("services/stray", "unmanaged")]
    assert stray.severity == "critical"


def test_unmanaged_ignore_drops_them(tmp_path):
    bl = load(
        tmp_path, SERVICES, f"project: {wk.PROJECT}\nregions: [{wk.REGION}]\nunmanaged: ignore\n"
    )
    live = svc(
        "api", labels={"team": "core", "commit-sha": "abc"}, env={"MODE": "prod", "PORT": "8080"}
    )
    assert evaluate(bl, snapshot(live, svc("stray")), TODAY).findings == ()


def test_not_checked_kind_yields_no_findings(tmp_path):
    bl = load(
        tmp_path,
        {
            **SERVICES,
            "c.yaml": f"""
        vpc_connectors:
          conn: {{region: {wk.REGION}, max_instances: 10}}
    """,
        },
    )
    live = svc(
        "api",
        labels={"team": "core", "commit-sha": "abc"},
        env={"MODE": "prod", "PORT": "8080"},
        vpc_connector="conn",
    )
    nc = NotChecked("vpc_connectors", wk.REGION, "PERMISSION_DENIED: no")
    ev = evaluate(bl, snapshot(live, not_checked=[nc]), TODAY)
    assert ev.findings == ()  # neither "connector missing" nor a broken reference


def test_undeclared_kind_is_not_reported_as_unmanaged(tmp_path):
    bl = load(tmp_path, SERVICES)
    live = svc(
        "api", labels={"team": "core", "commit-sha": "abc"}, env={"MODE": "prod", "PORT": "8080"}
    )
    orphan = Resource("secrets", "orphan", None, {"replication": "automatic", "labels": {}})
    assert evaluate(bl, snapshot(live, orphan), TODAY).findings == ()


def test_broken_reference_to_disabled_latest_version(tmp_path):
    bl = load(tmp_path, SERVICES)
    live = svc(
        "api", labels={"team": "core", "commit-sha": "abc"}, env={"MODE": "prod", "PORT": "8080"}
    )
    live.fields["env"]["TOKEN"] = {"secret": "tok", "version": "latest"}
    tok = Resource(
        "secrets",
        "tok",
        None,
        {
            "replication": "automatic",
            "labels": {},
            "_version_states": {"1": "ENABLED", "2": "DISABLED"},
        },
    )
    found = paths(evaluate(bl, snapshot(live, tok), TODAY))
    broken = found[("services/api/env/TOKEN", "broken_reference")]
    assert broken.severity == "critical" and "DISABLED" in broken.message


def test_findings_sorted_by_severity_then_path(tmp_path):
    bl = load(tmp_path, SERVICES)
    live = svc("api", labels={"team": "x", "commit-sha": "y"}, env={"MODE": "a"}, memory="2Gi")
    ev = evaluate(bl, snapshot(live, svc("b"), svc("a")), TODAY)
    keys = [f.sort_key() for f in ev.findings]
    assert keys == sorted(keys)
    assert ev.findings[0].severity == "critical"


def test_redaction_rules():
    assert redact_env_value("DB_PASSWORD", "hunter2") == mask("hunter2")
    assert redact_env_value("MODE", "prod") == "prod"
    assert redact_env_value("X", "postgres://u:pw@h/db").startswith("<redacted sha256:")
    assert redact_env_value("X", {"secret": "s", "version": "latest"}) == {
        "secret": "s",
        "version": "latest",
    }
    assert looks_like_credential("AKIAABCDEFGHIJKLMNOP")
    assert looks_like_credential("Zm9vYmFyYmF6cXV4MTIzNDU2Nzg5MGFiY2RlZg==")
    assert not looks_like_credential("https://api-staging.netrasystems.ai")
    assert not looks_like_credential("10.166.204.83")
    assert mask("x") == mask("x") != mask("y")


def test_missing_resource_expected_value_is_redacted(tmp_path):
    bl = load(
        tmp_path,
        {
            "services.yaml": f"""
        services:
          api:
            region: {wk.REGION}
            env: {{API_KEY: plain-text-key}}
    """
        },
    )
    ev = evaluate(bl, snapshot(), TODAY)
    (f,) = ev.findings
    assert f.type == "missing" and f.severity == "critical"
    assert "plain-text-key" not in repr(f.to_json())


def test_probe_compares_only_declared_subkeys(tmp_path):
    bl = load(
        tmp_path,
        {
            "services.yaml": f"""
        services:
          api:
            region: {wk.REGION}
            ready: true
            startup_probe: {{type: http, path: /health, timeout: 5s}}
    """
        },
    )
    probe = {"type": "http", "path": "/health", "port": 8080, "timeout": 5, "period": 10}
    live = svc("api", ready=True, startup_probe=probe)
    assert evaluate(bl, snapshot(live), TODAY).findings == ()
    live = svc("api", ready=False, startup_probe={**probe, "path": "/"})
    found = paths(evaluate(bl, snapshot(live), TODAY))
    assert found[("services/api/startup_probe", "changed")].actual == {
        "type": "http",
        "path": "/",
        "timeout": 5,
    }
    assert ("services/api/ready", "changed") in found


def test_numbered_secret_ref_without_known_project_number_is_not_drift(tmp_path):
    bl = load(
        tmp_path,
        {
            "services.yaml": f"""
        services:
          api:
            region: {wk.REGION}
            env: {{DB: {{secret: db}}}}
    """
        },
    )
    live = svc("api", env={"DB": {"secret": "projects/99/secrets/db", "version": "latest"}})
    unknown = Snapshot(wk.PROJECT, None, ("services",), (live,))
    assert evaluate(bl, unknown, TODAY).findings == ()
    known = Snapshot(wk.PROJECT, "11", ("services",), (live,))
    assert [f.type for f in evaluate(bl, known, TODAY).findings] == ["changed"]
