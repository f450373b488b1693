"""Reference checks on the live snapshot: what a resource points at must exist and be ready.

They run whether or not the referenced thing is declared, and only where both the
referencing and the referenced kind were actually looked at (a 403 on connectors must
never read as "connector missing"). Compute resources live either in the global scope
(region None) or in one region; a reference stays in its scope (a global URL map uses
global backend services, a regional one those of its region).

Every finding here is a `broken_reference`; its `expected` says what is referenced, its
`actual` what was found (None: it does not exist), and its message says it in words,
written here where the check knows what it found. Which checks apply to a kind is its
spec's `references` (drift/kinds/<kind>.py); `REFERENCE_CHECKS` names them.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

from drift.model import FindingType, RawFinding, Resource, Snapshot
from drift.normalize.hosts import canonical_host, host_rule_host
from drift.registry import KINDS, subject

BROKEN: FindingType = "broken_reference"


def _latest_state(states: dict[str, str]) -> str | None:
    """'latest' is the most recently created version: the highest version number."""
    numbered = [(int(k), v) for k, v in states.items() if str(k).isdigit()]
    return max(numbered)[1] if numbered else None


def resolve_version(
    version: str, states: dict[str, str], aliases: dict[str, str] | None
) -> tuple[str | None, str | None]:
    """(version number, its state) that a reference's `version` names.

    Cloud Run accepts "'latest' for the latest version, an integer for a specific version,
    or a version alias" (run.v2 SecretKeySelector.version, VersionToPath.version); aliases
    are the secret's `versionAliases`. An unknown number or alias gives (None, None).
    """
    if version == "latest":
        numbered = [int(k) for k in states if str(k).isdigit()]
        return (str(max(numbered)), _latest_state(states)) if numbered else (None, None)
    if version.isdigit():
        return (version, states.get(version)) if version in states else (None, None)
    target = (aliases or {}).get(version)
    return (target, states.get(target)) if target is not None else (None, None)


def _broken(r: Resource, field: str | None, expected: Any, actual: Any, message: str) -> RawFinding:
    return RawFinding(
        r.kind, r.name, r.region, field, BROKEN, expected, actual, None, message=message
    )


def _subject(r: Resource) -> str:
    return subject(r.kind, r.name, r.region)


def _where(r: Resource) -> str:
    return f" in {r.region}" if r.region else ""


def _scope(r: Resource) -> str:
    return f"in {r.region}" if r.region else "in the global scope"


def _index(snapshot: Snapshot, kind: str) -> dict[tuple[str, str | None], Resource]:
    return {(r.name, r.region): r for r in snapshot.by_kind(kind)}


# -- secret references and connectors (Cloud Run) ---------------------------------------------


def _secret_ref(
    r: Resource, field: str, ref: dict[str, Any], secrets: dict[str, Resource]
) -> RawFinding | None:
    """One reference (env var or volume) to a secret: it exists and its version is ENABLED."""
    sid, version = ref.get("secret", ""), str(ref.get("version") or "latest")
    if "/" in sid:
        return None  # another project's secret: not visible from this one
    expected = {"secret": sid, "version": version}
    where, verb = _ref_place(field)
    at = f"{_subject(r)} {where} {verb}"
    if sid not in secrets:
        return _broken(r, field, expected, None, f"{at} secret {sid}, which does not exist.")
    fields = secrets[sid].fields
    states = fields.get("_version_states")
    aliases = fields.get("_version_aliases")
    is_alias = version != "latest" and not version.isdigit()
    if states is None or (is_alias and aliases is None):
        return None  # versions (or aliases, in an older snapshot) were not read
    number, state = resolve_version(version, states, aliases)
    if state == "ENABLED":
        return None
    actual: dict[str, Any] = {"secret": sid, "version": version, "state": state}
    if is_alias and number is None:
        text = f"{at} version alias {version} of secret {sid}, which does not exist."
    elif is_alias:
        text = (
            f"{at} version alias {version} of secret {sid} (version {number}), which is "
            f"{state or 'missing'}, not ENABLED."
        )
    else:
        text = (
            f"{at} version {version} of secret {sid}, which is {state or 'missing'}, not ENABLED."
        )
    if is_alias:
        actual["alias_of"] = number  # None: the alias names no version
    return _broken(r, field, expected, actual, text)


def _ref_place(field: str) -> tuple[str, str]:
    """Where a secret reference is (`env/NAME`, `containers/C/env/NAME`, `volumes/V[/P]`),
    in words, and the verb for it."""
    parts = field.split("/")
    if parts[0] == "volumes":
        return f"volume {'/'.join(parts[1:])}", "mounts"
    if parts[0] == "containers":
        return f"container {parts[1]} env var {'/'.join(parts[3:])}", "refers to"
    return f"env var {'/'.join(parts[1:])}", "refers to"


def _secret_refs_of(r: Resource) -> dict[str, Any]:
    """{field: {secret, version}} of a resource; older snapshots only have env refs."""
    refs = r.fields.get("_secret_refs")
    if isinstance(refs, dict):
        return refs
    env = r.fields.get("env") or {}
    return {f"env/{k}": v for k, v in env.items() if isinstance(v, dict)}


def _secret_refs(snapshot: Snapshot, kind: str, now: dt.datetime) -> list[RawFinding]:
    """Every secret a resource refers to (env vars of every container, secret volumes)
    exists, and the version it names is ENABLED."""
    out: list[RawFinding] = []
    if not snapshot.checked("secrets", None):
        return out
    secrets = {r.name: r for r in snapshot.by_kind("secrets")}
    for r in snapshot.by_kind(kind):
        if not snapshot.checked(kind, r.region):
            continue
        for field, ref in sorted(_secret_refs_of(r).items()):
            if isinstance(ref, dict):
                found = _secret_ref(r, field, ref, secrets)
                if found:
                    out.append(found)
    return out


def _vpc_connector(snapshot: Snapshot, kind: str, now: dt.datetime) -> list[RawFinding]:
    """A resource's VPC connector exists in its region and is READY."""
    out: list[RawFinding] = []
    connectors = _index(snapshot, "vpc_connectors")
    for r in snapshot.by_kind(kind):
        name = r.fields.get("vpc_connector")
        if not (
            name
            and snapshot.checked(kind, r.region)
            and snapshot.checked("vpc_connectors", r.region)
        ):
            continue
        conn = connectors.get((name, r.region))
        expected = {"connector": name, "state": "READY"}
        if conn is None:
            text = f"{_subject(r)} uses VPC connector {name}, which does not exist{_where(r)}."
            out.append(_broken(r, "vpc_connector", expected, None, text))
        elif conn.fields.get("state") != "READY":
            state = conn.fields.get("state")
            text = f"{_subject(r)} uses VPC connector {name}, which is {state}, not READY."
            actual = {"connector": name, "state": state}
            out.append(_broken(r, "vpc_connector", expected, actual, text))
    return out


# -- Cloud Run domain mappings -----------------------------------------------------------------


def _mapped_service(snapshot: Snapshot, kind: str, now: dt.datetime) -> list[RawFinding]:
    """A domain mapping's Cloud Run service exists in its region, and the mapping is
    ready (its conditions say why not)."""
    out: list[RawFinding] = []
    services = _index(snapshot, "services")
    for dm in sorted(snapshot.by_kind(kind), key=lambda r: (r.name, r.region or "")):
        if not snapshot.checked(kind, dm.region):
            continue
        target = dm.fields.get("service")
        if target and snapshot.checked("services", dm.region):
            if (target, dm.region) not in services:
                text = (
                    f"{_subject(dm)} routes to Cloud Run service {target}, which does not "
                    f"exist{_where(dm)}."
                )
                out.append(_broken(dm, "service", {"service": target}, None, text))
        if dm.fields.get("ready") is False:
            conditions = dict(dm.fields.get("_conditions") or {})
            bad = [f"{k} is {v}" for k, v in sorted(conditions.items()) if v != "True"]
            why = f" ({'; '.join(bad)})" if bad else ""
            text = f"{_subject(dm)} is not ready{why}: the domain does not serve its service."
            actual = {"ready": False, "conditions": conditions}
            out.append(_broken(dm, "ready", True, actual, text))
    return out


# -- Load balancing (Compute) ------------------------------------------------------------------


def _url_map_backends(snapshot: Snapshot, kind: str, now: dt.datetime) -> list[RawFinding]:
    """Every backend service a URL map refers to exists in the map's scope."""
    out: list[RawFinding] = []
    backends = _index(snapshot, "backend_services")
    for um in sorted(snapshot.by_kind(kind), key=lambda r: (r.name, r.region or "")):
        if not (
            snapshot.checked(kind, um.region) and snapshot.checked("backend_services", um.region)
        ):
            continue
        hosts: dict[str, Any] = dict(um.fields.get("hosts") or {})
        default = um.fields.get("default_service")
        referenced = um.fields.get("_backend_services")
        if referenced is None:  # an older snapshot: what the visible fields name
            buckets = set(um.fields.get("_backend_buckets") or ())
            referenced = {v for v in [*hosts.values(), default] if v and v not in buckets}
        for name in sorted(set(referenced)):
            if (name, um.region) in backends:
                continue
            expected = {"backend_service": name}
            fields = [f"hosts/{h}" for h in sorted(hosts) if hosts[h] == name]
            if default == name:
                fields.append("default_service")
            # Only a path matcher or route rule uses it: name the reference itself.
            for field in fields or [f"backend_services/{name}"]:
                if field.startswith("hosts/"):
                    what = f"routes host {field.split('/', 1)[1]} to backend service {name}"
                elif field == "default_service":
                    what = f"has default service {name}"
                else:
                    what = f"routes paths to backend service {name}"
                text = f"{_subject(um)} {what}, which does not exist {_scope(um)}."
                out.append(_broken(um, field, expected, None, text))
    return out


LEGACY_HEALTH_CHECKS = ("httpHealthChecks", "httpsHealthChecks")


def _health_check_refs(bs: Resource) -> list[dict[str, Any]]:
    """The backend service's health check references; older snapshots only have names."""
    refs = bs.fields.get("_health_check_refs")
    if isinstance(refs, list):
        return refs
    return [
        {"name": str(n).rsplit("/", 1)[-1], "region": None, "collection": None, "any": True}
        for n in bs.fields.get("health_checks") or ()
    ]


def _health_checks(snapshot: Snapshot, kind: str, now: dt.datetime) -> list[RawFinding]:
    """A backend service's health checks exist in the scope their URL names.

    A legacy `httpHealthChecks`/`httpsHealthChecks` URL (still accepted by Compute) is not
    the health_checks kind, which is all drift reads: it is not verified (see
    reference_notes), never reported missing. Without a URL (an older snapshot), a regional
    backend service's check may be regional or global.
    """
    out: list[RawFinding] = []
    checks = _index(snapshot, "health_checks")
    for bs in sorted(snapshot.by_kind(kind), key=lambda r: (r.name, r.region or "")):
        if not snapshot.checked(kind, bs.region):
            continue
        missing: list[str] = []
        for ref in _health_check_refs(bs):
            if ref.get("collection") in LEGACY_HEALTH_CHECKS:
                continue
            name, region = str(ref.get("name")), ref.get("region")
            scopes = [region]
            if ref.get("any") and bs.region is not None:
                scopes = [bs.region, None]
            if not all(snapshot.checked("health_checks", s) for s in scopes):
                continue  # could not look there: a missing check proves nothing
            if not any((name, s) in checks for s in scopes):
                missing.append(f"{region}/{name}" if region and region != bs.region else name)
        if missing:
            names = sorted(missing)
            noun, verb = ("health check", "does") if len(names) == 1 else ("health checks", "do")
            text = (
                f"{_subject(bs)} uses {noun} {', '.join(names)}, which {verb} not exist "
                f"{_scope(bs)}."
            )
            out.append(_broken(bs, "health_checks", {"health_checks": names}, None, text))
    return out


def reference_notes(snapshot: Snapshot) -> list[str]:
    """What the reference checks could not verify, in words for the report's notes."""
    notes = []
    for bs in snapshot.by_kind("backend_services"):
        legacy = [
            f"{r.get('name')} ({r.get('collection')})"
            for r in _health_check_refs(bs)
            if r.get("collection") in LEGACY_HEALTH_CHECKS
        ]
        if legacy and snapshot.checked("backend_services", bs.region):
            where = f" in {bs.region}" if bs.region else ""
            notes.append(
                f"Backend service {bs.name}{where} uses legacy health check "
                f"{', '.join(sorted(legacy))}; drift does not read legacy health checks, "
                "so that reference was not verified."
            )
    return sorted(notes)


# -- Certificate coverage ----------------------------------------------------------------------


def host_matches(host: str, domain: str) -> bool:
    """Does certificate name `domain` cover `host`? Both in canonical host form (case, a
    trailing dot and a host rule's `:port` do not count); a wildcard (`*.example.ai`)
    stands for exactly one label: it covers `api-staging.example.ai` but neither
    `api.staging.example.ai` nor `example.ai`."""
    host = host_rule_host(host)
    domain = canonical_host(domain)
    if host == domain:
        return True
    if not domain.startswith("*."):
        return False
    label, _, rest = host.partition(".")
    return bool(label) and "*" not in label and rest == domain[2:]


def _parse_time(value: Any) -> dt.datetime | None:
    if not isinstance(value, str) or not value:
        return None
    try:
        when = dt.datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        return None
    return when if when.tzinfo else when.replace(tzinfo=dt.UTC)


def _cert_domains(cert: Resource, now: dt.datetime) -> tuple[list[str], str]:
    """(names the certificate serves right now, a short description for messages)."""
    domains = sorted(str(d) for d in cert.fields.get("domains") or ())
    if cert.fields.get("type") == "MANAGED":
        status = cert.fields.get("_domain_status")
        if not status:  # no per-domain status: the certificate's own status decides
            status = {d: cert.fields.get("status") for d in domains}
        active = sorted(d for d, s in status.items() if s == "ACTIVE")
        others = [f"{d} is {status[d] or 'UNKNOWN'}" for d in sorted(status) if d not in active]
        words = [f"covers {', '.join(active)}"] if active else ["covers nothing ACTIVE"]
        return active, "; ".join(words + others)
    expires = _parse_time(cert.fields.get("_expire_time"))
    covers = f"covers {', '.join(domains)}" if domains else "names no domains"
    if expires is not None and expires <= now:
        return [], f"expired {cert.fields.get('_expire_time')} ({covers})"
    return domains, covers


def _certificates(snapshot: Snapshot, kind: str, now: dt.datetime) -> list[RawFinding]:
    """Every host a URL map serves behind an HTTPS proxy is covered by one of the proxy's
    certificates that is ACTIVE (managed) or unexpired (self-managed); a wildcard matches
    one label."""
    out: list[RawFinding] = []
    url_maps = _index(snapshot, kind)
    certs = _index(snapshot, "ssl_certificates")
    proxies = sorted(
        snapshot.by_kind("target_https_proxies"), key=lambda r: (r.name, r.region or "")
    )
    for proxy in proxies:
        scope = proxy.region
        if not all(
            snapshot.checked(k, scope) for k in ("target_https_proxies", kind, "ssl_certificates")
        ):
            continue
        if proxy.fields.get("certificate_map"):
            continue  # Certificate Manager maps are not read by drift
        map_name = proxy.fields.get("url_map")
        um = url_maps.get((map_name, scope)) if isinstance(map_name, str) else None
        if um is None:
            continue
        names = sorted(proxy.fields.get("ssl_certificates") or ())
        served: list[str] = []
        described: dict[str, str] = {}
        for name in names:
            cert = certs.get((name, scope))
            if cert is None:
                described[name] = "does not exist"
                continue
            domains, words = _cert_domains(cert, now)
            served += domains
            described[name] = words
        checked = ", ".join(f"{name} {words}" for name, words in sorted(described.items()))
        for host in sorted(um.fields.get("hosts") or {}):
            if host.strip() in ("", "*"):
                continue  # the catch-all host rule names no host
            if any(host_matches(host, d) for d in served):
                continue
            text = (
                f"Host {host} served by URL map {um.name}{_where(um)} is not covered by any "
                f"certificate on HTTPS proxy {proxy.name} "
                f"({checked or 'it has no certificates'})."
            )
            out.append(
                _broken(
                    um,
                    f"hosts/{host}",
                    {"host": host, "https_proxy": proxy.name},
                    {"certificates": described},
                    text,
                )
            )
    return out


Check = Callable[[Snapshot, str, dt.datetime], list[RawFinding]]

#: The reference checks a kind may name in its spec's `references`, in the order their
#: findings are listed.
REFERENCE_CHECKS: dict[str, Check] = {
    "secret_refs": _secret_refs,
    "vpc_connector": _vpc_connector,
    "mapped_service": _mapped_service,
    "url_map_backends": _url_map_backends,
    "health_checks": _health_checks,
    "certificates": _certificates,
}


def reference_findings(snapshot: Snapshot, now: dt.datetime | None = None) -> list[RawFinding]:
    """Every broken reference in the live snapshot. `now` is the report time (certificate
    expiry is judged against it); it defaults to the current time."""
    now = now or dt.datetime.now(tz=dt.UTC)
    if now.tzinfo is None:
        now = now.replace(tzinfo=dt.UTC)
    out: list[RawFinding] = []
    for name, check in REFERENCE_CHECKS.items():
        for kind, spec in KINDS.items():
            if name in spec.references:
                out += check(snapshot, kind, now)
    return out
