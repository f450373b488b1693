"""Google credentials, resolved once before a scan of live GCP (never per request).

Without this, a machine with no credentials learns it once per kind and region, each time
in google-auth's words, after a scan that could not have worked. `resolve` finds the
Application Default Credentials and gets a first access token, so that missing, unreadable
or expired credentials end the run at the start with one sentence saying how to log in.
The scan's clients then share the resolved credentials (drift/collectors/clients.py).
"""

from __future__ import annotations

import os
from typing import Any
from urllib.parse import urlsplit

import google.auth
import requests
from google.auth import exceptions as auth_exc
from google.auth.transport.requests import Request

from drift.collectors import reach
from drift.collectors.answers import short

SCOPES = ["https://www.googleapis.com/auth/cloud-platform"]
KEY_ENV = "GOOGLE_APPLICATION_CREDENTIALS"
LOGIN = "gcloud auth application-default login"
# google-auth's token requests otherwise wait up to 120 s each.
TOKEN_TIMEOUT_S = 20.0


class CredentialsError(Exception):
    """No usable credentials; the message is one sentence saying what to do."""


def how_to_log_in() -> str:
    """The ways to give drift credentials, and the demo that needs none."""
    return (
        f"log in with `{LOGIN}`, set {KEY_ENV} to a service account key file, "
        "or try drift without Google Cloud with --emulator"
    )


class _BoundedRequest(Request):  # type: ignore[misc]
    """google-auth's requests transport with a shorter limit on each token request."""

    def __call__(  # type: ignore[override]
        self,
        url: str,
        method: str = "GET",
        body: Any = None,
        headers: Any = None,
        timeout: float | None = None,
        **kwargs: Any,
    ) -> Any:
        limit = TOKEN_TIMEOUT_S if timeout is None else min(timeout, TOKEN_TIMEOUT_S)
        return super().__call__(url, method, body, headers, timeout=limit, **kwargs)


def resolve() -> Any:
    """The Application Default Credentials with a valid token, or CredentialsError."""
    try:
        creds, _ = google.auth.default(scopes=SCOPES)
    except auth_exc.DefaultCredentialsError as err:
        raise CredentialsError(_not_found(err)) from err
    try:
        creds.refresh(_BoundedRequest())
    except auth_exc.GoogleAuthError as err:
        raise CredentialsError(
            "the Application Default Credentials could not get an access token "
            f"({_why(err)}): {how_to_log_in()}"
        ) from err
    return creds


def _why(err: auth_exc.GoogleAuthError) -> str:
    """google-auth's reason, or, when the token server was not reached, why not (its
    transport error is urllib3's text)."""
    cause = err.__cause__
    if isinstance(cause, requests.exceptions.RequestException):
        url = str(cause.request.url) if cause.request is not None else "the token server"
        why = reach.unreachable(cause) or type(cause).__name__
        return f"{_host(url or '')}: {why}"
    return auth_message(err)


def auth_message(err: Exception) -> str:
    """google-auth's own words: RefreshError carries (message, the server's JSON)."""
    first = err.args[0] if err.args and isinstance(err.args[0], str) else str(err)
    return short(first, 160).rstrip(".")


def _host(url: str) -> str:
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}" if parts.netloc else url


def _not_found(err: Exception) -> str:
    path = os.environ.get(KEY_ENV)
    if path:
        return (
            f"{KEY_ENV} names {path!r}, which google-auth could not use "
            f"({auth_message(err)}): {how_to_log_in()}"
        )
    return (
        f"no Google credentials found ({KEY_ENV} is not set, there is no gcloud login and "
        f"no metadata server): {how_to_log_in()}"
    )
