"""GitLab: a merge request's notes (REST API v4).

Endpoints (the only ones called): `GET /projects/:id/merge_requests/:iid/notes`
(oldest first, paged by `Link` or `X-Next-Page`), `POST` to the same path, and
`PUT /projects/:id/merge_requests/:iid/notes/:note_id`. System notes ("added 1
commit") are never drift's.

Configuration comes from GitLab CI: `CI_API_V4_URL`, `CI_PROJECT_ID` (the merge
request's `CI_MERGE_REQUEST_PROJECT_ID` when set), `CI_MERGE_REQUEST_IID` (or `--pr`),
and a token. GitLab's authentication docs give each
kind of token its header: a personal, project or group access token in `GITLAB_TOKEN`
is sent as `PRIVATE-TOKEN`; without one, the job's `CI_JOB_TOKEN` as `JOB-TOKEN`. Job
tokens reach only some endpoints, and merge request notes have not been among them, so
a project access token (scope `api`) is what works today; the error says so.
"""

from __future__ import annotations

import re
import urllib.parse
from collections.abc import Mapping
from typing import Any

import httpx

from drift.comment.post import Forge, PostError, check_api_url, reset_wait, retry_after


class GitLab(Forge):
    """One merge request's notes on GitLab."""

    name = "GitLab"
    update_method = "PUT"

    def __init__(
        self, base: str, token: str, header: str, project: str, iid: int, web: str | None
    ) -> None:
        super().__init__(base, token, f"merge request !{iid} of project {project}")
        self.header = header
        self.project = urllib.parse.quote(project, safe="")  # a path `group/app` is one segment
        self.iid = iid
        self.web = web

    def headers(self) -> dict[str, str]:
        """The token in the header GitLab reads for its kind (see the module docstring)."""
        return {self.header: self.token, "Accept": "application/json", "User-Agent": "drift-gcp"}

    def list_url(self) -> str:
        return f"{self.create_url()}?sort=asc&order_by=created_at&per_page=100"

    def create_url(self) -> str:
        return f"{self.base}/projects/{self.project}/merge_requests/{self.iid}/notes"

    def item_url(self, comment_id: int) -> str:
        return f"{self.create_url()}/{comment_id}"

    def next_page(self, response: httpx.Response) -> str | None:
        """`Link: rel="next"` when GitLab sends one, else the `X-Next-Page` number."""
        link = super().next_page(response)
        if link:
            return link
        page = response.headers.get("x-next-page", "").strip()
        if not page.isdigit():
            return None  # empty on the last page
        url = urllib.parse.urlsplit(str(response.url))
        query = [(k, v) for k, v in urllib.parse.parse_qsl(url.query) if k != "page"]
        query.append(("page", page))
        return urllib.parse.urlunsplit(url._replace(query=urllib.parse.urlencode(query)))

    def counts(self, comment: dict[str, Any]) -> bool:
        return not comment.get("system")

    def rate_limit_wait(self, response: httpx.Response, attempt: int) -> float | None:
        """A 429 waits `Retry-After`, else until `RateLimit-Reset`, else a minute, doubling."""
        if response.status_code != 429:
            return None
        asked = retry_after(response, self.wall)
        if asked is not None:
            return asked
        reset = reset_wait(response, "ratelimit-reset", self.wall)
        return reset if reset is not None else 60.0 * 2**attempt

    def explain(self, response: httpx.Response, action: str) -> str:
        base = super().explain(response, action)
        if response.status_code in (401, 403):
            if self.header == "JOB-TOKEN":
                return (
                    f"{base} CI_JOB_TOKEN cannot write merge request notes; set GITLAB_TOKEN "
                    "to a project access token with the api scope (a masked CI/CD variable)."
                )
            return f"{base} Check GITLAB_TOKEN (an access token with the api scope)."
        if response.status_code == 404:
            return f"{base} Check CI_PROJECT_ID, the merge request IID and the token's access."
        if 300 <= response.status_code < 400:
            return f"{base} Redirects are not followed; set CI_API_V4_URL to the API's address."
        return base

    def web_url(self, comment: dict[str, Any]) -> str | None:
        cid = comment.get("id")
        if not self.web or not isinstance(cid, int):
            return None
        return f"{self.web}/-/merge_requests/{self.iid}#note_{cid}"


def from_env(env: Mapping[str, str], pr: int | None) -> GitLab:
    """The GitLab target of this run, or PostError naming what is missing."""
    api = env.get("CI_API_V4_URL", "")
    if not api:
        raise PostError("CI_API_V4_URL is not set (GitLab CI sets it in every job).")
    base = check_api_url(api, "CI_API_V4_URL")
    # The merge request's own project: in a pipeline for a fork's merge request, the
    # pipeline's project (CI_PROJECT_ID) may be the fork.
    project = env.get("CI_MERGE_REQUEST_PROJECT_ID") or env.get("CI_PROJECT_ID", "")
    if not project:
        raise PostError("CI_PROJECT_ID is not set (GitLab CI sets it in every job).")
    iid_text = env.get("CI_MERGE_REQUEST_IID", "")
    iid = pr or (int(iid_text) if iid_text.isdigit() and int(iid_text) > 0 else None)
    if iid is None:
        raise PostError(
            "no merge request to comment on: CI_MERGE_REQUEST_IID is not set (run the job in "
            "a merge request pipeline, `rules: - if: $CI_PIPELINE_SOURCE == "
            '"merge_request_event"`), or pass --pr IID.'
        )
    if env.get("GITLAB_TOKEN"):
        token, header = env["GITLAB_TOKEN"], "PRIVATE-TOKEN"
    elif env.get("CI_JOB_TOKEN"):
        token, header = env["CI_JOB_TOKEN"], "JOB-TOKEN"
    else:
        raise PostError(
            "no GitLab token: set GITLAB_TOKEN to a project access token with the api scope "
            "(CI_JOB_TOKEN is used when it is the only one)."
        )
    web = env.get("CI_MERGE_REQUEST_PROJECT_URL") or env.get("CI_PROJECT_URL", "")
    web_ok = re.match(r"^https?://[A-Za-z0-9._~:/%-]+$", web)
    return GitLab(base, token, header, project, iid, web.rstrip("/") if web_ok else None)
