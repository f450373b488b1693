"""The generic collector: lists any kind from its spec's source (drift/kinds/spec.py).

- `GapicList`: a generated client's list method, one request per page (`nextPageToken`);
- `ComputeList`: Compute's global list, or a region's, each page checked for its `kind`;
- `CustomList`: a function of drift.collectors for an API without a generated client.

Every page is one budgeted, retried request (ScanContext.call): retries, rate budgets and
the list deadline are the same for every kind; what fails for good is raised, and the
scan turns it into a `not_checked` value.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable
from typing import Any

import requests
from google.api_core import exceptions as gexc
from google.auth import exceptions as auth_exc

from drift.collectors.answers import BadResponse, compute_list, gapic_list
from drift.collectors.clients import client_name
from drift.collectors.context import PAGE_SIZE, ScanContext, page_size
from drift.kinds.spec import ComputeList, CustomList, GapicList, KindSpec

Lister = Callable[[ScanContext, str, "str | None"], list[dict[str, Any]]]


OnPage = Callable[[list[dict[str, Any]]], None]


def list_raw(
    ctx: ScanContext,
    spec: KindSpec,
    project: str,
    region: str | None,
    on_page: OnPage | None = None,
) -> list[dict[str, Any]]:
    """Every raw object of `spec`'s kind in `region` (None: its global scope), all pages;
    `on_page` hears of each page's objects as soon as it is in (a custom list's, at once
    when it ends)."""
    source = spec.source
    if isinstance(source, GapicList):
        return _gapic(ctx, spec.api, source, project, region, on_page)
    if isinstance(source, ComputeList):
        return _compute(ctx, spec.api, source, project, region, on_page)
    items = custom_function(source)(ctx, project, region)
    if on_page is not None:
        on_page(items)
    return items


class RequestNotBuilt(ValueError):
    """A generated client refused to build a request ("Invalid request": a project or
    region that does not fit the method's URL template): the kind cannot be read there."""


#: What reading a kind may fail with for good: Google's and google-auth's errors, the
#: transport's, an answer that is not data, a request the client could not build. Any
#: other exception is a bug in drift and must fail the run, never read as not_checked.
COLLECT_ERRORS: tuple[type[BaseException], ...] = (
    gexc.GoogleAPIError,
    auth_exc.GoogleAuthError,
    requests.exceptions.RequestException,
    BadResponse,
    RequestNotBuilt,
)


def gapic_call(method: Callable[..., Any], request: dict[str, Any], timeout: float) -> Any:
    """One page of a generated client's list method, without the client's own retries
    (drift retries itself, within the rate budget)."""
    try:
        return method(request=request, retry=None, timeout=timeout)
    except ValueError as err:
        if str(err).startswith("Invalid request"):
            raise RequestNotBuilt(str(err)) from err
        raise


def custom_function(source: CustomList) -> Lister:
    """The function a `CustomList` names (`module:function`)."""
    module, _, name = source.function.partition(":")
    fn: Lister = getattr(importlib.import_module(module), name)
    return fn


def _gapic(
    ctx: ScanContext,
    api: str,
    source: GapicList,
    project: str,
    region: str | None,
    on_page: OnPage | None = None,
) -> list[dict[str, Any]]:
    client = ctx.clients.get(client_name(source.module, source.client))
    method = getattr(client, source.method)
    parent = source.parent.format(project=project, region=region)
    timeout = ctx.policy.attempt_timeout_s
    size = page_size(api)

    def list_page(token: str) -> Any:
        request = {"parent": parent, "page_size": size, "page_token": token}
        return gapic_call(method, request, timeout)

    check = gapic_list(source.items, source.extra)
    return ctx.paged(api, region, list_page, source.items, check, on_page)


def _compute(
    ctx: ScanContext,
    api: str,
    source: ComputeList,
    project: str,
    region: str | None,
    on_page: OnPage | None = None,
) -> list[dict[str, Any]]:
    """Compute clients are built (and google.cloud.compute_v1 imported) only here, through
    the client factory, so a scan without Compute kinds never pays for that import."""
    cls = source.region_client if region else source.client
    client = ctx.clients.get(client_name(source.module, cls))
    timeout = ctx.policy.attempt_timeout_s

    def list_page(token: str) -> Any:
        request: dict[str, Any] = {"project": project, "max_results": PAGE_SIZE}
        if region:
            request["region"] = region
        if token:  # compute's page_token is an optional field: "" would be sent
            request["page_token"] = token
        return client.list(request=request, retry=None, timeout=timeout)

    return ctx.paged(api, region, list_page, "items", compute_list(source.list_kind), on_page)
