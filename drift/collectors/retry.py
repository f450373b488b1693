"""Retries the clients' defaults miss: 429, 5xx, timeouts and compute's 403 rateLimitExceeded.

Exponential backoff with full jitter under an overall deadline; every attempt spends a
token of the API's rate budget, so retries cannot break the quota either.
"""

from __future__ import annotations

import random
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import TypeVar

import requests
from google.api_core import exceptions as gexc

from drift.collectors.budget import RateBudget

T = TypeVar("T")

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


def _reasons(err: gexc.GoogleAPICallError) -> set[str]:
    found = {err.reason} if getattr(err, "reason", None) else set()
    for item in getattr(err, "errors", None) or []:
        if isinstance(item, dict) and item.get("reason"):
            found.add(item["reason"])
    return found


def is_retryable(err: BaseException) -> bool:
    if isinstance(err, gexc.TooManyRequests | gexc.DeadlineExceeded | gexc.RetryError):
        return True
    if isinstance(err, gexc.GoogleAPICallError):
        code = err.code or 0
        if isinstance(code, int) and code >= 500:
            return True
        if isinstance(err, gexc.Forbidden) and _reasons(err) & RATE_LIMIT_REASONS:
            return True
        return False
    return isinstance(err, requests.exceptions.Timeout | requests.exceptions.ConnectionError)


def describe_error(err: BaseException) -> str:
    """'PERMISSION_DENIED: ...' from a client exception, keeping Google's status string."""
    if isinstance(err, gexc.GoogleAPICallError):
        status = None
        response = getattr(err, "response", None)
        if response is not None:
            try:
                status = response.json().get("error", {}).get("status")
            except Exception:  # noqa: BLE001 - a non-JSON body just has no status string
                status = None
        code = err.code if isinstance(err.code, int) else None
        status = status or STATUS_NAMES.get(code or 0, f"HTTP {code}")
        return f"{status}: {err.message}"
    if isinstance(err, requests.exceptions.RequestException):
        return f"UNAVAILABLE: {type(err).__name__}: {err}"
    return f"{type(err).__name__}: {err}"


def call_with_retry(
    fn: Callable[[], T],
    budget: RateBudget,
    policy: RetryPolicy,
    on_retry: Callable[[BaseException], None] | None = None,
    sleep: Callable[[float], None] = time.sleep,
) -> T:
    """Call `fn` until it succeeds, a non-retryable error occurs, or the deadline passes."""
    start = time.monotonic()
    backoff = policy.initial_s
    while True:
        budget.acquire()
        try:
            return fn()
        except Exception as err:  # noqa: BLE001 - classified right below, re-raised if final
            if not is_retryable(err):
                raise
            delay = random.uniform(0, backoff)
            if time.monotonic() - start + delay > policy.deadline_s:
                raise
            if on_retry:
                on_retry(err)
            sleep(delay)
            backoff = min(backoff * policy.multiplier, policy.max_backoff_s)
