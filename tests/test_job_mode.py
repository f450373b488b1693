"""drift as a Cloud Run job (issue 11): the image's entrypoint, a sharded run, job exit
codes and structured logs.

docker does not run here, so the test runs what the Dockerfile runs: its ENTRYPOINT and
CMD, with its ENV and WORKDIR, and the variables Cloud Run sets for each task of a job.
"""

from __future__ import annotations

import json
import os
import re
import shlex
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

from drift.cli import main
from drift.emulator import Emulator
from drift.runs import shard
from tests import projectkit as pk

ROOT = Path(__file__).resolve().parent.parent
SEVEN = {
    "ash-one": "1Gi",
    "birch-two": "2Gi",
    "cedar-three": "1Gi",
    "dogwood-four": "1Gi",
    "elm-five": "2Gi",
    "fir-six": "1Gi",
    "ginkgo-seven": "1Gi",
}
THREE = {"alpha-one": "1Gi", "bravo-two": "2Gi", "charlie-three": "1Gi"}


def dockerfile() -> dict:
    """The instructions of the Dockerfile's last stage that say how drift is started."""
    text = (ROOT / "Dockerfile").read_text()
    lines = [ln for ln in text.splitlines() if not ln.lstrip().startswith("#")]
    joined = re.sub(r"\\\n\s*", " ", "\n".join(lines))
    out: dict = {"FROM": [], "ENV": {}, "RUN": []}
    for line in joined.splitlines():
        word, _, rest = line.strip().partition(" ")
        if word == "FROM":
            out["FROM"].append(rest)
            out["ENV"] = {}  # a new stage starts with no ENV of its own
        elif word == "ENV":
            out["ENV"].update(dict(tok.split("=", 1) for tok in shlex.split(rest)))
        elif word == "RUN":
            out["RUN"].append(rest)
        elif word in ("ENTRYPOINT", "CMD"):
            out[word] = json.loads(rest)  # exec form: no shell between Cloud Run and drift
        elif word in ("USER", "WORKDIR", "ARG"):
            out[word] = rest
    return out


def entry_command() -> list[str]:
    image = dockerfile()
    argv = image["ENTRYPOINT"] + image.get("CMD", [])
    assert argv[0] == "drift"
    script = Path(sys.executable).with_name("drift")  # the console script pip installs
    return (
        [str(script), *argv[1:]] if script.exists() else [sys.executable, "-m", "drift", *argv[1:]]
    )


def clean_env() -> dict[str, str]:
    return {
        k: v
        for k, v in os.environ.items()
        if not k.startswith(("DRIFT_", "CLOUD_RUN_", "K_SERVICE"))
    }


def test_the_image_is_slim_pinned_and_not_root():
    image = dockerfile()
    base = image["ARG"].split("=", 1)[1] if "ARG" in image else image["FROM"][-1]
    assert re.search(r":\d+\.\d+\.\d+-slim|@sha256:[0-9a-f]{64}", base), base
    assert all("latest" not in f for f in image["FROM"])
    assert image["USER"].split(":")[0] not in ("", "0", "root")
    runs = " ".join(image["RUN"])
    assert "pip wheel" in runs and "pip install /tmp/wheels/" in runs  # from this repo
    ignore = (ROOT / ".dockerignore").read_text().split()
    assert ignore[ignore.index("*")] == "*" and "!drift/" in ignore  # .venv, .git stay out


def test_the_entrypoint_runs_every_task_of_a_sharded_job(tmp_path):
    """A 3-task job over 7 projects: each task scans its share, each project is scanned
    exactly once, drift alone exits 0 in every task, logs are JSON for Cloud Logging."""
    image = dockerfile()
    workdir = image["WORKDIR"]
    work = tmp_path / workdir.strip("/")
    data = pk.world(SEVEN)
    pk.baselines(work, sorted(SEVEN))
    reports = tmp_path / "reports"
    with Emulator(data) as emu:
        for index in range(3):
            env = {
                **clean_env(),
                **{k: v.replace(workdir, str(work)) for k, v in image["ENV"].items()},
                "CLOUD_RUN_JOB": "drift-nightly",
                "CLOUD_RUN_EXECUTION": "drift-nightly-x7k2p",
                "CLOUD_RUN_TASK_INDEX": str(index),
                "CLOUD_RUN_TASK_COUNT": "3",
                "CLOUD_RUN_TASK_ATTEMPT": "0",
                "DRIFT_ALL": "true",
                "DRIFT_OUTPUT_DIR": str(reports),
                "DRIFT_FORMAT": "json",
                "DRIFT_API_ENDPOINT": emu.base_url or "",
                "SOURCE_DATE_EPOCH": "1764000000",
            }
            done = subprocess.run(
                entry_command(), cwd=work, env=env, capture_output=True, text=True, timeout=120
            )
            assert done.returncode == 0, done.stderr  # drift was found, and that is news
            entries = [json.loads(ln) for ln in done.stderr.splitlines() if ln.strip()]
            assert entries and all({"severity", "message"} <= set(e) for e in entries)
            assert done.stdout == ""
            last = entries[-1]
            assert (last["task_index"], last["task_count"]) == (index, 3)
        log = emu.stats()["log"]
    services_lists = [path for _m, path, _s in log if "/services" in path]
    per_project = {p: sum(1 for path in services_lists if f"/projects/{p}/" in path) for p in SEVEN}
    assert per_project == dict.fromkeys(SEVEN, 1)  # every project scanned exactly once
    shares = [json.loads((reports / f"summary-{i}.json").read_text()) for i in range(3)]
    taken = [[row["project"] for row in s["projects"]] for s in shares]
    assert sorted(p for share in taken for p in share) == sorted(SEVEN)
    assert [len(t) for t in taken] == [3, 2, 2]
    assert {s["exit_code"] for s in shares} == {0, 2}  # as `drift diff` sees it
    for p in SEVEN:
        assert json.loads((reports / f"{p}.json").read_text())["project"] == p


def run(args, **env):
    env = {
        "SOURCE_DATE_EPOCH": "1764000000",
        "DRIFT_API_ENDPOINT": None,
        "CLOUD_RUN_JOB": None,
        "CLOUD_RUN_TASK_INDEX": None,
        "CLOUD_RUN_TASK_COUNT": None,
        **env,
    }
    return CliRunner().invoke(main, args, env=env, catch_exceptions=False)


@pytest.fixture
def three(tmp_path):
    data = pk.world(THREE)
    expected = pk.baselines(tmp_path, sorted(THREE))
    with Emulator(data) as emu:
        yield ["diff", "--expected", str(expected), "--api-endpoint", emu.base_url or ""], emu


def test_job_mode_exits_0_on_drift_and_1_when_it_could_not_check(three, tmp_path):
    base, emu = three
    out = ["--output", str(tmp_path / "run.json")]
    assert run([*base, "--all", *out]).exit_code == 2  # CI: drift is 2
    assert run([*base, "--all", *out, "--job"]).exit_code == 0
    assert run([*base, "--all", *out], CLOUD_RUN_JOB="drift-nightly").exit_code == 0
    assert run([*base, "--project", "bravo-two", "--job"]).exit_code == 0  # one project too
    emu.set_faults([{"path": "^/v1/projects/bravo-two/locations/[^/]+/connectors", "status": 403}])
    assert run([*base, "--all", *out, "--job"]).exit_code == 1  # could not check: retried
    # could not save: an output that cannot be written fails, job or not
    (tmp_path / "file").write_text("")
    bad = run([*base, "--all", "--job", "--output-dir", str(tmp_path / "file" / "dir")])
    assert bad.exit_code == 1


def test_shares_are_disjoint_complete_and_stable():
    ids = sorted(SEVEN)
    for count in range(1, 9):
        shares = [shard(ids, i, count) for i in range(count)]
        assert sorted(p for s in shares for p in s) == ids
        # the same share whatever order the projects were listed in
        assert shares == [shard(list(reversed(ids)), i, count) for i in range(count)]
    with pytest.raises(ValueError):
        shard(ids, 3, 3)


def test_task_options_are_checked(three):
    base, _ = three
    r = run([*base, "--all"], CLOUD_RUN_TASK_INDEX="3", CLOUD_RUN_TASK_COUNT="3")
    assert r.exit_code == 1 and "--task-index 3 is not below --task-count 3" in r.stderr
    r = run([*base, "--all", "--task-index", "0"])
    assert r.exit_code == 1 and "together" in r.stderr
    r = run(
        [*base, "--all", "--output", "run.json"], CLOUD_RUN_TASK_INDEX="1", CLOUD_RUN_TASK_COUNT="3"
    )
    assert r.exit_code == 1 and "written over by every task" in r.stderr


def test_json_logs_carry_severity_message_and_fields(three):
    base, emu = three
    emu.set_faults(
        [
            {
                "path": "^/v1/projects/bravo-two/locations/[^/]+/connectors",
                "status": 403,
                "message": "denied on bravo-two",
            }
        ]
    )
    r = run([*base, "--all", "--log-format", "json", "--format", "json"])
    assert r.exit_code == 1
    entries = [json.loads(ln) for ln in r.stderr.splitlines()]
    causes = [e for e in entries if "not checked:" in e["message"]]
    assert len(causes) == 1 and causes[0]["severity"] == "ERROR"
    assert causes[0]["project"] == "bravo-two" and "denied on bravo-two" in causes[0]["error"]
    assert causes[0]["scopes"] == [{"kind": "vpc_connectors", "region": "us-central1"}]
    summaries = {
        e["project"]: e for e in entries if e.get("project") and "checked," in e["message"]
    }
    assert summaries["alpha-one"]["severity"] == "INFO"
    assert summaries["bravo-two"]["not_checked"] == 1 and summaries["bravo-two"]["exit_code"] == 1
    assert entries[-1]["exit_code"] == 1 and entries[-1]["projects"] == 3


@pytest.mark.parametrize(
    ("flag", "env", "structured"),
    [
        ([], {}, False),  # a CI log, cron mail: text, as before
        ([], {"CLOUD_RUN_JOB": "drift-nightly"}, True),  # a Cloud Run job: JSON
        (["--job"], {}, True),
        (["--log-format", "text"], {"CLOUD_RUN_JOB": "drift-nightly"}, False),
        ([], {"DRIFT_LOG_FORMAT": "json"}, True),
    ],
)
def test_auto_log_format(three, flag, env, structured):
    base, _ = three
    r = run([*base, "--project", "alpha-one", "--format", "json", *flag], **env)
    lines = r.stderr.splitlines()
    assert lines
    if structured:
        entry = json.loads(lines[-1])
        assert entry["severity"] == "INFO" and entry["project"] == "alpha-one"
    else:
        assert lines[-1].startswith("drift: alpha-one (endpoint:")


def test_a_usage_error_is_a_json_entry_in_a_job(three):
    base, _ = three
    r = run([*base, "--all", "--project", "alpha-one"], CLOUD_RUN_JOB="drift-nightly")
    assert r.exit_code == 1
    entry = json.loads(r.stderr.strip())
    assert entry["severity"] == "ERROR" and "not both" in entry["message"]


def test_a_json_entry_escapes_what_came_from_outside():
    """Values in messages and fields are escaped as in a text line (drift/report/escape.py):
    a log viewer never receives a raw escape sequence or bidi control."""
    from drift.cli.logs import json_line

    line = json_line(
        "ERROR", "drift: a\x1b[2Jb", {"error": "x\u202ey", "n": 3, "scopes": [{"kind": "k\x07"}]}
    )
    entry = json.loads(line)
    assert "\n" not in line and entry["severity"] == "ERROR"
    assert entry["message"] == "drift: a\\x1b[2Jb" and entry["error"] == "x\\u202ey"
    assert entry["scopes"] == [{"kind": "k\\x07"}] and entry["n"] == 3
