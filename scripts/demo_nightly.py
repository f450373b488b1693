"""`make demo-nightly`: two nightly runs over the bundled netra-staging world.

Night 1 records the demo's drift in a history folder. Between the nights someone scales
the VPC connector back up (one finding resolved) and, by hand, shrinks a service's memory
(one new finding). Night 2 shows exactly that: one `new`, one `resolved`, the alert that
would be posted (caught here by a local webhook receiver on 127.0.0.1) and the HTML report.
Everything goes under reports/demo-nightly/ (git-ignored); nothing leaves this machine.
"""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

from drift.emulator import bundled_world_path

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "reports" / "demo-nightly"
PROJECT = "netra-staging"
RECEIVED: list[dict[str, Any]] = []


class Receiver(BaseHTTPRequestHandler):
    """A stand-in for the team's alert webhook: keeps each JSON body it is sent."""

    def do_POST(self) -> None:  # noqa: N802 - http.server's name
        body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
        RECEIVED.append(json.loads(body or b"{}"))
        self.send_response(204)
        self.end_headers()

    def log_message(self, *args: Any) -> None:
        pass


def night_two(world: dict[str, Any]) -> dict[str, Any]:
    """The connector scaled back to 10 (fixes a drift); a service's memory cut to 2Gi."""
    proj = world["projects"][PROJECT]
    for conn in proj["connectors"]:
        if conn["name"].endswith("/staging-connector"):
            conn["maxInstances"] = 10
    for svc in proj["services"]:
        if svc["name"].endswith("/netra-backend-staging"):
            svc["template"]["containers"][0]["resources"]["limits"]["memory"] = "2Gi"
    return world


def drift(*args: str) -> int:
    cmd = [sys.executable, "-m", "drift", *args]
    print("$ drift " + " ".join(args), flush=True)
    return subprocess.call(cmd, cwd=ROOT)


def main() -> int:
    shutil.rmtree(OUT, ignore_errors=True)
    OUT.mkdir(parents=True)
    world = json.loads(Path(bundled_world_path(PROJECT)).read_text())
    worlds = [OUT / "world-night-1.json", OUT / "world-night-2.json"]
    worlds[0].write_text(json.dumps(world))
    worlds[1].write_text(json.dumps(night_two(world)))
    server = ThreadingHTTPServer(("127.0.0.1", 0), Receiver)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    hook = f"webhook:http://127.0.0.1:{server.server_address[1]}/alerts"
    history = OUT / "history"
    for night, path in enumerate(worlds, 1):
        print(f"\n== night {night} ==", flush=True)
        html = OUT / f"night-{night}.html"
        code = drift(
            "diff",
            "--project",
            PROJECT,
            "--emulator",
            str(path),
            "--history",
            str(history),
            "--notify",
            hook,
            "--format",
            "html",
            "--output",
            str(html),
        )
        if code not in (0, 2):
            print(f"drift exited with {code}: the demo stopped.")
            return code
        print(f"HTML report: {html.relative_to(ROOT)}")
    server.shutdown()
    print("\n== history ==", flush=True)
    drift("history", "--project", PROJECT, "--history", str(history), "--days", "2")
    print("\n== the alert night 2 would post ==")
    if RECEIVED:
        print(json.dumps(RECEIVED[-1], indent=2, sort_keys=True)[:4000])
    print(
        f"\n{len(RECEIVED)} alert(s) received by the local webhook (night 1: everything is new;"
        " night 2: one new, one resolved). Open reports/demo-nightly/night-2.html in a browser."
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
