"""Injected failures and per-minute quotas.

Scanners must survive transient 5xx, permission errors, rate limiting and whatever a
misbehaving proxy sends; these small thread-safe classes let tests and demos reproduce
those conditions deterministically (faults) or by load (quotas, a sliding 60-second
window). A fault is one of FAULT_KINDS (docs/emulator.md):

- ``status``: an HTTP error with Google's error body (the default kind);
- ``drip``: the real answer, headers at once, then one body byte every ``every`` s;
- ``empty``: 200 with an empty body; ``html``: an HTML page (status ``status``, 200 by
  default); ``shape``: 200 with the JSON ``body`` (default ``[]``, a JSON array);
  ``truncate``: the real answer cut in half; ``cut``: the real answer's headers (full
  ``Content-Length``), half its body, then the connection closes;
- ``repeat_token``: the first page of the list, always with the same next-page token;
  ``cycle_token``: the same, with two tokens taking turns; ``endless``: the same, with
  a new token every time (a list that never ends).
"""

from __future__ import annotations

import copy
import json
import re
import threading
import time
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

WINDOW_SECONDS = 60.0

FAULT_KINDS = (
    "status",
    "drip",
    "empty",
    "html",
    "shape",
    "truncate",
    "cut",
    "repeat_token",
    "cycle_token",
    "endless",
)
#: Faults on paging: the request is answered as the list's first page, token ignored.
TOKEN_KINDS = frozenset({"repeat_token", "cycle_token", "endless"})
#: Page-token query parameters: Google's, and Cloud Run v1's Kubernetes-style one.
TOKEN_PARAMS = ("pageToken", "continue")

JSON_TYPE = "application/json; charset=UTF-8"
HTML = (
    b"<!DOCTYPE html><html><head><title>502 Bad Gateway</title></head><body>"
    b"<h1>Bad Gateway</h1><p>The proxy server received an invalid response from an "
    b"upstream server.</p><hr><address>nginx</address></body></html>\n"
)

#: Google's quota metric/limit wording per API (see the reference sheet, section 6/7).
_QUOTA_LIMIT_NAME = {
    "run": "Read requests per minute per region",
    "compute": "Read requests per minute",
    "secretmanager": "Read requests per minute",
    "vpcaccess": "Read requests per minute",
}
_QUOTA_SERVICE = {
    "run": "run.googleapis.com",
    "compute": "compute.googleapis.com",
    "secretmanager": "secretmanager.googleapis.com",
    "vpcaccess": "vpcaccess.googleapis.com",
}


@dataclass
class Fault:
    """The first ``times`` requests whose path matches ``path`` get this fault."""

    path: re.Pattern[str]
    status: int | None
    times: int | None  # None = forever
    reason: str | None = None
    message: str | None = None
    kind: str = "status"
    every: float = 1.0  # drip: seconds between body bytes
    body: Any = field(default_factory=list)  # shape: the JSON sent (null included)
    hits: int = 0


@dataclass(frozen=True)
class Wire:
    """What goes on the wire for one request."""

    status: int
    payload: bytes
    content_type: str = JSON_TYPE
    headers: dict[str, str] = field(default_factory=dict)
    drip_every: float | None = None  # seconds between body bytes (slow-loris)
    cut: bool = False  # send half the body, then close the connection


class FaultInjector:
    """Thread-safe list of faults; the first still-active matching fault wins."""

    def __init__(self, faults: list[dict[str, Any]] | None = None) -> None:
        self._lock = threading.Lock()
        self._faults: list[Fault] = []
        self.set(faults or [])

    def set(self, faults: list[dict[str, Any]]) -> None:
        """Replace the fault list (counters restart)."""
        parsed = [
            Fault(
                path=re.compile(f["path"]),
                status=f.get("status"),
                times=f.get("times"),
                reason=f.get("reason"),
                message=f.get("message"),
                kind=f.get("kind", "status"),
                every=float(f.get("every", 1.0)),
                body=f["body"] if "body" in f else [],
            )
            for f in faults
        ]
        with self._lock:
            self._faults = parsed

    def check(self, path: str) -> Fault | None:
        """Consume one hit of the first active fault matching ``path`` (or ``None``)."""
        with self._lock:
            for fault in self._faults:
                if fault.times is not None and fault.hits >= fault.times:
                    continue
                if fault.path.search(path):
                    fault.hits += 1
                    return fault
        return None


def check_fault(f: Any, where: str) -> None:
    """Raise ValueError naming what is wrong with one fault definition."""
    if not isinstance(f, dict) or not isinstance(f.get("path"), str):
        raise ValueError(f"{where} must be an object with a 'path' regex")
    try:
        re.compile(f["path"])
    except re.error as e:
        raise ValueError(f"{where}.path is not a valid regex: {e}") from e
    kind = f.get("kind", "status")
    if kind not in FAULT_KINDS:
        raise ValueError(f"{where}.kind must be one of {', '.join(FAULT_KINDS)}; got {kind!r}")
    status = f.get("status")
    if kind == "status" and (not isinstance(status, int) or not 400 <= status <= 599):
        raise ValueError(f"{where}.status must be an HTTP error status")
    if (
        kind == "html"
        and status is not None
        and (not isinstance(status, int) or not 200 <= status <= 599)
    ):
        raise ValueError(f"{where}.status must be an HTTP status")
    every = f.get("every", 1.0)
    if not isinstance(every, int | float) or isinstance(every, bool) or every <= 0:
        raise ValueError(f"{where}.every must be a number of seconds > 0")
    times = f.get("times")
    if times is not None and (not isinstance(times, int) or times < 0):
        raise ValueError(f"{where}.times must be an integer >= 0 or null")


def with_token(fault: Fault, body: dict[str, Any], asked: str) -> dict[str, Any]:
    """A list page whose next-page token loops (``repeat_token``, ``cycle_token``) or
    never runs out (``endless``); the page itself is the list's first."""
    if fault.kind == "repeat_token":
        token = "repeat-token"
    elif fault.kind == "cycle_token":
        token = "cycle-b" if asked == "cycle-a" else "cycle-a"
    else:
        token = f"endless-{fault.hits}"
    out = copy.copy(body)
    if body.get("kind") == "DomainMappingList":
        out["metadata"] = {**(body.get("metadata") or {}), "continue": token}
    else:
        out["nextPageToken"] = token
    return out


def on_the_wire(
    fault: Fault | None, status: int, body: dict[str, Any], headers: dict[str, str]
) -> Wire:
    """The bytes sent for an answer, after a transport fault (if any) has had its way."""
    payload = json.dumps(body, separators=(",", ":")).encode()
    kind = fault.kind if fault else None
    if kind == "drip" and fault is not None:
        return Wire(status, payload, headers=headers, drip_every=fault.every)
    if kind == "empty":
        return Wire(200, b"")
    if kind == "html" and fault is not None:
        return Wire(fault.status or 200, HTML, "text/html; charset=utf-8")
    if kind == "shape" and fault is not None:
        return Wire(200, json.dumps(fault.body).encode())
    if kind == "truncate":
        return Wire(200, payload[: max(1, len(payload) // 2)])
    if kind == "cut":
        return Wire(status, payload, headers=headers, cut=True)
    return Wire(status, payload, headers=headers)


@dataclass(frozen=True)
class QuotaVerdict:
    """Why a request was refused: enough to write Google's error message."""

    api: str
    project: str
    region: str | None
    limit: int

    @property
    def service(self) -> str:
        return _QUOTA_SERVICE.get(self.api, f"{self.api}.googleapis.com")

    @property
    def limit_name(self) -> str:
        return _QUOTA_LIMIT_NAME.get(self.api, "Read requests per minute")

    def message(self, consumer: str) -> str:
        return (
            f"Quota exceeded for quota metric 'Read requests' and limit "
            f"'{self.limit_name}' of service '{self.service}' for consumer "
            f"'project_number:{consumer}'."
        )


class QuotaLimiter:
    """Sliding-window request counter per (api, project[, region]).

    Only admitted requests consume quota, so a client that backs off recovers
    once the window slides past its earlier requests.
    """

    def __init__(
        self,
        quotas: dict[str, int] | None = None,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self._lock = threading.Lock()
        self._quotas: dict[str, int] = dict(quotas or {})
        self._clock = clock
        self._hits: dict[tuple[str, str, str | None], deque[float]] = {}

    def set(self, quotas: dict[str, int]) -> None:
        """Replace the limits and forget past requests."""
        with self._lock:
            self._quotas = dict(quotas)
            self._hits.clear()

    def admit(self, api: str, project: str | None, region: str | None) -> QuotaVerdict | None:
        """Record a request; return a verdict if it is over quota, else ``None``."""
        with self._lock:
            limit = self._quotas.get(api)
            if limit is None or project is None:
                return None
            key = (api, project, region if api == "run" else None)
            now = self._clock()
            window = self._hits.setdefault(key, deque())
            while window and window[0] <= now - WINDOW_SECONDS:
                window.popleft()
            if len(window) >= limit:
                return QuotaVerdict(api, project, key[2], limit)
            window.append(now)
            return None
