"""What the Compute normalizers share: short names and where an object lives."""

from __future__ import annotations

from typing import Any

from drift.normalize import units


def region_of(raw: dict[str, Any], scope: str | None) -> str | None:
    """Short name of the `region` URL; else the regional list it came from; None: global."""
    region = units.short_name(raw.get("region"))
    if region:
        return region
    link = str(raw.get("selfLink") or "").split("/")
    if "regions" in link and link.index("regions") + 1 < len(link):
        return link[link.index("regions") + 1]
    return scope


def name_and_region(raw: dict[str, Any], scope: str | None) -> tuple[str, str | None]:
    return str(raw.get("name") or ""), region_of(raw, scope)


def names(urls: Any) -> list[str]:
    """Sorted short names of a list of URLs (duplicates kept once)."""
    return sorted({n for n in (units.short_name(u) for u in urls or []) if n})


def location_of(url: Any) -> str | None:
    """The zone or region in a Compute URL (`.../zones/us-central1-a/...`); None: global."""
    parts = str(url or "").rstrip("/").split("/")
    start = parts.index("projects") + 2 if "projects" in parts else 0  # skip the project id
    for i in range(start, len(parts) - 2):  # a location is followed by collection and name
        if parts[i] in ("zones", "regions"):
            return parts[i + 1]
    return None


def scoped_name(url: Any) -> str | None:
    """`location/name` for a zonal or regional URL, `name` for a global one."""
    name = units.short_name(url)
    if not name:
        return None
    where = location_of(url)
    return f"{where}/{name}" if where else name


def scoped_names(urls: Any) -> list[str]:
    """Sorted scoped names of a list of URLs: groups of one name in three zones stay three
    (GKE's NEGs and instance groups share one name across zones)."""
    return sorted({n for n in (scoped_name(u) for u in urls or []) if n})


def collection_of(url: Any) -> str | None:
    """The collection a Compute URL points into (`healthChecks`, `httpHealthChecks`, ...)."""
    parts = str(url or "").rstrip("/").split("/")
    return parts[-2] if len(parts) >= 2 else None
