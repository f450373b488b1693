"""Compute target HTTPS proxies: read only for the certificate coverage check."""

from __future__ import annotations

from drift.kinds.spec import BOTH, ComputeList, KindSpec, compute_named
from drift.normalize import target_https_proxies

SPEC = KindSpec(
    name="target_https_proxies",
    noun="target HTTPS proxy",
    title="Compute",
    api="compute",
    scope=BOTH,
    source=ComputeList(
        client="TargetHttpsProxiesClient",
        region_client="RegionTargetHttpsProxiesClient",
        list_kind="compute#targetHttpsProxyList",
    ),
    world_key="targetHttpsProxies",
    fields={},
    normalize=compute_named(target_https_proxies.normalize),
    sample={"name": "px", "urlMap": "global/urlMaps/um"},
    declarable=False,
)
