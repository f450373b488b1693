"""Google-style error bodies for the emulator.

Google REST APIs answer errors with the ``google.rpc.Status`` JSON envelope
(``{"error": {"code", "message", "status", "details": [ErrorInfo]}}``), and
Compute additionally carries the legacy ``errors[]`` list. The Google client
libraries map exceptions by HTTP status only, but they expose ``reason``,
``domain`` and ``errors`` to callers, so the emulator reproduces the whole shape.
"""

from __future__ import annotations

from typing import Any

#: HTTP status -> canonical ``google.rpc.Code`` name, as Google's HTTP mapping uses it.
HTTP_TO_STATUS: dict[int, str] = {
    400: "INVALID_ARGUMENT",
    401: "UNAUTHENTICATED",
    403: "PERMISSION_DENIED",
    404: "NOT_FOUND",
    405: "UNIMPLEMENTED",  # grpc-gateway answers an unrouted verb with 405 + UNIMPLEMENTED
    409: "ABORTED",
    412: "FAILED_PRECONDITION",
    429: "RESOURCE_EXHAUSTED",
    499: "CANCELLED",
    500: "INTERNAL",
    501: "UNIMPLEMENTED",
    503: "UNAVAILABLE",
    504: "DEADLINE_EXCEEDED",
}

#: Every canonical code name (what a ``status`` string may be).
CANONICAL_CODES: tuple[str, ...] = (
    "OK",
    "CANCELLED",
    "UNKNOWN",
    "INVALID_ARGUMENT",
    "DEADLINE_EXCEEDED",
    "NOT_FOUND",
    "ALREADY_EXISTS",
    "PERMISSION_DENIED",
    "RESOURCE_EXHAUSTED",
    "FAILED_PRECONDITION",
    "ABORTED",
    "OUT_OF_RANGE",
    "UNIMPLEMENTED",
    "INTERNAL",
    "UNAVAILABLE",
    "DATA_LOSS",
    "UNAUTHENTICATED",
)

#: Default ErrorInfo reason per status (Google uses UPPER_SNAKE reasons in ErrorInfo).
_DEFAULT_REASON: dict[int, str] = {
    400: "BAD_REQUEST",
    403: "IAM_PERMISSION_DENIED",
    404: "NOT_FOUND",
    405: "METHOD_NOT_ALLOWED",
    429: "RATE_LIMIT_EXCEEDED",
    500: "INTERNAL_ERROR",
    503: "SERVICE_UNAVAILABLE",
}

#: Legacy Compute ``errors[].reason`` per status (lowerCamel, as Compute sends it).
_LEGACY_REASON: dict[int, str] = {
    400: "invalid",
    401: "required",
    403: "forbidden",
    404: "notFound",
    405: "methodNotAllowed",
    409: "conflict",
    412: "conditionNotMet",
    429: "rateLimitExceeded",
    500: "backendError",
    503: "backendError",
}


def status_name(code: int) -> str:
    """Canonical status string for an HTTP status (``UNKNOWN`` when unmapped)."""
    return HTTP_TO_STATUS.get(code, "UNKNOWN")


def error_body(
    code: int,
    message: str,
    *,
    reason: str | None = None,
    domain: str = "googleapis.com",
    metadata: dict[str, str] | None = None,
    legacy: bool = False,
    legacy_domain: str | None = None,
    legacy_reason: str | None = None,
) -> dict[str, Any]:
    """Build the JSON error envelope Google returns.

    ``legacy=True`` adds Compute's ``errors[]`` list (``domain``/``reason``/``message``).
    """
    err: dict[str, Any] = {
        "code": code,
        "message": message,
        "status": status_name(code),
        "details": [
            {
                "@type": "type.googleapis.com/google.rpc.ErrorInfo",
                "reason": reason or _DEFAULT_REASON.get(code, status_name(code)),
                "domain": domain,
                "metadata": {k: str(v) for k, v in (metadata or {}).items()},
            }
        ],
    }
    if legacy:
        err["errors"] = [
            {
                "domain": legacy_domain or "global",
                "reason": legacy_reason or _LEGACY_REASON.get(code, "backendError"),
                "message": message,
            }
        ]
    return {"error": err}


Answer = tuple[int, dict[str, Any]]


def api_error(api: str, code: int, message: str, **kw: Any) -> dict[str, Any]:
    """The error envelope for one API (Compute's with the legacy ``errors[]``)."""
    return error_body(code, message, legacy=api == "compute", **kw)


def permission_denied(api: str, perm: str, resource: str) -> Answer:
    """Google's answer for a project the caller cannot see: 403 naming the permission."""
    msg = f"Permission '{perm}' denied on resource '{resource}' (or it may not exist)."
    body = api_error(
        api,
        403,
        msg,
        reason="IAM_PERMISSION_DENIED",
        domain="iam.googleapis.com",
        metadata={"permission": perm},
    )
    return 403, body
