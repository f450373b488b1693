"""Retries the clients' defaults miss: 429, 5xx, timeouts and compute's 403 rateLimitExceeded.

Exponential backoff with full jitter under an overall deadline; every attempt spends a
token of the API's rate budget, so retries cannot break the quota either. The deadline
bounds the whole request, the answer in flight included: each attempt runs under
drift.collectors.guard with a total limit (never past the deadline, never less than
MIN_ATTEMPT_S), so a stalled or dripping answer cannot outlive it. A host that cannot be
reached at all (refused, no such host, TLS handshake failed: drift/collectors/reach.py)
gets one quick second try only.
"""

from __future__ import annotations

import random
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import TypeVar

import requests
from google.api_core import exceptions as gexc
from google.auth import exceptions as auth_exc
from google.protobuf import json_format

from drift.collectors import guard, reach
from drift.collectors.answers import BadResponse, api_name, short
from drift.collectors.budget import RateBudget
from drift.collectors.credentials import auth_message, how_to_log_in

T = TypeVar("T")

# An attempt always gets at least this long, even when the deadline is (nearly) used up:
# `--retry-deadline 0` means "no retries", not "no time to answer".
MIN_ATTEMPT_S = 1.0
# A host that refuses connections, does not resolve or fails the TLS handshake gets one
# quick second try (a server restarting), not the whole deadline: these do not heal in
# minutes, and a mistyped endpoint must not be retried for minutes in silence.
UNREACHABLE_TRIES = 2

RATE_LIMIT_REASONS = {"rateLimitExceeded", "userRateLimitExceeded", "RATE_LIMIT_EXCEEDED"}
STATUS_NAMES = {
    400: "INVALID_ARGUMENT",
    401: "UNAUTHENTICATED",
    403: "PERMISSION_DENIED",
    404: "NOT_FOUND",
    409: "ABORTED",
    429: "RESOURCE_EXHAUSTED",
    500: "INTERNAL",
    501: "NOT_IMPLEMENTED",
    502: "UNAVAILABLE",
    503: "UNAVAILABLE",
    504: "DEADLINE_EXCEEDED",
}


@dataclass(frozen=True)
class RetryPolicy:
    initial_s: float = 0.5
    multiplier: float = 2.0
    max_backoff_s: float = 16.0
    deadline_s: float = 120.0
    attempt_timeout_s: float = 30.0


class Deadline:
    """A point in time that time spent waiting for the rate budget pushes back, until
    `started` is set.

    Waiting for quota is not the server being slow: a big scan queued behind the budget
    must not time out before its request is even sent. A list's deadline starts once its
    first page is in; from then on, waiting counts, so a list that never ends, ends.
    """

    def __init__(self, seconds: float, clock: Callable[[], float] = time.monotonic) -> None:
        self._clock = clock
        self.seconds = seconds
        self.end = clock() + seconds
        self.started = False

    def extend(self, seconds: float) -> None:
        if not self.started:
            self.end += seconds

    def left(self) -> float:
        return self.end - self._clock()

    def overrun(self) -> Exception:
        """The error when the time is up before the work is done."""
        return BadResponse(
            guard.last_url(),
            None,
            f"no complete answer within {self.seconds:.3g} s (--retry-deadline)",
            retryable=False,
            word="DEADLINE_EXCEEDED",
        )


def _reasons(err: gexc.GoogleAPICallError) -> set[str]:
    found = {err.reason} if getattr(err, "reason", None) else set()
    for item in getattr(err, "errors", None) or []:
        if isinstance(item, dict) and item.get("reason"):
            found.add(item["reason"])
    return found


def retry_reason(err: BaseException) -> str:
    """What is being retried, in a word or two: `503`, `429`, `timeout`, ..."""
    if isinstance(err, BadResponse):
        return f"{err.status}, not an answer" if err.status else err.word
    if isinstance(err, gexc.GoogleAPICallError) and isinstance(err.code, int):
        return str(err.code)
    if isinstance(err, requests.exceptions.Timeout):
        return "timeout"
    if isinstance(err, requests.exceptions.ConnectionError):
        return reach.unreachable(err) or "connection failed"
    return type(err).__name__


def is_quota_refusal(err: BaseException) -> bool:
    """A read quota said no: 429, or Compute's 403 with reason rateLimitExceeded."""
    if isinstance(err, BadResponse):
        return err.status == 429
    if isinstance(err, gexc.TooManyRequests):
        return True
    return isinstance(err, gexc.Forbidden) and bool(_reasons(err) & RATE_LIMIT_REASONS)


def is_retryable(err: BaseException) -> bool:
    if isinstance(err, BadResponse):
        return err.retryable
    if is_quota_refusal(err) or isinstance(err, gexc.DeadlineExceeded | gexc.RetryError):
        return True
    if isinstance(err, gexc.GoogleAPICallError):
        code = err.code or 0
        return isinstance(code, int) and code >= 500
    return isinstance(err, requests.exceptions.Timeout | requests.exceptions.ConnectionError)


def describe_error(err: BaseException, api: str | None = None) -> str:
    """One sentence: Google's status string, the API, what went wrong (server text cut short).

    e.g. "PERMISSION_DENIED: Serverless VPC Access API: GET .../connectors: Permission
    'vpcaccess.connectors.list' denied ..." or "UNAVAILABLE: Compute Engine API: GET
    .../healthChecks answered 200 with an empty body; a proxy in between?".
    """
    who = f"{api_name(api)}: " if api else ""
    if isinstance(err, auth_exc.GoogleAuthError):
        # The credentials, not the API, are the cause: said alike for every API, so the
        # report can say it once (drift/report/causes.py).
        what = (
            "no Google credentials found"
            if isinstance(err, auth_exc.DefaultCredentialsError)
            else "the credentials could not get an access token"
        )
        return f"UNAUTHENTICATED: {what} ({auth_message(err)}): {how_to_log_in()}"
    if isinstance(err, BadResponse):
        return f"{err.word}: {who}{err.sentence()}"
    if isinstance(err, guard.AttemptTimeout):
        return f"DEADLINE_EXCEEDED: {who}{err}"
    if isinstance(err, gexc.GoogleAPICallError):
        status = None
        response = getattr(err, "response", None)
        if response is not None:
            try:
                status = response.json().get("error", {}).get("status")
            except Exception:  # noqa: BLE001 - a non-JSON body just has no status string
                status = None
        code = err.code if isinstance(err.code, int) else None
        status = status if isinstance(status, str) and status.isidentifier() else None
        status = status or STATUS_NAMES.get(code or 0, f"HTTP {code}")
        return f"{status}: {who}{short(_without_query(str(err.message)))}"
    if isinstance(err, requests.exceptions.Timeout):
        return f"DEADLINE_EXCEEDED: {who}{short(str(err))}"
    if isinstance(err, requests.exceptions.RequestException):
        text = str(err)
        if not text.startswith("GET "):  # not said by the guard: name the exception
            text = f"{type(err).__name__}: {text}"
        return f"UNAVAILABLE: {who}{short(text)}"
    if isinstance(err, ValueError) and str(err).startswith("Invalid request"):
        # GAPIC refuses a request that does not fit the method's URL template.
        return (
            f"INVALID_ARGUMENT: {who}the client could not build the request from the "
            f"project and region given ({short(str(err), 120)})"
        )
    return f"INTERNAL: {who}{type(err).__name__}: {short(str(err))}"


def _without_query(message: str) -> str:
    """GAPIC messages start "GET <url>?<query>: ..."; the query (page tokens) is noise."""
    head, sep, rest = message.partition(": ")
    if sep and head.startswith(("GET ", "POST ")) and "?" in head:
        return head.split("?", 1)[0] + sep + rest
    return message


def _as_bad_response(err: Exception, att: guard.Attempt) -> Exception:
    """The client library's JSON error on a body the guard let through, as a sentence."""
    if isinstance(err, json_format.ParseError):
        why = f" ({short(str(err), 120)})" if att.echo else ""
        problem = f"JSON the client library could not read{why}"
        return BadResponse(att.url or "(unknown URL)", 200, problem)
    return err


def call_with_retry(
    fn: Callable[[], T],
    budget: RateBudget,
    policy: RetryPolicy,
    on_retry: Callable[[BaseException], None] | None = None,
    sleep: Callable[[float], None] = time.sleep,
    *,
    until: Deadline | None = None,
    expect: guard.Check | None = None,
    echo: bool = True,
    clock: Callable[[], float] = time.monotonic,
    on_wait: Callable[[BaseException, float], None] | None = None,
) -> T:
    """Call `fn` until it succeeds, a non-retryable error occurs, or the deadline passes.

    The request has `policy.deadline_s` (time queued for quota not counted); `until` is
    a deadline shared with other requests as well (a list's pages). `expect`: the shape
    check for a 2xx answer; `echo=False`: messages never quote the answer (it may carry
    a secret payload). `on_wait(err, seconds_left)` is told before each wait, so the
    user can be (a retry is otherwise silent for up to the whole deadline).
    """
    own = Deadline(policy.deadline_s, clock)
    backoff = policy.initial_s
    unreachable = 0
    while True:
        max_wait = max(until.left(), 0.0) if until is not None and until.started else None
        got = budget.take(max_wait)
        if got is None:  # the shared deadline would pass while queued for quota
            assert until is not None
            raise until.overrun()
        slot, waited = got
        own.extend(waited)
        if until is not None:
            until.extend(waited)
        left = own.left() if until is None else min(own.left(), until.left())
        limit = min(policy.attempt_timeout_s, max(left, MIN_ATTEMPT_S))
        try:
            try:
                with guard.attempt(limit, expect, echo) as att:
                    try:
                        return fn()
                    except Exception as err:  # noqa: BLE001 - re-raised, as a sentence if needed
                        bad = _as_bad_response(err, att)
                        if bad is err:
                            raise
                        raise bad from err
            finally:
                budget.done(slot)  # counted in the window until the answer is in
        except Exception as err:  # noqa: BLE001 - classified right below, re-raised if final
            if not is_retryable(err):
                raise
            if is_quota_refusal(err):
                budget.shrink()  # another reader shares the quota: leave it room
            if reach.unreachable(err):
                unreachable += 1
                if unreachable >= UNREACHABLE_TRIES:
                    raise
            delay = random.uniform(0, backoff)
            left = own.left() if until is None else min(own.left(), until.left())
            if delay > left:
                raise
            if on_retry:
                on_retry(err)
            if on_wait:
                on_wait(err, left)
            sleep(delay)
            backoff = min(backoff * policy.multiplier, policy.max_backoff_s)
