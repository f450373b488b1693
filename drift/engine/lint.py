"""Built-in lint rules on live values: things that are wrong whatever the baseline says.

Each rule has an id (`drift.baseline.rules.LINT_RULES`), a default severity and can be
turned off in project.yaml (`lint: {host_spelling: false}`). Lint looks at every live
resource of a kind that was checked, declared or not; a finding's `rule` is `lint:<id>`.

- placeholders (critical): an unreplaced template placeholder in a live string
  (`<instance-name>`, `${VAR}`, `{{ var }}`, REPLACE_ME, CHANGEME, TODO).
- plaintext_secrets (warning): a plain env value that looks secret (by its name or its
  shape) instead of a Secret Manager reference.
- host_spelling (warning): a host close to, but not equal to, one of project.yaml's
  `canonical_hosts` (api.staging.example.ai where api-staging.example.ai is canonical).
- not_ready (critical): a Cloud Run service whose latest revision never became ready.
"""

from __future__ import annotations

import difflib
import json
import re
from collections.abc import Iterator
from dataclasses import replace
from typing import Any
from urllib.parse import urlsplit

from drift import registry
from drift.baseline.rules import LINT_RULES, ProjectRules
from drift.model import LintFinding, RawFinding, Resource, Severity, Snapshot
from drift.normalize.hosts import canonical_host, host_rule_host
from drift.redact import is_mask, is_sensitive, looks_like_credential, mask, shown

SEVERITY: dict[str, Severity] = {
    "placeholders": "critical",
    "plaintext_secrets": "warning",
    "host_spelling": "warning",
    "not_ready": "critical",
}
assert set(SEVERITY) == set(LINT_RULES)


# -- placeholders ------------------------------------------------------------------------------

# `<instance-name>`, `<API_KEY>`: an identifier in angle brackets, not glued to a word before
# it (`List<String>`), with no spaces, '=', quotes, '/' or ':' (HTML, `<redacted sha256:..>`).
_ANGLE = re.compile(r"(?<![A-Za-z0-9])<([A-Za-z][A-Za-z0-9_.\-]{0,63})>")
_DOLLAR = re.compile(r"\$\{[^{}\s]{1,64}\}")
_MUSTACHE = re.compile(r"\{\{[^{}]{1,64}\}\}")
_WORDS = re.compile(r"(?<![A-Za-z0-9_])(REPLACE_ME|CHANGE_ME|CHANGEME|TODO)(?![A-Za-z0-9_])")
_HTML_TAGS = frozenset(
    "a abbr b body br code div em footer form h1 h2 h3 h4 h5 h6 head header hr html i img "
    "input label li link main meta nav ol p pre script section small span strong style sub "
    "sup table td th title tr u ul".split()
)
_DIGEST = re.compile(r"@sha256:[0-9a-f]+")
# What any of the patterns above needs somewhere in the text: one scan rules out most.
_MAYBE = re.compile(r"[<${]|REPLACE|CHANGE|TODO")
# The same test for a whole resource at once, on repr() of its fields: repr writes '<', '$',
# '{' and letters inside a string as they are (it escapes only quotes, backslashes and
# unprintable characters) and never writes '{{' of its own (an inner '{' follows ': ', ', ',
# '[', '(' or a name), so a resource whose repr has none of these holds no placeholder
# (nearly every resource: a few C-speed substring scans each instead of a walk).
_TRIGGERS = ("<", "$", "{{", "REPLACE", "CHANGE", "TODO")


def _may_hold_placeholder(fields: dict[str, Any]) -> bool:
    """False only when no string in `fields` (keys included) can hold a placeholder."""
    text = repr(fields)
    return any(t in text for t in _TRIGGERS)


def placeholders(text: str) -> list[str]:
    """The template placeholders left in `text`, in order of appearance."""
    digest = "@sha256:" in text
    if not text or (not digest and not _MAYBE.search(text)):
        return []  # nearly every live string: nothing any pattern needs
    if is_mask(text):
        return []
    if digest:
        text = _DIGEST.sub("", text)
    if not _MAYBE.search(text):
        return []
    found: list[tuple[int, str]] = []
    for m in _ANGLE.finditer(text):
        if m.group(1).lower() not in _HTML_TAGS:
            found.append((m.start(), m.group(0)))
    for pattern in (_DOLLAR, _MUSTACHE, _WORDS):
        found += [(m.start(), m.group(0)) for m in pattern.finditer(text)]
    return [token for _, token in sorted(found)]


def _strings(value: Any, path: str, field: str) -> Iterator[tuple[str, str, Any]]:
    """(field path, string, the value to show) for every string inside a field's value.

    Mapping keys are strings too (a URL map's hosts are keys). An env secret reference is
    one value at `env/NAME`.
    """
    if isinstance(value, str):
        yield path, value, value
    elif isinstance(value, dict):
        if field == "env" and path != field and "secret" in value:
            for part in (value.get("secret"), value.get("version")):
                if isinstance(part, str):
                    yield path, part, value
            return
        for key, item in value.items():
            sub = f"{path}/{key}"
            if isinstance(key, str) and field != "env":
                yield sub, key, key
            yield from _strings(item, sub, field)
    elif isinstance(value, list | tuple):
        for item in value:
            yield from _strings(item, path, field)


def _placeholders(r: Resource) -> list[RawFinding]:
    out: list[RawFinding] = []
    if not _may_hold_placeholder(r.fields):
        return out
    seen: set[str] = set()
    for field in sorted(r.fields):
        if field.startswith("_") or field == "sha256":
            continue  # internal views of visible fields, and digests
        hits: dict[str, tuple[list[str], Any]] = {}
        for path, text, value in _strings(r.fields[field], field, field):
            tokens = placeholders(text)
            if tokens:
                prev = hits.setdefault(path, ([], value))[0]
                prev += [t for t in tokens if t not in prev]
        for path, (tokens, value) in sorted(hits.items()):
            if path in seen:
                continue
            seen.add(path)
            out.append(_lint(r, path, "placeholders", None, value, ", ".join(tokens)))
    return out


# -- plaintext secrets -------------------------------------------------------------------------

_NOT_SECRET = re.compile(
    r"^(true|false|yes|no|on|off|none|null|\d+(\.\d+)?[a-z]{0,2}|[a-z][a-z0-9+.\-]*://[^@\s]*)$",
    re.IGNORECASE,
)


def _plaintext_secrets(r: Resource) -> list[RawFinding]:
    """Plain env values that look secret. A secret-looking *name* alone is not enough for
    values that plainly are configuration: numbers, booleans, URLs without credentials,
    resource paths (AUTH_SERVICE_URL=https://auth.example.com, TOKEN_TTL=3600); the shape
    rules are drift.redact.is_sensitive's."""
    out: list[RawFinding] = []
    for var, value in sorted((r.fields.get("env") or {}).items()):
        if not isinstance(value, str) or not value.strip() or placeholders(value):
            continue
        if is_mask(value):
            why = "its name or value looks secret"  # a snapshot kept only its digest
        elif not is_sensitive(var, value):
            continue  # configuration (a resource path, a URL without userinfo, a digest)
        elif looks_like_credential(value):
            why = "its value looks like a credential"
        elif not _NOT_SECRET.match(value.strip()):
            why = "its name looks secret"
        else:
            continue
        shown = value if is_mask(value) else mask(value)
        out.append(_lint(r, f"env/{var}", "plaintext_secrets", None, shown, why))
    return out


# -- host spelling -----------------------------------------------------------------------------

_BARE_HOST = re.compile(
    r"^((?:[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z][a-z0-9-]*[a-z0-9])\.?(?::\d+)?(?:/.*)?$"
)


def hosts_in(text: str) -> list[str]:
    """Host names inside a live string: hosts of URLs, or host-looking tokens (lowercase)."""
    found: list[str] = []
    for token in re.split(r"[\s,;]+", text):
        token = token.strip("\"'()[]<>")
        if not token:
            continue
        host: str | None = None
        if "://" in token:
            try:
                host = urlsplit(token).hostname
            except ValueError:
                host = None
        else:
            m = _BARE_HOST.match(token.lower())
            host = m.group(1) if m else None
        if host:
            host = canonical_host(host)
            if host not in found:
                found.append(host)
    return found


def _levenshtein(a: str, b: str) -> int:
    prev = list(range(len(b) + 1))
    for i, ca in enumerate(a, 1):
        cur = [i]
        for j, cb in enumerate(b, 1):
            cur.append(min(prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + (ca != cb)))
        prev = cur
    return prev[-1]


def near_canonical(host: str, canonical: tuple[str, ...]) -> str | None:
    """The canonical host `host` was probably meant to be, or None (equal to one, or far
    from all). Close means: the same characters with '.' and '-' swapped
    (api.staging.x vs api-staging.x), or, with the same number of labels, at most two
    edits and a difflib ratio of at least 0.9 (api-stagin.x). A host that only adds or
    drops a whole prefix (staging.x vs api-staging.x) is a different host, not a typo."""
    host = host_rule_host(host)
    canonical = tuple(canonical_host(c) for c in canonical)
    if not host or "*" in host or host in canonical:
        return None
    best: tuple[float, str] | None = None
    for c in canonical:
        if host.replace(".", "-") == c.replace(".", "-"):
            return c
        if host.count(".") != c.count("."):
            continue
        ratio = difflib.SequenceMatcher(None, host, c).ratio()
        if ratio >= 0.9 and _levenshtein(host, c) <= 2 and (best is None or ratio > best[0]):
            best = (ratio, c)
    return best[1] if best else None


def _host_places(r: Resource) -> Iterator[tuple[str | None, str]]:
    """(field path or None for the resource itself, host) for every host a resource names,
    found by field type (drift/kinds/fields.py): hosts inside env values, a map keyed by
    host rules, a set of host names, a host field, and the key of a host-keyed kind."""
    spec = registry.KINDS.get(r.kind)
    if spec is None:
        return
    if spec.key == "host":
        yield None, r.name
    for name, field in spec.fields.items():
        value = r.fields.get(name)
        if field.type == "env":
            for var, item in sorted((value or {}).items()):
                if isinstance(item, str) and not is_mask(item):
                    for host in hosts_in(item):
                        yield f"{name}/{var}", host
        elif field.type == "map" and field.canon == "host_rule":
            for host in sorted(value or {}):
                yield f"{name}/{host}", host
        elif field.type == "set" and field.canon == "host":
            for domain in sorted(value or ()):
                yield name, domain
        elif field.type == "host" and isinstance(value, str):
            yield name, value


def _host_spelling(r: Resource, canonical: tuple[str, ...]) -> list[RawFinding]:
    out: list[RawFinding] = []
    for field, host in _host_places(r):
        if host.startswith("*"):
            continue  # a wildcard certificate name is not a host
        meant = near_canonical(host, canonical)
        if meant:
            out.append(_lint(r, field, "host_spelling", meant, canonical_host(host), ""))
    return out


# -- not ready ---------------------------------------------------------------------------------


def _not_ready(r: Resource) -> list[RawFinding]:
    if r.kind == "services" and r.fields.get("ready") is False:
        return [_lint(r, "ready", "not_ready", True, False, "")]
    return []


# -- all rules ---------------------------------------------------------------------------------


def _lint(
    r: Resource, field: str | None, rule: str, expected: Any, actual: Any, note: str
) -> LintFinding:
    found = LintFinding(
        r.kind, r.name, r.region, field, "lint", expected, actual, None, rule=rule, note=note
    )
    return replace(found, message=_message(found))


def _label(field: str | None) -> str:
    label = field or ""
    if label.startswith("env/"):
        return f"env var {label[4:]}"
    return label.replace("/", " ")


def _show(value: Any) -> str:
    return value if isinstance(value, str) else json.dumps(value, sort_keys=True)


def _message(raw: LintFinding) -> str:
    """One sentence per lint rule, with the values a report may show (redacted)."""
    subject = registry.subject(raw.kind, raw.resource, raw.region)
    label = _label(raw.field)
    at = f"{subject}: {label}" if label else subject
    # A host_spelling finding keeps its canonical host (it comes from project.yaml, not
    # from a possibly secret-named env var); every other value is shown as reports show it.
    expected = raw.expected
    if raw.rule != "host_spelling":
        expected = shown(raw.kind, raw.field, raw.expected)
    actual = shown(raw.kind, raw.field, raw.actual)
    if raw.rule == "placeholders":
        if is_mask(actual) or actual != raw.actual:
            return (
                f"{at} holds an unreplaced template placeholder (value redacted: {_show(actual)}); "
                "deploy the real value."
            )
        return (
            f"{at} is {_show(actual)}, which holds an unreplaced template placeholder "
            f"({raw.note}); deploy the real value."
        )
    if raw.rule == "plaintext_secrets":
        return (
            f"{at} is a plain value ({_show(actual)}) and {raw.note}; store it in Secret Manager "
            "and reference it ({secret: NAME})."
        )
    if raw.rule == "host_spelling":
        if is_mask(actual):
            return (
                f"{at} uses a host close to, but not, the canonical host {expected} "
                "(value redacted)."
            )
        field = raw.field or ""
        if field.startswith("hosts/"):
            return f"{subject} serves host {actual}; the canonical host is {expected}."
        if field == "domains":
            return f"{subject} names domain {actual}; the canonical host is {expected}."
        if not field:
            return f"{subject} is not a canonical host; the canonical host is {expected}."
        if field == "host":
            return f"{subject} checks host {actual}; the canonical host is {expected}."
        return f"{at} uses host {actual}; the canonical host is {expected}."
    if raw.rule == "not_ready":
        return (
            f"{subject} is not ready: its latest revision never became ready "
            "(a failed or partial deploy)."
        )
    return f"{at}: lint rule {raw.rule} ({raw.note})."


def lint_findings(snapshot: Snapshot, rules: ProjectRules, ahead: Any = None) -> list[RawFinding]:
    """Every lint finding on the live resources of checked kinds, for the rules turned on.
    `ahead` (drift/engine/ahead.py) holds those of resources linted while the scan ran."""
    canonical = canonical_hosts(rules)
    out: list[RawFinding] = []
    resources = sorted(snapshot.resources, key=lambda r: (r.kind, r.name, r.region or ""))
    for r in resources:
        if not snapshot.checked_resource(r.kind, r.name, r.region):
            continue
        done = ahead.linted(r, rules) if ahead is not None else None
        out += done if done is not None else lint_resource(r, rules, canonical)
    return out


def canonical_hosts(rules: ProjectRules) -> tuple[str, ...]:
    """project.yaml's canonical hosts in canonical form (what host_spelling compares with)."""
    return tuple(canonical_host(h) for h in rules.canonical_hosts)


def lint_resource(r: Resource, rules: ProjectRules, canonical: tuple[str, ...]) -> list[RawFinding]:
    """The lint findings of one live resource, for the rules turned on."""
    out: list[RawFinding] = []
    if rules.lint_enabled("placeholders"):
        out += _placeholders(r)
    if rules.lint_enabled("plaintext_secrets"):
        out += _plaintext_secrets(r)
    if canonical and rules.lint_enabled("host_spelling"):
        out += _host_spelling(r, canonical)
    if rules.lint_enabled("not_ready"):
        out += _not_ready(r)
    return out
