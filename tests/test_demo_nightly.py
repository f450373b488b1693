"""`make demo-nightly` keeps working: two nights, one new and one resolved, one alert each."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def test_demo_nightly_shows_one_new_and_one_resolved() -> None:
    r = subprocess.run([sys.executable, "scripts/demo_nightly.py"], cwd=ROOT, text=True,
                       capture_output=True, timeout=120)  # fmt: skip
    assert r.returncode == 0, r.stdout + r.stderr
    alert = json.loads(r.stdout.split("== the alert night 2 would post ==\n", 1)[1]
                       .split("\n\n", 1)[0])  # fmt: skip
    assert [f["path"] for f in alert["new"]] == ["services/netra-backend-staging/memory"]
    assert [f["path"] for f in alert["resolved"]] == [
        "vpc_connectors/staging-connector/max_instances"
    ]
    assert "2 alert(s) received" in r.stdout
    assert (ROOT / "reports" / "demo-nightly" / "night-2.html").is_file()
