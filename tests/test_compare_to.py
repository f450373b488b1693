"""`drift diff --compare-to REF`: one live scan, two baselines, each finding classified.

Every test builds a real git repository (`git init`, commit, change the working tree) and
runs drift in it through click's CliRunner, against the emulator with the real Google
clients. The baseline at REF is read from git without a checkout (drift/gitref.py).
"""

from __future__ import annotations

import json
import os
import subprocess
from pathlib import Path
from typing import Any

import jsonschema
import pytest
from click.testing import CliRunner

from drift.cli import main
from drift.emulator import Emulator
from drift.engine.changes import baseline_changes, classify
from drift.model import Finding
from drift.report.json_schema import report_schema
from tests import worldkit as wk

SERVICES = f"""\
services:
  api:
    region: {wk.REGION}
    max_instances: 5
    memory: 1Gi
    env:
      MODE: prod
      LEVEL: info
  worker:
    region: {wk.REGION}
    max_instances: 5
    env:
      MODE: batch
"""


def live_world() -> dict[str, Any]:
    """api runs with max_instances 20 (declared 5) and memory 2Gi (declared 1Gi)."""
    return wk.world(
        services=[
            wk.service(
                "api",
                env=[wk.env("MODE", "prod"), wk.env("LEVEL", "info")],
                max_instances=20,
                memory="2Gi",
                connector=None,
            ),
            wk.service("worker", env=[wk.env("MODE", "batch")], connector=None),
        ],
    )


def git(repo: Path, *args: str) -> str:
    proc = subprocess.run(
        [
            "git",
            "-c",
            "user.name=drift tests",
            "-c",
            "user.email=tests@example.com",
            "-c",
            "init.defaultBranch=main",
            "-c",
            "commit.gpgsign=false",
            *args,
        ],
        cwd=repo,
        capture_output=True,
        text=True,
        check=True,
    )
    return proc.stdout


def make_repo(tmp_path: Path, files: dict[str, str] | None = None) -> Path:
    """A repository whose first commit (branch main) holds expected/<project>/."""
    repo = tmp_path / "repo"
    repo.mkdir()
    git(repo, "init", "-q")
    wk.write_baseline(repo, files if files is not None else {"services.yaml": SERVICES})
    (repo / "world.json").write_text(json.dumps(live_world()))
    git(repo, "add", "-A")
    git(repo, "commit", "-qm", "baseline")
    return repo


def edit(repo: Path, name: str, old: str, new: str) -> None:
    path = repo / "expected" / wk.PROJECT / name
    text = path.read_text()
    assert old in text, old
    path.write_text(text.replace(old, new, 1))


def run(repo: Path, monkeypatch: pytest.MonkeyPatch, *args: str, **env: str) -> Any:
    """`drift diff` run in `repo` (relative --expected, as in CI), JSON unless told."""
    monkeypatch.chdir(repo)
    argv = ["diff", "--project", wk.PROJECT, "--quiet", *args]
    if "--format" not in args:
        argv += ["--format", "json"]
    if not {"--emulator", "--api-endpoint", "--snapshot"} & set(args):
        argv += ["--emulator", "world.json"]
    return CliRunner().invoke(
        main, argv, env={"SOURCE_DATE_EPOCH": "1764000000", **env}, catch_exceptions=False
    )


def changes(report: dict[str, Any]) -> dict[str, list[str]]:
    out: dict[str, list[str]] = {"introduced": [], "unchanged": [], "resolved": []}
    for f in report["findings"]:
        out[f["change"]].append(f["path"])
    for f in report["resolved"]:
        assert f["change"] == "resolved"
        out["resolved"].append(f["path"])
    return out


# -- the done-when test ------------------------------------------------------------------


def test_fix_one_break_another_gives_one_resolved_one_introduced(tmp_path, monkeypatch):
    repo = make_repo(tmp_path)
    git(repo, "checkout", "-q", "-b", "topic")  # the PR branch; main is the base
    # Fix max_instances (declare what runs), break MODE (declare what does not run).
    edit(repo, "services.yaml", "max_instances: 5\n    memory", "max_instances: 20\n    memory")
    edit(repo, "services.yaml", "MODE: prod", "MODE: production")
    git(repo, "commit", "-qam", "change")

    result = run(repo, monkeypatch, "--compare-to", "main")
    report = json.loads(result.stdout)
    got = changes(report)
    assert got == {
        "introduced": ["services/api/env/MODE"],
        "unchanged": ["services/api/memory"],
        "resolved": ["services/api/max_instances"],
    }
    assert result.exit_code == 2  # the working tree's findings decide, as without REF
    assert report["compare_to"]["ref"] == "main"
    assert report["compare_to"]["commit"] == git(repo, "rev-parse", "main").strip()
    assert report["compare_to"]["summary"] == {"introduced": 1, "unchanged": 1, "resolved": 1}
    (resolved,) = report["resolved"]
    assert (resolved["expected"], resolved["actual"]) == (5, 20)  # REF's finding, as it was
    # Its source is the working tree's line, where the fix is.
    assert resolved["source"] == f"expected/{wk.PROJECT}/services.yaml:4"
    assert [(c["change"], c["path"]) for c in report["baseline_changes"]] == [
        ("changed", "services/api/env/MODE"),
        ("changed", "services/api/max_instances"),
    ]
    jsonschema.validate(report, report_schema())  # the additions are drift-report/v1's


def test_uncommitted_changes_compare_with_head_and_leave_the_tree_alone(tmp_path, monkeypatch):
    repo = make_repo(tmp_path)
    edit(repo, "services.yaml", "max_instances: 5\n    memory", "max_instances: 20\n    memory")
    edit(repo, "services.yaml", "LEVEL: info", "LEVEL: debug")
    status = git(repo, "status", "--porcelain")
    head = git(repo, "rev-parse", "HEAD")

    result = run(repo, monkeypatch, "--compare-to", "HEAD")
    got = changes(json.loads(result.stdout))
    assert got == {
        "introduced": ["services/api/env/LEVEL"],
        "unchanged": ["services/api/memory"],
        "resolved": ["services/api/max_instances"],
    }
    # Read from git, not checked out: the working tree, index and HEAD are as they were.
    assert git(repo, "status", "--porcelain") == status
    assert git(repo, "rev-parse", "HEAD") == head
    assert "max_instances: 20" in (repo / "expected" / wk.PROJECT / "services.yaml").read_text()


def test_same_findings_as_without_compare_to(tmp_path, monkeypatch):
    """The working tree's report is exactly drift diff's, plus `change`: even when REF
    declares kinds and regions the working tree does not (the scan reads them for REF)."""
    repo = make_repo(
        tmp_path,
        {
            "services.yaml": SERVICES,
            "secrets.yaml": "secrets:\n  db-pass: {replication: automatic}\n",
        },
    )
    project = repo / "expected" / wk.PROJECT
    (project / "project.yaml").write_text(
        f"project: {wk.PROJECT}\nregions: [{wk.REGION}, europe-west1]\n"
    )
    git(repo, "commit", "-qam", "two regions, secrets")
    (project / "secrets.yaml").unlink()
    (project / "project.yaml").write_text(f"project: {wk.PROJECT}\nregions: [{wk.REGION}]\n")
    world = live_world()
    world["projects"][wk.PROJECT]["services"].append(
        wk.service("eu-only", region="europe-west1", connector=None)
    )
    (repo / "world.json").write_text(json.dumps(world))

    plain = json.loads(run(repo, monkeypatch).stdout)
    compared = json.loads(run(repo, monkeypatch, "--compare-to", "HEAD").stdout)
    strip = [{k: v for k, v in f.items() if k != "change"} for f in compared["findings"]]
    assert strip == plain["findings"]
    assert compared["summary"] == plain["summary"]
    got = changes(compared)
    # REF saw the secret missing and the europe-west1 service unmanaged; both are gone.
    assert sorted(got["resolved"]) == ["secrets/db-pass", "services/eu-only"]
    assert got["introduced"] == []


def test_no_baseline_at_ref_everything_introduced(tmp_path, monkeypatch):
    repo = make_repo(tmp_path, {})  # commit without the project's resource files...
    git(repo, "rm", "-rq", "expected")
    git(repo, "commit", "-qm", "no baseline yet")
    wk.write_baseline(repo, {"services.yaml": SERVICES})  # ...which the change adds

    result = run(repo, monkeypatch, "--compare-to", "main")
    report = json.loads(result.stdout)
    assert result.exit_code == 2
    assert report["compare_to"]["baseline"] is None
    assert {f["change"] for f in report["findings"]} == {"introduced"}
    assert len(report["findings"]) == 2
    assert report["resolved"] == []
    assert [(c["change"], c["path"]) for c in report["baseline_changes"]] == [
        ("added", "services/api"),
        ("added", "services/worker"),
    ]


def test_without_compare_to_the_report_has_no_new_keys(tmp_path, monkeypatch):
    repo = make_repo(tmp_path)
    report = json.loads(run(repo, monkeypatch).stdout)
    assert not {"compare_to", "resolved", "baseline_changes"} & set(report)
    assert all("change" not in f for f in report["findings"])


# -- errors: one sentence, exit 1, before any scan ---------------------------------------


def api_calls(server: Emulator) -> list[Any]:
    """Requests for an API path (a reachability probe of the base URL is not a call)."""
    return [entry for entry in server.stats()["log"] if entry[1] != "/"]


def _no_scan(repo: Path, monkeypatch: pytest.MonkeyPatch, *args: str, **env: str) -> Any:
    with Emulator(live_world()) as server:
        result = run(repo, monkeypatch, "--api-endpoint", server.base_url, *args, **env)
        assert api_calls(server) == []  # not one API call
    assert result.exit_code == 1
    assert result.stdout == ""
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    return lines[0]


def test_unknown_ref(tmp_path, monkeypatch):
    repo = make_repo(tmp_path)
    line = _no_scan(repo, monkeypatch, "--compare-to", "origin/nope")
    assert line.startswith("drift: unknown git ref 'origin/nope'")
    assert "git fetch" in line


def test_not_a_git_repository(tmp_path, monkeypatch):
    plain = tmp_path / "plain"
    wk.write_baseline(plain, {"services.yaml": SERVICES})
    line = _no_scan(plain, monkeypatch, "--compare-to", "main")
    assert "is not in a git repository" in line


def test_git_missing(tmp_path, monkeypatch):
    repo = make_repo(tmp_path)
    empty = tmp_path / "no-git-here"
    empty.mkdir()
    line = _no_scan(repo, monkeypatch, "--compare-to", "main", PATH=str(empty))
    assert line.startswith("drift: git is not installed")


def test_option_like_ref_never_reaches_git(tmp_path, monkeypatch):
    repo = make_repo(tmp_path)
    line = _no_scan(repo, monkeypatch, "--compare-to", "--output=/tmp/x")
    assert "is not a git ref" in line


def test_broken_baseline_at_ref_names_the_ref(tmp_path, monkeypatch):
    repo = make_repo(tmp_path, {"services.yaml": SERVICES.replace("max_instances: 5", "max: 5", 1)})
    (repo / "expected" / wk.PROJECT / "services.yaml").write_text(SERVICES)
    with Emulator(live_world()) as server:
        result = run(repo, monkeypatch, "--api-endpoint", server.base_url, "--compare-to", "main")
        assert api_calls(server) == []
    assert result.exit_code == 1
    assert f"main:expected/{wk.PROJECT}/services.yaml:4" in result.stderr
    assert "the baseline at main has errors" in result.stderr
    assert "drift-ref-" not in result.stderr  # the temporary folder is never named


# -- reading the tree at REF ---------------------------------------------------------------


def test_symlinked_file_at_ref_is_read_from_ref(tmp_path, monkeypatch):
    """A baseline file that is a symlink to a shared file elsewhere in the repository is
    read as REF had it, not as the working tree has it now."""
    repo = make_repo(tmp_path, {})
    shared = repo / "shared"
    shared.mkdir()
    (shared / "services.yaml").write_text(SERVICES)
    os.symlink("../../shared/services.yaml", repo / "expected" / wk.PROJECT / "services.yaml")
    git(repo, "add", "-A")
    git(repo, "commit", "-qm", "shared services")
    (shared / "services.yaml").write_text(SERVICES.replace("memory: 1Gi", "memory: 2Gi"))

    got = changes(json.loads(run(repo, monkeypatch, "--compare-to", "HEAD").stdout))
    assert got["resolved"] == ["services/api/memory"]
    assert got["introduced"] == []


def test_oversized_file_at_ref_is_refused_without_reading_it(tmp_path, monkeypatch):
    repo = make_repo(tmp_path)
    big = repo / "expected" / wk.PROJECT / "big.yaml"
    big.write_text("# padding\n" * 600_000)  # 6 MB, over the loader's 5 MiB
    git(repo, "add", "-A")
    git(repo, "commit", "-qm", "big")
    big.unlink()
    with Emulator(live_world()) as server:
        result = run(repo, monkeypatch, "--api-endpoint", server.base_url, "--compare-to", "HEAD")
    assert result.exit_code == 1
    assert f"HEAD:expected/{wk.PROJECT}/big.yaml: is 5.7 MiB" in result.stderr


# -- the classification rule ---------------------------------------------------------------


def finding(path: str, type_: str = "changed", **kw: Any) -> Finding:
    kind, resource, *rest = path.split("/")
    values = {"expected": 1, "actual": 2, "severity": "warning", "rule": None, **kw}
    return Finding(
        path,
        kind,
        resource,
        wk.REGION,
        "/".join(rest) or None,
        type_,
        values["severity"],
        values["expected"],
        values["actual"],
        "m",
        None,
        values["rule"],
    )


def test_classify_matches_by_place_and_type_never_by_value():
    before = [
        finding("services/a/x", expected=1, actual=2),
        finding("services/a/y"),
        finding("services/a/z", "lint", rule="lint:placeholders"),
    ]
    after = [
        finding("services/a/x", expected=3, actual=2, severity="critical"),
        finding("services/a/y", "missing"),
        finding("services/a/z", "lint", rule="lint:host_spelling"),
    ]
    classified, resolved = classify(before, after)
    assert [(f.path, f.type, f.change) for f in classified] == [
        ("services/a/x", "changed", "unchanged"),  # a new declared value, still drift
        ("services/a/y", "missing", "introduced"),  # another type is another finding
        ("services/a/z", "lint", "introduced"),  # another lint rule too
    ]
    assert sorted((f.path, f.type) for f in resolved) == [
        ("services/a/y", "changed"),
        ("services/a/z", "lint"),
    ]
    assert {f.change for f in resolved} == {"resolved"}


def test_classify_pairs_duplicates_one_to_one():
    same = finding("services/a/x")
    classified, resolved = classify([same, same], [same, same, same])
    assert [f.change for f in classified] == ["unchanged", "unchanged", "introduced"]
    assert resolved == ()
    classified, resolved = classify([same, same, same], [same])
    assert [f.change for f in classified] == ["unchanged"]
    assert len(resolved) == 2


def test_baseline_changes_lists_resources_fields_and_keys(tmp_path):
    from drift.baseline import load_baseline

    before_dir = wk.write_baseline(tmp_path / "a", {"services.yaml": SERVICES})
    after_text = (
        SERVICES.replace("      LEVEL: info\n", "")
        .replace("    memory: 1Gi\n", "    memory: 1Gi\n    env_extra: allow\n")
        .replace("  worker:", "  web:\n    region: us-central1\n    max_instances: 1\n  worker:")
    )
    after_text = after_text.replace("MODE: batch", "MODE: batch\n      EXTRA: x")
    after_dir = wk.write_baseline(tmp_path / "b", {"services.yaml": after_text})
    got = baseline_changes(
        load_baseline(before_dir, wk.PROJECT), load_baseline(after_dir, wk.PROJECT)
    )
    assert [(c.change, c.path) for c in got] == [
        ("removed", "services/api/env/LEVEL"),
        ("changed", "services/api/env_extra"),
        ("added", "services/web"),
        ("added", "services/worker/env/EXTRA"),
    ]
    removed = got[0]
    assert removed.source is not None and removed.source.startswith(str(before_dir))


def test_markdown_summary_counts_changes(tmp_path, monkeypatch):
    repo = make_repo(tmp_path)
    edit(repo, "services.yaml", "max_instances: 5\n    memory", "max_instances: 20\n    memory")
    edit(repo, "services.yaml", "MODE: prod", "MODE: production")
    result = run(
        repo,
        monkeypatch,
        "--compare-to",
        "HEAD",
        "--format",
        "markdown",
        "--link-base",
        "https://github.com/acme/infra/blob/" + "a" * 40,
    )
    out = result.stdout
    assert result.exit_code == 2
    assert "1 resolved, 1 introduced, 1 unchanged" in out
    assert "| introduced | `services/api` (us-central1) | `env/MODE` |" in out
    assert (
        f"[services.yaml:5](https://github.com/acme/infra/blob/{'a' * 40}/expected/"
        f"{wk.PROJECT}/services.yaml#L5)"
    ) in out
    assert "Resolved by this change: 1 finding" in out


def test_removed_declaration_names_its_line_at_ref(tmp_path, monkeypatch):
    """A resource no longer declared: its removal is listed at REF's line (`REF:path:line`),
    and the live resource it was is now unmanaged: introduced."""
    repo = make_repo(tmp_path)
    path = repo / "expected" / wk.PROJECT / "services.yaml"
    path.write_text(SERVICES.split("  worker:")[0])
    report = json.loads(run(repo, monkeypatch, "--compare-to", "HEAD").stdout)
    assert [c for c in report["baseline_changes"] if c["change"] == "removed"] == [
        {
            "change": "removed",
            "path": "services/worker",
            "kind": "services",
            "resource": "worker",
            "region": wk.REGION,
            "field": None,
            "source": f"HEAD:expected/{wk.PROJECT}/services.yaml:9",
        }
    ]
    introduced = [(f["path"], f["type"]) for f in report["findings"] if f["change"] == "introduced"]
    assert introduced == [("services/worker", "unmanaged")]


def test_compare_to_with_a_snapshot_file(tmp_path, monkeypatch):
    """No scan at all: both baselines are compared with the same snapshot file."""
    repo = make_repo(tmp_path)
    monkeypatch.chdir(repo)
    taken = CliRunner().invoke(
        main,
        [
            "snapshot",
            "--project",
            wk.PROJECT,
            "--emulator",
            "world.json",
            "--output",
            "snap.json",
            "--quiet",
        ],
    )
    assert taken.exit_code == 0, taken.output
    edit(repo, "services.yaml", "memory: 1Gi", "memory: 2Gi")
    result = run(repo, monkeypatch, "--snapshot", "snap.json", "--compare-to", "HEAD")
    got = changes(json.loads(result.stdout))
    assert got == {
        "introduced": [],
        "unchanged": ["services/api/max_instances"],
        "resolved": ["services/api/memory"],
    }
