"""Whether a host can be reached at all, told apart from a server that answered badly.

A refused connection, a host name that does not resolve and a failed TLS handshake do not
heal within a retry deadline the way a 503 does: a misspelled `--api-endpoint` or an
emulator that is not running would otherwise be retried for minutes in silence. So
`unreachable` names these causes (drift/collectors/retry.py gives up on them after a
quick second try), and `probe` checks an endpoint override with one request before a
scan, so that such a run ends in seconds with one sentence.
"""

from __future__ import annotations

import socket
import ssl
import threading
from collections.abc import Callable, Iterator

import requests

from drift.collectors.signals import block_in_this_thread, run_pending_handlers

REFUSED = "connection refused"
NO_HOST = "the host name does not resolve"
TLS = "the TLS handshake failed"
NO_ANSWER = "no connection within {:.3g} s"

PROBE_TIMEOUT_S = 5.0


def _chain(err: BaseException) -> Iterator[BaseException]:
    """`err` and what it wraps: causes, contexts and urllib3's `reason` (MaxRetryError)."""
    todo: list[BaseException] = [err]
    seen: set[int] = set()
    while todo:
        e = todo.pop()
        if id(e) in seen:
            continue
        seen.add(id(e))
        yield e
        for nxt in (
            e.__cause__,
            e.__context__,
            getattr(e, "reason", None),
            *(a for a in e.args if isinstance(a, BaseException)),
        ):
            if isinstance(nxt, BaseException):
                todo.append(nxt)


def unreachable(err: BaseException) -> str | None:
    """The reason the host could not be reached at all, or None (any other failure).

    Only requests' connection errors qualify; a timeout or a connection that broke after
    it was made may be a passing fault, and is retried as before.
    """
    if not isinstance(err, requests.exceptions.ConnectionError) or isinstance(
        err, requests.exceptions.Timeout
    ):
        return None
    for e in _chain(err):
        if isinstance(e, ConnectionRefusedError):
            return REFUSED
        if isinstance(e, socket.gaierror) or type(e).__name__ == "NameResolutionError":
            return NO_HOST
        if isinstance(e, ssl.SSLError | requests.exceptions.SSLError):
            return TLS
    return None


def probe(base_url: str, timeout_s: float = PROBE_TIMEOUT_S) -> str | None:
    """None when `base_url` answers at all (any HTTP status), else why not, in words.

    One HEAD request of the base URL (no body to send back, so the server is never cut
    off mid-answer); it goes through requests as the scan's clients do, so proxies and CA
    bundles from the environment apply alike. A server that accepts the connection but is
    slow to answer counts as reached: the scan's own deadlines deal with it.
    """
    try:
        requests.head(base_url, timeout=(timeout_s, timeout_s), allow_redirects=False).close()
        return None
    except requests.exceptions.ConnectTimeout:
        return NO_ANSWER.format(timeout_s)
    except requests.exceptions.ReadTimeout:
        return None
    except requests.exceptions.RequestException as err:
        why = unreachable(err)
        if why == TLS:
            reason = tls_reason(err)
            if reason == "WRONG_VERSION_NUMBER":  # what a TLS hello to plain HTTP gets
                reason += ": the server may speak plain http://"
            return f"{TLS} ({reason})"
        return why or f"the connection failed ({type(err).__name__})"


def probe_meanwhile(base_url: str, meanwhile: Callable[[], object]) -> str | None:
    """`probe(base_url)`, with `meanwhile` run in this thread while the answer is awaited
    (the scan's modules load during the round trip instead of after it)."""
    outcome: list[str | None] = []
    failure: list[BaseException] = []

    def run() -> None:
        block_in_this_thread()
        try:
            outcome.append(probe(base_url))
        except BaseException as err:  # noqa: BLE001 - raised again in the caller's thread
            failure.append(err)

    thread = threading.Thread(target=run, name="drift-probe", daemon=True)
    thread.start()
    meanwhile()
    while thread.is_alive():  # in steps: a signal must still reach this (main) thread
        thread.join(0.1)
        run_pending_handlers()
    if failure:
        raise failure[0]
    return outcome[0]


def tls_reason(err: BaseException) -> str:
    """The SSL library's own reason (`WRONG_VERSION_NUMBER`, `CERTIFICATE_VERIFY_FAILED`)."""
    for e in _chain(err):
        if isinstance(e, ssl.SSLError) and getattr(e, "reason", None):
            return str(e.reason)
    return "no reason given"
