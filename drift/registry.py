"""The one list of resource kinds drift knows, and every table derived from it.

Each kind is one module of drift/kinds/ defining a frozen `SPEC` (drift/kinds/spec.py).
The modules are listed here explicitly, in the order reports and checks use; everything
else (the baseline schema's fields and region rules, the normalizers, the clients, the
nouns of messages, how each field compares) is read from the specs, never kept in a
second table. tests/test_registry.py checks that every kind is complete everywhere.
"""

from __future__ import annotations

from drift.kinds import (
    backend_services,
    domain_mappings,
    health_checks,
    jobs,
    secrets,
    services,
    ssl_certificates,
    target_https_proxies,
    url_maps,
    vpc_connectors,
)
from drift.kinds.fields import FieldSpec
from drift.kinds.spec import BOTH, GLOBAL, REGIONAL, KindSpec, Scope

__all__ = ["BOTH", "GLOBAL", "KINDS", "REGIONAL", "SPECS", "KindSpec", "Scope"]

_MODULES = (
    services,
    jobs,
    secrets,
    vpc_connectors,
    health_checks,
    backend_services,
    url_maps,
    ssl_certificates,
    target_https_proxies,
    domain_mappings,
)

#: Every kind, in the order of the list above (docs and tables use this order).
SPECS: tuple[KindSpec, ...] = tuple(m.SPEC for m in _MODULES)
KINDS: dict[str, KindSpec] = {spec.name: spec for spec in SPECS}


def field_spec(kind: str, field: str) -> FieldSpec | None:
    """The declared type of `kind`'s `field` (None: not a baseline field of a known kind)."""
    spec = KINDS.get(kind)
    return spec.fields.get(field) if spec is not None else None


def noun(kind: str) -> str:
    """How messages name one resource of `kind` ("Cloud Run service")."""
    spec = KINDS.get(kind)
    return spec.noun if spec is not None else kind


def subject(kind: str, name: str, region: str | None) -> str:
    """ "Cloud Run service api in us-central1": a resource as messages start with it."""
    where = f" in {region}" if region else ""
    return f"{noun(kind)} {name}{where}"


def host_keyed(kind: str) -> bool:
    """Is `kind` keyed by a host name (compared in canonical host form)?"""
    spec = KINDS.get(kind)
    return spec is not None and spec.key == "host"


def kinds_to_collect(declared: set[str], requested: set[str] | None) -> list[str]:
    """Declared kinds (or the requested subset) plus what their reference checks need."""
    base = set(requested) if requested else set(declared)
    wanted = set(base)
    for kind in base:
        if kind in KINDS:
            wanted.update(KINDS[kind].needs)
    return sorted(k for k in wanted if k in KINDS)
