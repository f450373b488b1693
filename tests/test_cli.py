"""The command line contract (spec/cli.md): commands, sources and exit codes."""

from __future__ import annotations

import json
import os
import re
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

from click.testing import CliRunner

from drift.cli import main
from tests import worldkit as wk

ROOT = Path(__file__).resolve().parent.parent


def run(args, **env):
    return CliRunner().invoke(
        main, args, env={"SOURCE_DATE_EPOCH": "1764000000", **env}, catch_exceptions=False
    )


def test_validate_ok_and_error(tmp_path):
    ok = run(["validate", str(ROOT / "expected")])
    assert ok.exit_code == 0 and "ok:" in ok.stdout and "netra-staging" in ok.stdout
    expected = wk.write_baseline(tmp_path, {"s.yaml": "servces:\n  a: {region: us-central1}\n"})
    bad = run(["validate", str(expected)])
    assert bad.exit_code == 1
    assert "s.yaml:1" in bad.stderr and "did you mean 'services'" in bad.stderr


def test_missing_baseline_is_a_sentence_not_a_traceback(tmp_path):
    r = run(["diff", "--project", "nope", "--expected", str(tmp_path), "--emulator"])
    assert r.exit_code == 1
    assert "Traceback" not in r.output and "nope" in r.stderr


def test_declared_kind_without_collector_is_not_checked(tmp_path, monkeypatch):
    from drift import registry

    monkeypatch.delitem(registry.KINDS, "health_checks")  # as before its collector existed
    world = tmp_path / "w.json"
    world.write_text(json.dumps(wk.world(services=[])))
    expected = wk.write_baseline(tmp_path, {"hc.yaml": "health_checks:\n  hc: {port: 80}\n"})
    r = run(
        [
            "diff",
            "--project",
            wk.PROJECT,
            "--expected",
            str(expected),
            "--emulator",
            str(world),
            "--format",
            "json",
        ]
    )
    report = json.loads(r.stdout)
    assert r.exit_code == 1
    assert report["not_checked"][0]["kind"] == "health_checks"
    assert report["findings"] == []


def test_kinds_flag_limits_the_comparison(tmp_path):
    world = tmp_path / "w.json"
    rogue = wk.service("rogue", env=[wk.env("X", "<todo>")])  # lint fires on services
    world.write_text(json.dumps(wk.world(services=[rogue], connectors=[wk.connector("conn-a")])))
    expected = wk.write_baseline(
        tmp_path,
        {
            "s.yaml": "services: {}\n",
            "c.yaml": f"vpc_connectors:\n  conn-a: {{region: {wk.REGION}, max_instances: 10}}\n",
        },
    )
    both = run(
        [
            "diff",
            "--project",
            wk.PROJECT,
            "--expected",
            str(expected),
            "--emulator",
            str(world),
            "--format",
            "json",
        ]
    )
    assert both.exit_code == 2  # the rogue service is unmanaged
    only = run(
        [
            "diff",
            "--project",
            wk.PROJECT,
            "--expected",
            str(expected),
            "--emulator",
            str(world),
            "--format",
            "json",
            "--kinds",
            "vpc_connectors",
        ]
    )
    assert only.exit_code == 0, only.stdout
    assert json.loads(only.stdout)["findings"] == []
    # a snapshot holds every kind; --kinds still reports only the kinds asked for
    snap = tmp_path / "snap.json"
    run(
        [
            "snapshot",
            "--project",
            wk.PROJECT,
            "--expected",
            str(expected),
            "--emulator",
            str(world),
            "--output",
            str(snap),
        ]
    )
    offline = run(
        [
            "diff",
            "--project",
            wk.PROJECT,
            "--expected",
            str(expected),
            "--snapshot",
            str(snap),
            "--format",
            "json",
            "--kinds",
            "vpc_connectors",
        ]
    )
    assert json.loads(offline.stdout)["findings"] == [] and offline.exit_code == 0
    bad = run(["diff", "--project", wk.PROJECT, "--expected", str(expected), "--kinds", "vms"])
    assert bad.exit_code == 1 and "unknown kind" in bad.stderr


# The demo's pinned finding set (every drift item of the netra-staging outage, nothing else)
# is data: tests/worlds/demo-netra-staging/findings.json, run by tests/test_worlds.py.


def test_demo_without_digests_says_the_digest_was_not_checked():
    r = run(
        [
            "diff",
            "--project",
            "netra-staging",
            "--expected",
            str(ROOT / "expected"),
            "--emulator",
            "--format",
            "json",
        ]
    )
    report = json.loads(r.stdout)
    assert not [f for f in report["findings"] if f["path"].endswith("/sha256")]
    assert any("--read-secret-digests" in n for n in report["notes"])


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def test_emulator_command_serves_the_bundled_world(tmp_path):
    port = _free_port()
    proc = subprocess.Popen(
        [sys.executable, "-m", "drift", "emulator", "--port", str(port)],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        cwd=ROOT,
        env=os.environ.copy(),
    )
    try:
        url = f"http://127.0.0.1:{port}/v2/projects/netra-staging/locations/us-central1/services"
        body = None
        for _ in range(100):
            try:
                with urllib.request.urlopen(url, timeout=2) as resp:
                    body = json.load(resp)
                break
            except OSError:
                time.sleep(0.1)
        assert body is not None, proc.stderr.read1().decode() if proc.poll() else "no answer"
        names = {s["name"].rsplit("/", 1)[-1] for s in body["services"]}
        assert "netra-backend-staging" in names
    finally:
        proc.terminate()
        proc.wait(timeout=10)


def test_help_lists_the_commands():
    r = run(["--help"])
    for command in ("diff", "snapshot", "validate", "emulator"):
        assert command in r.stdout


def test_demo_never_prints_a_full_secret_digest():
    """--read-secret-digests: the bypass key's live digest shows as sha256:1a2b3c4d...
    in every format, never whole (an image's @sha256: digest is configuration)."""
    full = re.compile(r"(?<!@)sha256:[0-9a-f]{64}")
    for fmt in ("json", "table"):
        r = run(["diff", "--project", "netra-staging", "--expected", str(ROOT / "expected"),
                 "--emulator", "--read-secret-digests", "--format", fmt])  # fmt: skip
        assert r.exit_code == 2
        assert "sha256:" in r.stdout and not full.search(r.stdout + r.stderr)
    report = json.loads(
        run(
            [
                "diff",
                "--project",
                "netra-staging",
                "--expected",
                str(ROOT / "expected"),
                "--emulator",
                "--read-secret-digests",
                "--format",
                "json",
            ]
        ).stdout  # fmt: skip
    )
    (digest,) = [f for f in report["findings"] if f["path"].endswith("/sha256")]
    assert re.fullmatch(r"sha256:[0-9a-f]{8}\.\.\.", digest["actual"])
