"""One pull-request comment per project, created once and updated in place.

The flow (`upsert`): list every comment of the pull/merge request (following the pages),
take drift's own one for this project (its first line is the hidden marker
`<!-- drift:project=P -->`, drift/report/markdown.py), and update it; with none, create
one. Nothing else is edited or deleted, and only three endpoints are called: list,
create, update.

Requests go through `Session`: httpx with redirects off (the token is never sent to
another host), one connection pool across pages, and a total deadline. A rate limit is
waited out as the server asks (`Retry-After`, or the reset time), a 5xx or a dropped
connection is retried with backoff, each only while the deadline allows. A create that
may or may not have reached the server (a timeout after sending, a 5xx) is not simply
sent again: the comments are listed again first, so a retry never makes a second comment.

Every message raised here is one sentence without the token: `PostError` scrubs it.
"""

from __future__ import annotations

import email.utils
import ipaddress
import time
import urllib.parse
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import httpx

MAX_PAGES = 100  # with 100 comments a page: 10,000 comments
REQUEST_TIMEOUT_S = 30.0
MESSAGE_LIMIT = 200  # characters of a server's message quoted in an error


class PostError(Exception):
    """Why the comment could not be posted, in one sentence that holds no token."""


class Unsure(PostError):
    """A create that may have reached the server: list again before creating again."""


def scrub(text: str, secret: str) -> str:
    """`text` with every occurrence of `secret` replaced by `***`."""
    return text.replace(secret, "***") if secret else text


def check_api_url(url: str, name: str) -> str:
    """The API base URL without a trailing slash; https, or http to this machine only
    (a token must not cross a network in clear)."""
    parts = urllib.parse.urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise PostError(
            f"{name} must be an http(s) URL such as https://api.github.com, got {url!r}."
        )
    if parts.scheme == "http" and not _loopback(parts.hostname):
        raise PostError(
            f"{name} {url} is plain http to another machine, which would send the token in "
            "clear; use https (http is accepted for 127.0.0.1/localhost only)."
        )
    if parts.query or parts.fragment or parts.username or parts.password:
        raise PostError(f"{name} must be a base URL without query, fragment or credentials.")
    return url.rstrip("/")


def _loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def retry_after(response: httpx.Response, wall: Callable[[], float]) -> float | None:
    """Seconds asked by a `Retry-After` header (a number or an HTTP date), else None."""
    value = response.headers.get("retry-after", "").strip()
    if not value:
        return None
    if value.isdigit():
        return float(value)
    try:
        when = email.utils.parsedate_to_datetime(value).timestamp()
    except (TypeError, ValueError, IndexError, OverflowError):
        return None
    return max(0.0, when - wall())


def reset_wait(response: httpx.Response, header: str, wall: Callable[[], float]) -> float | None:
    """Seconds until the UTC epoch time in `header` (a rate limit's reset), else None."""
    value = response.headers.get(header, "").strip()
    if not value.isdigit():
        return None
    return max(0.0, float(value) - wall()) + 1.0  # the reset second itself is still limited


def server_message(response: httpx.Response) -> str:
    """The `message` (or `error`) a forge's JSON error carries, cut short; else the reason."""
    try:
        data = response.json()
    except ValueError:
        data = None
    text = ""
    if isinstance(data, dict):
        text = str(data.get("message") or data.get("error") or "")
    text = " ".join(text.split()) or response.reason_phrase
    return text if len(text) <= MESSAGE_LIMIT else text[:MESSAGE_LIMIT] + "..."


class Forge:
    """What differs between GitHub and GitLab (drift/comment/github.py, gitlab.py)."""

    name = "forge"
    update_method = "PATCH"

    def __init__(self, base: str, token: str, where: str) -> None:
        self.base = base
        self.token = token
        self.where = where  # "pull request #7 of owner/repo", in messages
        self.wall: Callable[[], float] = time.time  # rate-limit resets are epoch seconds

    def headers(self) -> dict[str, str]:
        """Authentication and content headers sent with every request."""
        raise NotImplementedError

    def list_url(self) -> str:
        """The first page of the comments (creating one posts to the same path)."""
        raise NotImplementedError

    def create_url(self) -> str:
        """Where a new comment is posted."""
        raise NotImplementedError

    def item_url(self, comment_id: int) -> str:
        """Where one comment is updated."""
        raise NotImplementedError

    def next_page(self, response: httpx.Response) -> str | None:
        """The next page's URL (`Link: <...>; rel="next"`), else None."""
        link = response.links.get("next", {}).get("url")
        return urllib.parse.urljoin(str(response.url), link) if link else None

    def counts(self, comment: dict[str, Any]) -> bool:
        """Whether a listed comment can be drift's (GitLab: not a system note)."""
        return True

    def rate_limit_wait(self, response: httpx.Response, attempt: int) -> float | None:
        """Seconds to wait when `response` is a rate limit, else None."""
        raise NotImplementedError

    def explain(self, response: httpx.Response, action: str) -> str:
        """One sentence for a refused request: what failed, the server's words, the fix."""
        return (
            f"{self.name} answered {response.status_code} {server_message(response)} when "
            f"asked to {action} {self.where}."
        )

    def web_url(self, comment: dict[str, Any]) -> str | None:
        """The comment's address on the web, when known."""
        return None


@dataclass(frozen=True)
class Posted:
    """What `upsert` did: `created`, `updated` or `unchanged` comment `id`."""

    action: str
    id: int
    url: str | None


class Session:
    """Requests to one forge within a total deadline (see the module docstring)."""

    def __init__(
        self,
        forge: Forge,
        deadline_s: float,
        notice: Callable[[str], None] = lambda _msg: None,
        sleep: Callable[[float], None] = time.sleep,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.forge = forge
        self.deadline_s = deadline_s
        self.notice = notice
        self.sleep = sleep
        self.clock = clock
        self.ends = clock() + deadline_s
        origin = urllib.parse.urlsplit(forge.base)
        self.origin = (origin.scheme, origin.netloc.lower())
        # Redirects stay off: following one would send the token to wherever it points.
        self.client = httpx.Client(headers=forge.headers(), follow_redirects=False)

    def close(self) -> None:
        """Close the connection pool."""
        self.client.close()

    def check_origin(self, url: str) -> str:
        """`url` if it is on the API's own scheme and host (a page link), else PostError."""
        parts = urllib.parse.urlsplit(url)
        if (parts.scheme, parts.netloc.lower()) != self.origin:
            raise PostError(
                f"{self.forge.name} pointed the next page of comments at another host "
                f"({parts.scheme}://{parts.netloc}); not followed, so the token stays with "
                f"{self.forge.base}."
            )
        return url

    def request(
        self, method: str, url: str, body: dict[str, Any] | None = None, sure: bool = True
    ) -> httpx.Response:
        """Send one request, waiting out rate limits and retrying 5xx and dropped
        connections within the deadline; any other answer is returned as it is.

        `sure=False` (a create): a failure after the request may have been sent raises
        Unsure instead of sending it again.
        """
        attempt = 0
        while True:
            left = self.ends - self.clock()
            if left <= 0:
                raise PostError(self._late())
            try:
                response = self.client.request(
                    method, url, json=body, timeout=min(REQUEST_TIMEOUT_S, left)
                )
            except httpx.TransportError as err:
                # Nothing was sent when the connection could not be made: always safe.
                unsent = isinstance(err, httpx.ConnectError | httpx.ConnectTimeout)
                reason = f"{type(err).__name__}: {scrub(str(err), self.forge.token)}".rstrip(": ")
                if not sure and not unsent:
                    raise Unsure(f"{self.forge.name} did not answer ({reason}).") from None
                wait = min(2.0**attempt, 30.0)
            else:
                limited = self.forge.rate_limit_wait(response, attempt)
                if limited is not None:
                    wait, reason = limited, f"rate limited ({response.status_code})"
                elif response.status_code >= 500:
                    reason = f"{response.status_code} {server_message(response)}"
                    if not sure:
                        raise Unsure(f"{self.forge.name} answered {reason}.")
                    wait = min(2.0**attempt, 30.0)
                else:
                    return response
            left = self.ends - self.clock()
            if wait > left:
                raise PostError(
                    f"{self.forge.name} asked to wait {wait:.0f} s ({reason}), past the "
                    f"{self.deadline_s:g} s --post-deadline; nothing more was sent."
                )
            self.notice(f"drift: {self.forge.name}: {reason}; retrying in {wait:.0f} s")
            self.sleep(wait)
            attempt += 1

    def _late(self) -> str:
        return (
            f"{self.forge.name} did not finish answering within the {self.deadline_s:g} s "
            "--post-deadline."
        )


def first_line(body: Any) -> str:
    """A comment body's first line, stripped (the marker line of drift's own comments)."""
    return body.split("\n", 1)[0].strip() if isinstance(body, str) else ""


def list_comments(session: Session) -> list[dict[str, Any]]:
    """Every comment of the pull/merge request, following the pages."""
    forge = session.forge
    url = forge.list_url()
    seen = {url}
    out: list[dict[str, Any]] = []
    for _ in range(MAX_PAGES):
        response = session.request("GET", url)
        if response.status_code != 200:
            raise PostError(forge.explain(response, "list the comments of"))
        try:
            items = response.json()
        except ValueError:
            items = None
        if not isinstance(items, list):
            raise PostError(
                f"{forge.name} answered the comment list of {forge.where} with something "
                "that is not a list of comments; check the API URL."
            )
        out.extend(item for item in items if isinstance(item, dict))
        nxt = forge.next_page(response)
        if not nxt:
            return out
        url = session.check_origin(nxt)
        if url in seen:
            raise PostError(f"{forge.name} pages the comments of {forge.where} in a loop.")
        seen.add(url)
    raise PostError(
        f"{forge.where} has more than {MAX_PAGES} pages of comments; drift stopped looking "
        "for its own comment rather than post a second one."
    )


def find_own(comments: list[dict[str, Any]], marker: str, forge: Forge) -> dict[str, Any] | None:
    """drift's comment for this project: the newest whose first line is `marker`."""
    own = [
        c
        for c in comments
        if forge.counts(c) and first_line(c.get("body")) == marker and isinstance(c.get("id"), int)
    ]
    return max(own, key=lambda c: c["id"]) if own else None


def _ok(response: httpx.Response) -> dict[str, Any] | None:
    if response.status_code not in (200, 201):
        return None
    try:
        data = response.json()
    except ValueError:
        return {}
    return data if isinstance(data, dict) else {}


def upsert(session: Session, body: str, marker: str) -> Posted:
    """Update drift's comment for this project to `body`, or create it (see module doc)."""
    forge = session.forge
    unsure: Unsure | None = None
    for attempt in range(3):
        if attempt:
            session.sleep(min(0.5 * attempt, max(0.0, session.ends - session.clock())))
        own = find_own(list_comments(session), marker, forge)
        if own is not None:
            if own.get("body") == body:
                return Posted("unchanged", own["id"], forge.web_url(own))
            response = session.request(
                forge.update_method, forge.item_url(own["id"]), {"body": body}
            )
            done = _ok(response)
            if done is not None:
                return Posted("updated", own["id"], forge.web_url(done or own))
            if response.status_code != 404:  # 404: deleted since it was listed; create one
                raise PostError(forge.explain(response, "update drift's comment on"))
        try:
            response = session.request("POST", forge.create_url(), {"body": body}, sure=False)
        except Unsure as err:
            unsure = err
            continue
        done = _ok(response)
        if done is None:
            raise PostError(forge.explain(response, "comment on"))
        cid = done.get("id")
        return Posted("created", cid if isinstance(cid, int) else 0, forge.web_url(done))
    assert unsure is not None
    raise PostError(f"{unsure} (creating the comment, three times)")
