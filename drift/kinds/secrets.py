"""Secret Manager secrets: global, keyed by short id; versions and digests read on demand."""

from __future__ import annotations

from typing import Any

from drift.kinds.fields import f
from drift.kinds.spec import GLOBAL, GapicList, KindSpec, Normalized, NormContext
from drift.normalize import secrets, units


def _normalize(raw: dict[str, Any], ctx: NormContext) -> Normalized:
    fields = secrets.normalize(raw, ctx.extra.get("versions"))
    if "sha256" in ctx.extra:  # read with --read-secret-digests; None: no enabled version
        fields["sha256"] = ctx.extra["sha256"]
    return units.short_name(raw.get("name")) or "", None, fields


SPEC = KindSpec(
    name="secrets",
    noun="secret",
    title="Secret Manager",
    api="secretmanager",
    scope=GLOBAL,
    source=GapicList(
        module="google.cloud.secretmanager",
        client="SecretManagerServiceClient",
        method="list_secrets",
        parent="projects/{project}",
        items="secrets",
        extra=("totalSize",),
    ),
    world_key="secrets",
    fields={
        "replication": f("replication", "`automatic` or `{user_managed: [regions]}`"),
        "labels": f("map"),
        "enabled_versions": f("int", "number of ENABLED versions, usually `{min: 1}`"),
        "rotation_period": f("duration"),
        "sha256": f(
            "sha256",
            "digest of the latest enabled payload; only checked with --read-secret-digests",
        ),
    },
    normalize=_normalize,
    sample={"name": "projects/1/secrets/s", "replication": {"automatic": {}}},
    # Versions (states, aliases) of the secrets a declared field or a live reference needs,
    # and with --read-secret-digests the digests of declared `sha256`.
    follow_up="drift.collectors.secrets:follow_up",
    project_number=lambda raw: secrets.project_number_of(str(raw.get("name", ""))),
    init_notes=(
        "drift reads metadata and version states only. `sha256` (a digest of the latest",
        "enabled payload) is not written: it needs --read-secret-digests; add it by hand.",
    ),
)
