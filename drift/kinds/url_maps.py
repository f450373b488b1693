"""Compute URL maps: a global list plus one per region, keyed by short name."""

from __future__ import annotations

from drift.kinds.fields import f
from drift.kinds.spec import BOTH, ComputeList, KindSpec, compute_named
from drift.normalize import url_maps

SPEC = KindSpec(
    name="url_maps",
    noun="URL map",
    title="Compute, global or regional",
    api="compute",
    scope=BOTH,
    source=ComputeList(
        client="UrlMapsClient",
        region_client="RegionUrlMapsClient",
        list_kind="compute#urlMapList",
    ),
    world_key="urlMaps",
    fields={
        "default_service": f("str", "backend service name"),
        "hosts": f("map", "host -> the backend service serving it", canon="host_rule"),
    },
    normalize=compute_named(url_maps.normalize),
    sample={"name": "um", "defaultService": "global/backendServices/bs"},
    needs=("backend_services", "ssl_certificates", "target_https_proxies"),
    references=("url_map_backends", "certificates"),
)
