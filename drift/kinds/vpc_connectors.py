"""Serverless VPC Access connectors: one per region, keyed by short name."""

from __future__ import annotations

from drift.kinds.fields import f
from drift.kinds.spec import REGIONAL, GapicList, KindSpec, path_named
from drift.normalize import vpc_connectors

SPEC = KindSpec(
    name="vpc_connectors",
    noun="VPC connector",
    title="Serverless VPC Access",
    api="vpcaccess",
    scope=REGIONAL,
    source=GapicList(
        module="google.cloud.vpcaccess_v1",
        client="VpcAccessServiceClient",
        method="list_connectors",
        parent="projects/{project}/locations/{region}",
        items="connectors",
    ),
    world_key="connectors",
    fields={
        "network": f("short_name", "network name"),
        "ip_cidr_range": f("str"),
        "machine_type": f("str"),
        "min_instances": f("int"),
        "max_instances": f("int"),
        "min_throughput": f("int", "Mbps"),
        "max_throughput": f("int", "Mbps"),
        "state": f("str", "READY, ERROR, ...", live_state=True),
    },
    normalize=path_named(lambda raw, ctx: vpc_connectors.normalize(raw)),
    sample={"name": "projects/p/locations/r/connectors/c", "state": "READY"},
    init_notes=("`state` is the live state at init time (READY when healthy).",),
)
