"""Compute BackendService JSON -> normalized `backend_services` fields."""

from __future__ import annotations

from typing import Any

from drift.normalize import units
from drift.normalize.compute import names

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
        "health_checks": names(raw.get("healthChecks")),
        "load_balancing_scheme": raw.get("loadBalancingScheme"),
        "backends": names(b.get("group") for b in raw.get("backends") or []),
    }
