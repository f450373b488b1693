"""Follow-up steps: what a kind reads after every list is in (KindSpec.follow_up).

A kind whose objects need more than their list (secrets: the versions of the secrets a
declared field or a live reference needs, and with --read-secret-digests the digest of
a declared payload) names a step `module:function(FollowUp) -> [extra per object]`.
The generic scan runs it once the other kinds are normalized (so it can see what they
refer to), on the scan's own pool and budgets; each object's extra mapping is handed to
the kind's normalizer (NormContext.extra). A request that fails for good makes the kind
`not_checked`, never partly empty.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from drift.collectors.context import ScanContext
from drift.collectors.settings import CollectSettings
from drift.kinds.spec import KindSpec
from drift.model import Resource

#: each(what, fn, ids) -> {id: fn(id)} for the ids that succeeded: runs `fn` per id on the
#: scan's pool; a failure is recorded as `not_checked` for the kind ("what of id: why").
Each = Callable[[str, Callable[[str], Any], set[str]], dict[str, Any]]


@dataclass(frozen=True)
class FollowUp:
    """What a follow-up step is given."""

    ctx: ScanContext
    settings: CollectSettings
    items: tuple[dict[str, Any], ...]  # the kind's raw objects, as listed
    others: tuple[Resource, ...]  # every other kind collected, normalized
    version_secrets: frozenset[str]  # secret ids whose versions a declared field needs
    digest_secrets: frozenset[str]  # secret ids whose declared sha256 is to be read
    each: Each


Step = Callable[[FollowUp], list[Mapping[str, Any]]]


def step_of(spec: KindSpec) -> Step | None:
    """The follow-up step `spec` names, or None."""
    if spec.follow_up is None:
        return None
    module, _, name = spec.follow_up.partition(":")
    step: Step = getattr(importlib.import_module(module), name)
    return step
