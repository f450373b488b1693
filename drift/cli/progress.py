"""What a scan shows on stderr while it runs: progress, and why it is waiting.

On a terminal, one transient progress line: the list being read, or, while a request waits
to be retried, `retrying secretmanager (503), giving up in 110 s`. Off a terminal (CI, a
cron job's log) progress stays quiet, but waiting is said as a plain line, at most one
every NOTICE_EVERY_S: a scan that retries for two minutes must not look hung. `--quiet`
shows neither.
"""

from __future__ import annotations

import contextlib
import sys
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass

from drift.cli.common import warn

NOTICE_EVERY_S = 10.0


@dataclass
class Display:
    """The two callbacks a scan takes (drift/pipeline.py collect_live)."""

    progress: Callable[[int, int, str], None] | None = None
    notice: Callable[[str], None] | None = None


class Throttled:
    """Says a notice as a plain stderr line, at most one every `every_s` (others dropped:
    the next one says how long is left anyway). Called from the scan's worker threads."""

    def __init__(
        self,
        every_s: float = NOTICE_EVERY_S,
        say: Callable[[str], None] | None = None,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.every_s = every_s
        self.say = say or (lambda text: warn(f"drift: {text}"))
        self.clock = clock
        self._last: float | None = None
        self._lock = threading.Lock()

    def __call__(self, text: str) -> None:
        with self._lock:
            now = self.clock()
            if self._last is not None and now - self._last < self.every_s:
                return
            self._last = now
        self.say(text)


@contextlib.contextmanager
def scan_display(enabled: bool) -> Iterator[Display]:
    """A progress line on a terminal stderr; plain retry notices otherwise; nothing when
    not `enabled` (--quiet)."""
    if not enabled:
        yield Display()
        return
    if not sys.stderr.isatty():
        yield Display(notice=Throttled())
        return
    from rich.console import Console
    from rich.progress import Progress

    with Progress(console=Console(stderr=True), transient=True) as bar:
        task = bar.add_task("scanning", total=None)

        def update(done: int, total: int, label: str) -> None:
            bar.update(task, completed=done, total=total, description=f"scanning {label}")

        def notice(text: str) -> None:
            bar.update(task, description=text)

        yield Display(update, notice)
