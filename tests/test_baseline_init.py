"""`drift baseline init`: a baseline written from live state, through the emulator and the
real Google clients, after which `drift diff` finds no changed, missing, unexpected or
unmanaged resource (lint and broken references are facts about live state and may stay).
"""

from __future__ import annotations

import copy
import json
import random
import string
from pathlib import Path
from typing import Any

import pytest
import yaml
from click.testing import CliRunner

from drift.baseline import load_baseline
from drift.baseline.init import render_baseline
from drift.cli import main
from drift.emulator import Emulator, bundled_world_path, load_world
from drift.emulator.generate import generate_world
from drift.engine.redact import is_sensitive
from drift.model import Resource, Snapshot
from drift.registry import KINDS
from tests import worldkit as wk

EPOCH = "1764000000"
DRIFT_TYPES = {"changed", "missing", "unexpected", "unmanaged"}


def run(args: list[str]) -> Any:
    return CliRunner().invoke(main, args, env={"SOURCE_DATE_EPOCH": EPOCH}, catch_exceptions=False)


def init(expected: Path, project: str, *source: str, extra: tuple[str, ...] = ()) -> Any:
    return run(
        ["baseline", "init", "--project", project, "--expected", str(expected), "--quiet"]
        + list(source)
        + list(extra)
    )


def diff(expected: Path, project: str, *source: str) -> dict[str, Any]:
    r = run(
        ["diff", "--project", project, "--expected", str(expected), "--format", "json"]
        + list(source)
    )
    assert r.exit_code in (0, 2), r.output
    return json.loads(r.stdout)


def drift_of(report: dict[str, Any]) -> list[tuple[str, str]]:
    return [(f["path"], f["type"]) for f in report["findings"] if f["type"] in DRIFT_TYPES]


def plaintext_secrets(world: dict[str, Any]) -> set[str]:
    """Plain env values of the world that drift would redact (long enough to search for)."""
    found = set()
    for proj in world["projects"].values():
        for svc in proj.get("services", []):
            for c in svc["template"].get("containers", []):
                for e in c.get("env", []):
                    value = e.get("value")
                    if value is None or len(value) < 6:
                        continue
                    if is_sensitive(e["name"], value):
                        found.add(value)
    return found


def files_text(folder: Path) -> str:
    return "".join(p.read_text(encoding="utf-8") for p in sorted(folder.iterdir()))


# -- the bundled demo world ----------------------------------------------------------------------


def test_bundled_world_init_then_diff_finds_no_drift(tmp_path: Path) -> None:
    expected = tmp_path / "expected"
    r = init(expected, "netra-staging", "--emulator", extra=("--regions", "us-central1"))
    assert r.exit_code == 0, r.output
    folder = expected / "netra-staging"
    names = sorted(p.name for p in folder.iterdir())
    assert {"project.yaml", "services.yaml", "secrets.yaml", "vpc_connectors.yaml"} <= set(names)
    declarable = {k for k, spec in KINDS.items() if spec.declarable}
    assert set(names) == {"project.yaml"} | {f"{k}.yaml" for k in declarable}
    report = diff(expected, "netra-staging", "--emulator")
    assert drift_of(report) == [], drift_of(report)
    assert report["not_checked"] == []
    assert {f["type"] for f in report["findings"]} <= {"broken_reference", "lint"}
    v = run(["validate", str(expected)])
    assert v.exit_code == 0 and "ok: " in v.stdout

    text = files_text(folder)
    world = load_world(bundled_world_path("netra-staging"))
    for value in plaintext_secrets(world):
        assert value not in text
    header = "# Written by drift baseline init from the drift emulator (bundled world "
    assert all(p.read_text().startswith(header) for p in folder.iterdir())
    assert "on 2025-11-24; review before committing." in text
    services = yaml.safe_load((folder / "services.yaml").read_text())["services"]
    backend = services["netra-backend-staging"]
    assert backend["image"] == {
        "matches": r"^us-central1-docker\.pkg\.dev/netra-staging/netra/backend@sha256:[0-9a-f]{64}$"
    }
    assert backend["labels"]["commit-sha"] == {"present": True}
    assert backend["env"]["REDIS_PORT"] == "6379"
    assert backend["env"]["E2E_BYPASS_KEY"] == {"secret": "e2e-bypass-key", "version": "latest"}
    assert backend["ready"] is True and backend["traffic"] == "latest"
    secrets = yaml.safe_load((folder / "secrets.yaml").read_text())["secrets"]
    assert all(s["enabled_versions"] == {"min": 1} and "sha256" not in s for s in secrets.values())
    assert "--read-secret-digests" in (folder / "secrets.yaml").read_text()
    connector = yaml.safe_load((folder / "vpc_connectors.yaml").read_text())["vpc_connectors"]
    assert connector["staging-connector"]["state"] == "READY"
    project = yaml.safe_load((folder / "project.yaml").read_text())
    assert project == {
        "project": "netra-staging",
        "project_number": "701982941522",
        "regions": ["us-central1"],
        "unmanaged": "report",
    }
    assert "# severity:" in (folder / "project.yaml").read_text()


def test_plaintext_secrets_are_never_written(tmp_path: Path) -> None:
    world = load_world(bundled_world_path("netra-staging"))
    svc = world["projects"]["netra-staging"]["services"][0]
    serving = next(c for c in svc["template"]["containers"] if c.get("ports"))
    serving["env"] += [
        wk.env("STRIPE_API_KEY", "sk_live_" + "a1B2c3D4e5F6g7H8i9J0k1L2"),
        wk.env("ANALYTICS_DSN", "postgres://admin:hunter2hunter2@db:5432/app"),
        wk.env("BLOB", "AKIA" + "ABCDEFGHIJKLMNOP"),
    ]
    path = tmp_path / "world.json"
    path.write_text(json.dumps(world))
    expected = tmp_path / "expected"
    r = init(expected, "netra-staging", "--emulator", str(path), extra=("--regions", "us-central1"))
    assert r.exit_code == 0, r.output
    text = files_text(expected / "netra-staging")
    assert plaintext_secrets(world) >= {"postgres://admin:hunter2hunter2@db:5432/app"}
    for value in plaintext_secrets(world):
        assert value not in text
    assert "hunter2" not in text and "hunter2" not in r.output
    assert "STRIPE_API_KEY: {present: true}  # plaintext that looks secret" in text
    assert "services/" in r.stderr and "Secret Manager" in r.stderr
    report = diff(expected, "netra-staging", "--emulator", str(path))
    assert drift_of(report) == []


def test_two_inits_give_identical_bytes(tmp_path: Path) -> None:
    outs = []
    for n in range(2):
        expected = tmp_path / f"e{n}"
        r = init(expected, "netra-staging", "--emulator", extra=("--regions", "us-central1"))
        assert r.exit_code == 0, r.output
        folder = expected / "netra-staging"
        outs.append({p.name: p.read_bytes() for p in folder.iterdir()})
    assert outs[0] == outs[1]


# -- command behaviour ---------------------------------------------------------------------------


def small_world() -> dict[str, Any]:
    return wk.world(
        services=[wk.service("api", env=[wk.env("MODE", "prod"), wk.secret_env("DB", "db-pass")])],
        secrets=[wk.secret("db-pass")],
        versions=[wk.version("db-pass", 1)],
        connectors=[wk.connector("conn-a")],
    )


def test_refuses_to_overwrite_without_force_and_force_replaces(tmp_path: Path) -> None:
    expected = wk.write_baseline(tmp_path, {"connectors.yaml": "vpc_connectors: {}\n"})
    folder = expected / wk.PROJECT
    with Emulator(small_world()) as emu:
        src = ("--api-endpoint", emu.base_url)
        r = init(expected, wk.PROJECT, *src)
        assert r.exit_code == 1 and "--force" in r.stderr and "connectors.yaml" in r.stderr
        assert not (folder / "services.yaml").exists()
        r = init(expected, wk.PROJECT, *src, extra=("--force",))  # regions from project.yaml
        assert r.exit_code == 0, r.output
        assert not (folder / "connectors.yaml").exists()  # would declare conn-a twice
        assert (folder / "vpc_connectors.yaml").exists()
        assert yaml.safe_load((folder / "project.yaml").read_text())["regions"] == [wk.REGION]
        assert drift_of(diff(expected, wk.PROJECT, *src)) == []


def test_regions_come_from_flag_or_project_yaml_else_a_clear_error(tmp_path: Path) -> None:
    with Emulator(small_world()) as emu:
        src = ("--api-endpoint", emu.base_url)
        r = init(tmp_path / "none", wk.PROJECT, *src)
        assert r.exit_code == 1 and "--regions" in r.stderr
        assert not (tmp_path / "none").exists()
        # An existing project.yaml alone gives the regions and is kept as written.
        own = f"# ours\nproject: {wk.PROJECT}\nregions: [{wk.REGION}]\nunmanaged: fail\n"
        expected = wk.write_baseline(tmp_path / "kept", {}, own)
        r = init(expected, wk.PROJECT, *src)
        assert r.exit_code == 0, r.output
        assert (expected / wk.PROJECT / "project.yaml").read_text() == own
        assert drift_of(diff(expected, wk.PROJECT, *src)) == []
        r = init(tmp_path / "kept2", wk.PROJECT, *src, extra=("--regions", "europe-west1"))
        assert r.exit_code == 0
        services = yaml.safe_load((tmp_path / "kept2" / wk.PROJECT / "services.yaml").read_text())
        assert services == {"services": {}}  # nothing in europe-west1


def test_unreadable_kind_exits_1_and_writes_nothing(tmp_path: Path) -> None:
    faults = [{"path": "/connectors", "status": 403, "times": None}]
    with Emulator(small_world(), faults=faults) as emu:
        r = init(
            tmp_path,
            wk.PROJECT,
            "--api-endpoint",
            emu.base_url,
            extra=("--regions", wk.REGION, "--retry-deadline", "0"),
        )
    assert r.exit_code == 1
    assert "vpc_connectors" in r.stderr and "nothing was written" in r.stderr
    assert not (tmp_path / wk.PROJECT).exists()


def test_kinds_flag_declares_only_those_kinds(tmp_path: Path) -> None:
    world = small_world()
    world["projects"][wk.PROJECT]["secrets"].append(wk.secret("unreferenced"))
    with Emulator(world) as emu:
        src = ("--api-endpoint", emu.base_url)
        r = init(tmp_path, wk.PROJECT, *src, extra=("--regions", wk.REGION, "--kinds", "services"))
        assert r.exit_code == 0, r.output
        assert sorted(p.name for p in (tmp_path / wk.PROJECT).iterdir()) == [
            "project.yaml",
            "services.yaml",
        ]
        report = diff(tmp_path, wk.PROJECT, *src)
    assert drift_of(report) == []  # the unreferenced secret is not unmanaged: not declared


# -- the pure writer ------------------------------------------------------------------------------

TRICKY = [
    "6379",
    "true",
    "false",
    "yes",
    "no",
    "on",
    "null",
    "~",
    "",
    "010",
    "0x1F",
    "1e3",
    "1_000",
    "2024-01-01",
    ":",
    "#",
    "a: b",
    "x #y",
    "- item",
    "[a]",
    "{a}",
    "*ref",
    "&anchor",
    "!tag",
    "%x",
    "@x",
    "`x",
    " lead",
    "trail ",
    "line1\nline2",
    "tab\there",
    "é ü 日本",
    "'",
    '"',
    "https://example.com/a?b=c#d",
    "a,b",
    "?",
    "-",
    "1.0",
    ".5",
    "+1",
    "0o17",
]


def test_tricky_strings_load_back_as_the_same_strings(tmp_path: Path) -> None:
    env = {f"V{i}": v for i, v in enumerate(TRICKY)}
    labels = {"yes": "no", "commit-sha": "abc123", "build_id": "42", "team": "010"}
    svc = Resource(
        "services",
        "api",
        "r1",
        {
            "image": "nginx:1.25",
            "env": env,
            "labels": labels,
            "timeout": 300,
            "cpu": 0.5,
            "memory": "512Mi",
        },
    )
    weird = Resource("vpc_connectors", "true", "r1", {"network": "null", "state": "READY"})
    snap = Snapshot("p", None, ("services", "vpc_connectors"), (svc, weird))
    rendered = render_baseline(snap, ["r1"], ["services", "vpc_connectors"], source="x", date="d")
    folder = tmp_path / "p"
    folder.mkdir()
    for name, text in rendered.files.items():
        (folder / name).write_text(text, encoding="utf-8")
    baseline = load_baseline(tmp_path, "p")
    api = baseline.get("services", "api", "r1")
    assert api is not None and api.fields["env"] == env
    assert api.fields["labels"] == {
        "yes": "no",
        "commit-sha": {"present": True},
        "build_id": {"present": True},
        "team": "010",
    }
    conn = baseline.get("vpc_connectors", "true", "r1")
    assert conn is not None and conn.fields == {"network": "null", "state": "READY"}


def test_same_name_in_two_regions_gets_a_file_per_region(tmp_path: Path) -> None:
    world = wk.world(
        services=[
            wk.service("api", connector=None),
            wk.service("api", region="europe-west1", connector=None, max_instances=9),
        ]
    )
    with Emulator(world) as emu:
        src = ("--api-endpoint", emu.base_url)
        r = init(tmp_path, wk.PROJECT, *src, extra=("--regions", f"{wk.REGION},europe-west1"))
        assert r.exit_code == 0, r.output
        names = sorted(p.name for p in (tmp_path / wk.PROJECT).iterdir())
        assert "services.europe-west1.yaml" in names and f"services.{wk.REGION}.yaml" in names
        assert "services.yaml" not in names
        assert drift_of(diff(tmp_path, wk.PROJECT, *src)) == []


# -- generated worlds ----------------------------------------------------------------------------

PROJECT, NUMBER = "bench", "123456789012"
ROTATE_AT = "2026-01-01T00:00:00Z"
REGIONS = ("us-central1", "europe-west1")


def _token(rng: random.Random, n: int) -> str:
    return "".join(rng.choice(string.ascii_letters + string.digits) for _ in range(n))


def vary(world: dict[str, Any], rng: random.Random) -> set[str]:
    """Randomize the generated world the ways real projects differ; return its plaintexts."""
    proj = world["projects"][PROJECT]
    plaintexts: set[str] = set()
    secret_ids = [s["name"].rsplit("/", 1)[1] for s in proj["secrets"]]
    for i, svc in enumerate(proj["services"]):
        template = svc["template"]
        serving = next(c for c in template["containers"] if c.get("ports"))
        if rng.random() < 0.5:
            svc["labels"]["commit-sha"] = _token(rng, 7).lower()
        if rng.random() < 0.3:
            svc["labels"]["deployed-at"] = "2025-11-20t10-00-00z"
        if rng.random() < 0.5:
            value = "sk_live_" + _token(rng, 24)
            serving["env"].append(wk.env("STRIPE_API_KEY", value))
            plaintexts.add(value)
        if rng.random() < 0.3:
            value = f"postgres://app:{_token(rng, 12)}@10.0.0.5:5432/app"
            serving["env"].append(wk.env("ANALYTICS_DSN", value))
            plaintexts.add(value)
        for j, value in enumerate(rng.sample(TRICKY, 4)):
            serving["env"].append(wk.env(f"TRICKY_{j}", value))
        roll = rng.random()
        if roll < 0.3:
            serving["image"] = serving["image"].split("@")[0] + ":v1.2." + str(i)
        elif roll < 0.4:
            repo, digest = serving["image"].split("@")
            serving["image"] = f"{repo}:stable@{digest}"
        if rng.random() < 0.3:
            serving["resources"]["limits"]["memory"] = rng.choice(["1.5Gi", "4G", "536870912"])
        if rng.random() < 0.2:
            serving["resources"]["limits"]["cpu"] = rng.choice(["0.5", "500m"])
            template.pop("maxInstanceRequestConcurrency", None)
        for key in ("timeout", "serviceAccount", "executionEnvironment"):
            if rng.random() < 0.2:
                template.pop(key, None)
        if rng.random() < 0.2:
            svc.pop("ingress", None)
        if rng.random() < 0.2:
            serving["env"].append(
                wk.secret_env("SHARED", "projects/other-project/secrets/shared-key", "3")
            )
        if rng.random() < 0.2:
            sid = rng.choice(secret_ids)
            serving["env"].append(wk.secret_env("BY_ID", f"projects/{PROJECT}/secrets/{sid}"))
        if rng.random() < 0.3:
            serving["livenessProbe"] = {"httpGet": {}, "periodSeconds": rng.choice([10, 30])}
        if rng.random() < 0.2:
            base = svc["name"].rsplit("/", 1)[1]
            svc["traffic"] = [
                {
                    "type": "TRAFFIC_TARGET_ALLOCATION_TYPE_REVISION",
                    "revision": f"{base}-00001-abc",
                    "percent": 90,
                },
                {
                    "type": "TRAFFIC_TARGET_ALLOCATION_TYPE_REVISION",
                    "revision": f"{base}-00002-def",
                    "percent": 10,
                    "tag": "canary",
                },
            ]
        if rng.random() < 0.15:
            svc["terminalCondition"] = {"type": "Ready", "state": "CONDITION_FAILED"}
    if proj["services"] and rng.random() < 0.5:  # one name in two regions
        twin = copy.deepcopy(proj["services"][0])
        parts = twin["name"].split("/")
        other = next(r for r in REGIONS if r != parts[3])
        parts[3] = other
        twin["name"] = "/".join(parts)
        twin["template"].pop("vpcAccess", None)
        proj["services"].append(twin)
    for s in proj["secrets"]:
        if rng.random() < 0.2:
            s["rotation"] = {"rotationPeriod": "2592000s", "nextRotationTime": ROTATE_AT}
        if rng.random() < 0.2:
            s.setdefault("labels", {})["build-id"] = str(rng.randrange(1000))
    if len(secret_ids) > 2:  # an unreferenced secret whose versions are all disabled
        last = proj["secrets"][-1]["name"]
        for v in proj["secretVersions"]:
            if v["name"].startswith(last + "/"):
                v["state"] = "DISABLED"
    for c in proj["connectors"]:
        if rng.random() < 0.3:
            c.pop("machineType", None)
        if rng.random() < 0.3:
            c.pop("minThroughput", None)
            c.pop("maxThroughput", None)
        if rng.random() < 0.2:
            c["state"] = "ERROR"
    return plaintexts


def init_and_diff(tmp_path: Path, world: dict[str, Any], plaintexts: set[str]) -> dict[str, Any]:
    with Emulator(world, page_size=3) as emu:
        src = ("--api-endpoint", emu.base_url)
        r = init(tmp_path, PROJECT, *src, extra=("--regions", ",".join(REGIONS)))
        assert r.exit_code == 0, r.output
        report = diff(tmp_path, PROJECT, *src)
    text = files_text(tmp_path / PROJECT)
    for value in plaintexts:
        assert value not in text
    assert report["not_checked"] == []
    assert drift_of(report) == [], drift_of(report)
    return report


@pytest.mark.parametrize("seed", range(8))
def test_generated_worlds_init_then_diff_finds_no_drift(tmp_path: Path, seed: int) -> None:
    rng = random.Random(seed)
    world = generate_world(
        project=PROJECT,
        project_number=NUMBER,
        services=rng.randint(2, 6),
        secrets=rng.randint(3, 8),
        connectors=rng.randint(0, 2),
        regions=REGIONS,
        seed=seed,
        referenced_secrets=2,
    )
    plaintexts = vary(world, rng)
    init_and_diff(tmp_path, world, plaintexts)


# Builders for the kinds other than services, secrets and connectors, in the world-file
# format of docs/dev/issue4-contract.md. Only kinds present in the registry are added.

COMPUTE = f"https://www.googleapis.com/compute/v1/projects/{PROJECT}"


def _link(collection: str, name: str, region: str | None = None) -> str:
    return f"{COMPUTE}/{'regions/' + region if region else 'global'}/{collection}/{name}"


def _compute(kind: str, collection: str, name: str, region: str | None = None) -> dict[str, Any]:
    obj: dict[str, Any] = {
        "kind": f"compute#{kind}",
        "name": name,
        "selfLink": _link(collection, name, region),
    }
    if region:
        obj["region"] = f"{COMPUTE}/regions/{region}"
    return obj


def _extra_kinds(region: str, service: str) -> dict[str, list[dict[str, Any]]]:
    hc = {
        **_compute("healthCheck", "healthChecks", "hc-web"),
        "type": "HTTP",
        "checkIntervalSec": 5,
        "timeoutSec": 5,
        "healthyThreshold": 2,
        "unhealthyThreshold": 2,
        "httpHealthCheck": {"port": 8080, "requestPath": "/healthz"},
    }
    hc_regional = {
        **_compute("healthCheck", "healthChecks", "hc-tcp", region),
        "type": "TCP",
        "tcpHealthCheck": {"port": 6379},
    }
    neg = f"{COMPUTE}/regions/{region}/networkEndpointGroups/neg-web"
    bs = {
        **_compute("backendService", "backendServices", "bs-web"),
        "protocol": "HTTPS",
        "loadBalancingScheme": "EXTERNAL_MANAGED",
        "timeoutSec": 30,
        "healthChecks": [_link("healthChecks", "hc-web")],
        "backends": [{"group": neg, "balancingMode": "UTILIZATION"}],
    }
    um = {
        **_compute("urlMap", "urlMaps", "lb-web"),
        "defaultService": _link("backendServices", "bs-web"),
        "hostRules": [{"hosts": ["api.example.com", "true"], "pathMatcher": "pm"}],
        "pathMatchers": [{"name": "pm", "defaultService": _link("backendServices", "bs-web")}],
    }
    cert = {
        **_compute("sslCertificate", "sslCertificates", "cert-web"),
        "type": "MANAGED",
        "managed": {
            "domains": ["api.example.com", "www.example.com"],
            "status": "ACTIVE",
            "domainStatus": {"api.example.com": "ACTIVE", "www.example.com": "ACTIVE"},
        },
        "subjectAlternativeNames": ["api.example.com", "www.example.com"],
        "expireTime": "2026-09-01T12:00:00.000-07:00",
    }
    proxy = {
        **_compute("targetHttpsProxy", "targetHttpsProxies", "proxy-web"),
        "urlMap": _link("urlMaps", "lb-web"),
        "sslCertificates": [_link("sslCertificates", "cert-web")],
    }
    mapping = {
        "apiVersion": "domains.cloudrun.com/v1",
        "kind": "DomainMapping",
        "metadata": {
            "name": "api.example.com",
            "namespace": NUMBER,
            "labels": {"cloud.googleapis.com/location": region},
        },
        "spec": {"routeName": service, "certificateMode": "AUTOMATIC"},
        "status": {
            "conditions": [
                {"type": "Ready", "status": "True"},
                {"type": "CertificateProvisioned", "status": "True"},
            ]
        },
    }
    return {
        "health_checks": [("healthChecks", hc), ("healthChecks", hc_regional)],
        "backend_services": [("backendServices", bs)],
        "url_maps": [("urlMaps", um)],
        "ssl_certificates": [("sslCertificates", cert)],
        "target_https_proxies": [("targetHttpsProxies", proxy)],
        "domain_mappings": [("domainMappings", mapping)],
    }


def test_a_world_with_every_registered_kind(tmp_path: Path) -> None:
    world = generate_world(
        project=PROJECT,
        project_number=NUMBER,
        services=3,
        secrets=4,
        connectors=2,
        regions=REGIONS,
        seed=11,
        referenced_secrets=2,
    )
    plaintexts = vary(world, random.Random(11))
    proj = world["projects"][PROJECT]
    first = proj["services"][0]["name"].split("/")
    built = _extra_kinds(first[3], first[5])
    for kind, objects in built.items():
        if kind in KINDS:
            for key, obj in objects:
                proj.setdefault(key, []).append(obj)
    init_and_diff(tmp_path, world, plaintexts)
    declarable = {k for k, spec in KINDS.items() if spec.declarable}
    folder = tmp_path / PROJECT
    written: dict[str, int] = {}
    for path in folder.iterdir():
        if path.name != "project.yaml":
            for kind, resources in yaml.safe_load(path.read_text()).items():
                written[kind] = written.get(kind, 0) + len(resources)
    assert set(written) == declarable
    for kind in declarable & (set(built) | {"services", "secrets", "vpc_connectors"}):
        assert written[kind] >= 1, kind


def test_hidden_characters_in_live_values_are_written_escaped(tmp_path: Path) -> None:
    """A bidi override or an escape sequence in a live value never reaches the YAML file raw
    (a reviewer would see text other than what is compared), and the file reads back equal."""
    hostile = "ok\u202egnp.exe\x1b[2J\u200b caf\u00e9"
    world = wk.world(services=[wk.service("api", env=[wk.env("GREETING", hostile)],
                                          labels={"team\u202e": "web"})],
                     connectors=[wk.connector("conn-a")])  # fmt: skip
    path = tmp_path / "world.json"
    path.write_text(json.dumps(world))
    expected = tmp_path / "expected"
    r = init(expected, wk.PROJECT, "--emulator", str(path), extra=("--regions", wk.REGION))
    assert r.exit_code == 0, r.output
    text = files_text(expected / wk.PROJECT)
    assert not any(c in text for c in ("\u202e", "\x1b", "\u200b"))
    assert "ok\\u202egnp.exe" in text
    report = diff(expected, wk.PROJECT, "--emulator", str(path))
    assert drift_of(report) == []
