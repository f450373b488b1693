"""Writing drift's files safely: checked before the scan, whole or not at all, nothing left behind.

- `check_target` runs before any API call, so a path that cannot be written fails in a
  second with one sentence (`OutputError`) instead of after a long scan.
- A regular file is written to a temporary file in the same folder, then renamed over the
  target: a reader (or a kill -9) sees the old report or the new one, never half of one.
- A symlink is followed: the temporary file goes next to the file it points at, and the
  link (`latest.json -> 2026-11-30.json`) stays a link.
- A device, FIFO or socket (`/dev/stdout`, a named pipe), or a /proc fd link, is written
  in place: renaming a file over it would replace it rather than write to it.
- The new file keeps the mode (and, where allowed, the owner) of the file it replaces; a
  new file gets 0666 minus the umask, as `>` would give it.
- Temporary files are named `.<name>.<8 hex>.drift-tmp` and locked (flock) while being
  written. A killed run leaves its temporary file unlocked, and the next write to the
  same target removes such files: only that pattern, only unlocked ones, so a concurrent
  writer's file is never touched.
"""

from __future__ import annotations

import errno
import fcntl
import os
import re
import secrets
import stat
from dataclasses import dataclass
from pathlib import Path

TEMP_SUFFIX = ".drift-tmp"

# Short reasons for the errors a user can fix; anything else uses the system's wording.
_REASONS = {
    errno.EACCES: "permission denied",
    errno.EPERM: "permission denied",
    errno.EROFS: "the file system is read-only",
    errno.ENOSPC: "no space left on the device",
    errno.EDQUOT: "the disk quota is exceeded",
    errno.EISDIR: "it is a directory",
    errno.ELOOP: "it is a symlink loop",
    errno.ENAMETOOLONG: "the name is too long",
}


class OutputError(Exception):
    """A file drift cannot write, said in one sentence that names the path and the fix."""


@dataclass(frozen=True)
class Target:
    """Where the bytes for a path given by the user will land."""

    path: Path  # as given (messages name it)
    real: Path  # the file written: symlinks followed
    direct: bool  # written in place (device, FIFO, /proc fd link), no temporary file


def _reason(err: OSError) -> str:
    return _REASONS.get(err.errno or 0, (err.strerror or str(err)).lower())


def _sentence(what: str, path: Path, reason: str, fix: str) -> str:
    return f"cannot write {what} to {path}: {reason}; {fix}."


def _nearest_existing(folder: Path) -> tuple[Path, os.stat_result]:
    """The first of `folder` and its parents that exists (the root always does)."""
    for candidate in (folder, *folder.parents):
        try:
            return candidate, candidate.stat()
        except (FileNotFoundError, NotADirectoryError):
            continue
    raise FileNotFoundError(errno.ENOENT, "no existing parent folder", str(folder))


def check_target(path: Path, what: str = "the report") -> Target:
    """Check, before any work, that `path` can be written; raises OutputError with the fix.

    Creates nothing that stays: a folder that does not exist yet is only checked to be
    creatable (its nearest existing parent is a writable folder); an existing folder is
    probed by creating and removing a temporary file, the one test that also catches
    read-only mounts, /proc and permissions that root does not bypass.
    """
    try:
        st: os.stat_result | None = path.stat()  # follows symlinks, as writing will
    except FileNotFoundError:
        st = None  # nothing there yet, or a symlink to a file not written yet
    except NotADirectoryError:
        st = None  # a parent is a file: reported below with its name
    except OSError as err:
        raise OutputError(_sentence(what, path, _reason(err), "choose another path")) from err
    if st is not None and stat.S_ISDIR(st.st_mode):
        raise OutputError(
            _sentence(what, path, "it is a directory", f"give a file name, e.g. {path}/drift.json")
        )
    real = Path(os.path.realpath(path))
    # /dev/stdout -> /proc/self/fd/1 -> a file the shell opened (`> out`, `>> log`): the
    # file behind the descriptor is the output, so it is written through the link, never
    # replaced by a rename (which would drop the shell's `>>` content and its descriptor).
    if st is not None and (
        not stat.S_ISREG(st.st_mode) or _via_fd_link(path) or not _same_file(real, st)
    ):
        if not os.access(path, os.W_OK):
            raise OutputError(_sentence(what, path, "permission denied", "choose another path"))
        return Target(path, path, direct=True)
    folder = real.parent
    try:
        existing, est = _nearest_existing(folder)
    except OSError as err:
        raise OutputError(_sentence(what, path, _reason(err), "choose another path")) from err
    if not stat.S_ISDIR(est.st_mode):
        raise OutputError(
            _sentence(what, path, f"{existing} is a file, not a folder", "choose another path")
        )
    if existing != folder:
        if not os.access(existing, os.W_OK | os.X_OK):
            raise OutputError(
                _sentence(
                    what,
                    path,
                    f"cannot create folders in {existing}",
                    "choose a folder you can write to",
                )
            )
        return Target(path, real, direct=False)
    try:
        fd, tmp = _create_temp(real)
    except OSError as err:
        reason = (
            f"{folder} does not accept new files"
            if err.errno == errno.ENOENT
            else f"{_reason(err)} in {folder}"
        )
        raise OutputError(
            _sentence(what, path, reason, "choose a folder you can write to")
        ) from err
    os.unlink(tmp)
    os.close(fd)
    return Target(path, real, direct=False)


def _via_fd_link(path: Path) -> bool:
    """Whether `path` is, or links to, an open descriptor (/dev/fd/N, /proc/.../fd/N)."""
    current = Path(os.path.abspath(path))
    for _ in range(40):  # the kernel's own limit on links followed
        text = current.as_posix()
        if text.startswith(("/proc/", "/dev/fd/")):
            return True
        try:
            current = Path(os.path.abspath(current.parent / os.readlink(current)))
        except OSError:
            return False  # not a link (EINVAL), or one we may not read
    return False


def _same_file(real: Path, st: os.stat_result) -> bool:
    try:
        rst = real.stat()
    except OSError:
        return False
    return (rst.st_dev, rst.st_ino) == (st.st_dev, st.st_ino)


def temp_pattern(target: Path) -> re.Pattern[str]:
    """The names of drift's temporary files for `target` (and of no other file)."""
    return re.compile(rf"\.{re.escape(target.name)}\.[0-9a-f]{{8}}{re.escape(TEMP_SUFFIX)}")


def _create_temp(target: Path) -> tuple[int, Path]:
    """A new, locked, empty 0600 temporary file next to `target`: (fd, path)."""
    for _ in range(100):
        tmp = target.parent / f".{target.name}.{secrets.token_hex(4)}{TEMP_SUFFIX}"
        try:
            fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_CLOEXEC, 0o600)
        except FileExistsError:
            continue
        # Blocks only while a cleaner holds the lock; it may then have removed the name.
        fcntl.flock(fd, fcntl.LOCK_EX)
        if _same_file(tmp, os.fstat(fd)):
            return fd, tmp
        os.close(fd)
    raise FileExistsError(errno.EEXIST, "no free temporary file name", str(target.parent))


def remove_stale_temps(target: Path) -> list[Path]:
    """Remove the temporary files of `target` left by killed runs; returns what was removed.

    Only regular files named by `temp_pattern(target)` that no process holds locked: a
    writer holds its lock until the rename, and the kernel drops it when the writer dies.
    """
    pattern = temp_pattern(target)
    removed: list[Path] = []
    try:
        entries = sorted(os.scandir(target.parent), key=lambda e: e.name)
    except OSError:
        return removed
    for entry in entries:
        if not pattern.fullmatch(entry.name) or not entry.is_file(follow_symlinks=False):
            continue
        try:
            fd = os.open(entry.path, os.O_RDONLY | os.O_NOFOLLOW | os.O_CLOEXEC)
        except OSError:
            continue
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            if _same_file(Path(entry.path), os.fstat(fd)):
                os.unlink(entry.path)
                removed.append(Path(entry.path))
        except OSError:
            continue  # locked by a live writer, or gone already
        finally:
            os.close(fd)
    return removed


def _umask() -> int:
    """The process umask; /proc gives it without changing it (os.umask can only swap it)."""
    try:
        with open("/proc/self/status", encoding="ascii") as fh:
            for line in fh:
                if line.startswith("Umask:"):
                    return int(line.split()[1], 8)
    except (OSError, ValueError):
        pass
    mask = os.umask(0o022)
    os.umask(mask)
    return mask


def _keep_attributes(fd: int, old: os.stat_result | None) -> None:
    """Give the new file the old file's mode and owner, or a new file's usual mode."""
    if old is None:
        os.fchmod(fd, 0o666 & ~_umask())
        return
    os.fchmod(fd, stat.S_IMODE(old.st_mode))
    try:
        os.fchown(fd, old.st_uid, old.st_gid)
    except OSError:
        pass  # only root may give a file away; the mode is what readers depend on


def write_target(target: Target, text: str) -> None:
    """Write `text` (UTF-8) to a checked target; raises OSError as the system reports it."""
    if target.direct:
        # Append mode: no O_TRUNC, so a descriptor opened with `>>` keeps what it holds;
        # devices and pipes do not care.
        with open(target.path, "a", encoding="utf-8") as fh:
            fh.write(text)
        return
    real = target.real
    real.parent.mkdir(parents=True, exist_ok=True)
    remove_stale_temps(real)
    try:
        old: os.stat_result | None = real.stat()
    except FileNotFoundError:
        old = None
    fd, tmp = _create_temp(real)
    try:
        # The lock lives as long as this descriptor: keep it open until after the rename.
        with os.fdopen(fd, "w", encoding="utf-8") as fh:
            fh.write(text)
            fh.flush()
            _keep_attributes(fh.fileno(), old)
            os.fsync(fh.fileno())
            os.replace(tmp, real)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise
    _sync_folder(real.parent)


def _sync_folder(folder: Path) -> None:
    """fsync the folder so that the rename itself survives a crash (best effort)."""
    try:
        dfd = os.open(folder, os.O_RDONLY | os.O_DIRECTORY)
    except OSError:
        return
    try:
        os.fsync(dfd)
    except OSError:
        pass  # some file systems cannot sync a folder; the data itself was synced
    finally:
        os.close(dfd)


def write_file(path: Path, text: str, what: str = "the report") -> None:
    """Check `path`, then write `text` to it; every failure is an OutputError sentence."""
    target = check_target(path, what)
    try:
        write_target(target, text)
    except OSError as err:
        raise OutputError(describe_failure(what, path, err)) from err


def describe_failure(what: str, path: Path, err: OSError) -> str:
    """One sentence for a write that failed after its target was checked."""
    return _sentence(what, path, _reason(err), "choose a path you can write to")


def write_atomic(path: Path, text: str) -> None:
    """Write `text` to `path` whole or not at all; failures are OutputError sentences."""
    write_file(path, text, what="the file")
