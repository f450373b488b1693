"""Many projects in one run (issue 11): `drift diff --all`, a repeated `--project`,
`--output-dir`, the combined JSON report, the worst exit code, one shared scan.

The world holds three projects: alpha-one and charlie-three match their baselines,
bravo-two runs its service with 2Gi where 1Gi is declared (one warning).
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from click.testing import CliRunner

from drift.cli import main
from drift.emulator import Emulator
from tests import projectkit as pk

PROJECTS = {"alpha-one": "1Gi", "bravo-two": "2Gi", "charlie-three": "1Gi"}
IDS = sorted(PROJECTS)


def run(args, **env):
    env = {"SOURCE_DATE_EPOCH": "1764000000", "DRIFT_API_ENDPOINT": None, **env}
    return CliRunner().invoke(main, args, env=env, catch_exceptions=False)


@pytest.fixture
def setup(tmp_path):
    """(expected folder, running emulator, world) for the three projects."""
    data = pk.world(PROJECTS)
    expected = pk.baselines(tmp_path, IDS)
    with Emulator(data) as emu:
        yield expected, emu, data


def diff(expected: Path, emu: Emulator, *args: str, **env: str):
    return run(
        ["diff", "--expected", str(expected), "--api-endpoint", emu.base_url or "", *args], **env
    )


def projects_requested(emu: Emulator, data: dict) -> list[str]:
    """The project of each API request, in the order the emulator answered them."""
    numbers = pk.numbers(data)
    out = []
    for _method, path, _status in emu.stats()["log"]:
        p = pk.project_of(path, numbers)
        if p is not None:
            out.append(p)
    return out


def test_all_reports_each_project_in_one_combined_json(setup, tmp_path):
    expected, emu, _ = setup
    out = tmp_path / "run.json"
    r = diff(expected, emu, "--all", "--output", str(out))
    assert r.exit_code == 2, r.output  # bravo-two drifted, nothing failed
    doc = json.loads(out.read_text())
    assert doc["schema"] == "drift-run/v1" and doc["exit_code"] == 2
    assert [rep["project"] for rep in doc["reports"]] == IDS
    assert all(rep["schema"] == "drift-report/v1" for rep in doc["reports"])
    rows = {row["project"]: row for row in doc["projects"]}
    assert {p: rows[p]["exit_code"] for p in IDS} == {
        "alpha-one": 0,
        "bravo-two": 2,
        "charlie-three": 0,
    }
    assert rows["bravo-two"]["warning"] == 1 and rows["bravo-two"]["not_checked"] == 0
    bravo = doc["reports"][1]
    assert [f["path"] for f in bravo["findings"]] == ["services/api/memory"]
    # stderr: one summary line per project, then the run's
    for p in IDS:
        assert f"drift: {p} (endpoint:" in r.stderr
    assert "run of 3 projects: 2 clean, 1 with drift, 0 not fully checked; exit 2" in r.stderr
    # deterministic: the same inputs give the same bytes
    again = tmp_path / "again.json"
    diff(expected, emu, "--all", "--output", str(again))
    assert again.read_bytes() == out.read_bytes()


def test_json_on_stdout_is_the_combined_report(setup):
    expected, emu, _ = setup
    r = diff(
        expected, emu, "--project", "charlie-three", "--project", "alpha-one", "--format", "json"
    )
    assert r.exit_code == 0, r.output
    doc = json.loads(r.stdout)
    assert doc["schema"] == "drift-run/v1"
    assert [rep["project"] for rep in doc["reports"]] == ["alpha-one", "charlie-three"]


def test_output_dir_writes_each_report_and_a_summary(setup, tmp_path):
    expected, emu, _ = setup
    reports = tmp_path / "reports"
    r = diff(expected, emu, "--all", "--output-dir", str(reports))
    assert r.exit_code == 2, r.output
    assert sorted(p.name for p in reports.iterdir()) == [
        "alpha-one.json",
        "bravo-two.json",
        "charlie-three.json",
        "summary.json",
    ]
    assert r.stdout == ""  # everything went to files
    summary = json.loads((reports / "summary.json").read_text())
    assert summary["schema"] == "drift-summary/v1" and summary["exit_code"] == 2
    assert [
        (row["project"], row["exit_code"], row["report"], row["not_checked"])
        for row in summary["projects"]
    ] == [
        ("alpha-one", 0, "alpha-one.json", 0),
        ("bravo-two", 2, "bravo-two.json", 0),
        ("charlie-three", 0, "charlie-three.json", 0),
    ]
    # each file is exactly the report `drift diff --project P` alone writes
    for p in IDS:
        alone = diff(expected, emu, "--project", p, "--format", "json")
        assert (reports / f"{p}.json").read_text() == alone.stdout


def test_output_dir_in_another_format(setup, tmp_path):
    expected, emu, _ = setup
    reports = tmp_path / "md"
    r = diff(expected, emu, "--all", "--output-dir", str(reports), "--format", "markdown")
    assert r.exit_code == 2
    text = (reports / "bravo-two.md").read_text()
    assert text.startswith("<!-- drift:project=bravo-two -->")
    assert (reports / "summary.json").is_file()  # the summary is JSON whatever the format


def test_html_per_project_carries_its_own_trend_with_history(setup, tmp_path):
    expected, emu, _ = setup
    reports, history = tmp_path / "html", tmp_path / "history"
    for _night in range(2):
        r = diff(expected, emu, "--all", "--output-dir", str(reports), "--format", "html",
                 "--history", str(history))  # fmt: skip
        assert r.exit_code == 2, r.output
    for project in IDS:
        page = (reports / f"{project}.html").read_text()
        assert "No history yet" not in page and "<svg" in page, project


def test_exit_code_is_the_worst_and_failures_stay_their_own(setup, tmp_path):
    expected, emu, _ = setup
    # bravo-two's connectors answer 403; alpha-one and charlie-three are fine
    emu.set_faults(
        [
            {
                "path": "^/v1/projects/bravo-two/locations/[^/]+/connectors",
                "status": 403,
                "message": "Permission denied on bravo-two",
            }
        ]
    )
    out = tmp_path / "run.json"
    r = diff(expected, emu, "--all", "--output", str(out))
    assert r.exit_code == 1  # 1 over 2 over 0
    doc = json.loads(out.read_text())
    by = {rep["project"]: rep for rep in doc["reports"]}
    assert [n["kind"] for n in by["bravo-two"]["not_checked"]] == ["vpc_connectors"]
    assert by["alpha-one"]["not_checked"] == [] and by["charlie-three"]["not_checked"] == []
    assert [row["exit_code"] for row in doc["projects"]] == [0, 1, 0]
    assert "drift: bravo-two: not checked: vpc_connectors" in r.stderr
    assert "alpha-one: not checked" not in r.stderr
    # only drift (no failure): 2; nothing at all: 0
    emu.set_faults([])
    assert diff(expected, emu, "--all", "--output", str(out)).exit_code == 2
    assert (
        diff(
            expected,
            emu,
            "--project",
            "alpha-one",
            "--project",
            "charlie-three",
            "--output",
            str(out),
        ).exit_code
        == 0
    )


def test_a_broken_baseline_fails_only_its_project(setup, tmp_path):
    expected, emu, _ = setup
    (expected / "charlie-three" / "services.yaml").write_text("servces:\n  api: {}\n")
    reports = tmp_path / "reports"
    r = diff(expected, emu, "--all", "--output-dir", str(reports))
    assert r.exit_code == 1
    summary = {
        row["project"]: row
        for row in json.loads((reports / "summary.json").read_text())["projects"]
    }
    assert summary["charlie-three"]["report"] is None
    assert "baseline has errors" in summary["charlie-three"]["error"]
    assert summary["alpha-one"]["exit_code"] == 0 and summary["bravo-two"]["exit_code"] == 2
    assert not (reports / "charlie-three.json").exists()
    assert "did you mean 'services'" in r.stderr


def test_projects_are_scanned_concurrently(tmp_path):
    """Each answer takes 150 ms. Scanned one after another, the requests would come in
    three blocks, one per project; scanned together, the projects' requests interleave."""
    data = pk.world(PROJECTS, latencyMs=150)
    expected = pk.baselines(tmp_path, IDS)
    with Emulator(data) as emu:
        r = diff(expected, emu, "--all", "--output", str(tmp_path / "run.json"))
        assert r.exit_code == 2, r.output
        order = projects_requested(emu, data)
    assert sorted(set(order)) == IDS
    switches = sum(1 for a, b in zip(order, order[1:], strict=False) if a != b)
    assert switches > len(IDS) - 1, order  # three blocks would switch twice


def test_one_shared_budget_and_pool_for_every_project(setup):
    """Library use (drift/runs.py): the run's SharedScan is the one budget every project
    draws on, so `--rate` holds for the run, not for each project."""
    from drift.baseline import load_baseline
    from drift.collectors.scan import SharedScan
    from drift.collectors.settings import CollectSettings
    from drift.runs import ProjectJob, run_projects

    expected, emu, _ = setup
    settings = CollectSettings(endpoint=emu.base_url, concurrency=4)
    shared = SharedScan(settings)
    jobs = [ProjectJob(p, load_baseline(expected, p)) for p in IDS]
    seen = []
    result = run_projects(jobs, settings, shared=shared, on_result=lambda r: seen.append(r))
    shared.close()
    assert list(result.reports) == IDS and result.exit_code == 2
    assert sorted(r.project for r in seen) == IDS
    sent = emu.stats()["requests"]["secretmanager"]
    assert sent >= 2 * len(IDS)  # a secrets list and a versions list per project
    assert shared.budgets.get("secretmanager").in_window() == sent
    assert shared.pool._max_workers == 4  # one bounded pool for the run


def test_drift_projects_env_var_and_repeated_project(setup, tmp_path):
    expected, emu, data = setup
    reports = tmp_path / "reports"
    r = diff(
        expected, emu, DRIFT_PROJECTS="charlie-three, alpha-one", DRIFT_OUTPUT_DIR=str(reports)
    )
    assert r.exit_code == 0, r.output
    assert sorted(p.name for p in reports.iterdir()) == [
        "alpha-one.json",
        "charlie-three.json",
        "summary.json",
    ]
    assert "bravo-two" not in projects_requested(emu, data)


def test_table_on_stdout_shows_each_project(setup):
    expected, emu, _ = setup
    r = diff(expected, emu, "--all", "--format", "table")
    assert r.exit_code == 2
    positions = [r.stdout.find(p) for p in IDS]
    assert -1 not in positions and positions == sorted(positions)


@pytest.mark.parametrize(
    ("args", "says"),
    [
        (["--all", "--project", "alpha-one"], "not both"),
        (["--all", "--snapshot", "snap.json"], "--snapshot holds one project's live state"),
        (["--all", "--compare-to", "HEAD"], "--compare-to compares one project's baseline"),
        (["--all", "--format", "sarif", "--output", "run.sarif"], "--output-dir DIR"),
        (["--all", "--format", "junit"], "give --output-dir DIR"),
        (["--project", "../x", "--output-dir", "out"], "cannot name a file in --output-dir"),
        (["--project", "nope", "--project", "alpha-one", "--output-dir", "{tmp}/out"], None),
    ],
)
def test_usage_errors_before_any_request(setup, tmp_path, monkeypatch, args, says):
    expected, emu, _ = setup
    monkeypatch.chdir(tmp_path)  # relative paths (snap.json, out) stay in the test's folder
    r = diff(expected, emu, *[a.replace("{tmp}", str(tmp_path)) for a in args])
    assert r.exit_code == 1, r.output
    if says is None:  # a project without a baseline is that project's failure
        assert "nope" in r.stderr
        return
    assert says in r.stderr
    assert "Traceback" not in r.output
    assert emu.stats()["requests"] == {}


def test_all_with_no_project_folder(tmp_path):
    (tmp_path / "expected").mkdir()
    r = run(["diff", "--all", "--expected", str(tmp_path / "expected"), "--emulator"])
    assert r.exit_code == 1 and "--all found no project folder" in r.stderr


def test_all_with_the_bundled_emulator_world():
    """`--all --emulator` serves each project's bundled world (the repository's demo)."""
    root = Path(__file__).resolve().parent.parent
    r = run(
        [
            "diff",
            "--all",
            "--expected",
            str(root / "expected"),
            "--emulator",
            "--format",
            "json",
            "--quiet",
        ]
    )
    doc = json.loads(r.stdout)
    assert [rep["project"] for rep in doc["reports"]] == ["netra-staging"]
    assert doc["reports"][0]["source"]["detail"] == "bundled world netra-staging"
    assert r.exit_code == doc["exit_code"] == 2


def test_a_signal_stops_a_run_of_many_projects_at_once(tmp_path):
    """Ctrl-C mid-run: every project's queued requests are dropped, nothing is written,
    exit 130 (drift/cli/interrupt.py), though each answer would take minutes."""
    data = pk.world(PROJECTS)
    expected = pk.baselines(tmp_path, IDS)
    reports = tmp_path / "reports"
    env = {k: v for k, v in os.environ.items() if not k.startswith("DRIFT_")}
    with Emulator(data, faults=[{"path": ".", "kind": "drip", "every": 5}]) as emu:
        proc = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "drift",
                "diff",
                "--all",
                "--expected",
                str(expected),
                "--api-endpoint",
                emu.base_url or "",
                "--output-dir",
                str(reports),
            ],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            env=env,
        )
        try:
            deadline = time.monotonic() + 60
            while len(
                {pk.project_of(path, pk.numbers(data)) for _m, path, _s in emu.stats()["log"]}
                - {None}
            ) < len(IDS):
                assert proc.poll() is None and time.monotonic() < deadline
                time.sleep(0.05)  # until every project's scan has started
            proc.send_signal(signal.SIGINT)
            _, err = proc.communicate(timeout=20)
        finally:
            proc.kill()
    assert proc.returncode == 130, err
    assert b"interrupted by SIGINT" in err
    assert not reports.exists() or list(reports.iterdir()) == []
