"""Ctrl-C and SIGTERM must reach the main thread while a scan's threads wait on the network.

CPython runs Python signal handlers only in the main thread, but the kernel hands a
process's signal to any thread that does not block it. When a worker thread gets it,
CPython 3.11 records it without waking the main thread's wait, and may not run the
handler until much later: a scan would then ignore Ctrl-C (drift/cli/interrupt.py).
So the scan's own threads block these signals (the kernel then gives them to the main
thread), and the main thread, which only ever waits in short steps, runs any handler
left pending at each step (a signal can still land in a thread drift did not start).
"""

from __future__ import annotations

import signal
import threading

STOPPING = (signal.SIGINT, signal.SIGTERM)
_CAN_MASK = hasattr(signal, "pthread_sigmask")


def block_in_this_thread() -> None:
    """For a worker thread (a pool's initializer): leave SIGINT and SIGTERM to the main one."""
    if _CAN_MASK and threading.current_thread() is not threading.main_thread():
        signal.pthread_sigmask(signal.SIG_BLOCK, STOPPING)


def run_pending_handlers() -> None:
    """In the main thread: run the handlers of signals another thread received.

    Changing the signal mask makes CPython check for received signals (PyErr_CheckSignals)
    in this thread; an empty change has no other effect. A handler that raises (drift's
    Interrupted) raises here."""
    if _CAN_MASK and threading.current_thread() is threading.main_thread():
        signal.pthread_sigmask(signal.SIG_BLOCK, ())
