"""Compute SslCertificate JSON -> normalized `ssl_certificates` fields."""

from __future__ import annotations

from typing import Any

from drift.normalize.hosts import canonical_host


def cert_type(raw: dict[str, Any]) -> str:
    """ "If not specified, the certificate is self-managed" (SslCertificate.type)."""
    value = raw.get("type")
    if value in ("MANAGED", "SELF_MANAGED"):
        return str(value)
    return "MANAGED" if raw.get("managed") and value is None else "SELF_MANAGED"


def normalize(raw: dict[str, Any]) -> dict[str, Any]:
    managed = raw.get("managed") or {}
    domains = managed.get("domains") or raw.get("subjectAlternativeNames") or []
    return {
        "type": cert_type(raw),
        "domains": sorted({canonical_host(d) for d in domains}),
        "status": managed.get("status") or None,
        "_domain_status": {
            canonical_host(d): s for d, s in (managed.get("domainStatus") or {}).items()
        },
        "_expire_time": raw.get("expireTime") or None,
    }
