"""Follow-up steps: what a kind reads per object beyond its list (KindSpec.follow_up).

A kind whose objects need more than their list (secrets: the versions of the secrets a
declared field or a live reference needs, and with --read-secret-digests the digest of a
declared payload) names a factory `module:function(FollowUp) -> Follower`. The scan
(drift/collectors/scan.py) drives the follower from its main thread while requests run:

- `page(items)`: each page of the kind's list as soon as it is in, so the follower can
  start the requests those objects need at once (a secret's version list does not wait
  for the rest of the list, or for the other kinds);
- `others(resources)`: every other kind, normalized, once all of them are in (what they
  refer to: a secret referenced by a live service needs its versions too);
- `done(what, id, result)`: one of its requests finished (a digest may follow a version
  list);
- `extras(items)`: when the list is complete, the others were given and none of its
  requests is pending: one extra mapping per listed object, for the kind's normalizer
  (NormContext.extra).

Requests go through `FollowUp.start`, on the scan's pool and budgets; one that fails for
good makes the kind `not_checked` ("versions of X: why"), never partly empty.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any, Protocol

from drift.collectors.context import ScanContext
from drift.collectors.settings import CollectSettings
from drift.kinds.spec import KindSpec
from drift.model import Resource

#: start(what, fn, id): run `fn(id)` on the scan's pool; the follower hears of its result
#: through `done(what, id, result)`, a failure becomes `not_checked` ("what of id: why").
Start = Callable[[str, Callable[[str], Any], str], None]


@dataclass(frozen=True)
class FollowUp:
    """What a follow-up step is given when the scan starts."""

    ctx: ScanContext
    settings: CollectSettings
    version_secrets: frozenset[str]  # secret ids whose versions a declared field needs
    digest_secrets: frozenset[str]  # secret ids whose declared sha256 is to be read
    start: Start


class Follower(Protocol):
    """A follow-up step in progress (see the module docstring)."""

    def page(self, items: list[dict[str, Any]]) -> None: ...

    def others(self, resources: tuple[Resource, ...]) -> None: ...

    def done(self, what: str, key: str, result: Any) -> None: ...

    def extras(self, items: list[dict[str, Any]]) -> list[Mapping[str, Any]]: ...


Step = Callable[[FollowUp], Follower]


def step_of(spec: KindSpec) -> Step | None:
    """The follow-up step `spec` names, or None."""
    if spec.follow_up is None:
        return None
    module, _, name = spec.follow_up.partition(":")
    step: Step = getattr(importlib.import_module(module), name)
    return step
