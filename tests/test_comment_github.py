"""`drift comment` on GitHub: one comment per project, updated in place, nothing else touched.

Every run goes through the CLI, the emulator (real Google clients) and a loopback fake
of GitHub's REST API (tests/forgefake.py) that checks the token on every request, pages
the comments 2 at a time with `Link` headers and answers rate limits as GitHub does.
"""

from __future__ import annotations

import copy
import json
import time
from pathlib import Path
from typing import Any

import httpx
import pytest
from click.testing import CliRunner

from drift.cli import main
from drift.comment.github import GitHub
from drift.comment.post import PostError, check_api_url
from drift.report.markdown import marker
from tests import worldkit as wk
from tests.forgefake import Canned, FakeGitHub

TOKEN = "ghs_SECRETtoken0123456789abcdefABCDEF"
MARKER = marker(wk.PROJECT)
BASELINE = f"""\
services:
  api:
    region: {wk.REGION}
    max_instances: 5
"""
SECONDARY = {
    "message": "You have exceeded a secondary rate limit. Please wait a few minutes before "
    "you try again.",
}


def world(max_instances: int) -> dict[str, Any]:
    return wk.world(services=[wk.service("api", max_instances=max_instances, connector=None)])


@pytest.fixture
def github(tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    """A fake GitHub holding other people's comments (3 pages of 2), and the env of a
    pull_request workflow run pointing at it."""
    fake = FakeGitHub(token=TOKEN)
    base = fake.start()
    fake.add("Looks good to me", "alice")
    fake.add(
        f"{marker('other-project')}\n### drift: `other-project`\n\nNo drift found.\n", fake.bot
    )
    fake.add(f"Quoting the bot:\n> {MARKER}\n> old text", "bob")  # marker not on line 1
    fake.add("@alice can you re-run?", "carol")
    fake.add(f"{MARKER} written by hand", "mallory")  # not the marker line drift writes
    fake.add(f"{MARKER}\nA person's comment with drift's marker line", "mallory")
    event = tmp_path / "event.json"
    event.write_text(
        json.dumps(
            {
                "action": "synchronize",
                "number": fake.number,
                "pull_request": {"number": fake.number},
            }
        )
    )
    for name in ("CI_API_V4_URL", "GITLAB_CI", "GITLAB_TOKEN", "CI_JOB_TOKEN"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("GITHUB_ACTIONS", "true")
    monkeypatch.setenv("GITHUB_TOKEN", TOKEN)
    monkeypatch.setenv("GITHUB_API_URL", base)
    monkeypatch.setenv("GITHUB_REPOSITORY", fake.repo)
    monkeypatch.setenv("GITHUB_EVENT_NAME", "pull_request")
    monkeypatch.setenv("GITHUB_EVENT_PATH", str(event))
    monkeypatch.setenv("GITHUB_SERVER_URL", "https://github.com")
    monkeypatch.setenv("GITHUB_SHA", "a" * 40)
    monkeypatch.delenv("GITHUB_WORKSPACE", raising=False)
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


def others(fake: FakeGitHub) -> list[dict[str, Any]]:
    mine = [c["id"] for c in fake.own(MARKER)]
    return [c for c in fake.comments if c["id"] not in mine]


def test_three_runs_leave_one_comment_with_the_latest_report(github, tmp_path):
    before = copy.deepcopy(others(github))
    started = time.monotonic()
    # Run 1: drift. GitHub rate-limits the create once (secondary limit, Retry-After: 1).
    github.canned.append(Canned("POST", 403, {"Retry-After": "1"}, SECONDARY))
    first = run(tmp_path, 20, "--output", "r1.md")
    assert first.exit_code == 2, first.stderr
    mine = github.own(MARKER)
    assert len(mine) == 1
    assert mine[0]["body"] == (tmp_path / "r1.md").read_text()
    assert "`20`" in mine[0]["body"]
    assert "retrying in 1 s" in first.stderr  # the rate limit was waited out, and said so
    comment_id = mine[0]["id"]
    assert [r.status for r in github.requests if r.method == "POST"] == [403, 201]

    # Run 2: fixed. The "no drift" state replaces the red comment, in the same comment.
    second = run(tmp_path, 5, "--output", "r2.md")
    assert second.exit_code == 0, second.stderr
    mine = github.own(MARKER)
    assert [c["id"] for c in mine] == [comment_id]
    assert "No drift found." in mine[0]["body"]
    assert mine[0]["body"] == (tmp_path / "r2.md").read_text()
    assert f"updated as comment {comment_id}" in second.stderr

    # Run 3: drift again, another value.
    third = run(tmp_path, 30, "--output", "r3.md")
    assert third.exit_code == 2, third.stderr
    mine = github.own(MARKER)
    assert [c["id"] for c in mine] == [comment_id]
    assert mine[0]["body"] == (tmp_path / "r3.md").read_text()
    assert "`30`" in mine[0]["body"] and "`20`" not in mine[0]["body"]

    # Every other comment as it was (another drift project's comment too), and only the
    # comment endpoints were called, each with the token.
    assert others(github) == before
    assert len(github.comments) == len(before) + 1
    assert github.unexpected == []
    assert all(r.authorized for r in github.requests)
    assert {r.method for r in github.requests} == {"GET", "POST", "PATCH"}
    assert sum(r.method == "PATCH" for r in github.requests) == 2
    assert all(TOKEN not in out for r in (first, second, third) for out in (r.stdout, r.stderr))
    assert time.monotonic() - started < 60  # one 1 s wait, not a hang


def test_lists_every_page_before_deciding(github, tmp_path):
    # drift's comment sits on the last page: found there, never posted twice.
    first = run(tmp_path, 20)
    assert first.exit_code == 2
    github.add("a later comment", "alice")
    github.add("and another", "bob")
    second = run(tmp_path, 30)
    assert second.exit_code == 2, second.stderr
    assert len(github.own(MARKER)) == 1
    pages = [r.path for r in github.requests if r.method == "GET"]
    assert any("page=5" in p for p in pages), pages  # 9 comments, 2 a page


def test_no_drift_is_posted_too(github, tmp_path):
    result = run(tmp_path, 5)
    assert result.exit_code == 0, result.stderr
    (mine,) = github.own(MARKER)
    assert "No drift found." in mine["body"]
    assert result.stdout == ""  # the report goes to the comment (and --output), not stdout


def test_refused_token_exits_1_and_still_writes_the_report(github, tmp_path, monkeypatch):
    monkeypatch.setenv("GITHUB_TOKEN", "ghs_wrongTOKENwrongTOKENwrong")
    result = run(tmp_path, 20, "--output", "report.md")
    assert result.exit_code == 1
    assert (tmp_path / "report.md").read_text().startswith(MARKER)
    assert "could not post the comment" in result.stderr
    assert "401 Bad credentials" in result.stderr and "Check GITHUB_TOKEN" in result.stderr
    assert "ghs_wrongTOKEN" not in result.stderr + result.stdout
    assert github.own(MARKER) == []


def test_permission_403_is_not_retried(github, tmp_path):
    github.canned.append(
        Canned("POST", 403, {}, {"message": "Resource not accessible by integration"})
    )
    result = run(tmp_path, 20)
    assert result.exit_code == 1
    assert "Resource not accessible by integration" in result.stderr
    assert "pull-requests: write" in result.stderr
    assert [r.status for r in github.requests if r.method == "POST"] == [403]


def test_a_wait_past_the_deadline_gives_up_at_once(github, tmp_path):
    github.canned.append(Canned("GET", 429, {"Retry-After": "600"}, SECONDARY))
    started = time.monotonic()
    result = run(tmp_path, 20, "--post-deadline", "30", "--output", "r.md")
    assert result.exit_code == 1
    assert "asked to wait 600 s" in result.stderr and "--post-deadline" in result.stderr
    assert (tmp_path / "r.md").exists()
    assert time.monotonic() - started < 20


def test_a_lost_create_answer_never_makes_a_second_comment(github, tmp_path):
    # The create reached GitHub but its answer was lost (a 502 from a proxy): drift lists
    # the comments again, finds the one it made, and does not post another.
    github.canned.append(Canned("POST", 502, {}, {"message": "Bad Gateway"}, then_apply=True))
    result = run(tmp_path, 20)
    assert result.exit_code == 2, result.stderr
    assert len(github.own(MARKER)) == 1
    assert [r.status for r in github.requests if r.method == "POST"] == [502]


def test_a_comment_deleted_meanwhile_is_created_again(github, tmp_path):
    assert run(tmp_path, 20).exit_code == 2
    (mine,) = github.own(MARKER)
    github.canned.append(Canned("PATCH", 404, {}, {"message": "Not Found"}))
    result = run(tmp_path, 30)
    assert result.exit_code == 2, result.stderr
    assert "created as comment" in result.stderr


def test_sarif_output_from_the_same_scan(github, tmp_path):
    result = run(tmp_path, 20, "--format", "sarif", "--output", "drift.sarif")
    assert result.exit_code == 2, result.stderr
    sarif = json.loads((tmp_path / "drift.sarif").read_text())
    assert sarif["version"] == "2.1.0" and sarif["runs"][0]["results"]
    assert github.own(MARKER)[0]["body"].startswith(MARKER)


def test_pr_flag_overrides_the_event(github, tmp_path, monkeypatch):
    monkeypatch.delenv("GITHUB_EVENT_PATH")
    result = run(tmp_path, 20, "--pr", str(github.number))
    assert result.exit_code == 2, result.stderr
    assert len(github.own(MARKER)) == 1


@pytest.mark.parametrize(
    ("unset", "setting", "words"),
    [
        ("GITHUB_TOKEN", None, "GITHUB_TOKEN is not set"),
        ("GITHUB_EVENT_PATH", None, "no pull request to comment on"),
        (None, ("GITHUB_REPOSITORY", "not-a-repo"), "GITHUB_REPOSITORY must be owner/repo"),
        (None, ("GITHUB_API_URL", "http://api.example.com"), "plain http to another machine"),
    ],
)
def test_missing_configuration_fails_before_the_scan(
    github, tmp_path, monkeypatch, unset, setting, words
):
    if unset:
        monkeypatch.delenv(unset)
    if setting:
        monkeypatch.setenv(*setting)
    result = run(tmp_path, 20, "--output", "r.md")
    assert result.exit_code == 1
    assert words in result.stderr and "Nothing was checked." in result.stderr
    assert not (tmp_path / "r.md").exists()  # failed before any scan
    assert github.requests == []
    assert TOKEN not in result.stderr


def test_a_next_page_on_another_host_is_not_followed(github, tmp_path, monkeypatch):
    class Elsewhere(FakeGitHub):
        def route(self, handler, method, path, query, body):  # type: ignore[no-untyped-def]
            status, headers, payload = super().route(handler, method, path, query, body)
            if "Link" in headers:
                headers["Link"] = '<http://127.0.0.2:9/steal?page=2>; rel="next"'
            return status, headers, payload

    fake = Elsewhere(token=TOKEN)
    monkeypatch.setenv("GITHUB_API_URL", fake.start())
    try:
        for i in range(3):
            fake.add(f"comment {i}", "alice")
        result = run(tmp_path, 20)
    finally:
        fake.stop()
    assert result.exit_code == 1
    assert "another host" in result.stderr and "not followed" in result.stderr
    assert [r.method for r in fake.requests] == ["GET"]


# -- the rules, on plain responses -------------------------------------------------------


def response(status: int, headers: dict[str, str], body: dict[str, Any] | None = None):
    return httpx.Response(
        status,
        headers=headers,
        json=body or {"message": "x"},
        request=httpx.Request("GET", "https://api.github.com/x"),
    )


def test_github_rate_limit_rules():
    gh = GitHub("https://api.github.com", TOKEN, "acme/infra", 7)
    gh.wall = lambda: 1_000_000.0
    assert gh.rate_limit_wait(response(403, {"Retry-After": "7"}), 0) == 7
    assert gh.rate_limit_wait(response(429, {"Retry-After": "3"}), 2) == 3
    reset = {"x-ratelimit-remaining": "0", "x-ratelimit-reset": "1000030"}
    assert gh.rate_limit_wait(response(403, reset), 0) == 31
    assert gh.rate_limit_wait(response(403, {}, SECONDARY), 0) == 60
    assert gh.rate_limit_wait(response(403, {}, SECONDARY), 1) == 120
    assert gh.rate_limit_wait(response(403, {}, {"message": "Resource not accessible"}), 0) is None
    assert gh.rate_limit_wait(response(404, {"Retry-After": "1"}), 0) is None


def test_api_url_rules():
    assert check_api_url("https://ghe.example.com/api/v3/", "X") == "https://ghe.example.com/api/v3"
    assert check_api_url("http://127.0.0.1:8080", "X") == "http://127.0.0.1:8080"
    assert check_api_url("http://localhost:8080", "X") == "http://localhost:8080"
    for bad in ("ftp://x", "api.github.com", "https://user:pw@x", "http://10.0.0.1"):
        with pytest.raises(PostError):
            check_api_url(bad, "X")


def test_an_incomplete_run_is_posted_and_exits_1(github, tmp_path):
    # The "no drift" comment of a first run must not stand once a kind cannot be read.
    assert run(tmp_path, 5).exit_code == 0
    world_ = world(5)
    world_["emulator"] = {"faults": [{"path": "/services", "status": 403, "reason": "forbidden"}]}
    path = tmp_path / "broken.json"
    path.write_text(json.dumps(world_))
    result = CliRunner().invoke(
        main,
        ["comment", "--project", wk.PROJECT, "--emulator", str(path)],
        catch_exceptions=False,
    )
    assert result.exit_code == 1, result.stderr
    (mine,) = github.own(MARKER)
    assert "Incomplete run" in mine["body"] and "No drift found." not in mine["body"]
    assert "drift: not checked:" in result.stderr
