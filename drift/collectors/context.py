"""What every collector shares: clients, rate budgets, retries and paging."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from google.protobuf import json_format

from drift.collectors.budget import Budgets
from drift.collectors.clients import ClientFactory
from drift.collectors.retry import RetryPolicy, call_with_retry

PAGE_SIZE = 500  # Google coerces larger requests down to each API's own maximum.


def to_json(message: Any) -> dict[str, Any]:
    """A proto-plus message -> the API's own JSON shape (camelCase, enum names)."""
    return json_format.MessageToDict(type(message).pb(message))


@dataclass
class ScanContext:
    clients: ClientFactory
    budgets: Budgets
    policy: RetryPolicy
    on_retry: Callable[[BaseException], None] | None = None
    requests_made: dict[str, int] = field(default_factory=dict)

    def call(self, api: str, region: str | None, fn: Callable[[], Any]) -> Any:
        return call_with_retry(fn, self.budgets.get(api, region), self.policy, self.on_retry)

    def paged(
        self,
        api: str,
        region: str | None,
        list_page: Callable[[str], Any],
        items_field: str,
    ) -> list[dict[str, Any]]:
        """Follow nextPageToken; each page is one budgeted, retried request.

        `list_page(token)` calls a client's list method for one page; the pager's first
        page is already fetched, so `next(iter(pager.pages))` sends nothing more.
        """
        items: list[dict[str, Any]] = []
        token = ""
        while True:
            page = self.call(api, region, lambda t=token: next(iter(list_page(t).pages)))
            items.extend(to_json(m) for m in getattr(page, items_field))
            token = page.next_page_token
            if not token:
                return items
