"""Compute TargetHttpsProxy JSON -> `target_https_proxies` fields (read for checks only)."""

from __future__ import annotations

from typing import Any

from drift.normalize import units
from drift.normalize.compute import names


def normalize(raw: dict[str, Any]) -> dict[str, Any]:
    return {
        "url_map": units.short_name(raw.get("urlMap")),
        "ssl_certificates": names(raw.get("sslCertificates")),
        "certificate_map": raw.get("certificateMap") or None,
    }
