"""Compute health checks: a global list plus one per region, keyed by short name."""

from __future__ import annotations

from drift.kinds.fields import enum, f
from drift.kinds.spec import BOTH, ComputeList, KindSpec, compute_named
from drift.normalize import health_checks

SPEC = KindSpec(
    name="health_checks",
    noun="health check",
    title="Compute, global or regional",
    api="compute",
    scope=BOTH,
    source=ComputeList(
        client="HealthChecksClient",
        region_client="RegionHealthChecksClient",
        list_kind="compute#healthCheckList",
    ),
    world_key="healthChecks",
    fields={
        "type": enum("HTTP", "HTTPS", "HTTP2", "TCP", "SSL", "GRPC", "GRPC_WITH_TLS"),
        "port": f("int"),
        "request_path": f("str"),
        "host": f("host", "the Host header (HTTP family)"),
        "check_interval_sec": f("duration", "seconds"),
        "timeout_sec": f("duration", "seconds"),
        "healthy_threshold": f("int"),
        "unhealthy_threshold": f("int"),
    },
    normalize=compute_named(health_checks.normalize),
    sample={"name": "hc", "type": "TCP", "tcpHealthCheck": {"port": 5432}},
)
