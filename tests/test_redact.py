"""Configuration is not a credential, and a credential is never printed: a table-driven
corpus of both sides (drift.engine.redact)."""

from __future__ import annotations

import pytest

from drift.engine.redact import (
    digests_equal,
    fingerprint,
    is_sensitive,
    looks_like_configuration,
    looks_like_credential,
)

HEX64 = "9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08"

CONFIGURATION = [
    # Google resource names of every shape (digits in ids, regions, versions, camelCase)
    "projects/acme-demo/locations/us-central1/services/ejectRequest",
    "projects/acme-demo/topics/orders-events-v2",
    "projects/123456789012/secrets/db-password",
    "projects/123456789012/secrets/db-password/versions/3",
    "projects/p-1/locations/global/keyRings/kr1/cryptoKeys/key-2024",
    "projects/acme/instances/sql-main-2/databases/app01",
    "//run.googleapis.com/projects/acme-demo/locations/us-central1/services/api",
    "organizations/123456789012/policies/compute.vmExternalIpAccess",
    "acme-demo:us-central1:netra-postgres-staging-01",  # Cloud SQL connection name
    # paths
    "/var/run/secrets/kubernetes.io/serviceaccount/token",
    "gs-bucket-2024/exports/2026-11-30/part-00001.json",
    # URLs without userinfo, with tokens of configuration in them
    "https://api-staging.example.ai/v1/webhooks/12345678901234567890",
    "https://oauth2.googleapis.com/token",
    "redis://10.0.0.3:6379/0",
    # images and digests
    "us-docker.pkg.dev/acme-demo/app/api@sha256:" + HEX64,
    "us-central1-docker.pkg.dev/acme-demo/gcf-artifacts/eject_request:version_12",
    "gcr.io/acme-demo/worker:2026.11.30-1",
    "sha256:" + HEX64,
]

CREDENTIALS = [
    "AIzaSyA1234567890abcdefghijklmnopqrstuv",  # Google API key
    "AKIAABCDEFGHIJKLMNOP",
    "ghp_abcdefghijklmnopqrstuvwxyz0123456789",
    "xoxb-1234567890-abcdefghij",
    "sk_live_0123456789abcdefABCDEF",
    "eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxMjM0NTY3ODkwIn0.dozjgNryP4J3jVmNHl0w5N_XgL0n3I9PlFUP0THsR8U",
    "-----BEGIN PRIVATE KEY-----\nMIIEvQIBADANBgkqhkiG9w0BAQEFAASC\n-----END PRIVATE KEY-----",
    "Zm9vYmFyYmF6cXV4MTIzNDU2Nzg5MGFiY2RlZg==",  # high entropy, no path structure
    "aB3dE/fG8hQ2kLmN0pR5sT7uV9wX1yZ3aB5cD7eF",  # base64 with '/': segments are not words
    "postgres://app:s3cr3t-pw@10.0.0.3:5432/app",  # URL with a password
    "https://api.example.com/v1?key=AIzaSyA1234567890abcdefghijklmnopqrstuv",
    "projects/p/secrets/x?token=ghp_abcdefghijklmnopqrstuvwxyz0123456789",
    "redis://:Sup3rS3cretPass@10.128.0.3:6379/0",  # a password without a user name
    "https://hooks.slack.com/services/T0123ABCD/B0456EFGH/abcdefghijklmnopqrstuvwx",
    "https://api.example.com/v1/events?access_token=abcdefghijklmnopqrstuvwxyz0123456",
    "projects/acme-demo/Xk9fP2mQ7rT4vW8yZ1bC3dE5gH6jK0nL",  # a token after a path prefix
]


@pytest.mark.parametrize("value", CONFIGURATION)
def test_configuration_is_not_a_credential(value: str) -> None:
    assert looks_like_configuration(value)
    assert not looks_like_credential(value)
    # even under a secret-sounding name, configuration is shown and compared literally
    assert not is_sensitive("AUTH_SERVICE_SOURCE", value)


@pytest.mark.parametrize("value", CREDENTIALS)
def test_credentials_stay_credentials(value: str) -> None:
    assert looks_like_credential(value)
    assert is_sensitive("ANY_NAME", value)
    assert not looks_like_configuration(value)


@pytest.mark.parametrize(
    ("name", "value", "sensitive"),
    [
        ("DB_PASSWORD", "hunter2", True),  # the name decides for a value with no shape
        ("DB_PASSWORD", "123456", True),
        ("MODE", "prod", False),
        ("GIT_COMMIT_SHA", "0123456789abcdef0123456789abcdef01234567", False),  # a digest
        ("SHARED_SECRET", "0123456789abcdef0123456789abcdef01234567", True),  # not a SHA
        ("WEBHOOK_HMAC_SHA256_KEY", "0123456789abcdef0123456789abcdef01234567", True),
        ("REDIS_URL", "redis://:Sup3rS3cretPass@10.128.0.3:6379/0", True),
        ("API_KEY", "0123456789abcdef0123456789abcdef01234567", True),  # 40 hex: a key
        ("IMAGE_DIGEST", HEX64, False),
        ("AUTH_SERVICE_URL", "https://auth.example.com", False),
        ("AUTH_SERVICE_URL", "https://user:pw@auth.example.com", True),
    ],
)
def test_name_and_shape_together(name: str, value: str, sensitive: bool) -> None:
    assert is_sensitive(name, value) is sensitive


def test_a_digest_is_shown_only_as_a_fingerprint() -> None:
    full = "sha256:" + HEX64
    assert fingerprint(full) == "sha256:9f86d081..."
    assert fingerprint("not a digest") == "not a digest" and fingerprint(None) is None
    assert digests_equal(full, full) and digests_equal(full, fingerprint(full))
    assert not digests_equal(full, "sha256:00000000...")
