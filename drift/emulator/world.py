"""The emulator's world: which GCP objects exist, and how URLs map onto them.

A world file is JSON (see ``docs/emulator.md``). Objects are stored verbatim in
the real API's JSON and are addressed by their own ``name``; the parent and
region of each object are derived from that name (Compute objects, whose ``name``
is short, by their ``selfLink`` or ``region``). Routing is a table
(:data:`COLLECTIONS`) so that adding a resource type is one entry.
"""

from __future__ import annotations

import base64
import binascii
import json
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from drift.emulator.errors import Answer, api_error
from drift.emulator.faults import check_fault

WORLDS_DIR = Path(__file__).resolve().parent / "worlds"

#: Keys of the optional ``emulator`` block and of a project (besides collections).
EMULATOR_KEYS = frozenset({"pageSize", "latencyMs", "faults", "quotas"})
PROJECT_META_KEYS = frozenset({"projectNumber"})
#: Collections announced for later issues: accepted in world files, not served yet.
FUTURE_KEYS: frozenset[str] = frozenset()
#: Served by their own routes, not COLLECTIONS: Run v1 domain mappings (a Kubernetes-style
#: object named by metadata.name) and Secret Manager payloads (for ``versions/N:access``).
ROUTED_KEYS = frozenset({"domainMappings", "secretPayloads"})
#: Where Compute's own selfLinks (and the list responses' selfLink) point.
COMPUTE_BASE = "https://www.googleapis.com/compute/v1/"


def _latest_secret_version(world: World, secret_name: str) -> str | None:
    """``latest``: Google documents it as "the most recently created SecretVersion"."""
    versions = world.children("secretVersions", secret_name)
    if not versions:
        return None

    def created(v: dict[str, Any]) -> tuple[str, int]:
        tail = v["name"].rsplit("/", 1)[-1]
        return (v.get("createTime", ""), int(tail) if tail.isdigit() else -1)

    return str(max(versions, key=created)["name"])


def resolve_version(world: World, canonical: str) -> str:
    """Map ``.../versions/latest`` or a version alias to the concrete version name."""
    parent, _, vid = canonical.rpartition("/versions/")
    if vid.isdigit():
        return canonical
    if vid == "latest":
        return _latest_secret_version(world, parent) or canonical
    secret = world.get("secrets", parent)
    alias = (secret or {}).get("versionAliases", {}).get(vid)
    return f"{parent}/versions/{alias}" if alias is not None else canonical


@dataclass(frozen=True)
class Collection:
    """One routable resource collection.

    ``pattern`` is the collection path after ``prefix``, with ``{project}`` and
    optionally ``{location}``/``{parent}`` placeholders; an object name is
    ``pattern + "/" + id``.
    """

    key: str  # world-file key, e.g. "services"
    api: str  # quota / stats bucket, e.g. "run"
    prefix: str  # URL prefix before the resource name, e.g. "/v2/"
    pattern: str  # e.g. "projects/{project}/locations/{location}/services"
    list_field: str  # list response field, e.g. "services"
    discovery: str  # discovery doc, e.g. "run.v2"
    schema: str  # object schema in that doc
    list_schema: str  # list response schema in that doc
    permission: str  # IAM permission prefix, e.g. "run.services"
    not_found: str  # 404 message template; {name}, {id}, {project}, {location}
    service: str  # e.g. "run.googleapis.com" (error domains, quota messages)
    total_size: bool = False  # Secret Manager lists also return totalSize
    parent_key: str | None = None  # a sub-collection needs its parent object to exist
    resolve: Callable[[World, str], str] | None = None  # alias resolution on get
    # Compute: objects carry a short ``name``; their path comes from selfLink / region.
    compute: bool = False
    page_param: str = "pageSize"  # compute: "maxResults"
    list_kind: str | None = None  # compute list responses' ``kind``
    list_re: re.Pattern[str] = field(init=False, repr=False, compare=False)
    get_re: re.Pattern[str] = field(init=False, repr=False, compare=False)
    name_re: re.Pattern[str] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        body = re.sub(r"\{(\w+)\}", r"(?P<\1>[^/]+)", self.pattern)
        object.__setattr__(self, "name_re", re.compile(rf"^{body}/(?P<id>[^/]+)$"))
        object.__setattr__(self, "list_re", re.compile(rf"^{re.escape(self.prefix)}{body}$"))
        get = rf"^{re.escape(self.prefix)}{body}/(?P<id>[^/]+)$"
        object.__setattr__(self, "get_re", re.compile(get))

    def path_of(self, obj: dict[str, Any], project: str) -> str:
        """The object's path after ``prefix`` (its ``name`` for all but Compute).

        A Compute object's path comes from its ``selfLink``; without one it is regional
        when it has a ``region`` URL, else global.
        """
        if not self.compute:
            return str(obj["name"])
        link = str(obj.get("selfLink") or "")
        if "/projects/" in link:
            return "projects/" + link.split("/projects/", 1)[1]
        collection = self.pattern.rsplit("/", 1)[-1]
        region = str(obj.get("region") or "").rstrip("/").rsplit("/", 1)[-1]
        scope = f"regions/{region}" if region else "global"
        return f"projects/{project}/{scope}/{collection}/{obj['name']}"


def _compute(key: str, schema: str, list_kind: str) -> Collection:
    """A Compute collection, served globally and per region."""
    return Collection(
        key=key,
        api="compute",
        prefix="/compute/v1/",
        pattern=f"projects/{{project}}/(?:global|regions/{{location}})/{key}",
        list_field="items",
        discovery="compute.v1",
        schema=schema,
        list_schema=f"{schema}List",
        permission=f"compute.{key}",
        not_found="The resource '{name}' was not found",
        service="compute.googleapis.com",
        compute=True,
        page_param="maxResults",
        list_kind=list_kind,
    )


COLLECTIONS: tuple[Collection, ...] = (
    Collection(
        key="services",
        api="run",
        prefix="/v2/",
        pattern="projects/{project}/locations/{location}/services",
        list_field="services",
        discovery="run.v2",
        schema="GoogleCloudRunV2Service",
        list_schema="GoogleCloudRunV2ListServicesResponse",
        permission="run.services",
        not_found="Resource '{id}' of kind 'SERVICE' in region '{location}' in project "
        "'{project}' does not exist.",
        service="run.googleapis.com",
    ),
    Collection(
        key="jobs",
        api="run",
        prefix="/v2/",
        pattern="projects/{project}/locations/{location}/jobs",
        list_field="jobs",
        discovery="run.v2",
        schema="GoogleCloudRunV2Job",
        list_schema="GoogleCloudRunV2ListJobsResponse",
        permission="run.jobs",
        not_found="Resource '{id}' of kind 'JOB' in region '{location}' in project "
        "'{project}' does not exist.",
        service="run.googleapis.com",
    ),
    Collection(
        key="secrets",
        api="secretmanager",
        prefix="/v1/",
        pattern="projects/{project}/secrets",
        list_field="secrets",
        discovery="secretmanager.v1",
        schema="Secret",
        list_schema="ListSecretsResponse",
        permission="secretmanager.secrets",
        not_found="Secret [{name}] not found or has no versions.",
        service="secretmanager.googleapis.com",
        total_size=True,
    ),
    Collection(
        key="secretVersions",
        api="secretmanager",
        prefix="/v1/",
        pattern="projects/{project}/secrets/{parent}/versions",
        list_field="versions",
        discovery="secretmanager.v1",
        schema="SecretVersion",
        list_schema="ListSecretVersionsResponse",
        permission="secretmanager.versions",
        not_found="Secret Version [{name}] not found.",
        service="secretmanager.googleapis.com",
        total_size=True,
        parent_key="secrets",
        resolve=resolve_version,
    ),
    Collection(
        key="connectors",
        api="vpcaccess",
        prefix="/v1/",
        pattern="projects/{project}/locations/{location}/connectors",
        list_field="connectors",
        discovery="vpcaccess.v1",
        schema="Connector",
        list_schema="ListConnectorsResponse",
        permission="vpcaccess.connectors",
        not_found="Resource '{name}' was not found",
        service="vpcaccess.googleapis.com",
    ),
    _compute("healthChecks", "HealthCheck", "compute#healthCheckList"),
    _compute("backendServices", "BackendService", "compute#backendServiceList"),
    _compute("urlMaps", "UrlMap", "compute#urlMapList"),
    _compute("sslCertificates", "SslCertificate", "compute#sslCertificateList"),
    _compute("targetHttpsProxies", "TargetHttpsProxy", "compute#targetHttpsProxyList"),
)

COLLECTIONS_BY_KEY: dict[str, Collection] = {c.key: c for c in COLLECTIONS}


def not_found(coll: Collection, name: str) -> Answer:
    """Google's 404 for an object of ``coll`` called ``name``, in that API's words."""
    m = coll.name_re.match(name)
    fields = m.groupdict() if m else {}
    msg = coll.not_found.format(
        name=name,
        id=fields.get("id", name.rsplit("/", 1)[-1]),
        project=fields.get("project", ""),
        location=fields.get("location", ""),
    )
    return 404, api_error(coll.api, 404, msg, domain=coll.service)


#: Which API (quota / stats bucket) a URL path belongs to, first match wins.
API_PATTERNS: tuple[tuple[re.Pattern[str], str], ...] = (
    (re.compile(r"^/v2/"), "run"),
    (re.compile(r"^/v1/projects/[^/]+/secrets(/|:|$)"), "secretmanager"),
    (re.compile(r"^/v1/projects/[^/]+/locations/[^/]+/secrets(/|:|$)"), "secretmanager"),
    (re.compile(r"^/v1/projects/[^/]+/locations/[^/]+/connectors(/|:|$)"), "vpcaccess"),
    (re.compile(r"^/v1/projects/[^/]+/locations/[^/]+/domainmappings(/|$)"), "run"),
    (re.compile(r"^/apis/domains\.cloudrun\.com/"), "run"),
    (re.compile(r"^/compute/v1/"), "compute"),
)


def api_of(path: str) -> str:
    """The API bucket of a URL path (``"other"`` when it is none of ours)."""
    for rx, api in API_PATTERNS:
        if rx.search(path):
            return api
    return "other"


def _natural_key(name: str) -> list[Any]:
    """Sort key so ``versions/10`` comes after ``versions/2``; deterministic."""
    return [(0, int(t), "") if t.isdigit() else (1, 0, t) for t in re.split(r"(\d+)", name)]


class World:
    """An indexed, read-only view of a world dict.

    Names are canonicalised to use the project *id*, so a request may name the
    project by id or by number and still find objects stored under either.
    """

    def __init__(self, data: dict[str, Any]) -> None:
        check_world(data)
        self.data = data
        self.settings: dict[str, Any] = dict(data.get("emulator") or {})
        self.projects: dict[str, dict[str, Any]] = data.get("projects", {})
        self._alias: dict[str, str] = {}
        for pid, proj in self.projects.items():
            self._alias[pid] = pid
            if proj.get("projectNumber"):
                self._alias[str(proj["projectNumber"])] = pid
        self._by_name: dict[tuple[str, str], dict[str, Any]] = {}
        self._by_parent: dict[tuple[str, str], list[dict[str, Any]]] = {}
        for pid, proj in self.projects.items():
            for key, coll in COLLECTIONS_BY_KEY.items():
                for obj in proj.get(key) or []:
                    canonical = self.canonical(coll.path_of(obj, pid))
                    parent = canonical.rsplit("/", 2)[0]
                    self._by_name[(key, canonical)] = obj
                    self._by_parent.setdefault((key, parent), []).append(obj)
        for objs in self._by_parent.values():
            objs.sort(key=lambda o: _natural_key(o["name"]))

    def project_id(self, ref: str) -> str | None:
        """Project id for an id or a number; ``None`` when the world lacks it."""
        return self._alias.get(ref)

    def project_number(self, ref: str) -> str:
        """Project number for an id or number (falls back to the reference itself)."""
        pid = self._alias.get(ref)
        num = self.projects.get(pid or "", {}).get("projectNumber")
        return str(num) if num else ref

    def canonical(self, name: str) -> str:
        """``projects/<number>/...`` -> ``projects/<id>/...`` (unknown projects kept)."""
        parts = name.split("/")
        if len(parts) > 1 and parts[0] == "projects" and parts[1] in self._alias:
            parts[1] = self._alias[parts[1]]
        return "/".join(parts)

    def get(self, key: str, name: str) -> dict[str, Any] | None:
        """The object of collection ``key`` called ``name`` (id or number form)."""
        return self._by_name.get((key, self.canonical(name)))

    def children(self, key: str, parent: str) -> list[dict[str, Any]]:
        """Objects of collection ``key`` under ``parent``, sorted by name."""
        return self._by_parent.get((key, self.canonical(parent)), [])


def check_world(data: Any, source: str = "world") -> None:
    """Raise ``ValueError`` naming the first structural problem in a world dict."""
    if not isinstance(data, dict):
        raise ValueError(f"{source}: top level must be a JSON object, got {type(data).__name__}")
    unknown = set(data) - {"emulator", "projects"}
    if unknown:
        raise ValueError(f"{source}: unknown top-level keys {sorted(unknown)}")
    emu = data.get("emulator") or {}
    if not isinstance(emu, dict):
        raise ValueError(f"{source}: 'emulator' must be an object")
    if set(emu) - EMULATOR_KEYS:
        raise ValueError(
            f"{source}: unknown 'emulator' keys {sorted(set(emu) - EMULATOR_KEYS)}; "
            f"allowed: {sorted(EMULATOR_KEYS)}"
        )
    check_knobs(
        emu.get("pageSize"),
        emu.get("latencyMs"),
        emu.get("faults"),
        emu.get("quotas"),
        f"{source}: emulator",
    )
    projects = data.get("projects", {})
    if not isinstance(projects, dict):
        raise ValueError(f"{source}: 'projects' must be an object keyed by project id")
    allowed = set(COLLECTIONS_BY_KEY) | FUTURE_KEYS | ROUTED_KEYS | PROJECT_META_KEYS
    for pid, proj in projects.items():
        where = f"{source}: projects.{pid}"
        if not isinstance(proj, dict):
            raise ValueError(f"{where} must be an object")
        bad = set(proj) - allowed
        if bad:
            raise ValueError(f"{where}: unknown keys {sorted(bad)}; allowed: {sorted(allowed)}")
        num = proj.get("projectNumber")
        if num is not None and not (isinstance(num, str | int) and str(num).isdigit()):
            raise ValueError(f"{where}.projectNumber must be a string of digits, got {num!r}")
        refs = {pid, str(num)} if num is not None else {pid}
        for key, coll in COLLECTIONS_BY_KEY.items():
            items = proj.get(key, [])
            if not isinstance(items, list):
                raise ValueError(f"{where}.{key} must be a list")
            seen: set[str] = set()
            for i, obj in enumerate(items):
                _check_object(obj, coll, refs, f"{where}.{key}[{i}]", pid)
                canon = "/".join(coll.path_of(obj, pid).split("/")[2:])
                if canon in seen:
                    raise ValueError(f"{where}.{key}[{i}]: duplicate name {obj['name']!r}")
                seen.add(canon)
        for key in FUTURE_KEYS & set(proj):
            if not isinstance(proj[key], list):
                raise ValueError(f"{where}.{key} must be a list")
        _check_routed(proj, refs, where)


def _check_routed(proj: dict[str, Any], refs: set[str], where: str) -> None:
    """``domainMappings``: DomainMapping JSON; ``secretPayloads``: version name -> base64."""
    mappings = proj.get("domainMappings", [])
    if not isinstance(mappings, list):
        raise ValueError(f"{where}.domainMappings must be a list")
    seen: set[str] = set()
    for i, dm in enumerate(mappings):
        meta = dm.get("metadata") if isinstance(dm, dict) else None
        name = meta.get("name") if isinstance(meta, dict) else None
        at = f"{where}.domainMappings[{i}]"
        if not isinstance(meta, dict) or not isinstance(name, str) or not name:
            raise ValueError(f"{at}: must be an object with a string 'metadata.name' (the domain)")
        location = (meta.get("labels") or {}).get("cloud.googleapis.com/location")
        if not isinstance(location, str):
            raise ValueError(f"{at}: metadata.labels needs 'cloud.googleapis.com/location'")
        if str(meta.get("namespace", next(iter(refs)))) not in refs:
            raise ValueError(f"{at}: namespace {meta['namespace']!r} is not this project")
        if name in seen:
            raise ValueError(f"{at}: duplicate domain {name!r}")
        seen.add(name)
    payloads = proj.get("secretPayloads", {})
    if not isinstance(payloads, dict):
        raise ValueError(f"{where}.secretPayloads must be an object of version name -> base64")
    for name, data in payloads.items():
        parts = str(name).split("/")
        if len(parts) != 6 or parts[0::2] != ["projects", "secrets", "versions"]:
            raise ValueError(f"{where}.secretPayloads: {name!r} is not a secret version name")
        if parts[1] not in refs:
            raise ValueError(f"{where}.secretPayloads: {name!r} is not in this project")
        try:
            base64.b64decode(str(data), validate=True)
        except (binascii.Error, ValueError) as e:
            raise ValueError(f"{where}.secretPayloads[{name!r}] is not base64") from e


def _check_object(obj: Any, coll: Collection, refs: set[str], where: str, pid: str) -> None:
    if not isinstance(obj, dict) or not isinstance(obj.get("name"), str):
        raise ValueError(f"{where}: must be an object with a string 'name'")
    if coll.compute and "/" in obj["name"]:
        raise ValueError(f"{where}: a Compute name is short, got {obj['name']!r}")
    path = coll.path_of(obj, pid)
    what = "selfLink" if coll.compute else "name"
    m = coll.name_re.match(path)
    if not m or (coll.compute and m.group("id") != obj["name"]):
        raise ValueError(f"{where}: {what} {path!r} does not match '{coll.pattern}/ID'")
    region = str(obj.get("region") or "").rstrip("/").rsplit("/", 1)[-1]
    if coll.compute and region and m.group("location") != region:
        raise ValueError(f"{where}: selfLink {path!r} is not in its region {region!r}")
    if m.group("project") not in refs:
        raise ValueError(
            f"{where}: {what} {path!r} names project {m.group('project')!r}, "
            f"expected one of {sorted(refs)}"
        )


def check_knobs(
    page_size: Any, latency_ms: Any, faults: Any, quotas: Any, where: str = "emulator"
) -> None:
    """Validate behaviour knobs (``None`` means "not given")."""
    if page_size is not None and (
        not isinstance(page_size, int) or isinstance(page_size, bool) or page_size < 1
    ):
        raise ValueError(f"{where}.pageSize must be a positive integer, got {page_size!r}")
    if latency_ms is not None and (
        not isinstance(latency_ms, int | float) or isinstance(latency_ms, bool) or latency_ms < 0
    ):
        raise ValueError(f"{where}.latencyMs must be a number >= 0, got {latency_ms!r}")
    if faults is not None:
        if not isinstance(faults, list):
            raise ValueError(f"{where}.faults must be a list")
        for i, f in enumerate(faults):
            check_fault(f, f"{where}.faults[{i}]")
    if quotas is not None:
        if not isinstance(quotas, dict):
            raise ValueError(f"{where}.quotas must be an object of api -> requests per minute")
        for api, limit in quotas.items():
            if not isinstance(limit, int) or isinstance(limit, bool) or limit < 0:
                raise ValueError(f"{where}.quotas.{api} must be an integer >= 0")


def load_world(path: str | Path) -> dict[str, Any]:
    """Read and check a world JSON file; ``ValueError`` with a clear message if bad."""
    p = Path(path)
    try:
        text = p.read_text(encoding="utf-8")
    except OSError as e:
        raise ValueError(f"cannot read world file {p}: {e.strerror or e}") from e
    try:
        data: dict[str, Any] = json.loads(text)
    except json.JSONDecodeError as e:
        raise ValueError(f"world file {p} is not valid JSON: {e}") from e
    check_world(data, str(p))
    return data


class WorldNotFoundError(ValueError, FileNotFoundError):
    """A bundled world name that does not exist (both a ValueError and FileNotFoundError)."""


def bundled_worlds() -> list[str]:
    """Names of the world files shipped in ``drift/emulator/worlds/``."""
    return sorted(p.stem for p in WORLDS_DIR.glob("*.json"))


def bundled_world_path(name: str) -> Path:
    """Path of a bundled world, e.g. ``bundled_world_path("netra-staging")``."""
    stem = name.removesuffix(".json")
    path = WORLDS_DIR / f"{stem}.json"
    if not path.is_file():
        available = ", ".join(bundled_worlds()) or "(none)"
        raise WorldNotFoundError(
            f"no bundled world named {stem!r} in {WORLDS_DIR}; bundled worlds: {available}"
        )
    return path
