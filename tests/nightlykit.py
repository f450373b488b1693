"""Nights of `drift diff --history`: a small world that drifts differently each night, the
CLI run against drift's emulator (real Google clients over HTTP), a loopback receiver
for alerts, and the history backends (a folder, or gs:// on tests/gcsfake.py).
"""

from __future__ import annotations

import json
import subprocess
import sys
import threading
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

from click.testing import CliRunner

from drift.cli import main
from drift.emulator import Emulator
from tests import worldkit as wk

ROOT = Path(__file__).resolve().parent.parent
DAY = 86400
EPOCH = 1764000000  # 2025-11-24T16:00:00Z, night 0
BUCKET = "drift-history-test"

BASELINE = {
    "services.yaml": f"""
        services:
          api:
            region: {wk.REGION}
            max_instances: 5
            env:
              MODE: prod
              LEVEL: info
          worker:
            region: {wk.REGION}
            max_instances: 5
    """,
    "secrets.yaml": """
        secrets:
          db-pass: {replication: automatic}
    """,
}


def world(
    mode: str = "prod",
    level: str = "info",
    worker_max: int = 5,
    extra_env: list[dict[str, Any]] | None = None,
    db_pass: bool = True,
) -> dict[str, Any]:
    """The project on one night: each argument away from its default is one drift."""
    api_env = [wk.env("MODE", mode), wk.env("LEVEL", level), *(extra_env or [])]
    return wk.world(
        services=[
            wk.service("api", env=api_env, connector=None, min_instances=None),
            wk.service("worker", max_instances=worker_max, connector=None, min_instances=None),
        ],
        secrets=[wk.secret("db-pass")] if db_pass else [],
    )


def expected(tmp_path: Path) -> Path:
    return wk.write_baseline(tmp_path, BASELINE)


@dataclass
class Night:
    """One run: its exit code, stderr, the report written to --output, and timing."""

    code: int
    stderr: str
    report: dict[str, Any] | None
    output: Path

    def marks(self) -> dict[str, str]:
        """path -> history status of every finding."""
        assert self.report is not None
        return {f["path"]: f["history"]["status"] for f in self.report["findings"]}

    def resolved(self) -> list[str]:
        assert self.report is not None
        return [f["path"] for f in self.report["history"]["resolved"]]


def run_night(
    tmp_path: Path,
    night: int,
    world_doc: dict[str, Any],
    history: str,
    *extra: str,
    faults: list[dict[str, Any]] | None = None,
    env: dict[str, str] | None = None,
) -> Night:
    """`drift diff --history HISTORY` of `world_doc` on night `night`, in-process."""
    exp = expected(tmp_path)
    out = tmp_path / f"night{night}.json"
    with Emulator(world_doc, faults=faults) as emu:
        result = CliRunner().invoke(
            main,
            ["diff", "--project", wk.PROJECT, "--expected", str(exp), "--api-endpoint",
             emu.base_url, "--format", "json", "--output", str(out), "--retry-deadline",
             "0.2", "--history", history, *extra],
            env={"SOURCE_DATE_EPOCH": str(EPOCH + night * DAY), **(env or {})},
            catch_exceptions=False,
        )  # fmt: skip
    report = json.loads(out.read_text()) if out.exists() and "html" not in extra else None
    return Night(result.exit_code, result.stderr, report, out)


def run_night_subprocess(
    tmp_path: Path,
    night: int,
    world_doc: dict[str, Any],
    history: str,
    prelude: str,
    env: dict[str, str] | None = None,
) -> subprocess.CompletedProcess[str]:
    """The same run in a child process that first executes `prelude` (a fault hook)."""
    exp = expected(tmp_path)
    out = tmp_path / f"night{night}.json"
    script = prelude + "\nfrom drift.cli import main\nmain(sys.argv[1:])\n"
    with Emulator(world_doc) as emu:
        return subprocess.run(
            [sys.executable, "-c", script, "diff", "--project", wk.PROJECT, "--expected",
             str(exp), "--api-endpoint", emu.base_url, "--format", "json", "--output",
             str(out), "--quiet", "--history", history],
            env={"PATH": "/usr/bin:/bin", "PYTHONPATH": str(ROOT),
                 "SOURCE_DATE_EPOCH": str(EPOCH + night * DAY), **(env or {})},
            cwd=ROOT, capture_output=True, text=True, timeout=120,
        )  # fmt: skip


@dataclass
class Receiver:
    """A loopback HTTP server that records every POST and answers from `statuses`
    (the last one repeats; 200 "ok" by default), for webhook and Slack alerts."""

    statuses: list[int] = field(default_factory=lambda: [200])
    posts: list[tuple[str, dict[str, str], bytes]] = field(default_factory=list)
    _server: ThreadingHTTPServer | None = None
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def __enter__(self) -> Receiver:
        rx = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args: Any) -> None:
                pass

            def do_POST(self) -> None:
                body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
                with rx._lock:
                    rx.posts.append((self.path, dict(self.headers), body))
                    status = rx.statuses[0] if len(rx.statuses) == 1 else rx.statuses.pop(0)
                raw = b"ok" if status < 300 else b"server_error"
                self.send_response(status)
                self.send_header("Content-Type", "text/plain")
                self.send_header("Content-Length", str(len(raw)))
                self.end_headers()
                self.wfile.write(raw)

        self._server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        threading.Thread(target=self._server.serve_forever, daemon=True).start()
        return self

    def __exit__(self, *exc: Any) -> None:
        assert self._server is not None
        self._server.shutdown()
        self._server.server_close()

    def url(self, path: str) -> str:
        assert self._server is not None
        return f"http://127.0.0.1:{self._server.server_address[1]}{path}"

    def bodies(self, path: str) -> list[dict[str, Any]]:
        with self._lock:
            return [json.loads(b) for p, _, b in self.posts if p == path]

    def count(self, path: str) -> int:
        with self._lock:
            return sum(1 for p, _, _ in self.posts if p == path)
