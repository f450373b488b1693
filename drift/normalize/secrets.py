"""Secret Manager Secret (+ its versions, when fetched) -> normalized `secrets` fields."""

from __future__ import annotations

from typing import Any

from drift.normalize import units


def replication(raw: dict[str, Any]) -> Any:
    rep = raw.get("replication") or {}
    if "userManaged" in rep:
        replicas = (rep.get("userManaged") or {}).get("replicas") or []
        return {"user_managed": sorted(str(r.get("location")) for r in replicas)}
    if "automatic" in rep:
        return "automatic"
    return None


def normalize(raw: dict[str, Any], versions: list[dict[str, Any]] | None) -> dict[str, Any]:
    """`versions` is None when they were not listed (unneeded); enabled_versions is then absent."""
    fields: dict[str, Any] = {
        "replication": replication(raw),
        "labels": dict(raw.get("labels") or {}),
        "rotation_period": units.duration_seconds(
            (raw.get("rotation") or {}).get("rotationPeriod")
        ),
        # Secret.versionAliases (map<string, int64>): a reference may name a version by alias.
        "_version_aliases": {str(k): str(v) for k, v in (raw.get("versionAliases") or {}).items()},
    }
    if versions is not None:
        fields["enabled_versions"] = sum(1 for v in versions if v.get("state") == "ENABLED")
        fields["_version_states"] = {
            units.short_name(v.get("name")): v.get("state") for v in versions if v.get("name")
        }
    return fields


def project_number_of(name: str) -> str | None:
    """Secret names carry the project number: projects/701982941522/secrets/x."""
    parts = name.split("/")
    if len(parts) >= 2 and parts[0] == "projects" and parts[1].isdigit():
        return parts[1]
    return None
