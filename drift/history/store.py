"""Where history is kept: a small key -> text store with conditional writes.

Every backend offers the same three operations, with Cloud Storage's semantics:

- `get(key)`: the text and its generation (an opaque token that changes with every
  write), or None when there is no such object;
- `put(key, text, expect)`: write it whole, only if the object's current generation is
  `expect` (None: only if there is none; ANY: whatever is there), else raise Conflict;
  returns the new generation;
- `location(key)`: where it is, for people (a path, or gs://bucket/name).

The local folder backend is here; the Cloud Storage one is in
drift/collectors/history_gcs.py, the only place allowed to import google.*.
"""

from __future__ import annotations

import contextlib
import fcntl
import hashlib
import os
import re
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Protocol

from drift.report.write import OutputError, write_atomic


class HistoryError(Exception):
    """History could not be read or written; the message is one sentence."""


class Conflict(Exception):
    """A conditional write lost: the object changed since it was read."""


class _Any:
    def __repr__(self) -> str:
        return "ANY"


#: `put(..., expect=ANY)`: write whatever generation is there.
ANY = _Any()
Expect = str | None | _Any

LOCK_WAIT_S = 10.0  # how long a local write waits for another run's lock (held for ms)


@dataclass(frozen=True)
class Stored:
    """An object's text and the generation it was read at."""

    text: str
    generation: str


class Store(Protocol):
    """The storage interface history needs (see the module docstring)."""

    def get(self, key: str) -> Stored | None: ...

    def put(self, key: str, text: str, expect: Expect) -> str: ...

    def location(self, key: str = "") -> str: ...

    def check(self) -> None:
        """Raise HistoryError now, before a scan, if history plainly cannot be kept."""
        ...


def local_generation(text: str) -> str:
    """A local object's generation: its content's digest (equal content, equal state)."""
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:16]


class LocalStore:
    """History in a local folder: atomic writes (temporary file, fsync, rename) and
    compare-and-swap under an flock on the folder's `.lock` file."""

    def __init__(self, root: Path) -> None:
        self.root = root

    def location(self, key: str = "") -> str:
        return str(self.root / key) if key else str(self.root)

    def get(self, key: str) -> Stored | None:
        path = self.root / key
        try:
            text = path.read_text(encoding="utf-8")
        except FileNotFoundError:
            return None
        except (OSError, UnicodeDecodeError) as err:
            raise HistoryError(f"cannot read history file {path}: {_reason(err)}.") from err
        return Stored(text, local_generation(text))

    def put(self, key: str, text: str, expect: Expect) -> str:
        path = self.root / key
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            with _locked(path.parent / ".lock"):
                if expect is not ANY:
                    current = self.get(key)
                    now = current.generation if current else None
                    if now != expect:
                        raise Conflict(f"{path} changed since it was read")
                write_atomic(path, text)
        except OutputError as err:
            raise HistoryError(f"cannot write history: {err}") from err
        except OSError as err:
            raise HistoryError(f"cannot write history file {path}: {_reason(err)}.") from err
        return local_generation(text)

    def check(self) -> None:
        """Fail now, before a scan, when the folder cannot hold history."""
        root = self.root
        if root.exists() and not root.is_dir():
            raise HistoryError(f"--history {root} is a file, not a folder.")
        probe = root
        while not probe.exists():
            probe = probe.parent
        if not probe.is_dir() or not os.access(probe, os.W_OK | os.X_OK):
            raise HistoryError(f"--history {root}: {probe} is not a folder drift can write to.")


@contextlib.contextmanager
def _locked(lock_path: Path) -> Iterator[None]:
    """An exclusive flock on `lock_path`; a holder that never lets go is a sentence, not a
    hang (the lock is held for the milliseconds of one compare-and-write)."""
    fd = os.open(lock_path, os.O_RDWR | os.O_CREAT, 0o666)
    try:
        deadline = time.monotonic() + LOCK_WAIT_S
        while True:
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
                break
            except BlockingIOError:
                if time.monotonic() > deadline:
                    raise HistoryError(
                        f"{lock_path} stayed locked by another process for "
                        f"{LOCK_WAIT_S:.0f} s; is a drift run stuck?"
                    ) from None
                time.sleep(0.02)
        yield
    finally:
        os.close(fd)  # closing releases the lock


def _reason(err: BaseException) -> str:
    if isinstance(err, OSError) and err.strerror:
        return err.strerror.lower()
    return str(err)


_GS = re.compile(r"^gs://(?P<bucket>[^/]*)(?:/(?P<prefix>.*))?$")
_BUCKET = re.compile(r"^[a-z0-9][a-z0-9._-]{1,220}[a-z0-9]$")
_SCHEME = re.compile(r"^[A-Za-z][A-Za-z0-9+.-]*://")


def open_store(location: str) -> Store:
    """The store for `--history LOCATION`: a folder, or gs://BUCKET[/PREFIX]."""
    if not location.strip():
        raise HistoryError("--history needs a folder or gs://BUCKET/PREFIX.")
    m = _GS.match(location)
    if m:
        bucket, prefix = m.group("bucket"), (m.group("prefix") or "").strip("/")
        if not _BUCKET.match(bucket):
            raise HistoryError(
                f"--history {location}: {bucket!r} is not a Cloud Storage bucket name "
                "(3-222 lower-case letters, digits, dots, dashes and underscores)."
            )
        from drift.collectors.history_gcs import GCSStore

        return GCSStore(bucket, prefix)
    if _SCHEME.match(location):
        raise HistoryError(
            f"--history {location.split('://')[0]}://... is not supported: give a folder "
            "or gs://BUCKET/PREFIX."
        )
    return LocalStore(Path(location))


_PROJECT = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._:-]*$")


def project_folder(project: str) -> str:
    """The project's folder in a store; a name that could leave it is refused."""
    if not _PROJECT.match(project) or ".." in project:
        raise HistoryError(f"project {project!r} cannot name a history folder.")
    return project


def pointer_key(project: str) -> str:
    """The key of the project's `latest` pointer."""
    return f"{project_folder(project)}/latest.json"


def run_key(project: str, run: str) -> str:
    """The store key of one run's report (`run` as the pointer names it: runs/NAME.json)."""
    return f"{project_folder(project)}/{run}"
