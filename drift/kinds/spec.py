"""What a resource kind is: one frozen `KindSpec` per kind, in drift/kinds/<kind>.py.

A spec says everything the rest of drift needs to know about a kind, so that adding one
is one module (plus an emulator collection and a test scenario):
- its name, the noun messages use, the API (quota bucket) its reads count against;
- its scope (regional, global, or a global list plus one per region) and so whether a
  baseline must, may or must not give a `region`;
- how it is listed: a generated GAPIC client (`GapicList`), a Compute global/regional list
  (`ComputeList`), or a function of drift.collectors where no generated client exists
  (`CustomList`); plus an optional follow-up step run after every list (secrets' versions);
- the emulator world key its objects live under;
- its baseline fields and their types, its normalizer (raw API JSON -> name, region,
  fields), how it is keyed (a short name, or a host name), the kinds its reference checks
  look at and which checks apply;
- a sample raw object, which the meta-tests normalize.

Nothing here imports a Google library: sources are data the generic collector
(drift/collectors/lister.py) interprets.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any, Literal

from drift.kinds.fields import FieldSpec
from drift.normalize import units
from drift.normalize.compute import name_and_region

Scope = Literal["regional", "global", "global+regional"]
REGIONAL: Scope = "regional"  # listed once per region in project.yaml
GLOBAL: Scope = "global"  # listed once per project
BOTH: Scope = "global+regional"  # a global list plus one per region (Compute)

RegionRule = Literal["required", "optional", "none"]
#: How a resource is keyed: its short name, or a host name (compared in canonical form).
Key = Literal["name", "host"]


@dataclass(frozen=True)
class GapicList:
    """A list method of a generated client (REST transport), paged by `nextPageToken`.

    `parent` is formatted with `project` and `region`; `items` is the response field
    holding the objects; `extra` other fields the response may carry (`totalSize`).
    """

    module: str
    client: str
    method: str
    parent: str
    items: str
    extra: tuple[str, ...] = ()


@dataclass(frozen=True)
class ComputeList:
    """A Compute collection: one client for the global list, one for a region's.

    Every list response carries `list_kind` (`compute#healthCheckList`).
    """

    client: str
    region_client: str
    list_kind: str
    module: str = "google.cloud.compute_v1"


@dataclass(frozen=True)
class CustomList:
    """`module:function(ctx, project, region) -> list of raw objects` in drift.collectors,
    for an API without a generated client (Cloud Run v1 domain mappings)."""

    function: str


Source = GapicList | ComputeList | CustomList


@dataclass(frozen=True)
class NormContext:
    """What a normalizer may need beyond the raw object."""

    project_ids: frozenset[str]  # the project id and number: "this project" in full names
    region: str | None = None  # the scope the object was listed in (None: global)
    # What a follow-up step read for this object (a secret's versions, its digest).
    extra: Mapping[str, Any] = field(default_factory=dict)


Normalized = tuple[str, str | None, dict[str, Any]]
Normalizer = Callable[[dict[str, Any], NormContext], Normalized]


@dataclass(frozen=True)
class KindSpec:
    """One resource kind (see the module docstring)."""

    name: str
    noun: str  # "Cloud Run service": how messages name one
    api: str  # the quota bucket its reads count against
    scope: Scope
    source: Source
    world_key: str  # the emulator world's key for its objects
    fields: Mapping[str, FieldSpec]
    normalize: Normalizer
    sample: Mapping[str, Any]  # a raw object as the API returns it
    title: str = ""  # what README's table says after the name, e.g. "(Cloud Run v2)"
    key: Key = "name"
    needs: tuple[str, ...] = ()  # kinds its reference checks look at
    references: tuple[str, ...] = ()  # reference checks that apply (drift/engine/checks.py)
    declarable: bool = True  # False: read only for checks (never in a baseline, never unmanaged)
    # `module:function` of drift.collectors run once every list is in (drift/collectors/
    # followup.py): it reads more per object (secret versions, digests) for the normalizer.
    follow_up: str | None = None
    # The project number, when an object's name reveals it (secret names do).
    project_number: Callable[[dict[str, Any]], str | None] | None = None
    init_notes: tuple[str, ...] = ()  # comment lines above this kind in `baseline init`

    def scopes(self, regions: list[str]) -> list[str | None]:
        """Where to list it: None is the global scope."""
        if self.scope == GLOBAL:
            return [None]
        if self.scope == REGIONAL:
            return list(regions)
        return [None, *regions]

    @property
    def region_rule(self) -> RegionRule:
        """required: a resource must say its region; optional: global unless given;
        none: the kind is global and a region is an error."""
        if self.scope == REGIONAL:
            return "required"
        if self.scope == BOTH:
            return "optional"
        return "none"


# -- naming helpers shared by the kind modules -------------------------------------------------


def region_of_path(name: str) -> str | None:
    """`projects/p/locations/r/...` -> r."""
    parts = name.split("/")
    if "locations" in parts:
        i = parts.index("locations")
        if i + 1 < len(parts):
            return parts[i + 1]
    return None


def path_named(fields: Callable[[dict[str, Any], NormContext], dict[str, Any]]) -> Normalizer:
    """For APIs whose `name` is a full path: projects/p/locations/r/<kind>/<name>."""

    def run(raw: dict[str, Any], ctx: NormContext) -> Normalized:
        name = str(raw.get("name", ""))
        return units.short_name(name) or name, region_of_path(name), fields(raw, ctx)

    return run


def compute_named(fields: Callable[[dict[str, Any]], dict[str, Any]]) -> Normalizer:
    """Compute objects: a short `name`; region from the `region` URL, else the list's scope."""

    def run(raw: dict[str, Any], ctx: NormContext) -> Normalized:
        return (*name_and_region(raw, ctx.region), fields(raw))

    return run
