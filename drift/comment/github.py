"""GitHub: a pull request's comments are its issue's comments (REST API, 2022-11-28).

Endpoints (the only ones called): `GET /repos/{owner}/{repo}/issues/{n}/comments`
(ascending ids, `Link` header paging), `POST` to the same path, and
`PATCH /repos/{owner}/{repo}/issues/comments/{id}`.

Configuration comes from the GitHub Actions environment: `GITHUB_TOKEN` (sent as
`Authorization: Bearer`), `GITHUB_API_URL` (default https://api.github.com; GitHub
Enterprise Server sets its own), `GITHUB_REPOSITORY` (`owner/repo`), and the pull
request number from `--pr` or the event file `GITHUB_EVENT_PATH`.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from typing import Any

import httpx

from drift.comment.post import Forge, PostError, check_api_url, reset_wait, retry_after

DEFAULT_API = "https://api.github.com"
_REPO = re.compile(r"^[A-Za-z0-9_.-]+/[A-Za-z0-9_.-]+$")


class GitHub(Forge):
    """One pull request's comments on GitHub."""

    name = "GitHub"
    update_method = "PATCH"

    def __init__(self, base: str, token: str, repo: str, number: int) -> None:
        super().__init__(base, token, f"pull request #{number} of {repo}")
        self.repo = repo
        self.number = number

    def headers(self) -> dict[str, str]:
        """Bearer token, GitHub's JSON media type and the API version."""
        return {
            "Authorization": f"Bearer {self.token}",
            "Accept": "application/vnd.github+json",
            "X-GitHub-Api-Version": "2022-11-28",
            "User-Agent": "drift-gcp",
        }

    def list_url(self) -> str:
        return f"{self.create_url()}?per_page=100"

    def create_url(self) -> str:
        return f"{self.base}/repos/{self.repo}/issues/{self.number}/comments"

    def item_url(self, comment_id: int) -> str:
        return f"{self.base}/repos/{self.repo}/issues/comments/{comment_id}"

    def counts(self, comment: dict[str, Any]) -> bool:
        """With an app token (`ghs_`: GITHUB_TOKEN in Actions) drift posts as a bot, so
        only a bot's comment can be drift's: a person who pastes the marker into a comment
        does not get it overwritten. A personal token posts as its person: any author."""
        if not self.token.startswith("ghs_"):
            return True
        user = comment.get("user")
        return isinstance(user, dict) and user.get("type") == "Bot"

    def rate_limit_wait(self, response: httpx.Response, attempt: int) -> float | None:
        """GitHub's rules: a 403 or 429 with `Retry-After` waits that long; with
        `x-ratelimit-remaining: 0`, until `x-ratelimit-reset`; a secondary limit without
        either waits a minute, doubling. Any other 403 is a permission error."""
        if response.status_code not in (403, 429):
            return None
        asked = retry_after(response, self.wall)
        if asked is not None:
            return asked
        if response.headers.get("x-ratelimit-remaining") == "0":
            reset = reset_wait(response, "x-ratelimit-reset", self.wall)
            if reset is not None:
                return reset
        if response.status_code == 429 or "rate limit" in response.text.lower():
            return 60.0 * 2.0**attempt
        return None

    def explain(self, response: httpx.Response, action: str) -> str:
        base = super().explain(response, action)
        if response.status_code == 401:
            return f"{base} Check GITHUB_TOKEN."
        if response.status_code == 403:
            return (
                f"{base} The token may not write comments: give the job "
                "`permissions: pull-requests: write` (a pull request from a fork gets a "
                "read-only token)."
            )
        if response.status_code == 404:
            return (
                f"{base} Check GITHUB_REPOSITORY, the pull request number and the token's access."
            )
        if 300 <= response.status_code < 400:
            return f"{base} Redirects are not followed; set GITHUB_API_URL to the API's address."
        return base

    def web_url(self, comment: dict[str, Any]) -> str | None:
        url = comment.get("html_url")
        return url if isinstance(url, str) and url.startswith("https://") else None


def pr_number(env: Mapping[str, str]) -> int | None:
    """The pull request number from the event file GitHub Actions writes, else None."""
    path = env.get("GITHUB_EVENT_PATH")
    if not path:
        return None
    try:
        with open(path, encoding="utf-8") as fh:
            event = json.load(fh)
    except (OSError, ValueError):
        return None
    if not isinstance(event, dict):
        return None
    candidates: list[Any] = []
    if isinstance(event.get("pull_request"), dict):
        candidates.append(event["pull_request"].get("number"))
    issue = event.get("issue")
    if isinstance(issue, dict) and issue.get("pull_request"):  # a comment on a pull request
        candidates.append(issue.get("number"))
    for n in candidates:
        if isinstance(n, int) and not isinstance(n, bool) and n > 0:
            return n
    return None


def from_env(env: Mapping[str, str], pr: int | None) -> GitHub:
    """The GitHub target of this run, or PostError naming what is missing."""
    token = env.get("GITHUB_TOKEN", "")
    if not token:
        raise PostError(
            "GITHUB_TOKEN is not set; in a workflow pass `env: GITHUB_TOKEN: "
            "${{ github.token }}` to the step (with `permissions: pull-requests: write`)."
        )
    base = check_api_url(env.get("GITHUB_API_URL") or DEFAULT_API, "GITHUB_API_URL")
    repo = env.get("GITHUB_REPOSITORY", "")
    if not _REPO.match(repo):
        raise PostError(f"GITHUB_REPOSITORY must be owner/repo, got {repo!r}.")
    number = pr or pr_number(env)
    if number is None:
        raise PostError(
            "no pull request to comment on: GITHUB_EVENT_PATH holds no pull_request event "
            "(a push or scheduled run?); pass --pr N, or use `drift diff` outside pull requests."
        )
    return GitHub(base, token, repo, number)
