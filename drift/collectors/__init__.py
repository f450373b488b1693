"""The only layer that talks to Google: one module per kind, plus shared plumbing.

Import `collect` from drift.collectors.scan; this package's namespace stays light so
the CLI can start without importing any client library.
"""

from drift.collectors.settings import CollectSettings

__all__ = ["CollectSettings"]
