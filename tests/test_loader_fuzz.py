"""Fuzzing the baseline loader: whatever a folder holds, only a BaselineError comes out.

Inputs are baseline-shaped YAML (every kind and field, with good values of the field's
type and hostile ones: impossible dates, `.inf`, huge numbers, odd regexes and matchers),
then sometimes mutated with YAML's sharp edges (anchors, aliases, merge keys, tags,
brackets, control characters, broken indentation), or raw text and bytes, and sometimes
an entry that is not a file. Whatever comes in, `load_baseline` and `validate_dir` must
return a Baseline or raise a `BaselineError` whose every line is one `file[:line]: ...`
sentence with no control character, a Baseline that loads must hold nothing a JSON report
cannot carry (no NaN / Infinity), and its `matches` patterns must run on a long value.

This suite runs a bounded number of examples so CI stays quick; bench/fuzz_baseline.py
reuses `baseline_folders` and `check_folder` for long runs.
"""

from __future__ import annotations

import json
import os
import tempfile
import unicodedata
from pathlib import Path
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from drift.baseline import BaselineError, load_baseline, parse_matcher, validate_dir
from drift.baseline.schema import KIND_FIELDS, REGIONAL, FieldSpec

PROJECT = "fuzzproj"
# Characters an error line must never carry raw (controls, bidi, separators, surrogates).
UNSAFE = {"Cc", "Cf", "Zl", "Zp", "Cs"}

# Good values per field type, as YAML source text.
GOOD = {
    "str": ["gcr.io/p/i:1", "default", "'quoted'", "api", "READY", "/health"],
    "image": ["gcr.io/p/i:1", "{matches: 'gcr.io/p/i@sha256:.*'}"],
    "short_name": ["conn", "projects/p/locations/r/connectors/conn"],
    "host": ["api.example.com", "API.Example.com."],
    "int": ["0", "1", "10", "300", "{min: 1}", "{max: 5}", "{min: 1, max: 3}"],
    "cpu": ["1", "0.5", "'2'", "1000m", "{min: 1}"],
    "memory": ["4Gi", "512Mi", "1G", "1073741824", "{one_of: [1Gi, 2Gi]}"],
    "duration": ["600s", "10m", "1h30m", "30", "{max: 900}"],
    "bool": ["true", "false"],
    "map": ["{team: a, v: 1.10}", "{x.example.com: backend}", "{present: true}"],
    "set": ["[a, b]", "[]"],
    "env": ["{MODE: prod, PORT: 0755, K: {secret: s, version: 2}}", "{X: {matches: 'v\\d+'}}"],
    "replication": ["automatic", "{user_managed: [us-central1]}"],
    "sha256": ["sha256:" + "a" * 64],
    "probe": ["{type: http, path: /h, port: 8080, period: 10s}"],
    "traffic": ["latest", "{a: 60, b: 40}"],
    "enum": [],  # the spec's own choices
}
# Values that are wrong somewhere, or YAML that is hard to read.
HOSTILE = [
    "0x1F",
    "1_000",
    "1.0e+999",
    ".inf",
    "-.inf",
    ".nan",
    ".NaN",
    "2026-13-45",
    "2026-02-30",
    "2026-11-31",
    "2026-01-01 25:00:00",
    "2026-01-01T10:00:00Z",
    "yes",
    "~",
    "null",
    "''",
    "-1",
    "!!int abc",
    "!!float x",
    "!!bool maybe",
    "!!timestamp xyz",
    "!!binary a",
    "!!str 5",
    "!local tag",
    "!!set {a}",
    "!!python/object:os.system x",
    "&anchor value",
    "*anchor",
    '"dq \\x1b[2J \\ud800 \\u202e"',
    "{matches: '(a+)+$'}",
    "{matches: '(?=x)'}",
    "{matches: '(a)\\1'}",
    "{matches: '\\Z'}",
    "{matches: 'x{1001}'}",
    "{matches: '(('}",
    "{matches: 1}",
    "{min: .inf}",
    "{min: .nan}",
    "{max: 2026-01-01}",
    "{min: 5, max: 1}",
    "{one_of: [.inf]}",
    "{one_of: []}",
    "{one_of: [{a: 1}]}",
    "{present: false}",
    "{absent: 1}",
    "{secret: s}",
    "{version: 1}",
    "{secret: s, version: .inf}",
    "{matchs: x}",
    "{}",
    "[]",
    "{min: 1, matches: x}",
    "[a, a]",
    "{a: [b]}",
    "{a: 150}",
    "{a: {b: c}}",
    "{'': x}",
    "{a/b: x}",
    "{A=B: x}",
    "{A: }",
    "{A: true}",
    "9" * 400,
    "x" * 300,
]
KINDS = list(KIND_FIELDS)
# Fragments spliced into otherwise good text.
SHARP_EDGES = [
    *"&a *a <<: { } [ ] ? : - # ' \" | > \\ \t \r é".split(" "),
    *["&b [*a, *a, *a]", "<<: *a\n", "<<: [*a, *b]\n", "!!int ", "!!map ", "!x ", "\n- "],
    *["---\n", "...\n", "%YAML 1.1\n", "\x00", "\x01", "\x1b", "\x7f", "\x85", "\u2028"],
    *["\ufeff", "\ufffe", "\r\n", "\U0001f600", "2026-13-45", ".nan", " " * 40, "\n   "],
    *["[" * 70 + "]" * 70, "{a: " * 40 + "}" * 40, "x: &r [*r]\n", "a: 1\na: 2\n"],
    # billion laughs, 9^6 values once expanded
    "\nb0: &b0 [l, l, l, l, l, l, l, l, l]\n"
    + "".join(f"b{i}: &b{i} [{', '.join([f'*b{i - 1}'] * 9)}]\n" for i in range(1, 7)),
]


def _good(spec: FieldSpec) -> list[str]:
    return list(spec.choices) if spec.type == "enum" else GOOD[spec.type]


def _weighted(*choices: tuple[int, st.SearchStrategy[Any]]) -> st.SearchStrategy[Any]:
    """Draw from one of `choices`, each picked with its weight out of the total."""
    table = [strategy for weight, strategy in choices for _ in range(weight)]
    # Hypothesis favours the ends of an integer range: give both to the main choice.
    main = max(choices, key=lambda c: c[0])[1]
    table = [main, *table, main]
    return st.integers(0, len(table) - 1).flatmap(lambda i: table[i])


def _value_for(spec: FieldSpec) -> st.SearchStrategy[str]:
    return _weighted((9, st.sampled_from(_good(spec))), (1, st.sampled_from(HOSTILE)))


# Built once: a strategy per (kind, field), so drawing does not rebuild strategy trees.
FIELD_VALUES = {
    kind: {name: _value_for(spec) for name, spec in fields.items()}
    for kind, fields in KIND_FIELDS.items()
}
ANY_VALUE = st.sampled_from(HOSTILE + [v for vs in GOOD.values() for v in vs])


def _mostly(good: list[str], bad: list[str]) -> st.SearchStrategy[str]:
    return _weighted((9, st.sampled_from(good)), (1, st.sampled_from(bad)))


KIND_NAMES = _mostly(KINDS, ["servics", "x-defaults"])
RESOURCE_NAMES = _mostly(
    ["api", "worker", "conn-a", "s", "api-staging.example.com"], ["a/b", "1", "''", "~"]
)
REGIONS = _mostly(["us-central1"], ["mars-1", "''", "[us-central1]"])
ANY_NAME = st.sampled_from(["image", "x"])


@st.composite
def resource_yaml(draw: st.DrawFn) -> str:
    """A resource file in block style: kinds, resources, fields and their values."""
    lines: list[str] = []
    for kind in dict.fromkeys(draw(st.lists(KIND_NAMES, min_size=1, max_size=3))):
        lines.append(f"{kind}:")
        fields = FIELD_VALUES.get(kind, {})
        for name in dict.fromkeys(draw(st.lists(RESOURCE_NAMES, max_size=3))):
            lines.append(f"  {name}:")
            rule = REGIONAL.get(kind, "optional")
            if (rule == "required") != (draw(st.integers(0, 9)) == 5):
                lines.append(f"    region: {draw(REGIONS)}")
            names = _mostly(sorted(fields), ["imag", "<<", "region"]) if fields else ANY_NAME
            chosen = dict.fromkeys(draw(st.lists(names, max_size=4)))
            if not chosen:
                lines[-1] += " {}"
            for field in chosen:
                lines.append(f"    {field}: {draw(fields.get(field, ANY_VALUE))}")
    return "\n".join(lines) + "\n"


GLOBS = _mostly(
    ["services/*", "services/**/env/*", "**/" * 30 + "x", "*/*/ready"],
    ["nokind/*", "", "/x", "a//b"],
)
UNTIL = _mostly(["2026-12-15", "'2030-01-01'"], ["2026-13-45", "'2026-02-30'", "x", ".inf"])


@st.composite
def project_yaml(draw: st.DrawFn) -> str:
    lines = [f"project: {PROJECT}", "regions: [us-central1]"]
    if draw(st.booleans()):
        lines += ["ignore:", f"  - path: '{draw(GLOBS)}'", "    reason: r"]
        lines.append(f"    until: {draw(UNTIL)}")
    if draw(st.booleans()):
        lines += ["severity:", f"  '{draw(GLOBS)}': critical"]
    if draw(st.integers(0, 4)) == 3:
        key = draw(st.sampled_from(["unmanaged", "canonical_hosts", "lint", "project_number"]))
        lines.append(f"{key}: {draw(ANY_VALUE)}")
    return "\n".join(lines) + "\n"


@st.composite
def mutated(draw: st.DrawFn, text: str) -> str:
    """`text` with a few of YAML's sharp edges spliced in or a few ranges dropped."""
    for _ in range(draw(st.integers(1, 4))):
        at = draw(st.integers(0, len(text)))
        if draw(st.booleans()):
            text = text[:at] + draw(st.sampled_from(SHARP_EDGES)) + text[at:]
        else:
            text = text[:at] + text[at + draw(st.integers(1, 8)) :]
    return text


def _file_content(good: st.SearchStrategy[str]) -> st.SearchStrategy[bytes]:
    text = _weighted((6, good), (2, good.flatmap(mutated)), (1, st.text(max_size=200)))
    return _weighted((9, text.map(lambda t: t.encode("utf-8", "surrogatepass"))), (1, st.binary()))


SPECIAL = ["dir", "dangling", "loop", "fifo", "devnull"]


@st.composite
def baseline_folders(draw: st.DrawFn) -> dict[str, Any]:
    """{file name: bytes, or the name of a special entry} for one project folder."""
    project = draw(_weighted((4, project_yaml()), (1, project_yaml().flatmap(mutated))))
    files: dict[str, Any] = {"project.yaml": project.encode("utf-8", "surrogatepass")}
    for i in range(draw(st.integers(1, 3))):
        files[f"r{i}.yaml"] = draw(_file_content(resource_yaml()))
    if draw(st.integers(0, 9)) == 5:
        name = draw(st.sampled_from(["r0.yaml", "extra.yml", "project.yaml"]))
        files[name] = draw(st.sampled_from(SPECIAL))
    return files


def _write(folder: Path, files: dict[str, Any]) -> None:
    folder.mkdir(parents=True)
    for name, content in files.items():
        path = folder / name
        if content == "dir":
            path.mkdir()
            (path / "inner.yaml").write_text("services: {}\n")
        elif content == "dangling":
            path.symlink_to("nowhere/gone.yaml")
        elif content == "loop":
            path.symlink_to(name)
        elif content == "fifo":
            os.mkfifo(path)
        elif content == "devnull":
            path.symlink_to(os.devnull)
        else:
            path.write_bytes(content)


def check_folder(files: dict[str, Any]) -> str:
    """Load one generated folder; return "ok" or "refused". Anything else raises."""
    with tempfile.TemporaryDirectory() as tmp:
        expected = Path(tmp) / "expected"
        _write(expected / PROJECT, files)
        try:
            baseline = load_baseline(expected, PROJECT)
        except BaselineError as exc:
            assert exc.problems
            for line in str(exc).splitlines():
                assert line.startswith(str(expected / PROJECT)), line
                assert not any(unicodedata.category(c) in UNSAFE for c in line), line
            try:
                validate_dir(expected)
            except BaselineError:
                return "refused"
            raise AssertionError("validate_dir accepted what load_baseline refused") from None
        for declared in baseline.declared:
            # allow_nan=False raises on NaN / Infinity, which a JSON report cannot hold.
            json.dumps(declared.fields, allow_nan=False, default=str)
            for value in declared.fields.values():
                for item in [value, *(value.values() if isinstance(value, dict) else [])]:
                    if isinstance(item, dict) and "matches" in item:
                        parse_matcher(item).holds(True, "a" * 5000 + "!")
        assert validate_dir(expected) == [PROJECT]
        return "ok"


@settings(
    max_examples=150,
    deadline=None,
    derandomize=True,  # the same examples on every CI run; bench/ explores further
    database=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
@given(baseline_folders())
def test_only_baseline_errors_escape_the_loader(files: dict[str, Any]) -> None:
    check_folder(files)


def test_the_generator_reaches_both_outcomes() -> None:
    """The checks run on baselines that load, not only on ones that are refused."""
    good = {
        "project.yaml": f"project: {PROJECT}\nregions: [us-central1]\n".encode(),
        "r0.yaml": b"services:\n  api:\n    region: us-central1\n    env: {X: {matches: '.*'}}\n",
    }
    assert check_folder(good) == "ok"
    assert check_folder({**good, "r1.yaml": b"services: [\n"}) == "refused"
    assert check_folder({**good, "r1.yaml": "fifo"}) == "refused"
