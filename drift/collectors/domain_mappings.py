"""Collects Cloud Run domain mappings (Admin API v1) of one region.

There is no GAPIC client for Admin API v1, so this reads the REST API with google-auth's
AuthorizedSession (see docs/operations.md): `projects.locations.domainmappings.list`,
which keeps the region in the path, on the regional host live. Paging follows
`metadata.continue` (sent back as `continue=`), not `nextPageToken`.
"""

from __future__ import annotations

import functools
from typing import Any

from google.api_core import exceptions as gexc

from drift.collectors.answers import domain_mapping_list
from drift.collectors.context import PAGE_SIZE, ScanContext


def base_url(endpoint: str | None, region: str) -> str:
    """The endpoint override as given, else the regional host (spec/cli.md)."""
    return endpoint or f"https://{region}-run.googleapis.com"


def list_url(endpoint: str | None, project: str, region: str) -> str:
    return f"{base_url(endpoint, region)}/v1/projects/{project}/locations/{region}/domainmappings"


def get_json(session: Any, url: str, params: dict[str, Any], timeout: float) -> dict[str, Any]:
    """One GET; a non-2xx answer raises the same google.api_core exception a GAPIC client
    would (Forbidden, TooManyRequests, ServiceUnavailable, ...), so the shared retry and
    describe_error treat it like every other API. The session's guard (collectors/guard.py)
    has already checked a 2xx body is a DomainMappingList-shaped JSON object."""
    resp = session.get(url, params=params, timeout=timeout)
    if not 200 <= resp.status_code < 300:
        raise gexc.from_http_response(resp)
    body: dict[str, Any] = resp.json()
    return body


def list_raw(ctx: ScanContext, project: str, region: str | None) -> list[dict[str, Any]]:
    if region is None:
        raise ValueError("domain mappings are listed per region")
    session = ctx.clients.session()
    url = list_url(ctx.clients.endpoint, project, region)
    timeout = ctx.policy.attempt_timeout_s
    items: list[dict[str, Any]] = []
    pages = ctx.pages()
    token = ""
    while True:
        params: dict[str, Any] = {"limit": PAGE_SIZE}
        if token:
            params["continue"] = token
        page = ctx.call(
            "run",
            region,
            functools.partial(get_json, session, url, params, timeout),
            domain_mapping_list,
            pages.until,
        )
        items.extend(page.get("items") or [])
        token = pages.next((page.get("metadata") or {}).get("continue") or "")
        if not token:
            return items
