"""A kind that cannot be read is `not_checked`; a bug in drift is not.

The generic scan turns Google's and the transport's errors into a NotChecked value (never
an empty list), and lets every other exception through: a KeyError in a collector must
fail the run loudly (exit 1 with a traceback), never read as "this kind could not be
looked at". The kinds below are registered for one test with a CustomList source, so no
client class is replaced.
"""

from __future__ import annotations

import json
from typing import Any

import pytest
import requests
from click.testing import CliRunner
from google.api_core import exceptions as gexc

from drift.cli import main
from drift.collectors.answers import BadResponse
from drift.collectors.scan import collect
from drift.collectors.settings import CollectSettings
from drift.kinds.spec import REGIONAL, CustomList, KindSpec, path_named
from drift.registry import KINDS
from tests import worldkit as wk


def _ok(ctx: Any, project: str, region: str | None) -> list[dict[str, Any]]:
    return [{"name": f"projects/{project}/locations/{region}/things/t1"}]


def _forbidden(ctx: Any, project: str, region: str | None) -> list[dict[str, Any]]:
    raise gexc.Forbidden("GET /things: Permission 'things.list' denied")


def _unreachable(ctx: Any, project: str, region: str | None) -> list[dict[str, Any]]:
    raise requests.exceptions.ConnectionError("GET /things: connection refused")


def _not_an_answer(ctx: Any, project: str, region: str | None) -> list[dict[str, Any]]:
    raise BadResponse("http://x/things", 200, "an empty body; a proxy in between?")


def _bug(ctx: Any, project: str, region: str | None) -> list[dict[str, Any]]:
    return [{}["name"]]  # a KeyError: drift's own mistake


def _spec(function: str) -> KindSpec:
    return KindSpec(
        name="things",
        noun="thing",
        api="run",
        scope=REGIONAL,
        source=CustomList(f"tests.test_collect_errors:{function}"),
        world_key="services",
        fields={},
        normalize=path_named(lambda raw, ctx: {}),
        sample={"name": "projects/p/locations/r/things/t"},
    )


def _collect(monkeypatch: pytest.MonkeyPatch, function: str) -> Any:
    monkeypatch.setitem(KINDS, "things", _spec(function))
    settings = CollectSettings(endpoint="http://127.0.0.1:9", deadline_s=1)
    return collect(wk.PROJECT, [wk.REGION], ["things"], settings)


def test_a_listed_kind_is_normalized(monkeypatch):
    snap = _collect(monkeypatch, "_ok")
    assert [(r.kind, r.name, r.region) for r in snap.resources] == [("things", "t1", wk.REGION)]


@pytest.mark.parametrize(
    ("function", "starts"),
    [
        ("_forbidden", "PERMISSION_DENIED: Cloud Run Admin API: GET /things"),
        ("_unreachable", "UNAVAILABLE: Cloud Run Admin API: GET /things: connection refused"),
        ("_not_an_answer", "UNAVAILABLE: Cloud Run Admin API: GET http://x/things answered 200"),
    ],
)
def test_google_and_transport_errors_are_not_checked_values(monkeypatch, function, starts):
    snap = _collect(monkeypatch, function)
    (nc,) = snap.not_checked
    assert (nc.kind, nc.region) == ("things", wk.REGION)
    assert nc.error.startswith(starts), nc.error
    assert snap.resources == ()


def test_a_bug_in_a_collector_fails_the_scan(monkeypatch):
    with pytest.raises(KeyError):
        _collect(monkeypatch, "_bug")


def test_a_bug_in_a_collector_exits_1_with_a_traceback_never_a_not_checked_row(
    monkeypatch, tmp_path
):
    monkeypatch.setitem(KINDS, "services", _spec("_bug"))
    world = tmp_path / "w.json"
    world.write_text(json.dumps(wk.world(services=[])))
    expected = wk.write_baseline(tmp_path, {"s.yaml": "services: {}\n"})
    r = CliRunner().invoke(main, ["diff", "--project", wk.PROJECT, "--expected", str(expected),
                                  "--emulator", str(world), "--format", "json"])  # fmt: skip
    assert r.exit_code == 1
    assert "Traceback" in r.stderr and "KeyError" in r.stderr
    assert "internal error: this is a bug in drift" in r.stderr
    assert r.stdout == ""  # no report, so no not_checked row either
