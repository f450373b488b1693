"""Ctrl-C (SIGINT) and SIGTERM stop a run at once, with one line and exit 128 + signal.

Python's default Ctrl-C is a KeyboardInterrupt that a thread pool's `with` block then
waits out (every queued request still runs), and SIGTERM kills the process without a
word. Instead, while a command runs, both signals raise `Interrupted` in the main thread:
the scan cancels its queued requests without waiting for those in flight
(drift/collectors/scan.py), `with` blocks close (progress display, in-process emulator),
and `finish` prints one line and leaves without joining the worker threads still stuck
in HTTP calls.

A file is written only after the scan, and atomically, so an interrupted run leaves the
old `--output` (or none) in place. `uninterruptible()` holds a signal back while files
are being written, so that a set of files (`drift baseline init`) is never half-written.
"""

from __future__ import annotations

import contextlib
import os
import signal
import sys
import threading
from collections.abc import Iterator
from types import FrameType

HANDLED = (signal.SIGINT, signal.SIGTERM)


class Interrupted(BaseException):
    """The run was stopped by a signal. A BaseException, as KeyboardInterrupt is, so no
    `except Exception` on the way turns it into an error value (a not_checked kind)."""

    def __init__(self, signum: int, after_write: bool = False) -> None:
        self.signum = signum
        self.after_write = after_write
        super().__init__(signal.Signals(signum).name)

    @property
    def exit_code(self) -> int:
        """128 + the signal number, as a shell reports it: 130 for SIGINT, 143 for SIGTERM."""
        return 128 + self.signum


class _State:
    """Signals held back by `uninterruptible()` (the first one wins)."""

    def __init__(self) -> None:
        self.holding = 0
        self.pending: int | None = None
        self.stopping = False


_state = _State()


def _on_signal(signum: int, frame: FrameType | None) -> None:
    if _state.stopping:
        # A second Ctrl-C while closing down: the user means it, leave right now.
        os._exit(128 + signum)
    if _state.holding:
        _state.pending = _state.pending or signum
        return
    _state.stopping = True
    raise Interrupted(signum)


@contextlib.contextmanager
def signals_stop_the_run() -> Iterator[None]:
    """While the block runs, SIGINT and SIGTERM raise Interrupted; old handlers come back after.

    Outside the main thread signals cannot be handled in Python: the block runs unchanged.
    """
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    previous = {s: signal.getsignal(s) for s in HANDLED}
    _state.holding, _state.pending, _state.stopping = 0, None, False
    for s in HANDLED:
        signal.signal(s, _on_signal)
    try:
        yield
    finally:
        for s, handler in previous.items():
            signal.signal(s, handler)


@contextlib.contextmanager
def uninterruptible() -> Iterator[None]:
    """Hold SIGINT/SIGTERM back until the block (a short file write) is done, then stop."""
    _state.holding += 1
    try:
        yield
    finally:
        _state.holding -= 1
    if not _state.holding and _state.pending is not None:
        signum, _state.pending = _state.pending, None
        _state.stopping = True
        raise Interrupted(signum, after_write=True)


def finish(err: Interrupted) -> None:
    """One line on stderr, then exit 128 + signal, without waiting for requests in flight."""
    from drift.report.escape import escape_text

    what = (
        "what was being written was finished first"
        if err.after_write
        else "stopped at once, nothing was written"
    )
    with contextlib.suppress(Exception):  # a closed stderr must not hide the exit code
        sys.stderr.write(escape_text(f"drift: interrupted by {err}; {what}.") + "\n")
    for stream in (sys.stdout, sys.stderr):
        with contextlib.suppress(Exception):
            stream.flush()
    busy = [
        t
        for t in threading.enumerate()
        if t is not threading.main_thread() and t.is_alive() and not t.daemon
    ]
    if busy:
        # The scan's worker threads may sit in an HTTP call for many seconds more, and
        # the interpreter joins them before exiting: leave without them.
        os._exit(err.exit_code)
    sys.exit(err.exit_code)
