"""Compute SSL certificates: a global list plus one per region, keyed by short name."""

from __future__ import annotations

from drift.kinds.fields import enum, f
from drift.kinds.spec import BOTH, ComputeList, KindSpec, compute_named
from drift.normalize import ssl_certificates

SPEC = KindSpec(
    name="ssl_certificates",
    noun="SSL certificate",
    title="Compute, global or regional",
    api="compute",
    scope=BOTH,
    source=ComputeList(
        client="SslCertificatesClient",
        region_client="RegionSslCertificatesClient",
        list_kind="compute#sslCertificateList",
    ),
    world_key="sslCertificates",
    fields={
        "type": enum("MANAGED", "SELF_MANAGED"),
        "domains": f("set", "host names", canon="host"),
        "status": f("str", "managed status: ACTIVE, PROVISIONING, ...", live_state=True),
    },
    normalize=compute_named(ssl_certificates.normalize),
    sample={"name": "cert", "type": "MANAGED", "managed": {"domains": ["a.io"]}},
    needs=("target_https_proxies", "url_maps"),
)
