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
from collections.abc import Callable, Iterator
from contextlib import contextmanager

# Google's read quotas per minute (docs/operations.md): Secret Manager 600 per project
# (documented), Cloud Run 600 per region (reported; undocumented), VPC Access none published
# (600, as Cloud Run), Compute 1,500 per project. A budget equal to the quota draws no 429
# from drift alone (a request holds its place until its answer); when another reader
# shares the quota, its 429s shrink the budget (RateBudget.shrink), and --rate sets less.
DEFAULT_RATE_PER_MINUTE = {"run": 600, "secretmanager": 600, "vpcaccess": 600, "compute": 1500}
# A quota refusal takes a tenth off the budget, down to this share of where it started.
SHRINK_FACTOR = 0.9
SHRINK_FLOOR = 0.5
WINDOW_S = 60.0


# While the oldest request in the window is still waiting for its answer, how often to
# look again (its place frees one window after the answer).
OPEN_POLL_S = 0.05


_thread = threading.local()


@contextmanager
def follow_up() -> Iterator[None]:
    """Requests made inside (on this thread) are follow-ups (a secret's version list): when
    a budget's window is full they let the lists' own pages go first.

    A list's pages must follow one another and each one brings more follow-ups, so a page
    that queues behind a thousand version lists holds up the whole scan (and may run its
    list past its deadline); the follow-ups lose nothing by waiting their turn.
    """
    was = getattr(_thread, "follow_up", False)
    _thread.follow_up = True
    try:
        yield
    finally:
        _thread.follow_up = was


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
        self._floor = max(1, int(per_minute * SHRINK_FLOOR))
        self.window_s = window_s
        self._sent: deque[Slot] = deque()  # in the order taken
        self._clock = clock
        self._sleep = sleep
        self._lock = threading.Lock()
        self._pages_waiting = 0  # list pages waiting for a place: follow-ups let them first

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
        page = not getattr(_thread, "follow_up", False)
        queued = False
        try:
            while True:
                with self._lock:
                    now = self._clock()
                    sent = self._sent
                    while sent and not sent[0].open and now - sent[0].at >= self.window_s:
                        sent.popleft()
                    if len(sent) < self.limit and (page or not self._pages_waiting):
                        slot = Slot(now)
                        sent.append(slot)
                        return slot, waited
                    if len(sent) < self.limit:
                        delay = OPEN_POLL_S  # a page waits for this place: let it have it
                    else:
                        oldest = sent[0]
                        delay = OPEN_POLL_S if oldest.open else oldest.at + self.window_s - now
                    if page and not queued:
                        self._pages_waiting += 1
                        queued = True
                if max_wait is not None and waited + delay > max_wait:
                    return None
                self._sleep(delay)
                waited += delay
        finally:
            if queued:
                with self._lock:
                    self._pages_waiting -= 1

    def shrink(self) -> int:
        """The quota refused a request (429, or Compute's 403 rateLimitExceeded), which
        drift alone never causes: another reader shares it. Leave it room: a tenth less
        for the rest of the run, never under half the starting budget. The new limit."""
        with self._lock:
            self.limit = max(self._floor, int(self.limit * SHRINK_FACTOR))
            return self.limit

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
                self._budgets[key] = RateBudget(self._rates.get(api, 600))
            return self._budgets[key]
