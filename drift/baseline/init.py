"""`drift baseline init`: a first baseline written from live state.

Pure: a `Snapshot` (already collected) goes in, `{filename: YAML text}` comes out; no I/O,
no clock (the caller passes the date). The files declare every public normalized field
that is set live, so that a `drift diff` right after reports no changed, missing or
unexpected finding, with three exceptions that keep the baseline useful and safe:

- plain env values that look secret are written as `{present: true}` (never in clear),
  with a comment saying to move them to Secret Manager;
- volatile values are written as matchers: an image pinned by digest becomes
  `{matches: '^<repository>@sha256:[0-9a-f]{64}$'}`, a label such as `commit-sha` or
  `deployed-at` becomes `{present: true}`;
- a secret's `enabled_versions` becomes `{min: 1}` when at least one version is enabled,
  and `sha256` is never written (it needs --read-secret-digests).

Output is deterministic: resources sorted by name (then region), `region` first, fields in
schema order, map entries sorted, scalars quoted exactly where YAML would otherwise read
them as something else ("6379", "true", "010", ":", "#"). Every file is checked to load
back (with a safe loader) as the intended values before it is returned.
"""

from __future__ import annotations

import json
import re
import unicodedata
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

import yaml

from drift.baseline.matchers import is_matcher
from drift.baseline.schema import KIND_FIELDS, REGIONAL, FieldSpec, check_value
from drift.model import Resource, Snapshot
from drift.redact import is_sensitive
from drift.registry import KINDS

PROJECT_FILE = "project.yaml"

# Label keys whose values change on every deploy or build: declared as {present: true}.
VOLATILE_LABEL = re.compile(r"commit|sha|build|deploy(ed)?[-_]?(at|time)|revision", re.IGNORECASE)
_REGEX_SPECIAL = re.compile(r"([.^$*+?{}\[\]\\|()])")
_DIGEST_IMAGE = re.compile(r"^(?P<repo>[^@\s]+)@sha256:[0-9a-f]{64}$")
_WIDE = 1 << 30  # never let PyYAML fold a line

PRESENT = {"present": True}

# Comment lines above each kind's resources: the kind's own (drift/kinds/<kind>.py).
KIND_NOTES: dict[str, tuple[str, ...]] = {
    name: spec.init_notes for name, spec in KINDS.items() if spec.init_notes
}


@dataclass
class _Node:
    """One `key: value` line (or a block mapping when `children` is set), with comments."""

    key: str
    value: Any = None
    children: list[_Node] | None = None
    comment: str | None = None
    above: list[str] = field(default_factory=list)

    def plain(self) -> Any:
        if self.children is None:
            return self.value
        return {c.key: c.plain() for c in self.children}


@dataclass(frozen=True)
class Rendered:
    """What `render_baseline` produced: file texts, advice for the user, counts per kind."""

    files: dict[str, str]
    notes: tuple[str, ...]
    counts: dict[str, int]


# -- YAML text ---------------------------------------------------------------------------------


# Characters a file viewer or terminal would act on or hide (controls, bidi overrides,
# zero-width marks, line separators): PyYAML writes some of them raw (U+202E), so a value
# holding any is written as JSON with \uXXXX escapes, which YAML reads back unchanged.
_HIDDEN_CATEGORIES = frozenset({"Cc", "Cf", "Zl", "Zp", "Cs"})


def _has_hidden(value: Any) -> bool:
    text = json.dumps(value, ensure_ascii=False, sort_keys=True)
    return any(unicodedata.category(c) in _HIDDEN_CATEGORIES for c in text)


def _one_line(text: str, value: Any) -> str:
    """PyYAML's text for a value, or JSON (valid YAML) when PyYAML would need several lines
    or the value holds hidden characters (then every non-ASCII character is escaped)."""
    if "\n" in text or _has_hidden(value):
        return json.dumps(value, sort_keys=True)
    return text


def _scalar(value: Any) -> str:
    """A value after `key: ` in block context, quoted only where YAML needs it."""
    if isinstance(value, dict | list):
        text = yaml.safe_dump(
            {"k": value}, default_flow_style=True, width=_WIDE, allow_unicode=True, sort_keys=True
        )
        return _one_line(text[len("{k: ") : -len("}\n")], value)
    text = yaml.safe_dump({"k": value}, default_flow_style=False, width=_WIDE, allow_unicode=True)
    return _one_line(text[len("k: ") : -1], value)


def _key(key: str) -> str:
    if _has_hidden(key):
        return json.dumps(key)
    text = yaml.safe_dump({key: 0}, default_flow_style=False, width=_WIDE, allow_unicode=True)
    if text.endswith(": 0\n") and "\n" not in text[: -len(": 0\n")] and not text.startswith("?"):
        return text[: -len(": 0\n")]
    return json.dumps(key)


def _comment(text: str) -> str:
    return " ".join(str(text).split())


def _emit(nodes: list[_Node], indent: int, out: list[str], blank: bool = False) -> None:
    pad = "  " * indent
    for i, node in enumerate(nodes):
        if blank and i:
            out.append("")
        out.extend(f"{pad}# {_comment(line)}" for line in node.above)
        tail = f"  # {_comment(node.comment)}" if node.comment else ""
        if node.children:
            out.append(f"{pad}{_key(node.key)}:{tail}")
            _emit(node.children, indent + 1, out)
        else:
            value = {} if node.children is not None else node.value
            out.append(f"{pad}{_key(node.key)}: {_scalar(value)}{tail}")


def _text(header: list[str], node: _Node) -> str:
    """A file holding one top-level key (`project.yaml` is built from several: see below)."""
    out = [f"# {_comment(line)}" for line in header]
    if node.children:
        out.append(f"{_key(node.key)}:")
        _emit(node.children, 1, out, blank=True)
    else:
        _emit([node], 0, out)
    return _checked("\n".join(out) + "\n", {node.key: node.plain()})


def _checked(text: str, expected: dict[str, Any]) -> str:
    if yaml.safe_load(text) != expected:  # pragma: no cover - a bug in the emitter above
        raise ValueError("baseline init produced YAML that does not load back as written")
    return text


# -- fields --------------------------------------------------------------------------------------


def _image(value: Any) -> _Node:
    m = _DIGEST_IMAGE.match(value) if isinstance(value, str) else None
    if not m:
        return _Node("image", value)
    pattern = f"^{_escape(m.group('repo'))}@sha256:[0-9a-f]{{64}}$"
    return _Node("image", {"matches": pattern}, comment="any digest: it changes on every deploy")


def _escape(text: str) -> str:
    """Escape regex specials only (re.escape also escapes '-', which reads badly in YAML)."""
    return _REGEX_SPECIAL.sub(r"\\\1", text)


def _labels(value: dict[str, Any]) -> list[_Node]:
    out = []
    for key in sorted(value):
        if VOLATILE_LABEL.search(key):
            out.append(_Node(key, PRESENT, comment=f"volatile: {value[key]!r} at init"))
        else:
            out.append(_Node(key, value[key]))
    return out


def _env(value: dict[str, Any], where: str, notes: list[str]) -> list[_Node]:
    out = []
    for name in sorted(value):
        item = value[name]
        if isinstance(item, dict):  # a secret reference: kept as a reference, never a value
            version = str(item.get("version") or "latest")
            out.append(_Node(name, {"secret": str(item.get("secret")), "version": version}))
        elif is_sensitive(name, str(item)):
            out.append(
                _Node(
                    name,
                    PRESENT,
                    comment="plaintext that looks secret, not written: move it to Secret Manager",
                )
            )
            notes.append(
                f"{where}/env/{name} holds a plaintext value that looks secret; it is declared "
                "as {present: true} (value not written). Move it to Secret Manager."
            )
        else:
            out.append(_Node(name, item))
    return out


def _field(spec: FieldSpec, name: str, value: Any, where: str, notes: list[str]) -> _Node | None:
    """One live field as a baseline line, by its type: a digest-pinned image becomes a
    matcher, a mapping one entry per line, live state gets a comment saying so."""
    if spec.type == "image":
        return _image(value)
    if spec.type == "sha256":
        return None  # needs --read-secret-digests; said in the file's header
    if name == "enabled_versions" and isinstance(value, int):
        if value >= 1:
            return _Node(name, {"min": 1}, comment=f"{value} enabled at init")
        return _Node(name, value, comment="no enabled version at init")
    if spec.type in ("env", "map") and isinstance(value, dict) and not is_matcher(value):
        if spec.type == "env":
            children = _env(value, where, notes)
        elif spec.canon:
            children = [_Node(k, value[k]) for k in sorted(value)]
        else:
            children = _labels(value)
        return _Node(name, children=children)
    if spec.live_state:
        return _Node(name, value, comment="live state at init")
    return _Node(name, value)


def _resource(r: Resource, notes: list[str]) -> _Node:
    specs = KIND_FIELDS[r.kind]
    where = f"{r.kind}/{r.name}"
    body: list[_Node] = []
    left_out: list[str] = []
    if r.region is not None and REGIONAL.get(r.kind, "none") != "none":
        body.append(_Node("region", r.region))
    public = {k: v for k, v in r.fields.items() if not k.startswith("_") and v is not None}
    for name in [*[f for f in specs if f in public], *sorted(set(public) - set(specs))]:
        if name not in specs:
            left_out.append(f"{name}: not a baseline field, not written")
            continue
        node = _field(specs[name], name, public[name], where, notes)
        if node is None:
            continue
        _, issues = check_value(specs[name], node.plain(), None)
        if issues:
            reason = issues[0][2]
            left_out.append(
                f"{name}: left out, its live value is not valid in a baseline: {reason}"
            )
            notes.append(f"{where}/{name} was left out: {reason}")
            continue
        body.append(node)
    return _Node(r.name, children=body, above=left_out)


def _file_name(kind: str, scope: str | None, split: bool) -> str:
    if not split:
        return f"{kind}.yaml"
    return f"{kind}.{scope or 'global'}.yaml"


# -- whole baseline ----------------------------------------------------------------------------


def header(source: str, date: str) -> str:
    return f"Written by drift baseline init from {source} on {date}; review before committing."


def project_yaml(
    project: str, project_number: str | None, regions: Sequence[str], source: str, date: str
) -> str:
    nodes = [_Node("project", project)]
    if project_number:
        nodes.append(_Node("project_number", str(project_number)))
    nodes.append(_Node("regions", list(regions)))
    nodes.append(
        _Node(
            "unmanaged",
            "report",
            above=[
                "A live resource of a declared kind that no file here declares:",
                "report (an info finding) | ignore | fail (a critical finding).",
            ],
        )
    )
    out = [f"# {_comment(header(source, date))}"]
    _emit(nodes, 0, out)
    text = _checked("\n".join(out) + "\n", {n.key: n.plain() for n in nodes})
    examples = [
        "",
        "# Path glob -> severity (critical | warning | info); the first match wins. For example:",
        "# severity:",
        "#   services/*/env/*: critical",
        "#   services/*/labels/*: info",
        "",
        "# Findings not to count, each with a reason and optionally an end date. For example:",
        "# ignore:",
        "#   - path: services/*/labels/commit-sha",
        "#     reason: stamped by CI on every deploy",
        "#     until: 2026-12-31",
    ]
    return text + "\n".join(examples) + "\n"


def render_baseline(
    snapshot: Snapshot,
    regions: Sequence[str],
    kinds: Iterable[str],
    *,
    source: str,
    date: str,
) -> Rendered:
    """The baseline files for `kinds` of `snapshot`: {file name: YAML text}, plus notes.

    Kinds of the snapshot that are not in `kinds` (read only for reference checks) are left
    out; a kind in `kinds` with no live resource is written as `kind: {}` so that a resource
    created later is reported as unmanaged.
    """
    notes: list[str] = []
    files = {
        PROJECT_FILE: project_yaml(snapshot.project, snapshot.project_number, regions, source, date)
    }
    counts: dict[str, int] = {}
    for kind in sorted(set(kinds)):
        if kind not in KIND_FIELDS:
            continue
        resources = sorted(snapshot.by_kind(kind), key=lambda r: (r.name, r.region or ""))
        counts[kind] = len(resources)
        names = [r.name for r in resources]
        split = len(set(names)) != len(names)  # one name in several regions: a file per scope
        groups: dict[str, list[Resource]] = {}
        for r in resources:
            groups.setdefault(_file_name(kind, r.region, split), []).append(r)
        if not groups:
            groups[_file_name(kind, None, False)] = []
        head = [header(source, date), *KIND_NOTES.get(kind, ())]
        for filename in sorted(groups):
            body = [_resource(r, notes) for r in groups[filename]]
            files[filename] = _text(head, _Node(kind, children=body))
        if split:
            notes.append(
                f"{kind}: a name is used in more than one region, so each region has its own "
                f"file ({', '.join(sorted(groups))})."
            )
    return Rendered(files=files, notes=tuple(notes), counts=counts)
