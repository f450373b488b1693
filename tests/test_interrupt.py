"""Ctrl-C and SIGTERM stop a scan at once (drift/cli/interrupt.py).

The bug: Ctrl-C let every queued request run to the end (about 30 s against a slow API),
then exited 1. Now the scan stops within a moment, writes nothing, prints one line and
exits 130 (SIGINT) or 143 (SIGTERM).
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from drift.cli.interrupt import Interrupted, signals_stop_the_run, uninterruptible
from drift.emulator import Emulator, bundled_world_path, load_world

ROOT = Path(__file__).resolve().parent.parent
PROJECT = "netra-staging"


def slow_emulator() -> Emulator:
    """Every answer sends its headers, then one body byte every 5 s: a scan of the demo
    world (dozens of lists) would take hours, and the stats show when it has started."""
    world = load_world(bundled_world_path(PROJECT))
    return Emulator(world, faults=[{"path": ".", "kind": "drip", "every": 5}])


def start_diff(emu: Emulator, output: Path, *extra: str) -> subprocess.Popen:
    env = {k: v for k, v in os.environ.items() if k != "DRIFT_API_ENDPOINT"}
    return subprocess.Popen(
        [
            sys.executable,
            "-m",
            "drift",
            "diff",
            "--project",
            PROJECT,
            "--expected",
            str(ROOT / "expected"),
            "--api-endpoint",
            emu.base_url or "",
            "--format",
            "json",
            "--output",
            str(output),
            *extra,
        ],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        cwd=ROOT,
        env=env,
    )


def wait_for_requests(emu: Emulator, proc: subprocess.Popen) -> None:
    """Until the scan has sent requests (it is then mid-scan: none can finish for hours)."""
    deadline = time.monotonic() + 60
    while not emu.stats()["requests"]:
        assert proc.poll() is None, proc.stderr.read().decode() if proc.stderr else ""
        assert time.monotonic() < deadline, "the scan never reached the emulator"
        time.sleep(0.05)


@pytest.mark.parametrize(("signum", "code"), [(signal.SIGINT, 130), (signal.SIGTERM, 143)])
def test_a_signal_stops_the_scan_at_once_and_writes_nothing(tmp_path, signum, code):
    output = tmp_path / "report.json"
    with slow_emulator() as emu:
        proc = start_diff(emu, output)
        try:
            wait_for_requests(emu, proc)
            sent = time.monotonic()
            proc.send_signal(signum)
            out, err = proc.communicate(timeout=30)
            took = time.monotonic() - sent
        finally:
            if proc.poll() is None:
                proc.kill()
                proc.wait()
    assert proc.returncode == code, err.decode()
    assert took < 2, f"took {took:.1f} s to stop"
    name = signal.Signals(signum).name
    assert err.decode() == f"drift: interrupted by {name}; stopped at once, nothing was written.\n"
    assert out == b""
    assert list(tmp_path.iterdir()) == []  # no report, no temporary file


def test_an_interrupted_run_keeps_the_previous_report(tmp_path):
    output = tmp_path / "report.json"
    output.write_text("yesterday's report\n")
    with slow_emulator() as emu:
        proc = start_diff(emu, output, "--quiet")
        try:
            wait_for_requests(emu, proc)
            proc.send_signal(signal.SIGINT)
            proc.communicate(timeout=30)
        finally:
            if proc.poll() is None:
                proc.kill()
                proc.wait()
    assert proc.returncode == 130
    assert output.read_text() == "yesterday's report\n"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["report.json"]


def test_a_signal_during_a_write_waits_for_the_write(tmp_path):
    """A set of files being written is finished first, then the run stops (exit 130)."""
    written = []
    with pytest.raises(Interrupted) as stopped:
        with signals_stop_the_run():
            with uninterruptible():
                os.kill(os.getpid(), signal.SIGINT)
                for i in range(3):  # the handler has run by now; the writes go on
                    (tmp_path / f"f{i}.yaml").write_text("x\n")
                    written.append(i)
    assert written == [0, 1, 2]
    assert stopped.value.after_write and stopped.value.exit_code == 130
    # the handlers in place before are back
    assert signal.getsignal(signal.SIGINT) is signal.default_int_handler


def test_emulator_command_stops_on_sigterm_with_exit_0():
    """Stopping is how `drift emulator` ends: exit 0 and one line, no traceback."""
    proc = subprocess.Popen(
        [sys.executable, "-m", "drift", "emulator", "--port", "0"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        cwd=ROOT,
    )
    try:
        assert proc.stderr is not None
        url = proc.stderr.readline().decode().strip()  # printed once listening
        assert url.startswith("http://127.0.0.1:")
        proc.send_signal(signal.SIGTERM)
        _, err = proc.communicate(timeout=30)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
    assert proc.returncode == 0
    assert err.decode() == "drift: emulator stopped.\n"
