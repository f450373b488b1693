"""What could not be checked, said once per cause rather than once per kind and region.

One cause (a refused connection, a disabled API, a missing role) usually fails every list
it touches: 14 lines that differ only in the URL's path bury the one thing to fix. Here
`not_checked` entries are grouped by their error with the place taken out: the URL's path
(the host stays), the entry's region, and for a failure to connect the API's name (the
host is the cause, not the API). The JSON report keeps one entry per kind and region; the
table and stderr show one line per group.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass

from drift.model import NotChecked

# "GET https://host/path/...": the path names the place, the host may be the cause.
_URL = re.compile(r"\b(GET|POST) (https?://[^/\s]+)/\S*?(?=:\s|\s|$)")
# Said by drift/collectors/guard.py when a host could not be reached or answered too slowly:
# the API's name adds nothing to these.
_CONNECTION = re.compile(
    r"^(?P<word>[A-Z_]+): [^:]+ API: (?P<rest>(?:GET|POST) \S+:? (?:could not connect|could "
    r"not resolve|the TLS handshake failed|the connection (?:failed|broke)|the server stopped "
    r"sending|gave no complete answer))"
)


@dataclass(frozen=True)
class Cause:
    """One distinct error and the (kind, region) scopes it hit; region None is the global
    list of a Compute kind, the whole kind otherwise."""

    error: str
    scopes: tuple[tuple[str, str | None], ...]

    def where(self) -> str:
        """`secrets; services, vpc_connectors in us-central1; url_maps globally and in
        us-central1`: kinds that failed in the same scopes share one phrase."""
        regions: dict[str, list[str | None]] = {}
        for kind, region in self.scopes:
            regions.setdefault(kind, []).append(region)
        phrases: dict[str, list[str]] = {}
        for kind, scopes in regions.items():
            phrases.setdefault(_scope_words(scopes), []).append(kind)
        return "; ".join(
            ", ".join(kinds) + (f" {words}" if words else "") for words, kinds in phrases.items()
        )

    def line(self) -> str:
        """`services, vpc_connectors in us-central1: PERMISSION_DENIED: ...`."""
        return f"{self.where()}: {self.error}"


def _scope_words(scopes: list[str | None]) -> str:
    named = [r for r in scopes if r]
    if not named:
        return ""
    listed = named[0] if len(named) == 1 else f"{', '.join(named[:-1])} and {named[-1]}"
    return f"globally and in {listed}" if None in scopes else f"in {listed}"


def cause_of(nc: NotChecked) -> str:
    """The entry's error without its place: what other entries with the same cause share."""
    text = _URL.sub(r"\1 \2", nc.error)
    if nc.region:
        text = re.sub(rf"(?<![\w-]){re.escape(nc.region)}(?![\w-])", "<region>", text)
        text = text.replace(f"//{nc.region}-", "//<region>-")  # a regional host name
    m = _CONNECTION.match(text)
    if m:
        text = f"{m['word']}: {text[m.start('rest') :]}"
    return text


def group(entries: Iterable[NotChecked]) -> list[Cause]:
    """One Cause per distinct error, in order of first appearance; an error met only once
    is kept word for word (its URL path and region included)."""
    members: dict[str, list[NotChecked]] = {}
    for nc in entries:
        members.setdefault(cause_of(nc), []).append(nc)
    out = []
    for key, ncs in members.items():
        error = ncs[0].error if len(ncs) == 1 else key
        out.append(Cause(error, tuple((nc.kind, nc.region) for nc in ncs)))
    return out
