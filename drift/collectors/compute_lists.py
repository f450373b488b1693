"""Compute list calls shared by the Compute kinds: one global list plus one per region.

Compute clients are built (and google.cloud.compute_v1 imported) only here, through the
client factory, so a scan without Compute kinds never pays for that import.
"""

from __future__ import annotations

from typing import Any

from drift.collectors.answers import compute_list
from drift.collectors.context import PAGE_SIZE, ScanContext

# The `kind` every Compute list response carries (compute.v1 discovery: *List.kind).
LIST_KINDS = {
    "health_checks": "compute#healthCheckList",
    "backend_services": "compute#backendServiceList",
    "url_maps": "compute#urlMapList",
    "ssl_certificates": "compute#sslCertificateList",
    "target_https_proxies": "compute#targetHttpsProxyList",
}


def list_raw(
    ctx: ScanContext, kind: str, project: str, region: str | None
) -> list[dict[str, Any]]:
    """Every object of `kind` in `region` (None: the global collection), all pages.

    `kind` names the clients registered in drift.collectors.clients as
    `compute.<kind>` (global) and `compute.region_<kind>` (regional).
    """
    client = ctx.clients.get(f"compute.region_{kind}" if region else f"compute.{kind}")
    timeout = ctx.policy.attempt_timeout_s

    def list_page(token: str) -> Any:
        request: dict[str, Any] = {"project": project, "max_results": PAGE_SIZE}
        if region:
            request["region"] = region
        if token:  # compute's page_token is an optional field: "" would be sent
            request["page_token"] = token
        return client.list(request=request, retry=None, timeout=timeout)

    return ctx.paged("compute", region, list_page, "items", compute_list(LIST_KINDS[kind]))
