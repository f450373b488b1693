"""Collects Serverless VPC Access connectors of one region."""

from __future__ import annotations

from typing import Any

from drift.collectors.answers import gapic_list
from drift.collectors.context import PAGE_SIZE, ScanContext


def list_raw(ctx: ScanContext, project: str, region: str | None) -> list[dict[str, Any]]:
    client = ctx.clients.get("vpcaccess")
    parent = f"projects/{project}/locations/{region}"
    timeout = ctx.policy.attempt_timeout_s
    return ctx.paged(
        "vpcaccess",
        region,
        lambda token: client.list_connectors(
            request={"parent": parent, "page_size": PAGE_SIZE, "page_token": token},
            retry=None,
            timeout=timeout,
        ),
        "connectors",
        gapic_list("connectors"),
    )
