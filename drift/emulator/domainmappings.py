"""Cloud Run Admin API v1 domain mappings for the emulator (world key ``domainMappings``).

Two list forms, as Google serves them:

- ``/v1/projects/{p}/locations/{r}/domainmappings`` (the regional form drift uses: only
  mappings whose ``cloud.googleapis.com/location`` label is ``r``);
- ``/apis/domains.cloudrun.com/v1/namespaces/{p}/domainmappings`` (every mapping);

plus ``.../domainmappings/{domain}`` under both. Lists answer Kubernetes-style
(``DomainMappingList``) and page with ``limit`` and ``metadata.continue`` / ``continue=``.
"""

from __future__ import annotations

import base64
import binascii
import re
from typing import Any

from drift.emulator.errors import Answer, api_error, permission_denied
from drift.emulator.world import World

API_VERSION = "domains.cloudrun.com/v1"
LOCATION_LABEL = "cloud.googleapis.com/location"
_NS_PREFIX = "/apis/domains.cloudrun.com/v1/namespaces/"
_LIST = re.compile(
    r"^(?:/v1/projects/(?P<project>[^/]+)/locations/(?P<location>[^/]+)"
    r"|/apis/domains\.cloudrun\.com/v1/namespaces/(?P<namespace>[^/]+))/domainmappings"
    r"(?:/(?P<domain>[^/]+))?$"
)


def _token(scope: str, offset: int) -> str:
    return base64.urlsafe_b64encode(f"dm|{scope}|{offset}".encode()).decode().rstrip("=")


def _offset(token: str, scope: str) -> int | None:
    try:
        raw = base64.urlsafe_b64decode(token + "=" * (-len(token) % 4)).decode()
        tag, tok_scope, offset = raw.split("|")
        value = int(offset)
    except (binascii.Error, UnicodeDecodeError, ValueError):
        return None
    return value if tag == "dm" and tok_scope == scope and value >= 0 else None


def _mappings(world: World, project: str, location: str | None) -> list[dict[str, Any]]:
    items = world.projects.get(project, {}).get("domainMappings") or []
    if location is not None:
        items = [
            d for d in items if (d["metadata"].get("labels") or {}).get(LOCATION_LABEL) == location
        ]
    return sorted(items, key=lambda d: d["metadata"]["name"])


def route(world: World, path: str, params: dict[str, list[str]], page_size: int) -> Answer | None:
    """The answer when ``path`` is a domain-mapping URL, else ``None``."""
    m = _LIST.match(path)
    if not m:
        return None
    ref = m.group("project") or m.group("namespace")
    location = m.group("location")
    domain = m.group("domain")
    project = world.project_id(ref)
    if project is None:
        verb = "get" if domain else "list"
        perm = f"run.domainmappings.{verb}"
        where = f"namespaces/{ref}" if location is None else f"projects/{ref}/locations/{location}"
        return permission_denied("run", perm, where)
    items = _mappings(world, project, location)
    if domain is not None:
        for d in items:
            if d["metadata"]["name"] == domain:
                return 200, d
        where = f" in region '{location}'" if location else ""
        msg = (
            f"Resource '{domain}' of kind 'DOMAIN_MAPPING'{where} in project '{ref}' "
            "does not exist."
        )
        return 404, api_error("run", 404, msg, domain="run.googleapis.com")
    return _page(path, project, location, items, params, page_size)


def _page(
    path: str,
    project: str,
    location: str | None,
    items: list[dict[str, Any]],
    params: dict[str, list[str]],
    page_size: int,
) -> Answer:
    raw_limit = (params.get("limit") or [""])[-1]
    try:
        limit = int(raw_limit) if raw_limit else 0
    except ValueError:
        limit = -1
    if limit < 0:
        msg = f"Invalid value at 'limit' (TYPE_INT32), \"{raw_limit}\""
        return 400, api_error("run", 400, msg, domain="run.googleapis.com")
    size = min(limit or page_size, page_size)
    scope = f"{project}/{location or '*'}"
    token = (params.get("continue") or [""])[-1]
    offset = _offset(token, scope) if token else 0
    if offset is None or offset > len(items):
        msg = f"Invalid continue token: {token!r}."
        return 400, api_error("run", 400, msg, domain="run.googleapis.com")
    meta: dict[str, Any] = {"selfLink": path}
    if offset + size < len(items):
        meta["continue"] = _token(scope, offset + size)
    body: dict[str, Any] = {"apiVersion": API_VERSION, "kind": "DomainMappingList"}
    body["metadata"] = meta
    page = items[offset : offset + size]
    if page:  # proto3 JSON leaves an empty repeated field out
        body["items"] = page
    return 200, body
