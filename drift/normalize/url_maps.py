"""Compute UrlMap JSON -> normalized `url_maps` fields.

`hosts` maps each host of each host rule to the backend service its path matcher sends
traffic to by default. `_backend_services` / `_backend_buckets` list every backend the
map refers to anywhere (default, path matchers, path rules, route rules, weighted
services, mirrors), for reference checks.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from drift.normalize import units
from drift.normalize.hosts import host_rule_host


def _route_action_refs(action: dict[str, Any] | None) -> Iterator[str]:
    action = action or {}
    for weighted in action.get("weightedBackendServices") or []:
        if weighted.get("backendService"):
            yield weighted["backendService"]
    mirror = (action.get("requestMirrorPolicy") or {}).get("backendService")
    if mirror:
        yield mirror


def _matcher_refs(holder: dict[str, Any]) -> Iterator[str]:
    """defaultService and defaultRouteAction of the map itself or of one path matcher."""
    if holder.get("defaultService"):
        yield holder["defaultService"]
    yield from _route_action_refs(holder.get("defaultRouteAction"))


def references(raw: dict[str, Any]) -> list[str]:
    """Every backend URL the map refers to, in document order."""
    refs = list(_matcher_refs(raw))
    for matcher in raw.get("pathMatchers") or []:
        refs.extend(_matcher_refs(matcher))
        for rule in [*(matcher.get("pathRules") or []), *(matcher.get("routeRules") or [])]:
            if rule.get("service"):
                refs.append(rule["service"])
            refs.extend(_route_action_refs(rule.get("routeAction")))
    return refs


def _split(refs: list[str]) -> tuple[list[str], list[str]]:
    services: set[str] = set()
    buckets: set[str] = set()
    for url in refs:
        name = units.short_name(url)
        if name:
            (buckets if "/backendBuckets/" in url else services).add(name)
    return sorted(services), sorted(buckets)


def hosts(raw: dict[str, Any]) -> dict[str, str | None]:
    """{canonical host: default backend service of its path matcher}.

    Hosts are in drift.normalize.hosts' canonical form (lower case, no trailing dot, no
    `:port`). Should `a.com` and `a.com:8080` ever route to different services, the
    spelling without a port is the one kept.
    """
    matchers = {m.get("name"): m for m in raw.get("pathMatchers") or []}
    out: dict[str, str | None] = {}
    for rule in raw.get("hostRules") or []:
        matcher = matchers.get(rule.get("pathMatcher")) or {}
        service = units.short_name(matcher.get("defaultService"))
        for host in rule.get("hosts") or []:
            key = host_rule_host(host)
            if key in out and str(host).strip().lower().rstrip(".") != key:
                continue
            out[key] = service
    return out


def normalize(raw: dict[str, Any]) -> dict[str, Any]:
    services, buckets = _split(references(raw))
    return {
        "default_service": units.short_name(raw.get("defaultService")),
        "hosts": hosts(raw),
        "_backend_services": services,
        "_backend_buckets": buckets,
    }
