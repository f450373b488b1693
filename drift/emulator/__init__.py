"""Built-in GCP emulator: a local fake of the Cloud Run, Secret Manager and VPC
Access REST APIs that the real Google client libraries can talk to.

It exists so collectors, the scanner and the CLI can be tested end to end
(paging, enum parsing, error mapping, retries, quotas) without a GCP account.
See ``docs/emulator.md``.
"""

from drift.emulator.server import Emulator, serve_forever
from drift.emulator.world import (
    COLLECTIONS,
    WorldNotFoundError,
    bundled_world_path,
    bundled_worlds,
    load_world,
)

__all__ = [
    "COLLECTIONS",
    "Emulator",
    "WorldNotFoundError",
    "bundled_world_path",
    "bundled_worlds",
    "load_world",
    "serve_forever",
]
