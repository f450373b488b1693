"""`drift emulator`: serve a world until stopped; a world or an address it cannot use is a
sentence, not a traceback."""

from __future__ import annotations

import errno
import socket
from pathlib import Path
from typing import Any

from drift.cli.common import fail, warn
from drift.cli.interrupt import Interrupted


def _listen_failure(err: OSError, host: str, port: int) -> str:
    """One sentence for an address the emulator cannot listen on."""
    where = f"{host}:{port}"
    if isinstance(err, socket.gaierror):
        return f"cannot listen on {where}: {host} is not a known host name or address."
    if err.errno == errno.EADDRINUSE:
        return (
            f"cannot listen on {where}: the port is in use (another drift emulator?); stop "
            "that program, or pick another port with --port (--port 0 takes any free one)."
        )
    if err.errno in (errno.EACCES, errno.EPERM):
        return (
            f"cannot listen on {where}: permission denied (ports below 1024 need privileges); "
            "pick another port with --port."
        )
    if err.errno == errno.EADDRNOTAVAIL:
        return f"cannot listen on {where}: {host} is not an address of this machine."
    return f"cannot listen on {where}: {(err.strerror or str(err)).lower()}."


def serve(
    world: str | None, host: str, port: int, page_size: int | None, latency_ms: int | None
) -> None:
    """Load the world, listen, serve until Ctrl-C or SIGTERM (then return: exit 0)."""
    from drift.emulator import bundled_world_path, load_world, serve_forever

    try:
        path = Path(world) if world else bundled_world_path("netra-staging")
        data = load_world(path)
    except (ValueError, OSError) as err:
        fail(f"cannot load the world file: {err}")
    knobs: dict[str, Any] = {}
    if page_size is not None:
        knobs["page_size"] = page_size
    if latency_ms is not None:
        knobs["latency_ms"] = latency_ms
    try:
        serve_forever(data, host, port, **knobs)
    except Interrupted:
        warn("drift: emulator stopped.")  # stopping is how it ends: exit 0
    except OSError as err:
        fail(_listen_failure(err, host, port))
    except ValueError as err:  # the world's content or a knob, found when the server is built
        fail(f"cannot serve {path}: {err}")
