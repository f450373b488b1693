"""drift's one-way data flow, checked on the source (an AST walk; docs/contributing.md):

    collectors (+ kinds) -> Snapshot -> engine (with baseline) -> Report -> report

- only drift/collectors/ imports google.*;
- the layers below the engine (model, baseline, normalize, kinds, registry, redact) never
  import the engine, and nothing in engine, baseline, report imports collectors;
- RawFinding and LintFinding live in the model;
- frozen data stays frozen: nothing writes into a built Resource's fields or into a
  settings object;
- the emulator imports nothing from drift's core and has no import cycle.

Every import counts: module level, inside functions, and under TYPE_CHECKING.
"""

from __future__ import annotations

import ast
from collections.abc import Iterator
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
DRIFT = ROOT / "drift"


def _module(path: Path) -> str:
    parts = list(path.relative_to(ROOT).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def _imports(path: Path) -> Iterator[str]:
    """Every module `path` imports (for `from a import b`, both `a` and `a.b`)."""
    module = _module(path)
    package = module if path.name == "__init__.py" else module.rpartition(".")[0]
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            yield from (alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                anchor = package.split(".")[: len(package.split(".")) - node.level + 1]
                base = ".".join([*anchor, *([node.module] if node.module else [])])
            yield base
            yield from (f"{base}.{alias.name}" for alias in node.names)


SOURCES = sorted(DRIFT.rglob("*.py"))
GRAPH: dict[str, set[str]] = {_module(p): set(_imports(p)) for p in SOURCES}


def _in(module: str, package: str) -> bool:
    return module == package or module.startswith(package + ".")


def _importers(packages: tuple[str, ...]) -> dict[str, set[str]]:
    return {m: imps for m, imps in GRAPH.items() if any(_in(m, p) for p in packages)}


def test_only_collectors_import_google():
    found = sorted(
        f"{m} imports {i}"
        for m, imps in GRAPH.items()
        if not _in(m, "drift.collectors")
        for i in imps
        if _in(i, "google")
    )
    assert found == []


BELOW_ENGINE = (
    "drift.model",
    "drift.baseline",
    "drift.normalize",
    "drift.kinds",
    "drift.registry",
    "drift.redact",
)
ABOVE = ("drift.engine", "drift.collectors", "drift.report", "drift.cli", "drift.pipeline")


@pytest.mark.parametrize("layer", BELOW_ENGINE)
def test_layers_below_the_engine_never_import_it(layer):
    found = sorted(
        f"{m} imports {i}"
        for m, imps in _importers((layer,)).items()
        for i in imps
        if any(_in(i, up) for up in ABOVE)
    )
    assert found == []


@pytest.mark.parametrize("layer", ["drift.engine", "drift.baseline", "drift.report"])
def test_engine_baseline_and_report_never_import_collectors(layer):
    found = sorted(
        f"{m} imports {i}"
        for m, imps in _importers((layer,)).items()
        for i in imps
        if _in(i, "drift.collectors")
    )
    assert found == []


def test_findings_before_rules_live_in_the_model():
    classes = {
        node.name: _module(path)
        for path in SOURCES
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8")))
        if isinstance(node, ast.ClassDef) and node.name in ("RawFinding", "LintFinding")
    }
    assert classes == {"RawFinding": "drift.model", "LintFinding": "drift.model"}


def _writes(path: Path) -> Iterator[str]:
    """Assignments into `<x>.fields[...]`, `<x>.fields`, or an attribute of a `settings`."""
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        targets: list[ast.expr] = []
        if isinstance(node, ast.Assign):
            targets = list(node.targets)
        elif isinstance(node, ast.AugAssign | ast.AnnAssign):
            targets = [node.target]
        for target in targets:
            if isinstance(target, ast.Subscript):
                target = target.value
            if not isinstance(target, ast.Attribute):
                continue
            if target.attr == "fields" and not (
                isinstance(target.value, ast.Name) and target.value.id == "self"
            ):
                yield f"{_module(path)}:{node.lineno} writes into .fields"
            owner = target.value
            if isinstance(owner, ast.Name) and owner.id == "settings":
                yield f"{_module(path)}:{node.lineno} writes settings.{target.attr}"


def test_frozen_data_stays_frozen():
    """A built Resource's fields and a caller's settings are never written: build a new
    value (dataclasses.replace) instead."""
    assert [w for path in SOURCES for w in _writes(path)] == []


def test_settings_and_resources_are_frozen_dataclasses():
    from dataclasses import FrozenInstanceError

    from drift.collectors.settings import CollectSettings
    from drift.model import Resource

    with pytest.raises(FrozenInstanceError):
        CollectSettings().endpoint = "x"  # type: ignore[misc]
    with pytest.raises(FrozenInstanceError):
        Resource("services", "a", None, {}).fields = {}  # type: ignore[misc]


def test_the_emulator_imports_nothing_from_drifts_core():
    found = sorted(
        f"{m} imports {i}"
        for m, imps in _importers(("drift.emulator",)).items()
        for i in imps
        if _in(i, "drift") and not _in(i, "drift.emulator")
    )
    assert found == []


def test_the_emulator_has_no_import_cycle():
    modules = {m for m in GRAPH if _in(m, "drift.emulator")}
    edges = {m: {i for i in GRAPH[m] if i in modules and i != m} for m in modules}
    done: set[str] = set()

    def visit(m: str, path: tuple[str, ...]) -> None:
        if m in path:
            raise AssertionError("import cycle: " + " -> ".join((*path[path.index(m) :], m)))
        if m in done:
            return
        for nxt in sorted(edges[m]):
            visit(nxt, (*path, m))
        done.add(m)

    for m in sorted(modules):
        visit(m, ())


def test_the_checks_see_every_import_form(tmp_path, monkeypatch):
    """The walker itself: relative, aliased, nested and TYPE_CHECKING imports all count."""
    pkg = tmp_path / "drift" / "emulator"
    pkg.mkdir(parents=True)
    (pkg / "__init__.py").write_text("")
    (pkg / "x.py").write_text(
        "from typing import TYPE_CHECKING\n"
        "from . import y\n"
        "if TYPE_CHECKING:\n    from drift.model import Resource\n"
        "def f():\n    import google.cloud.run_v2 as run\n"
    )
    monkeypatch.setattr(f"{__name__}.ROOT", tmp_path)
    assert set(_imports(pkg / "x.py")) >= {
        "drift.emulator",
        "drift.emulator.y",
        "drift.model.Resource",
        "google.cloud.run_v2",
    }
