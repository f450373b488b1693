"""Declared vs live, field by field, with deepdiff over the normalized views.

RawFinding lives in drift/model.py; it is imported here for the callers that look for it.

Matchers are evaluated first and taken out of both sides; deepdiff then compares the
plain values (env keyed by name, sets without order) and each difference it reports
becomes a finding at `kind/resource/field[/key]`.
"""

from __future__ import annotations

import json
import re
from dataclasses import replace
from typing import Any

from drift.baseline import Baseline, Declared
from drift.baseline.matchers import is_matcher, parse_matcher
from drift.engine import values
from drift.kinds.fields import declared_scalar
from drift.model import Finding, FindingType, RawFinding, Resource, Severity, Snapshot
from drift.normalize.hosts import canonical_host
from drift.normalize.services import secret_ref
from drift.redact import digests_equal, is_fingerprint, is_mask, mask, shown
from drift.registry import host_keyed, subject


def live_key(kind: str, name: str, region: str | None) -> tuple[str, str, str | None]:
    """The key a declared resource has among live resources (a host-keyed kind's in
    canonical host form)."""
    return (kind, canonical_host(name) if host_keyed(kind) else name, region)


_NUMBERED_SECRET = re.compile(r"^projects/\d+/secrets/([^/]+)$")


def _is_env_secret_ref(value: Any) -> bool:
    return isinstance(value, dict) and "secret" in value


def _is_env(kind: str, field: str) -> bool:
    spec = values.spec_of(kind, field)
    return spec is not None and spec.type == "env"


def _maybe_matcher(value: Any) -> bool:
    """is_matcher, answered at once for a string (most declared values are)."""
    return not isinstance(value, str) and is_matcher(value)


# Field types compared as one value whose declared side only needs declared_scalar (the
# others are keyed, sets, probes, replication, traffic or digests: the general path).
_PLAIN_TYPES = frozenset(
    {"str", "image", "short_name", "host", "int", "cpu", "memory", "duration", "bool", "enum"}
)
_SCALAR_VALUES = frozenset({str, int, float, bool})


class _Comparer:
    def __init__(self, baseline: Baseline, snapshot: Snapshot) -> None:
        self.baseline = baseline
        self.snapshot = snapshot
        ids = {snapshot.project}
        if snapshot.project_number:
            ids.add(snapshot.project_number)
        self.project_ids = ids
        self.out: list[RawFinding] = []

    # -- helpers -------------------------------------------------------------------------
    def add(
        self, d: Declared, field: str | None, type_: FindingType, expected: Any, actual: Any
    ) -> None:
        source = d.field_sources.get(field, d.source) if field else d.source
        if field and field not in d.field_sources:
            top = field.split("/", 1)[0]
            source = d.field_sources.get(top, d.source)
        name = live_key(d.kind, d.name, d.region)[1]  # paths in canonical form, like live ones
        raw = RawFinding(d.kind, name, d.region, field, type_, expected, actual, source)
        self.out.append(replace(raw, message=message(raw)))

    def declared_plain(self, kind: str, field: str, value: Any) -> Any:
        if _is_env(kind, field):
            return {
                k: secret_ref(v, self.project_ids) if _is_env_secret_ref(v) else values.env_value(v)
                for k, v in (value or {}).items()
            }
        return values.declared_value(kind, field, value)

    def live_env_ref(self, value: Any) -> Any:
        """Without the project number (its secrets could not be listed), a numbered
        same-project-looking reference is taken as this project's rather than cry wolf."""
        if self.snapshot.project_number or not _is_env_secret_ref(value):
            return value
        m = _NUMBERED_SECRET.match(str(value.get("secret", "")))
        return {**value, "secret": m.group(1)} if m else value

    # -- per resource ----------------------------------------------------------------------
    def resource(self, d: Declared, live: Resource | None) -> None:
        if live is None:
            self.add(d, None, "missing", d.fields or {}, None)
            return
        exp: dict[str, Any] = {}
        act: dict[str, Any] = {}
        live_fields = live.fields
        for field, declared in d.fields.items():
            spec = values.spec_of(d.kind, field)  # once per field: the helpers take it
            if type(declared) in _SCALAR_VALUES and spec is not None and spec.type in _PLAIN_TYPES:
                # Most declared fields: a scalar of a scalar type. What the general path
                # below gives them: the declared side normalized by type, the live as is.
                exp[field] = declared_scalar(spec)(declared)
                act[field] = live_fields.get(field)
                continue
            env = spec is not None and spec.type == "env"
            live_val = live_fields.get(field)
            present = field in live.fields and live_val is not None
            leaf = not (env and _is_env_secret_ref(declared)) and _maybe_matcher(declared)
            if field == "sha256" and is_fingerprint(live_val) and leaf:
                # A snapshot keeps only a fingerprint: one_of compares by it; a regex on
                # the full digest cannot be judged offline and is left to live scans.
                m = parse_matcher(declared)
                if m.op == "one_of" and any(digests_equal(o, live_val) for o in m.arg):
                    continue
                if m.op == "matches":
                    continue
            if leaf:
                norm = declared_scalar(spec)
                self.matcher(d, field, declared, present, live_val, norm)
                continue
            if field == "traffic" and isinstance(declared, dict) and live_val == "latest":
                live_val = {"latest": 100}  # all traffic on the latest revision, as a split
            if field == "traffic" and isinstance(declared, dict) and isinstance(live_val, dict):
                tags = live.fields.get("_traffic_tags") or {}
                live_val = values.traffic_in_declared_spelling(live_val, tags, declared)
            scoped = spec is not None and spec.type == "set" and spec.canon == "scoped"
            if scoped and isinstance(declared, list):
                exp[field] = values.resolve_scoped(declared, live_val or [])
                act[field] = values.live_value(d.kind, field, live_val, declared, spec)
                continue
            if field == "sha256" and digests_equal(declared, live_val):
                continue  # a snapshot keeps only the fingerprint of a live digest
            live_is_map = live_val is None or isinstance(live_val, dict)
            keyed = spec is not None and spec.keyed
            if keyed and isinstance(declared, dict) and live_is_map:
                declared = values.declared_keys(d.kind, field, declared, spec)
                e, a = self.split_dict(d, field, declared, live_val or {}, spec)
                exp[field], act[field] = e, a
                continue
            if env:
                exp[field] = self.declared_plain(d.kind, field, declared)
            else:
                exp[field] = values.declared_value(d.kind, field, declared, spec)
            act[field] = values.live_value(d.kind, field, live_val, declared, spec)
        self.deep(d, exp, act)

    def split_dict(
        self,
        d: Declared,
        field: str,
        declared: dict[str, Any],
        live: dict[str, Any],
        spec: Any = values.LOOK_UP,
    ) -> tuple[dict[str, Any], dict[str, Any]]:
        """Evaluate matcher keys; return the plain parts of both sides for deepdiff."""
        if spec is values.LOOK_UP:
            spec = values.spec_of(d.kind, field)
        exp: dict[str, Any] = {}
        act: dict[str, Any] = {}
        env = spec is not None and spec.type == "env"
        for key, value in declared.items():
            secret = env and _is_env_secret_ref(value)
            if not secret and _maybe_matcher(value):
                norm = declared_scalar(spec)
                self.matcher(d, f"{field}/{key}", value, key in live, live.get(key), norm)
                continue
            if secret:
                exp[key] = secret_ref(value, self.project_ids)
            elif env:
                exp[key] = values.env_value(value)
            else:
                exp[key] = values.declared_value(d.kind, field, {key: value}, spec)[key]
            if key in live:
                act[key] = self.live_env_ref(live[key]) if env else live[key]
                if is_mask(live[key]) and isinstance(exp[key], str):
                    # A snapshot keeps secret-looking values only as digests.
                    exp[key] = mask(exp[key])
        allow_extra = env and d.env_extra == "allow"
        for key, value in live.items():
            if key not in declared and not allow_extra:
                act[key] = value
        return exp, act

    def matcher(
        self, d: Declared, field: str, declared: Any, present: bool, actual: Any, norm: Any
    ) -> None:
        m = parse_matcher(declared)
        if m.holds(present, actual, norm):
            return
        type_: FindingType
        if m.op == "absent":
            type_ = "unexpected"
        else:
            type_ = "changed" if present else "missing"
        self.add(d, field, type_, declared, actual if present else None)

    def deep(self, d: Declared, exp: dict[str, Any], act: dict[str, Any]) -> None:
        if values.same_value(exp, act):
            return  # equal, so DeepDiff would find nothing (values.same_value)
        from deepdiff import DeepDiff  # only for a difference: most runs never load it

        # threshold_to_diff_deeper=0: DeepDiff otherwise reports a mapping in which about a
        # third of the keys differ as one changed value, which would fold a critical
        # `missing env/B` into a warning on `env` and bypass per-key severity and ignores.
        diff = DeepDiff(
            exp,
            act,
            ignore_order=True,
            ignore_numeric_type_changes=True,
            threshold_to_diff_deeper=0,
            view="tree",
        )
        seen: dict[str, FindingType] = {}
        for report_type, items in diff.items():
            for item in items:
                path = item.path(output_format="list")
                if not path:
                    continue
                depth = 2 if values.is_keyed(d.kind, str(path[0])) and len(path) > 1 else 1
                key = "/".join(str(p) for p in path[:depth])
                if depth == 2 and report_type == "dictionary_item_removed" and len(path) == 2:
                    seen.setdefault(key, "missing")
                elif depth == 2 and report_type == "dictionary_item_added" and len(path) == 2:
                    seen.setdefault(key, "unexpected")
                else:
                    seen.setdefault(key, "changed")
        for key in sorted(seen):
            parts = key.split("/", 1)
            e = exp.get(parts[0])
            a = act.get(parts[0])
            if len(parts) == 2:
                e = e.get(parts[1]) if isinstance(e, dict) else None
                a = a.get(parts[1]) if isinstance(a, dict) else None
            type_ = seen[key]
            if type_ == "changed" and a is None:
                type_ = "missing"
            self.add(d, key, type_, e, a)

    # -- whole run ---------------------------------------------------------------------------
    def run(self, ahead: Any = None) -> list[RawFinding]:
        live_by_key = {r.key(): r for r in self.snapshot.resources}
        declared_keys = set()
        number = self.snapshot.project_number
        for d in self.baseline.declared:
            key = live_key(d.kind, d.name, d.region)
            declared_keys.add(key)
            if not self.snapshot.checked_resource(d.kind, key[1], d.region):
                continue  # could not look: no finding may claim anything about it
            live = live_by_key.get(key)
            done = ahead.compared(d, live, number) if ahead is not None and live else None
            if done is not None:
                self.out += done  # worked out while the scan ran (drift/engine/ahead.py)
            else:
                self.resource(d, live)
        if self.baseline.rules.unmanaged != "ignore":
            for r in self.snapshot.resources:
                if r.kind not in self.baseline.kinds or r.key() in declared_keys:
                    continue
                raw = RawFinding(r.kind, r.name, r.region, None, "unmanaged", None, None, None)
                text = message(raw)  # built once more with it: cheaper than replace()
                self.out.append(
                    RawFinding(r.kind, r.name, r.region, None, "unmanaged", None, None, None, text)
                )
        return self.out


def compare(baseline: Baseline, snapshot: Snapshot, ahead: Any = None) -> list[RawFinding]:
    """All differences between the declared and live views, before project rules.

    `ahead` (drift/engine/ahead.py) holds the differences of resources already compared
    while the scan ran, for the same live resource and project number."""
    return _Comparer(baseline, snapshot).run(ahead)


def compare_one(
    baseline: Baseline, d: Declared, live: Resource, project_number: str | None
) -> list[RawFinding]:
    """The differences of one declared resource with its live one, as `compare` finds them
    in a snapshot of `baseline`'s project with that project number."""
    stand_in = Snapshot(baseline.project, project_number, (), ())
    comparer = _Comparer(baseline, stand_in)
    comparer.resource(d, live)
    return comparer.out


def _show(value: Any) -> str:
    if isinstance(value, str):
        return value
    return json.dumps(value, sort_keys=True)


def _label(field: str | None) -> str:
    label = field or ""
    if label.startswith("env/"):
        return f"env var {label[4:]}"
    return label.replace("/", " ")


def message(raw: RawFinding) -> str:
    """A difference in words, with the values a report may show (redacted)."""
    text_subject = subject(raw.kind, raw.resource, raw.region)
    expected = shown(raw.kind, raw.field, raw.expected)
    actual = shown(raw.kind, raw.field, raw.actual)
    field = raw.field
    if raw.type == "unmanaged":
        return f"{text_subject} exists live but is not declared in the baseline."
    if raw.type == "missing" and field is None:
        return f"{text_subject} is declared but does not exist live."
    label = _label(field)
    if raw.type == "missing":
        return f"{text_subject}: {label} is declared as {_show(expected)} but is not set live."
    if raw.type == "unexpected":
        if actual is None:
            return f"{text_subject}: {label} must be absent but is set live."
        return f"{text_subject}: {label} is set live to {_show(actual)} but is not declared."
    text = f"{text_subject}: {label} is {_show(actual)} live, declared {_show(expected)}."
    if field and values.is_scoped_set(raw.kind, field):
        for name in values.ambiguous_names(expected, actual):
            same = sorted(str(v) for v in actual if str(v).rsplit("/", 1)[-1] == name)
            text += (
                f" {name} names several live groups ({', '.join(same)}): "
                "declare each as LOCATION/NAME."
            )
    return text


def finding_from_raw(
    raw: RawFinding, severity: Severity, message: str, rule: str | None
) -> Finding:
    return Finding(
        path=raw.path,
        kind=raw.kind,
        resource=raw.resource,
        region=raw.region,
        field=raw.field,
        type=raw.type,
        severity=severity,
        expected=shown(raw.kind, raw.field, raw.expected),
        actual=shown(raw.kind, raw.field, raw.actual),
        message=message,
        source=raw.source,
        rule=rule,
    )
