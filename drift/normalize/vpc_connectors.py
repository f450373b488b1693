"""Serverless VPC Access Connector JSON -> normalized `vpc_connectors` fields."""

from __future__ import annotations

from typing import Any

from drift.normalize import units


def normalize(raw: dict[str, Any]) -> dict[str, Any]:
    subnet = raw.get("subnet") or {}
    return {
        "network": units.short_name(raw.get("network")),
        "ip_cidr_range": raw.get("ipCidrRange"),
        "machine_type": raw.get("machineType") or "e2-micro",
        "min_instances": units.integer(raw.get("minInstances")),
        "max_instances": units.integer(raw.get("maxInstances")),
        "min_throughput": units.integer(raw.get("minThroughput")),
        "max_throughput": units.integer(raw.get("maxThroughput")),
        "state": raw.get("state"),
        "_subnet": subnet.get("name"),
    }
