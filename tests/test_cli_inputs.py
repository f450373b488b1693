"""Inputs checked before any work, and the one summary line on stderr (issue 9).

Each bad input is one sentence on stderr, exit 1, no traceback and no API call; every
run that produced a report ends with one summary line on stderr unless --quiet.
"""

from __future__ import annotations

import json
import socket
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from drift.cli import main
from drift.emulator import Emulator, bundled_world_path, load_world
from tests import worldkit as wk

ROOT = Path(__file__).resolve().parent.parent
DEMO = "netra-staging"
EPOCH = "1764000000"  # 2025-11-24T16:00:00Z
EPOCH_TIME = "2025-11-24T16:00:00Z"


def run(args: list[str], **env: str) -> Any:
    return CliRunner().invoke(
        main, args, env={"SOURCE_DATE_EPOCH": EPOCH, **env}, catch_exceptions=False
    )


def demo(command: str, *args: str, **env: str) -> Any:
    """`drift COMMAND --project netra-staging --expected <repo>/expected ARGS`."""
    return run([command, "--project", DEMO, "--expected", str(ROOT / "expected"), *args], **env)


@pytest.fixture(scope="module")
def emulator():
    with Emulator(load_world(bundled_world_path(DEMO))) as emu:
        yield emu


def one_sentence(r: Any) -> str:
    """The single stderr line of a failed run (exit 1, nothing on stdout, no traceback)."""
    assert r.exit_code == 1, r.output
    assert r.stdout == "" and "Traceback" not in r.output
    assert r.stderr.count("\n") == 1, r.stderr
    return r.stderr


# -- where live state comes from ------------------------------------------------------

SOURCE_COMMANDS = [["diff"], ["snapshot", "--output", "OUT"], ["baseline", "init"]]


def source_run(command: list[str], tmp_path: Path, *args: str, **env: str) -> Any:
    cmd = [tmp_path.joinpath("out.json").as_posix() if a == "OUT" else a for a in command]
    expected = tmp_path / "new" if cmd[0] == "baseline" else ROOT / "expected"
    return run([*cmd, "--project", DEMO, "--expected", str(expected), *args], **env)


@pytest.mark.parametrize("command", SOURCE_COMMANDS, ids=lambda c: " ".join(c[:2]))
def test_two_sources_are_an_error_not_a_silent_pick(tmp_path, emulator, command):
    emulator.reset_stats()
    both = source_run(command, tmp_path, "--emulator", "--api-endpoint", emulator.base_url)
    assert "--emulator and --api-endpoint each say where live state comes from" in (
        one_sentence(both)
    )
    env = source_run(command, tmp_path, "--emulator", DRIFT_API_ENDPOINT=emulator.base_url)
    text = one_sentence(env)
    assert "--emulator and DRIFT_API_ENDPOINT (set in the environment)" in text
    assert "unset DRIFT_API_ENDPOINT" in text
    assert emulator.stats()["requests"] == {}
    assert not (tmp_path / "out.json").exists() and not (tmp_path / "new").exists()


def test_snapshot_with_another_source_is_an_error(tmp_path, emulator):
    snap = tmp_path / "snap.json"
    snap.write_text("{}")
    for args, env in [
        (["--emulator"], {}),
        (["--api-endpoint", emulator.base_url], {}),
        ([], {"DRIFT_API_ENDPOINT": emulator.base_url}),
    ]:
        r = demo("diff", "--snapshot", str(snap), *args, **env)
        assert "--snapshot and " in one_sentence(r)


def test_endpoint_must_be_a_url():
    r = demo("diff", DRIFT_API_ENDPOINT="localhost:8765")
    assert "DRIFT_API_ENDPOINT must be a base URL" in one_sentence(r)


@pytest.mark.parametrize("command", SOURCE_COMMANDS, ids=lambda c: " ".join(c[:2]))
def test_help_shows_the_environment_variable(command):
    r = run([*command[: 2 if command[0] == "baseline" else 1], "--help"])
    assert r.exit_code == 0 and "[env var: DRIFT_API_ENDPOINT]" in " ".join(r.stdout.split())


def test_an_endpoint_override_is_reported_as_endpoint_not_live(emulator):
    flag = demo("diff", "--format", "json", "--api-endpoint", emulator.base_url)
    source = json.loads(flag.stdout)["source"]
    assert source["type"] == "endpoint" and source["detail"] == emulator.base_url
    env = demo("diff", "--format", "json", DRIFT_API_ENDPOINT=emulator.base_url)
    source = json.loads(env.stdout)["source"]
    assert source == {
        "type": "endpoint",
        "taken_at": EPOCH_TIME,
        "detail": f"{emulator.base_url} (from DRIFT_API_ENDPOINT)",
    }
    # the summary line says it too, so a variable left set never redirects runs unseen
    assert f"(endpoint: {emulator.base_url} (from DRIFT_API_ENDPOINT))" in env.stderr


# -- --rate, --expected -----------------------------------------------------------------


@pytest.mark.parametrize(
    ("rate", "words"),
    [
        ("foo=10", "unknown API 'foo'; known APIs: compute, run, secretmanager, vpcaccess."),
        ("run=0", "--rate expects API=REQUESTS_PER_MINUTE"),
        ("run", "--rate expects API=REQUESTS_PER_MINUTE"),
    ],
)
def test_bad_rates_fail_before_any_call(emulator, rate, words):
    emulator.reset_stats()
    r = demo("diff", "--api-endpoint", emulator.base_url, "--rate", rate)
    assert words in one_sentence(r)
    assert emulator.stats()["requests"] == {}


def test_a_rate_given_twice_is_an_error(emulator):
    r = demo("diff", "--api-endpoint", emulator.base_url, "--rate", "run=10", "--rate", "run=20")
    assert "--rate gives run twice" in one_sentence(r)


@pytest.mark.parametrize("command", SOURCE_COMMANDS, ids=lambda c: " ".join(c[:2]))
def test_expected_pointing_at_a_project_folder_suggests_its_parent(tmp_path, command):
    project_folder = ROOT / "expected" / DEMO
    cmd = [tmp_path.joinpath("out.json").as_posix() if a == "OUT" else a for a in command]
    r = run([*cmd, "--project", DEMO, "--expected", str(project_folder), "--emulator"])
    text = one_sentence(r)
    assert f"{project_folder} is a project folder (it holds project.yaml)" in text
    assert text.rstrip().endswith(f"--expected {ROOT / 'expected'}")


def test_validate_of_a_project_folder_suggests_its_parent(tmp_path, monkeypatch):
    monkeypatch.chdir(ROOT / "expected" / DEMO)
    for arg, parent in [(str(ROOT / "expected" / DEMO), str(ROOT / "expected")), (".", "..")]:
        text = one_sentence(run(["validate", arg]))
        assert text.rstrip().endswith(f"drift validate {parent}"), text


# -- snapshots: when they were taken, and what they hold ---------------------------------


def test_snapshot_records_when_it_was_taken_and_the_report_shows_it(tmp_path, emulator):
    snap = tmp_path / "snap.json"
    assert (
        demo(
            "snapshot", "--output", str(snap), "--api-endpoint", emulator.base_url, "--quiet"
        ).exit_code
        == 0
    )
    assert json.loads(snap.read_text())["taken_at"] == EPOCH_TIME
    r = demo("diff", "--snapshot", str(snap), "--format", "json", SOURCE_DATE_EPOCH="1764086400")
    source = json.loads(r.stdout)["source"]
    assert source == {
        "type": "snapshot",
        "taken_at": EPOCH_TIME,
        "detail": f"{snap}, taken {EPOCH_TIME}",
    }
    table = demo("diff", "--snapshot", str(snap), "--format", "table")
    assert f"taken {EPOCH_TIME}" in table.stdout


def test_a_snapshot_from_before_taken_at_still_loads(tmp_path, emulator):
    snap = tmp_path / "old.json"
    demo("snapshot", "--output", str(snap), "--api-endpoint", emulator.base_url, "--quiet")
    data = json.loads(snap.read_text())
    del data["taken_at"]  # as drift wrote snapshots before recording the time
    snap.write_text(json.dumps(data))
    r = demo("diff", "--snapshot", str(snap), "--format", "json")
    assert r.exit_code == 2  # the demo drifts
    source = json.loads(r.stdout)["source"]
    assert source["taken_at"] is None and "taken at an unknown time" in source["detail"]


def test_digests_asked_of_a_snapshot_taken_without_them(tmp_path, emulator):
    plain, digests = tmp_path / "plain.json", tmp_path / "digests.json"
    demo("snapshot", "--output", str(plain), "--api-endpoint", emulator.base_url, "--quiet")
    demo(
        "snapshot",
        "--output",
        str(digests),
        "--api-endpoint",
        emulator.base_url,
        "--quiet",
        "--read-secret-digests",
    )
    r = demo("diff", "--snapshot", str(plain), "--read-secret-digests")
    text = one_sentence(r)
    assert "was taken without --read-secret-digests" in text
    assert "take it again with `drift snapshot --read-secret-digests`" in text
    ok = demo("diff", "--snapshot", str(digests), "--read-secret-digests", "--format", "json")
    assert ok.exit_code == 2
    assert any(f["path"].endswith("/sha256") for f in json.loads(ok.stdout)["findings"])


# -- nothing declared ---------------------------------------------------------------------


def world_file(tmp_path: Path) -> Path:
    path = tmp_path / "world.json"
    path.write_text(
        json.dumps(wk.world(services=[wk.service("api")], connectors=[wk.connector("conn-a")]))
    )
    return path


@pytest.mark.parametrize(
    ("files", "project_yaml", "extra", "nothing"),
    [
        ({}, None, [], True),  # project.yaml alone
        ({"s.yaml": "services: {}\n"}, "unmanaged: ignore\n", [], True),
        (
            {"c.yaml": "vpc_connectors:\n  conn-a: {region: us-central1}\n"},
            None,
            ["--kinds", "services"],
            True,
        ),  # nothing declared of the kinds asked for
        ({"s.yaml": "services: {}\n"}, None, [], False),  # "no services": api is unmanaged
        ({"s.yaml": "services: {}\n"}, "unmanaged: fail\n", [], False),
    ],
    ids=[
        "project-only",
        "empty-kind-unmanaged-ignore",
        "kinds-not-declared",
        "empty-kind-reports-unmanaged",
        "empty-kind-unmanaged-fail",
    ],
)
def test_a_baseline_that_asks_nothing_is_not_clean(tmp_path, files, project_yaml, extra, nothing):
    head = f"project: {wk.PROJECT}\nregions: [{wk.REGION}]\n"
    expected = wk.write_baseline(tmp_path, files, head + (project_yaml or ""))
    r = run(
        [
            "diff",
            "--project",
            wk.PROJECT,
            "--expected",
            str(expected),
            "--emulator",
            str(world_file(tmp_path)),
            "--format",
            "json",
            *extra,
        ]
    )
    if nothing:
        text = one_sentence(r)
        assert "declares nothing" in text and "nothing was checked" in text
        assert f"drift baseline init --project {wk.PROJECT} --expected {expected}" in text
    else:
        assert r.exit_code == 2
        assert json.loads(r.stdout)["findings"][0]["type"] == "unmanaged"


# -- the summary line ----------------------------------------------------------------------


@pytest.mark.parametrize("fmt", ["json", "table"])
def test_every_run_ends_with_one_summary_line(tmp_path, emulator, fmt):
    base = ["--api-endpoint", emulator.base_url, "--format", fmt]
    to_stdout = demo("diff", *base)
    out = tmp_path / f"report.{fmt}"
    to_file = demo("diff", *base, "--output", str(out))
    quiet = demo("diff", *base, "--quiet")
    for r in (to_stdout, to_file, quiet):
        assert r.exit_code == 2
    line = to_stdout.stderr.splitlines()[-1]
    assert line.startswith(f"drift: {DEMO} (endpoint: {emulator.base_url}): ")
    assert "resources checked, " in line and " critical, " in line
    assert ", 0 not checked; report on stdout." in line
    assert to_file.stdout == "" and out.exists()
    assert to_file.stderr.splitlines()[-1].endswith(f"; report written to {out}.")
    assert quiet.stderr == ""


def test_snapshot_ends_with_one_summary_line(tmp_path, emulator):
    snap = tmp_path / "snap.json"
    r = demo("snapshot", "--output", str(snap), "--api-endpoint", emulator.base_url)
    assert r.exit_code == 0
    assert r.stderr.count("\n") == 1
    assert r.stderr.startswith(f"drift: {DEMO} (endpoint: {emulator.base_url}): ")
    assert r.stderr.endswith(f"0 not checked; snapshot written to {snap}.\n")


# -- drift emulator -------------------------------------------------------------------------


def test_emulator_on_a_busy_port_is_one_sentence():
    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen()
        port = busy.getsockname()[1]
        r = run(["emulator", "--port", str(port)])
    text = one_sentence(r)
    assert f"cannot listen on 127.0.0.1:{port}: the port is in use" in text
    assert "--port" in text


@pytest.mark.parametrize(
    ("content", "words"),
    [
        (None, "cannot read world file"),
        ("{not json", "is not valid JSON"),
        ('{"projects": []}', "'projects' must be an object"),
        ('{"projects": {}, "colour": 1}', "unknown top-level keys"),
    ],
    ids=["missing", "not-json", "bad-shape", "unknown-key"],
)
def test_emulator_world_file_errors_are_one_sentence(tmp_path, content, words):
    world = tmp_path / "world.json"
    if content is not None:
        world.write_text(content)
    r = run(["emulator", "--world", str(world), "--port", "0"])
    text = one_sentence(r)
    assert text.startswith("drift: cannot load the world file: ") and words in text


def test_emulator_knobs_out_of_range_are_usage_errors():
    for args in (["--page-size", "0"], ["--latency-ms", "-1"], ["--port", "70000"]):
        r = run(["emulator", *args])
        assert r.exit_code == 1 and "Invalid value" in r.stderr and "Traceback" not in r.output
