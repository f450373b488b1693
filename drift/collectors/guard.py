"""Every HTTP attempt has a total deadline, and every 2xx answer is checked before use.

requests' `timeout` bounds connecting and each gap between received bytes, not the whole
answer: a server (or proxy) that drips one byte every few seconds keeps a read going
forever. So each session drift uses gets a `GuardedAdapter`:

- an attempt runs inside `attempt(limit_s, ...)`: its connect and read timeouts are cut to
  the time left, and a watchdog thread shuts the socket down at the deadline, which ends
  any blocked read at once; the error is then `AttemptTimeout` (a requests Timeout);
- the body is read inside the attempt, and a 2xx answer must be a JSON object (then
  whatever the attempt's `expect` check asks), else `BadResponse` with a sentence.

The GAPIC clients' REST transports and the domain-mapping session are both plain
requests sessions, so one adapter covers every API (see `install`).
"""

from __future__ import annotations

import heapq
import itertools
import json
import socket
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any
from urllib.parse import urlsplit

import requests
from requests.adapters import HTTPAdapter

from drift.collectors import reach
from drift.collectors.answers import BadResponse, check_object, short
from drift.collectors.signals import block_in_this_thread

Check = Callable[[dict[str, Any]], str | None]

_local = threading.local()


class AttemptTimeout(requests.exceptions.Timeout):
    """An attempt's whole answer did not arrive within its limit."""

    def __init__(self, url: str, limit_s: float) -> None:
        self.url = url
        self.limit_s = limit_s
        super().__init__(
            f"GET {url} gave no complete answer within {limit_s:.3g} s "
            "(a stalled connection, or an answer dripping in too slowly)"
        )


class Attempt:
    """One HTTP attempt of this thread: its deadline, its connection, what to expect."""

    def __init__(self, limit_s: float, expect: Check | None, echo: bool = True) -> None:
        self.limit_s = limit_s
        self.echo = echo  # False: never quote the body (it may hold a secret payload)
        self.deadline = time.monotonic() + limit_s
        self.expect = expect
        self.expired = False
        self.done = False
        self.url = ""
        # A list answer's items field to take out of a 2xx answer before the client reads
        # it (`take`), and what was taken (`taken`): drift/collectors/protojson.py.
        self.take: str | None = None
        self.taken: list[Any] | None = None
        self._conn: Any = None
        self._lock = threading.Lock()

    def left(self) -> float:
        return self.deadline - time.monotonic()

    def bind(self, conn: Any) -> None:
        """The connection this attempt's request goes out on (cut at the deadline)."""
        with self._lock:
            self._conn = conn
            cut_now = self.expired
        if cut_now:
            _cut(conn)

    def expire(self) -> None:
        """Called by the watchdog at the deadline: end any blocked read on the socket."""
        with self._lock:
            if self.done:
                return
            self.expired = True
            conn = self._conn
        if conn is not None:
            _cut(conn)

    def finish(self) -> None:
        with self._lock:
            self.done = True
            self._conn = None

    def timed_out(self) -> bool:
        return self.expired or self.left() <= 0


def _cut(conn: Any) -> None:
    sock = getattr(conn, "sock", None)
    if sock is None:
        return
    try:
        # The plain socket's shutdown, also for an SSL socket: it only needs the fd, and
        # SSLSocket.shutdown would unwrap the TLS object under the reading thread.
        socket.socket.shutdown(sock, socket.SHUT_RDWR)
    except OSError:
        pass


class _Watchdog:
    """One daemon thread that expires attempts at their deadlines."""

    def __init__(self) -> None:
        self._heap: list[tuple[float, int, Attempt]] = []
        self._cond = threading.Condition()
        self._seq = itertools.count()
        self._thread: threading.Thread | None = None

    def watch(self, att: Attempt) -> None:
        with self._cond:
            heapq.heappush(self._heap, (att.deadline, next(self._seq), att))
            if self._thread is None:
                self._thread = threading.Thread(
                    target=self._run, name="drift-attempt-watchdog", daemon=True
                )
                self._thread.start()
            self._cond.notify()

    def _run(self) -> None:
        block_in_this_thread()  # signals go to the main thread
        while True:
            with self._cond:
                while not self._heap:
                    self._cond.wait()
                when, _, att = self._heap[0]
                wait = when - time.monotonic()
                if att.done:
                    heapq.heappop(self._heap)
                    continue
                if wait > 0:
                    self._cond.wait(wait)
                    continue
                heapq.heappop(self._heap)
            att.expire()


_WATCHDOG = _Watchdog()


@contextmanager
def attempt(limit_s: float, expect: Check | None = None, echo: bool = True) -> Iterator[Attempt]:
    """Run one HTTP attempt of this thread under a total limit of `limit_s` seconds.

    `expect` checks a 2xx answer's JSON object; `echo=False` keeps the body out of
    messages (secret payloads)."""
    att = Attempt(limit_s, expect, echo)
    previous = getattr(_local, "attempt", None)
    _local.attempt = att
    _WATCHDOG.watch(att)
    try:
        yield att
    finally:
        att.finish()
        _local.attempt = previous


def current() -> Attempt | None:
    """This thread's attempt in progress, if any."""
    return getattr(_local, "attempt", None)


def last_url() -> str:
    """The URL (without query) of this thread's last request: what a message names."""
    return getattr(_local, "last_url", "") or "(no request yet)"


# -- urllib3 hook: learn which connection an attempt uses --------------------------------------

_POOLS: dict[type, type] = {}
_POOLS_LOCK = threading.Lock()


def _guarded_pool(pool_cls: type) -> type:
    """`pool_cls` whose connections tell this thread's attempt that they carry it."""
    with _POOLS_LOCK:
        if pool_cls not in _POOLS:
            base_conn = pool_cls.ConnectionCls  # type: ignore[attr-defined]  # urllib3 pools

            def request(self: Any, *args: Any, **kwargs: Any) -> Any:
                att = current()
                if att is not None:
                    att.bind(self)
                return base_conn.request(self, *args, **kwargs)

            conn_cls = type(f"Guarded{base_conn.__name__}", (base_conn,), {"request": request})
            _POOLS[pool_cls] = type(
                f"Guarded{pool_cls.__name__}", (pool_cls,), {"ConnectionCls": conn_cls}
            )
        return _POOLS[pool_cls]


def _guard_manager(manager: Any) -> Any:
    manager.pool_classes_by_scheme = {
        scheme: _guarded_pool(cls) for scheme, cls in manager.pool_classes_by_scheme.items()
    }
    return manager


def _bounded(timeout: Any, left: float) -> Any:
    """requests' (connect, read) timeouts, each cut to the time the attempt has left."""
    left = max(left, 0.001)
    if isinstance(timeout, tuple):
        connect, read = timeout
    else:
        connect = read = timeout
    return (
        left if connect is None else min(float(connect), left),
        left if read is None else min(float(read), left),
    )


class GuardedAdapter(HTTPAdapter):
    """HTTPAdapter that enforces the attempt's total deadline and checks 2xx answers."""

    def init_poolmanager(self, *args: Any, **kwargs: Any) -> None:
        super().init_poolmanager(*args, **kwargs)
        _guard_manager(self.poolmanager)

    def proxy_manager_for(self, proxy: str, **proxy_kwargs: Any) -> Any:
        fresh = proxy not in self.proxy_manager
        manager = super().proxy_manager_for(proxy, **proxy_kwargs)
        return _guard_manager(manager) if fresh else manager

    def send(  # type: ignore[override]
        self,
        request: requests.PreparedRequest,
        stream: bool = False,
        timeout: Any = None,
        **kwargs: Any,
    ) -> requests.Response:
        att = current()
        url = _local.last_url = _plain_url(request.url or "")
        if att is None:
            response = super().send(request, stream=stream, timeout=timeout, **kwargs)
            return response if stream else _checked(response, url, None, True)
        att.url = url
        try:
            response = super().send(
                request, stream=True, timeout=_bounded(timeout, att.left()), **kwargs
            )
            if not stream:
                _ = response.content  # the whole body, inside the attempt's deadline
        except requests.exceptions.RequestException as err:
            if att.timed_out():
                raise AttemptTimeout(url, att.limit_s) from err
            raise _sentence(err, url) from err
        if stream:
            return response
        return _checked(response, url, att.expect, att.echo, att)


def _sentence(err: requests.exceptions.RequestException, url: str) -> Exception:
    """The same kind of requests error (so retries treat it alike), said as a sentence."""
    text = str(err)
    cause = reach.unreachable(err)
    if cause == reach.REFUSED:
        what = "could not connect (connection refused)"
    elif cause == reach.NO_HOST:
        what = "could not resolve the host name"
    elif isinstance(err, requests.exceptions.ConnectTimeout):
        what = "could not connect in time"
    elif isinstance(err, requests.exceptions.ReadTimeout):
        what = "the server stopped sending (read timeout)"
    elif isinstance(err, requests.exceptions.SSLError):
        what = f"{reach.TLS} ({reach.tls_reason(err)})"
    elif "IncompleteRead" in text or "Connection broken" in text:
        what = "the connection broke before the answer was complete"
    else:
        what = f"the connection failed ({short(text, 120)})"
    try:
        return type(err)(f"GET {url}: {what}", request=err.request, response=err.response)
    except TypeError:  # an exception class with its own constructor: keep it as it is
        return err


def _plain_url(url: str) -> str:
    """The URL without its query (page tokens, `$alt`): what an error message names."""
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}{parts.path}"


def _checked(
    response: requests.Response,
    url: str,
    expect: Check | None,
    echo: bool,
    att: Attempt | None = None,
) -> requests.Response:
    """A 2xx answer must be a JSON object (and pass `expect`); others pass through as they
    are, for the client to turn into its usual exception.

    When the attempt says which list field to `take`, those items are kept on it as
    decoded here, and the client is handed the rest of the answer (page token and the
    like): it then does not parse each item into a protobuf message again."""
    if not 200 <= response.status_code < 300:
        return response
    status = response.status_code
    body = response.content
    ctype = response.headers.get("Content-Type", "")
    if not body.strip():
        raise BadResponse(url, status, "an empty body; a proxy in between?")
    try:
        data = json.loads(body)
    except ValueError as err:
        raise BadResponse(url, status, _not_json(body, ctype, err, echo)) from err
    problem = check_object(data)
    if problem is None and expect is not None:
        problem = expect(data)
    if problem:
        raise BadResponse(url, status, problem)
    if att is not None and att.take is not None:
        att.taken = data.pop(att.take, None) or []
        response._content = json.dumps(data).encode()  # what the client parses
    return response


def _not_json(body: bytes, ctype: str, err: ValueError, echo: bool) -> str:
    text = body.decode("utf-8", "replace")
    if text.lstrip()[:1] in ("{", "["):
        return f"JSON that is cut short or malformed ({short(str(err), 80)})"
    kind = ctype.split(";")[0].strip() or "no content type"
    quoted = f": {short(text, 80)!r}" if echo else ""
    return f"a body that is not JSON ({kind}{quoted}); a proxy in between?"


def install(session: requests.Session) -> requests.Session:
    """Mount the guarded adapter on `session` for http and https; returns the session.

    An adapter that is not requests' plain one (google-auth's mutual-TLS adapter, when
    GOOGLE_API_USE_CLIENT_CERTIFICATE is set) is kept: it carries the client certificate.
    """
    adapter = GuardedAdapter()
    for prefix in ("https://", "http://"):
        if type(session.adapters.get(prefix)) in (HTTPAdapter, type(None)):
            session.mount(prefix, adapter)
    return session
