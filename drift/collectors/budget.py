"""Per-API rate budgets that keep a scan inside GCP's per-minute read quotas.

Google counts read quotas per minute, so the budget is the same rule seen from the
client: at most N requests in any 60-second window. A small scan goes out at once; a
big one proceeds as fast as the quota refills, and no window can exceed the budget.
"""

from __future__ import annotations

import threading
import time
from collections import deque
from collections.abc import Callable

# Google's documented read quotas are per minute; drift defaults to 90% of them so a
# scan leaves room for other readers of the same project (see docs/operations.md).
DEFAULT_RATE_PER_MINUTE = {"run": 540, "secretmanager": 540, "vpcaccess": 540, "compute": 1350}
WINDOW_S = 60.0


class RateBudget:
    """Blocking sliding-window limiter: `acquire()` returns when one request may be sent."""

    def __init__(
        self,
        per_minute: int,
        clock: Callable[[], float] = time.monotonic,
        sleep: Callable[[float], None] = time.sleep,
        window_s: float = WINDOW_S,
    ) -> None:
        if per_minute <= 0:
            raise ValueError("a rate budget must be positive")
        self.limit = int(per_minute)
        self.window_s = window_s
        self._sent: deque[float] = deque()
        self._clock = clock
        self._sleep = sleep
        self._lock = threading.Lock()

    def in_window(self) -> int:
        """Requests sent in the last window: what the next `acquire` is measured against."""
        with self._lock:
            now = self._clock()
            return sum(1 for t in self._sent if now - t < self.window_s)

    def acquire(self, max_wait: float | None = None) -> float | None:
        """Take one slot, sleeping as long as needed; returns the seconds waited.

        With `max_wait`, gives up (None, no slot taken) rather than wait longer than that.
        """
        waited = 0.0
        while True:
            with self._lock:
                now = self._clock()
                while self._sent and now - self._sent[0] >= self.window_s:
                    self._sent.popleft()
                if len(self._sent) < self.limit:
                    self._sent.append(now)
                    return waited
                delay = self._sent[0] + self.window_s - now
            if max_wait is not None and waited + delay > max_wait:
                return None
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
                self._budgets[key] = RateBudget(self._rates.get(api, 540))
            return self._budgets[key]
