"""Per-API rate budgets that keep a scan inside GCP's per-minute read quotas.

Google counts read quotas per minute, so the budget is the same rule seen from the
client: at most N requests in any 60-second window. A small scan goes out at once; a
big one proceeds as fast as the quota refills, and no window can exceed the budget.

A request holds its place in the window from when it is sent until its answer is in
(`take` ... `done`), not only from when it was sent: the server counts it when it
arrives, which is somewhere in between, so counting it until the answer is the one
rule under which the server can never see more than N in its own window, however the
network and the threads delay each request. A budget equal to the quota then draws no
429 (docs/operations.md).
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


# While the oldest request in the window is still waiting for its answer, how often to
# look again (its place frees one window after the answer).
OPEN_POLL_S = 0.05


class Slot:
    """One request's place in a window: `at` is when it was sent, then when it was done."""

    __slots__ = ("at", "open")

    def __init__(self, at: float) -> None:
        self.at = at
        self.open = True


class RateBudget:
    """Blocking sliding-window limiter: `take()` returns when one request may be sent."""

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
        self._sent: deque[Slot] = deque()  # in the order taken
        self._clock = clock
        self._sleep = sleep
        self._lock = threading.Lock()

    def in_window(self) -> int:
        """Requests counted in the last window: what the next `take` is measured against."""
        with self._lock:
            now = self._clock()
            return sum(1 for s in self._sent if s.open or now - s.at < self.window_s)

    def take(self, max_wait: float | None = None) -> tuple[Slot, float] | None:
        """A place for one request, sleeping as long as needed: (the slot, seconds waited).
        Give it back with `done` once the answer is in. With `max_wait`, gives up (None,
        nothing taken) rather than wait longer than that."""
        waited = 0.0
        while True:
            with self._lock:
                now = self._clock()
                sent = self._sent
                while sent and not sent[0].open and now - sent[0].at >= self.window_s:
                    sent.popleft()
                if len(sent) < self.limit:
                    slot = Slot(now)
                    sent.append(slot)
                    return slot, waited
                oldest = sent[0]
                delay = OPEN_POLL_S if oldest.open else oldest.at + self.window_s - now
            if max_wait is not None and waited + delay > max_wait:
                return None
            self._sleep(delay)
            waited += delay

    def done(self, slot: Slot) -> None:
        """The request's answer is in (or it failed): its place frees one window from now."""
        with self._lock:
            slot.at = max(slot.at, self._clock())
            slot.open = False

    def acquire(self, max_wait: float | None = None) -> float | None:
        """`take` for a request counted from when it is sent alone; the seconds waited."""
        got = self.take(max_wait)
        if got is None:
            return None
        slot, waited = got
        with self._lock:
            slot.open = False
        return waited


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
