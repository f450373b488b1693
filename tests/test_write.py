"""Reports are written safely (cases 16, 17, 18): an unwritable --output fails before the
scan with one sentence, a failed write never loses the report, symlinks and devices are
written through, modes are kept, and temporary files of killed runs do not pile up.
"""

from __future__ import annotations

import json
import os
import signal
import stat
import subprocess
import sys
import threading
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from drift.cli import main
from drift.cli.output import emit
from drift.emulator import Emulator, bundled_world_path, load_world
from drift.report.write import (
    OutputError,
    check_target,
    remove_stale_temps,
    temp_pattern,
    write_atomic,
    write_file,
    write_target,
)

ROOT = Path(__file__).resolve().parent.parent
DRIFT = Path(sys.executable).parent / "drift"
PROJECT = "netra-staging"


def run(args: list[str]) -> Any:
    return CliRunner().invoke(
        main, args, env={"SOURCE_DATE_EPOCH": "1764000000"}, catch_exceptions=False
    )


def temps(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.iterdir() if p.name.endswith(".drift-tmp"))


@pytest.fixture(scope="module")
def emulator():
    with Emulator(load_world(bundled_world_path(PROJECT))) as emu:
        yield emu


def unwritable(tmp_path: Path) -> dict[str, tuple[Path, str]]:
    """Case 16's kinds of unwritable --output, with the words the sentence must hold."""
    (tmp_path / "adir").mkdir()
    (tmp_path / "afile").write_text("x")
    (tmp_path / "loop").symlink_to(tmp_path / "loop")
    return {
        "directory": (tmp_path / "adir", "it is a directory; give a file name"),
        "under a file": (tmp_path / "afile" / "sub" / "r.json", "afile is a file, not a folder"),
        "proc": (Path("/proc/drift-report.json"), "/proc does not accept new files"),
        "symlink loop": (tmp_path / "loop", "symlink loop"),
    }


@pytest.mark.parametrize("kind", ["directory", "under a file", "proc", "symlink loop"])
@pytest.mark.parametrize("command", ["diff", "snapshot"])
def test_case16_unwritable_output_fails_before_the_scan(tmp_path, emulator, kind, command):
    path, words = unwritable(tmp_path)[kind]
    emulator.reset_stats()
    args = [
        command,
        "--project",
        PROJECT,
        "--expected",
        str(ROOT / "expected"),
        "--api-endpoint",
        emulator.base_url,
        "--quiet",
        "--output",
        str(path),
    ]
    r = run(args + (["--format", "json"] if command == "diff" else []))
    assert r.exit_code == 1
    assert r.stdout == "" and "Traceback" not in r.stderr
    assert r.stderr.count("\n") == 1, r.stderr  # one sentence on one line
    what = "report" if command == "diff" else "snapshot"
    assert r.stderr.startswith(f"drift: cannot write the {what} to {path}: ")
    assert words in r.stderr and "Nothing was checked." in r.stderr
    assert emulator.stats()["requests"] == {}  # not one API call: checked before the scan


def test_case16_init_checks_the_baseline_folder_before_the_scan(tmp_path, emulator):
    (tmp_path / "expected").write_text("a file where the folder should be")
    emulator.reset_stats()
    r = run(
        [
            "baseline",
            "init",
            "--project",
            PROJECT,
            "--expected",
            str(tmp_path / "expected"),
            "--regions",
            "us-central1",
            "--api-endpoint",
            emulator.base_url,
            "--quiet",
        ]
    )
    assert r.exit_code == 1 and "Traceback" not in r.stderr
    assert "cannot write the baseline to" in r.stderr and "is a file, not a folder" in r.stderr
    assert emulator.stats()["requests"] == {}


def test_a_write_that_fails_after_the_scan_prints_the_report_instead(emulator):
    """/dev/full accepts the check (a writable device) and fails the write: ENOSPC."""
    r = run(
        [
            "diff",
            "--project",
            PROJECT,
            "--expected",
            str(ROOT / "expected"),
            "--api-endpoint",
            emulator.base_url,
            "--quiet",
            "--format",
            "json",
            "--output",
            "/dev/full",
        ]
    )
    assert r.exit_code == 1
    assert r.stderr == (
        "drift: cannot write the report to /dev/full: no space left on the device; choose a "
        "path you can write to. The report follows on stdout instead.\n"
    )
    assert json.loads(r.stdout)["project"] == PROJECT  # the scan is not lost


def test_emit_turns_a_late_failure_into_a_sentence(tmp_path, capsys):
    target = check_target(tmp_path / "r.txt")
    (tmp_path / "r.txt").mkdir()  # became a folder while the scan ran
    where, written = emit("the report\n", target, "the report")
    out = capsys.readouterr()
    assert not written and where == f"on stdout (not written to {tmp_path / 'r.txt'})"
    assert out.out == "the report\n"
    assert out.err.startswith(f"drift: cannot write the report to {tmp_path / 'r.txt'}: ")
    assert temps(tmp_path) == []


def test_a_failed_write_keeps_the_old_file_and_leaves_no_temp(tmp_path):
    target = tmp_path / "r.json"
    target.write_text("old\n")
    with pytest.raises(UnicodeEncodeError):
        write_target(check_target(target), "\ud800")  # fails half way through the write
    assert target.read_text() == "old\n" and temps(tmp_path) == []


# -- case 17: modes, symlinks, devices ---------------------------------------------------


def test_case17_existing_mode_and_owner_are_kept(tmp_path):
    report = tmp_path / "mode.json"
    report.write_text("{}\n")
    report.chmod(0o644)
    if os.geteuid() == 0:
        os.chown(report, 4321, 4321)  # root can give files away; others keep their own
    before = report.stat()
    write_file(report, "new\n")
    after = report.stat()
    assert stat.S_IMODE(after.st_mode) == 0o644
    assert (after.st_uid, after.st_gid) == (before.st_uid, before.st_gid)
    report.chmod(0o640)
    write_file(report, "newer\n")
    assert stat.S_IMODE(report.stat().st_mode) == 0o640 and report.read_text() == "newer\n"


@pytest.mark.parametrize(("umask", "mode"), [(0o022, 0o644), (0o027, 0o640), (0o077, 0o600)])
def test_case17_a_new_file_honours_the_umask(tmp_path, umask, mode):
    old = os.umask(umask)
    try:
        write_file(tmp_path / "fresh.json", "x\n")
    finally:
        os.umask(old)
    assert stat.S_IMODE((tmp_path / "fresh.json").stat().st_mode) == mode


def test_case17_a_symlink_is_written_through_and_stays_a_link(tmp_path):
    dated = tmp_path / "reports" / "2026-11-30.json"
    dated.parent.mkdir()
    dated.write_text("OLD\n")
    link = tmp_path / "latest.json"
    link.symlink_to(Path("reports") / "2026-11-30.json")
    write_file(link, "NEW\n")
    assert link.is_symlink() and os.readlink(link) == "reports/2026-11-30.json"
    assert dated.read_text() == "NEW\n"
    assert temps(tmp_path) == [] and temps(dated.parent) == []


def test_case17_a_dangling_symlink_creates_its_target(tmp_path):
    link = tmp_path / "latest.json"
    link.symlink_to("2026-12-01.json")
    write_file(link, "NEW\n")
    assert link.is_symlink() and (tmp_path / "2026-12-01.json").read_text() == "NEW\n"


def test_case17_a_proc_fd_link_and_a_fifo_are_written_in_place(tmp_path):
    read_end, write_end = os.pipe()
    link = tmp_path / "stdout"
    link.symlink_to(f"/proc/self/fd/{write_end}")  # what /dev/stdout is
    write_file(link, "through the pipe\n")
    os.close(write_end)
    with os.fdopen(read_end) as fh:
        assert fh.read() == "through the pipe\n"
    assert link.is_symlink()
    fifo = tmp_path / "fifo"
    os.mkfifo(fifo)
    got: list[str] = []
    reader = threading.Thread(target=lambda: got.append(fifo.read_text()))
    reader.start()
    write_file(fifo, "into the fifo\n")
    reader.join(timeout=30)
    assert got == ["into the fifo\n"] and stat.S_ISFIFO(fifo.lstat().st_mode)


def test_a_file_behind_a_descriptor_link_is_appended_to_not_replaced(tmp_path):
    """`drift ... --output /dev/stdout >> log`: the log keeps its lines and stays one file."""
    log = tmp_path / "log"
    log.write_text("earlier line\n")
    with open(log, "a") as fh:
        link = tmp_path / "stdout"
        link.symlink_to(f"/proc/self/fd/{fh.fileno()}")
        inode = log.stat().st_ino
        write_file(link, "the report\n")
    assert log.read_text() == "earlier line\nthe report\n"
    assert log.stat().st_ino == inode and temps(tmp_path) == []


def test_case17_commands_through_the_cli(tmp_path):
    """The case's three commands: mode.json, latest.json -> dated file, fakedev/stdout."""
    (tmp_path / "mode.json").write_text("{}\n")
    (tmp_path / "mode.json").chmod(0o644)
    (tmp_path / "2026-11-30.json").write_text("OLD\n")
    (tmp_path / "latest.json").symlink_to("2026-11-30.json")
    (tmp_path / "fakedev").mkdir()
    (tmp_path / "fakedev" / "stdout").symlink_to("/proc/self/fd/1")
    base = [
        str(DRIFT),
        "diff",
        "--project",
        PROJECT,
        "--expected",
        str(ROOT / "expected"),
        "--emulator",
        "--format",
        "json",
        "--quiet",
        "--output",
    ]
    env = {**os.environ, "SOURCE_DATE_EPOCH": "1764000000"}
    for name in ("mode.json", "latest.json", "fakedev/stdout"):
        p = subprocess.run(
            [*base, str(tmp_path / name)],
            capture_output=True,
            text=True,
            env=env,
            umask=0o077,
            timeout=300,
        )
        assert p.returncode == 2, p.stderr
        if name == "fakedev/stdout":
            assert json.loads(p.stdout)["project"] == PROJECT
        else:
            assert p.stdout == ""
    assert stat.S_IMODE((tmp_path / "mode.json").stat().st_mode) == 0o644
    assert (tmp_path / "latest.json").is_symlink()
    assert (tmp_path / "2026-11-30.json").read_text().startswith("{")
    assert (tmp_path / "fakedev" / "stdout").is_symlink()
    log = tmp_path / "log"
    log.write_text("earlier line\n")
    with open(log, "a") as out:  # stdout appended to a file: `... >> log`
        p = subprocess.run(
            [*base, str(tmp_path / "fakedev" / "stdout")],
            stdout=out,
            stderr=subprocess.PIPE,
            text=True,
            env=env,
            timeout=300,
        )
    assert p.returncode == 2, p.stderr
    text = log.read_text()
    assert text.startswith("earlier line\n{") and json.loads(text[len("earlier line\n") :])


# -- case 18: temporary files of killed runs ----------------------------------------------

HOLD_TEMP = """
import os, sys, time
from pathlib import Path
from drift.report.write import _create_temp
fd, tmp = _create_temp(Path(sys.argv[1]))
os.write(fd, b"half a report")
print(tmp, flush=True)
time.sleep(600)
"""


def start_writer(target: Path) -> tuple[subprocess.Popen[str], Path]:
    """A process in the middle of writing `target`: its temp file exists and is locked."""
    proc = subprocess.Popen(
        [sys.executable, "-c", HOLD_TEMP, str(target)], stdout=subprocess.PIPE, text=True, cwd=ROOT
    )
    assert proc.stdout is not None
    return proc, Path(proc.stdout.readline().strip())


def test_case18_a_killed_writer_leaves_a_temp_that_the_next_write_removes(tmp_path):
    target = tmp_path / "report.txt"
    target.write_text("previous report\n")
    proc, tmp = start_writer(target)
    try:
        assert tmp.exists() and temp_pattern(target).fullmatch(tmp.name)
        write_file(target, "second report\n")  # a concurrent run: the live writer's file stays
        assert tmp.exists() and target.read_text() == "second report\n"
    finally:
        proc.send_signal(signal.SIGKILL)
        proc.wait(timeout=30)
    assert tmp.exists()  # kill -9 leaves it behind, with the previous report intact
    assert target.read_text() == "second report\n"
    write_file(target, "third report\n")
    assert temps(tmp_path) == [] and target.read_text() == "third report\n"


def test_case18_only_drifts_own_stale_temps_of_that_target_are_removed(tmp_path):
    target = tmp_path / "report.txt"
    stale = tmp_path / ".report.txt.0123abcd.drift-tmp"
    stale.write_text("left by a killed run")
    keep = [
        ".report.txt.backup",
        ".report.txt.0123abcd.drift-tmp.keep",
        ".other.txt.0123abcd.drift-tmp",
        ".report.txt.0123ABCD.drift-tmp",
        "report.txt.0123abcd.drift-tmp",
        ".report.txt.0123abc.drift-tmp",
        ".xreport.txt.0123abcd.drift-tmp",
    ]
    for name in keep:
        (tmp_path / name).write_text("not ours")
    (tmp_path / ".report.txt.00000000.drift-tmp").mkdir()  # a folder is never removed
    (tmp_path / ".report.txt.11111111.drift-tmp").symlink_to(tmp_path / ".report.txt.backup")
    assert remove_stale_temps(target) == [stale]
    assert not stale.exists()
    for name in [*keep, ".report.txt.00000000.drift-tmp", ".report.txt.11111111.drift-tmp"]:
        assert (tmp_path / name).exists() or (tmp_path / name).is_symlink(), name


def test_case18_the_cli_removes_stale_temps_next_to_its_report(tmp_path):
    target = tmp_path / "report.txt"
    stale = tmp_path / ".report.txt.deadbeef.drift-tmp"
    stale.write_text("half")
    r = run(
        [
            "diff",
            "--project",
            PROJECT,
            "--expected",
            str(ROOT / "expected"),
            "--emulator",
            "--quiet",
            "--format",
            "table",
            "--output",
            str(target),
        ]
    )
    assert r.exit_code == 2
    assert not stale.exists() and temps(tmp_path) == []
    assert target.read_text().startswith("drift report for project netra-staging")


def test_checking_a_target_leaves_nothing_behind(tmp_path):
    check_target(tmp_path / "r.json")
    check_target(tmp_path / "new" / "deeper" / "r.json")
    assert list(tmp_path.iterdir()) == []


def test_write_atomic_failures_are_sentences(tmp_path):
    (tmp_path / "d").mkdir()
    with pytest.raises(OutputError, match=r"cannot write the file to .*/d: it is a directory"):
        write_atomic(tmp_path / "d", "x")
    write_atomic(tmp_path / "a" / "b" / "c.yaml", "x\n")  # missing folders are created
    assert (tmp_path / "a" / "b" / "c.yaml").read_text() == "x\n"


@pytest.mark.parametrize("command", ["diff", "snapshot"])
def test_output_dash_is_stdout_never_a_file_named_dash(tmp_path, emulator, command, monkeypatch):
    """`--output -` is standard output, as for most command-line tools (it used to write
    a file called `-`)."""
    monkeypatch.chdir(tmp_path)
    args = [command, "--project", PROJECT, "--expected", str(ROOT / "expected")]
    args += ["--api-endpoint", emulator.base_url, "--output", "-", "--quiet"]
    if command == "diff":
        args += ["--format", "json"]
    result = run(args)
    assert result.exit_code == (2 if command == "diff" else 0), result.output
    assert json.loads(result.stdout)["project"] == PROJECT
    assert not (tmp_path / "-").exists()


def test_a_snapshot_that_cannot_be_read_is_one_plain_sentence(tmp_path):
    """No Python spelling (`[Errno 2] ...`) in the sentence: the reason, and the fix."""
    for path, reason in (
        (tmp_path / "none.json", "no such file or directory"),
        (tmp_path, "is a directory"),
    ):
        args = ["diff", "--project", PROJECT, "--expected", str(ROOT / "expected")]
        result = run([*args, "--snapshot", str(path)])
        assert result.exit_code == 1
        assert (
            f"cannot read snapshot {path}: {reason}. Write one with `drift snapshot`."
            in result.output
        )
        assert "Errno" not in result.output and "Traceback" not in result.output
