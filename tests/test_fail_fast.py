"""Fail fast and say what is happening (issue 9, item 3).

A misspelled or unreachable `--api-endpoint` used to be retried for the whole
--retry-deadline (3 min 57 s measured) in silence. Now: an endpoint that refuses
connections, does not resolve or fails the TLS handshake ends the run before the scan
with one sentence; a host that cannot be reached during a scan gets one quick second try,
not the deadline; and while transient errors are retried, stderr says so.
"""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import pytest
import requests
from click.testing import CliRunner

from drift.baseline import load_baseline
from drift.cli import main
from drift.cli.progress import Throttled
from drift.collectors import guard, reach
from drift.collectors.budget import RateBudget
from drift.collectors.retry import RetryPolicy, call_with_retry
from drift.collectors.settings import CollectSettings
from drift.emulator import Emulator, bundled_world_path, load_world
from drift.pipeline import run_diff
from drift.registry import KINDS, kinds_to_collect

ROOT = Path(__file__).resolve().parent.parent
DEMO = "netra-staging"
EXPECTED = ROOT / "expected"


def free_port() -> int:
    """A loopback port nothing listens on (bound, then released)."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def drift_process(*args: str, **env: str) -> tuple[subprocess.CompletedProcess[str], float]:
    """`python -m drift ARGS` as a user runs it, and how long it took."""
    start = time.monotonic()
    proc = subprocess.run(
        [sys.executable, "-m", "drift", *args],
        capture_output=True,
        text=True,
        timeout=300,
        env={**os.environ, "DRIFT_API_ENDPOINT": "", **env},
        cwd=ROOT,
    )
    return proc, time.monotonic() - start


def run(args: list[str], **env: str) -> Any:
    return CliRunner().invoke(main, args, env=env, catch_exceptions=False)


def one_sentence(r: Any) -> str:
    assert r.exit_code == 1, r.output
    assert r.stdout == "" and "Traceback" not in r.output
    assert r.stderr.count("\n") == 1, r.stderr
    return r.stderr


# -- an endpoint that cannot be reached: one sentence before the scan ----------------------


def test_a_refused_endpoint_fails_at_once_with_one_sentence():
    """The case as reported: default --retry-deadline (120 s), nothing listening."""
    url = f"http://127.0.0.1:{free_port()}"
    proc, took = drift_process(
        "diff", "--project", DEMO, "--expected", str(EXPECTED), "--api-endpoint", url
    )
    assert took < 10, took  # was the whole retry deadline, and more
    assert proc.returncode == 1
    assert proc.stdout == ""
    assert proc.stderr.count("\n") == 1, proc.stderr
    assert proc.stderr.startswith(
        f"drift: --api-endpoint {url} cannot be reached: connection "
        "refused; check the URL and that the server is running"
    )
    assert "nothing was checked" in proc.stderr
    assert "urllib3" not in proc.stderr and "HTTPConnectionPool" not in proc.stderr


@pytest.mark.parametrize(
    "command",
    [["diff"], ["snapshot", "--output", "OUT"], ["baseline", "init", "--regions", "us-central1"]],
)
def test_every_command_probes_the_endpoint_first(tmp_path, command):
    cmd = [str(tmp_path / "out.json") if a == "OUT" else a for a in command]
    expected = tmp_path / "new" if cmd[0] == "baseline" else EXPECTED
    url = f"http://127.0.0.1:{free_port()}"
    r = run([*cmd, "--project", DEMO, "--expected", str(expected), "--api-endpoint", url])
    assert "cannot be reached: connection refused" in one_sentence(r)
    assert not (tmp_path / "out.json").exists() and not (tmp_path / "new").exists()


def test_the_environment_variable_is_named_when_it_set_the_endpoint():
    url = f"http://127.0.0.1:{free_port()}"
    r = run(["diff", "--project", DEMO, "--expected", str(EXPECTED)], DRIFT_API_ENDPOINT=url)
    assert one_sentence(r).startswith(f"drift: DRIFT_API_ENDPOINT {url} cannot be reached")


def test_a_host_name_that_does_not_resolve_fails_at_once():
    # .invalid never resolves (RFC 6761), online or not.
    r = run(
        [
            "diff",
            "--project",
            DEMO,
            "--expected",
            str(EXPECTED),
            "--api-endpoint",
            "http://drift-typo.invalid:8765",
        ]
    )
    assert "cannot be reached: the host name does not resolve;" in one_sentence(r)


def test_https_to_a_plain_http_server_is_a_tls_failure_said_once():
    with Emulator(load_world(bundled_world_path(DEMO))) as emu:
        https = emu.base_url.replace("http://", "https://")
        r = run(["diff", "--project", DEMO, "--expected", str(EXPECTED), "--api-endpoint", https])
        assert emu.stats()["log"] == []  # no API request was sent
    said = one_sentence(r)
    assert (
        "cannot be reached: the TLS handshake failed (WRONG_VERSION_NUMBER: the server "
        "may speak plain http://)" in said
    )


def test_a_reachable_endpoint_is_not_held_up_by_the_probe():
    with Emulator(load_world(bundled_world_path(DEMO))) as emu:
        r = run(
            [
                "diff",
                "--project",
                DEMO,
                "--expected",
                str(EXPECTED),
                "--api-endpoint",
                emu.base_url,
                "--format",
                "json",
                "--quiet",
            ]
        )
    assert r.exit_code == 2, r.output  # the demo world drifts on purpose
    assert json.loads(r.stdout)["not_checked"] == []


def test_an_endpoint_without_a_scheme_is_a_usage_error():
    r = run(
        ["diff", "--project", DEMO, "--expected", str(EXPECTED), "--api-endpoint", "127.0.0.1:8765"]
    )
    assert "--api-endpoint must be a base URL such as http://" in one_sentence(r)


# -- a host that cannot be reached during a scan: one quick second try ---------------------


def test_the_general_rule_refused_dns_and_tls_are_permanent_after_one_retry():
    """Each unreachable cause is tried twice, not until the (here 120 s) deadline."""
    session = guard.install(requests.Session())
    with Emulator(load_world(bundled_world_path(DEMO))) as emu:
        https = emu.base_url.replace("http://", "https://")
        for url, why in (
            (f"http://127.0.0.1:{free_port()}/x", reach.REFUSED),
            ("http://drift-typo.invalid/x", reach.NO_HOST),
            (f"{https}/v1/projects/{DEMO}/secrets", reach.TLS),
        ):
            retried: list[BaseException] = []
            slept: list[float] = []
            with pytest.raises(requests.exceptions.ConnectionError) as caught:
                call_with_retry(
                    lambda u=url: session.get(u, timeout=5),
                    RateBudget(600),
                    RetryPolicy(deadline_s=120.0),
                    retried.append,
                    slept.append,
                )
            assert reach.unreachable(caught.value) == why
            assert len(retried) == 1 and sum(slept) <= RetryPolicy().initial_s, (url, slept)


def test_a_transient_failure_is_still_retried_to_the_deadline():
    """A 503 is not "unreachable": it keeps its retries (here it heals on the 4th try)."""
    with Emulator(load_world(bundled_world_path(DEMO))) as emu:
        emu.set_faults([{"path": "/secrets$", "status": 503, "times": 3}])
        report = run_diff(
            DEMO,
            EXPECTED,
            kinds={"secrets"},
            settings=CollectSettings(endpoint=emu.base_url, initial_backoff_s=0.01),
        )
        statuses = [e[2] for e in emu.stats()["log"] if e[1].split("?")[0].endswith("/secrets")]
    assert report.not_checked == ()
    assert statuses == [503, 503, 503, 200]


def test_the_library_gives_up_on_a_refused_host_in_seconds():
    """run_diff has no probe: every list fails on its own, each after one quick retry."""
    start = time.monotonic()
    report = run_diff(
        DEMO, EXPECTED, settings=CollectSettings(endpoint=f"http://127.0.0.1:{free_port()}")
    )
    assert time.monotonic() - start < 20  # the deadline is 120 s
    baseline = load_baseline(EXPECTED, DEMO)
    lists = [(k, r) for k in kinds_to_collect(set(baseline.kinds), None)
             for r in KINDS[k].scopes(list(baseline.regions))]  # fmt: skip
    assert len(report.not_checked) == len(lists)
    assert all("could not connect (connection refused)" in nc.error for nc in report.not_checked)


# -- while retrying, stderr says so ----------------------------------------------------------


def test_retrying_is_said_on_stderr_off_a_terminal(tmp_path):
    with Emulator(load_world(bundled_world_path(DEMO))) as emu:
        emu.set_faults([{"path": "/secrets$", "status": 503, "times": 2}])
        out = tmp_path / "r.json"
        r = run(
            [
                "diff",
                "--project",
                DEMO,
                "--expected",
                str(EXPECTED),
                "--api-endpoint",
                emu.base_url,
                "--output",
                str(out),
                "--kinds",
                "secrets",
            ]
        )
    assert r.exit_code in (0, 2), r.output
    retrying = [line for line in r.stderr.splitlines() if line.startswith("drift: retrying")]
    # Two 503s, but at most one line every 10 s.
    assert len(retrying) == 1, r.stderr
    assert retrying[0].startswith("drift: retrying secretmanager (503), giving up in ")
    assert retrying[0].endswith(" s")
    left = int(retrying[0].split("giving up in ")[1].split()[0])
    assert 100 <= left <= 120  # --retry-deadline's default


def test_quiet_says_nothing_about_retries(tmp_path):
    with Emulator(load_world(bundled_world_path(DEMO))) as emu:
        emu.set_faults([{"path": "/secrets$", "status": 503, "times": 2}])
        r = run(
            [
                "diff",
                "--project",
                DEMO,
                "--expected",
                str(EXPECTED),
                "--api-endpoint",
                emu.base_url,
                "--format",
                "json",
                "--kinds",
                "secrets",
                "--quiet",
            ]
        )
    assert r.exit_code in (0, 2) and r.stderr == ""


def test_retry_notices_are_at_most_one_every_ten_seconds():
    clock = [0.0]
    said: list[str] = []
    notice = Throttled(say=said.append, clock=lambda: clock[0])
    for t, text in ((0, "a"), (3, "b"), (9.9, "c"), (10, "d"), (15, "e"), (31, "f")):
        clock[0] = t
        notice(text)
    assert said == ["a", "d", "f"]


def test_retrying_is_said_in_the_progress_line_on_a_terminal(tmp_path):
    """stderr is a terminal (a pty): the notice is in rich's progress line, not a log line."""
    import pty

    world = load_world(bundled_world_path(DEMO))
    world["emulator"] = {"faults": [{"path": "/secrets$", "status": 503}]}  # never heals
    path = tmp_path / "world.json"
    path.write_text(json.dumps(world))
    leader, follower = pty.openpty()
    try:
        proc = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "drift",
                "diff",
                "--project",
                DEMO,
                "--expected",
                str(EXPECTED),
                "--emulator",
                str(path),
                "--kinds",
                "secrets",
                "--format",
                "json",
                "--retry-deadline",
                "3",
            ],
            stdout=subprocess.PIPE,
            stderr=follower,
            cwd=ROOT,
            env={**os.environ, "DRIFT_API_ENDPOINT": "", "TERM": "xterm", "COLUMNS": "120"},
        )
        os.close(follower)
        screen = b""
        while True:
            try:
                chunk = os.read(leader, 4096)
            except OSError:  # the pty closes when drift exits
                break
            if not chunk:
                break
            screen += chunk
        proc.communicate(timeout=120)
    finally:
        os.close(leader)
    text = screen.decode("utf-8", "replace")
    assert proc.returncode == 1
    assert "retrying secretmanager (503), giving up in " in text
    assert "drift: retrying" not in text  # not a plain log line on a terminal
