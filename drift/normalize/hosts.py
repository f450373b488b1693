"""One canonical form for host names, used by every comparison of hosts.

DNS names are case-insensitive and a trailing dot only marks a fully qualified name, so
`API.Example.com.` and `api.example.com` are one host. Compute documents URL map host
rules as "valid hostnames with optional port numbers in the format host:port"
(HostRule.hosts, compute.v1 discovery); the port is not part of the name a certificate
covers or a domain mapping serves, so host rules are matched by host alone.

Used by: URL map `hosts` keys, SSL certificate `domains`, domain mapping names,
certificate coverage, the host_spelling lint rule, `canonical_hosts` in project.yaml and
the declared side of all of these.
"""

from __future__ import annotations

import re

_PORT = re.compile(r"^(?P<host>.*?):(?P<port>\d{1,5})$")


def canonical_host(host: object, *, strip_port: bool = False) -> str:
    """Lower case, surrounding blanks and one trailing dot removed; with `strip_port`, a
    trailing `:<digits>` too. 'Apps.Example.com.:443' -> 'apps.example.com'."""
    text = str(host).strip().lower()
    if strip_port:
        m = _PORT.match(text)
        # A bare IPv6 address is all colons: only `[v6]:port` and `name:port` lose a port.
        if m and (":" not in m.group("host") or m.group("host").startswith("[")):
            text = m.group("host")
    if text.endswith(".") and text != ".":
        text = text[:-1]
    return text


def host_rule_host(host: object) -> str:
    """A URL map host rule's host: canonical, port dropped."""
    return canonical_host(host, strip_port=True)
