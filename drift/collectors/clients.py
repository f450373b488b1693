"""Builds the official Google clients on demand (REST transport), one set per worker thread.

With an endpoint override every API is sent to that base URL with anonymous credentials
(how the emulator and tests are reached); otherwise the credentials resolved before the
scan (drift/collectors/credentials.py), or Application Default Credentials.
Clients are never module globals: each scan owns its factory.
"""

from __future__ import annotations

import threading
from typing import Any

from drift.collectors import guard
from drift.collectors.imports import client_class
from drift.kinds.spec import ComputeList, GapicList
from drift.registry import KINDS


def client_name(module: str, client: str) -> str:
    """The key of a client class in CLIENTS ("google.cloud.run_v2.ServicesClient")."""
    return f"{module}.{client}"


def _clients() -> dict[str, tuple[str, str]]:
    """Every client class a kind's source names (drift/kinds/<kind>.py), keyed as
    client_name spells it; imported only when first used."""
    out: dict[str, tuple[str, str]] = {}
    for spec in KINDS.values():
        source = spec.source
        if isinstance(source, GapicList):
            out[client_name(source.module, source.client)] = (source.module, source.client)
        elif isinstance(source, ComputeList):
            for cls in (source.client, source.region_client):
                out[client_name(source.module, cls)] = (source.module, cls)
    return out


# client name -> (module, client class), derived from the registry (compute is slow to
# import, so nothing is imported before a kind needs it).
CLIENTS: dict[str, tuple[str, str]] = _clients()


_TYPES: dict[str, Any] = {}


def client_type(name: str) -> Any:
    """The client class named `name` (client_name), imported on first use with as little
    of its package as possible (drift/collectors/imports.py)."""
    found = _TYPES.get(name)
    if found is None:
        module_name, _, class_name = name.rpartition(".")
        found = _TYPES[name] = client_class(module_name, class_name)
    return found


def scan_clients(kinds: list[str], regions: list[str]) -> list[str]:
    """The client names a scan of `kinds` in `regions` uses (client_name spelling)."""
    names: list[str] = []
    for kind in kinds:
        spec = KINDS.get(kind)
        source = spec.source if spec is not None else None
        if isinstance(source, GapicList):
            names.append(client_name(source.module, source.client))
        elif isinstance(source, ComputeList) and spec is not None:
            scopes = spec.scopes(regions)
            if None in scopes:
                names.append(client_name(source.module, source.client))
            if any(scopes):
                names.append(client_name(source.module, source.region_client))
    return list(dict.fromkeys(names))


class ClientFactory:
    """Thread-local cache of clients, so concurrent workers never share a connection pool."""

    def __init__(self, endpoint: str | None = None, credentials: Any = None) -> None:
        self.endpoint = endpoint.rstrip("/") if endpoint else None
        self._local = threading.local()
        self._credentials: Any = credentials
        self._lock = threading.Lock()

    def _creds(self) -> Any:
        with self._lock:
            if self._credentials is None:
                if self.endpoint:
                    from google.auth.credentials import AnonymousCredentials

                    self._credentials = AnonymousCredentials()
                else:
                    import google.auth

                    self._credentials, _ = google.auth.default(
                        scopes=["https://www.googleapis.com/auth/cloud-platform"]
                    )
            return self._credentials

    def get(self, name: str) -> Any:
        cache = getattr(self._local, "clients", None)
        if cache is None:
            cache = self._local.clients = {}
        if name not in cache:
            # The name is the class's own dotted path (client_name); CLIENTS lists the
            # registry's, but a kind registered later (a test's) is built the same way.
            cls = client_type(name)
            options: dict[str, Any] = {}
            if self.endpoint:
                options["api_endpoint"] = self.endpoint
            client = cls(credentials=self._creds(), transport="rest", client_options=options)
            guard.install(_rest_session(client))
            cache[name] = client
        return cache[name]

    def session(self) -> Any:
        """This thread's requests session for APIs without a GAPIC client (Run Admin v1).

        google-auth's AuthorizedSession attaches (and refreshes) the same credentials the
        clients use; one per thread, since a requests.Session is not shared safely.
        """
        sess = getattr(self._local, "session", None)
        if sess is None:
            from google.auth.transport.requests import AuthorizedSession

            sess = self._local.session = guard.install(AuthorizedSession(self._creds()))
        return sess


def _rest_session(client: Any) -> Any:
    """The requests session a GAPIC client's REST transport sends through.

    The transports keep it in `_session` (an AuthorizedSession) and offer no public way to
    pass one in; tests/test_faults.py fails loudly if a client library update moves it.
    """
    session = getattr(client.transport, "_session", None)
    if session is None or not hasattr(session, "mount"):
        raise RuntimeError(
            f"{type(client).__name__}: no requests session on its REST transport; "
            "drift cannot bound its requests (client library changed?)"
        )
    return session
