"""Raw API objects of any kind -> Resource, dispatching to the kind's normalizer.

`NORMALIZERS` is the one table: kind -> function(raw, context) -> (name, region, fields).
Internal fields, used by checks but never declared in a baseline, start with "_".
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from drift.model import Resource
from drift.normalize import (
    backend_services,
    compute,
    domain_mappings,
    health_checks,
    secrets,
    services,
    ssl_certificates,
    target_https_proxies,
    units,
    url_maps,
    vpc_connectors,
)


@dataclass(frozen=True)
class NormContext:
    """What a normalizer may need beyond the raw object."""

    project_ids: set[str]  # the project id and number: "this project" in full names
    region: str | None = None  # the scope the object was listed in (None: global)
    versions: list[dict[str, Any]] | None = None  # a secret's versions, when listed
    extra: dict[str, Any] = field(default_factory=dict)


Normalized = tuple[str, str | None, dict[str, Any]]


def _path_named(fn: Callable[[dict[str, Any], NormContext], dict[str, Any]]) -> Callable:
    """For APIs whose `name` is a full path: projects/p/locations/r/<kind>/<name>."""

    def run(raw: dict[str, Any], ctx: NormContext) -> Normalized:
        name = str(raw.get("name", ""))
        return units.short_name(name) or name, services.region_of(name), fn(raw, ctx)

    return run


def _compute_named(fn: Callable[[dict[str, Any]], dict[str, Any]]) -> Callable:
    """Compute objects: a short `name`; region from the `region` URL, else the list's scope."""

    def run(raw: dict[str, Any], ctx: NormContext) -> Normalized:
        return (*compute.name_and_region(raw, ctx.region), fn(raw))

    return run


NORMALIZERS: dict[str, Callable[[dict[str, Any], NormContext], Normalized]] = {
    "services": _path_named(lambda raw, ctx: services.normalize(raw, ctx.project_ids)),
    "secrets": lambda raw, ctx: (
        units.short_name(raw.get("name")) or "",
        None,
        secrets.normalize(raw, ctx.versions),
    ),
    "vpc_connectors": _path_named(lambda raw, ctx: vpc_connectors.normalize(raw)),
    "domain_mappings": lambda raw, ctx: (
        *domain_mappings.name_and_region(raw, ctx.region),
        domain_mappings.normalize(raw),
    ),
    "health_checks": _compute_named(health_checks.normalize),
    "backend_services": _compute_named(backend_services.normalize),
    "url_maps": _compute_named(url_maps.normalize),
    "ssl_certificates": _compute_named(ssl_certificates.normalize),
    "target_https_proxies": _compute_named(target_https_proxies.normalize),
}


def to_resource(
    kind: str,
    raw: dict[str, Any],
    project_ids: set[str],
    versions: list[dict[str, Any]] | None = None,
    region: str | None = None,
) -> Resource:
    if kind not in NORMALIZERS:
        raise KeyError(f"no normalizer for kind {kind!r}")
    name, found_region, fields = NORMALIZERS[kind](
        raw, NormContext(project_ids, region=region, versions=versions)
    )
    return Resource(kind, name, found_region, fields)


def referenced_secrets(resources: list[Resource]) -> set[str]:
    """Short ids of same-project secrets that live services point at (env vars of every
    container and secret volumes)."""
    found: set[str] = set()
    for r in resources:
        if r.kind != "services":
            continue
        refs = r.fields.get("_secret_refs")
        if not isinstance(refs, dict):
            refs = r.fields.get("env") or {}
        for value in refs.values():
            if isinstance(value, dict) and "/" not in value.get("secret", "/"):
                found.add(value["secret"])
    return found
