"""An answer that is not the API's is not data, and nothing runs forever (issue 8, cases
01, 03, 04, 21, 22).

Every fault kind of the emulator (drift/emulator/faults.py) runs against the list of
every kind drift reads, through the CLI and the real Google clients, on the bundled
netra-staging world and its baseline (which has findings for these kinds, so a fault read
as "no items" would show up as `missing`): the kind is `not_checked` in every scope with
a sentence naming the API, the run exits 1, no finding is about that kind, and it ends in
bounded time although the fault never heals.
"""

from __future__ import annotations

import json
import re
import time
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from drift.cli import main
from drift.collectors.answers import API_NAMES, access_answer, decode_payload
from drift.collectors.retry import MIN_ATTEMPT_S
from drift.emulator import Emulator, bundled_world_path, load_world
from drift.registry import KINDS

ROOT = Path(__file__).resolve().parent.parent
CASES = Path(__file__).resolve().parent / "worlds" / "robustness"
PROJECT = "netra-staging"
EXPECTED = ROOT / "expected"
REGIONS = ["us-central1"]  # expected/netra-staging/project.yaml
DEADLINE = 0.1  # --retry-deadline in these tests: small, so the suite stays fast
BOUND_S = DEADLINE + MIN_ATTEMPT_S + 12  # generous: the bugs were hangs of minutes

# The list URL of each kind, as a fault path (its global and regional lists alike): the
# URL ends with the collection, which is the kind's world key (Run v1 spells
# `domainMappings` in lower case, hence no case).
LIST_PATHS = {name: rf"(?i)/{spec.world_key}$" for name, spec in KINDS.items()}
# --kinds for each: a kind that is never declared is read for the checks of another.
RUN_KINDS = {
    name: next(k for k, other in KINDS.items() if name in other.needs)
    for name, spec in KINDS.items()
    if not spec.declarable
}

# fault -> (emulator fault, what its not_checked sentence says)
FAULTS: dict[str, tuple[dict[str, Any], str]] = {
    "drip": ({"kind": "drip", "every": 0.5}, "gave no complete answer within"),
    "repeat_token": ({"kind": "repeat_token"}, "a second time, so the list would never end"),
    "cycle_token": ({"kind": "cycle_token"}, "a second time, so the list would never end"),
    "empty": ({"kind": "empty"}, "answered 200 with an empty body; a proxy in between?"),
    "html": ({"kind": "html"}, "answered 200 with a body that is not JSON (text/html: "),
    "shape": ({"kind": "shape"}, "answered 200 with a JSON array, not the JSON object"),
    "truncate": ({"kind": "truncate"}, "answered 200 with JSON that is cut short or malformed"),
    "cut": ({"kind": "cut"}, ": the connection broke before the answer was complete"),
}

SENTENCE = re.compile(
    r"^(UNAVAILABLE|DEADLINE_EXCEEDED): (?P<api>[A-Za-z ]+ API): GET http://127\.0\.0\.1:\d+/\S+ "
)
RAW_PYTHON = ("ParseError", "Failed to load JSON", "JSONDecodeError", "Traceback", "Error:")


def run(args: list[str]) -> Any:
    return CliRunner().invoke(
        main, args, env={"SOURCE_DATE_EPOCH": "1764000000"}, catch_exceptions=False
    )


def diff(
    faults: list[dict[str, Any]], kinds: str, *extra: str, deadline: float = DEADLINE
) -> tuple[Any, dict[str, Any], float, dict[str, Any]]:
    """`drift diff --kinds KINDS` of the demo world behind `faults`: (result, report,
    seconds, emulator stats)."""
    with Emulator(load_world(bundled_world_path(PROJECT)), faults=faults) as emu:
        start = time.monotonic()
        result = run(
            ["diff", "--project", PROJECT, "--expected", str(EXPECTED), "--api-endpoint",
             emu.base_url, "--format", "json", "--quiet", "--retry-deadline", str(deadline),
             "--kinds", kinds, *extra]
        )  # fmt: skip
        seconds = time.monotonic() - start
        stats = emu.stats()
    return result, json.loads(result.stdout), seconds, stats


def case_fault(case: str) -> dict[str, Any]:
    fault: dict[str, Any] = json.loads((CASES / case / "fault.json").read_text())
    return fault


def assert_sentence(error: str, api: str, says: str) -> None:
    """One line that names the status, the API, the URL and what was wrong; no raw
    Python exception, and the server's text cut short."""
    m = SENTENCE.match(error)
    assert m, error
    assert m.group("api") == API_NAMES[api], error
    assert says in error, error
    assert "\n" not in error and len(error) < 500, error
    assert not [raw for raw in RAW_PYTHON if raw in error], error


def test_every_kind_has_a_list_path_here():
    assert set(LIST_PATHS) == set(KINDS)


@pytest.mark.parametrize("kind", sorted(KINDS))
@pytest.mark.parametrize("fault", sorted(FAULTS))
def test_fault_on_a_kind_is_not_checked_exit_1_no_finding_bounded(kind, fault):
    spec, says = FAULTS[fault]
    faults = [{**spec, "path": LIST_PATHS[kind], "times": None}]
    result, report, seconds, _ = diff(faults, RUN_KINDS.get(kind, kind))
    assert result.exit_code == 1, report
    scopes = {(n["kind"], n["region"]) for n in report["not_checked"]}
    # every list of the kind failed, and nothing else did
    assert scopes == {(kind, s) for s in KINDS[kind].scopes(REGIONS)}, report["not_checked"]
    for nc in report["not_checked"]:
        if fault == "cycle_token" and "the list did not end within" in nc["error"]:
            # On a loaded machine the list's own 0.1 s deadline may end the loop before
            # its third page shows the token again: the same verdict, the other guard.
            says = "the list did not end within"
        assert_sentence(nc["error"], KINDS[kind].api, says)
    assert not [f for f in report["findings"] if f["kind"] == kind]
    assert seconds < BOUND_S


def test_the_same_kinds_without_faults_have_findings():
    """What the matrix withholds is really there: the demo drifts in every declared kind."""
    kinds = ",".join(k for k in sorted(KINDS) if k not in RUN_KINDS)
    result, report, _, _ = diff([], kinds)
    assert result.exit_code == 2 and report["not_checked"] == []
    found = {f["kind"] for f in report["findings"]}
    assert found >= {"services", "secrets", "vpc_connectors", "domain_mappings", "url_maps",
                     "health_checks", "backend_services"}  # fmt: skip


# -- the cases, as found -----------------------------------------------------------------------


def test_case01_empty_200_on_domain_mappings_is_not_missing():
    fault = case_fault("01-domainmappings-empty-200-false-missing")
    result, report, _, _ = diff([fault], "domain_mappings")
    assert result.exit_code == 1
    (nc,) = report["not_checked"]
    assert (nc["kind"], nc["region"]) == ("domain_mappings", "us-central1")
    assert_sentence(nc["error"], "run", "answered 200 with an empty body; a proxy in between?")
    assert not [f for f in report["findings"] if f["type"] == "missing"]
    assert not [f for f in report["findings"] if f["kind"] == "domain_mappings"]


def test_case03_slow_loris_answer_ends_at_the_deadline():
    """A byte every 5 s keeps a read alive forever; the attempt's total limit cuts it."""
    fault = case_fault("03-slow-loris-response-hangs")
    result, report, seconds, stats = diff([fault], "vpc_connectors", deadline=2)
    assert result.exit_code == 1
    (nc,) = report["not_checked"]
    assert nc["kind"] == "vpc_connectors"
    assert_sentence(nc["error"], "vpcaccess", "gave no complete answer within 2 s")
    assert nc["error"].startswith("DEADLINE_EXCEEDED: ")
    assert seconds < 2 + 12  # was: still running after 120 s
    assert not [f for f in report["findings"] if f["kind"] == "vpc_connectors"]


def test_case04_repeated_page_token_fails_at_once():
    fault = case_fault("04-looping-page-token-hangs")
    # A long deadline: the loop must be seen by the token, not run out the clock.
    result, report, seconds, stats = diff([fault], "vpc_connectors", deadline=60)
    assert result.exit_code == 1
    (nc,) = report["not_checked"]
    assert_sentence(nc["error"], "vpcaccess", "page token 'repeat-token' a second time")
    connector_lists = [e for e in stats["log"] if e[1].split("?")[0].endswith("/connectors")]
    assert len(connector_lists) == 2  # the second page repeated the token: stop there
    assert seconds < 12


def test_case21_html_200_is_a_sentence_not_a_parse_error():
    fault = case_fault("21-raw-python-errors-in-not-checked")
    result, report, _, _ = diff([fault], "vpc_connectors")
    assert result.exit_code == 1
    (nc,) = report["not_checked"]
    assert_sentence(nc["error"], "vpcaccess", "not JSON (text/html: '<!DOCTYPE html><html>")
    assert "502 Bad Gateway" in nc["error"] and len(nc["error"]) < 400


def test_case22_payload_that_is_not_base64_is_not_a_digest():
    fault = case_fault("22-secret-payload-not-base64-accepted")
    result, report, _, stats = diff([fault], "secrets", "--read-secret-digests")
    assert result.exit_code == 1
    assert [e for e in stats["log"] if e[1].split("?")[0].endswith(":access")]  # asked
    (nc,) = report["not_checked"]
    assert nc["kind"] == "secrets" and nc["error"].startswith("sha256 of e2e-bypass-key: ")
    assert nc["resource"] == "e2e-bypass-key"  # that secret alone: the list was read
    assert "with a payload that could not be decoded" in nc["error"]
    assert "CANARY" not in json.dumps(report)  # the answer is never quoted
    assert not [f for f in report["findings"] if f["path"].startswith("secrets/e2e-bypass-key")]


# -- the general rules, one by one -------------------------------------------------------------


@pytest.mark.parametrize(
    ("data", "decoded"),
    [
        ("c2VjcmV0", b"secret"),
        ("c2VjcmV0MQ==", b"secret1"),
        ("c2VjcmV0MQ", b"secret1"),  # proto3 JSON: padding optional
        ("-_-_", b"\xfb\xff\xbf"),  # URL-safe alphabet
        ("+/+/", b"\xfb\xff\xbf"),
        ("", b""),
        ("CANARY-PAYLOAD-e2e-bypass-key!!", None),
        ("c2Vj cmV0", None),
        ("c2VjcmV0M", None),  # a length no base64 has
        ("+_+_", None),  # two alphabets mixed
        (None, None),
        (12, None),
    ],
)
def test_payload_base64_is_strict(data, decoded):
    assert decode_payload(data) == decoded


def test_payload_checksum_must_match_when_sent():
    ok = {"payload": {"data": "c2VjcmV0", "dataCrc32c": "1015039520"}}
    assert access_answer({"payload": {"data": "c2VjcmV0"}}) is None
    bad = {"payload": {"data": "c2VjcmV0", "dataCrc32c": "1"}}
    assert "checksum" in (access_answer(bad) or "")
    from drift.collectors.answers import crc32c

    ok["payload"]["dataCrc32c"] = str(crc32c(b"secret"))
    assert access_answer(ok) is None


def test_endless_list_ends_at_the_deadline():
    """New tokens forever: no token repeats, the list's own deadline ends it."""
    faults = [{"path": LIST_PATHS["vpc_connectors"], "kind": "endless", "times": None}]
    result, report, seconds, stats = diff(faults, "vpc_connectors", deadline=1)
    assert result.exit_code == 1
    (nc,) = report["not_checked"]
    assert nc["error"].startswith("DEADLINE_EXCEEDED: Serverless VPC Access API: GET ")
    assert "the list did not end within 1 s" in nc["error"]
    assert seconds < 1 + 12
    assert len(stats["log"]) > 2  # it did keep paging until then


def test_cycling_tokens_are_caught_when_one_comes_back():
    faults = [{"path": LIST_PATHS["health_checks"], "kind": "cycle_token", "times": None}]
    _, report, _, stats = diff(faults, "health_checks", deadline=60)
    assert {n["region"] for n in report["not_checked"]} == {None, "us-central1"}
    global_lists = [e for e in stats["log"] if e[1].split("?")[0].endswith("/global/healthChecks")]
    assert len(global_lists) == 3  # A, B, then A again: stop


def test_a_passing_fault_heals_within_the_deadline():
    """A proxy's empty 200 may be a passing glitch: retried like a 502, then read."""
    faults = [{"path": LIST_PATHS["vpc_connectors"], "kind": "empty", "times": 2}]
    result, report, _, stats = diff(faults, "vpc_connectors", deadline=10)
    assert report["not_checked"] == []
    assert result.exit_code == 2  # the demo's connector drift, now seen
    assert [f for f in report["findings"] if f["kind"] == "vpc_connectors"]


@pytest.mark.parametrize(
    ("body", "says"),
    [
        ({"error": {"code": 200}}, "without any field of this list (it has: error)"),
        ({"connectors": {"name": "x"}}, "'connectors' that is a JSON object, not an array"),
        ({"connectors": [1, 2]}, "'connectors' that is a JSON array, not an array of objects"),
        ({"connectors": [], "nextPageToken": 7}, "a page token that is a JSON number"),
        ({"unreachable": ["us-central1"]}, "a partial list: the API could not reach us-central1"),
        ("ok", "a JSON string, not the JSON object"),
        (None, "JSON null, not the JSON object"),
    ],
)
def test_gapic_list_shapes(body, says):
    faults = [{"path": LIST_PATHS["vpc_connectors"], "kind": "shape", "body": body}]
    result, report, _, _ = diff(faults, "vpc_connectors")
    (nc,) = report["not_checked"]
    assert_sentence(nc["error"], "vpcaccess", says)
    assert result.exit_code == 1


def test_empty_object_is_an_empty_gapic_list():
    """proto3 JSON leaves empty fields out: `{}` is a list with no connectors."""
    faults = [{"path": LIST_PATHS["vpc_connectors"], "kind": "shape", "body": {}}]
    result, report, _, _ = diff(faults, "vpc_connectors")
    assert report["not_checked"] == []
    assert ("vpc_connectors/staging-connector", "missing") in {
        (f["path"], f["type"]) for f in report["findings"]
    }
    assert result.exit_code == 2


@pytest.mark.parametrize(
    ("body", "says"),
    [
        ({}, "with no kind, not the compute#healthCheckList Compute always sends"),
        ({"kind": "compute#backendServiceList"}, "kind 'compute#backendServiceList', not the"),
    ],
)
def test_compute_lists_carry_their_kind(body, says):
    faults = [{"path": r"/global/healthChecks$", "kind": "shape", "body": body}]
    result, report, _, _ = diff(faults, "health_checks")
    (nc,) = report["not_checked"]
    assert nc["region"] is None
    assert_sentence(nc["error"], "compute", says)
    assert result.exit_code == 1


@pytest.mark.parametrize(
    ("body", "says"),
    [
        ({"kind": "ServiceList", "items": []}, "of kind 'ServiceList', not DomainMappingList"),
        ({"kind": "DomainMappingList", "metadata": "x"}, "'metadata' that is a JSON string"),
        ({"items": [], "unreachable": ["us-central1"]}, "could not reach us-central1"),
    ],
)
def test_domain_mapping_list_shapes(body, says):
    faults = [{"path": LIST_PATHS["domain_mappings"], "kind": "shape", "body": body}]
    result, report, _, _ = diff(faults, "domain_mappings")
    (nc,) = report["not_checked"]
    assert_sentence(nc["error"], "run", says)
    assert result.exit_code == 1


def test_error_answers_keep_googles_status_and_cut_the_server_text():
    long = "denied " + "x" * 5000
    faults = [{"path": LIST_PATHS["vpc_connectors"], "status": 403, "message": long}]
    _, report, _, _ = diff(faults, "vpc_connectors")
    (nc,) = report["not_checked"]
    assert nc["error"].startswith("PERMISSION_DENIED: Serverless VPC Access API: GET http")
    assert "?" not in nc["error"].split(": denied")[0]  # no query string (page tokens)
    assert len(nc["error"]) < 400 and nc["error"].endswith("...")


# -- the emulator's fault kinds, on the wire ---------------------------------------------------


def fetch(emu: Emulator, path: str) -> tuple[int, str, bytes, float]:
    """(status, content type, body, seconds until the headers came) of one GET."""
    import http.client

    conn = http.client.HTTPConnection(emu.host, emu.port, timeout=10)
    start = time.monotonic()
    conn.request("GET", path)
    resp = conn.getresponse()
    first = time.monotonic() - start
    body = resp.read()
    conn.close()
    return resp.status, resp.getheader("Content-Type") or "", body, first


CONNECTORS = f"/v1/projects/{PROJECT}/locations/us-central1/connectors"
MAPPINGS = f"/v1/projects/{PROJECT}/locations/us-central1/domainmappings"


def test_emulator_transport_faults_send_what_they_say():
    import http.client

    world = load_world(bundled_world_path(PROJECT))
    with Emulator(world) as emu:
        _, _, real, _ = fetch(emu, CONNECTORS)
        emu.set_faults([{"path": "/connectors$", "kind": "empty"}])
        assert fetch(emu, CONNECTORS)[:3] == (200, "application/json; charset=UTF-8", b"")
        emu.set_faults([{"path": "/connectors$", "kind": "html", "status": 502}])
        status, ctype, body, _ = fetch(emu, CONNECTORS)
        assert (status, ctype) == (502, "text/html; charset=utf-8") and b"<html>" in body
        emu.set_faults([{"path": "/connectors$", "kind": "shape", "body": {"a": 1}}])
        assert json.loads(fetch(emu, CONNECTORS)[2]) == {"a": 1}
        emu.set_faults([{"path": "/connectors$", "kind": "truncate"}])
        assert fetch(emu, CONNECTORS)[2] == real[: len(real) // 2]
        emu.set_faults([{"path": "/connectors$", "kind": "drip", "every": 0.001, "times": 1}])
        status, _, body, first = fetch(emu, CONNECTORS)
        assert (status, body) == (200, real) and first < 1  # headers at once, then bytes
        emu.set_faults([{"path": "/connectors$", "kind": "cut", "times": 1}])
        with pytest.raises(http.client.IncompleteRead):
            fetch(emu, CONNECTORS)
        emu.set_faults([{"path": "/connectors$", "kind": "status", "status": 429}])
        assert fetch(emu, CONNECTORS)[0] == 429


@pytest.mark.parametrize(
    ("path", "token_of"),
    [
        (CONNECTORS, lambda b: b["nextPageToken"]),
        (MAPPINGS, lambda b: b["metadata"]["continue"]),
        (f"/compute/v1/projects/{PROJECT}/global/healthChecks", lambda b: b["nextPageToken"]),
    ],
)
def test_emulator_token_faults_on_each_paging_style(path, token_of):
    lists = "(connectors|domainmappings|healthChecks)$"
    with Emulator(load_world(bundled_world_path(PROJECT))) as emu:
        first = json.loads(fetch(emu, path)[2])
        emu.set_faults([{"path": lists, "kind": "repeat_token"}])
        a = json.loads(fetch(emu, path)[2])
        b = json.loads(fetch(emu, path + "?pageToken=repeat-token&continue=repeat-token")[2])
        assert token_of(a) == token_of(b) == "repeat-token"
        assert {k: v for k, v in a.items() if k not in ("nextPageToken", "metadata")} == {
            k: v for k, v in first.items() if k not in ("nextPageToken", "metadata")
        }
        emu.set_faults([{"path": lists, "kind": "cycle_token"}])
        one = token_of(json.loads(fetch(emu, path)[2]))
        two = token_of(json.loads(fetch(emu, f"{path}?pageToken={one}&continue={one}")[2]))
        three = token_of(json.loads(fetch(emu, f"{path}?pageToken={two}&continue={two}")[2]))
        assert one == three != two
        emu.set_faults([{"path": lists, "kind": "endless"}])
        tokens = {token_of(json.loads(fetch(emu, path)[2])) for _ in range(3)}
        assert len(tokens) == 3


@pytest.mark.parametrize(
    ("fault", "says"),
    [
        ({"path": "x", "kind": "melt"}, "kind must be one of"),
        ({"path": "x"}, "status must be an HTTP error status"),
        ({"path": "x", "kind": "drip", "every": 0}, "every must be a number of seconds > 0"),
        ({"path": "x", "kind": "html", "status": 99}, "status must be an HTTP status"),
        ({"path": "(", "kind": "empty"}, "not a valid regex"),
    ],
)
def test_emulator_rejects_bad_faults(fault, says):
    with pytest.raises(ValueError, match=re.escape(says)):
        Emulator(load_world(bundled_world_path(PROJECT)), faults=[fault])


def test_json_the_client_cannot_read_is_a_sentence():
    """Past the shape checks, the client library's own JSON error becomes a sentence."""
    body = {"services": [{"name": 5, "template": "not an object"}]}
    faults = [{"path": LIST_PATHS["services"], "kind": "shape", "body": body}]
    result, report, _, _ = diff(faults, "services")
    (nc,) = report["not_checked"]
    assert_sentence(nc["error"], "run", "answered 200 with JSON the client library could not read")
    assert result.exit_code == 1


def test_a_region_the_client_cannot_put_in_a_url_is_a_sentence():
    from drift.collectors.scan import collect
    from drift.collectors.settings import CollectSettings

    with Emulator(load_world(bundled_world_path(PROJECT))) as emu:
        snap = collect(PROJECT, ["us-central1/x"], ["vpc_connectors"],
                       CollectSettings(endpoint=emu.base_url, deadline_s=0))  # fmt: skip
    (nc,) = snap.not_checked
    assert nc.error.startswith("INVALID_ARGUMENT: Serverless VPC Access API: the client could")
    assert "\n" not in nc.error and len(nc.error) < 400


def test_a_status_line_dripping_in_is_cut_too():
    """Not only the body: a server that drips even its headers is cut at the limit."""
    import socket
    import threading

    import requests

    from drift.collectors import guard

    server = socket.socket()
    server.bind(("127.0.0.1", 0))
    server.listen(1)

    def drip_headers() -> None:
        conn, _ = server.accept()
        conn.recv(4096)
        head = b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: 2\r\n\r\n{}"
        try:
            for i in range(len(head)):
                time.sleep(0.1)
                conn.sendall(head[i : i + 1])
        except OSError:
            pass
        conn.close()

    threading.Thread(target=drip_headers, daemon=True).start()
    session = guard.install(requests.Session())
    start = time.monotonic()
    with pytest.raises(guard.AttemptTimeout), guard.attempt(0.5):
        session.get(f"http://127.0.0.1:{server.getsockname()[1]}/x", timeout=30)
    assert time.monotonic() - start < 5  # the whole head takes 8 s to drip in
    server.close()


def test_a_refused_connection_is_a_sentence():
    import socket

    with socket.socket() as s:  # a port nothing listens on
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    # The library path: the CLI probes an endpoint before the scan (tests/test_fail_fast.py),
    # so a host that goes away during a scan is what reaches the collectors.
    from drift.collectors.settings import CollectSettings
    from drift.pipeline import run_diff

    report = run_diff(
        PROJECT,
        EXPECTED,
        kinds={"vpc_connectors"},
        settings=CollectSettings(endpoint=f"http://127.0.0.1:{port}", deadline_s=0.1),
    )
    (nc,) = report.not_checked
    assert_sentence(nc.error, "vpcaccess", "/connectors: could not connect (connection refused)")


def test_a_failed_follow_up_hides_only_its_own_resource():
    """A 403 on one secret's versions (its list was read) leaves that one secret not
    checked: the run exits 1 and says so, but everything else the scan read still counts,
    e.g. a service's reference to a secret that does not exist (a variant of case 25)."""
    fault = {"path": "/secrets/jwt-secret-key/versions$", "status": 403, "times": None}
    result, report, _, _ = diff([fault], "services,secrets")
    assert result.exit_code == 1
    (nc,) = report["not_checked"]
    assert (nc["kind"], nc["region"], nc["resource"]) == ("secrets", None, "jwt-secret-key")
    assert nc["error"].startswith("versions of jwt-secret-key: PERMISSION_DENIED")
    paths = {f["path"] for f in report["findings"]}
    assert "services/netra-backend-staging/env/DATABASE_URL" in paths  # still found

    def about_jwt(f: dict[str, Any]) -> bool:
        """A finding on that secret, or on a reference to it (it needs its versions)."""
        return f["path"].startswith("secrets/jwt-secret-key") or "jwt-secret-key" in json.dumps(
            f.get("expected")
        )

    # Without the fault: the same findings, and those about jwt-secret-key besides.
    _, whole, _, _ = diff([], "services,secrets")
    assert not whole["not_checked"]
    assert paths == {f["path"] for f in whole["findings"] if not about_jwt(f)}
    assert not [f for f in report["findings"] if about_jwt(f)]
