"""A small fake of the Cloud Storage JSON API on loopback, for the real google-cloud-storage
client (STORAGE_EMULATOR_HOST): object metadata, media download, multipart and simple
upload, with generations and the `ifGenerationMatch` precondition (412 when it fails).

`faults` lets a test make requests fail: (method, name regex, status, times).
Buckets exist when named in `buckets`; others answer 404 as GCS does. A fault with
`apply` set does the write and then answers with the error (an answer lost on the way).
"""

from __future__ import annotations

import email.parser
import email.policy
import json
import re
import threading
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, unquote, urlsplit

PRECONDITION = "At least one of the pre-conditions you specified did not hold."


@dataclass
class GcsFault:
    method: str
    name: re.Pattern[str]
    status: int
    times: int | None = 1
    apply: bool = False


@dataclass
class FakeGcs:
    buckets: set[str]
    objects: dict[tuple[str, str], tuple[bytes, int]] = field(default_factory=dict)
    faults: list[GcsFault] = field(default_factory=list)
    # (method, object name, ifGenerationMatch or None) of every request
    requests: list[tuple[str, str, str | None]] = field(default_factory=list)
    _generation: int = 1000
    _lock: threading.Lock = field(default_factory=threading.Lock)
    _server: ThreadingHTTPServer | None = None

    def start(self) -> str:
        fake = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args: Any) -> None:
                pass

            def do_GET(self) -> None:
                fake._handle(self, "GET")

            def do_POST(self) -> None:
                fake._handle(self, "POST")

        self._server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        threading.Thread(target=self._server.serve_forever, daemon=True).start()
        return f"http://127.0.0.1:{self._server.server_address[1]}"

    def stop(self) -> None:
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()

    def __enter__(self) -> FakeGcs:
        self.base_url = self.start()
        return self

    def __exit__(self, *exc: Any) -> None:
        self.stop()

    def text(self, bucket: str, name: str) -> str | None:
        with self._lock:
            got = self.objects.get((bucket, name))
        return got[0].decode("utf-8") if got else None

    def names(self, bucket: str) -> list[str]:
        with self._lock:
            return sorted(n for b, n in self.objects if b == bucket)

    # -- the API ----------------------------------------------------------------------

    def _handle(self, h: BaseHTTPRequestHandler, method: str) -> None:
        url = urlsplit(h.path)
        query = {k: v[-1] for k, v in parse_qs(url.query).items()}
        body = h.rfile.read(int(h.headers.get("Content-Length") or 0)) if method == "POST" else b""
        m = re.match(r"^(?:/download|/upload)?/storage/v1/b/([^/]+)/o(?:/(.+))?$", url.path)
        if not m:
            return _json(h, 404, _error(404, f"no route {url.path}"))
        bucket, name = m.group(1), unquote(m.group(2) or "")
        if method == "POST":
            meta, data = _upload(h.headers.get("Content-Type", ""), body, query)
            name = meta.get("name") or query.get("name", "")
        with self._lock:
            self.requests.append((method, name, query.get("ifGenerationMatch")))
            fault = self._fault(method, name)
        if fault and fault.apply and method == "POST":
            self._write(None, bucket, name, data, query)  # done, then the answer is lost
        if fault:
            return _json(h, fault.status, _error(fault.status, "injected fault"))
        if bucket not in self.buckets:
            return _json(h, 404, _error(404, "The specified bucket does not exist."))
        if method == "POST":
            return self._write(h, bucket, name, data, query)
        if not name:  # a list of objects (one page: tests hold a handful)
            prefix = query.get("prefix", "")
            with self._lock:
                items = [_resource(b, n, d, g) for (b, n), (d, g) in sorted(self.objects.items())
                         if b == bucket and n.startswith(prefix)]  # fmt: skip
            return _json(h, 200, {"kind": "storage#objects", "items": items})
        with self._lock:
            got = self.objects.get((bucket, name))
        if got is None:
            return _json(h, 404, _error(404, f"No such object: {bucket}/{name}"))
        data, generation = got
        if not _precondition(query, generation):
            return _json(h, 412, _error(412, PRECONDITION))
        if "generation" in query and int(query["generation"]) != generation:
            return _json(h, 404, _error(404, "No such object generation"))
        if query.get("alt") == "media":
            h.send_response(200)
            h.send_header("Content-Type", "application/json")
            h.send_header("Content-Length", str(len(data)))
            h.send_header("x-goog-generation", str(generation))
            h.end_headers()
            h.wfile.write(data)
            return None
        return _json(h, 200, _resource(bucket, name, data, generation))

    def _write(self, h: Any, bucket: str, name: str, data: bytes, query: dict[str, str]) -> None:
        """Store the object if the precondition holds; answer on `h` unless it is None."""
        with self._lock:
            got = self.objects.get((bucket, name))
            current = got[1] if got else 0
            if not _precondition(query, current):
                return _json(h, 412, _error(412, PRECONDITION)) if h else None
            self._generation += 1
            self.objects[(bucket, name)] = (data, self._generation)
            resource = _resource(bucket, name, data, self._generation)
        return _json(h, 200, resource) if h else None

    def _fault(self, method: str, name: str) -> GcsFault | None:
        for f in self.faults:
            if f.method == method and f.name.search(name) and (f.times is None or f.times > 0):
                if f.times is not None:
                    f.times -= 1
                return f
        return None


def _precondition(query: dict[str, str], generation: int) -> bool:
    want = query.get("ifGenerationMatch")
    return want is None or int(want) == generation


def _upload(content_type: str, body: bytes, query: dict[str, str]) -> tuple[dict[str, Any], bytes]:
    if query.get("uploadType") != "multipart":
        return {}, body
    msg = email.parser.BytesParser(policy=email.policy.HTTP).parsebytes(
        b"Content-Type: " + content_type.encode() + b"\r\n\r\n" + body
    )
    parts = list(msg.iter_parts())  # type: ignore[attr-defined]
    meta = json.loads(parts[0].get_payload(decode=True))
    return meta, parts[1].get_payload(decode=True)


def _resource(bucket: str, name: str, data: bytes, generation: int) -> dict[str, Any]:
    return {
        "kind": "storage#object",
        "id": f"{bucket}/{name}/{generation}",
        "bucket": bucket,
        "name": name,
        "generation": str(generation),
        "metageneration": "1",
        "size": str(len(data)),
        "contentType": "application/json",
    }


def _error(code: int, message: str) -> dict[str, Any]:
    return {"error": {"code": code, "message": message, "errors": [{"message": message}]}}


def _json(h: Any, status: int, payload: dict[str, Any]) -> None:
    raw = json.dumps(payload).encode()
    h.send_response(status)
    h.send_header("Content-Type", "application/json; charset=UTF-8")
    h.send_header("Content-Length", str(len(raw)))
    h.end_headers()
    h.wfile.write(raw)
