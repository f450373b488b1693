"""The tables of kinds and fields in README.md and docs/baseline.md, built from the registry.

Each table sits between two markers in its file; `python -m drift.kinds.docs` rewrites
them from the kinds' specs (drift/kinds/<kind>.py), `--check` exits 1 when a file is out
of date (tests/test_docs_generated.py runs the check). Adding a kind or a field never
needs a hand edit of these tables.
"""

from __future__ import annotations

import sys
from collections.abc import Callable
from pathlib import Path

from drift.kinds.fields import FieldSpec
from drift.kinds.spec import KindSpec
from drift.registry import SPECS

ROOT = Path(__file__).resolve().parents[2]
BEGIN = "<!-- generated from drift/kinds by `python -m drift.kinds.docs`: {name}; do not edit -->"
END = "<!-- end of generated {name} -->"

_REGION_WORDS = {
    "required": "required",
    "optional": "optional: global unless given",
    "none": "not allowed (global)",
}
_CANON_WORDS = {
    "host": "set of host names",
    "host_rule": "map of host -> name",
    "scoped": "set of scoped names",
}


def type_words(spec: FieldSpec) -> str:
    """How docs/baseline.md names a field's type."""
    if spec.type == "enum":
        return " \\| ".join(spec.choices)
    if spec.canon:
        return _CANON_WORDS[spec.canon]
    if spec.type == "probe":
        return "probe (" + ", ".join(spec.keys) + ")"
    return {"str": "string"}.get(spec.type, spec.type.replace("_", " "))


def _has_setting(spec: KindSpec, setting: str) -> bool:
    """`region` where the kind has regions, `env_extra` where it has an env field."""
    if setting == "region":
        return spec.region_rule != "none"
    return any(f.type == "env" for f in spec.fields.values())


def _title(spec: KindSpec) -> str:
    return f" ({spec.title})" if spec.title else ""


def kinds_table() -> str:
    """README's "What it checks today": every kind and its fields."""
    rows = ["| kind | fields |", "| --- | --- |"]
    for spec in SPECS:
        if spec.declarable:
            fields = ", ".join(f"`{name}`" for name in spec.fields)
        else:
            fields = "read for reference checks only, never declared"
        rows.append(f"| `{spec.name}`{_title(spec)} | {fields} |")
    return "\n".join(rows)


def fields_reference() -> str:
    """docs/baseline.md's regions table and one table of fields per kind."""
    out = ["| kind | region |", "| --- | --- |"]
    out += [f"| `{s.name}` | {_REGION_WORDS[s.region_rule]} |" for s in SPECS if s.declarable]
    for spec in SPECS:
        if not spec.declarable:
            continue
        key = "the host name" if spec.key == "host" else "its short name"
        settings = [s for s in ("region", "env_extra") if _has_setting(spec, s)]
        also = f"; settings: {', '.join(f'`{s}`' for s in settings)}" if settings else ""
        out += ["", f"**{spec.name}**{_title(spec)}, a {spec.noun} (key: {key}{also}):", ""]
        out += ["| field | type | notes |", "| --- | --- | --- |"]
        for name, field in spec.fields.items():
            notes = field.doc + ("; the live state" if field.live_state else "")
            out.append(f"| `{name}` | {type_words(field)} | {notes} |")
    return "\n".join(out)


BLOCKS: dict[str, tuple[str, Callable[[], str]]] = {
    "kinds table": ("README.md", kinds_table),
    "fields reference": ("docs/baseline.md", fields_reference),
}


def render(text: str, name: str, body: str) -> str:
    """`text` with the block `name` replaced by `body` (the markers must be there)."""
    begin, end = BEGIN.format(name=name), END.format(name=name)
    head, found, rest = text.partition(begin + "\n")
    _, found_end, tail = rest.partition(end)
    if not found or not found_end:
        raise ValueError(f"no generated block {name!r} (markers {begin!r} ... {end!r})")
    return f"{head}{begin}\n{body}\n{end}{tail}"


def outdated(root: Path = ROOT, write: bool = False) -> list[str]:
    """Files whose generated blocks differ from the registry (rewritten with `write`)."""
    stale = []
    for name, (rel, build) in BLOCKS.items():
        path = root / rel
        text = path.read_text(encoding="utf-8")
        new = render(text, name, build())
        if new != text:
            stale.append(f"{rel} ({name})")
            if write:
                path.write_text(new, encoding="utf-8")
    return stale


def main(argv: list[str]) -> int:
    """`python -m drift.kinds.docs [--check]`."""
    check = "--check" in argv
    stale = outdated(write=not check)
    for item in stale:
        print(f"{'out of date' if check else 'rewrote'}: {item}", file=sys.stderr)
    return 1 if check and stale else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
