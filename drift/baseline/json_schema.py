"""JSON Schemas of baseline files, generated from the tables the loader validates with.

Editors (yaml-language-server, IntelliJ) use them to complete and check baseline files as
they are typed: `drift schema baseline > baseline.schema.json`, then in a file
`# yaml-language-server: $schema=../../baseline.schema.json` (see docs/baseline.md).

Three schemas, one source (drift/baseline/schema.py KIND_FIELDS / REGIONAL / META_FIELDS,
drift/baseline/rules.py for project.yaml, drift/baseline/matchers.py for matchers):

- `resources_schema()`: a resource file (`services.yaml`: kind -> name -> fields);
- `project_schema()`: project.yaml;
- `baseline_schema()`: either one (`oneOf`; the two never overlap, since a project.yaml
  key is never a kind), for a single `$schema` line in every file of a baseline.

The schemas describe the *structure*: unknown kinds and fields, wrong types, bad enum
values, malformed matchers, a missing region. What needs more than one value at a time,
or another file, stays the loader's (`drift validate`): LOADER_ONLY lists it, and
tests/test_schema_cmd.py holds the loader and the schema to that split on a corpus of
broken baselines. The schemas never reject what the loader accepts.

JSON Schema draft-07, the draft editors support best. YAML is read the way editors read
it: dates are strings (`until: 2026-12-15`), and keys are text.
"""

from __future__ import annotations

import datetime
from collections.abc import Mapping
from typing import Any

from drift.baseline.matchers import MATCHER_KEYS
from drift.baseline.rules import LINT_RULES, SEVERITY_VALUES, UNMANAGED_VALUES
from drift.baseline.schema import (
    _CPU,
    _DURATION,
    _MEMORY,
    _NUMERIC,
    _SHA256,
    _STRUCTURED,
    ENV_EXTRA_CHOICES,
    KIND_FIELDS,
    META_FIELDS,
    REGIONAL,
    FieldSpec,
)

DRAFT = "http://json-schema.org/draft-07/schema#"

# What only the loader (`drift validate`, every `drift diff`) can tell: these need the
# whole baseline, another file, the YAML text itself, or a comparison of two values.
LOADER_ONLY = (
    "duplicate keys in one YAML mapping (a JSON view keeps only one of them)",
    "the same resource declared twice, in one file or across files",
    "a region that is not in project.yaml's regions",
    "project: differing from the baseline's folder name",
    "min_instances greater than max_instances, and {min: A, max: B} with A greater than B",
    "traffic percents that do not add up to 100",
    "regular expressions RE2 cannot compile ({matches: '(('})",
    "impossible dates (until: 2026-02-30)",
    "canonical_hosts entries that are not host names, or duplicates by case or trailing dot",
    "non-string keys written unquoted (a label 2024: x), which editors read as text",
    "YAML-level problems: syntax errors, tags, aliases, control characters, file size",
    ".inf and .nan where a number is expected (JSON has neither)",
    "whole numbers written with a fraction (min_instances: 1.0), integers to JSON Schema",
    "which file is which: project.yaml content in a resource file, or the reverse "
    "(the combined schema accepts either shape in any file)",
)

_REF = "#/definitions/"


def _ref(name: str) -> dict[str, Any]:
    return {"$ref": _REF + name}


def _matcher(key: str, value: dict[str, Any], description: str) -> dict[str, Any]:
    return {
        "type": "object",
        "description": description,
        "required": [key],
        "properties": {key: value},
        "additionalProperties": False,
    }


def _definitions() -> dict[str, Any]:
    """Matchers (drift/baseline/matchers.py) shared by every field."""
    return {
        "matches": _matcher(
            "matches", {"type": "string"}, "The whole live value matches this RE2 expression."
        ),
        "present": _matcher("present", {"const": True}, "It exists, with any value."),
        "absent": _matcher("absent", {"const": True}, "It must not exist."),
        "range": {
            "type": "object",
            "description": "Numeric bounds, inclusive: {min: N}, {max: N} or both.",
            "minProperties": 1,
            "properties": {"min": {"type": "number"}, "max": {"type": "number"}},
            "additionalProperties": False,
        },
        "secretRef": {
            "type": "object",
            "description": "An env var that is a reference to a Secret Manager secret.",
            "required": ["secret"],
            "properties": {
                "secret": {"type": "string", "minLength": 1},
                "version": {
                    "anyOf": [{"type": "string", "minLength": 1}, {"type": "integer"}],
                    "default": "latest",
                },
            },
            "additionalProperties": False,
        },
        # A mapping made only of matcher keys is read as a matcher, never as data: a
        # label map {min: x} is a (bad) matcher. {version: x} alone is data.
        "matcherShaped": {
            "type": "object",
            "minProperties": 1,
            "propertyNames": {"enum": sorted(MATCHER_KEYS)},
            "not": {"required": ["version"], "maxProperties": 1},
        },
    }


def _number_or(pattern: str) -> dict[str, Any]:
    return {"anyOf": [{"type": "number", "minimum": 0}, {"type": "string", "pattern": pattern}]}


def _scalar(spec: FieldSpec) -> dict[str, Any] | None:
    """The plain (non-mapping, non-list) values a field takes; None for structured ones."""
    t = spec.type
    if t in ("str", "image", "short_name", "host"):
        return {"type": "string"}
    if t == "int":
        return {"type": "integer", "minimum": 0}
    if t == "cpu":
        return _number_or(_CPU.pattern)
    if t == "memory":
        return _number_or(_MEMORY.pattern)
    if t == "duration":
        return _number_or(_DURATION.pattern)
    if t == "bool":
        return {"type": "boolean"}
    if t == "enum":
        return {"enum": list(spec.choices)}
    if t == "sha256":
        return {"type": "string", "pattern": _SHA256.pattern}
    if t == "replication":
        return {"const": "automatic"}
    if t == "traffic":
        return {"const": "latest"}
    return None


def _one_of(items: dict[str, Any]) -> dict[str, Any]:
    return _matcher(
        "one_of",
        {"type": "array", "minItems": 1, "items": items},
        "The live value equals one of these.",
    )


def _not_matcher(schema: dict[str, Any]) -> dict[str, Any]:
    return {**schema, "not": _ref("matcherShaped")}


_NAME = {"type": "string", "minLength": 1, "pattern": "^[^/]+$"}
_TEXT_VALUE = [{"type": "string"}, {"type": "number"}]  # YAML numbers become their text


def _structured(spec: FieldSpec) -> list[dict[str, Any]]:
    """The mapping / list forms of a field (the value itself, not a matcher)."""
    t = spec.type
    if t == "map":
        entry = {
            "anyOf": [
                *_TEXT_VALUE,
                _ref("matches"),
                _one_of({"type": "string"}),
                _ref("present"),
                _ref("absent"),
            ]
        }
        return [
            _not_matcher({"type": "object", "propertyNames": _NAME, "additionalProperties": entry})
        ]
    if t == "env":
        any_plain = {"not": {"type": ["object", "array"]}}
        entry = {
            "anyOf": [
                *_TEXT_VALUE,
                _ref("secretRef"),
                _ref("matches"),
                _one_of(any_plain),
                _ref("present"),
                _ref("absent"),
            ]
        }
        names = {"type": "string", "minLength": 1, "pattern": "^[^/=]+$"}
        return [
            _not_matcher({"type": "object", "propertyNames": names, "additionalProperties": entry})
        ]
    if t == "set":
        return [{"type": "array", "items": {"type": "string"}, "uniqueItems": True}]
    if t == "probe":
        props = {k: field_schema(sub) for k, sub in spec.keys.items()}
        return [
            _not_matcher({"type": "object", "properties": props, "additionalProperties": False})
        ]
    if t == "replication":
        regions = {"type": "array", "minItems": 1, "items": {"type": "string"}}
        return [
            {
                "type": "object",
                "required": ["user_managed"],
                "properties": {"user_managed": regions},
                "additionalProperties": False,
            }
        ]
    if t == "traffic":
        percent = {
            "anyOf": [
                {"type": "integer", "minimum": 0, "maximum": 100},
                _ref("range"),
                _ref("matches"),
                _one_of({"type": "integer", "minimum": 0}),
                _ref("present"),
                _ref("absent"),
            ]
        }
        return [
            _not_matcher(
                {
                    "type": "object",
                    "minProperties": 1,
                    "propertyNames": {"type": "string", "minLength": 1},
                    "additionalProperties": percent,
                }
            )
        ]
    return []


def field_schema(spec: FieldSpec) -> dict[str, Any]:
    """One declared field: its plain values, its structured form, and the matchers it takes
    (as drift/baseline/schema.py check_value allows them)."""
    options: list[dict[str, Any]] = []
    scalar = _scalar(spec)
    if scalar is not None:
        options.append(scalar)
    options += _structured(spec)
    if spec.type not in _STRUCTURED:
        options.append(_ref("matches"))
        if scalar is not None:
            options.append(_one_of(scalar))
    if spec.type in _NUMERIC:
        options.append(_ref("range"))
    options += [_ref("present"), _ref("absent")]
    return {"anyOf": options}


def _resource(kind: str) -> dict[str, Any]:
    props: dict[str, Any] = {name: field_schema(spec) for name, spec in KIND_FIELDS[kind].items()}
    if "region" in META_FIELDS[kind]:
        props["region"] = {
            "type": "string",
            "minLength": 1,
            "description": "One of project.yaml's regions.",
        }
    if "env_extra" in META_FIELDS[kind]:
        props["env_extra"] = {
            "enum": list(ENV_EXTRA_CHOICES),
            "description": "allow: accept live env vars not declared.",
        }
    body: dict[str, Any] = {"type": "object", "properties": props, "additionalProperties": False}
    if REGIONAL[kind] == "required":
        body["required"] = ["region"]
    return body


def _resource_file() -> dict[str, Any]:
    kinds = {
        kind: {
            "type": ["object", "null"],
            "description": f"{kind}: resource name -> declared fields.",
            "propertyNames": _NAME,
            "additionalProperties": _ref(f"resource.{kind}"),
        }
        for kind in KIND_FIELDS
    }
    return {
        "type": ["object", "null"],
        "description": "A resource file: a mapping of kind to resources (empty: nothing).",
        "properties": kinds,
        "additionalProperties": False,
    }


def _glob() -> dict[str, Any]:
    """A rule path: '/'-separated, its first segment a kind or a wildcard."""
    heads = "|".join(sorted(KIND_FIELDS)) + r"|[^/]*[*?\[][^/]*"
    return {"type": "string", "pattern": f"^(?:{heads})(?:/[^/]+)*/?$"}


def _project_file() -> dict[str, Any]:
    glob = _glob()
    ignore_rule = {
        "type": "object",
        "required": ["path", "reason"],
        "properties": {
            "path": glob,
            "reason": {"type": "string", "pattern": r"\S", "description": "Why (required)."},
            "until": {
                "anyOf": [
                    {"type": "string", "pattern": r"^\d{4}-\d{2}-\d{2}([Tt ][0-9:.+\-Zz ]*)?$"},
                    {"type": "null"},
                ],
                "description": "YYYY-MM-DD: the last day the rule applies.",
            },
        },
        "additionalProperties": False,
    }
    props: dict[str, Any] = {
        "project": {"type": "string", "description": "The project id; equals the folder name."},
        "regions": {
            "type": "array",
            "minItems": 1,
            "uniqueItems": True,
            "items": {"type": "string", "minLength": 1},
        },
        "project_number": {"type": ["string", "integer", "null"]},
        "unmanaged": {"enum": list(UNMANAGED_VALUES)},
        "severity": {
            "type": ["object", "null"],
            "propertyNames": glob,
            "additionalProperties": {"enum": list(SEVERITY_VALUES)},
        },
        "ignore": {"type": ["array", "null"], "items": ignore_rule},
        "canonical_hosts": {
            "type": ["array", "null"],
            "uniqueItems": True,
            "items": {"type": "string", "minLength": 1, "pattern": "^[^/:]*$"},
        },
        "lint": {
            "type": ["object", "null"],
            "properties": {rule: {"type": "boolean"} for rule in LINT_RULES},
            "additionalProperties": False,
        },
    }
    return {
        "type": "object",
        "description": "project.yaml: the project, its regions and its rules.",
        "required": ["project", "regions"],
        "properties": props,
        "additionalProperties": False,
    }


def _document(title: str, root: dict[str, Any]) -> dict[str, Any]:
    definitions = _definitions()
    definitions |= {f"resource.{kind}": _resource(kind) for kind in KIND_FIELDS}
    definitions["projectFile"] = _project_file()
    definitions["resourceFile"] = _resource_file()
    return {"$schema": DRAFT, "title": title, **root, "definitions": definitions}


def resources_schema() -> dict[str, Any]:
    """The schema of a resource file (any *.yaml of a baseline but project.yaml)."""
    return _document("drift baseline resource file", {"allOf": [_ref("resourceFile")]})


def project_schema() -> dict[str, Any]:
    """The schema of a baseline's project.yaml."""
    return _document("drift baseline project.yaml", {"allOf": [_ref("projectFile")]})


def baseline_schema() -> dict[str, Any]:
    """One schema for every file of a baseline: project.yaml or a resource file."""
    return _document(
        "drift baseline file (expected/<project>/*.yaml)",
        {"oneOf": [_ref("projectFile"), _ref("resourceFile")]},
    )


def yaml_as_json(value: Any) -> Any:
    """A parsed baseline file as an editor's YAML 1.2 reading sees it, for validation:
    dates and times as their text, keys as text, mappings and lists plain."""
    if isinstance(value, Mapping):
        return {str(k): yaml_as_json(v) for k, v in value.items()}
    if isinstance(value, list):
        return [yaml_as_json(v) for v in value]
    if isinstance(value, datetime.date):  # also datetime.datetime
        return value.isoformat()
    if isinstance(value, str):
        return str(value)  # Unreadable (a scalar already reported) is its text
    return value
