"""drift as a process of its own: garbage collection for a short run, and a fast exit.

Only `DriftGroup.__call__` uses this: the console script `drift` and `python -m drift`
call the group, while tests (click's CliRunner) and library users call `main()` or the
functions behind it, whose process must go on exactly as before.

- **Collection.** A run builds hundreds of thousands of objects that live until it ends
  (the baseline, the API answers, the findings), and almost none of them are in a
  reference cycle. CPython's default thresholds then rescan those survivors again and
  again: about 0.5 s of a 3,000-service diff. At start the objects of the imports are
  frozen (`gc.freeze`: never scanned again) and the first generation's threshold is
  raised, so collections are rare, yet still happen (a long `drift emulator` or
  `--all` run does not grow without bound).
- **Thread switches.** A scan's threads mostly wait for answers while one of them parses a
  page; one whose answer has arrived waits for the interpreter lock up to the switch
  interval. At 1 ms instead of CPython's 5 ms the longest run of dependent requests
  keeps pace (3,000 services: about 60 ms less in all, bench/README.md).
- **Exit.** Once the command has returned its exit code (every report, snapshot, history
  record and alert written and closed), the interpreter would still tear down every
  object one by one, a quarter of a second for a big run. Instead stdout and stderr are
  flushed and the process ends with `os._exit`. Nothing is lost: drift writes its files
  atomically and closes them before the exit code is known, and no atexit work of drift's
  is pending (threads of an interrupted scan are left the same way, drift/cli/interrupt.py).
"""

from __future__ import annotations

import contextlib
import gc
import os
import sys
import threading
from collections.abc import Callable
from typing import Any

# First-generation threshold while drift runs as a process (CPython's default: 700). At
# 700, building a 3,000-service baseline alone triggers over a thousand collections.
GEN0_THRESHOLD = 50_000
SWITCH_INTERVAL_S = 0.001  # CPython's default: 0.005


def tune_gc() -> None:
    """Freeze what is loaded so far, make collections rare and thread switches quick (see
    the module docstring)."""
    gc.freeze()
    _, gen1, gen2 = gc.get_threshold()
    gc.set_threshold(GEN0_THRESHOLD, gen1, gen2)
    sys.setswitchinterval(SWITCH_INTERVAL_S)


def exit_status(code: Any) -> int:
    """The process status for a SystemExit code, as Python itself would set it (a string
    is printed on stderr and gives 1)."""
    if code is None:
        return 0
    if isinstance(code, int):
        return code & 0xFF
    with contextlib.suppress(Exception):
        sys.stderr.write(f"{code}\n")
    return 1


def _flush() -> bool:
    """Flush stdout and stderr; False when stdout could not be written (a closed pipe)."""
    ok = True
    for stream in (sys.stdout, sys.stderr):
        try:
            if stream is not None:
                stream.flush()
        except (OSError, ValueError):
            ok = ok and stream is not sys.stdout
    return ok


def run_process(run: Callable[[], Any]) -> None:
    """Run `run` (click's standalone main, which ends in SystemExit) as the whole process:
    GC tuned before it, `os._exit` with its status after it.

    Anything but SystemExit (an error click did not handle) takes Python's usual path.
    A thread other than the main one (an embedding program) gets no fast exit.
    """
    if threading.current_thread() is not threading.main_thread():
        run()
        return
    tune_gc()
    try:
        run()
        status = 0
    except SystemExit as done:
        status = exit_status(done.code)
    if not _flush() and status == 0:
        status = 1  # the output did not all go out: not a clean run
    os._exit(status)
