"""Reference checks on the live snapshot: what a service points at must exist and be ready.

They run whether or not the referenced thing is declared, and only where the referenced
kind was actually looked at (a 403 on connectors must never read as "connector missing").
"""

from __future__ import annotations

from drift.engine.compare import RawFinding
from drift.model import Resource, Snapshot


def _latest_state(states: dict[str, str]) -> str | None:
    """'latest' is the most recently created version: the highest version number."""
    numbered = [(int(k), v) for k, v in states.items() if str(k).isdigit()]
    return max(numbered)[1] if numbered else None


def _secret_ref(
    svc: Resource, var: str, ref: dict, secrets: dict[str, Resource]
) -> RawFinding | None:
    sid, version = ref.get("secret", ""), str(ref.get("version") or "latest")
    if "/" in sid:
        return None  # another project's secret: not visible from this one
    field = f"env/{var}"
    if sid not in secrets:
        return RawFinding(
            "services",
            svc.name,
            svc.region,
            field,
            "broken_reference",
            {"secret": sid, "version": version},
            None,
            None,
        )
    states = secrets[sid].fields.get("_version_states")
    if states is None:
        return None
    state = _latest_state(states) if version == "latest" else states.get(version)
    if state != "ENABLED":
        return RawFinding(
            "services",
            svc.name,
            svc.region,
            field,
            "broken_reference",
            {"secret": sid, "version": version},
            {"secret": sid, "version": version, "state": state},
            None,
        )
    return None


def reference_findings(snapshot: Snapshot) -> list[RawFinding]:
    out: list[RawFinding] = []
    secrets = {r.name: r for r in snapshot.by_kind("secrets")}
    connectors = {(r.name, r.region): r for r in snapshot.by_kind("vpc_connectors")}
    for svc in snapshot.by_kind("services"):
        if snapshot.checked("secrets", None):
            for var, value in sorted((svc.fields.get("env") or {}).items()):
                if isinstance(value, dict):
                    found = _secret_ref(svc, var, value, secrets)
                    if found:
                        out.append(found)
        name = svc.fields.get("vpc_connector")
        if name and snapshot.checked("vpc_connectors", svc.region):
            conn = connectors.get((name, svc.region))
            if conn is None or conn.fields.get("state") != "READY":
                out.append(
                    RawFinding(
                        "services",
                        svc.name,
                        svc.region,
                        "vpc_connector",
                        "broken_reference",
                        {"connector": name, "state": "READY"},
                        None
                        if conn is None
                        else {"connector": name, "state": conn.fields.get("state")},
                        None,
                    )
                )
    return out
