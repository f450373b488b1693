"""Rate budgets and the retry policy, on a fake clock (no sleeping, no server)."""

from __future__ import annotations

import time

import pytest
import requests
from google.api_core import exceptions as gexc

from drift.collectors.budget import Budgets, RateBudget
from drift.collectors.retry import RetryPolicy, call_with_retry, describe_error, is_retryable


class FakeClock:
    def __init__(self) -> None:
        self.now = 0.0

    def __call__(self) -> float:
        return self.now

    def sleep(self, seconds: float) -> None:
        self.now += seconds


def test_no_sixty_second_window_exceeds_the_budget():
    clock = FakeClock()
    budget = RateBudget(10, clock=clock, sleep=clock.sleep)
    sent = []
    for _ in range(35):
        budget.acquire()
        sent.append(clock.now)
    assert sent[:10] == [0.0] * 10  # a small scan goes out at once
    for i, t in enumerate(sent):
        assert sum(1 for u in sent if t <= u < t + 60) <= 10, i
    assert sent[-1] == pytest.approx(180.0)  # and a big one as fast as the window allows


def test_cloud_run_budgets_are_per_region():
    b = Budgets({"run": 5})
    assert b.get("run", "us-central1") is not b.get("run", "europe-west1")
    assert b.get("secretmanager") is b.get("secretmanager", "x")
    assert b.get("run", "us-central1").limit == 5


def _forbidden(reason: str) -> gexc.Forbidden:
    return gexc.Forbidden("denied", errors=[{"reason": reason, "domain": "usageLimits"}])


@pytest.mark.parametrize(
    ("error", "retry"),
    [
        (gexc.TooManyRequests("quota"), True),
        (gexc.ServiceUnavailable("down"), True),
        (gexc.InternalServerError("oops"), True),
        (gexc.BadGateway("proxy"), True),
        (_forbidden("rateLimitExceeded"), True),
        (_forbidden("IAM_PERMISSION_DENIED"), False),
        (gexc.NotFound("gone"), False),
        (gexc.BadRequest("bad"), False),
        (requests.exceptions.ConnectTimeout("slow"), True),
        (requests.exceptions.ConnectionError("reset"), True),
        (ValueError("bug"), False),
    ],
)
def test_what_is_retried(error, retry):
    assert is_retryable(error) is retry


def test_retry_until_success_spends_budget_each_attempt():
    clock = FakeClock()
    budget = RateBudget(100, clock=clock, sleep=clock.sleep)
    calls = []

    def flaky():
        calls.append(clock.now)
        if len(calls) < 4:
            raise gexc.ServiceUnavailable("down")
        return "ok"

    assert call_with_retry(flaky, budget, RetryPolicy(), sleep=clock.sleep) == "ok"
    assert len(calls) == 4 and len(budget._sent) == 4


def test_retry_gives_up_after_the_deadline_and_never_on_403():
    clock = FakeClock()
    budget = RateBudget(1000, clock=clock, sleep=clock.sleep)

    def down():
        raise gexc.ServiceUnavailable("down")

    with pytest.raises(gexc.ServiceUnavailable):
        call_with_retry(down, budget, RetryPolicy(deadline_s=0.0), sleep=clock.sleep)

    attempts = []

    def denied():
        attempts.append(1)
        raise _forbidden("IAM_PERMISSION_DENIED")

    with pytest.raises(gexc.Forbidden):
        call_with_retry(denied, budget, RetryPolicy(), sleep=clock.sleep)
    assert len(attempts) == 1


def test_error_descriptions_keep_googles_status():
    assert describe_error(gexc.Forbidden("no")).startswith("PERMISSION_DENIED: ")
    assert describe_error(gexc.TooManyRequests("q")).startswith("RESOURCE_EXHAUSTED: ")
    assert describe_error(requests.exceptions.ConnectionError("x")).startswith("UNAVAILABLE")


def test_budget_can_refuse_to_wait_longer_than_asked():
    clock = FakeClock()
    budget = RateBudget(1, clock=clock, sleep=clock.sleep)
    assert budget.acquire() == 0.0
    assert budget.acquire(max_wait=10) is None  # the slot frees in 60 s
    assert clock.now == 0.0 and len(budget._sent) == 1  # no wait, no slot taken
    assert budget.acquire(max_wait=60) == pytest.approx(60.0)


def test_time_queued_for_quota_is_not_the_requests_time():
    """A request that waited 60 s for the budget still has its whole deadline to retry."""
    from drift.collectors.retry import Deadline

    clock = FakeClock()
    budget = RateBudget(1, clock=clock, sleep=clock.sleep)
    budget.acquire()  # someone else took the minute's only slot
    calls = []

    def flaky():
        calls.append(clock.now)
        if len(calls) < 2:
            raise gexc.ServiceUnavailable("down")
        return "ok"

    policy = RetryPolicy(deadline_s=30.0, initial_s=0.5)  # shorter than the wait
    assert call_with_retry(flaky, budget, policy, sleep=clock.sleep, clock=clock) == "ok"
    assert calls[0] == pytest.approx(60.0) and len(calls) == 2

    # A list's deadline, once its first page is in, counts queueing too: it gives up
    # instead of waiting past it.
    until = Deadline(5.0, clock)
    until.started = True
    with pytest.raises(Exception, match="no complete answer within 5 s"):
        call_with_retry(lambda: "never", budget, policy, sleep=clock.sleep, until=until,
                        clock=clock)  # fmt: skip


def test_a_request_holds_its_place_until_its_answer_is_in():
    """The server counts a request when it arrives, somewhere between its sending and its
    answer: only counting it until the answer keeps every server-side window within the
    budget, so a budget equal to the quota draws no 429."""
    clock = FakeClock()
    budget = RateBudget(1, clock=clock, sleep=clock.sleep)
    slot, waited = budget.take()
    assert waited == 0.0
    clock.now = 5.0  # a slow answer
    budget.done(slot)
    budget.take()
    assert clock.now == pytest.approx(65.0)  # one window from the answer, not from the send


def test_the_window_waits_for_an_answer_still_in_flight():
    clock = FakeClock()
    budget = RateBudget(1, clock=clock, sleep=None)  # type: ignore[arg-type]
    first, _ = budget.take()

    def sleep(seconds: float) -> None:
        clock.now += seconds
        if clock.now >= 2.0 and first.open:  # the answer arrives at 2 s
            budget.done(first)

    budget._sleep = sleep
    assert budget.in_window() == 1
    budget.take()
    assert clock.now == pytest.approx(62.0, abs=0.1)


def test_every_attempt_gives_its_place_back():
    """call_with_retry closes each attempt's slot, failed or not."""
    clock = FakeClock()
    budget = RateBudget(100, clock=clock, sleep=clock.sleep)
    calls = []

    def flaky():
        calls.append(1)
        if len(calls) < 3:
            raise gexc.ServiceUnavailable("down")
        return "ok"

    assert call_with_retry(flaky, budget, RetryPolicy(), sleep=clock.sleep) == "ok"
    assert len(budget._sent) == 3 and not any(s.open for s in budget._sent)


def test_list_pages_go_before_follow_ups_when_the_window_is_full():
    """A list's next page waiting for a place gets the first one that frees, ahead of
    follow-ups (version lists) that were waiting already: its pages bring more work and
    must follow one another, so it is the one a full budget must not starve."""
    import threading

    from drift.collectors.budget import follow_up

    budget = RateBudget(2, window_s=0.3)
    budget.acquire()
    budget.acquire()  # the window is full for 0.3 s
    order: list[str] = []
    lock = threading.Lock()

    def take(name: str, as_follow_up: bool) -> None:
        if as_follow_up:
            with follow_up():
                budget.acquire()
        else:
            budget.acquire()
        with lock:
            order.append(name)

    waiting = [threading.Thread(target=take, args=(f"v{i}", True)) for i in range(3)]
    for t in waiting:
        t.start()
    time.sleep(0.05)  # the follow-ups queue first
    page = threading.Thread(target=take, args=("page", False))
    page.start()
    for t in [*waiting, page]:
        t.join(5)
    assert order[0] == "page"  # the first place to free went to the list's page
    assert sorted(order[1:]) == ["v0", "v1", "v2"]  # and the follow-ups still all got one


def test_a_quota_refusal_shrinks_the_budget_by_a_tenth_down_to_half():
    """drift alone never draws a 429 (a budget equal to the quota holds), so one means
    another reader shares the quota: the bucket leaves it room for the rest of the run."""
    clock = FakeClock()
    budget = RateBudget(600, clock=clock, sleep=clock.sleep)
    calls = []

    def refused_once():
        calls.append(1)
        if len(calls) == 1:
            raise gexc.TooManyRequests("Quota exceeded for quota metric 'Read requests'")
        return "ok"

    policy = RetryPolicy(deadline_s=30.0, initial_s=0.5)
    assert call_with_retry(refused_once, budget, policy, sleep=clock.sleep, clock=clock) == "ok"
    assert budget.limit == 540
    for _ in range(20):
        budget.shrink()
    assert budget.limit == 300  # never under half of where it started

    compute_403 = gexc.Forbidden("rate", errors=[{"reason": "rateLimitExceeded"}])
    other_403 = gexc.Forbidden("denied", errors=[{"reason": "forbidden"}])
    from drift.collectors.retry import is_quota_refusal

    assert is_quota_refusal(compute_403) and not is_quota_refusal(other_403)
    assert not is_quota_refusal(gexc.ServiceUnavailable("down"))
