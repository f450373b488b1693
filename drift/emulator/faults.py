"""Injected failures and per-minute quotas.

Scanners must survive transient 5xx, permission errors and rate limiting; these
two small thread-safe classes let tests and demos reproduce those conditions
deterministically (faults) or by load (quotas, a sliding 60-second window).
"""

from __future__ import annotations

import re
import threading
import time
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

WINDOW_SECONDS = 60.0

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
    """Answer ``status`` for the first ``times`` requests whose path matches ``path``."""

    path: re.Pattern[str]
    status: int
    times: int | None  # None = forever
    reason: str | None = None
    message: str | None = None
    hits: int = 0


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
                status=int(f["status"]),
                times=f.get("times"),
                reason=f.get("reason"),
                message=f.get("message"),
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
