"""Scan settings, importable without loading any Google library (keeps `drift --help` fast)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any


@dataclass(frozen=True)
class CollectSettings:
    """How a scan reads: frozen, so a caller's settings never change under it (build
    variants with dataclasses.replace)."""

    endpoint: str | None = None  # base URL for every API (emulator/tests); None = live GCP
    concurrency: int = 16  # requests in flight at once, across all APIs (docs/operations.md)
    rate_per_minute: dict[str, int] = field(default_factory=dict)  # api -> budget; over defaults
    deadline_s: float = 120.0  # give up retrying one request after this long
    initial_backoff_s: float = 0.5
    attempt_timeout_s: float = 30.0
    # List the versions of every secret, not only of those a declared field or a live
    # reference needs (`drift baseline init` writes every secret's enabled_versions).
    all_secret_versions: bool = False
    # Read the latest enabled version's payload of secrets that declare `sha256`, keep only
    # its digest. Off by default: without it no access call is ever made.
    read_secret_digests: bool = False
    # Credentials resolved before the scan (drift/collectors/credentials.py); None: the
    # clients find the Application Default Credentials themselves (or anonymous, with an
    # endpoint).
    credentials: Any = None
