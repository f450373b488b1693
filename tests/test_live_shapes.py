"""General rules behind the real-world cases (tests/worlds/real-world/): every form Google
accepts resolves, hosts compare in one form, effective values where Google has two levels,
distinct live things keep distinct names, traffic by revision or tag, mappings key by key.

Pure functions and evaluate() on plain snapshots: no server, no Google library.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from drift.baseline import load_baseline
from drift.engine.checks import host_matches, reference_findings, resolve_version
from drift.engine.evaluate import evaluate
from drift.engine.values import resolve_scoped, traffic_in_declared_spelling
from drift.model import Resource, Snapshot
from drift.normalize import backend_services, services, url_maps, vpc_connectors
from drift.normalize.compute import scoped_names
from drift.normalize.hosts import canonical_host, host_rule_host
from drift.normalize.resources import referenced_secrets, to_resource
from tests import worldkit as wk

TODAY = dt.date(2026, 11, 25)
R = wk.REGION
LINK = "https://www.googleapis.com/compute/v1/projects/p"


def snap(*resources: Resource, kinds: tuple[str, ...]) -> Snapshot:
    return Snapshot(wk.PROJECT, wk.NUMBER, kinds, tuple(resources))


# -- 1. references resolve every form Google accepts -------------------------------------------

STATES = {"1": "DESTROYED", "2": "ENABLED", "3": "DISABLED"}
ALIASES = {"prod": "2", "old": "1", "next": "3"}


@pytest.mark.parametrize(
    ("version", "resolved"),
    [
        ("latest", ("3", "DISABLED")),  # the highest number, whatever its state
        ("2", ("2", "ENABLED")),
        ("7", (None, None)),
        ("prod", ("2", "ENABLED")),
        ("old", ("1", "DESTROYED")),
        ("next", ("3", "DISABLED")),
        ("nope", (None, None)),
    ],
)
def test_a_version_is_a_number_latest_or_an_alias(version: str, resolved: tuple) -> None:
    assert resolve_version(version, STATES, ALIASES) == resolved


def _service_with_refs(volumes: list[dict[str, Any]], sidecar_env: list[dict[str, Any]]) -> Any:
    raw = wk.service("api", connector=None)
    raw["template"]["containers"].append({"name": "proxy", "image": "envoy", "env": sidecar_env})
    raw["template"]["volumes"] = volumes
    return to_resource("services", raw, {wk.PROJECT, wk.NUMBER})


def _secret(sid: str, states: dict[str, str], aliases: dict[str, str]) -> Resource:
    raw = {**wk.secret(sid), "versionAliases": aliases}
    versions = [
        {"name": f"projects/{wk.NUMBER}/secrets/{sid}/versions/{n}", "state": s}
        for n, s in states.items()
    ]
    return to_resource("secrets", raw, {wk.PROJECT, wk.NUMBER}, versions=versions)


def test_volumes_and_sidecar_env_are_checked_like_env_refs() -> None:
    svc = _service_with_refs(
        volumes=[
            {"name": "tls", "secret": {"secret": "gone"}},  # no items: latest
            {
                "name": "cfg",
                "secret": {
                    "secret": "cfg",
                    "items": [
                        {"path": "a.json", "version": "prod"},
                        {"path": "b.json", "version": "old"},
                        {"path": "c.json", "version": "nope"},
                    ],
                },
            },  # fmt: skip
            {"name": "other", "secret": {"secret": "projects/elsewhere/secrets/x"}},
            {"name": "scratch", "emptyDir": {}},
        ],
        sidecar_env=[wk.secret_env("TOKEN", "cfg", "next")],
    )
    assert referenced_secrets([svc]) == {"gone", "cfg"}
    found = reference_findings(
        snap(svc, _secret("cfg", STATES, ALIASES), kinds=("services", "secrets"))
    )
    by_field = {f.field: f for f in found}
    assert sorted(by_field) == [
        "containers/proxy/env/TOKEN",
        "volumes/cfg/b.json",
        "volumes/cfg/c.json",
        "volumes/tls",
    ]
    assert by_field["volumes/tls"].actual is None
    assert by_field["volumes/cfg/b.json"].actual["state"] == "DESTROYED"
    assert by_field["volumes/cfg/c.json"].actual["alias_of"] is None  # names no version
    assert by_field["containers/proxy/env/TOKEN"].actual["state"] == "DISABLED"


@pytest.mark.parametrize("legacy", ["httpHealthChecks", "httpsHealthChecks"])
def test_a_legacy_health_check_is_never_a_broken_reference(legacy: str) -> None:
    bs = to_resource(
        "backend_services",
        {"name": "bs", "healthChecks": [f"{LINK}/global/{legacy}/hc"]},
        {"p"},
    )
    assert bs.fields["health_checks"] == ["hc"]  # still compares with a declared name
    kinds = ("backend_services", "health_checks")
    assert reference_findings(snap(bs, kinds=kinds)) == []


def test_a_health_check_is_looked_up_in_the_scope_its_url_names() -> None:
    bs = to_resource(
        "backend_services",
        {
            "name": "bs",
            "region": f"{LINK}/regions/{R}",
            "healthChecks": [f"{LINK}/regions/{R}/healthChecks/hc"],
        },  # fmt: skip
        {"p"},
    )
    kinds = ("backend_services", "health_checks")
    global_hc = Resource("health_checks", "hc", None, {})
    regional_hc = Resource("health_checks", "hc", R, {})
    assert [f.field for f in reference_findings(snap(bs, global_hc, kinds=kinds))] == [
        "health_checks"
    ]
    assert reference_findings(snap(bs, regional_hc, kinds=kinds)) == []


# -- 2. hosts in one canonical form ------------------------------------------------------------


@pytest.mark.parametrize(
    ("raw", "canonical", "rule_host"),
    [
        ("API.Example.com.", "api.example.com", "api.example.com"),
        ("apps.example.com:443", "apps.example.com:443", "apps.example.com"),
        ("Apps.Example.COM.:8443", "apps.example.com.:8443", "apps.example.com"),
        ("*.Apps.example.com", "*.apps.example.com", "*.apps.example.com"),
        ("[2001:db8::1]:443", "[2001:db8::1]:443", "[2001:db8::1]"),
        ("2001:db8::1", "2001:db8::1", "2001:db8::1"),  # a bare IPv6 keeps its colons
    ],
)
def test_canonical_host(raw: str, canonical: str, rule_host: str) -> None:
    assert canonical_host(raw) == canonical
    assert host_rule_host(raw) == rule_host


@pytest.mark.parametrize(
    ("host", "domain", "covered"),
    [
        ("apps.example.com:443", "apps.example.com", True),
        ("t1.apps.example.com:8443", "*.apps.example.com", True),
        ("APPS.example.com.", "apps.example.com", True),
        ("apps.example.com", "*.Apps.Example.com.", False),  # a wildcard is one label
        ("a.b.apps.example.com:443", "*.apps.example.com", False),
        ("apps.example.co:443", "apps.example.com", False),
    ],
)
def test_certificate_coverage_matches_by_host(host: str, domain: str, covered: bool) -> None:
    assert host_matches(host, domain) is covered


def test_url_map_hosts_are_canonical_and_keep_the_portless_rule() -> None:
    raw = {
        "name": "um",
        "hostRules": [
            {"hosts": ["Apps.Example.com.:443"], "pathMatcher": "b"},
            {"hosts": ["apps.example.com"], "pathMatcher": "a"},
        ],
        "pathMatchers": [
            {"name": "a", "defaultService": f"{LINK}/global/backendServices/bs-a"},
            {"name": "b", "defaultService": f"{LINK}/global/backendServices/bs-b"},
        ],
    }
    assert url_maps.hosts(raw) == {"apps.example.com": "bs-a"}


def test_declared_hosts_and_domains_compare_in_canonical_form(tmp_path) -> None:
    files = {"lb.yaml": """
        url_maps:
          um:
            hosts: {"API.example.com:443": bs, "www.example.com.": bs}
        ssl_certificates:
          cert:
            domains: ["API.Example.com.", "www.example.com"]
        domain_mappings:
          WWW.Example.com.:
            region: us-central1
            service: web
    """}  # fmt: skip
    baseline = load_baseline(wk.write_baseline(tmp_path, files), wk.PROJECT)
    live = [
        Resource("url_maps", "um", None, {"hosts": {"api.example.com": "bs",
                                                    "www.example.com": "bs"}}),
        Resource("ssl_certificates", "cert", None,
                 {"domains": ["api.example.com", "www.example.com"]}),
        to_resource("domain_mappings", {"metadata": {"name": "www.example.com"},
                                        "spec": {"routeName": "web"}}, {"p"}, region=R),
    ]  # fmt: skip
    kinds = ("url_maps", "ssl_certificates", "domain_mappings")
    ev = evaluate(baseline, snap(*live, kinds=kinds), TODAY)
    assert [f.path for f in ev.findings if f.type != "broken_reference"] == []


def test_health_check_host_and_all_latest_traffic_compare_in_one_form(tmp_path) -> None:
    files = {
        "hc.yaml": "health_checks:\n  hc: {host: API.Example.com.}\n",
        "s.yaml": f"services:\n  api: {{region: {R}, traffic: {{latest: 100}}}}\n",
    }
    baseline = load_baseline(wk.write_baseline(tmp_path, files), wk.PROJECT)
    hc = to_resource(
        "health_checks",
        {"name": "hc", "type": "HTTP", "httpHealthCheck": {"host": "api.example.COM"}},
        {"p"},
    )
    svc = Resource("services", "api", R, {"traffic": "latest"})
    ev = evaluate(baseline, snap(hc, svc, kinds=("health_checks", "services")), TODAY)
    assert ev.findings == ()


def test_finding_paths_use_the_canonical_host_so_ignores_match(tmp_path) -> None:
    files = {"dm.yaml": "domain_mappings:\n  WWW.Example.com.: {region: us-central1, "
             "service: web}\n"}  # fmt: skip
    project = (
        f"project: {wk.PROJECT}\nregions: [{R}]\nignore:\n"
        "  - path: domain_mappings/www.example.com/service\n    reason: moving\n"
    )
    baseline = load_baseline(wk.write_baseline(tmp_path, files, project), wk.PROJECT)
    ready = {"conditions": [{"type": "Ready", "status": "True"}]}
    live = to_resource("domain_mappings", {"metadata": {"name": "www.example.com"},
                                           "spec": {"routeName": "api"}, "status": ready},
                       {"p"}, region=R)  # fmt: skip
    ev = evaluate(baseline, snap(live, kinds=("domain_mappings",)), TODAY)
    assert ev.findings == ()
    assert [i.finding.path for i in ev.ignored] == ["domain_mappings/www.example.com/service"]


# -- 3. effective values where Google has two levels -------------------------------------------


@pytest.mark.parametrize(
    ("service_level", "template_level", "effective"),
    [
        ({}, {}, (0, 100)),  # Google's defaults
        ({"minInstanceCount": 1, "maxInstanceCount": 3}, {}, (1, 3)),
        ({}, {"minInstanceCount": 2, "maxInstanceCount": 8}, (2, 8)),
        ({"minInstanceCount": 1, "maxInstanceCount": 3}, {"maxInstanceCount": 100}, (1, 3)),
        ({"maxInstanceCount": 50}, {"minInstanceCount": 4, "maxInstanceCount": 10}, (4, 10)),
        ({"minInstanceCount": 5}, {"minInstanceCount": 2}, (5, 100)),
        ({"scalingMode": "MANUAL", "manualInstanceCount": 4}, {"maxInstanceCount": 9}, (4, 4)),
        ({"minInstanceCount": 4}, {"maxInstanceCount": 3}, (4, 4)),  # service level wins
        ({"maxInstanceCount": 3}, {"minInstanceCount": 5}, (3, 3)),
    ],
)
def test_service_scaling_is_the_tighter_of_both_levels(
    service_level: dict, template_level: dict, effective: tuple[int, int]
) -> None:
    raw = {"scaling": service_level, "template": {"scaling": template_level}}
    assert services.scaling(raw) == effective


def test_connector_bounds_from_instances_or_throughput() -> None:
    only_throughput = {"minThroughput": 200, "maxThroughput": 1000}
    assert vpc_connectors.scaling(only_throughput) == {
        "min_instances": 2,
        "max_instances": 10,
        "min_throughput": 200,
        "max_throughput": 1000,
    }
    # instances take precedence over throughput (vpcaccess.v1 Connector.minThroughput)
    both = {"minInstances": 3, "maxInstances": 4, "minThroughput": 200, "maxThroughput": 1000}
    assert vpc_connectors.scaling(both) == {
        "min_instances": 3,
        "max_instances": 4,
        "min_throughput": 300,
        "max_throughput": 400,
    }
    assert vpc_connectors.scaling({"minInstances": 2, "maxInstances": 5})["max_throughput"] == 500


# -- 4. distinct live things never collapse to one name ---------------------------------------


def test_groups_of_one_name_keep_their_zone_or_region() -> None:
    urls = [f"{LINK}/zones/{R}-{z}/networkEndpointGroups/neg" for z in "abc"]
    urls += [f"{LINK}/regions/{R}/instanceGroups/neg", f"{LINK}/global/networkEndpointGroups/g"]
    assert scoped_names(urls) == ["g", f"{R}-a/neg", f"{R}-b/neg", f"{R}-c/neg", f"{R}/neg"]
    raw = {"name": "bs", "backends": [{"group": u} for u in urls[:3]]}
    assert len(backend_services.normalize(raw)["backends"]) == 3


@pytest.mark.parametrize(
    ("declared", "live", "resolved"),
    [
        (["neg"], [f"{R}-a/neg"], [f"{R}-a/neg"]),  # unambiguous bare name
        (["neg"], [f"{R}-a/neg", f"{R}-b/neg"], ["neg"]),  # ambiguous: stays, and differs
        ([f"{R}-b/neg"], [f"{R}-a/neg"], [f"{R}-b/neg"]),
        (["g", f"{R}-a/neg"], ["g", f"{R}-a/neg"], ["g", f"{R}-a/neg"]),
    ],
)
def test_a_bare_declared_name_means_the_one_live_group_of_that_name(
    declared: list[str], live: list[str], resolved: list[str]
) -> None:
    assert resolve_scoped(declared, live) == resolved


# -- 6. traffic targets match by revision name or tag -------------------------------------------


def test_traffic_is_keyed_by_revision_and_matched_by_tag_too() -> None:
    raw = {"traffic": [
        {"type": "TRAFFIC_TARGET_ALLOCATION_TYPE_REVISION", "revision": "r1", "percent": 90},
        {"type": "TRAFFIC_TARGET_ALLOCATION_TYPE_REVISION", "revision": "r2", "percent": 10,
         "tag": "canary"},
        {"type": "TRAFFIC_TARGET_ALLOCATION_TYPE_REVISION", "revision": "r0", "tag": "old"},
    ]}  # fmt: skip
    live, tags = services.traffic(raw), services.traffic_tags(raw)
    assert live == {"r1": 90, "r2": 10} and tags == {"canary": "r2", "old": "r0"}
    assert traffic_in_declared_spelling(live, tags, {"r1": 90, "canary": 10}) == {
        "r1": 90,
        "canary": 10,
    }
    assert traffic_in_declared_spelling(live, tags, {"r1": 90, "r2": 10}) == live


def test_a_tag_on_the_latest_target_names_all_traffic(tmp_path) -> None:
    raw = {"traffic": [{"type": "TRAFFIC_TARGET_ALLOCATION_TYPE_LATEST", "percent": 100,
                        "tag": "live"}]}  # fmt: skip
    fields = {"traffic": services.traffic(raw), "_traffic_tags": services.traffic_tags(raw)}
    for declared, clean in (("{live: 100}", True), ("{latest: 100}", True), ("latest", True),
                            ("{live: 90, old: 10}", False)):  # fmt: skip
        files = {"s.yaml": f"services:\n  api: {{region: {R}, traffic: {declared}}}\n"}
        baseline = load_baseline(wk.write_baseline(tmp_path / declared, files), wk.PROJECT)
        ev = evaluate(baseline, snap(Resource("services", "api", R, fields),
                                     kinds=("services",)), TODAY)  # fmt: skip
        assert (ev.findings == ()) is clean, declared


# -- 7. mappings are compared key by key, whatever the amount of change -----------------------

_KEYS = st.sampled_from([f"K{i}" for i in range(8)])
_VALUES = st.sampled_from(["a", "b", "c"])


def _default_severity(field: str, type_: str) -> str:
    if field == "labels":
        return "info"
    return "critical" if type_ in ("missing", "changed") else "warning"


@settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    field=st.sampled_from(["env", "labels"]),
    declared=st.dictionaries(_KEYS, _VALUES, max_size=8),
    live=st.dictionaries(_KEYS, _VALUES, max_size=8),
)
def test_every_differing_key_is_its_own_finding(tmp_path_factory, field, declared, live) -> None:
    tmp = tmp_path_factory.mktemp("kv")
    body = "".join(f"      {k}: {v}\n" for k, v in sorted(declared.items())) or "      {}\n"
    files = {"s.yaml": f"services:\n  api:\n    region: {R}\n    {field}:\n{body}"}
    baseline = load_baseline(wk.write_baseline(tmp, files), wk.PROJECT)
    fields: dict[str, Any] = {"env": {}, "labels": {}}
    fields[field] = dict(live)
    ev = evaluate(baseline, snap(Resource("services", "api", R, fields), kinds=("services",)),
                  TODAY)  # fmt: skip
    got = {(f.path, f.type, f.severity) for f in ev.findings}
    want = set()
    for key in set(declared) | set(live):
        if declared.get(key) == live.get(key):
            continue
        type_ = "missing" if key not in live else "unexpected" if key not in declared else "changed"
        want.add((f"services/api/{field}/{key}", type_, _default_severity(field, type_)))
    assert got == want


def test_a_snapshot_fingerprint_still_judges_one_of_digests(tmp_path) -> None:
    full = "sha256:" + "ab" * 32
    other = "sha256:" + "cd" * 32
    live = Resource("secrets", "k", None, {"sha256": "sha256:abababab..."})
    for declared, clean in ((full, True), (other, False), (f"{{one_of: ['{other}', '{full}']}}",
                            True), (f"{{one_of: ['{other}']}}", False)):  # fmt: skip
        files = {
            "s.yaml": f'secrets:\n  k: {{sha256: "{declared}"}}\n'
            if not declared.startswith("{")
            else f"secrets:\n  k: {{sha256: {declared}}}\n"
        }
        folder = tmp_path / str(abs(hash(declared)))
        baseline = load_baseline(wk.write_baseline(folder, files), wk.PROJECT)
        ev = evaluate(baseline, snap(live, kinds=("secrets",)), TODAY)
        assert (ev.findings == ()) is clean, declared


def test_two_spellings_of_one_host_in_a_baseline(tmp_path) -> None:
    """Spellings that agree (as live may list `a.com` and `a.com:443`) are one host; ones
    that disagree, or one domain mapping declared under two spellings, are errors."""
    from drift.baseline import BaselineError

    agree = {"lb.yaml": """
        url_maps:
          web: {hosts: {a.example.com: be1, "A.example.com.:443": be1}}
        ssl_certificates:
          c: {domains: [a.example.com, A.EXAMPLE.COM.]}
    """}  # fmt: skip
    baseline = load_baseline(wk.write_baseline(tmp_path / "ok", agree), wk.PROJECT)
    live = [
        Resource("url_maps", "web", None, {"hosts": {"a.example.com": "be1"}}),
        Resource("ssl_certificates", "c", None, {"domains": ["a.example.com"]}),
    ]
    assert evaluate(baseline, snap(*live, kinds=("url_maps", "ssl_certificates")),
                    TODAY).findings == ()  # fmt: skip
    disagree = {"lb.yaml": """
        url_maps:
          web: {hosts: {a.example.com: be1, "a.example.com:443": be2}}
        domain_mappings:
          api.example.com: {region: us-central1, service: api}
          API.Example.com.: {region: us-central1, service: other}
    """}  # fmt: skip
    with pytest.raises(BaselineError) as err:
        load_baseline(wk.write_baseline(tmp_path / "bad", disagree), wk.PROJECT)
    text = str(err.value)
    assert "'a.example.com:443' is the same host as 'a.example.com', mapped differently" in text
    assert "'API.Example.com.' in us-central1 is declared twice" in text
