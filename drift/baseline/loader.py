"""Load `expected/<project>/` into a validated, frozen `Baseline`.

All files are read and every problem in all of them is collected before anything is
raised: a user fixing a baseline should see the whole list at once, and no run may go
ahead on a half-valid baseline (drift exits 1 before calling any API).
"""

from __future__ import annotations

import difflib
import errno
import hashlib
import os
import stat
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from drift.baseline.matchers import is_matcher
from drift.baseline.rules import ProjectInfo, ProjectRules, parse_project
from drift.baseline.schema import (
    ENV_EXTRA_CHOICES,
    KIND_FIELDS,
    META_FIELDS,
    REGIONAL,
    check_value,
    suggest,
)
from drift.baseline.yaml_lines import (
    UNREADABLE,
    BaselineError,
    LMap,
    Problem,
    key_line,
    load_yaml,
    no_gc,
    plain,
)
from drift.normalize.hosts import canonical_host
from drift.registry import host_keyed

PROJECT_FILE = "project.yaml"
SUFFIXES = (".yaml", ".yml")
# A baseline file larger than this is refused before it is parsed: real ones are a few
# KB, and parsing costs ~2 s and ~400 MB of memory per 5 MiB. The total keeps a folder of
# many large files from adding up to minutes and gigabytes.
MAX_FILE_BYTES = 5 * 1024 * 1024
MAX_PROJECT_BYTES = 10 * 1024 * 1024


@dataclass(frozen=True)
class Declared:
    """One declared resource. `fields` holds the compared fields as written (matchers as dicts)."""

    kind: str
    name: str
    region: str | None
    fields: dict
    env_extra: str = "deny"
    source: str = ""
    field_sources: dict[str, str] = field(default_factory=dict)

    def key(self) -> tuple[str, str, str | None]:
        return (self.kind, self.name, self.region)


@dataclass(frozen=True)
class Baseline:
    """A whole project's baseline, valid by construction."""

    project: str
    regions: tuple[str, ...]
    path: str
    sha256: str
    declared: tuple[Declared, ...] = ()
    kinds: tuple[str, ...] = ()
    rules: ProjectRules = field(default_factory=ProjectRules)
    project_number: str | None = None

    def by_kind(self, kind: str) -> list[Declared]:
        return [d for d in self.declared if d.kind == kind]

    def get(self, kind: str, name: str, region: str | None = None) -> Declared | None:
        for d in self.declared:
            if d.kind == kind and d.name == name and d.region == region:
                return d
        return None


def _broken_link(path: Path) -> str | None:
    """Why a symlink cannot be followed (dangling, loop), or None when it can / is no link."""
    if not path.is_symlink():
        return None
    try:
        os.stat(path)
    except OSError as exc:
        return _cannot_read(path, exc)
    return None


def _missing_folder(expected_dir: Path, project: str) -> BaselineError:
    where = (expected_dir / project).as_posix()
    broken = _broken_link(expected_dir / project)
    if broken is not None:
        return BaselineError([Problem(where, None, None, broken)])
    if os.path.lexists(where):
        msg = "is not a folder; a project's baseline is a folder holding project.yaml"
        return BaselineError([Problem(where, None, None, msg)])
    if not expected_dir.is_dir():
        msg = (
            f"the baseline folder {expected_dir.as_posix()} does not exist; create "
            f"{where}/{PROJECT_FILE} (with `project: {project}` and `regions: [...]`) "
            "or pass --expected DIR"
        )
    else:
        others = sorted(p.name for p in expected_dir.iterdir() if (p / PROJECT_FILE).is_file())
        close = difflib.get_close_matches(project, others, n=1)
        hint = (
            f" did you mean {close[0]!r}?"
            if close
            else (f" projects found: {', '.join(others)}." if others else "")
        )
        msg = (
            f"no baseline for project {project!r};{hint} create {where}/{PROJECT_FILE} "
            f"with `project: {project}` and `regions: [...]`"
        )
    return BaselineError([Problem(where, None, None, msg)])


def _files(folder: Path) -> list[Path]:
    """Every entry named *.yaml / *.yml, whatever it is: one that cannot be read is an
    error later, never skipped (a moved shared file must not silently declare nothing)."""
    return sorted((p for p in folder.iterdir() if p.suffix in SUFFIXES), key=lambda p: p.name)


def _misnamed(folder: Path) -> list[Problem]:
    """Files drift would skip only because of the case of their suffix (`services.YAML`)."""
    return [
        Problem(
            p.as_posix(),
            None,
            None,
            f"drift reads only *.yaml and *.yml files (lower case); rename it to "
            f"{p.stem}{p.suffix.lower()}",
        )
        for p in sorted(folder.iterdir())
        if p.suffix.lower() in SUFFIXES and p.suffix not in SUFFIXES
    ]


_FILE_TYPES = (
    (stat.S_ISDIR, "a directory"),
    (stat.S_ISFIFO, "a named pipe"),
    (stat.S_ISCHR, "a character device"),
    (stat.S_ISBLK, "a block device"),
    (stat.S_ISSOCK, "a socket"),
)


def _size(n: int) -> str:
    return f"{n / 1024 / 1024:.1f} MiB" if n >= 1024 * 1024 else f"{n} bytes"


def _cannot_read(path: Path, exc: OSError) -> str:
    if exc.errno == errno.ELOOP:
        return "cannot read (symlink loop)"
    if exc.errno == errno.ENOENT and path.is_symlink():
        try:
            target = os.readlink(path)
        except OSError:
            target = "?"
        return f"cannot read (dangling symlink -> {target})"
    if exc.errno in (errno.EACCES, errno.EPERM):
        return "cannot read (permission denied)"
    return f"cannot read ({exc.strerror or exc})"


def read_file(path: Path, limit: int = MAX_FILE_BYTES) -> bytes | str:
    """The bytes of a baseline file, or a sentence saying why it cannot be used.

    Only a regular file (or a symlink to one) is read, and only up to `limit` bytes, so a
    directory, a FIFO (which would block), a device (/dev/zero never ends) or a huge
    file is an error at once rather than a hang or a skip.
    """
    try:
        # stat before open: opening a FIFO or a device can block or have side effects.
        st = os.stat(path)
        for is_type, what in _FILE_TYPES:
            if is_type(st.st_mode):
                via = f" (via symlink -> {os.readlink(path)})" if path.is_symlink() else ""
                return f"is {what}{via}; baseline files must be regular files"
        fd = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_CLOEXEC", 0))
        with os.fdopen(fd, "rb") as fh:
            st = os.fstat(fh.fileno())  # the file we opened, should it have been swapped
            if not stat.S_ISREG(st.st_mode):
                return "is not a regular file; baseline files must be regular files"
            data = fh.read(limit + 1) if st.st_size <= limit else b""
            size = max(st.st_size, len(data))
    except OSError as exc:
        return _cannot_read(path, exc)
    if size > limit:
        return (
            f"is {_size(size)}; baseline files larger than {_size(limit)} are refused "
            "(split it into several files)"
        )
    return data


def _digest(files: list[Path], contents: dict[str, bytes]) -> str:
    h = hashlib.sha256()
    for p in files:
        h.update(os.fsencode(p.name) + b"\0" + contents[p.name])
    return h.hexdigest()


def load_baseline(expected_dir: Path, project: str) -> Baseline:
    """Read and validate `expected_dir/project/`; raise BaselineError listing every problem."""
    # Checking builds many small objects next to large parsed trees (see no_gc).
    with no_gc():
        return _load(Path(expected_dir), project)


def _load(expected_dir: Path, project: str) -> Baseline:
    folder = expected_dir / project
    try:
        if not folder.is_dir():
            raise _missing_folder(expected_dir, project)
        files = _files(folder)
        problems: list[Problem] = _misnamed(folder)
    except OSError as exc:
        where = folder.as_posix()
        raise BaselineError([Problem(where, None, None, _cannot_read(folder, exc))]) from None
    names = [p.name for p in files]

    def display(name: str) -> str:
        return (folder / name).as_posix()

    if PROJECT_FILE not in names:
        hint = (
            "rename project.yml to project.yaml"
            if "project.yml" in names
            else f"create it with `project: {project}` and `regions: [...]`"
        )
        raise BaselineError(
            problems
            + [Problem(display(PROJECT_FILE), None, None, f"missing {PROJECT_FILE}; {hint}")]
        )

    contents: dict[str, bytes] = {}
    total = 0
    for p in files:
        data = read_file(p)
        if isinstance(data, str):
            problems.append(Problem(display(p.name), None, None, data))
            continue
        contents[p.name] = data
        total += len(data)
        if total > MAX_PROJECT_BYTES:
            message = (
                f"the baseline files of this project hold more than {_size(MAX_PROJECT_BYTES)} "
                f"together (reached at {p.name}); drift refuses baselines this large"
            )
            raise BaselineError(problems + [Problem(folder.as_posix(), None, None, message)])
    trees: dict[str, Any] = {}
    for name in names:
        if name not in contents:
            continue
        try:
            text = contents[name].decode("utf-8")
        except UnicodeDecodeError as exc:
            problems.append(
                Problem(
                    display(name),
                    None,
                    None,
                    f"not UTF-8 text ({exc.reason} at byte {exc.start}); save the file as UTF-8",
                )
            )
            continue
        tree, probs = load_yaml(text, display(name))
        problems += probs
        if tree is not UNREADABLE:
            trees[name] = tree

    info: ProjectInfo | None = None
    if PROJECT_FILE in trees:
        info, probs = parse_project(trees[PROJECT_FILE], display(PROJECT_FILE), project)
        problems += probs

    collector = _Collector(info)
    for name in names:
        if name != PROJECT_FILE and name in trees:
            if name == "project.yml":
                problems.append(
                    Problem(
                        display(name),
                        None,
                        None,
                        f"project settings belong in {PROJECT_FILE}; merge this file into it",
                    )
                )
                continue
            collector.read_file(display(name), trees[name])
    problems += collector.problems

    if problems or info is None:
        problems.sort(key=lambda p: (p.file, p.line or 0))
        raise BaselineError(problems)
    return Baseline(
        project=info.project,
        regions=info.regions,
        path=folder.as_posix(),
        sha256=_digest(files, contents),
        declared=tuple(sorted(collector.declared, key=lambda d: (d.kind, d.name, d.region or ""))),
        kinds=tuple(sorted(collector.kinds)),
        rules=info.rules,
        project_number=info.project_number,
    )


# Values plain() would return as they are.
_SCALARS = frozenset({str, int, float, bool, type(None)})


class _Collector:
    """Validates resource files one by one, remembering what was declared where."""

    def __init__(self, info: ProjectInfo | None) -> None:
        self.info = info
        self.problems: list[Problem] = []
        self.declared: list[Declared] = []
        self.kinds: set[str] = set()
        self.seen: dict[tuple[str, str, str | None], str] = {}

    def _bad(self, file: str, line: int | None, fld: str | None, message: str) -> None:
        self.problems.append(Problem(file, line, fld, message))

    def read_file(self, file: str, tree: Any) -> None:
        if tree is None:  # an empty file declares nothing
            return
        if not isinstance(tree, Mapping):
            self._bad(
                file,
                getattr(tree, "line", None) or 1,
                None,
                "expected a mapping of kind to resources, e.g. `services:`",
            )
            return
        for kind, resources in tree.items():
            line = key_line(tree, kind)
            if kind not in KIND_FIELDS:
                self._bad(file, line, str(kind), f"unknown kind; {suggest(kind, KIND_FIELDS)}")
                continue
            self.kinds.add(kind)
            if resources is None:
                continue  # `vpc_connectors:` alone declares the kind with no resources
            if not isinstance(resources, Mapping):
                self._bad(
                    file,
                    line,
                    kind,
                    "expected a mapping of resource name to fields; use {} for none",
                )
                continue
            for name, body in resources.items():
                self._resource(file, kind, name, body, key_line(resources, name) or line)

    def _resource(self, file: str, kind: str, name: Any, body: Any, line: int | None) -> None:
        where = f"{kind}.{name}"
        if not isinstance(name, str) or not name or "/" in name:
            self._bad(
                file,
                line,
                where,
                "a resource name must be a non-empty string without '/'; quote it",
            )
            return
        if body is None:
            self._bad(
                file,
                line,
                where,
                "has no body; write {} to only require that it exists, or list its fields",
            )
            return
        if not isinstance(body, Mapping):
            self._bad(file, line, where, "expected a mapping of field names to values")
            return
        specs = KIND_FIELDS[kind]
        fields: dict[str, Any] = {}
        sources: dict[str, str] = {}
        env_extra = "deny"
        region: str | None = None
        # A big baseline passes here for every field of every resource: key lines are read
        # from the LMap directly, field paths are only spelled out for a problem, and a
        # scalar value skips plain() (it only copies mappings and lists).
        key_lines = body.key_lines if isinstance(body, LMap) else {}
        for key, value in body.items():
            kl = key_lines.get(key) or line
            if key == "region" and "region" in META_FIELDS[kind]:
                region = self._region(file, kind, value, kl, f"{where}.{key}")
            elif key == "env_extra" and "env_extra" in META_FIELDS[kind]:
                if value in ENV_EXTRA_CHOICES:
                    env_extra = value
                else:
                    self._bad(
                        file,
                        kl,
                        f"{where}.{key}",
                        f"expected allow or deny, got {value!r}; "
                        f"{suggest(value, ENV_EXTRA_CHOICES)}",
                    )
            elif key in specs:
                clean, issues = check_value(specs[key], value, kl)
                for sub, iline, message in issues:
                    fpath = f"{where}.{key}"
                    self._bad(file, iline, f"{fpath}.{sub}" if sub else fpath, message)
                fields[key] = clean if type(clean) in _SCALARS else plain(clean)
                sources[key] = f"{file}:{kl}"
                if isinstance(value, dict) and not is_matcher(value):
                    sub_lines = value.key_lines if isinstance(value, LMap) else {}
                    for sub in value:
                        sources[f"{key}/{sub}"] = f"{file}:{sub_lines.get(sub) or kl}"
            else:
                self._unknown(file, kind, key, kl, f"{where}.{key}")
        if REGIONAL[kind] == "required" and "region" not in body:
            example = self.info.regions[0] if self.info else "us-central1"
            self._bad(
                file,
                line,
                f"{where}.region",
                f"missing; {kind} are regional, add `region: {example}`",
            )
        self._min_max(file, where, fields, sources)
        source = f"{file}:{line}"
        # A domain mapping's key is a host: two spellings of one host are one resource.
        ident = (kind, canonical_host(name) if host_keyed(kind) else name, region)
        if ident in self.seen:
            in_region = f" in {region}" if region else ""
            self._bad(
                file,
                line,
                where,
                f"{kind} {name!r}{in_region} is declared twice: first at "
                f"{self.seen[ident]}, again at {source}; keep one",
            )
            return
        self.seen[ident] = source
        self.declared.append(Declared(kind, name, region, fields, env_extra, source, sources))

    def _region(self, file: str, kind: str, value: Any, line: int | None, fpath: str) -> Any:
        if not isinstance(value, str) or not value:
            self._bad(file, line, fpath, "expected a region name such as us-central1")
            return None
        if self.info is not None and value not in self.info.regions:
            self._bad(
                file,
                line,
                fpath,
                f"region {value!r} is not in project.yaml regions "
                f"[{', '.join(self.info.regions)}]; add it to regions in project.yaml "
                "or fix the region",
            )
        return value

    def _unknown(self, file: str, kind: str, key: Any, line: int | None, fpath: str) -> None:
        if key == "region":
            self._bad(file, line, fpath, f"{kind} are global; remove region")
        elif key == "env_extra":
            with_env = ", ".join(k for k, meta in META_FIELDS.items() if "env_extra" in meta)
            self._bad(file, line, fpath, f"env_extra only applies to {with_env}; remove it")
        else:
            choices = list(KIND_FIELDS[kind]) + list(META_FIELDS[kind])
            self._bad(file, line, fpath, f"unknown field; {suggest(key, choices)}")

    def _min_max(self, file: str, where: str, fields: dict, sources: dict) -> None:
        low, high = fields.get("min_instances"), fields.get("max_instances")
        if isinstance(low, int) and isinstance(high, int) and low > high:
            line = sources["min_instances"].rsplit(":", 1)[1]
            self._bad(
                file,
                int(line),
                f"{where}.min_instances",
                f"min_instances ({low}) is greater than max_instances ({high})",
            )


def validate_dir(expected_dir: Path) -> list[str]:
    """Validate every project folder under `expected_dir`; return the project names.

    Raises BaselineError with the problems of all projects together.
    """
    expected_dir = Path(expected_dir)
    if not expected_dir.is_dir():
        raise BaselineError(
            [
                Problem(
                    expected_dir.as_posix(),
                    None,
                    None,
                    "baseline folder does not exist; create "
                    f"{expected_dir.as_posix()}/<project>/{PROJECT_FILE}",
                )
            ]
        )
    problems: list[Problem] = []
    projects: list[str] = []
    try:
        entries = sorted(expected_dir.iterdir())
    except OSError as exc:
        where = expected_dir.as_posix()
        raise BaselineError([Problem(where, None, None, _cannot_read(expected_dir, exc))]) from None
    for sub in entries:
        broken = _broken_link(sub)
        if broken is not None:  # a project folder linked from elsewhere that moved
            problems.append(Problem(sub.as_posix(), None, None, broken))
            continue
        if not sub.is_dir():
            continue
        try:
            has_yaml = bool(_files(sub))
        except OSError as exc:
            problems.append(Problem(sub.as_posix(), None, None, _cannot_read(sub, exc)))
            continue
        # lexists: a project.yaml that is there but unreadable is reported by the loader.
        if not os.path.lexists(sub / PROJECT_FILE):
            if has_yaml:
                problems.append(
                    Problem(
                        (sub / PROJECT_FILE).as_posix(),
                        None,
                        None,
                        f"missing {PROJECT_FILE}; create it with "
                        f"`project: {sub.name}` and `regions: [...]`",
                    )
                )
            continue
        try:
            load_baseline(expected_dir, sub.name)
            projects.append(sub.name)
        except BaselineError as exc:
            problems += exc.problems
    if problems:
        raise BaselineError(problems)
    if not projects:
        raise BaselineError(
            [
                Problem(
                    expected_dir.as_posix(),
                    None,
                    None,
                    "no project folders found; each project needs "
                    f"{expected_dir.as_posix()}/<project>/{PROJECT_FILE}",
                )
            ]
        )
    return projects
