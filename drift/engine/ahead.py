"""Compare and lint, worked out per resource while the scan is still running.

A scan spends most of its time waiting for pages that must follow one another (a big
secret list), while the services it has already read sit idle; comparing them only once
every list is in puts all of evaluate's work after the last answer. So the scan hands
each page of resources, once normalized, to an `Ahead` (drift/pipeline.py wires it), which
compares each with its declared counterpart and lints it at once. evaluate then takes
those results instead of working them out again.

Nothing here decides a finding: a result is reused only for the very same live Resource
object, declared resource and project number it was worked out with (a page normalized
again, or a baseline seen through --kinds or without unread digests, simply misses), and
whether a resource counts at all (its kind checked, its region listed whole) is still
decided by evaluate on the final snapshot.
"""

from __future__ import annotations

import threading
from collections.abc import Sequence

from drift.baseline import Baseline, Declared
from drift.engine.compare import compare_one, live_key
from drift.engine.lint import canonical_hosts, lint_resource
from drift.model import RawFinding, Resource


class Ahead:
    """Per-resource compare and lint results of one scan of `baseline`'s project."""

    def __init__(self, baseline: Baseline) -> None:
        self.baseline = baseline
        self.rules = baseline.rules
        self._declared = {live_key(*d.key()): d for d in baseline.declared}
        self._canonical = canonical_hosts(baseline.rules)
        # key -> (declared, live, number, findings); id(resource) -> (resource, findings)
        self._compared: dict[
            tuple[str, str, str | None], tuple[Declared, Resource, str | None, list[RawFinding]]
        ] = {}
        self._linted: dict[int, tuple[Resource, list[RawFinding]]] = {}
        self._lock = threading.Lock()

    def add(self, resources: Sequence[Resource], project_number: str | None) -> None:
        """Compare and lint newly read resources (`project_number`: what references are
        resolved with, the number read live or else the baseline's)."""
        for r in resources:
            found = lint_resource(r, self.rules, self._canonical)
            d = self._declared.get(r.key())
            compared = compare_one(self.baseline, d, r, project_number) if d else None
            with self._lock:
                self._linted[id(r)] = (r, found)
                if d is not None and compared is not None:
                    self._compared[r.key()] = (d, r, project_number, compared)

    def compared(
        self, d: Declared, live: Resource, project_number: str | None
    ) -> list[RawFinding] | None:
        """The differences worked out for exactly this pair and number, else None."""
        with self._lock:
            got = self._compared.get(live.key())
        if got is None or got[0] is not d or got[1] is not live or got[2] != project_number:
            return None
        return list(got[3])

    def linted(self, r: Resource, rules: object) -> list[RawFinding] | None:
        """The lint findings worked out for exactly this resource (and rules), else None."""
        if rules is not self.rules:
            return None
        with self._lock:
            got = self._linted.get(id(r))
        if got is None or got[0] is not r:
            return None
        return list(got[1])
