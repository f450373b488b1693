"""The one list of resource kinds drift knows: where each is listed and what it needs.

A kind's baseline schema lives in drift/baseline/schema.py (KIND_FIELDS), its collector in
drift/collectors/<kind>.py and its normalizer in drift/normalize/<kind>.py; the meta-tests in
tests/test_registry.py check that every kind here has all of them.
"""

from __future__ import annotations

from dataclasses import dataclass

REGIONAL = "regional"  # listed once per region in project.yaml
GLOBAL = "global"  # listed once per project
BOTH = "global+regional"  # a global list plus one per region (Compute)


@dataclass(frozen=True)
class KindSpec:
    name: str
    api: str  # the quota bucket its reads count against
    scope: str  # REGIONAL, GLOBAL or BOTH
    needs: tuple[str, ...] = ()  # kinds its reference checks look at
    declarable: bool = True  # False: read only for checks (never in a baseline, never unmanaged)

    def scopes(self, regions: list[str]) -> list[str | None]:
        """Where to list it: None is the global scope."""
        if self.scope == GLOBAL:
            return [None]
        if self.scope == REGIONAL:
            return list(regions)
        return [None, *regions]


KINDS: dict[str, KindSpec] = {
    "services": KindSpec("services", "run", REGIONAL, needs=("secrets", "vpc_connectors")),
    "secrets": KindSpec("secrets", "secretmanager", GLOBAL),
    "vpc_connectors": KindSpec("vpc_connectors", "vpcaccess", REGIONAL),
    # Compute load-balancer kinds: a global list plus one per region; compute_v1 is
    # imported only when one of them is collected.
    "health_checks": KindSpec("health_checks", "compute", BOTH),
    "backend_services": KindSpec("backend_services", "compute", BOTH, needs=("health_checks",)),
    "url_maps": KindSpec(
        "url_maps",
        "compute",
        BOTH,
        needs=("backend_services", "ssl_certificates", "target_https_proxies"),
    ),
    "ssl_certificates": KindSpec(
        "ssl_certificates", "compute", BOTH, needs=("target_https_proxies", "url_maps")
    ),
    "target_https_proxies": KindSpec("target_https_proxies", "compute", BOTH, declarable=False),
    "domain_mappings": KindSpec("domain_mappings", "run", REGIONAL, needs=("services",)),
}


def kinds_to_collect(declared: set[str], requested: set[str] | None) -> list[str]:
    """Declared kinds (or the requested subset) plus what their reference checks need."""
    base = set(requested) if requested else set(declared)
    wanted = set(base)
    for kind in base:
        if kind in KINDS:
            wanted.update(KINDS[kind].needs)
    return sorted(k for k in wanted if k in KINDS)
