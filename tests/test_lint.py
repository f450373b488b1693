"""Lint rules on live values, and their project.yaml switches: plain data, no server."""

from __future__ import annotations

import datetime as dt

import pytest

from drift.baseline import BaselineError, load_baseline
from drift.baseline.rules import LINT_RULES
from drift.engine.evaluate import evaluate
from drift.engine.lint import SEVERITY, hosts_in, near_canonical, placeholders
from drift.engine.redact import mask
from drift.model import NotChecked, Resource, Snapshot
from tests import worldkit as wk

TODAY = dt.date(2026, 11, 25)
R = wk.REGION
KINDS = ("services", "secrets", "url_maps", "ssl_certificates", "domain_mappings")
CANONICAL = ["api-staging.netrasystems.ai", "staging.netrasystems.ai"]


def project(extra: str = "") -> str:
    return f"project: {wk.PROJECT}\nregions: [{R}]\n{extra}"


def lint(tmp_path, *resources, extra="", files=None, not_checked=(), kinds=KINDS):
    """Lint findings of evaluate(); the baseline declares nothing unless `files` says so."""
    expected = wk.write_baseline(tmp_path, files or {}, project(extra))
    baseline = load_baseline(expected, wk.PROJECT)
    s = Snapshot(wk.PROJECT, wk.NUMBER, kinds, tuple(resources), tuple(not_checked))
    ev = evaluate(baseline, s, TODAY)
    return [f for f in ev.findings if f.type == "lint"], ev


def svc(name="api", env=None, ready=True, **fields):
    return Resource(
        "services",
        name,
        R,
        {"image": "img:v1", "env": env or {}, "ready": ready, "labels": {}, **fields},
    )


def by_rule(findings):
    out: dict[str, list] = {}
    for f in findings:
        out.setdefault(f.rule, []).append(f)
    return out


# -- placeholders ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "found"),
    [
        ("<instance-name>", ["<instance-name>"]),
        ("netra-staging:us-central1:<instance-name>", ["<instance-name>"]),
        ("Bearer <api-key>", ["<api-key>"]),
        ("postgres://${DB_USER}@host/{{ db }}", ["${DB_USER}", "{{ db }}"]),
        ("REPLACE_ME", ["REPLACE_ME"]),
        ("value-CHANGEME", ["CHANGEME"]),
        ("TODO: fill in", ["TODO"]),
        ("todo-app", []),  # case-sensitive
        ("TODOS", []),  # whole word
        ("REPLACE_ME_LATER", []),
        ("<div>hello</div>", []),  # HTML-ish
        ('<a href="x">', []),
        ("List<String>", []),
        (mask("hunter2"), []),
        ("<redacted sha256:0123abcd>", []),
        ("us-docker.pkg.dev/p/r/app@sha256:" + "a" * 64, []),
        ("plain value", []),
        ("a < b and c > d", []),
    ],
)
def test_placeholder_patterns(text, found):
    assert placeholders(text) == found


def test_placeholder_in_env_is_critical_and_reported_with_a_changed_finding(tmp_path):
    files = {
        "s.yaml": f"""
        services:
          api:
            region: {R}
            env:
              CLOUD_SQL_CONNECTION_NAME: netra-staging:us-central1:staging-shared-postgres
    """
    }
    live = svc(env={"CLOUD_SQL_CONNECTION_NAME": "<instance-name>"})
    found, ev = lint(tmp_path, live, files=files)
    (f,) = found
    assert f.path == "services/api/env/CLOUD_SQL_CONNECTION_NAME"
    assert f.severity == "critical" and f.rule == "lint:placeholders"
    assert f.actual == "<instance-name>" and f.expected is None
    assert f.source.endswith("s.yaml:6")
    assert f.message == (
        "Cloud Run service api in us-central1: env var CLOUD_SQL_CONNECTION_NAME is "
        "<instance-name>, which holds an unreplaced template placeholder (<instance-name>); "
        "deploy the real value."
    )
    assert ("services/api/env/CLOUD_SQL_CONNECTION_NAME", "changed") in {
        (x.path, x.type) for x in ev.findings
    }


def test_placeholder_in_secret_looking_env_is_redacted(tmp_path):
    found, _ = lint(tmp_path, svc(env={"E2E_BYPASS_KEY": "<staging-bypass-key>"}))
    (f,) = [x for x in found if x.rule == "lint:placeholders"]
    assert f.actual == mask("<staging-bypass-key>")
    assert "staging-bypass-key" not in repr(f.to_json())
    # a placeholder is not also reported as a plaintext secret
    assert [x.rule for x in found] == ["lint:placeholders"]


def test_placeholders_in_other_fields_and_kinds(tmp_path):
    um = Resource(
        "url_maps",
        "lb",
        None,
        {
            "default_service": "web",
            "hosts": {"<api-host>": "api", "ok.example.ai": "web"},
            "_backend_services": ["<internal-ignored>"],
            "_backend_buckets": [],
        },
    )
    secret = Resource(
        "secrets", "s", None, {"replication": "automatic", "labels": {"owner": "TODO"}}
    )
    dm = Resource("domain_mappings", "a.example.ai", R, {"service": "${SERVICE}", "ready": True})
    found, _ = lint(tmp_path, um, secret, dm)
    assert {f.path for f in found} == {
        "url_maps/lb/hosts/<api-host>",
        "secrets/s/labels/owner",
        "domain_mappings/a.example.ai/service",
    }
    secret_ref = svc(env={"DB": {"secret": "<secret-name>", "version": "latest"}})
    (f,) = lint(tmp_path / "b", secret_ref)[0]
    assert f.path == "services/api/env/DB"


# -- plaintext secrets -------------------------------------------------------------------------


def test_plaintext_secret_by_name_or_by_value(tmp_path):
    env = {
        "JWT_SECRET_KEY": "s3cr3t-value",  # name
        "STRIPE": "sk_live_" + "a1" * 10,  # value
        "AUTH_SERVICE_URL": "https://auth.example.ai",  # configuration, despite AUTH
        "TOKEN_TTL": "3600",
        "AUTH_ENABLED": "true",
        "API_KEY": "",  # empty
        "DB_PASSWORD": "<db-password>",  # a placeholder: reported by placeholders
        "REF_KEY": {"secret": "k", "version": "latest"},
        "MODE": "prod",
    }
    found, _ = lint(tmp_path, svc(env=env))
    plain = {f.path: f for f in found if f.rule == "lint:plaintext_secrets"}
    assert set(plain) == {"services/api/env/JWT_SECRET_KEY", "services/api/env/STRIPE"}
    f = plain["services/api/env/JWT_SECRET_KEY"]
    assert f.severity == "warning" and f.actual == mask("s3cr3t-value")
    assert "s3cr3t-value" not in repr(f.to_json())
    assert "Secret Manager" in f.message and "its name looks secret" in f.message
    assert "value looks like a credential" in plain["services/api/env/STRIPE"].message


def test_plaintext_secret_masked_in_a_snapshot_is_still_reported(tmp_path):
    found, _ = lint(tmp_path, svc(env={"API_KEY": mask("abc")}))
    (f,) = found
    assert f.rule == "lint:plaintext_secrets" and f.actual == mask("abc")


# -- host spelling -----------------------------------------------------------------------------


def test_near_canonical():
    canon = tuple(CANONICAL)
    assert near_canonical("api.staging.netrasystems.ai", canon) == "api-staging.netrasystems.ai"
    assert near_canonical("API.Staging.NetraSystems.ai", canon) == "api-staging.netrasystems.ai"
    assert near_canonical("api-stagin.netrasystems.ai", canon) == "api-staging.netrasystems.ai"
    assert near_canonical("api-staging.netrasystem.ai", canon) == "api-staging.netrasystems.ai"
    assert near_canonical("api-staging.netrasystems.ai", canon) is None  # canonical
    assert near_canonical("staging.netrasystems.ai", canon) is None
    assert near_canonical("www.staging.netrasystems.ai", canon) is None  # a different host
    assert near_canonical("example.com", canon) is None  # far from all
    assert near_canonical("staging.netrasystems.ai", ("api-staging.netrasystems.ai",)) is None


def test_hosts_in_values():
    assert hosts_in("https://api.staging.netrasystems.ai/v1") == ["api.staging.netrasystems.ai"]
    assert hosts_in("wss://A.example.ai:443/ws, https://b.example.ai") == [
        "a.example.ai",
        "b.example.ai",
    ]
    assert hosts_in("api.staging.netrasystems.ai:8443/x") == ["api.staging.netrasystems.ai"]
    assert hosts_in("10.166.204.83") == [] and hosts_in("6379") == [] and hosts_in("prod") == []


def test_host_spelling_everywhere_hosts_live(tmp_path):
    services = svc(
        env={
            "API_BASE_URL": "https://api.staging.netrasystems.ai",
            "NEXT_PUBLIC_WS_URL": "wss://api-staging.netrasystems.ai/ws",
            "OTHER": "https://example.com",
        }
    )
    um = Resource(
        "url_maps",
        "lb",
        None,
        {
            "default_service": "web",
            "hosts": {"api.staging.netrasystems.ai": "api", "staging.netrasystems.ai": "web"},
            "_backend_services": ["api", "web"],
            "_backend_buckets": [],
        },
    )
    cert = Resource(
        "ssl_certificates",
        "c",
        None,
        {
            "type": "MANAGED",
            "domains": ["*.netrasystems.ai", "api.staging.netrasystems.ai"],
            "status": "ACTIVE",
            "_domain_status": {},
            "_expire_time": None,
        },
    )
    dm = Resource(
        "domain_mappings", "api.staging.netrasystems.ai", R, {"service": "api", "ready": True}
    )
    extra = f"canonical_hosts: [{', '.join(CANONICAL)}]\n"
    found, _ = lint(tmp_path, services, um, cert, dm, extra=extra)
    spelled = {f.path: f for f in found if f.rule == "lint:host_spelling"}
    assert set(spelled) == {
        "services/api/env/API_BASE_URL",
        "url_maps/lb/hosts/api.staging.netrasystems.ai",
        "ssl_certificates/c/domains",
        "domain_mappings/api.staging.netrasystems.ai",
    }
    f = spelled["services/api/env/API_BASE_URL"]
    assert f.severity == "warning"
    assert f.expected == "api-staging.netrasystems.ai"
    assert f.actual == "api.staging.netrasystems.ai"
    assert f.message.endswith(
        "uses host api.staging.netrasystems.ai; the canonical host is api-staging.netrasystems.ai."
    )


def test_host_spelling_needs_canonical_hosts(tmp_path):
    live = svc(env={"API_BASE_URL": "https://api.staging.netrasystems.ai"})
    assert lint(tmp_path, live)[0] == []


def test_host_spelling_in_secret_named_env_is_redacted(tmp_path):
    live = svc(env={"AUTH_URL": "https://api.staging.netrasystems.ai/login"})
    found, _ = lint(tmp_path, live, extra=f"canonical_hosts: [{CANONICAL[0]}]\n")
    (f,) = [x for x in found if x.rule == "lint:host_spelling"]
    assert f.actual.startswith("<redacted sha256:")
    assert "api.staging" not in f.message and CANONICAL[0] in f.message


# -- not ready ---------------------------------------------------------------------------------


def test_not_ready_service(tmp_path):
    found, _ = lint(tmp_path, svc("ok"), svc("broken", ready=False), svc("unknown", ready=None))
    (f,) = found
    assert f.path == "services/broken/ready" and f.rule == "lint:not_ready"
    assert f.severity == "critical" and f.expected is True and f.actual is False
    assert "never became ready" in f.message


# -- switches, rules, scope --------------------------------------------------------------------

NOISY = dict(
    env={
        "CLOUD_SQL": "<instance-name>",
        "API_KEY": "plain-text-key",
        "URL": "https://api.staging.netrasystems.ai",
    },
    ready=False,
)


@pytest.mark.parametrize("rule", LINT_RULES)
def test_each_rule_fires_and_can_be_turned_off(tmp_path, rule):
    canon = f"canonical_hosts: [{CANONICAL[0]}]\n"
    on = {f.rule for f in lint(tmp_path / "on", svc(**NOISY), extra=canon)[0]}
    assert on == {f"lint:{r}" for r in LINT_RULES}
    off = {
        f.rule
        for f in lint(tmp_path / "off", svc(**NOISY), extra=canon + f"lint: {{{rule}: false}}\n")[0]
    }
    assert off == on - {f"lint:{rule}"}
    assert SEVERITY[rule] in ("critical", "warning")


def test_lint_skips_kinds_that_were_not_checked(tmp_path):
    nc = NotChecked("services", R, "PERMISSION_DENIED: no")
    assert lint(tmp_path, svc(**NOISY), not_checked=[nc])[0] == []


def test_lint_covers_undeclared_resources_and_obeys_ignore_and_severity(tmp_path):
    extra = """severity:
  services/*/ready: warning
ignore:
  - path: services/api/env/CLOUD_SQL
    reason: fixed in the next deploy
"""
    found, ev = lint(tmp_path, svc(**NOISY), extra=extra)
    paths = {f.path: f for f in found}
    assert "services/api/env/CLOUD_SQL" not in paths
    assert [(i.finding.path, i.finding.type) for i in ev.ignored] == [
        ("services/api/env/CLOUD_SQL", "lint")
    ]
    ready = paths["services/api/ready"]
    assert ready.severity == "warning" and ready.rule == "lint:not_ready"


# -- project.yaml validation -------------------------------------------------------------------


def load_project(tmp_path, extra):
    expected = wk.write_baseline(tmp_path, {}, project(extra))
    return load_baseline(expected, wk.PROJECT)


def problems(tmp_path, extra):
    with pytest.raises(BaselineError) as err:
        load_project(tmp_path, extra)
    return str(err.value)


def test_lint_and_canonical_hosts_defaults_and_parsing(tmp_path):
    rules = load_project(tmp_path / "a", "").rules
    assert rules.canonical_hosts == () and all(rules.lint_enabled(r) for r in LINT_RULES)
    rules = load_project(
        tmp_path / "b",
        "canonical_hosts: [API-Staging.netrasystems.ai]\n"
        "lint:\n  host_spelling: false\n  placeholders: true\n",
    ).rules
    assert rules.canonical_hosts == ("api-staging.netrasystems.ai",)
    assert not rules.lint_enabled("host_spelling") and rules.lint_enabled("placeholders")


def test_unknown_lint_rule_suggests_the_nearest(tmp_path):
    text = problems(tmp_path, "lint:\n  placeholder: false\n")
    assert "project.yaml:4" in text and "lint.placeholder" in text
    assert "did you mean 'placeholders'?" in text


@pytest.mark.parametrize(
    ("extra", "words"),
    [
        ("lint: [placeholders]\n", "expected a mapping of lint rule to true|false"),
        ("lint:\n  not_ready: no-thanks\n", "expected true or false"),
        ("canonical_hosts: api-staging.example.ai\n", "expected a list of host names"),
        ("canonical_hosts: [https://api-staging.example.ai]\n", "not a bare host name"),
        ("canonical_hosts: ['*.example.ai']\n", "not a host name"),
        ("canonical_hosts: [a.example.ai, A.example.ai]\n", "listed twice"),
        ("canonical_host: [a.example.ai]\n", "did you mean 'canonical_hosts'?"),
    ],
)
def test_bad_lint_and_canonical_hosts_are_errors(tmp_path, extra, words):
    assert words in problems(tmp_path, extra)


def test_host_spelling_messages_name_the_place(tmp_path):
    um = Resource(
        "url_maps",
        "lb",
        None,
        {
            "default_service": "web",
            "hosts": {"api.staging.netrasystems.ai": "web"},
            "_backend_services": ["web"],
            "_backend_buckets": [],
        },
    )
    dm = Resource(
        "domain_mappings", "api.staging.netrasystems.ai", R, {"service": "api", "ready": True}
    )
    check = Resource(
        "health_checks", "hc", None, {"type": "HTTP", "host": "api.staging.netrasystems.ai"}
    )
    found, _ = lint(
        tmp_path,
        um,
        dm,
        check,
        extra=f"canonical_hosts: [{CANONICAL[0]}]\n",
        kinds=(*KINDS, "health_checks"),
    )
    messages = {f.path: f.message for f in found}
    typo, right = "api.staging.netrasystems.ai", "api-staging.netrasystems.ai"
    assert messages == {
        f"url_maps/lb/hosts/{typo}": f"URL map lb serves host {typo}; the canonical host is "
        f"{right}.",
        f"domain_mappings/{typo}": f"Cloud Run domain mapping {typo} in us-central1 is not a "
        f"canonical host; the canonical host is {right}.",
        "health_checks/hc/host": f"health check hc checks host {typo}; the canonical host is "
        f"{right}.",
    }
