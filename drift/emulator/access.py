"""Secret Manager ``versions/{v}:access`` for the emulator (world key ``secretPayloads``).

``secretPayloads`` maps ``projects/NUM/secrets/ID/versions/N`` to base64 data. As Google
does: ``{v}`` may be a number, ``latest`` or an alias; a version that is not ENABLED
answers 400 FAILED_PRECONDITION; the response carries ``payload.dataCrc32c`` (int64 as a
string). A version without a stored payload answers 404.
"""

from __future__ import annotations

import base64
import re

from drift.emulator.errors import Answer, api_error, permission_denied
from drift.emulator.world import COLLECTIONS_BY_KEY, World, not_found, resolve_version

_ACCESS = re.compile(
    r"^/v1/(?P<secret>projects/(?P<project>[^/]+)/secrets/[^/]+)/versions/(?P<v>[^/:]+):access$"
)


def _crc32c_table() -> list[int]:
    table = []
    for n in range(256):
        c = n
        for _ in range(8):
            c = (c >> 1) ^ 0x82F63B78 if c & 1 else c >> 1
        table.append(c)
    return table


_TABLE = _crc32c_table()


def crc32c(data: bytes) -> int:
    """CRC-32C (Castagnoli), the checksum Secret Manager reports as ``dataCrc32c``."""
    crc = 0xFFFFFFFF
    for byte in data:
        crc = _TABLE[(crc ^ byte) & 0xFF] ^ (crc >> 8)
    return crc ^ 0xFFFFFFFF


def route(world: World, path: str, params: dict[str, list[str]], page_size: int) -> Answer | None:
    """The answer when ``path`` is a version ``:access`` URL, else ``None``."""
    m = _ACCESS.match(path)
    if not m:
        return None
    name = path[len("/v1/") : -len(":access")]
    project = world.project_id(m.group("project"))
    if project is None:
        return permission_denied("secretmanager", "secretmanager.versions.access", name)
    secret_name = m.group("secret")
    if world.get("secrets", secret_name) is None:
        return not_found(COLLECTIONS_BY_KEY["secrets"], secret_name)
    requested = f"{secret_name}/versions/{m.group('v')}"
    version = world.get("secretVersions", resolve_version(world, world.canonical(requested)))
    if version is None:
        return not_found(COLLECTIONS_BY_KEY["secretVersions"], requested)
    state = version.get("state", "STATE_UNSPECIFIED")
    if state != "ENABLED":
        msg = f"Secret Version [{version['name']}] is in {state} state."
        body = api_error("secretmanager", 400, msg, domain="secretmanager.googleapis.com")
        body["error"]["status"] = "FAILED_PRECONDITION"  # Google: HTTP 400, FAILED_PRECONDITION
        return 400, body
    payloads = world.projects[project].get("secretPayloads") or {}
    canonical = world.canonical(version["name"])
    data = next((v for k, v in payloads.items() if world.canonical(k) == canonical), None)
    if data is None:
        msg = f"Secret Version [{version['name']}] has no payload in this world."
        return 404, api_error("secretmanager", 404, msg, domain="secretmanager.googleapis.com")
    raw = base64.b64decode(data)
    payload = {"data": base64.b64encode(raw).decode(), "dataCrc32c": str(crc32c(raw))}
    return 200, {"name": version["name"], "payload": payload}
