"""`drift diff --compare-to REF`: what a change to the baseline does to the findings.

One live scan is compared with two baselines, the one at REF (before) and the working
tree's (after). Pure functions here, on plain findings and baselines:

- `classify` pairs the findings of both runs: a finding of the after run is `unchanged`
  when the before run had one at the same place of the same type, else `introduced`; a
  before finding left unpaired is `resolved`. Values are never part of the match: the
  live state is the same for both runs, so what differs is the declaration, and a fixed
  declared value that is still wrong in another way must stay the same finding.
- `baseline_changes` lists declarations added, removed or changed between the two.
- `point_at_working_tree` gives resolved findings the source line of the working tree
  where the resource (and field) is declared now, which is where the fix is.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from dataclasses import replace
from typing import Any

from drift.baseline import Baseline, Declared
from drift.baseline.schema import META_FIELDS
from drift.engine.compare import live_key
from drift.model import BaselineChange, Finding

MatchKey = tuple[str, str, str, str | None]


def match_key(finding: Finding) -> MatchKey:
    """Where a finding is and what it says, without its values or severity.

    (path, region, type), and for a lint finding its rule: two lint rules on one field are
    two findings, and fixing one must not look like fixing the other.
    """
    rule = finding.rule if finding.type == "lint" else None
    return (finding.path, finding.region or "", finding.type, rule)


def classify(
    before: Iterable[Finding], after: Iterable[Finding]
) -> tuple[tuple[Finding, ...], tuple[Finding, ...]]:
    """(after findings with `change` set, before findings that are gone, as `resolved`).

    Findings with the same match key are paired one to one, in order, so two identical
    findings before and three after are two `unchanged` and one `introduced`.
    """
    before = list(before)
    after = list(after)
    left = Counter(match_key(f) for f in before)
    classified: list[Finding] = []
    for f in after:
        key = match_key(f)
        if left[key] > 0:
            left[key] -= 1
            classified.append(replace(f, change="unchanged"))
        else:
            classified.append(replace(f, change="introduced"))
    kept = Counter(match_key(f) for f in after)
    resolved: list[Finding] = []
    for f in before:
        key = match_key(f)
        if kept[key] > 0:
            kept[key] -= 1
        else:
            resolved.append(replace(f, change="resolved"))
    resolved.sort(key=Finding.sort_key)
    return tuple(classified), tuple(resolved)


def declared_source(baseline: Baseline, finding: Finding) -> str | None:
    """Where `baseline` declares the finding's resource and field (the field's own line,
    else the mapping holding it, e.g. `env:`, else the resource's), or None."""
    declared = {live_key(*d.key()): d for d in baseline.declared}
    d = declared.get((finding.kind, finding.resource, finding.region))
    if d is None:
        return None
    field = finding.field or ""
    if not field:
        return d.source or None
    return d.field_sources.get(field) or d.field_sources.get(field.split("/", 1)[0]) or d.source


def point_at_working_tree(resolved: Iterable[Finding], after: Baseline) -> tuple[Finding, ...]:
    """Resolved findings with the working tree's source line where it declares them.

    A resolved finding came from the baseline at REF, whose sources name REF
    (`origin/main:expected/P/services.yaml:12`); when the working tree still declares the
    resource, its line there is where the fix is, and a link to it works.
    """
    out = []
    for f in resolved:
        src = declared_source(after, f)
        out.append(replace(f, source=src) if src else f)
    return tuple(out)


def _leaves(d: Declared) -> dict[str, Any]:
    """A declaration's fields, one level of mapping opened (`env/NAME`, `labels/KEY`).

    A mapping is opened when the loader located its keys one by one (it records
    `env/NAME` lines); other structured values (matchers, lists) are one leaf.
    """
    out: dict[str, Any] = {}
    for name, value in d.fields.items():
        if isinstance(value, dict) and any(f"{name}/{k}" in d.field_sources for k in value):
            for k, v in value.items():
                out[f"{name}/{k}"] = v
        else:
            out[name] = value
    if "env_extra" in META_FIELDS.get(d.kind, ()):
        out["env_extra"] = d.env_extra  # allow/deny decides which live env vars are findings
    return out


def _source(d: Declared, field: str | None) -> str | None:
    if field is None:
        return d.source or None
    return (
        d.field_sources.get(field)
        or d.field_sources.get(field.split("/", 1)[0])
        or (d.source or None)
    )


def baseline_changes(before: Baseline | None, after: Baseline) -> tuple[BaselineChange, ...]:
    """Declared resources and fields added, removed or changed from `before` to `after`.

    A resource added or removed whole is one entry (not one per field). With no baseline
    before, every declared resource is `added`.
    """
    old = {d.key(): d for d in (before.declared if before else ())}
    new = {d.key(): d for d in after.declared}
    out: list[BaselineChange] = []
    for key in sorted(set(old) | set(new), key=lambda k: (k[0], k[1], k[2] or "")):
        kind, name, region = key
        b, a = old.get(key), new.get(key)
        if b is None and a is not None:
            out.append(BaselineChange("added", kind, name, region, None, _source(a, None)))
            continue
        if a is None and b is not None:
            out.append(BaselineChange("removed", kind, name, region, None, _source(b, None)))
            continue
        assert a is not None and b is not None
        lb, la = _leaves(b), _leaves(a)
        for field in sorted(set(lb) | set(la)):
            if field not in lb:
                change, src = "added", _source(a, field)
            elif field not in la:
                change, src = "removed", _source(b, field)
            elif _same(lb[field], la[field]):
                continue
            else:
                change, src = "changed", _source(a, field)
            out.append(BaselineChange(change, kind, name, region, field, src))
    return tuple(sorted(out, key=BaselineChange.sort_key))


def _same(a: Any, b: Any) -> bool:
    """Equal as declared: `1` and `1.0`, or `true` and `1`, are different declarations."""
    return type(a) is type(b) and a == b
