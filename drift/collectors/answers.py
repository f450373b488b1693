"""What counts as an answer of the API, and what is not data (docs/operations.md).

Every 2xx answer must be a JSON object: an empty body, HTML, cut or malformed JSON, a
JSON array or any other value is not an answer, whatever a proxy in between meant by it.
On top of that, each list has a shape, taken from the discovery documents:

- GAPIC lists (Cloud Run v2, Secret Manager, VPC Access) are proto3 JSON, where Google
  leaves empty fields out: `{}` is a valid empty list. Fields that are present must have
  their documented type, and an object made only of keys the response does not define is
  not that response.
- Compute lists always carry their `kind` (`compute#healthCheckList`, ...); any other or
  no `kind` is not that list.
- Cloud Run v1 domain mappings (`DomainMappingList`): as GAPIC, plus `kind`, when sent,
  must be `DomainMappingList`.
- A list whose `unreachable` names locations is partial, hence not checked.
- A secret payload's `data` must be strict base64 (proto3 JSON: standard or URL-safe
  alphabet, padding optional) and match `dataCrc32c` when that is sent.
"""

from __future__ import annotations

import base64
import binascii
import re
from collections.abc import Callable
from typing import Any

Check = Callable[[dict[str, Any]], str | None]

#: What each API is called in messages (the `api` of drift/registry.py).
API_NAMES = {
    "run": "Cloud Run Admin API",
    "secretmanager": "Secret Manager API",
    "vpcaccess": "Serverless VPC Access API",
    "compute": "Compute Engine API",
}

MESSAGE_LIMIT = 240  # a server's own message is cut to this many characters
_SPACE = re.compile(r"\s+")
_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f]")


def short(text: str, limit: int = MESSAGE_LIMIT) -> str:
    """One line of at most `limit` characters, control characters dropped."""
    flat = _CONTROL.sub("", _SPACE.sub(" ", str(text))).strip()
    return flat if len(flat) <= limit else flat[: limit - 3].rstrip() + "..."


def api_name(api: str) -> str:
    return API_NAMES.get(api, f"{api} API")


class BadResponse(Exception):
    """An answer that is not what the API sends: never data, never an empty list.

    `retryable`: a proxy's empty or HTML 200 may be a passing fault, like a 502; a
    repeated page token is not (asking again gives the same page).
    """

    def __init__(
        self,
        url: str,
        status: int | None,
        problem: str,
        retryable: bool = True,
        word: str = "UNAVAILABLE",
    ) -> None:
        self.url = url
        self.status = status
        self.problem = problem
        self.retryable = retryable
        self.word = word  # the google.rpc status word a message starts with
        super().__init__(self.sentence())

    def sentence(self) -> str:
        if self.status is None:
            return f"GET {self.url}: {self.problem}"
        return f"GET {self.url} answered {self.status} with {self.problem}"


def _type_name(value: Any) -> str:
    if value is None:
        return "JSON null"
    if isinstance(value, bool):
        return "a JSON boolean"
    if isinstance(value, list):
        return "a JSON array"
    if isinstance(value, str):
        return "a JSON string"
    if isinstance(value, int | float):
        return "a JSON number"
    return "a JSON object"


def check_object(data: Any) -> str | None:
    """The problem when a decoded 2xx body is not a JSON object, else None."""
    if isinstance(data, dict):
        return None
    return f"{_type_name(data)}, not the JSON object the API sends; a proxy in between?"


def _field_problems(data: dict[str, Any], items: str, token_path: tuple[str, ...]) -> str | None:
    """Type errors in the fields a list reader uses; a partial list (`unreachable`)."""
    value = data.get(items)
    if items in data and not (isinstance(value, list) and all(isinstance(i, dict) for i in value)):
        return f"'{items}' that is {_type_name(value)}, not an array of objects"
    holder: Any = data
    for key in token_path[:-1]:  # e.g. metadata.continue
        if key in holder and not isinstance(holder[key], dict):
            return f"'{key}' that is {_type_name(holder[key])}, not an object"
        holder = holder.get(key) or {}
    token = holder.get(token_path[-1])
    if token is not None and not isinstance(token, str):
        return f"a page token that is {_type_name(token)}, not a string"
    unreachable = data.get("unreachable")
    if unreachable:
        where = ", ".join(str(u) for u in unreachable) if isinstance(unreachable, list) else ""
        return f"a partial list: the API could not reach {short(where, 120) or 'some locations'}"
    return None


def gapic_list(items: str, extra: tuple[str, ...] = ()) -> Check:
    """The check for a proto3-JSON list response whose items are in `items`."""
    known = {items, "nextPageToken", "unreachable", *extra}

    def check(data: dict[str, Any]) -> str | None:
        if data and not known & set(data):
            keys = ", ".join(sorted(data)[:5])
            return f"a JSON object without any field of this list (it has: {short(keys, 80)})"
        return _field_problems(data, items, ("nextPageToken",))

    return check


def compute_list(kind: str) -> Check:
    """The check for a Compute list: `kind` must be the collection's list kind."""

    def check(data: dict[str, Any]) -> str | None:
        if data.get("kind") != kind:
            got = data.get("kind")
            said = f"kind {short(str(got), 60)!r}" if got is not None else "no kind"
            return f"a JSON object with {said}, not the {kind} Compute always sends"
        return _field_problems(data, "items", ("nextPageToken",))

    return check


def domain_mapping_list(data: dict[str, Any]) -> str | None:
    """The check for Cloud Run v1 `DomainMappingList` (Kubernetes-style list)."""
    known = {"apiVersion", "kind", "metadata", "items", "unreachable"}
    if data and not known & set(data):
        keys = ", ".join(sorted(data)[:5])
        return f"a JSON object without any field of this list (it has: {short(keys, 80)})"
    if "kind" in data and data["kind"] != "DomainMappingList":
        return f"a JSON object of kind {short(str(data['kind']), 60)!r}, not DomainMappingList"
    return _field_problems(data, "items", ("metadata", "continue"))


_B64 = re.compile(r"[A-Za-z0-9+/]*={0,2}|[A-Za-z0-9_-]*={0,2}")


def decode_payload(data: Any) -> bytes | None:
    """proto3 JSON `bytes` decoded strictly (standard or URL-safe, padding optional)."""
    if not isinstance(data, str) or not _B64.fullmatch(data):
        return None
    stripped = data.rstrip("=")
    if len(stripped) % 4 == 1:
        return None
    padded = stripped + "=" * (-len(stripped) % 4)
    try:
        return base64.b64decode(padded.replace("-", "+").replace("_", "/"), validate=True)
    except (binascii.Error, ValueError):
        return None


def access_answer(data: dict[str, Any]) -> str | None:
    """The check for `versions.access`: a payload whose bytes can be trusted."""
    payload = data.get("payload")
    if not isinstance(payload, dict):
        return "an answer without a payload object"
    raw = decode_payload(payload.get("data", ""))
    if raw is None:
        return "a payload that could not be decoded (its data is not valid base64)"
    crc = payload.get("dataCrc32c")
    if crc is not None and str(crc) != str(crc32c(raw)):
        return "a payload whose checksum (dataCrc32c) does not match its data"
    return None


def _crc32c_table() -> list[int]:
    table = []
    for n in range(256):
        c = n
        for _ in range(8):
            c = (c >> 1) ^ 0x82F63B78 if c & 1 else c >> 1
        table.append(c)
    return table


_CRC_TABLE = _crc32c_table()


def crc32c(data: bytes) -> int:
    """CRC-32C (Castagnoli), as Secret Manager reports it in `dataCrc32c`."""
    crc = 0xFFFFFFFF
    for byte in data:
        crc = _CRC_TABLE[(crc ^ byte) & 0xFF] ^ (crc >> 8)
    return crc ^ 0xFFFFFFFF
