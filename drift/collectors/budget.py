"""Per-API rate budgets that keep a scan inside GCP's per-minute read quotas.

A token bucket whose burst plus one minute of refill never exceeds the minute quota, so
any 60-second window (how Google and the emulator count) stays under the limit.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable

# Google's documented read quotas are per minute; drift defaults to 90% of them so a
# scan leaves room for other readers of the same project (see docs/operations.md).
DEFAULT_RATE_PER_MINUTE = {"run": 540, "secretmanager": 540, "vpcaccess": 540, "compute": 1350}
BURST_FRACTION = 0.1


class RateBudget:
    """Blocking token bucket: `acquire()` returns when one request may be sent."""

    def __init__(
        self,
        per_minute: float,
        clock: Callable[[], float] = time.monotonic,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        if per_minute <= 0:
            raise ValueError("a rate budget must be positive")
        self.capacity = max(1.0, per_minute * BURST_FRACTION)
        self.rate = max(per_minute - self.capacity, 1.0) / 60.0
        self._tokens = self.capacity
        self._clock = clock
        self._sleep = sleep
        self._last = clock()
        self._lock = threading.Lock()

    def acquire(self) -> float:
        """Take one token, sleeping as long as needed; returns the seconds waited."""
        waited = 0.0
        while True:
            with self._lock:
                now = self._clock()
                self._tokens = min(self.capacity, self._tokens + (now - self._last) * self.rate)
                self._last = now
                if self._tokens >= 1:
                    self._tokens -= 1
                    return waited
                delay = (1 - self._tokens) / self.rate
            self._sleep(delay)
            waited += delay


class Budgets:
    """One RateBudget per quota bucket (an API, or an API in a region for Cloud Run)."""

    def __init__(self, rate_per_minute: dict[str, int]) -> None:
        self._rates = {**DEFAULT_RATE_PER_MINUTE, **rate_per_minute}
        self._budgets: dict[str, RateBudget] = {}
        self._lock = threading.Lock()

    def get(self, api: str, region: str | None = None) -> RateBudget:
        # Cloud Run's read quota is counted per region; the others per project.
        key = f"{api}:{region}" if api == "run" and region else api
        with self._lock:
            if key not in self._budgets:
                self._budgets[key] = RateBudget(self._rates.get(api, 600))
            return self._budgets[key]
