"""Compute backend services: a global list plus one per region, keyed by short name."""

from __future__ import annotations

from drift.kinds.fields import enum, f
from drift.kinds.spec import BOTH, ComputeList, KindSpec, compute_named
from drift.normalize import backend_services

SPEC = KindSpec(
    name="backend_services",
    noun="backend service",
    title="Compute, global or regional",
    api="compute",
    scope=BOTH,
    source=ComputeList(
        client="BackendServicesClient",
        region_client="RegionBackendServicesClient",
        list_kind="compute#backendServiceList",
    ),
    world_key="backendServices",
    fields={
        "protocol": enum(
            "HTTP", "HTTPS", "HTTP2", "H2C", "TCP", "SSL", "UDP", "GRPC", "UNSPECIFIED"
        ),
        "timeout_sec": f("duration", "seconds"),
        "connection_draining_timeout_sec": f("duration", "seconds"),
        "health_checks": f("set", "scoped names (see below)", canon="scoped"),
        "load_balancing_scheme": enum(
            "EXTERNAL", "EXTERNAL_MANAGED", "INTERNAL", "INTERNAL_MANAGED", "INTERNAL_SELF_MANAGED"
        ),
        "backends": f("set", "groups, as scoped names (see below)", canon="scoped"),
    },
    normalize=compute_named(backend_services.normalize),
    sample={"name": "bs", "protocol": "HTTPS"},
    needs=("health_checks",),
    references=("health_checks",),
)
