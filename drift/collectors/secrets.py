"""Secret Manager's follow-up step (drift/kinds/secrets.py): versions, then digests.

Secrets themselves are listed by the generic collector; this step then lists the
versions (metadata only: states, names) of the few secrets that need them, and with
--read-secret-digests reads the latest enabled payload of the secrets that declare
`sha256`, keeping only its digest.
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping
from typing import Any

from drift.collectors.answers import access_answer, gapic_list
from drift.collectors.clients import client_name
from drift.collectors.context import PAGE_SIZE, ScanContext
from drift.collectors.followup import FollowUp
from drift.collectors.lister import gapic_call
from drift.normalize.resources import referenced_secrets

CLIENT = client_name("google.cloud.secretmanager", "SecretManagerServiceClient")


def follow_up(step: FollowUp) -> list[Mapping[str, Any]]:
    """{versions, sha256} per listed secret, for those that need them (else {})."""
    names = {str(s.get("name", "")).rsplit("/", 1)[-1]: str(s.get("name")) for s in step.items}
    wanted = set(step.version_secrets) | referenced_secrets(step.others)
    if step.settings.all_secret_versions:  # `drift baseline init` declares every count
        wanted |= set(names)
    wanted = {sid for sid in wanted if sid in names}
    versions = step.each("versions", lambda sid: list_versions(step.ctx, names[sid]), wanted)
    digests: dict[str, Any] = {}
    if step.settings.read_secret_digests and step.digest_secrets:
        to_read = {sid for sid in step.digest_secrets if sid in versions}
        digests = step.each("sha256", lambda sid: _digest(step.ctx, versions[sid]), to_read)
    out: list[Mapping[str, Any]] = []
    for sid in (str(s.get("name", "")).rsplit("/", 1)[-1] for s in step.items):
        extra: dict[str, Any] = {}
        if sid in versions:
            extra["versions"] = versions[sid]
        if sid in digests:  # None: no enabled version, so nothing to compare with
            extra["sha256"] = digests[sid]
        out.append(extra)
    return out


def list_versions(ctx: ScanContext, secret_name: str) -> list[dict[str, Any]]:
    """Versions' metadata only (state, names): a payload is never requested here."""
    client = ctx.clients.get(CLIENT)
    timeout = ctx.policy.attempt_timeout_s
    return ctx.paged(
        "secretmanager",
        None,
        lambda token: gapic_call(
            client.list_secret_versions,
            {"parent": secret_name, "page_size": PAGE_SIZE, "page_token": token},
            timeout,
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


def _digest(ctx: ScanContext, versions: list[dict[str, Any]]) -> str | None:
    name = latest_enabled(versions)
    return payload_digest(ctx, name) if name else None


def payload_digest(ctx: ScanContext, version_name: str) -> str:
    """`sha256:<hex>` of one version's payload (only with --read-secret-digests).

    The payload lives only inside `fetch`: it is hashed there and the response dropped at
    once, so no plaintext is returned, logged, stored or kept in a Resource.
    """
    client = ctx.clients.get(CLIENT)
    timeout = ctx.policy.attempt_timeout_s

    def fetch() -> str:
        response = client.access_secret_version(name=version_name, retry=None, timeout=timeout)
        digest = "sha256:" + hashlib.sha256(response.payload.data).hexdigest()
        del response
        return digest

    # access_answer rejects a payload that is not strict base64 or fails its checksum
    # before the client decodes it (protobuf's JSON parser is lenient about base64).
    result: str = ctx.call("secretmanager", None, fetch, access_answer, echo=False)
    return result
