"""What every collector shares: clients, rate budgets, retries and paging."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from google.protobuf import json_format

from drift.collectors import guard, protojson
from drift.collectors.answers import BadResponse, Check, short
from drift.collectors.budget import Budgets
from drift.collectors.clients import ClientFactory
from drift.collectors.retry import Deadline, RetryPolicy, call_with_retry

PAGE_SIZE = 500  # Google coerces larger requests down to each API's own maximum.
# The largest page an API documents, where it is larger: fewer pages, a shorter chain of
# requests that must wait for one another (10,000 secrets: 1 page instead of 20).
PAGE_SIZES = {"secretmanager": 25_000}  # ListSecrets, ListSecretVersions: capped at 25,000


def page_size(api: str) -> int:
    """How many items to ask for in one page of `api`'s lists."""
    return PAGE_SIZES.get(api, PAGE_SIZE)


def to_json(message: Any) -> dict[str, Any]:
    """A proto-plus message -> the API's own JSON shape (camelCase, enum names)."""
    data: dict[str, Any] = json_format.MessageToDict(type(message).pb(message))
    return data


class ListDeadline(Deadline):
    """All pages of one list share it; it starts when the first page is in."""

    def __init__(self, seconds: float) -> None:
        super().__init__(seconds)
        self.pages = 0

    def overrun(self) -> Exception:
        return BadResponse(
            guard.last_url(),
            None,
            f"the list did not end within {self.seconds:.3g} s (--retry-deadline; "
            f"{self.pages} pages read)",
            retryable=False,
            word="DEADLINE_EXCEEDED",
        )


class Pages:
    """The paging state of one list, which must end.

    A page token seen before means the list would never end (a caching proxy that
    ignores the query string, a server bug): that fails at once. A list that keeps
    handing out new tokens ends at the deadline all its pages share.
    """

    def __init__(self, deadline_s: float) -> None:
        self.until = ListDeadline(deadline_s)
        self._seen: set[str] = set()

    def next(self, token: str) -> str:
        """`token` as received; raises when the list has looped or run out of time."""
        self.until.pages += 1
        self.until.started = True
        if token in self._seen:
            raise BadResponse(
                guard.last_url(),
                None,
                f"the API returned page token {short(token, 40)!r} a second time, so the "
                f"list would never end (after {self.until.pages} pages); a caching proxy "
                "in between?",
                retryable=False,
            )
        if token and self.until.left() <= 0:
            raise self.until.overrun()
        if token:
            self._seen.add(token)
        return token


Page = tuple[str, list[dict[str, Any]]]  # the next page token, the items as dicts


def read_page(list_page: Callable[[str], Any], token: str, items_field: str) -> Callable[[], Page]:
    """The request for one page, and its items in the API's JSON shape.

    The pager's first page is already fetched, so `next(iter(pager.pages))` sends nothing
    more. The guard takes the items out of the answer as JSON (Attempt.take) and the
    client reads only the rest; protojson then gives each item as MessageToDict would
    have, without the protobuf round trip. Runs inside the attempt, so a malformed item
    is retried and reported like any answer the client library could not read.
    """

    def read() -> Page:
        att = guard.current()
        if att is not None:
            att.take = items_field
        page = next(iter(list_page(token).pages))
        if att is None or att.taken is None:  # not through a guarded session
            return page.next_page_token, [to_json(m) for m in getattr(page, items_field)]
        descriptor = protojson.item_descriptor(type(page), items_field)
        return page.next_page_token, protojson.canonical_items(att.taken, descriptor)

    return read


@dataclass
class ScanContext:
    clients: ClientFactory
    budgets: Budgets
    policy: RetryPolicy
    on_retry: Callable[[BaseException], None] | None = None
    # Told (api, region, error, seconds left) before each wait to retry: what the user sees.
    on_wait: Callable[[str, str | None, BaseException, float], None] | None = None
    requests_made: dict[str, int] = field(default_factory=dict)

    def call(
        self,
        api: str,
        region: str | None,
        fn: Callable[[], Any],
        expect: Check | None = None,
        until: Deadline | None = None,
        echo: bool = True,
    ) -> Any:
        """One budgeted, retried request; `expect` checks the shape of its 2xx answer,
        `until` is a deadline shared with other requests, `echo=False` keeps the answer
        out of error messages."""
        tell = self.on_wait
        return call_with_retry(
            fn,
            self.budgets.get(api, region),
            self.policy,
            self.on_retry,
            until=until,
            expect=expect,
            echo=echo,
            on_wait=(lambda err, left: tell(api, region, err, left)) if tell else None,
        )

    def pages(self) -> Pages:
        """Paging state for a new list: all its pages share one deadline."""
        return Pages(self.policy.deadline_s)

    def paged(
        self,
        api: str,
        region: str | None,
        list_page: Callable[[str], Any],
        items_field: str,
        expect: Check,
        on_page: Callable[[list[dict[str, Any]]], None] | None = None,
    ) -> list[dict[str, Any]]:
        """Follow nextPageToken; each page is one budgeted, retried request.

        `list_page(token)` calls a client's list method for one page (read_page);
        `expect` checks each page's JSON before the client reads it; `on_page` hears of
        each page's items as soon as they are in.
        """
        items: list[dict[str, Any]] = []
        pages = self.pages()
        token = ""
        while True:
            reader = read_page(list_page, token, items_field)
            token, got = self.call(api, region, reader, expect, pages.until)
            items.extend(got)
            if on_page is not None:
                on_page(got)
            token = pages.next(token)
            if not token:
                return items
