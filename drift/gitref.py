"""The baseline as it was at a git ref (`drift diff --compare-to REF`), read without a checkout.

The project folder's entries at REF are listed with `git ls-tree` and their blobs copied
into a private temporary folder with `git cat-file`, which the ordinary loader then reads:
the same validation, limits and digest as a working-tree baseline, and nothing in the
working tree (or the index, or HEAD) is touched. The temporary folder is gone when the
load returns; the Baseline is plain data in memory.

Paths are rewritten so that nothing names the temporary folder: the baseline's path is the
working-tree form (`expected/P`), and every source and problem names REF
(`origin/main:expected/P/services.yaml:12`), since its line numbers are REF's.

Every failure to read git is a `GitRefError` holding one sentence (git missing, not a
repository, an unknown ref, a folder outside the repository); a baseline at REF that does
not load raises the loader's BaselineError, with its problems located at REF.
"""

from __future__ import annotations

import os
import posixpath
import re
import shutil
import subprocess
import tempfile
from dataclasses import dataclass, replace
from pathlib import Path

from drift.baseline import Baseline, BaselineError, Problem, load_baseline
from drift.baseline.loader import MAX_FILE_BYTES, SUFFIXES

GIT_TIMEOUT_S = 60.0
# Symlinks followed inside REF's tree before giving up (a checkout gives ELOOP at 40).
MAX_LINKS = 16
# A revision (`origin/main`, `v1.2`, `HEAD~1`, a commit id) never starts with `-`, nor holds
# a control character; refusing those first keeps a value such as `--output=x` from ever
# reaching git as an option.
_BAD_REF = re.compile(r"^-|^$|[\x00-\x1f\x7f]")


class GitRefError(Exception):
    """Git could not give the baseline at REF; the message is one sentence."""


@dataclass(frozen=True)
class RefBaseline:
    """The baseline of one project at a git ref."""

    ref: str
    commit: str  # the full commit id REF named when read
    baseline: Baseline | None  # None: the project had no baseline at REF


@dataclass(frozen=True)
class _Entry:
    mode: str
    type: str
    sha: str
    size: int | None
    path: str  # repository-relative, `/`-separated


def _git(args: list[str], cwd: Path, stdout: int | None = None) -> subprocess.CompletedProcess:
    """Run git read-only: no pager, no prompt, pathspecs taken literally."""
    env = {**os.environ, "GIT_TERMINAL_PROMPT": "0", "GIT_OPTIONAL_LOCKS": "0", "LC_ALL": "C"}
    cmd = ["git", "--no-pager", "--literal-pathspecs", *args]
    try:
        return subprocess.run(
            cmd,
            cwd=cwd,
            env=env,
            stdin=subprocess.DEVNULL,
            stdout=stdout if stdout is not None else subprocess.PIPE,
            stderr=subprocess.PIPE,
            timeout=GIT_TIMEOUT_S,
            check=False,
        )
    except FileNotFoundError:
        raise GitRefError(
            "git is not installed (or not on PATH); --compare-to reads the baseline at a "
            "git ref with it."
        ) from None
    except subprocess.TimeoutExpired:
        raise GitRefError(
            f"git {args[0]} did not answer within {GIT_TIMEOUT_S:.0f} s in {cwd}."
        ) from None
    except OSError as exc:
        raise GitRefError(f"cannot run git in {cwd}: {exc.strerror or exc}.") from None


def _first_line(err: bytes) -> str:
    text = err.decode("utf-8", "replace").strip()
    lines = [ln.strip() for ln in text.splitlines() if ln.strip()]
    line = lines[0] if lines else "no message"
    return line.removeprefix("fatal: ").removeprefix("error: ")[:240]


def repository_root(where: Path) -> Path:
    """The top folder of the git working tree holding `where` (raises GitRefError)."""
    if shutil.which("git") is None:
        raise GitRefError(
            "git is not installed (or not on PATH); --compare-to reads the baseline at a "
            "git ref with it."
        )
    if not where.is_dir():
        raise GitRefError(f"{where.as_posix()} is not a folder, so git cannot be asked about it.")
    proc = _git(["rev-parse", "--show-toplevel"], where)
    if proc.returncode != 0:
        why = _first_line(proc.stderr)
        if "not a git repository" in why:
            raise GitRefError(
                f"{where.as_posix()} is not in a git repository, so --compare-to has no "
                "history to read; run drift in a clone, or leave --compare-to out."
            )
        raise GitRefError(f"git cannot read the repository at {where.as_posix()}: {why}.")
    top = proc.stdout.decode("utf-8", "surrogateescape").strip()
    if not top:  # inside the .git folder, or a bare repository
        raise GitRefError(
            f"{where.as_posix()} is not in a git working tree; --compare-to needs one."
        )
    return Path(top)


def resolve_commit(ref: str, top: Path) -> str:
    """The full commit id `ref` names in the repository at `top` (raises GitRefError)."""
    if _BAD_REF.search(ref):
        raise GitRefError(
            f"--compare-to {ref!r} is not a git ref; give a branch, tag or commit such as "
            "origin/main."
        )
    proc = _git(["rev-parse", "--verify", "--quiet", f"{ref}^{{commit}}"], top)
    commit = proc.stdout.decode("ascii", "replace").strip()
    if proc.returncode != 0 or not commit:
        raise GitRefError(
            f"unknown git ref {ref!r} in {top.as_posix()}; fetch it first (e.g. `git fetch "
            "origin main`; in GitHub Actions, check out with fetch-depth: 0)."
        )
    return str(commit)


def _ls_tree(commit: str, path: str, top: Path, children: bool) -> list[_Entry]:
    """Entries of `path` at `commit` (its children when `children`, else itself)."""
    spec = f"{path}/" if children else path
    proc = _git(["ls-tree", "-z", "-l", "--full-tree", commit, "--", spec], top)
    if proc.returncode != 0:
        raise GitRefError(f"git cannot list {path} at {commit[:12]}: {_first_line(proc.stderr)}.")
    out = []
    for record in proc.stdout.split(b"\0"):
        if not record:
            continue
        meta, _, name = record.partition(b"\t")
        mode, type_, sha, size = meta.decode("ascii").split()
        out.append(
            _Entry(
                mode,
                type_,
                sha,
                int(size) if size.isdigit() else None,
                name.decode("utf-8", "surrogateescape"),
            )
        )
    return out


def _blob(sha: str, top: Path, dest: Path) -> None:
    """Write the blob `sha` to `dest` without holding it in memory."""
    with open(dest, "wb") as fh:
        proc = _git(["cat-file", "blob", sha], top, stdout=fh.fileno())
    if proc.returncode != 0:
        raise GitRefError(f"git cannot read blob {sha[:12]}: {_first_line(proc.stderr)}.")


def _blob_text(sha: str, top: Path) -> str:
    proc = _git(["cat-file", "blob", sha], top)
    if proc.returncode != 0:
        raise GitRefError(f"git cannot read blob {sha[:12]}: {_first_line(proc.stderr)}.")
    return str(proc.stdout.decode("utf-8", "surrogateescape"))


def _write_file(entry: _Entry, top: Path, dest: Path) -> None:
    """A blob as a regular file. One larger than the loader accepts is not copied: a sparse
    file of its size (no disk used) gets the loader's own "is N MiB; refused" sentence."""
    if entry.size is not None and entry.size > MAX_FILE_BYTES:
        with open(dest, "wb") as fh:
            fh.truncate(entry.size)
        return
    _blob(entry.sha, top, dest)


def _materialize(entry: _Entry, commit: str, top: Path, dest: Path) -> None:
    """Put what a checkout of `commit` would show at `entry` in `dest`."""
    seen = 0
    while entry.mode == "120000" and seen < MAX_LINKS:
        seen += 1
        target = _blob_text(entry.sha, top)
        if posixpath.isabs(target):
            os.symlink(target, dest)  # a checkout points there too
            return
        joined = posixpath.normpath(posixpath.join(posixpath.dirname(entry.path), target))
        if joined == ".." or joined.startswith("../"):
            # Outside the repository: a checkout would reach the same file on disk.
            os.symlink(os.path.normpath(top / posixpath.dirname(entry.path) / target), dest)
            return
        found = _ls_tree(commit, joined, top, children=False)
        if not found:
            # Dangling at REF: the loader says so, naming the target as written.
            os.symlink(target, dest)
            return
        entry = replace(found[0], path=joined)
    if entry.mode == "120000":
        os.symlink(dest.name, dest)  # a loop: the loader reports "symlink loop"
    elif entry.type == "blob":
        _write_file(entry, top, dest)
    else:  # a folder or a submodule named *.yaml: the loader reports what it is
        dest.mkdir()


def _relocate(text: str, tmp: str, display: str) -> str:
    return text.replace(tmp, display)


def _relocated(baseline: Baseline, tmp: str, wt: str, at_ref: str) -> Baseline:
    declared = tuple(
        replace(
            d,
            source=_relocate(d.source, tmp, at_ref),
            field_sources={k: _relocate(v, tmp, at_ref) for k, v in d.field_sources.items()},
        )
        for d in baseline.declared
    )
    return replace(baseline, path=wt, declared=declared)


def baseline_at(ref: str, expected_dir: Path, project: str) -> RefBaseline:
    """The project's baseline at git ref `ref`, read from the repository holding
    `expected_dir/project` (which must exist in the working tree).

    Raises GitRefError (one sentence) when git cannot give it, and BaselineError (problems
    located at `REF:path`) when the baseline at REF does not load.
    """
    folder = Path(expected_dir) / project
    wt = folder.as_posix()
    top = repository_root(folder)
    commit = resolve_commit(ref, top)
    try:
        rel = folder.resolve().relative_to(top.resolve()).as_posix()
    except ValueError:
        raise GitRefError(
            f"{wt} is outside the git repository {top.as_posix()}, so it has no history "
            "there; give --expected inside the repository."
        ) from None
    entries = [
        e
        for e in _ls_tree(commit, rel, top, children=True)
        if posixpath.splitext(e.path)[1].lower() in SUFFIXES
    ]
    if not entries:
        return RefBaseline(ref, commit, None)
    at_ref = f"{ref}:{wt}"
    with tempfile.TemporaryDirectory(prefix="drift-ref-") as tmp_dir:
        root = Path(tmp_dir)
        (root / project).mkdir()
        for entry in entries:
            name = posixpath.basename(entry.path)
            _materialize(entry, commit, top, root / project / name)
        tmp = (root / project).as_posix()
        try:
            baseline = load_baseline(root, project)
        except BaselineError as err:
            raise BaselineError(
                [
                    Problem(
                        _relocate(p.file, tmp, at_ref),
                        p.line,
                        p.field,
                        _relocate(p.message, tmp, at_ref),
                    )
                    for p in err.problems
                ]
            ) from None
    return RefBaseline(ref, commit, _relocated(baseline, tmp, wt, at_ref))
