"""Raw API objects of any kind -> Resource, through the kind's normalizer (its spec's).

`NORMALIZERS` is derived from the registry (drift/kinds/<kind>.py): kind -> function(raw,
context) -> (name, region, fields). Internal fields, used by checks but never declared
in a baseline, start with "_".
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from drift.kinds.spec import Normalized, Normalizer, NormContext
from drift.model import Resource
from drift.registry import KINDS

__all__ = ["NORMALIZERS", "NormContext", "Normalized", "referenced_secrets", "to_resource"]

NORMALIZERS: dict[str, Normalizer] = {name: spec.normalize for name, spec in KINDS.items()}


def to_resource(
    kind: str,
    raw: dict[str, Any],
    project_ids: Iterable[str],
    versions: list[dict[str, Any]] | None = None,
    region: str | None = None,
    extra: Mapping[str, Any] | None = None,
) -> Resource:
    """One raw object of `kind` in its normalized view. `versions` (a secret's, when
    listed) and `extra` are what a follow-up step read for it."""
    spec = KINDS.get(kind)
    if spec is None:
        raise KeyError(f"no normalizer for kind {kind!r}")
    more = dict(extra or {})
    if versions is not None:
        more["versions"] = versions
    ctx = NormContext(frozenset(project_ids), region=region, extra=more)
    name, found_region, fields = spec.normalize(raw, ctx)
    return Resource(kind, name, found_region, fields)


def referenced_secrets(resources: Iterable[Resource]) -> set[str]:
    """Short ids of same-project secrets that live resources point at: every reference
    in a `_secret_refs` view (env vars of every container, secret volumes), or in an
    `env` mapping where a resource has no such view."""
    found: set[str] = set()
    for r in resources:
        refs = r.fields.get("_secret_refs")
        if not isinstance(refs, dict):
            refs = r.fields.get("env") or {}
        for value in refs.values():
            if isinstance(value, dict) and "/" not in value.get("secret", "/"):
                found.add(value["secret"])
    return found
