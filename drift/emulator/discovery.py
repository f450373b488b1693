"""Validate JSON against Google's own discovery documents.

The emulator (and hand-written world files) must use exactly the field names
and types the real APIs use; a typo such as ``minInstances`` for
``minInstanceCount`` would otherwise be silently dropped by the client
libraries' ``ignore_unknown_fields`` parsing. This module turns the discovery
``schemas`` bundled with google-api-python-client into JSON Schema (objects with
``properties`` get ``additionalProperties: false``) and validates with
``jsonschema``.
"""

from __future__ import annotations

import functools
import json
from pathlib import Path
from typing import Any

import googleapiclient
from jsonschema import Draft202012Validator

from drift.emulator.errors import CANONICAL_CODES

DOCUMENTS_DIR = Path(googleapiclient.__file__).resolve().parent / "discovery_cache" / "documents"

_INT_STRING = r"^-?[0-9]+$"
_DURATION = r"^-?[0-9]+(\.[0-9]{1,9})?s$"
_DATETIME = (
    r"^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}(\.[0-9]{1,9})?"
    r"(Z|[+-][0-9]{2}:[0-9]{2})$"
)

#: Synthetic schemas available under every API: Google's JSON error envelope.
ERROR_SCHEMAS: dict[str, Any] = {
    "ErrorResponse": {
        "type": "object",
        "properties": {"error": {"$ref": "#/$defs/ErrorResponseError"}},
        "required": ["error"],
        "additionalProperties": False,
    },
    "ErrorResponseError": {
        "type": "object",
        "properties": {
            "code": {"type": "integer"},
            "message": {"type": "string"},
            "status": {"enum": list(CANONICAL_CODES)},
            "details": {
                "type": "array",
                "items": {
                    "type": "object",
                    "properties": {"@type": {"type": "string"}},
                    "required": ["@type"],
                },
            },
            "errors": {
                "type": "array",
                "items": {
                    "type": "object",
                    "properties": {
                        "domain": {"type": "string"},
                        "reason": {"type": "string"},
                        "message": {"type": "string"},
                        "location": {"type": "string"},
                        "locationType": {"type": "string"},
                    },
                    "required": ["domain", "reason", "message"],
                    "additionalProperties": False,
                },
            },
        },
        "required": ["code", "message", "status"],
        "additionalProperties": False,
    },
}


def _convert(node: dict[str, Any]) -> dict[str, Any]:
    """One discovery schema node -> JSON Schema."""
    if "$ref" in node:
        return {"$ref": f"#/$defs/{node['$ref']}"}
    kind = node.get("type")
    fmt = node.get("format")
    out: dict[str, Any] = {}
    if kind == "string":
        out["type"] = "string"
        if fmt in ("int64", "uint64"):
            out["pattern"] = _INT_STRING
        elif fmt == "google-duration":
            out["pattern"] = _DURATION
        elif fmt == "google-datetime":
            out["pattern"] = _DATETIME
    elif kind == "integer":
        out["type"] = "integer"
    elif kind == "number":
        out["type"] = "number"
    elif kind == "boolean":
        out["type"] = "boolean"
    elif kind == "array":
        out["type"] = "array"
        if "items" in node:
            out["items"] = _convert(node["items"])
    elif kind == "object":
        out["type"] = "object"
        if "properties" in node:
            out["properties"] = {k: _convert(v) for k, v in node["properties"].items()}
            out["additionalProperties"] = False
        if "additionalProperties" in node:
            out["additionalProperties"] = _convert(node["additionalProperties"])
    # kind == "any" (or missing): anything goes
    if "enum" in node:
        out["enum"] = list(node["enum"])
    return out


@functools.cache
def _defs(api: str) -> dict[str, Any]:
    path = DOCUMENTS_DIR / f"{api}.json"
    if not path.is_file():
        known = sorted(p.stem for p in DOCUMENTS_DIR.glob("*.json"))
        raise ValueError(f"no discovery document {api!r} (e.g. {', '.join(known[:5])}, ...)")
    doc = json.loads(path.read_text(encoding="utf-8"))
    defs = {name: _convert(schema) for name, schema in doc.get("schemas", {}).items()}
    for name, schema in ERROR_SCHEMAS.items():
        defs.setdefault(name, schema)
    return defs


def schema_names(api: str) -> list[str]:
    """Schema names available for ``api`` (e.g. ``"run.v2"``)."""
    return sorted(_defs(api))


@functools.cache
def _validator(api: str, schema_name: str) -> Draft202012Validator:
    defs = _defs(api)
    if schema_name not in defs:
        raise ValueError(f"discovery document {api!r} has no schema {schema_name!r}")
    return Draft202012Validator({"$defs": defs, "$ref": f"#/$defs/{schema_name}"})


def _where(path: Any) -> str:
    out = "$"
    for part in path:
        out += f"[{part}]" if isinstance(part, int) else f".{part}"
    return out


def validate(api: str, schema_name: str, instance: Any) -> list[str]:
    """Errors (``"$.path: message"``) of ``instance`` against ``api``'s ``schema_name``.

    An empty list means valid. ``schema_name`` may also be ``"ErrorResponse"``
    (Google's error envelope) for any API.
    """
    errors = _validator(api, schema_name).iter_errors(instance)
    return sorted(f"{_where(e.absolute_path)}: {e.message}" for e in errors)


def validate_world(world: dict[str, Any]) -> list[str]:
    """Check every object in a world dict against its API schema (plus structure)."""
    from drift.emulator.world import COLLECTIONS, check_world

    try:
        check_world(world)
    except ValueError as e:
        return [str(e)]
    problems: list[str] = []
    for pid, proj in (world.get("projects") or {}).items():
        for coll in COLLECTIONS:
            for i, obj in enumerate(proj.get(coll.key) or []):
                where = f"projects.{pid}.{coll.key}[{i}] ({obj.get('name')})"
                problems += [f"{where} {e}" for e in validate(coll.discovery, coll.schema, obj)]
        for i, dm in enumerate(proj.get("domainMappings") or []):
            where = f"projects.{pid}.domainMappings[{i}] ({dm['metadata']['name']})"
            problems += [f"{where} {e}" for e in validate("run.v1", "DomainMapping", dm)]
    return problems
