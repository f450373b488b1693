"""Cloud Run v1 DomainMapping -> normalized `domain_mappings` fields."""

from __future__ import annotations

from typing import Any

from drift.normalize.hosts import canonical_host

LOCATION_LABEL = "cloud.googleapis.com/location"
CERTIFICATE_MODES = {"AUTOMATIC": "automatic", "NONE": "none"}


def name_and_region(raw: dict[str, Any], scope: str | None) -> tuple[str, str | None]:
    """The domain (in canonical host form) is the key; the region is the listing scope,
    else the location label."""
    meta = raw.get("metadata") or {}
    labels = meta.get("labels") or {}
    name = canonical_host(meta.get("name")) if meta.get("name") else ""
    return name, scope or labels.get(LOCATION_LABEL)


def conditions(raw: dict[str, Any]) -> dict[str, str]:
    found = (raw.get("status") or {}).get("conditions") or []
    return {str(c.get("type")): str(c.get("status")) for c in found if c.get("type")}


def normalize(raw: dict[str, Any]) -> dict[str, Any]:
    spec = raw.get("spec") or {}
    conds = conditions(raw)
    return {
        "service": spec.get("routeName") or None,
        # CERTIFICATE_MODE_UNSPECIFIED (or absent) -> None: not a mode anyone declares.
        "certificate_mode": CERTIFICATE_MODES.get(spec.get("certificateMode") or ""),
        "ready": conds.get("Ready") == "True",
        "_conditions": conds,
    }
