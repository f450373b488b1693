"""Alert destinations: `--notify slack:<webhook-url>` and `--notify webhook:<url>`.

A webhook URL is a secret (Slack's carries its token in the path): it is never written
to history, a report or a message. History knows a destination by its id, `slack:` or
`webhook:` and the first 12 hex digits of the URL's SHA-256; people see its label, the
kind and the host only (`slack (hooks.slack.com)`).
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from urllib.parse import urlsplit

KINDS = ("slack", "webhook")


class TargetError(ValueError):
    """A --notify value drift cannot use; the message is one sentence."""


@dataclass(frozen=True)
class Target:
    """One alert destination."""

    kind: str  # slack | webhook
    url: str

    @property
    def id(self) -> str:
        """How history knows it: kind and a digest of the URL, never the URL."""
        return f"{self.kind}:{hashlib.sha256(self.url.encode('utf-8')).hexdigest()[:12]}"

    @property
    def label(self) -> str:
        """How messages name it: kind and host, never the path or query (secrets)."""
        return f"{self.kind} ({urlsplit(self.url).hostname or '?'})"


def parse_target(value: str) -> Target:
    """`slack:https://hooks.slack.com/...` or `webhook:https://...` as a Target."""
    kind, sep, url = value.partition(":")
    if not sep or kind not in KINDS:
        raise TargetError(
            "--notify takes slack:<webhook-url> or webhook:<url> (the part before the "
            f"first colon must be {' or '.join(KINDS)})."
        )
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise TargetError(f"--notify {kind}: needs an http(s) URL after `{kind}:`.")
    if any(c.isspace() for c in url):
        raise TargetError(f"--notify {kind}: the URL for {parts.hostname} contains spaces.")
    return Target(kind, url)
