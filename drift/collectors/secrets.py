"""Collects Secret Manager secrets, and the versions of the few secrets that need them."""

from __future__ import annotations

import hashlib
from typing import Any

from drift.collectors.answers import access_answer, gapic_list
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
        gapic_list("secrets", ("totalSize",)),
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
        gapic_list("versions", ("totalSize",)),
    )


def latest_enabled(versions: list[dict[str, Any]]) -> str | None:
    """Name of the most recently created ENABLED version (what `sha256` describes)."""

    def created(v: dict[str, Any]) -> tuple[str, int]:
        tail = str(v.get("name", "")).rsplit("/", 1)[-1]
        return (str(v.get("createTime") or ""), int(tail) if tail.isdigit() else -1)

    enabled = [v for v in versions if v.get("state") == "ENABLED" and v.get("name")]
    return str(max(enabled, key=created)["name"]) if enabled else None


def payload_digest(ctx: ScanContext, version_name: str) -> str:
    """`sha256:<hex>` of one version's payload (only with --read-secret-digests).

    The payload lives only inside `fetch`: it is hashed there and the response dropped at
    once, so no plaintext is returned, logged, stored or kept in a Resource.
    """
    client = ctx.clients.get("secretmanager")
    timeout = ctx.policy.attempt_timeout_s

    def fetch() -> str:
        response = client.access_secret_version(name=version_name, retry=None, timeout=timeout)
        digest = "sha256:" + hashlib.sha256(response.payload.data).hexdigest()
        del response
        return digest

    # access_answer rejects a payload that is not strict base64 or fails its checksum
    # before the client decodes it (protobuf's JSON parser is lenient about base64).
    return ctx.call("secretmanager", None, fetch, access_answer, echo=False)
