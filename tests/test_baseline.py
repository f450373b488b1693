"""Baseline loading: valid files load with exact sources; every kind of mistake names file:line."""

from __future__ import annotations

import datetime
import hashlib
import textwrap
from pathlib import Path

import pytest

from drift.baseline import (
    KIND_FIELDS,
    REGIONAL,
    BaselineError,
    Declared,
    IgnoreRule,
    ProjectRules,
    load_baseline,
    validate_dir,
)

PROJECT_YAML = """\
project: netra-staging
project_number: "701982941522"
regions: [us-central1]
unmanaged: report
severity:
  services/*/env/*: critical
  services/*/labels/*: info
ignore:
  - path: services/*/labels/commit-sha
    reason: stamped by CI on every deploy
  - path: services/netra-frontend-staging/max_instances
    reason: load test this week
    until: 2026-12-15
"""

SERVICES_YAML = """\
services:
  netra-backend-staging:
    region: us-central1
    image: {matches: '^us-docker\\.pkg\\.dev/.*'}
    min_instances: 1
    max_instances: 10
    timeout: 600s
    cpu: 4
    memory: 4Gi
    vpc_connector: staging-connector
    vpc_egress: private-ranges-only
    labels:
      team: backend
      version: 2
    env:
      ENVIRONMENT: staging
      REDIS_PORT: 6379
      E2E_BYPASS_KEY: {secret: e2e-bypass-key}
      DATABASE_URL: {secret: database-url, version: 3}
    startup_probe: {type: http, path: /health, port: 8080, period: 10s}
    traffic: latest
  netra-auth-service:
    region: us-central1
    env_extra: allow
    min_instances: {min: 1}
"""

OTHER_YAML = """\
secrets:
  e2e-bypass-key:
    replication: automatic
    enabled_versions: {min: 1}
  database-url: {}
vpc_connectors: {}
ssl_certificates:
  staging-cert:
    type: MANAGED
    domains: [staging.netrasystems.ai, api-staging.netrasystems.ai]
domain_mappings:
  api-staging.netrasystems.ai:
    region: us-central1
    service: netra-backend-staging
    certificate_mode: automatic
"""


def write(root: Path, files: dict[str, str], project: str = "netra-staging") -> Path:
    folder = root / "expected" / project
    folder.mkdir(parents=True, exist_ok=True)
    for name, text in files.items():
        (folder / name).write_text(textwrap.dedent(text))
    return root / "expected"


def errors(root: Path, files: dict[str, str], project: str = "netra-staging") -> str:
    expected = write(root, files, project)
    with pytest.raises(BaselineError) as info:
        load_baseline(expected, project)
    return str(info.value)


def minimal(extra: str, project_yaml: str = PROJECT_YAML) -> dict[str, str]:
    return {"project.yaml": project_yaml, "services.yaml": extra}


# --- a valid baseline ---------------------------------------------------------------


def test_valid_multi_file_baseline(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    files = {"project.yaml": PROJECT_YAML, "services.yaml": SERVICES_YAML, "other.yml": OTHER_YAML}
    write(tmp_path, files)
    bl = load_baseline(Path("expected"), "netra-staging")

    assert bl.project == "netra-staging"
    assert bl.regions == ("us-central1",)
    assert bl.path == "expected/netra-staging"
    assert bl.project_number == "701982941522"
    assert bl.kinds == (
        "domain_mappings",
        "secrets",
        "services",
        "ssl_certificates",
        "vpc_connectors",
    )
    keys = [(d.kind, d.name, d.region) for d in bl.declared]
    assert keys == sorted(keys, key=lambda k: (k[0], k[1], k[2] or ""))
    assert ("secrets", "database-url", None) in keys

    backend = bl.get("services", "netra-backend-staging", "us-central1")
    assert isinstance(backend, Declared)
    src = "expected/netra-staging/services.yaml"
    assert backend.source == f"{src}:2"
    assert backend.field_sources["min_instances"] == f"{src}:5"
    assert backend.field_sources["env"] == f"{src}:15"
    assert backend.field_sources["env/E2E_BYPASS_KEY"] == f"{src}:18"
    assert backend.field_sources["labels/team"] == f"{src}:13"
    assert backend.fields["min_instances"] == 1
    assert backend.fields["image"] == {"matches": "^us-docker\\.pkg\\.dev/.*"}
    assert backend.fields["env"]["E2E_BYPASS_KEY"] == {"secret": "e2e-bypass-key"}
    # env and label values are strings live, so YAML numbers become strings
    assert backend.fields["env"]["REDIS_PORT"] == "6379"
    assert backend.fields["labels"]["version"] == "2"
    assert "region" not in backend.fields and "env_extra" not in backend.fields
    assert backend.env_extra == "deny"
    assert type(backend.fields) is dict and type(backend.fields["env"]) is dict

    auth = bl.get("services", "netra-auth-service", "us-central1")
    assert auth is not None and auth.env_extra == "allow"
    mapping = bl.get("domain_mappings", "api-staging.netrasystems.ai", "us-central1")
    assert mapping is not None
    assert mapping.source == "expected/netra-staging/other.yml:12"

    rules = bl.rules
    assert rules.unmanaged == "report"
    assert rules.severity == (("services/*/env/*", "critical"), ("services/*/labels/*", "info"))
    assert rules.ignore[1] == IgnoreRule(
        "services/netra-frontend-staging/max_instances",
        "load test this week",
        datetime.date(2026, 12, 15),
        "expected/netra-staging/project.yaml:11",
    )


def test_sha256_covers_names_and_bytes(tmp_path: Path) -> None:
    expected = write(tmp_path, {"project.yaml": PROJECT_YAML, "services.yaml": SERVICES_YAML})
    folder = expected / "netra-staging"
    h = hashlib.sha256()
    for name in ("project.yaml", "services.yaml"):
        h.update(name.encode() + b"\0" + (folder / name).read_bytes())
    assert load_baseline(expected, "netra-staging").sha256 == h.hexdigest()


def test_empty_resource_file_and_null_kind_are_allowed(tmp_path: Path) -> None:
    expected = write(
        tmp_path, {"project.yaml": PROJECT_YAML, "a.yaml": "", "b.yaml": "url_maps:\n"}
    )
    bl = load_baseline(expected, "netra-staging")
    assert bl.declared == () and bl.kinds == ("url_maps",)


def test_optional_region_is_global_unless_given(tmp_path: Path) -> None:
    text = """\
    health_checks:
      hc: {type: HTTP, port: 8080}
      hc-regional: {region: us-central1, type: TCP}
    """
    bl = load_baseline(write(tmp_path, minimal(text)), "netra-staging")
    assert [(d.name, d.region) for d in bl.declared] == [
        ("hc", None),
        ("hc-regional", "us-central1"),
    ]


def test_schema_table_is_complete() -> None:
    assert set(KIND_FIELDS) == set(REGIONAL)
    assert REGIONAL["services"] == "required" and REGIONAL["secrets"] == "none"
    assert REGIONAL["url_maps"] == "optional" and REGIONAL["domain_mappings"] == "required"


# --- errors --------------------------------------------------------------------------


def test_typo_in_field_names_line_and_suggests(tmp_path: Path) -> None:
    text = """\
    services:
      netra-backend-staging:
        region: us-central1
        min_instanses: 1
    """
    msg = errors(tmp_path, minimal(text))
    assert (
        "expected/netra-staging/services.yaml:4: services.netra-backend-staging.min_instanses: "
        "unknown field; did you mean 'min_instances'?" in msg
    )


def test_unknown_kind_suggests(tmp_path: Path) -> None:
    msg = errors(tmp_path, minimal("servics:\n  x: {region: us-central1}\n"))
    assert "services.yaml:1: servics: unknown kind; did you mean 'services'?" in msg


def test_duplicate_key_names_both_lines(tmp_path: Path) -> None:
    text = """\
    services:
      a:
        region: us-central1
        min_instances: 1
        image: x
        min_instances: 2
    """
    msg = errors(tmp_path, minimal(text))
    assert "services.yaml:6: services.a.min_instances: duplicate key" in msg
    assert "line 4" in msg and "line 6" in msg


def test_duplicate_resource_across_files_names_both(tmp_path: Path) -> None:
    files = minimal("services:\n  a: {region: us-central1, image: x}\n")
    files["z.yaml"] = "secrets:\n  s: {}\nservices:\n  a:\n    region: us-central1\n"
    msg = errors(tmp_path, files)
    assert "declared twice" in msg
    assert "expected/netra-staging/services.yaml:2" in msg
    assert "expected/netra-staging/z.yaml:4" in msg


def test_same_name_in_two_regions_is_fine(tmp_path: Path) -> None:
    project = PROJECT_YAML.replace("[us-central1]", "[us-central1, europe-west1]")
    files = minimal("services:\n  a: {region: us-central1}\n", project_yaml=project)
    files["eu.yaml"] = "services:\n  a: {region: europe-west1}\n"
    bl = load_baseline(write(tmp_path, files), "netra-staging")
    assert len(bl.declared) == 2


def test_bad_matcher_key(tmp_path: Path) -> None:
    text = "services:\n  a:\n    region: us-central1\n    image: {matchs: '^v1'}\n"
    msg = errors(tmp_path, minimal(text))
    assert "services.yaml:4: services.a.image:" in msg
    assert "not a matcher" in msg and "did you mean 'matches'?" in msg


def test_bad_matcher_in_env_value(tmp_path: Path) -> None:
    text = "services:\n  a:\n    region: us-central1\n    env:\n      X: {secrt: s}\n"
    msg = errors(tmp_path, minimal(text))
    assert "services.yaml:5: services.a.env.X:" in msg and "did you mean 'secret'?" in msg


def test_bad_regex(tmp_path: Path) -> None:
    text = "services:\n  a:\n    region: us-central1\n    image: {matches: '(('}\n"
    msg = errors(tmp_path, minimal(text))
    assert "services.yaml:4: services.a.image:" in msg and "invalid regular expression" in msg


def test_mixed_matcher_keys(tmp_path: Path) -> None:
    text = "services:\n  a:\n    region: us-central1\n    image: {min: 1, matches: x}\n"
    msg = errors(tmp_path, minimal(text))
    assert "cannot combine" in msg


def test_secret_ref_outside_env_is_an_error(tmp_path: Path) -> None:
    text = "services:\n  a:\n    region: us-central1\n    labels: {x: {secret: s}}\n"
    msg = errors(tmp_path, minimal(text))
    assert "services.a.labels.x: a secret reference is only valid as an env var value" in msg


@pytest.mark.parametrize(
    ("line", "needle"),
    [
        ("min_instances: one", "services.a.min_instances: expected a whole number, got 'one'"),
        ("min_instances: true", "expected a whole number, got true"),
        ("ready: 'yes'", "expected true or false"),
        ("ingress: ALL", "did you mean 'all'?"),
        ("timeout: 10 minutes", "expected a duration"),
        ("memory: lots", "expected a memory size"),
        ("labels: [a, b]", "expected a mapping of names to string values, got a list"),
        ("env: {X: true}", "env values are strings; quote it: 'true'"),
        ("traffic: {r1: 50, r2: 40}", "add up to 90, not 100"),
        ("startup_probe: {typ: http}", "did you mean 'type'?"),
        ("min_instances: {min: 'a'}", "min needs a number"),
        ("image: {min: 1}", "min/max only apply to numbers"),
    ],
)
def test_wrong_types(tmp_path: Path, line: str, needle: str) -> None:
    text = f"services:\n  a:\n    region: us-central1\n    {line}\n"
    msg = errors(tmp_path, minimal(text))
    assert "services.yaml:4:" in msg and needle in msg


def test_good_values_of_every_shape(tmp_path: Path) -> None:
    text = """\
    services:
      a:
        region: us-central1
        cpu: '1000m'
        memory: 536870912
        timeout: 1h
        ready: {one_of: [true]}
        ingress: {one_of: [all, internal]}
        labels: {present: true}
        env: {A: {absent: true}, B: {one_of: [x, y]}, C: {present: true}, D: ''}
        traffic: {r1: 90, stable: {min: 5}}
    secrets:
      s:
        replication: {user_managed: [us-central1, us-east1]}
        sha256: "sha256:%s"
        rotation_period: 30d
    backend_services:
      bs: {health_checks: [hc], backends: [neg-1], timeout_sec: 600}
    url_maps:
      lb: {default_service: bs, hosts: {api-staging.netrasystems.ai: bs}}
    """ % ("a" * 64)
    bl = load_baseline(write(tmp_path, minimal(text)), "netra-staging")
    lb = bl.get("url_maps", "lb")
    assert lb is not None
    assert lb.field_sources["hosts/api-staging.netrasystems.ai"].endswith("services.yaml:20")


def test_region_not_in_regions(tmp_path: Path) -> None:
    msg = errors(tmp_path, minimal("services:\n  a:\n    region: us-east1\n"))
    assert "services.yaml:3: services.a.region:" in msg
    assert "add it to regions in project.yaml" in msg


def test_region_required_and_forbidden(tmp_path: Path) -> None:
    msg = errors(
        tmp_path, minimal("services:\n  a: {image: x}\nsecrets:\n  s: {region: us-central1}\n")
    )
    assert "services.yaml:2: services.a.region: missing" in msg
    assert "services.yaml:4: secrets.s.region: secrets are global; remove region" in msg


def test_null_resource_body(tmp_path: Path) -> None:
    msg = errors(tmp_path, minimal("secrets:\n  s:\n"))
    assert "services.yaml:2: secrets.s: has no body" in msg


def test_ignore_without_reason(tmp_path: Path) -> None:
    project = (
        "project: netra-staging\nregions: [us-central1]\nignore:\n  - path: services/*/image\n"
    )
    msg = errors(tmp_path, {"project.yaml": project})
    assert "project.yaml:4: ignore[0].reason: an ignore rule must give a reason" in msg


def test_bad_severity_value(tmp_path: Path) -> None:
    project = "project: netra-staging\nregions: [us-central1]\nseverity:\n  services/**: critcal\n"
    msg = errors(tmp_path, {"project.yaml": project})
    assert "project.yaml:4: severity.services/**:" in msg and "did you mean 'critical'?" in msg


def test_rule_path_with_unknown_kind(tmp_path: Path) -> None:
    project = "project: netra-staging\nregions: [us-central1]\nseverity:\n  servics/*: info\n"
    msg = errors(tmp_path, {"project.yaml": project})
    assert "would never match; did you mean 'services'?" in msg


def test_project_yaml_checks(tmp_path: Path) -> None:
    project = "project: other\nregions: []\nunmanged: fail\n"
    msg = errors(tmp_path, {"project.yaml": project})
    assert "project.yaml:1: project: is 'other' but the folder is 'netra-staging'" in msg
    assert "project.yaml:2: regions: expected a non-empty list" in msg
    assert "project.yaml:3: unmanged: unknown key; did you mean 'unmanaged'?" in msg


def test_missing_project_yaml(tmp_path: Path) -> None:
    msg = errors(tmp_path, {"services.yaml": "services: {}\n"})
    assert "project.yaml: missing project.yaml" in msg
    assert "project: netra-staging" in msg


def test_missing_project_folder(tmp_path: Path) -> None:
    write(tmp_path, {"project.yaml": PROJECT_YAML})
    with pytest.raises(BaselineError) as info:
        load_baseline(tmp_path / "expected", "netra-stagin")
    assert "did you mean 'netra-staging'?" in str(info.value)
    with pytest.raises(BaselineError) as info:
        load_baseline(tmp_path / "nowhere", "netra-staging")
    assert "does not exist" in str(info.value)


def test_yaml_syntax_error_has_line(tmp_path: Path) -> None:
    text = "services:\n  a:\n    region: us-central1\n    image: [unclosed\n    cpu: 1\n"
    msg = errors(tmp_path, minimal(text))
    assert "expected/netra-staging/services.yaml:" in msg and "YAML syntax error" in msg
    line = int(msg.split("services.yaml:")[1].split(":")[0])
    assert 4 <= line <= 6


def test_unsafe_tag_is_rejected(tmp_path: Path) -> None:
    msg = errors(tmp_path, minimal("services: !!python/object:os.system {}\n"))
    assert "services.yaml:1:" in msg


def test_all_problems_reported_together(tmp_path: Path) -> None:
    text = "services:\n  a:\n    region: us-central1\n    imag: x\n    cpu: lots\n"
    files = minimal(text)
    files["z.yaml"] = "secretz: {}\n"
    with pytest.raises(BaselineError) as info:
        load_baseline(write(tmp_path, files), "netra-staging")
    assert len(info.value.problems) == 3
    assert [p.line for p in info.value.problems] == [4, 5, 1]


def test_validate_dir(tmp_path: Path) -> None:
    expected = write(tmp_path, {"project.yaml": PROJECT_YAML, "services.yaml": SERVICES_YAML})
    write(tmp_path, {"project.yaml": "project: other\nregions: [europe-west1]\n"}, "other")
    assert validate_dir(expected) == ["netra-staging", "other"]
    write(tmp_path, {"s.yaml": "servics: {}\n"}, "broken")
    (expected / "other" / "x.yaml").write_text("secrets:\n  s: {region: x}\n")
    with pytest.raises(BaselineError) as info:
        validate_dir(expected)
    text = str(info.value)
    assert "expected/broken/project.yaml" in text and "other/x.yaml:2" in text


# --- project rules -------------------------------------------------------------------


def test_severity_for_first_match_wins() -> None:
    rules = ProjectRules(
        severity=(("services/a/env/DEBUG", "info"), ("services/*/env/*", "critical"))
    )
    assert rules.severity_for("services/a/env/DEBUG") == "info"
    assert rules.severity_for("services/b/env/DEBUG") == "critical"
    assert rules.severity_for("services/b/image") is None


def test_ignore_for_active_and_expired() -> None:
    until = datetime.date(2026, 12, 15)
    expiring = IgnoreRule("services/front/max_instances", "load test", until, "p.yaml:5")
    forever = IgnoreRule("services/*/labels/commit-sha", "CI stamps it", None, "p.yaml:2")
    rules = ProjectRules(ignore=(forever, expiring))
    path = "services/front/max_instances"
    assert rules.ignore_for(path, datetime.date(2026, 12, 15)) == (expiring, None)
    assert rules.ignore_for(path, datetime.date(2026, 12, 16)) == (None, expiring)
    assert rules.ignore_for("services/x/labels/commit-sha", datetime.date(2030, 1, 1)) == (
        forever,
        None,
    )
    assert rules.ignore_for("services/x/image", until) == (None, None)
