"""Raw API objects of any kind -> Resource, dispatching to the kind's normalizer."""

from __future__ import annotations

from typing import Any

from drift.model import Resource
from drift.normalize import secrets, services, units, vpc_connectors


def to_resource(
    kind: str,
    raw: dict[str, Any],
    project_ids: set[str],
    versions: list[dict[str, Any]] | None = None,
) -> Resource:
    name = str(raw.get("name", ""))
    short = units.short_name(name) or name
    if kind == "services":
        return Resource(kind, short, services.region_of(name), services.normalize(raw, project_ids))
    if kind == "secrets":
        return Resource(kind, short, None, secrets.normalize(raw, versions))
    if kind == "vpc_connectors":
        return Resource(kind, short, services.region_of(name), vpc_connectors.normalize(raw))
    raise KeyError(f"no normalizer for kind {kind!r}")


def referenced_secrets(resources: list[Resource]) -> set[str]:
    """Short ids of same-project secrets that live services' env vars point at."""
    found: set[str] = set()
    for r in resources:
        if r.kind != "services":
            continue
        for value in (r.fields.get("env") or {}).values():
            if isinstance(value, dict) and "/" not in value.get("secret", "/"):
                found.add(value["secret"])
    return found
