"""`drift comment` on GitLab: one merge-request note per project, updated in place.

Through the CLI, the emulator (real Google clients) and a loopback fake of GitLab's notes
API (tests/forgefake.py): token header checked on every request, notes paged 2 at a time
by `X-Next-Page` or by `Link`, one 429 with `Retry-After: 1`.
"""

from __future__ import annotations

import copy
import json
import time
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from drift.cli import main
from drift.report.markdown import marker
from tests import worldkit as wk
from tests.forgefake import Canned, FakeGitLab

TOKEN = "glpat-SECRETtoken0123456789"
JOB_TOKEN = "glcbt-64_JOBsecret0123456789"
MARKER = marker(wk.PROJECT)
BASELINE = f"""\
services:
  api:
    region: {wk.REGION}
    max_instances: 5
"""


def world(max_instances: int) -> dict[str, Any]:
    return wk.world(services=[wk.service("api", max_instances=max_instances, connector=None)])


def gitlab_env(monkeypatch: pytest.MonkeyPatch, fake: FakeGitLab) -> None:
    for name in (
        "GITHUB_ACTIONS",
        "GITHUB_REPOSITORY",
        "GITHUB_TOKEN",
        "GITHUB_EVENT_PATH",
        "CI_JOB_TOKEN",
        "CI_MERGE_REQUEST_PROJECT_ID",
        "CI_MERGE_REQUEST_PROJECT_URL",
    ):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("GITLAB_CI", "true")
    monkeypatch.setenv("CI_API_V4_URL", f"{fake.base}/api/v4")
    monkeypatch.setenv("CI_PROJECT_ID", fake.project)
    monkeypatch.setenv("CI_PROJECT_URL", "https://gitlab.example.com/acme/infra")
    monkeypatch.setenv("CI_MERGE_REQUEST_IID", str(fake.iid))
    monkeypatch.setenv("GITLAB_TOKEN", TOKEN)


def seeded(token: str, paging: str) -> FakeGitLab:
    fake = FakeGitLab(token=token)
    fake.paging = paging
    fake.start()
    fake.add("Please check the connector", "alice")
    fake.add("added 1 commit", fake.bot, system=True)  # a system note is never drift's
    fake.add(f"{marker('other-project')}\n### drift: `other-project`\n", fake.bot)
    fake.add(f"> {MARKER}\n> quoted", "bob")
    fake.add("LGTM", "carol")
    return fake


@pytest.fixture(params=["x-next-page", "link"])
def gitlab(request, tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    fake = seeded(TOKEN, request.param)
    gitlab_env(monkeypatch, fake)
    monkeypatch.chdir(tmp_path)
    wk.write_baseline(tmp_path, {"services.yaml": BASELINE})
    yield fake
    fake.stop()


def run(tmp_path: Path, max_instances: int, *extra: str) -> Any:
    path = tmp_path / "world.json"
    path.write_text(json.dumps(world(max_instances)))
    return CliRunner().invoke(
        main,
        ["comment", "--project", wk.PROJECT, "--emulator", str(path), *extra],
        catch_exceptions=False,
    )


def others(fake: FakeGitLab) -> list[dict[str, Any]]:
    mine = [c["id"] for c in fake.own(MARKER)]
    return [c for c in fake.comments if c["id"] not in mine]


def test_three_runs_leave_one_note_with_the_latest_report(gitlab, tmp_path):
    before = copy.deepcopy(others(gitlab))
    started = time.monotonic()
    gitlab.canned.append(Canned("GET", 429, {"Retry-After": "1"}, {"message": "429 Too Many"}))
    first = run(tmp_path, 20, "--output", "r1.md")
    assert first.exit_code == 2, first.stderr
    (mine,) = gitlab.own(MARKER)
    assert mine["body"] == (tmp_path / "r1.md").read_text()
    assert "retrying in 1 s" in first.stderr
    note_id = mine["id"]
    assert f"#note_{note_id}" in first.stderr  # the note's address from CI_PROJECT_URL

    second = run(tmp_path, 5, "--output", "r2.md")
    assert second.exit_code == 0, second.stderr
    assert [c["id"] for c in gitlab.own(MARKER)] == [note_id]
    assert "No drift found." in gitlab.own(MARKER)[0]["body"]

    third = run(tmp_path, 30, "--output", "r3.md")
    assert third.exit_code == 2, third.stderr
    (mine,) = gitlab.own(MARKER)
    assert mine["id"] == note_id and mine["body"] == (tmp_path / "r3.md").read_text()

    assert others(gitlab) == before
    assert gitlab.unexpected == []
    assert all(r.authorized for r in gitlab.requests)
    assert {r.method for r in gitlab.requests} == {"GET", "POST", "PUT"}
    assert sum(r.method == "POST" for r in gitlab.requests) == 1
    assert any("page=3" in r.path for r in gitlab.requests)  # every page was read
    assert all(TOKEN not in out for r in (first, second, third) for out in (r.stdout, r.stderr))
    assert time.monotonic() - started < 60


def test_job_token_is_sent_as_job_token(tmp_path, monkeypatch):
    fake = seeded(JOB_TOKEN, "x-next-page")
    fake.header = "JOB-TOKEN"
    try:
        gitlab_env(monkeypatch, fake)
        monkeypatch.delenv("GITLAB_TOKEN")
        monkeypatch.setenv("CI_JOB_TOKEN", JOB_TOKEN)
        monkeypatch.chdir(tmp_path)
        wk.write_baseline(tmp_path, {"services.yaml": BASELINE})
        result = run(tmp_path, 20)
    finally:
        fake.stop()
    assert result.exit_code == 2, result.stderr
    assert all(r.authorized for r in fake.requests)
    assert len(fake.own(MARKER)) == 1


def test_job_token_refused_says_what_works(tmp_path, monkeypatch):
    fake = seeded(TOKEN, "x-next-page")  # only a PRIVATE-TOKEN is accepted
    try:
        gitlab_env(monkeypatch, fake)
        monkeypatch.delenv("GITLAB_TOKEN")
        monkeypatch.setenv("CI_JOB_TOKEN", JOB_TOKEN)
        monkeypatch.chdir(tmp_path)
        wk.write_baseline(tmp_path, {"services.yaml": BASELINE})
        result = run(tmp_path, 20, "--output", "r.md")
    finally:
        fake.stop()
    assert result.exit_code == 1
    assert "CI_JOB_TOKEN cannot write merge request notes" in result.stderr
    assert "GITLAB_TOKEN" in result.stderr
    assert JOB_TOKEN not in result.stderr + result.stdout
    assert (tmp_path / "r.md").exists()


def test_no_merge_request_fails_before_the_scan(gitlab, tmp_path, monkeypatch):
    monkeypatch.delenv("CI_MERGE_REQUEST_IID")
    result = run(tmp_path, 20)
    assert result.exit_code == 1
    assert "CI_MERGE_REQUEST_IID is not set" in result.stderr
    assert gitlab.requests == []


def test_a_lost_create_answer_never_makes_a_second_note(gitlab, tmp_path):
    gitlab.canned.append(Canned("POST", 503, {}, {"message": "503"}, then_apply=True))
    result = run(tmp_path, 20)
    assert result.exit_code == 2, result.stderr
    assert len(gitlab.own(MARKER)) == 1
