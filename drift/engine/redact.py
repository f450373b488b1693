"""Redaction of secret-looking values: drift never prints what could be a credential.

A redacted value keeps the first 8 hex of its SHA-256, so two runs can still tell
whether it changed without revealing it.
"""

from __future__ import annotations

import hashlib
import re
from typing import Any

SECRET_NAME = re.compile(r"KEY|TOKEN|SECRET|PASSWORD|PASSWD|CREDENTIAL|PRIVATE|AUTH", re.IGNORECASE)
_CREDENTIAL_PATTERNS = [
    re.compile(r"-----BEGIN [A-Z ]*PRIVATE KEY-----"),
    re.compile(r"\bAKIA[0-9A-Z]{16}\b"),  # AWS access key id
    re.compile(r"\bAIza[0-9A-Za-z_\-]{35}\b"),  # Google API key
    re.compile(r"\b(ghp|gho|ghu|ghs|ghr|github_pat)_[0-9A-Za-z_]{20,}"),
    re.compile(r"\bxox[abposr]-[0-9A-Za-z-]{10,}"),  # Slack
    re.compile(r"\bsk_(live|test)_[0-9A-Za-z]{16,}"),  # Stripe
    re.compile(r"\beyJ[0-9A-Za-z_-]{8,}\.[0-9A-Za-z_-]{8,}\.[0-9A-Za-z_-]{8,}"),  # JWT
    re.compile(r"://[^/\s:@]+:[^/\s@]+@"),  # URL with an embedded password
]
_HIGH_ENTROPY = re.compile(r"^[A-Za-z0-9+/=_\-]{32,}$")


def looks_like_credential(value: str) -> bool:
    if any(p.search(value) for p in _CREDENTIAL_PATTERNS):
        return True
    # A long unbroken token mixing letters and digits reads as a key, not configuration.
    if _HIGH_ENTROPY.match(value) and re.search(r"\d", value) and re.search(r"[A-Za-z]", value):
        return True
    return False


def is_secret_name(name: str) -> bool:
    return bool(SECRET_NAME.search(name))


def mask(value: str) -> str:
    digest = hashlib.sha256(value.encode("utf-8")).hexdigest()[:8]
    return f"<redacted sha256:{digest}>"


_MASK = re.compile(r"^<redacted sha256:[0-9a-f]{8}>$")


def is_mask(value: Any) -> bool:
    return isinstance(value, str) and bool(_MASK.match(value))


def redact_env_value(name: str, value: Any) -> Any:
    """Redact a plain env value (str) when its name or shape looks secret; refs stay as they are."""
    if is_mask(value):
        return value  # already a digest (e.g. read back from a snapshot)
    if isinstance(value, str) and (is_secret_name(name) or looks_like_credential(value)):
        return mask(value)
    return value


def redact_text(text: str, secrets: list[str]) -> str:
    """Replace every known secret value inside free text (error messages, log lines)."""
    for s in sorted(set(secrets), key=len, reverse=True):
        if s:
            text = text.replace(s, mask(s))
    return text
