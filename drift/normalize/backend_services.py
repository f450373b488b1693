"""Compute BackendService JSON -> normalized `backend_services` fields."""

from __future__ import annotations

from typing import Any

from drift.normalize import units
from drift.normalize.compute import collection_of, location_of, scoped_names

# "The default is 30 seconds." (BackendService.timeoutSec in compute.v1 discovery).
DEFAULT_TIMEOUT_SEC = 30
# ConnectionDraining.drainingTimeoutSec documents no default, so an omitted value stays
# None (unknown) rather than a guessed number: declaring it then reports `missing`.


def normalize(raw: dict[str, Any]) -> dict[str, Any]:
    timeout = units.integer(raw.get("timeoutSec"))
    draining = (raw.get("connectionDraining") or {}).get("drainingTimeoutSec")
    return {
        "protocol": raw.get("protocol"),
        "timeout_sec": DEFAULT_TIMEOUT_SEC if timeout is None else timeout,
        "connection_draining_timeout_sec": units.integer(draining),
        "health_checks": scoped_names(raw.get("healthChecks")),
        "load_balancing_scheme": raw.get("loadBalancingScheme"),
        "backends": scoped_names(b.get("group") for b in raw.get("backends") or []),
        "_health_check_refs": health_check_refs(raw.get("healthChecks")),
    }


def health_check_refs(urls: Any) -> list[dict[str, Any]]:
    """Each health check URL as {name, region (None: global), collection}.

    BackendService.healthChecks[] holds "URLs to the healthChecks, httpHealthChecks
    (legacy), or httpsHealthChecks (legacy) resource" (compute.v1 discovery): the
    collection tells which kind a reference check must look in.
    """
    refs = []
    for url in urls or []:
        name = units.short_name(url)
        if name:
            refs.append(
                {"name": name, "region": location_of(url), "collection": collection_of(url)}
            )
    return sorted(refs, key=lambda r: (r["name"], r["region"] or "", r["collection"] or ""))
