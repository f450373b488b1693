"""Rate budgets and the retry policy, on a fake clock (no sleeping, no server)."""

from __future__ import annotations

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
