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
