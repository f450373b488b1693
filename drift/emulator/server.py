"""The HTTP side of the emulator: a threaded stdlib server speaking Google REST.

The real Google client libraries (``transport="rest"``) are pointed at it with
``ClientOptions(api_endpoint=base_url)``, so collectors are exercised end to end
(URL building, paging, enum parsing, error mapping) without a cloud account.
Each request runs in its own daemon thread, so ``latency_ms`` overlaps across
concurrent requests exactly as it would against a real backend.
"""

from __future__ import annotations

import base64
import binascii
import re
import sys
import threading
import time
from collections import deque
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, unquote, urlsplit

from drift.emulator.access import route as access_route
from drift.emulator.domainmappings import route as domain_mappings_route
from drift.emulator.errors import api_error, permission_denied
from drift.emulator.faults import (
    TOKEN_KINDS,
    TOKEN_PARAMS,
    Fault,
    FaultInjector,
    QuotaLimiter,
    Wire,
    on_the_wire,
    with_token,
)
from drift.emulator.world import (
    COLLECTIONS,
    COMPUTE_BASE,
    Collection,
    World,
    api_of,
    check_knobs,
    load_world,
    not_found,
)

DEFAULT_PAGE_SIZE = 50
COMPUTE_MAX_RESULTS = 500  # compute's maxResults: 0-500, 0 or absent meaning 500
STATS_PATH = "/_emulator/stats"
LOG_LIMIT = 100_000  # request-log entries kept (oldest dropped first)
DRIP_LIMIT_S = 120.0  # a dripping answer is abandoned after this long

_PROJECT_RE = re.compile(
    r"^/(?:v\d+/projects|compute/v1/projects|apis/domains\.cloudrun\.com/v1/namespaces)"
    r"/(?P<project>[^/:]+)(?:/(?:locations|regions)/(?P<region>[^/:]+))?"
)

Response = tuple[int, dict[str, Any], dict[str, str]]


class _PageTokenError(ValueError):
    pass


def _encode_token(parent: str, offset: int) -> str:
    """Opaque page token, bound to the list it came from (as Google's are)."""
    return base64.urlsafe_b64encode(f"{parent}|{offset}".encode()).decode().rstrip("=")


def _decode_token(token: str, parent: str) -> int:
    try:
        raw = base64.urlsafe_b64decode(token + "=" * (-len(token) % 4)).decode()
        tok_parent, _, offset = raw.rpartition("|")
        value = int(offset)
    except (binascii.Error, UnicodeDecodeError, ValueError) as e:
        raise _PageTokenError(token) from e
    if tok_parent != parent or value < 0:
        raise _PageTokenError(token)
    return value


class _Stats:
    """Thread-safe request counters and log."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self.reset()

    def reset(self) -> None:
        with self._lock:
            self._requests: dict[str, int] = {}
            self._status: dict[str, dict[str, int]] = {}
            self._throttled = 0
            self._log: deque[list[Any]] = deque(maxlen=LOG_LIMIT)

    def record(self, api: str, method: str, path: str, status: int, throttled: bool) -> None:
        with self._lock:
            self._requests[api] = self._requests.get(api, 0) + 1
            per = self._status.setdefault(api, {})
            per[str(status)] = per.get(str(status), 0) + 1
            self._throttled += int(throttled)
            self._log.append([method, path, status])

    def snapshot(self) -> dict[str, Any]:
        with self._lock:
            return {
                "requests": dict(self._requests),
                "status": {api: dict(v) for api, v in self._status.items()},
                "throttled": self._throttled,
                "log": [list(e) for e in self._log],
            }


class _Handler(BaseHTTPRequestHandler):
    """Thin adapter: read the request, ask the Emulator, write JSON."""

    protocol_version = "HTTP/1.1"
    # Headers and body go out in two writes; with Nagle on, the client's delayed ACK
    # adds ~40 ms to every response, which Google's front ends do not.
    disable_nagle_algorithm = True
    server: _Server

    def _serve(self) -> None:
        length = int(self.headers.get("Content-Length") or 0)
        if length:
            self.rfile.read(length)
        if self.headers.get("Transfer-Encoding"):
            self.close_connection = True
        wire = self.server.emulator.wire(self.command, self.path)
        self.send_response(wire.status)
        self.send_header("Content-Type", wire.content_type)
        self.send_header("Content-Length", str(len(wire.payload)))
        for k, v in wire.headers.items():
            self.send_header(k, v)
        self.end_headers()
        if self.command == "HEAD":
            return
        if wire.drip_every is not None:
            self._drip(wire.payload, wire.drip_every)
        elif wire.cut:
            self.close_connection = True
            self.wfile.write(wire.payload[: len(wire.payload) // 2])
        else:
            self.wfile.write(wire.payload)

    def _drip(self, payload: bytes, every: float) -> None:
        """Slow-loris: one byte every `every` s, until done, the client leaves or
        DRIP_LIMIT_S passes (the connection is then closed unfinished)."""
        self.close_connection = True
        self.wfile.flush()
        stop = time.monotonic() + DRIP_LIMIT_S
        for i in range(len(payload)):
            if time.monotonic() > stop:
                return
            time.sleep(every)
            try:
                self.wfile.write(payload[i : i + 1])
                self.wfile.flush()
            except OSError:
                return

    do_GET = do_POST = do_PUT = do_PATCH = do_DELETE = do_HEAD = do_OPTIONS = _serve

    def log_message(self, format: str, *args: Any) -> None:
        """Silence per-request stderr logging; use ``Emulator.stats()`` instead."""


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    request_queue_size = 256

    def __init__(self, addr: tuple[str, int], emulator: Emulator) -> None:
        self.emulator = emulator
        super().__init__(addr, _Handler)


class Emulator:
    """A fake GCP REST endpoint serving one world.

    Knobs left as ``None`` come from the world's ``emulator`` block, else defaults
    (page size 50, no latency, no faults, unlimited quotas).
    """

    def __init__(
        self,
        world: dict[str, Any] | World | str | Path,
        host: str = "127.0.0.1",
        port: int = 0,
        page_size: int | None = None,
        latency_ms: float | None = None,
        faults: list[dict[str, Any]] | None = None,
        quotas: dict[str, int] | None = None,
    ) -> None:
        if isinstance(world, str | Path):
            world = load_world(world)
        self.world = world if isinstance(world, World) else World(world)
        check_knobs(page_size, latency_ms, faults, quotas, "Emulator()")
        cfg = self.world.settings
        self.page_size: int = _pick(page_size, cfg.get("pageSize"), DEFAULT_PAGE_SIZE)
        self.latency_ms: float = _pick(latency_ms, cfg.get("latencyMs"), 0)
        self.faults = FaultInjector(_pick(faults, cfg.get("faults"), []))
        self.quotas = QuotaLimiter(_pick(quotas, cfg.get("quotas"), {}))
        self.host = host
        self.port = port
        self.base_url: str | None = None
        self._stats = _Stats()
        self._server: _Server | None = None
        self._thread: threading.Thread | None = None

    # -- lifecycle ---------------------------------------------------------

    def start(self) -> str:
        """Bind and serve in a background daemon thread; return the base URL."""
        if self._server is not None:
            raise RuntimeError("emulator already started")
        self._server = _Server((self.host, self.port), self)
        self.port = self._server.server_address[1]
        host = f"[{self.host}]" if ":" in self.host else self.host
        self.base_url = f"http://{host}:{self.port}"
        self._thread = threading.Thread(
            target=self._server.serve_forever,
            kwargs={"poll_interval": 0.05},
            name=f"drift-emulator-{self.port}",
            daemon=True,
        )
        self._thread.start()
        return self.base_url

    def stop(self) -> None:
        """Stop serving and release the port (idempotent)."""
        if self._server is None:
            return
        self._server.shutdown()
        self._server.server_close()
        if self._thread is not None:
            self._thread.join(timeout=5)
        self._server = self._thread = None

    def __enter__(self) -> Emulator:
        self.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()

    # -- runtime control -----------------------------------------------------

    def stats(self) -> dict[str, Any]:
        """``{"requests": {api: n}, "status": {api: {"200": n}}, "throttled": n, "log": [...]}``."""
        return self._stats.snapshot()

    def reset_stats(self) -> None:
        self._stats.reset()

    def set_faults(self, faults: list[dict[str, Any]]) -> None:
        """Replace the injected faults at runtime (hit counters restart)."""
        check_knobs(None, None, faults, None, "set_faults()")
        self.faults.set(faults)

    def set_quotas(self, quotas: dict[str, int]) -> None:
        """Replace the quotas at runtime (windows restart)."""
        check_knobs(None, None, None, quotas, "set_quotas()")
        self.quotas.set(quotas)

    # -- request handling ----------------------------------------------------

    def handle(self, method: str, raw_path: str) -> Response:
        """Answer one request: ``(status, json_body, extra_headers)``. Thread-safe.

        Status faults apply; transport faults (``drip``, ``empty``, ...) only change the
        bytes `wire` sends, so they are left out here.
        """
        status, body, headers, _ = self._answer(method, raw_path)
        return status, body, headers

    def wire(self, method: str, raw_path: str) -> Wire:
        """What is sent for one request, transport faults included. Thread-safe."""
        status, body, headers, fault = self._answer(method, raw_path)
        return on_the_wire(fault, status, body, headers)

    def _answer(
        self, method: str, raw_path: str
    ) -> tuple[int, dict[str, Any], dict[str, str], Fault | None]:
        split = urlsplit(raw_path)
        path = unquote(split.path)
        if path == STATS_PATH and method == "GET":
            return 200, self.stats(), {}, None
        if self.latency_ms:
            time.sleep(self.latency_ms / 1000.0)
        api = api_of(path)
        throttled = False
        fault = None
        try:
            status, body, headers, throttled, fault = self._dispatch(method, path, split.query, api)
        except Exception as e:  # pragma: no cover - a bug must still answer like Google
            status, body, headers = 500, self._err(api, 500, f"Internal error: {e}"), {}
        self._stats.record(api, method, raw_path, status, throttled)
        return status, body, headers, fault

    def _err(self, api: str, code: int, message: str, **kw: Any) -> dict[str, Any]:
        return api_error(api, code, message, **kw)

    def _dispatch(
        self, method: str, path: str, query: str, api: str
    ) -> tuple[int, dict[str, Any], dict[str, str], bool, Fault | None]:
        if method != "GET":
            msg = f"Method {method} is not allowed on {path}; the emulator is read-only."
            return 405, self._err(api, 405, msg), {"Allow": "GET"}, False, None

        m = _PROJECT_RE.match(path)
        project_ref = m.group("project") if m else None
        region = m.group("region") if m else None
        project = self.world.project_id(project_ref or "") or project_ref
        verdict = self.quotas.admit(api, project, region)
        if verdict is not None:
            consumer = self.world.project_number(project or "")
            meta = {
                "service": verdict.service,
                "consumer": f"projects/{consumer}",
                "quota_metric": f"{verdict.service}/read_requests",
                "quota_limit": verdict.limit_name.replace(" ", ""),
                "quota_limit_value": str(verdict.limit),
            }
            if verdict.region:
                meta["quota_location"] = verdict.region
            msg = verdict.message(consumer)
            if api == "compute":
                body = self._err(
                    api,
                    403,
                    msg,
                    reason="RATE_LIMIT_EXCEEDED",
                    metadata=meta,
                    legacy_domain="usageLimits",
                    legacy_reason="rateLimitExceeded",
                )
                return 403, body, {}, True, None
            body = self._err(api, 429, msg, reason="RATE_LIMIT_EXCEEDED", metadata=meta)
            return 429, body, {}, True, None

        fault = self.faults.check(path)
        if fault is not None and fault.kind == "status":
            code = int(fault.status or 500)
            msg = fault.message or f"Injected fault: HTTP {code} for {path}"
            body = self._err(api, code, msg, reason=fault.reason, legacy_reason=fault.reason)
            return code, body, {}, code == 429, None

        params = parse_qs(query, keep_blank_values=True)
        asked = ""
        if fault is not None and fault.kind in TOKEN_KINDS:
            # Answer the first page whatever token was sent (a cache ignoring the query).
            sent = [(params.pop(name, None) or [""])[-1] for name in TOKEN_PARAMS]
            asked = next((t for t in sent if t), "")
        status, body = self._route(api, path, params)
        if fault is not None and fault.kind in TOKEN_KINDS and status == 200:
            body = with_token(fault, body, asked)
        return status, body, {}, False, fault

    def _route(
        self, api: str, path: str, params: dict[str, list[str]]
    ) -> tuple[int, dict[str, Any]]:
        for extra_route in (domain_mappings_route, access_route):
            answer = extra_route(self.world, path, params, self.page_size)
            if answer is not None:
                return answer
        for coll in COLLECTIONS:
            lm = coll.list_re.match(path)
            if lm:
                return self._list(coll, lm, path, params)
            gm = coll.get_re.match(path)
            if gm:
                return self._get(coll, gm, path)
        msg = f"The requested URL {path} was not found on this server."
        return 404, self._err(api, 404, msg)

    def _denied(self, coll: Collection, verb: str, resource: str) -> tuple[int, dict[str, Any]]:
        """Unknown project: Google answers 403, indistinguishable from no access."""
        return permission_denied(coll.api, f"{coll.permission}.{verb}", resource)

    def _missing_parent(self, coll: Collection, name: str) -> tuple[int, dict[str, Any]] | None:
        if coll.parent_key is None:
            return None
        parent_coll = next(c for c in COLLECTIONS if c.key == coll.parent_key)
        parent = "/".join(name.split("/")[: len(parent_coll.pattern.split("/")) + 1])
        if self.world.get(parent_coll.key, parent) is None:
            return not_found(parent_coll, parent)
        return None

    def _list(
        self, coll: Collection, m: re.Match[str], path: str, params: dict[str, list[str]]
    ) -> tuple[int, dict[str, Any]]:
        parent = path[len(coll.prefix) :].rsplit("/", 1)[0]
        if self.world.project_id(m.group("project")) is None:
            return self._denied(coll, "list", parent)
        missing = self._missing_parent(coll, parent + "/x")
        if missing:
            return missing
        raw_size = (params.get(coll.page_param) or [""])[-1]
        try:
            size = int(raw_size) if raw_size else 0
        except ValueError:
            msg = f"Invalid value at 'page_size' (TYPE_INT32), \"{raw_size}\""
            if coll.compute:
                msg = f"Invalid value for field 'maxResults': '{raw_size}'."
            return 400, self._err(coll.api, 400, msg, domain=coll.service)
        if size < 0:
            msg = "The page_size must not be negative."
            if coll.compute:
                msg = f"Invalid value for field 'maxResults': '{raw_size}'. Must be >= 0."
            return 400, self._err(coll.api, 400, msg, domain=coll.service)
        if coll.compute and size > COMPUTE_MAX_RESULTS:
            msg = (
                f"Invalid value for field 'maxResults': '{raw_size}'. "
                f"Must be less than or equal to {COMPUTE_MAX_RESULTS}"
            )
            return 400, self._err(coll.api, 400, msg, domain=coll.service)
        size = min(size or self.page_size, self.page_size)
        canonical_parent = self.world.canonical(parent)
        token = (params.get("pageToken") or [""])[-1]
        items = self.world.children(coll.key, parent)
        try:
            offset = _decode_token(token, canonical_parent) if token else 0
        except _PageTokenError:
            offset = -1
        if offset < 0 or offset > len(items):
            msg = f"Invalid page token: {token!r}."
            return 400, self._err(coll.api, 400, msg, domain=coll.service)
        page = items[offset : offset + size]
        body: dict[str, Any] = {}
        if coll.list_kind:  # Compute: {kind, id, items, nextPageToken, selfLink}
            list_path = path[len(coll.prefix) :]
            body.update(kind=coll.list_kind, id=list_path, selfLink=COMPUTE_BASE + list_path)
        if page:
            body[coll.list_field] = page
        if offset + size < len(items):
            body["nextPageToken"] = _encode_token(canonical_parent, offset + size)
        if coll.total_size and items:
            body["totalSize"] = len(items)
        return 200, body

    def _get(self, coll: Collection, m: re.Match[str], path: str) -> tuple[int, dict[str, Any]]:
        name = path[len(coll.prefix) :]
        if self.world.project_id(m.group("project")) is None:
            return self._denied(coll, "get", name)
        missing = self._missing_parent(coll, name)
        if missing:
            return missing
        lookup = coll.resolve(self.world, self.world.canonical(name)) if coll.resolve else name
        obj = self.world.get(coll.key, lookup)
        if obj is None:
            return not_found(coll, name)
        return 200, obj


def _pick(*values: Any) -> Any:
    """First value that is not ``None``."""
    return next(v for v in values if v is not None)


def serve_forever(
    world_path: str | Path | dict[str, Any],
    host: str = "127.0.0.1",
    port: int = 8765,
    **knobs: Any,
) -> None:
    """Serve a world until interrupted (the ``drift emulator`` command).

    Prints the base URL alone on one line to stderr once listening.
    ``knobs`` are ``page_size``, ``latency_ms``, ``faults``, ``quotas``.
    """
    world = world_path if isinstance(world_path, dict) else load_world(world_path)
    emu = Emulator(world, host=host, port=port, **knobs)
    url = emu.start()
    print(url, file=sys.stderr, flush=True)
    try:
        while emu._thread is not None and emu._thread.is_alive():
            emu._thread.join(timeout=0.5)
    except KeyboardInterrupt:
        pass
    finally:
        emu.stop()
