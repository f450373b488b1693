"""Collects Secret Manager secrets, and the versions of the few secrets that need them."""

from __future__ import annotations

from typing import Any

from drift.collectors.context import PAGE_SIZE, ScanContext


def list_raw(ctx: ScanContext, project: str, region: str | None) -> list[dict[str, Any]]:
    client = ctx.clients.get("secretmanager")
    timeout = ctx.policy.attempt_timeout_s
    return ctx.paged(
        "secretmanager",
        None,
        lambda token: client.list_secrets(
            request={"parent": f"projects/{project}", "page_size": PAGE_SIZE, "page_token": token},
            retry=None,
            timeout=timeout,
        ),
        "secrets",
    )


def list_versions(ctx: ScanContext, secret_name: str) -> list[dict[str, Any]]:
    """Versions' metadata only (state, names): a payload is never requested here."""
    client = ctx.clients.get("secretmanager")
    timeout = ctx.policy.attempt_timeout_s
    return ctx.paged(
        "secretmanager",
        None,
        lambda token: client.list_secret_versions(
            request={"parent": secret_name, "page_size": PAGE_SIZE, "page_token": token},
            retry=None,
            timeout=timeout,
        ),
        "versions",
    )
