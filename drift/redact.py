"""Redaction of secret-looking values: drift never prints what could be a credential.

It sits below the engine (plain functions over values): the model redacts snapshot
files with it, the baseline uses it to write `baseline init`, and every producer of a
finding (compare, checks, lint) words its message with the values `shown` gives.

A redacted value keeps the first 8 hex of its SHA-256, so two runs can still tell
whether it changed without revealing it.

Two sides, one rule set (tests/test_redact.py keeps a table-driven corpus of both):
- credentials: private keys, cloud and SaaS tokens (Google API keys, AWS, GitHub, Slack,
  Stripe), JWTs, URLs with a password, and long high-entropy tokens with no path
  structure;
- configuration: Google resource names (`projects/p/locations/r/services/s`), other
  '/'-separated paths of word-like segments, URLs without userinfo, container image
  references and digests. These are printed and compared literally, even when the env
  var's *name* sounds secret (`AUTH_SERVICE_URL`), because hiding them would hide drift.
"""

from __future__ import annotations

import functools
import hashlib
import re
from typing import Any
from urllib.parse import urlsplit

SECRET_NAME = re.compile(r"KEY|TOKEN|SECRET|PASSWORD|PASSWD|CREDENTIAL|PRIVATE|AUTH", re.IGNORECASE)
# Words of a name that say the value is a digest of something, not a secret (GIT_COMMIT_SHA,
# ETAG). Whole words only: SHARED_SECRET is not a SHA.
_DIGEST_WORDS = frozenset(
    "SHA SHA1 SHA256 DIGEST COMMIT REVISION REV HASH CHECKSUM ETAG BUILD GIT".split()
)
_CREDENTIAL_PATTERNS = [
    re.compile(r"-----BEGIN [A-Z ]*PRIVATE KEY-----"),
    re.compile(r"\bAKIA[0-9A-Z]{16}\b"),  # AWS access key id
    re.compile(r"\bAIza[0-9A-Za-z_\-]{35}\b"),  # Google API key
    re.compile(r"\b(ghp|gho|ghu|ghs|ghr|github_pat)_[0-9A-Za-z_]{20,}"),
    re.compile(r"\bxox[abposr]-[0-9A-Za-z-]{10,}"),  # Slack
    re.compile(r"\bsk_(live|test)_[0-9A-Za-z]{16,}"),  # Stripe
    re.compile(r"\beyJ[0-9A-Za-z_-]{8,}\.[0-9A-Za-z_-]{8,}\.[0-9A-Za-z_-]{8,}"),  # JWT
    re.compile(r"://[^/\s:@]*:[^/\s@]+@"),  # URL with an embedded password (user optional)
    re.compile(r"\bhooks\.slack\.com/(services|workflows|triggers)/\S+"),  # Slack webhook
    re.compile(r"\bdiscord(app)?\.com/api/webhooks/\S+"),
    # a credential in a query string: ?access_token=..., &api_key=..., &sig=...
    re.compile(
        r"[?&#](access_token|id_token|refresh_token|token|api_?key|apikey|key|secret|"
        r"client_secret|password|passwd|pwd|sig|signature|auth)=[^&#\s]{8,}",
        re.IGNORECASE,
    ),
]
_HIGH_ENTROPY = re.compile(r"^[A-Za-z0-9+/=_\-]{32,}$")
_HEX_DIGEST = re.compile(r"^[0-9a-f]{7,64}$")

# A path segment that reads as a word, an id or a number, never as random base64:
# lower-case words with separators (us-central1, orders-events-v2, db_password), camelCase
# whose humps are words (ejectRequest, keyRings), a capitalised word, or digits. A random
# 10-character base64 segment passes with a probability of about (36/64)^10 < 0.4%, and
# every segment must.
_WORDY_SEGMENT = re.compile(r"^(?:[A-Za-z]?[a-z0-9._~-]*|[a-z][a-z0-9]*(?:[A-Z][a-z]{2,}[0-9]*)+)$")
# A Google resource name, optionally as a full resource name (//run.googleapis.com/...).
_RESOURCE_NAME = re.compile(
    r"^(?://[a-z0-9.-]+\.googleapis\.com/)?"
    r"(?:projects|organizations|folders|billingAccounts|locations)/[^/\s]+(?:/[^/\s]+)*$"
)
# registry/path[:tag][@sha256:hex], e.g. us-docker.pkg.dev/p/repo/api@sha256:<64 hex>.
_IMAGE_REF = re.compile(
    r"^[a-z0-9.-]+(?::\d+)?(?:/[a-z0-9._-]+)+(?::[A-Za-z0-9._-]{1,128})?"
    r"(?:@sha256:[0-9a-f]{64})?$"
)
# A Cloud SQL instance connection name: [domain:]project:region:instance.
_SQL_CONNECTION = re.compile(r"^(?:[a-z0-9.-]+:)?[a-z][a-z0-9-]{4,29}:[a-z]+-[a-z]+\d+:[a-z0-9-]+$")
_PREFIXED_DIGEST = re.compile(r"^(?:sha256|sha512|sha1|md5):[0-9a-f]{32,128}$")


def _random_looking(segment: str) -> bool:
    """A long segment mixing upper case, lower case and digits reads as a token."""
    return (
        len(segment) >= 16
        and any(c.isupper() for c in segment)
        and any(c.islower() for c in segment)
        and any(c.isdigit() for c in segment)
    )


def _is_path(value: str) -> bool:
    """'/'-separated segments that all read as words: a path, not a token."""
    if "/" not in value or any(c.isspace() for c in value):
        return False
    segments = [s for s in value.strip("/").split("/")]
    return bool(segments) and all(s and _WORDY_SEGMENT.match(s) for s in segments)


def _is_resource_name(value: str) -> bool:
    """A Google resource name whose ids read as ids, not as a token appended to a path."""
    if not _RESOURCE_NAME.match(value):
        return False
    return not any(_random_looking(s) for s in value.split("/"))


def _is_plain_url(value: str) -> bool:
    """A URL with a scheme and a host, and no userinfo (user:password@)."""
    if "://" not in value or any(c.isspace() for c in value):
        return False
    try:
        parts = urlsplit(value)
    except ValueError:
        return False
    return bool(parts.scheme and parts.netloc) and "@" not in parts.netloc


# is_sensitive asks about one value up to five times (credential, configuration, and again
# inside each other); a report and the lint ask again. Both depend only on the value.
@functools.lru_cache(maxsize=16384)
def looks_like_configuration(value: str) -> bool:
    """Resource names, paths, URLs without userinfo, image references, digests and Cloud
    SQL connection names."""
    text = value.strip()
    if not text:
        return False
    if any(p.search(text) for p in _CREDENTIAL_PATTERNS):
        return False  # a token inside a URL or path is still a token
    return bool(
        _is_resource_name(text)
        or _PREFIXED_DIGEST.match(text)
        or _SQL_CONNECTION.match(text)
        or _IMAGE_REF.match(text)
        or _is_plain_url(text)
        or _is_path(text)
    )


@functools.lru_cache(maxsize=16384)
def looks_like_credential(value: str) -> bool:
    """True for a value that has the shape of a credential (see the module docstring)."""
    if any(p.search(value) for p in _CREDENTIAL_PATTERNS):
        return True
    if looks_like_configuration(value):
        return False
    # A long unbroken token mixing letters and digits reads as a key, not configuration.
    if _HIGH_ENTROPY.match(value) and re.search(r"\d", value) and re.search(r"[A-Za-z]", value):
        return True
    return False


def is_secret_name(name: str) -> bool:
    return bool(SECRET_NAME.search(name))


def _is_digest_name(name: str) -> bool:
    """GIT_COMMIT_SHA, IMAGE_DIGEST, ETAG: a digest word and no secret word."""
    words = {w for w in re.split(r"[^A-Za-z0-9]+", name.upper()) if w}
    return bool(words & _DIGEST_WORDS) and not is_secret_name(name)


def is_sensitive(name: str, value: str) -> bool:
    """Should the plain env value `value` of variable `name` be kept out of every output?

    Its shape decides first (a credential always is; configuration never is); a bare hex
    string is a digest when the name says so in a whole word and has no secret-sounding
    word (GIT_COMMIT_SHA, not SHARED_SECRET); otherwise a secret-sounding
    name (DB_PASSWORD) is enough.
    """
    if looks_like_credential(value):
        return not (_HEX_DIGEST.match(value) and _is_digest_name(name))
    if looks_like_configuration(value):
        return False
    return is_secret_name(name)


def mask(value: str) -> str:
    digest = hashlib.sha256(value.encode("utf-8")).hexdigest()[:8]
    return f"<redacted sha256:{digest}>"


_MASK = re.compile(r"^<redacted sha256:[0-9a-f]{8}>$")


def is_mask(value: Any) -> bool:
    return isinstance(value, str) and bool(_MASK.match(value))


_FULL_DIGEST = re.compile(r"^sha256:([0-9a-f]{64})$")
_FINGERPRINT = re.compile(r"^sha256:([0-9a-f]{8})\.\.\.$")


def fingerprint(value: Any) -> Any:
    """'sha256:<64 hex>' -> 'sha256:<first 8 hex>...'; anything else is returned unchanged.

    A full digest of a guessable secret lets anyone confirm a guess offline, so reports,
    messages and snapshot files only ever show this short form.
    """
    if isinstance(value, str):
        m = _FULL_DIGEST.match(value)
        if m:
            return f"sha256:{m.group(1)[:8]}..."
    return value


def is_fingerprint(value: Any) -> bool:
    """A short digest as snapshots keep it: 'sha256:<8 hex>...'."""
    return isinstance(value, str) and bool(_FINGERPRINT.match(value))


def digests_equal(declared: Any, live: Any) -> bool:
    """A declared full digest equals a live one, or the fingerprint a snapshot kept of it."""
    if declared == live:
        return True
    d, f = _FULL_DIGEST.match(str(declared)), _FINGERPRINT.match(str(live))
    return bool(d and f and d.group(1).startswith(f.group(1)))


def redact_env_value(name: str, value: Any) -> Any:
    """Redact a plain env value (str) when it is sensitive; refs stay as they are."""
    if is_mask(value):
        return value  # already a digest (e.g. read back from a snapshot)
    if isinstance(value, str) and is_sensitive(name, value):
        return mask(value)
    return value


def redact_text(text: str, secrets: list[str]) -> str:
    """Replace every known secret value inside free text (error messages, log lines)."""
    for s in sorted(set(secrets), key=len, reverse=True):
        if s:
            text = text.replace(s, mask(s))
    return text


def redacted(field: str | None, value: Any) -> Any:
    """Redact env values (and env mappings) in a finding's expected/actual."""
    if field is None or not field.startswith("env"):
        if isinstance(value, dict) and isinstance(value.get("env"), dict):
            return {**value, "env": {k: redact_env_value(k, v) for k, v in value["env"].items()}}
        return value
    parts = field.split("/", 1)
    if len(parts) == 2:
        return redact_env_value(parts[1], value)
    if isinstance(value, dict):
        return {k: redact_env_value(k, v) for k, v in value.items()}
    return value


def shown(kind: str, field: str | None, value: Any) -> Any:
    """What a report may show of one side of a finding: env values redacted, and a secret
    digest only as its short fingerprint (sha256:1a2b3c4d...)."""
    if field == "sha256":
        return fingerprint(value)
    if field is None and isinstance(value, dict) and "sha256" in value:
        return {k: fingerprint(v) if k == "sha256" else v for k, v in value.items()}
    return redacted(field, value)
