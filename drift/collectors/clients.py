"""Builds the official Google clients on demand (REST transport), one set per worker thread.

With an endpoint override every API is sent to that base URL with anonymous credentials
(how the emulator and tests are reached); otherwise Application Default Credentials.
Clients are never module globals: each scan owns its factory.
"""

from __future__ import annotations

import importlib
import threading
from typing import Any

# api name -> (module, client class) ; imported only when a kind needs it (compute is slow).
CLIENTS: dict[str, tuple[str, str]] = {
    "run.services": ("google.cloud.run_v2", "ServicesClient"),
    "secretmanager": ("google.cloud.secretmanager", "SecretManagerServiceClient"),
    "vpcaccess": ("google.cloud.vpcaccess_v1", "VpcAccessServiceClient"),
}


class ClientFactory:
    """Thread-local cache of clients, so concurrent workers never share a connection pool."""

    def __init__(self, endpoint: str | None = None) -> None:
        self.endpoint = endpoint.rstrip("/") if endpoint else None
        self._local = threading.local()
        self._credentials: Any = None
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
            module_name, class_name = CLIENTS[name]
            cls = getattr(importlib.import_module(module_name), class_name)
            options: dict[str, Any] = {}
            if self.endpoint:
                options["api_endpoint"] = self.endpoint
            cache[name] = cls(credentials=self._creds(), transport="rest", client_options=options)
        return cache[name]
