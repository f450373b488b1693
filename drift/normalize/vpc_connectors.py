"""Serverless VPC Access Connector JSON -> normalized `vpc_connectors` fields."""

from __future__ import annotations

from typing import Any

from drift.normalize import units

# Connector.minThroughput/maxThroughput "refer to the expected throughput when using an
# e2-micro machine type" and come in steps of 100 Mbps per instance (vpcaccess.v1 discovery).
MBPS_PER_E2_MICRO = 100


def scaling(raw: dict[str, Any]) -> dict[str, int | None]:
    """Effective instance and throughput bounds of a connector.

    The API has two spellings of one setting: instances and (discouraged) throughput.
    "If both min-throughput and min-instances are provided, min-instances takes precedence"
    (same for max). So instances win when set; a connector described only by throughput
    has min/max instances of throughput / 100; on e2-micro (the only machine type the
    throughput figures refer to) throughput is the instances' (x 100 Mbps) whenever
    instances are set, since they win over a throughput Google still echoes.
    """
    machine = raw.get("machineType") or "e2-micro"
    out: dict[str, int | None] = {}
    for bound in ("min", "max"):
        instances = units.integer(raw.get(f"{bound}Instances")) or None
        throughput = units.integer(raw.get(f"{bound}Throughput")) or None
        if instances is None and throughput is not None:
            instances = throughput // MBPS_PER_E2_MICRO
        elif instances is not None and machine == "e2-micro":
            throughput = instances * MBPS_PER_E2_MICRO  # instances take precedence
        out[f"{bound}_instances"], out[f"{bound}_throughput"] = instances, throughput
    return out


def normalize(raw: dict[str, Any]) -> dict[str, Any]:
    subnet = raw.get("subnet") or {}
    bounds = scaling(raw)
    return {
        "network": units.short_name(raw.get("network")),
        "ip_cidr_range": raw.get("ipCidrRange"),
        "machine_type": raw.get("machineType") or "e2-micro",
        "min_instances": bounds["min_instances"],
        "max_instances": bounds["max_instances"],
        "min_throughput": bounds["min_throughput"],
        "max_throughput": bounds["max_throughput"],
        "state": raw.get("state"),
        "_subnet": subnet.get("name"),
    }
