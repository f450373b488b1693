"""project.yaml: the project's identity, its regions and its rules (severity, ignore, unmanaged,
canonical_hosts, lint).

Rules address findings by path (`kind/resource/field[/subfield]`). Paths are split on
`/` only, because resource names such as domains contain dots; `*` is one segment and
`**` any number of them, so `services/*/env/*` cannot accidentally reach into another
kind. A rule whose first segment is not a kind is an error: it would never match, and
a silently dead ignore or severity rule is exactly the kind of drift this tool exists to
catch.
"""

from __future__ import annotations

import datetime
import fnmatch
import re
from collections.abc import Mapping
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from drift.baseline.schema import KIND_FIELDS, suggest
from drift.baseline.yaml_lines import LList, LMap, Problem, Unreadable, key_line, quote

SEVERITY_VALUES = ("critical", "warning", "info")
UNMANAGED_VALUES = ("report", "ignore", "fail")
PROJECT_KEYS = (
    "project",
    "regions",
    "project_number",
    "unmanaged",
    "severity",
    "ignore",
    "canonical_hosts",
    "lint",
)
IGNORE_KEYS = ("path", "reason", "until")
# The built-in lint rules (drift/engine/lint.py); each is on unless project.yaml turns it off.
LINT_RULES = ("placeholders", "plaintext_secrets", "host_spelling", "not_ready")


@lru_cache(maxsize=1024)
def _segments(glob: str) -> tuple[str, ...]:
    return tuple(glob.split("/"))


def path_matches(glob: str, path: str) -> bool:
    """Does a rule glob match a finding path? `*` = one segment, `**` = zero or more.

    Inside a segment fnmatch wildcards work (`commit-*`), case-sensitively.
    """
    return _match(_segments(glob), tuple(path.split("/")))


def _match(pattern: tuple[str, ...], parts: tuple[str, ...]) -> bool:
    # One pass over the pattern keeping the set of path positions reachable so far:
    # O(len(pattern) * len(parts)) whatever the glob, where trying every split for each
    # `**` took exponential time (a glob of thirty `**` segments ran for minutes).
    reach = {0}
    for head in pattern:
        if head == "**":
            reach = set(range(min(reach), len(parts) + 1))
        else:
            reach = {i + 1 for i in reach if i < len(parts) and fnmatch.fnmatchcase(parts[i], head)}
        if not reach:
            return False
    return len(parts) in reach


@dataclass(frozen=True)
class IgnoreRule:
    """Do not count findings at `path` (until `until`, inclusive), for a stated reason."""

    path: str
    reason: str
    until: datetime.date | None = None
    source: str = ""


@dataclass(frozen=True)
class ProjectRules:
    """How findings are classified for this project."""

    unmanaged: str = "report"
    severity: tuple[tuple[str, str], ...] = ()
    ignore: tuple[IgnoreRule, ...] = ()
    canonical_hosts: tuple[str, ...] = ()  # lowercase host names the project standardized on
    lint_off: frozenset[str] = frozenset()  # lint rule ids turned off in project.yaml

    def lint_enabled(self, rule: str) -> bool:
        """Is the built-in lint rule `rule` on? All are, unless `lint: {rule: false}`."""
        return rule not in self.lint_off

    def severity_for(self, path: str) -> str | None:
        """The severity of the first matching rule, or None for the default."""
        for glob, level in self.severity:
            if path_matches(glob, path):
                return level
        return None

    def ignore_for(
        self, path: str, today: datetime.date
    ) -> tuple[IgnoreRule | None, IgnoreRule | None]:
        """(first active rule ignoring `path`, first expired rule that would have).

        A rule is active through its `until` date and expired from the day after.
        """
        active: IgnoreRule | None = None
        expired: IgnoreRule | None = None
        for rule in self.ignore:
            if not path_matches(rule.path, path):
                continue
            if rule.until is None or today <= rule.until:
                active = active or rule
            else:
                expired = expired or rule
        return active, expired


@dataclass(frozen=True)
class ProjectInfo:
    """What project.yaml says, once valid."""

    project: str
    regions: tuple[str, ...]
    project_number: str | None
    rules: ProjectRules


_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")


def parse_project(
    tree: Any, file: str, folder_project: str
) -> tuple[ProjectInfo | None, list[Problem]]:
    """Validate a parsed project.yaml; return its info (None when unusable) and all problems."""
    problems: list[Problem] = []

    def bad(line: int | None, fld: str | None, message: str) -> None:
        problems.append(Problem(file, line, fld, message))

    if not isinstance(tree, Mapping):
        bad(
            getattr(tree, "line", None) or 1,
            None,
            f"project.yaml must be a mapping with at least `project: {folder_project}` and "
            "`regions: [REGION]`",
        )
        return None, problems

    for key in tree:
        if key not in PROJECT_KEYS:
            bad(key_line(tree, key), str(key), f"unknown key; {suggest(key, PROJECT_KEYS)}")

    project = tree.get("project")
    if "project" not in tree:
        bad(
            tree.line if isinstance(tree, LMap) else 1,
            "project",
            f"missing; add `project: {folder_project}`",
        )
    elif project != folder_project:
        bad(
            key_line(tree, "project"),
            "project",
            f"is {project!r} but the folder is {folder_project!r}; they must be equal "
            "(rename the folder or fix the id)",
        )

    regions = tree.get("regions")
    if "regions" not in tree:
        bad(
            tree.line if isinstance(tree, LMap) else 1,
            "regions",
            "missing; add `regions: [us-central1]` (where regional resources are looked for)",
        )
        regions = None
    elif not (
        isinstance(regions, list) and regions and all(isinstance(r, str) and r for r in regions)
    ):
        bad(
            key_line(tree, "regions"),
            "regions",
            "expected a non-empty list of region names, e.g. [us-central1]",
        )
        regions = None
    elif len(set(regions)) != len(regions):
        bad(key_line(tree, "regions"), "regions", "a region is listed twice; remove one")

    number = tree.get("project_number")
    if number is not None and not isinstance(number, str):
        if isinstance(number, int) and not isinstance(number, bool):
            number = str(number)
        else:
            bad(
                key_line(tree, "project_number"),
                "project_number",
                "expected the project number as a string, e.g. '701982941522'",
            )
            number = None

    unmanaged = tree.get("unmanaged", "report")
    if unmanaged not in UNMANAGED_VALUES:
        bad(
            key_line(tree, "unmanaged"),
            "unmanaged",
            f"expected one of {', '.join(UNMANAGED_VALUES)}, got {unmanaged!r}; "
            f"{suggest(unmanaged, UNMANAGED_VALUES)}",
        )

    severity = _parse_severity(tree, bad)
    ignore = _parse_ignore(tree, file, bad)
    canonical = _parse_canonical_hosts(tree, bad)
    lint_off = _parse_lint(tree, bad)

    if regions is None or project != folder_project:
        return None, problems
    # With problems in the rules the baseline is still rejected, but the regions are
    # good enough to check the resource files in the same run.
    rules = ProjectRules(
        unmanaged=unmanaged,
        severity=severity,
        ignore=ignore,
        canonical_hosts=canonical,
        lint_off=lint_off,
    )
    return ProjectInfo(project, tuple(regions), number, rules), problems


def _check_glob(glob: Any, line: int | None, fld: str, bad: Any) -> bool:
    if not isinstance(glob, str) or not glob or glob.startswith("/") or "//" in glob:
        bad(line, fld, "a path is 'kind/resource/field', '/'-separated, e.g. 'services/*/env/*'")
        return False
    head = glob.split("/")[0]
    if head not in KIND_FIELDS and not any(c in head for c in "*?["):
        bad(
            line,
            fld,
            f"{head!r} is not a kind, so this rule would never match; {suggest(head, KIND_FIELDS)}",
        )
        return False
    return True


def _parse_severity(tree: Mapping, bad: Any) -> tuple[tuple[str, str], ...]:
    raw = tree.get("severity")
    if raw is None:
        return ()
    if not isinstance(raw, Mapping):
        bad(
            key_line(tree, "severity"),
            "severity",
            "expected a mapping of path glob to critical|warning|info, e.g. "
            "`services/*/env/*: critical`",
        )
        return ()
    out: list[tuple[str, str]] = []
    for glob, level in raw.items():
        line = key_line(raw, glob)
        fld = f"severity.{glob}"
        ok = _check_glob(glob, line, fld, bad)
        if level not in SEVERITY_VALUES:
            bad(
                line,
                fld,
                f"expected one of {', '.join(SEVERITY_VALUES)}, got {level!r}; "
                f"{suggest(level, SEVERITY_VALUES)}",
            )
        elif ok:
            out.append((glob, level))
    return tuple(out)


def _parse_ignore(tree: Mapping, file: str, bad: Any) -> tuple[IgnoreRule, ...]:
    raw = tree.get("ignore")
    if raw is None:
        return ()
    if not isinstance(raw, list):
        bad(key_line(tree, "ignore"), "ignore", "expected a list of {path, reason, until} entries")
        return ()
    lines = raw.item_lines if isinstance(raw, LList) else [key_line(tree, "ignore")] * len(raw)
    out: list[IgnoreRule] = []
    for i, item in enumerate(raw):
        fld, line = f"ignore[{i}]", lines[i]
        if not isinstance(item, Mapping):
            bad(line, fld, "expected a mapping with path and reason (and optional until)")
            continue
        ok = True
        for key in item:
            if key not in IGNORE_KEYS:
                bad(
                    key_line(item, key) or line,
                    f"{fld}.{key}",
                    f"unknown key; {suggest(key, IGNORE_KEYS)}",
                )
                ok = False
        if "path" not in item:
            bad(line, f"{fld}.path", "missing; say which findings this rule ignores")
            ok = False
        else:
            ok = (
                _check_glob(item["path"], key_line(item, "path") or line, f"{fld}.path", bad) and ok
            )
        reason = item.get("reason")
        if not isinstance(reason, str) or not reason.strip():
            bad(
                key_line(item, "reason") or line,
                f"{fld}.reason",
                "an ignore rule must give a reason (a non-empty sentence saying why)",
            )
            ok = False
        until = _parse_until(item, line, fld, bad)
        if until is False:
            ok = False
        if ok:
            rule = IgnoreRule(item["path"], str(reason).strip(), until or None, f"{file}:{line}")
            out.append(rule)
    return tuple(out)


_LABEL = r"[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?"
_HOST = re.compile(rf"^(?=.{{1,253}}$){_LABEL}(\.{_LABEL})+$")


def _parse_canonical_hosts(tree: Mapping, bad: Any) -> tuple[str, ...]:
    """`canonical_hosts: [host, ...]`: the host names the project standardized on."""
    raw = tree.get("canonical_hosts")
    if raw is None:
        return ()
    line = key_line(tree, "canonical_hosts")
    if not isinstance(raw, list):
        bad(
            line,
            "canonical_hosts",
            "expected a list of host names, e.g. [api-staging.example.com, staging.example.com]",
        )
        return ()
    lines = raw.item_lines if isinstance(raw, LList) else [line] * len(raw)
    out: list[str] = []
    for i, item in enumerate(raw):
        fld, iline = f"canonical_hosts[{i}]", lines[i]
        if not isinstance(item, str) or not item:
            bad(iline, fld, "expected a host name such as api-staging.example.com")
            continue
        host = item.strip().lower().rstrip(".")
        if "://" in host or "/" in host or ":" in host:
            bad(
                iline,
                fld,
                f"{item!r} is not a bare host name; give only the host, "
                "e.g. api-staging.example.com (no scheme, port or path)",
            )
            continue
        if not _HOST.match(host):
            bad(
                iline,
                fld,
                f"{item!r} is not a host name (letters, digits and '-' in dot-separated "
                "labels, e.g. api-staging.example.com; wildcards are not canonical hosts)",
            )
            continue
        if host in out:
            bad(iline, fld, f"{item!r} is listed twice; remove one")
            continue
        out.append(host)
    return tuple(out)


def _parse_lint(tree: Mapping, bad: Any) -> frozenset[str]:
    """`lint: {rule: false, ...}`: the built-in lint rules turned off (all are on by default)."""
    raw = tree.get("lint")
    if raw is None:
        return frozenset()
    if not isinstance(raw, Mapping):
        bad(
            key_line(tree, "lint"),
            "lint",
            "expected a mapping of lint rule to true|false, e.g. `lint: {host_spelling: false}`; "
            f"rules: {', '.join(LINT_RULES)}",
        )
        return frozenset()
    off: set[str] = set()
    for rule, enabled in raw.items():
        line = key_line(raw, rule) or key_line(tree, "lint")
        fld = f"lint.{rule}"
        if rule not in LINT_RULES:
            bad(line, fld, f"unknown lint rule; {suggest(rule, LINT_RULES)}")
            continue
        if not isinstance(enabled, bool):
            bad(line, fld, f"expected true or false, got {enabled!r}")
            continue
        if not enabled:
            off.add(rule)
    return frozenset(off)


def _parse_until(item: Mapping, line: int | None, fld: str, bad: Any) -> Any:
    """The `until` date, None when absent, False when invalid (already reported)."""
    if "until" not in item or item["until"] is None:
        return None
    raw = item["until"]
    uline = key_line(item, "until") or line
    if isinstance(raw, Unreadable):
        return False  # an impossible date, already reported where the YAML was read
    if isinstance(raw, datetime.datetime):
        return raw.date()
    if isinstance(raw, datetime.date):
        return raw
    if isinstance(raw, str) and _DATE.match(raw):
        try:
            return datetime.date.fromisoformat(raw)
        except ValueError:
            bad(uline, f"{fld}.until", f"expected a date YYYY-MM-DD, got {raw!r} (no such date)")
            return False
    bad(uline, f"{fld}.until", f"expected a date YYYY-MM-DD, got {quote(raw)}")
    return False
