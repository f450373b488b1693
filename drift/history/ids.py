"""A finding's stable id: who it is, never what values it has.

The id is made of the finding's path (`kind/resource/field`), its region and its type,
plus the rule for a lint finding (two lint rules on one field are two findings). Its
expected and actual values, message, severity and source are left out, so a value that
changes again, a reworded message or a re-ranked severity is still the same open finding.
"""

from __future__ import annotations

import hashlib
import json

from drift.model import Finding, TrackedFinding

ID_LENGTH = 16  # hex digits of SHA-256: 64 bits, plenty for one project's findings


def finding_id(f: Finding | TrackedFinding) -> str:
    """The finding's stable id (16 hex digits)."""
    rule = f.rule if f.type == "lint" else None
    key = json.dumps([f.path, f.region, f.type, rule], ensure_ascii=True)
    return hashlib.sha256(key.encode("ascii")).hexdigest()[:ID_LENGTH]


def tracked(f: Finding, first_seen: str) -> TrackedFinding:
    """What history keeps of `f` between runs (no values, no message)."""
    return TrackedFinding(
        id=finding_id(f),
        path=f.path,
        kind=f.kind,
        region=f.region,
        type=f.type,
        severity=f.severity,
        rule=f.rule,
        first_seen=first_seen,
    )
