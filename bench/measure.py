"""Process-level measurement for bench/scale.py: one command's wall time, peak RSS and CPU,
and the emulator served by `drift emulator` in a process of its own.

Every figure is of a separate process, as a user runs drift: its start-up, imports and exit
count, and the emulator's CPU and memory do not.
"""

from __future__ import annotations

import json
import os
import signal
import statistics
import subprocess
import sys
import tempfile
import threading
import urllib.request
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

STATS_PATH = "/_emulator/stats"  # drift/emulator/server.py; not counted as a request
HELPER = Path(__file__).resolve().parent / "rusage_exec.py"


@dataclass(frozen=True)
class Measured:
    """One finished process."""

    wall_s: float  # from just before fork to the exit status being collected
    maxrss_mib: float  # peak resident memory of that process (ru_maxrss)
    cpu_s: float  # user + system CPU of that process
    returncode: int
    stdout: str
    stderr: str


def run_measured(
    cmd: Sequence[str],
    env: dict[str, str] | None = None,
    cwd: Path | None = None,
    timeout_s: float = 900.0,
) -> Measured:
    """Run `cmd` to completion under bench/rusage_exec.py and return its own figures.

    Not by Popen here: Linux keeps ru_maxrss across fork and exec, so a child of this
    (large) process would report at least this process's peak; rusage_exec.py is a small
    parent whose child starts from a few MB. resource.getrusage(RUSAGE_CHILDREN) is no
    better: it mixes in every child (the emulators) and only grows. A command still
    running after `timeout_s` is killed with its helper (returncode -9).
    """
    with (
        tempfile.TemporaryFile() as out,
        tempfile.TemporaryFile() as err,
        tempfile.TemporaryDirectory(prefix="drift-bench-run-") as scratch,
    ):
        figures_path = Path(scratch) / "figures.json"
        helper = [sys.executable, "-S", "-E", str(HELPER), str(figures_path), *cmd]
        proc = subprocess.Popen(
            helper, stdout=out, stderr=err, env=env, cwd=cwd, start_new_session=True
        )
        try:
            proc.wait(timeout=timeout_s)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)  # the helper and the command it runs
            proc.wait()
        out.seek(0)
        err.seek(0)
        stdout = out.read().decode("utf-8", "replace")
        stderr = err.read().decode("utf-8", "replace")
        if not figures_path.exists():
            return Measured(timeout_s, 0.0, 0.0, -9, stdout, stderr + "\n(killed: timeout)")
        figures = json.loads(figures_path.read_text(encoding="utf-8"))
        return Measured(
            wall_s=figures["wall_s"],
            maxrss_mib=figures["maxrss_kib"] / 1024.0,
            cpu_s=figures["cpu_s"],
            returncode=figures["returncode"],
            stdout=stdout,
            stderr=stderr,
        )


class EmulatorProcess:
    """`drift emulator --world FILE --port 0` in its own process, stopped with SIGTERM.

    `with EmulatorProcess(cmd_prefix, world) as emu: emu.url, emu.stats()`. The base URL is
    the first line the command writes on stderr once it listens.
    """

    def __init__(
        self,
        drift_cmd: Sequence[str],
        world: Path,
        latency_ms: int = 0,
        page_size: int | None = None,
        env: dict[str, str] | None = None,
        start_timeout_s: float = 60.0,
    ) -> None:
        self.cmd = [*drift_cmd, "emulator", "--world", str(world), "--port", "0"]
        self.cmd += ["--latency-ms", str(latency_ms)]
        if page_size:
            self.cmd += ["--page-size", str(page_size)]
        self._env = env
        self._timeout = start_timeout_s
        self._proc: subprocess.Popen[bytes] | None = None
        self.url = ""

    def __enter__(self) -> EmulatorProcess:
        proc = subprocess.Popen(
            self.cmd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, env=self._env
        )
        self._proc = proc
        first: list[bytes] = []
        stderr = proc.stderr
        assert stderr is not None
        reader = threading.Thread(target=lambda: first.append(stderr.readline()), daemon=True)
        reader.start()
        reader.join(self._timeout)
        line = first[0].decode().strip() if first else ""
        if not line.startswith("http"):
            self.__exit__()
            raise RuntimeError(f"{' '.join(self.cmd)} did not start: {line or 'no answer'}")
        self.url = line
        return self

    def stats(self) -> dict[str, Any]:
        """The emulator's counters and request log since it started."""
        with urllib.request.urlopen(self.url + STATS_PATH, timeout=30) as answer:
            data: dict[str, Any] = json.load(answer)
            return data

    def __exit__(self, *exc: object) -> None:
        proc = self._proc
        if proc is None:
            return
        if proc.poll() is None:
            proc.send_signal(signal.SIGTERM)
            try:
                proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait()
        if proc.stderr is not None:
            proc.stderr.close()
        self._proc = None


@dataclass(frozen=True)
class Spread:
    """Median and range of one figure over several runs."""

    median: float
    low: float
    high: float

    @classmethod
    def of(cls, values: Sequence[float]) -> Spread:
        """The median, minimum and maximum of `values` (at least one)."""
        return cls(statistics.median(values), min(values), max(values))

    def seconds(self) -> str:
        """`2.71 (2.65-2.80)`; the range only when there was more than one run."""
        if self.low == self.high:
            return f"{self.median:.2f}"
        return f"{self.median:.2f} ({self.low:.2f}-{self.high:.2f})"

    def millis(self) -> str:
        """The same in milliseconds: `61 (58-70)`."""
        if self.low == self.high:
            return f"{self.median * 1000:.0f}"
        return f"{self.median * 1000:.0f} ({self.low * 1000:.0f}-{self.high * 1000:.0f})"
