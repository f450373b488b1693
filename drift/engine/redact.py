"""Moved to drift/redact.py, below the engine (the model and the baseline use it too);
this module keeps the old import path working for scripts."""

from drift.redact import (  # noqa: F401 - re-exported
    SECRET_NAME,
    digests_equal,
    fingerprint,
    is_fingerprint,
    is_mask,
    is_secret_name,
    is_sensitive,
    looks_like_configuration,
    looks_like_credential,
    mask,
    redact_env_value,
    redact_text,
    redacted,
    shown,
)
