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
from drift.collectors.context import ScanContext, page_size
from drift.collectors.followup import FollowUp
from drift.collectors.lister import gapic_call
from drift.model import Resource
from drift.normalize.resources import referenced_secrets

CLIENT = client_name("google.cloud.secretmanager", "SecretManagerServiceClient")


class Follow:
    """Secrets' follow-up in progress (drift/collectors/followup.py): a secret's versions
    are listed as soon as its page is in and it is known to need them, its digest read
    as soon as its versions are in."""

    def __init__(self, step: FollowUp) -> None:
        self.step = step
        self.names: dict[str, str] = {}  # secret id -> full name, as listed so far
        self.referenced: set[str] = set()  # what the other kinds refer to, once known
        self.started: set[str] = set()
        self.versions: dict[str, list[dict[str, Any]]] = {}
        self.digests: dict[str, str | None] = {}

    def _wanted(self, sid: str) -> bool:
        """A declared field or a live reference needs its versions (`drift baseline init`:
        every secret's, it declares each one's enabled_versions)."""
        return (
            sid in self.step.version_secrets
            or sid in self.referenced
            or self.step.settings.all_secret_versions
        )

    def _start(self, sid: str) -> None:
        if sid in self.started or not self._wanted(sid):
            return
        self.started.add(sid)
        name = self.names[sid]
        self.step.start("versions", lambda _: list_versions(self.step.ctx, name), sid)

    def page(self, items: list[dict[str, Any]]) -> None:
        for s in items:
            sid = str(s.get("name", "")).rsplit("/", 1)[-1]
            self.names[sid] = str(s.get("name"))
            self._start(sid)

    def others(self, resources: tuple[Resource, ...]) -> None:
        self.referenced = referenced_secrets(resources)
        for sid in list(self.names):
            self._start(sid)

    def done(self, what: str, sid: str, result: Any) -> None:
        if what == "versions":
            self.versions[sid] = result
            settings = self.step.settings
            if settings.read_secret_digests and sid in self.step.digest_secrets:
                self.step.start("sha256", lambda _: _digest(self.step.ctx, result), sid)
        elif what == "sha256":
            self.digests[sid] = result

    def extras(self, items: list[dict[str, Any]]) -> list[Mapping[str, Any]]:
        """{versions, sha256} per listed secret, for those that needed them (else {})."""
        out: list[Mapping[str, Any]] = []
        for sid in (str(s.get("name", "")).rsplit("/", 1)[-1] for s in items):
            extra: dict[str, Any] = {}
            if sid in self.versions:
                extra["versions"] = self.versions[sid]
            if sid in self.digests:  # None: no enabled version, so nothing to compare with
                extra["sha256"] = self.digests[sid]
            out.append(extra)
        return out


def follow_up(step: FollowUp) -> Follow:
    """Secrets' follow-up step (KindSpec.follow_up)."""
    return Follow(step)


def list_versions(ctx: ScanContext, secret_name: str) -> list[dict[str, Any]]:
    """Versions' metadata only (state, names): a payload is never requested here."""
    client = ctx.clients.get(CLIENT)
    timeout = ctx.policy.attempt_timeout_s
    return ctx.paged(
        "secretmanager",
        None,
        lambda token: gapic_call(
            client.list_secret_versions,
            {"parent": secret_name, "page_size": page_size("secretmanager"), "page_token": token},
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
