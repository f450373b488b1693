"""Cloud Run domain mappings (Admin API v1, no generated client): keyed by the domain."""

from __future__ import annotations

from typing import Any

from drift.kinds.fields import enum, f
from drift.kinds.spec import REGIONAL, CustomList, KindSpec, Normalized, NormContext
from drift.normalize import domain_mappings


def _normalize(raw: dict[str, Any], ctx: NormContext) -> Normalized:
    name, region = domain_mappings.name_and_region(raw, ctx.region)
    return name, region, domain_mappings.normalize(raw)


SPEC = KindSpec(
    name="domain_mappings",
    noun="Cloud Run domain mapping",
    title="Cloud Run Admin API v1",
    api="run",
    scope=REGIONAL,
    source=CustomList("drift.collectors.domain_mappings:list_raw"),
    world_key="domainMappings",
    fields={
        "service": f("str", "the Cloud Run service it routes to"),
        "certificate_mode": enum("automatic", "none"),
        "ready": f("bool", live_state=True),
    },
    normalize=_normalize,
    sample={"metadata": {"name": "a.io"}, "spec": {"routeName": "s"}},
    key="host",
    needs=("services",),
    references=("mapped_service",),
)
