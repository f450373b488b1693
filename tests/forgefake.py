"""Loopback fakes of GitHub's issue-comment API and GitLab's merge-request notes API.

Each is a small http.server in a thread on 127.0.0.1 that keeps comments in memory,
checks the token header on every request, pages lists (2 a page, as a real forge would
with many comments), and records every request so a test can assert which endpoints
were called. `fail_next` queues canned answers (a rate limit, a 5xx) for the next
matching request. Anything else than the comment endpoints is answered 404 and recorded
as unexpected.
"""

from __future__ import annotations

import json
import re
import threading
import urllib.parse
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

PAGE = 2


@dataclass
class Canned:
    """An answer given once to the next request matching `method` (and `path_re`)."""

    method: str
    status: int
    headers: dict[str, str]
    body: dict[str, Any]
    path_re: str = ".*"
    then_apply: bool = False  # do the real work first, then answer this (a lost answer)


@dataclass
class Seen:
    method: str
    path: str
    authorized: bool
    status: int = 0


@dataclass
class FakeForge:
    """State shared by the handler threads; subclasses define the routes."""

    token: str
    comments: list[dict[str, Any]] = field(default_factory=list)
    requests: list[Seen] = field(default_factory=list)
    unexpected: list[str] = field(default_factory=list)
    canned: list[Canned] = field(default_factory=list)
    next_id: int = 1000
    lock: threading.Lock = field(default_factory=threading.Lock)
    server: ThreadingHTTPServer | None = None
    bot: str = "drift-bot"

    # -- lifecycle -----------------------------------------------------------------
    def start(self) -> str:
        fake = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args: Any) -> None:  # keep test output clean
                pass

            def do_GET(self) -> None:
                fake.handle(self, "GET")

            def do_POST(self) -> None:
                fake.handle(self, "POST")

            def do_PATCH(self) -> None:
                fake.handle(self, "PATCH")

            def do_PUT(self) -> None:
                fake.handle(self, "PUT")

            def do_DELETE(self) -> None:
                fake.handle(self, "DELETE")

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        # A short poll keeps stop() quick (serve_forever checks for shutdown this often).
        threading.Thread(target=self.server.serve_forever, args=(0.02,), daemon=True).start()
        return f"http://127.0.0.1:{self.server.server_address[1]}"

    def stop(self) -> None:
        if self.server is not None:
            self.server.shutdown()
            self.server.server_close()

    @property
    def base(self) -> str:
        assert self.server is not None
        return f"http://127.0.0.1:{self.server.server_address[1]}"

    # -- helpers for subclasses ---------------------------------------------------------
    def add(self, body: str, user: str, **extra: Any) -> dict[str, Any]:
        """A comment by `user` (seeded, or created through the API)."""
        with self.lock:
            self.next_id += 7
            comment = {"id": self.next_id, "body": body, **self.user_fields(user), **extra}
            self.comments.append(comment)
            return comment

    def user_fields(self, user: str) -> dict[str, Any]:
        raise NotImplementedError

    def authorized(self, handler: BaseHTTPRequestHandler) -> bool:
        raise NotImplementedError

    def route(
        self,
        handler: BaseHTTPRequestHandler,
        method: str,
        path: str,
        query: dict[str, str],
        body: Any,
    ) -> tuple[int, dict[str, str], Any]:
        raise NotImplementedError

    def handle(self, handler: BaseHTTPRequestHandler, method: str) -> None:
        url = urllib.parse.urlsplit(handler.path)
        query = dict(urllib.parse.parse_qsl(url.query))
        length = int(handler.headers.get("Content-Length") or 0)
        raw = handler.rfile.read(length) if length else b""
        body = json.loads(raw) if raw else None
        seen = Seen(method, handler.path, self.authorized(handler))
        self.requests.append(seen)
        if not seen.authorized:
            status, headers, payload = 401, {}, {"message": "Bad credentials"}
        else:
            canned = self.take_canned(method, url.path)
            if canned is not None and not canned.then_apply:
                status, headers, payload = canned.status, canned.headers, canned.body
            else:
                status, headers, payload = self.route(handler, method, url.path, query, body)
                if canned is not None:
                    status, headers, payload = canned.status, canned.headers, canned.body
        seen.status = status
        data = json.dumps(payload).encode()
        handler.send_response(status)
        handler.send_header("Content-Type", "application/json")
        handler.send_header("Content-Length", str(len(data)))
        for name, value in headers.items():
            handler.send_header(name, value)
        handler.end_headers()
        handler.wfile.write(data)

    def take_canned(self, method: str, path: str) -> Canned | None:
        with self.lock:
            for i, canned in enumerate(self.canned):
                if canned.method == method and re.search(canned.path_re, path):
                    return self.canned.pop(i)
        return None

    def page(self, page: int) -> list[dict[str, Any]]:
        with self.lock:
            ordered = sorted(self.comments, key=lambda c: c["id"])
        return ordered[(page - 1) * PAGE : page * PAGE]

    def pages(self) -> int:
        return max(1, -(-len(self.comments) // PAGE))

    def find(self, cid: int) -> dict[str, Any] | None:
        return next((c for c in self.comments if c["id"] == cid), None)

    def own(self, marker: str) -> list[dict[str, Any]]:
        """The bot's comments whose first line is `marker`."""
        return [
            c
            for c in self.comments
            if c["body"].split("\n")[0] == marker and self.author(c) == self.bot
        ]

    def author(self, comment: dict[str, Any]) -> str:
        raise NotImplementedError


class FakeGitHub(FakeForge):
    """/repos/{owner}/{repo}/issues/{n}/comments and /repos/{o}/{r}/issues/comments/{id}."""

    repo = "acme/infra"
    number = 7

    def user_fields(self, user: str) -> dict[str, Any]:
        return {"user": {"login": user, "type": "Bot" if user == self.bot else "User"}}

    def authorized(self, handler: BaseHTTPRequestHandler) -> bool:
        return handler.headers.get("Authorization") == f"Bearer {self.token}"

    def author(self, comment: dict[str, Any]) -> str:
        return comment["user"]["login"]

    def route(self, handler, method, path, query, body):  # type: ignore[no-untyped-def]
        list_path = f"/repos/{self.repo}/issues/{self.number}/comments"
        item = re.fullmatch(rf"/repos/{self.repo}/issues/comments/(\d+)", path)
        if path == list_path and method == "GET":
            page = int(query.get("page", "1"))
            headers = {}
            if page < self.pages():
                nxt = dict(query, page=str(page + 1))
                last = dict(query, page=str(self.pages()))
                headers["Link"] = (
                    f'<{self.base}{list_path}?{urllib.parse.urlencode(nxt)}>; rel="next", '
                    f'<{self.base}{list_path}?{urllib.parse.urlencode(last)}>; rel="last"'
                )
            return 200, headers, [self.shown(c) for c in self.page(page)]
        if path == list_path and method == "POST":
            comment = self.add(body["body"], self.bot)
            return 201, {}, self.shown(comment)
        if item and method == "PATCH":
            comment = self.find(int(item.group(1)))
            if comment is None:
                return 404, {}, {"message": "Not Found"}
            if comment["user"]["login"] != self.bot:
                return 403, {}, {"message": "Must have admin rights to Repository."}
            comment["body"] = body["body"]
            return 200, {}, self.shown(comment)
        self.unexpected.append(f"{method} {path}")
        return 404, {}, {"message": "Not Found"}

    def shown(self, comment: dict[str, Any]) -> dict[str, Any]:
        return {
            **comment,
            "html_url": f"https://github.com/{self.repo}/pull/{self.number}"
            f"#issuecomment-{comment['id']}",
        }


class FakeGitLab(FakeForge):
    """/api/v4/projects/:id/merge_requests/:iid/notes[/:note_id]."""

    project = "4242"
    iid = 5
    header = "PRIVATE-TOKEN"
    paging = "x-next-page"  # or "link"

    def user_fields(self, user: str) -> dict[str, Any]:
        return {"author": {"username": user}, "system": False}

    def authorized(self, handler: BaseHTTPRequestHandler) -> bool:
        return handler.headers.get(self.header) == self.token

    def author(self, comment: dict[str, Any]) -> str:
        return comment["author"]["username"]

    def route(self, handler, method, path, query, body):  # type: ignore[no-untyped-def]
        list_path = f"/api/v4/projects/{self.project}/merge_requests/{self.iid}/notes"
        item = re.fullmatch(rf"{list_path}/(\d+)", path)
        if path == list_path and method == "GET":
            if query.get("sort") != "asc":
                self.unexpected.append("GET notes without sort=asc")
            page = int(query.get("page", "1"))
            headers = {"X-Page": str(page), "X-Total-Pages": str(self.pages())}
            more = page < self.pages()
            if self.paging == "x-next-page":
                headers["X-Next-Page"] = str(page + 1) if more else ""
            elif more:
                nxt = dict(query, page=str(page + 1))
                url = f"{self.base}{list_path}?{urllib.parse.urlencode(nxt)}"
                headers["Link"] = f'<{url}>; rel="next"'
            return 200, headers, self.page(page)
        if path == list_path and method == "POST":
            return 201, {}, self.add(body["body"], self.bot)
        if item and method == "PUT":
            note = self.find(int(item.group(1)))
            if note is None:
                return 404, {}, {"message": "404 Not found"}
            if note["author"]["username"] != self.bot:
                return 403, {}, {"message": "403 Forbidden"}
            note["body"] = body["body"]
            return 200, {}, note
        self.unexpected.append(f"{method} {path}")
        return 404, {}, {"message": "404 Not found"}
