"""Compute HealthCheck JSON -> normalized `health_checks` fields.

Port, request path and host come from the protocol sub-object that matches `type`;
omitted fields take Google's documented defaults (compute.v1 discovery descriptions).
"""

from __future__ import annotations

from typing import Any

from drift.normalize import units
from drift.normalize.hosts import canonical_host

SUB_OBJECT = {
    "HTTP": "httpHealthCheck",
    "HTTPS": "httpsHealthCheck",
    "HTTP2": "http2HealthCheck",
    "TCP": "tcpHealthCheck",
    "SSL": "sslHealthCheck",
    "GRPC": "grpcHealthCheck",
    "GRPC_WITH_TLS": "grpcTlsHealthCheck",
}
HTTP_FAMILY = {"HTTP", "HTTPS", "HTTP2"}
# "The default value is 80/443" in each sub-object's `port` description; gRPC has none.
DEFAULT_PORT = {"HTTP": 80, "HTTPS": 443, "HTTP2": 443, "TCP": 80, "SSL": 443}
DEFAULT_CHECK_INTERVAL_SEC = 5
DEFAULT_TIMEOUT_SEC = 5
DEFAULT_HEALTHY_THRESHOLD = 2
DEFAULT_UNHEALTHY_THRESHOLD = 2


def check_type(raw: dict[str, Any]) -> str | None:
    """`type`, or (when absent or INVALID) the one protocol sub-object that is present."""
    value = raw.get("type")
    if value in SUB_OBJECT:
        return str(value)
    present = [t for t, key in SUB_OBJECT.items() if key in raw]
    return present[0] if len(present) == 1 else None


def port(kind: str | None, sub: dict[str, Any]) -> int | None:
    explicit = units.integer(sub.get("port"))
    if explicit is not None:
        return explicit
    spec = sub.get("portSpecification")
    if spec in ("USE_SERVING_PORT", "USE_NAMED_PORT") or (spec is None and sub.get("portName")):
        return None  # the port comes from the backend, not from the check
    return DEFAULT_PORT.get(kind or "")


def _int(raw: dict[str, Any], key: str, default: int) -> int:
    value = units.integer(raw.get(key))
    return default if value is None else value


def normalize(raw: dict[str, Any]) -> dict[str, Any]:
    kind = check_type(raw)
    sub = raw.get(SUB_OBJECT.get(kind or "", ""), None) or {}
    http = kind in HTTP_FAMILY
    return {
        "type": kind,
        "port": port(kind, sub),
        "request_path": (sub.get("requestPath") or "/") if http else None,
        "host": canonical_host(sub["host"]) if http and sub.get("host") else None,
        "check_interval_sec": _int(raw, "checkIntervalSec", DEFAULT_CHECK_INTERVAL_SEC),
        "timeout_sec": _int(raw, "timeoutSec", DEFAULT_TIMEOUT_SEC),
        "healthy_threshold": _int(raw, "healthyThreshold", DEFAULT_HEALTHY_THRESHOLD),
        "unhealthy_threshold": _int(raw, "unhealthyThreshold", DEFAULT_UNHEALTHY_THRESHOLD),
    }
