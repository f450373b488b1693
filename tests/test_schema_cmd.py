"""`drift schema`: the baseline schemas agree with the loader (valid baselines are schema-valid,
structural mistakes are schema-invalid, and what only the loader can catch is an explicit
list), and the report schema describes what `drift diff --format json` writes."""

from __future__ import annotations

import json
import textwrap
from pathlib import Path
from typing import Any

import jsonschema
import pytest
from click.testing import CliRunner

from drift.baseline import KIND_FIELDS, BaselineError, load_baseline
from drift.baseline.json_schema import (
    LOADER_ONLY,
    baseline_schema,
    project_schema,
    resources_schema,
    yaml_as_json,
)
from drift.baseline.rules import IGNORE_KEYS, LINT_RULES, PROJECT_KEYS
from drift.baseline.yaml_lines import UNREADABLE, load_yaml
from drift.cli import main
from drift.model import BaselineChange, Comparison, Finding, Report
from drift.report.json_format import render as render_json
from drift.report.json_schema import report_schema
from tests.test_baseline import OTHER_YAML, PROJECT_YAML, SERVICES_YAML

ROOT = Path(__file__).resolve().parent.parent
PROJECT = "netra-staging"
COMBINED = jsonschema.Draft7Validator(baseline_schema())
BY_ROLE = {
    "project": jsonschema.Draft7Validator(project_schema()),
    "resources": jsonschema.Draft7Validator(resources_schema()),
}
MINIMAL_PROJECT = f"project: {PROJECT}\nregions: [us-central1]\n"


def run(*args: str) -> Any:
    return CliRunner().invoke(main, list(args), catch_exceptions=False)


def schema_errors(name: str, text: str) -> tuple[list[str], list[str]]:
    """(errors by the file's own schema, errors by the combined one) for one file."""
    tree, problems = load_yaml(textwrap.dedent(text), name)
    assert tree is not UNREADABLE, problems  # the corpus is YAML; syntax is the loader's
    data = yaml_as_json(tree)
    role = "project" if name == "project.yaml" else "resources"
    own = [e.message for e in BY_ROLE[role].iter_errors(data)]
    combined = [e.message for e in COMBINED.iter_errors(data)]
    return own, combined


def write(root: Path, files: dict[str, str]) -> Path:
    folder = root / "expected" / PROJECT
    folder.mkdir(parents=True)
    for name, text in files.items():
        (folder / name).write_text(textwrap.dedent(text))
    return root / "expected"


def service(line: str) -> dict[str, str]:
    """project.yaml plus one service with `line` among its fields."""
    return {
        "project.yaml": MINIMAL_PROJECT,
        "services.yaml": f"services:\n  a:\n    region: us-central1\n    {line}\n",
    }


def project(extra: str) -> dict[str, str]:
    return {"project.yaml": MINIMAL_PROJECT + textwrap.dedent(extra)}


def resources(text: str) -> dict[str, str]:
    return {"project.yaml": MINIMAL_PROJECT, "r.yaml": text}


# -- valid baselines: the loader takes them, and so does every schema ----------------------

GOOD_SHAPES = """\
services:
  a:
    region: us-central1
    env_extra: allow
    cpu: '1000m'
    memory: 536870912
    timeout: 1h
    ready: {one_of: [true]}
    ingress: {one_of: [all, internal]}
    labels: {present: true}
    env: {A: {absent: true}, B: {one_of: [x, 1, null]}, C: {present: true}, D: '', E: 3,
          F: {secret: s, version: 2}, G: {matches: '^v'}, version: x}
    traffic: {r1: 90, stable: {min: 5}}
    startup_probe: {type: http, path: /health, port: {min: 1}, period: 10s}
    liveness_probe: {present: true}
    min_instances: {min: 0, max: 3}
    max_instances: {one_of: [3, 4]}
    image: {matches: '^us-docker'}
    vpc_connector: {absent: true}
  b: {region: us-central1, traffic: latest, memory: 4Gi, cpu: 0.5, timeout: 600}
secrets:
  s:
    replication: {user_managed: [us-central1, us-east1]}
    sha256: "sha256:%s"
    rotation_period: 30d
    labels: {version: 2, team: {one_of: [a, b]}}
  t: {replication: automatic, enabled_versions: {min: 1}}
  u: {}
vpc_connectors:
health_checks:
  hc: {type: HTTP, port: 8080, region: us-central1}
  hc2: {type: {one_of: [HTTP, HTTPS]}}
backend_services:
  bs: {health_checks: [hc], backends: [neg-1], timeout_sec: 600, protocol: HTTP}
url_maps:
  lb: {default_service: bs, hosts: {api-staging.netrasystems.ai: bs}}
ssl_certificates:
  cert: {type: MANAGED, domains: {present: true}, status: ACTIVE}
domain_mappings:
  api.example.com: {region: us-central1, service: a, certificate_mode: automatic, ready: true}
""" % ("a" * 64)

FULL_PROJECT = """\
project: netra-staging
project_number: 701982941522
regions: [us-central1, us-east1]
unmanaged: fail
canonical_hosts: [API.example.com., staging.example.com]
lint: {host_spelling: false, placeholders: true}
severity:
  services/*/env/*: critical
  "**/labels/*": info
  secrets/: warning
ignore:
  - path: services/*/labels/commit-sha
    reason: stamped by CI
  - path: "*/x"
    reason: testing
    until: 2026-12-15
  - {path: services/a/image, reason: quoted, until: '2026-12-15'}
  - {path: services/a/cpu, reason: none, until: null}
"""

VALID = {
    "test_baseline's multi-file baseline": {
        "project.yaml": PROJECT_YAML,
        "services.yaml": SERVICES_YAML,
        "other.yml": OTHER_YAML,
    },
    "every shape of value": {"project.yaml": FULL_PROJECT, "shapes.yaml": GOOD_SHAPES},
    "an empty resource file": {"project.yaml": MINIMAL_PROJECT, "empty.yaml": ""},
    "kinds declared with no resources": resources("services: {}\nvpc_connectors:\n"),
    "one name in two regions": {
        "project.yaml": MINIMAL_PROJECT.replace("[us-central1]", "[us-central1, us-east1]"),
        "a.yaml": "services:\n  a: {region: us-central1}\n",
        "b.yaml": "services:\n  a: {region: us-east1}\n",
    },
}


def demo_files() -> dict[str, str]:
    folder = ROOT / "expected" / PROJECT
    return {p.name: p.read_text() for p in sorted(folder.glob("*.yaml"))}


@pytest.mark.parametrize("name", ["the demo baseline (expected/netra-staging)", *VALID])
def test_valid_baselines_are_loader_valid_and_schema_valid(name, tmp_path):
    files = demo_files() if name.startswith("the demo") else VALID[name]
    load_baseline(write(tmp_path, files), PROJECT)  # raises on any problem
    for file, text in files.items():
        assert schema_errors(file, text) == ([], []), file


# -- broken baselines: the loader rejects all; the schema every structural mistake ---------

BROKEN = {
    # unknown names
    "typo in a field name": service("min_instanses: 1"),
    "unknown kind": resources("servics:\n  x: {region: us-central1}\n"),
    "unknown project.yaml key": project("unmanged: fail\n"),
    "unknown probe field": service("startup_probe: {typ: http}"),
    "unknown lint rule": project("lint: {spelling: false}\n"),
    "unknown ignore key": project("ignore:\n  - {path: services/*, reason: r, util: 2026-01-01}\n"),
    "unknown matcher": service("image: {matchs: '^v1'}"),
    "unknown matcher in an env value": service("env: {X: {secrt: s}}"),
    "env_extra on a secret": resources("secrets:\n  s: {env_extra: allow}\n"),
    # wrong types
    "a word for a number": service("min_instances: one"),
    "true for a number": service("min_instances: true"),
    "a negative count": service("min_instances: -1"),
    "a negative cpu": service("cpu: -1"),
    "quoted yes for a bool": service("ready: 'yes'"),
    "a duration in words": service("timeout: 10 minutes"),
    "a memory size in words": service("memory: lots"),
    "labels as a list": service("labels: [a, b]"),
    "a bool env value": service("env: {X: true}"),
    "an env var without a value": service("env:\n      X:"),
    "a probe port in words": service("startup_probe: {port: x}"),
    "a traffic percent over 100": service("traffic: {r1: 150}"),
    "a sha256 that is not one": resources("secrets:\n  s: {sha256: abc}\n"),
    "replication with no regions": resources("secrets:\n  s: {replication: {user_managed: []}}\n"),
    "a list for a set's owner kind": resources("services: [a]\n"),
    "a resource file that is a list": resources("- services\n"),
    "a resource without a body": resources("secrets:\n  s:\n"),
    "a resource name with a slash": resources("secrets:\n  a/b: {}\n"),
    "an env var name with '='": service("env: {'A=B': x}"),
    "a name listed twice in a set": resources("backend_services:\n  bs: {backends: [a, a]}\n"),
    "project_number as a bool": project("project_number: true\n"),
    # bad enum values
    "an enum value in the wrong case": service("ingress: ALL"),
    "env_extra neither allow nor deny": service("env_extra: sometimes"),
    "a bad severity": project("severity:\n  services/**: critcal\n"),
    "a bad unmanaged value": project("unmanaged: always\n"),
    "a lint switch that is not a bool": project("lint: {host_spelling: maybe}\n"),
    # malformed matchers
    "min on a string field": service("image: {min: 1}"),
    "min that is not a number": service("min_instances: {min: 'a'}"),
    "two matchers at once": service("image: {min: 1, matches: x}"),
    "a secret reference outside env": service("labels: {x: {secret: s}}"),
    "a secret reference as a whole field": service("image: {secret: s}"),
    "a secret reference with an empty version": service("env: {X: {secret: s, version: ''}}"),
    "matches with a number": service("image: {matches: 5}"),
    "an empty one_of": service("ingress: {one_of: []}"),
    "present: false": service("image: {present: false}"),
    "one_of on a whole map": service("labels: {one_of: [a]}"),
    "min/max on an env var": service("env: {X: {min: 1}}"),
    # missing or misplaced structure
    "a regional resource without region": resources("services:\n  a: {image: x}\n"),
    "a region on a global kind": resources("secrets:\n  s: {region: us-central1}\n"),
    "project.yaml without project": {"project.yaml": "regions: [us-central1]\n"},
    "project.yaml without regions": {"project.yaml": f"project: {PROJECT}\n"},
    "no regions": {"project.yaml": f"project: {PROJECT}\nregions: []\n"},
    "a region listed twice": {
        "project.yaml": MINIMAL_PROJECT.replace("[us-central1]", "[us-central1, us-central1]")
    },
    "an ignore rule without reason": project("ignore:\n  - path: services/*/image\n"),
    "an ignore rule with a blank reason": project("ignore:\n  - {path: services/*, reason: ' '}\n"),
    "a rule path whose kind is unknown": project("severity:\n  servics/*: info\n"),
    "a rule path with an empty segment": project("severity:\n  services//x: info\n"),
    "an until that is a number": project("ignore:\n  - {path: services/*, reason: r, until: 5}\n"),
    "a canonical host with a scheme": project("canonical_hosts: ['https://a.example.com']\n"),
    # only the loader can tell: the cases of LOADER_ONLY
    "a duplicate key": service("min_instances: 1\n    min_instances: 2"),
    "one resource in two files": {
        "project.yaml": MINIMAL_PROJECT,
        "a.yaml": "services:\n  a: {region: us-central1}\n",
        "b.yaml": "services:\n  a: {region: us-central1}\n",
    },
    "a region not in project.yaml": resources("services:\n  a: {region: us-east1}\n"),
    "project id unlike the folder": {"project.yaml": "project: other\nregions: [us-central1]\n"},
    "min_instances above max_instances": service("min_instances: 5\n    max_instances: 1"),
    "a range upside down": service("min_instances: {min: 5, max: 1}"),
    "traffic adding up to 90": service("traffic: {r1: 50, r2: 40}"),
    "a regex RE2 cannot compile": service("image: {matches: '(('}"),
    "a regex with look-ahead": service("image: {matches: '(?=a)a'}"),
    "an impossible date": project(
        "ignore:\n  - {path: services/*, reason: r, until: 2026-02-30}\n"
    ),
    "a canonical host that is not a host name": project("canonical_hosts: ['not a host']\n"),
    "a canonical host twice by case": project("canonical_hosts: [a.example.com, A.example.com]\n"),
    "a label key written as a number": service("labels: {2024: x}"),
    "an infinite cpu": service("cpu: .inf"),
    "a whole number with a fraction": service("min_instances: 1.0"),
}

# Each case the schema cannot see, and the LOADER_ONLY sentence that names it.
SCHEMA_BLIND = {
    "a duplicate key": "duplicate keys",
    "one resource in two files": "declared twice",
    "a region not in project.yaml": "not in project.yaml's regions",
    "project id unlike the folder": "folder name",
    "min_instances above max_instances": "min_instances greater than max_instances",
    "a range upside down": "{min: A, max: B}",
    "traffic adding up to 90": "add up to 100",
    "a regex RE2 cannot compile": "RE2 cannot compile",
    "a regex with look-ahead": "RE2 cannot compile",
    "an impossible date": "impossible dates",
    "a canonical host that is not a host name": "not host names",
    "a canonical host twice by case": "duplicates by case",
    "a label key written as a number": "non-string keys",
    "an infinite cpu": ".inf and .nan",
    "a whole number with a fraction": "with a fraction",
}


@pytest.mark.parametrize("name", list(BROKEN))
def test_broken_baselines_are_loader_invalid_and_structural_ones_schema_invalid(name, tmp_path):
    files = BROKEN[name]
    with pytest.raises(BaselineError):
        load_baseline(write(tmp_path, files), PROJECT)
    results = {file: schema_errors(file, text) for file, text in files.items()}
    own_rejects = any(own for own, _ in results.values())
    combined_rejects = any(combined for _, combined in results.values())
    if name in SCHEMA_BLIND:
        assert not own_rejects and not combined_rejects, results
        assert any(SCHEMA_BLIND[name] in sentence for sentence in LOADER_ONLY)
    else:
        assert own_rejects and combined_rejects, f"the schema accepts {name!r}"


def test_the_loader_only_list_is_exactly_what_the_schema_cannot_see():
    blind = set()
    for name, files in BROKEN.items():
        results = [schema_errors(file, text) for file, text in files.items()]
        if not any(own or combined for own, combined in results):
            blind.add(name)
    assert blind == set(SCHEMA_BLIND)
    # every LOADER_ONLY sentence is backed by a case, or is about what a JSON view
    # cannot hold at all (YAML syntax, and which file is which: next test)
    backed = {s for s in LOADER_ONLY if any(k in s for k in SCHEMA_BLIND.values())}
    assert {s.split(":")[0] for s in set(LOADER_ONLY) - backed} == {
        "YAML-level problems",
        "which file is which",
    }


def test_which_file_is_which_only_the_role_schemas_and_the_loader_know(tmp_path):
    files = {"project.yaml": MINIMAL_PROJECT, "services.yaml": MINIMAL_PROJECT}
    with pytest.raises(BaselineError, match="unknown kind"):
        load_baseline(write(tmp_path, files), PROJECT)
    own, combined = schema_errors("services.yaml", MINIMAL_PROJECT)
    assert own and not combined


def test_every_kind_and_field_is_in_the_schema():
    definitions = resources_schema()["definitions"]
    for kind, fields in KIND_FIELDS.items():
        assert set(fields) <= set(definitions[f"resource.{kind}"]["properties"]), kind
    assert set(definitions["resourceFile"]["properties"]) == set(KIND_FIELDS)
    # a key the loader learns must be learnt here too
    project_file = definitions["projectFile"]["properties"]
    assert tuple(project_file) == PROJECT_KEYS
    assert set(project_file["ignore"]["items"]["properties"]) == set(IGNORE_KEYS)
    assert set(project_file["lint"]["properties"]) == set(LINT_RULES)


# -- the command ----------------------------------------------------------------------------


@pytest.mark.parametrize("which", ["baseline", "project", "resources", "report"])
def test_drift_schema_prints_a_valid_deterministic_schema(which):
    first, again = run("schema", which), run("schema", which)
    assert first.exit_code == 0 and first.stdout == again.stdout
    assert first.stdout.isascii() and first.stdout.endswith("}\n")
    jsonschema.Draft7Validator.check_schema(json.loads(first.stdout))


def test_baseline_is_the_default_and_output_writes_a_file(tmp_path):
    assert json.loads(run("schema").stdout) == baseline_schema()
    target = tmp_path / "schemas" / "baseline.json"
    r = run("schema", "baseline", "--output", str(target))
    assert r.exit_code == 0 and r.stdout == ""
    assert json.loads(target.read_text()) == baseline_schema()
    bad = run("schema", "baseline", "--output", str(tmp_path))  # a folder
    assert bad.exit_code == 1 and "it is a directory" in bad.stderr
    assert run("schema", "nope").exit_code == 1


# -- the report schema ------------------------------------------------------------------------


def test_report_schema_accepts_real_reports_and_rejects_broken_ones():
    r = CliRunner().invoke(
        main,
        [
            "diff",
            "--project",
            PROJECT,
            "--expected",
            str(ROOT / "expected"),
            "--emulator",
            "--read-secret-digests",
            "--format",
            "json",
            "--quiet",
        ],
        env={"SOURCE_DATE_EPOCH": "1764000000"},
        catch_exceptions=False,
    )
    report = json.loads(r.stdout)
    validator = jsonschema.Draft7Validator(report_schema())
    assert list(validator.iter_errors(report)) == []
    assert report["findings"] and report["ignored"]
    broken = [
        {k: v for k, v in report.items() if k != "summary"},
        {**report, "schema": "drift-report/v2"},
        {**report, "findings": [{**report["findings"][0], "severity": "high"}]},
        {**report, "findings": [{**report["findings"][0], "type": "drifted"}]},
        {**report, "summary": {**report["summary"], "critical": -1}},
        {**report, "generated_at": "yesterday"},
        {**report, "not_checked": [{"kind": "secrets", "region": None}]},
    ]
    for doc in broken:
        assert list(validator.iter_errors(doc)), doc
    # additions a v1 reader ignores are allowed
    assert list(validator.iter_errors({**report, "extra": 1})) == []


def test_report_schema_describes_the_compare_to_additions():
    f = Finding(
        "services/a/cpu",
        "services",
        "a",
        "us-central1",
        "cpu",
        "changed",
        "warning",
        1,
        2,
        "cpu differs.",
        "expected/p/s.yaml:3",
        None,
        change="introduced",
    )
    gone = Finding(
        "services/a/memory",
        "services",
        "a",
        "us-central1",
        "memory",
        "changed",
        "warning",
        "1Gi",
        "2Gi",
        "memory differs.",
        None,
        None,
        change="resolved",
    )
    change = BaselineChange("changed", "services", "a", "us-central1", "cpu", "s.yaml:3")
    report = Report(
        project="p",
        project_number=None,
        generated_at="2026-11-25T00:00:00Z",
        source_type="snapshot",
        source_detail="s.json",
        baseline_path="expected/p",
        baseline_sha256="ab" * 32,
        resources_checked=1,
        findings=(f,),
        comparison=Comparison("origin/main", "c" * 40, "expected/p", "cd" * 32, (gone,), (change,)),
    )
    doc = json.loads(render_json(report))
    assert {"compare_to", "resolved", "baseline_changes"} <= set(doc)
    validator = jsonschema.Draft7Validator(report_schema())
    assert list(validator.iter_errors(doc)) == []
    doc["findings"][0]["change"] = "new"
    assert list(validator.iter_errors(doc))
