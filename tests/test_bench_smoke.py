"""bench/scale.py end to end on its smallest configuration, and the floor it divides by.

Nothing here asserts a time: the benchmark only has to run, print every column and agree
with itself (drift and the thread-pool peer send the same requests, none throttled).
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from bench.floor import compute_floor

ROOT = Path(__file__).resolve().parent.parent
SCAN_COLUMNS = (
    "world",
    "scanner",
    "wall s, median (range)",
    "floor s (bound)",
    "ratio",
    "drift / peer",
    "requests run / secretmanager / vpcaccess",
    "429s",
    "peak RSS MiB",
    "CPU s",
    "check",
)
COMMAND_COLUMNS = ("command", "wall ms, median (range)", "target", "peak RSS MiB", "CPU s")
COMMANDS = (
    "`drift diff --snapshot`, json",
    "`drift diff --snapshot`, table",
    "`drift --help`",
    "`drift validate expected` (demo)",
    "process start (`python -c pass`)",
)


def _cells(line: str) -> list[str]:
    return [c.strip() for c in line.strip().strip("|").split("|")]


def _table(lines: list[str], first_column: str) -> tuple[list[str], list[list[str]]]:
    start = next(i for i, line in enumerate(lines) if line.startswith(f"| {first_column} |"))
    rows = []
    for line in lines[start + 2 :]:
        if not line.startswith("|"):
            break
        rows.append(_cells(line))
    return _cells(lines[start]), rows


def test_smoke_run_prints_every_column(tmp_path: Path) -> None:
    raw = tmp_path / "figures.json"
    done = subprocess.run(
        [sys.executable, str(ROOT / "bench" / "scale.py"), "--smoke", "--json", str(raw)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=180,  # about 10 s; the bound only catches a hang
        check=False,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    lines = done.stdout.splitlines()

    head, scans = _table(lines, "world")
    assert tuple(head) == SCAN_COLUMNS
    assert [r[1] for r in scans] == ["drift", "peer"]
    by_runner = {r[1]: dict(zip(head, r, strict=True)) for r in scans}
    for row in by_runner.values():
        assert row["check"] == "ok"
        assert row["429s"] == "0"
        assert float(row["wall s, median (range)"]) > 0
        assert float(row["ratio"]) > 0
        assert float(row["peak RSS MiB"]) > 0
        assert row["floor s (bound)"].endswith("(chain 3 x 50 ms)")  # 100 secrets, 2 pages
    requests = by_runner["drift"]["requests run / secretmanager / vpcaccess"]
    # 3 regions x 1 page of services; 2 pages of secrets + 10 version lists; connectors.
    assert requests == "3 / 12 / 3"
    assert by_runner["peer"]["requests run / secretmanager / vpcaccess"] == requests
    assert float(by_runner["drift"]["drift / peer"]) > 0

    head, commands = _table(lines, "command")
    assert tuple(head[:5]) == COMMAND_COLUMNS
    assert tuple(r[0] for r in commands) == COMMANDS
    for row in commands:
        assert row[-1].startswith("ok"), row
        assert float(row[1]) > 0
    assert "200 resources, 121 findings" in commands[0][-1]

    figures = json.loads(raw.read_text(encoding="utf-8"))
    drift_runs = figures["scans"][0]["runners"]["drift"]
    assert len(drift_runs) == 1 and drift_runs[0]["maxrss_mib"] > 0
    assert drift_runs[0]["requests"]["secretmanager"] == 12


def test_floor_chains_nested_lists_and_counts_quota_windows() -> None:
    secrets = "/v1/projects/123/secrets"
    log = [
        ["GET", f"{secrets}?pageSize=500", 200],
        ["GET", f"{secrets}?pageSize=500&pageToken=a", 200],
        ["GET", f"{secrets}?pageSize=500&pageToken=b", 429],  # not needed: left out
        ["GET", f"{secrets}?pageSize=500&pageToken=b", 200],
        ["GET", "/v1/projects/p/secrets/s1/versions?pageSize=500", 200],
        ["GET", "/v1/projects/p/secrets/s1/versions?pageToken=x", 200],
        ["GET", "/v2/projects/p/locations/us-central1/services", 200],
    ]
    floor = compute_floor(log, latency_s=0.05, quotas={"secretmanager": 2}, project="p")
    # 3 pages of secrets (under the number or the id alike), then 2 pages of s1's versions.
    assert floor.chain == 5
    assert abs(floor.chain_s - 0.25) < 1e-9
    assert floor.bucket == "secretmanager" and floor.bucket_requests == 5
    # A sliding window of 2 a minute lets 2 through now, 2 more at 60 s, the 5th at 120 s.
    assert abs(floor.window_s - 120.05) < 1e-9
    assert floor.window_seconds == floor.window_s
