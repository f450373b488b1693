"""Delivering one alert to one destination, retried with backoff within a deadline.

Slack goes through slack_sdk's WebhookClient, a plain webhook through httpx (already
installed with drift's dependencies; it gives per-attempt timeouts and one error type
for every transport failure). A connection failure, a timeout, 429 and 5xx are retried
(429's Retry-After honoured) until the deadline; any other answer is final: a 404 or
403 from a webhook will not heal by asking again.
"""

from __future__ import annotations

import random
import time
from collections.abc import Callable
from dataclasses import dataclass

from drift.notify.message import Alert, body_text, slack_text
from drift.notify.targets import Target

DEADLINE_S = 30.0
FIRST_WAIT_S = 0.5
MAX_WAIT_S = 8.0
USER_AGENT = "drift-gcp alerts"


@dataclass(frozen=True)
class Answer:
    """One attempt's outcome: an HTTP status, or None and why there was none."""

    status: int | None
    why: str = ""
    retry_after: float | None = None


class SendError(Exception):
    """The alert was not delivered; the message is one sentence (no URL path or query)."""


def _retry_after(value: str | None) -> float | None:
    try:
        return float(value) if value else None
    except ValueError:
        return None


def _post_webhook(target: Target, alert: Alert, timeout: float) -> Answer:
    import httpx

    try:
        r = httpx.post(
            target.url,
            content=body_text(alert).encode("utf-8"),
            headers={"Content-Type": "application/json; charset=utf-8",
                     "User-Agent": USER_AGENT},
            timeout=timeout,
            follow_redirects=False,
        )  # fmt: skip
    except httpx.HTTPError as err:
        return Answer(None, type(err).__name__)
    return Answer(r.status_code, retry_after=_retry_after(r.headers.get("Retry-After")))


def _post_slack(target: Target, alert: Alert, timeout: float) -> Answer:
    from slack_sdk.webhook import WebhookClient

    client = WebhookClient(target.url, timeout=max(1, int(timeout)), retry_handlers=[])
    try:
        r = client.send(text=slack_text(alert), unfurl_links=False, unfurl_media=False)
    except Exception as err:  # noqa: BLE001  (urllib's errors, timeouts: all one kind here)
        return Answer(None, type(err).__name__)
    after = None
    for k, v in (r.headers or {}).items():
        if k.lower() == "retry-after":
            after = _retry_after(v[0] if isinstance(v, list) else v)
    return Answer(r.status_code, retry_after=after)


POST: dict[str, Callable[[Target, Alert, float], Answer]] = {
    "slack": _post_slack,
    "webhook": _post_webhook,
}


def _retryable(a: Answer) -> bool:
    return a.status is None or a.status == 429 or a.status >= 500


def deliver(target: Target, alert: Alert, deadline_s: float = DEADLINE_S) -> int:
    """Send `alert`; returns the number of attempts, or raises SendError with a sentence."""
    post = POST[target.kind]
    start = time.monotonic()
    wait = FIRST_WAIT_S
    attempts = 0
    while True:
        left = deadline_s - (time.monotonic() - start)
        attempts += 1
        answer = post(target, alert, max(0.5, min(left, 10.0)))
        if answer.status is not None and 200 <= answer.status < 300:
            return attempts
        said = f"HTTP {answer.status}" if answer.status is not None else answer.why
        if not _retryable(answer):
            raise SendError(f"the {target.label} alert was refused: {said}.")
        pause = answer.retry_after if answer.retry_after is not None else wait
        pause = min(pause, MAX_WAIT_S) * random.uniform(0.8, 1.0)
        if time.monotonic() - start + pause >= deadline_s:
            raise SendError(
                f"the {target.label} alert failed: {said} after {attempts} attempt"
                f"{'s' if attempts != 1 else ''} in {time.monotonic() - start:.0f} s."
            )
        time.sleep(pause)
        wait = min(wait * 2, MAX_WAIT_S)
