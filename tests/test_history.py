"""`drift diff --history`: what the nightly run remembers (issue 11).

Runs go through the CLI, the real Google clients and drift's emulator, on both history
backends: a local folder and gs:// (tests/gcsfake.py, through google-cloud-storage). The
pure rules (ids, marking, not-checked scoping, alert bookkeeping) are tested on plain data.
"""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from drift.cli import main
from drift.history import HistoryError, State, advance, daily, finding_id, open_store, record
from drift.history.record import read_state
from drift.history.state import delivered, looked_at, pending
from drift.history.store import Conflict, LocalStore, Stored
from drift.model import Finding, NotChecked, Report, TrackedFinding
from drift.report.json_schema import report_schema
from tests import nightlykit as nk
from tests import worldkit as wk
from tests.gcsfake import FakeGcs

FAULT_403_SERVICES = {"path": r"/services$", "status": 403, "times": None}


@pytest.fixture(params=["local", "gcs"])
def history(request: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[str]:
    """A history location on each backend (gs:// on the fake through the real client)."""
    if request.param == "local":
        yield str(tmp_path / "history")
        return
    with FakeGcs({nk.BUCKET}) as fake:
        monkeypatch.setenv("STORAGE_EMULATOR_HOST", fake.base_url)
        yield f"gs://{nk.BUCKET}/nightly"


def latest(location: str) -> State:
    state, _ = read_state(open_store(location), wk.PROJECT)
    assert state is not None
    return state


# -- end to end --------------------------------------------------------------------------


def test_one_fixed_one_added_is_one_resolved_one_new(tmp_path, history):
    first = nk.run_night(tmp_path, 0, nk.world(mode="dev", worker_max=9), history)
    assert first.code == 2, first.stderr
    assert first.report is not None
    assert first.report["history"] == {"previous_run": None, "resolved": []}
    assert set(first.marks().values()) == {"new"}
    assert len(first.marks()) == 2
    # MODE fixed, worker still 9, LEVEL drifts now
    second = nk.run_night(tmp_path, 1, nk.world(level="debug", worker_max=9), history)
    assert second.code == 2, second.stderr
    assert second.marks() == {
        "services/api/env/LEVEL": "new",
        "services/worker/max_instances": "open",
    }
    assert second.resolved() == ["services/api/env/MODE"]
    assert second.report is not None
    worker = next(f for f in second.report["findings"] if f["path"].endswith("max_instances"))
    assert worker["history"]["first_seen"] == first.report["generated_at"]
    previous = second.report["history"]["previous_run"]
    assert previous["generated_at"] == first.report["generated_at"]
    assert previous["run"].startswith("runs/20251124T160000Z-")
    # The stored report of the run is the one written, marks and all.
    store = open_store(history)
    stored = store.get(f"{wk.PROJECT}/{latest(history).run}")
    assert stored is not None
    assert json.loads(stored.text) == second.report
    # The trend index has both runs.
    runs = latest(history).runs
    assert [(r.new, r.resolved) for r in runs] == [(2, 0), (1, 1)]


def test_a_kind_not_checked_resolves_none_of_its_findings(tmp_path, history):
    first = nk.run_night(tmp_path, 0, nk.world(mode="dev", worker_max=9, db_pass=False), history)
    assert first.code == 2, first.stderr
    assert set(first.marks()) == {
        "services/api/env/MODE", "services/worker/max_instances", "secrets/db-pass",
    }  # fmt: skip
    # Everything is fixed, but the Cloud Run list answers 403.
    second = nk.run_night(tmp_path, 1, nk.world(), history, faults=[FAULT_403_SERVICES])
    assert second.code == 1, second.stderr
    assert second.report is not None
    assert {n["kind"] for n in second.report["not_checked"]} == {"services"}
    assert second.resolved() == ["secrets/db-pass"]  # secrets were checked: that one is fixed
    still = {o.finding.path: o.finding.first_seen for o in latest(history).open}
    assert still == {
        "services/api/env/MODE": first.report["generated_at"],
        "services/worker/max_instances": first.report["generated_at"],
    }
    # A complete run resolves them.
    third = nk.run_night(tmp_path, 2, nk.world(), history)
    assert third.code == 0, third.stderr
    assert sorted(third.resolved()) == ["services/api/env/MODE", "services/worker/max_instances"]
    assert latest(history).open == ()


def test_kinds_left_out_are_not_resolved(tmp_path, history):
    nk.run_night(tmp_path, 0, nk.world(mode="dev", db_pass=False), history)
    second = nk.run_night(tmp_path, 1, nk.world(mode="dev"), history, "--kinds", "secrets")
    assert second.code == 0, second.stderr
    assert second.resolved() == ["secrets/db-pass"]
    assert [o.finding.path for o in latest(history).open] == ["services/api/env/MODE"]


KILL_AT_POINTER = """
import os, sys
from drift.history import store as local
from drift.collectors import history_gcs as gcs

def hook(put):
    def put_or_die(self, key, text, expect):
        if key.endswith("/latest.json"):
            os._exit(137)  # killed after the run's report, before the pointer
        return put(self, key, text, expect)
    return put_or_die

local.LocalStore.put = hook(local.LocalStore.put)
gcs.GCSStore.put = hook(gcs.GCSStore.put)
"""


def test_a_kill_between_report_and_pointer_leaves_latest_at_the_last_complete_run(
    tmp_path, history
):
    import os

    env = {"STORAGE_EMULATOR_HOST": os.environ.get("STORAGE_EMULATOR_HOST", "")}
    first = nk.run_night(tmp_path, 0, nk.world(mode="dev"), history)
    assert first.code == 2
    first_run = latest(history).run
    store = open_store(history)
    before = store.get(f"{wk.PROJECT}/latest.json")
    assert before is not None
    killed = nk.run_night_subprocess(
        tmp_path, 1, nk.world(worker_max=9), history, KILL_AT_POINTER, env=env
    )
    assert killed.returncode == 137, killed.stderr
    assert store.get(f"{wk.PROJECT}/latest.json") == before  # same bytes, same generation
    # The killed run's report was written first; nothing points at it.
    orphans = [k for k in _run_keys(history) if k.startswith("runs/20251125T")]
    assert len(orphans) == 1
    assert store.get(f"{wk.PROJECT}/{orphans[0]}") is not None
    # The next run counts from the last complete one.
    third = nk.run_night(tmp_path, 2, nk.world(worker_max=9), history)
    assert third.report is not None
    assert third.report["history"]["previous_run"]["run"] == first_run
    assert third.marks() == {"services/worker/max_instances": "new"}
    assert third.resolved() == ["services/api/env/MODE"]
    assert [r.run for r in latest(history).runs][0] == first_run
    assert len(latest(history).runs) == 2


def _run_keys(location: str) -> list[str]:
    """The run report objects of the test project, on either backend."""
    if location.startswith("gs://"):
        from google.cloud import storage

        client = storage.Client(project=None)
        prefix = f"nightly/{wk.PROJECT}/"
        names = [b.name for b in client.list_blobs(nk.BUCKET, prefix=prefix + "runs/")]
        return sorted(n[len(prefix) :] for n in names)
    folder = Path(location) / wk.PROJECT / "runs"
    return sorted(f"runs/{p.name}" for p in folder.glob("*.json"))


def test_concurrent_runs_of_one_project_lose_nothing(tmp_path, history):
    """Four runs record at once: every one is in the history, each against another."""
    base = _report([_finding("services/api/env/MODE")])
    store = open_store(history)
    errors: list[BaseException] = []
    done: list[str] = []

    def one(n: int) -> None:
        try:
            report = replace(base, generated_at=f"2026-01-0{n + 1}T00:00:00Z")
            done.append(record(store, report).run)
        except BaseException as err:  # noqa: BLE001
            errors.append(err)

    threads = [threading.Thread(target=one, args=(n,)) for n in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    assert errors == []
    state = latest(history)
    assert sorted(r.run for r in state.runs) == sorted(done)
    assert [r.new for r in state.runs] == [1, 0, 0, 0]  # the finding is new once
    assert len(state.open) == 1


class Racing:
    """A store where another run records just before each of our pointer writes."""

    def __init__(self, inner: Any, other: Report, times: int = 1) -> None:
        self.inner = inner
        self.other = other
        self.times = times

    def get(self, key: str) -> Stored | None:
        return self.inner.get(key)

    def put(self, key: str, text: str, expect: Any) -> str:
        if key.endswith("/latest.json") and self.times > 0:
            self.times -= 1
            record(self.inner, self.other)
        return self.inner.put(key, text, expect)

    def location(self, key: str = "") -> str:
        return self.inner.location(key)

    def check(self) -> None:
        self.inner.check()


def test_a_lost_race_is_retried_against_the_winner(history):
    store = open_store(history)
    record(store, _report([_finding("a")], at="2026-01-01T00:00:00Z"))
    other = _report([_finding("a"), _finding("b")], at="2026-01-02T00:00:00Z")
    ours = _report([_finding("b"), _finding("c")], at="2026-01-03T00:00:00Z")
    rec = record(Racing(store, other), ours)
    marks = {f.path: f.history.status for f in rec.report.findings if f.history}
    assert marks == {"b": "open", "c": "new"}  # b is the winner's, not new to us
    assert [f.path for f in rec.report.history.resolved] == ["a"]  # type: ignore[union-attr]
    state = latest(history)
    assert state.run == rec.run
    assert [r.generated_at[:10] for r in state.runs] == ["2026-01-01", "2026-01-02", "2026-01-03"]


def test_losing_every_race_is_a_sentence(history):
    store = open_store(history)
    other = _report([_finding("a")], at="2026-01-01T00:00:00Z")
    with pytest.raises(HistoryError, match=r"other drift runs of acme-stage kept updating"):
        record(Racing(store, other, times=99), _report([], at="2026-01-02T00:00:00Z"), attempts=3)
    assert latest(history).runs[-1].generated_at == "2026-01-01T00:00:00Z"


def test_history_that_cannot_be_read_is_exit_1_with_the_report_written(tmp_path):
    location = tmp_path / "history"
    (location / wk.PROJECT).mkdir(parents=True)
    (location / wk.PROJECT / "latest.json").write_text("{not json")
    night = nk.run_night(tmp_path, 0, nk.world(mode="dev"), str(location))
    assert night.code == 1
    assert "history not recorded" in night.stderr
    assert "latest.json cannot be read as history" in night.stderr
    assert night.report is not None and "history" not in night.report  # still written
    assert "Traceback" not in night.stderr


def test_an_unusable_location_fails_before_the_scan(tmp_path):
    afile = tmp_path / "file"
    afile.write_text("x")
    for location, says in [
        (str(afile), "is a file, not a folder"),
        ("s3://bucket/x", "s3://... is not supported"),
        ("gs://A_B/x", "is not a Cloud Storage bucket name"),
    ]:
        night = nk.run_night(tmp_path, 0, nk.world(mode="dev"), location)
        assert night.code == 1, location
        assert says in night.stderr and "Nothing was checked" in night.stderr
        assert night.report is None


def test_without_history_the_report_has_no_history_keys(tmp_path):
    exp = nk.expected(tmp_path)
    from drift.emulator import Emulator

    with Emulator(nk.world(mode="dev")) as emu:
        result = CliRunner().invoke(
            main,
            ["diff", "--project", wk.PROJECT, "--expected", str(exp), "--api-endpoint",
             emu.base_url, "--format", "json", "--quiet"],
            env={"SOURCE_DATE_EPOCH": str(nk.EPOCH)},
        )  # fmt: skip
    assert result.exit_code == 2
    assert '"history"' not in result.stdout


def test_reports_with_history_follow_the_report_schema(tmp_path):
    import jsonschema

    location = str(tmp_path / "history")
    nk.run_night(tmp_path, 0, nk.world(mode="dev"), location)
    night = nk.run_night(tmp_path, 1, nk.world(worker_max=9), location)
    assert night.report is not None and night.resolved()
    jsonschema.validate(night.report, report_schema())
    schema = report_schema()
    assert "history" in schema["properties"]
    assert "history" in schema["definitions"]["finding"]["properties"]
    broken = json.loads(json.dumps(night.report))
    broken["findings"][0]["history"]["status"] = "resolved"
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.validate(broken, report_schema())


def test_drift_history_prints_the_trend(tmp_path):
    location = str(tmp_path / "history")
    nk.run_night(tmp_path, 0, nk.world(mode="dev", worker_max=9), location)
    nk.run_night(tmp_path, 2, nk.world(level="debug", worker_max=9), location)
    today = str(nk.EPOCH + 3 * nk.DAY)
    args = ["history", "--project", wk.PROJECT, "--history", location, "--days", "4"]
    table = CliRunner().invoke(main, args, env={"SOURCE_DATE_EPOCH": today})
    assert table.exit_code == 0, table.stderr
    lines = table.stdout.splitlines()
    assert lines[1].split() == ["DATE", "RUNS", "CRITICAL", "WARNING", "INFO", "NEW",
                                "RESOLVED", "NOT", "CHECKED"]  # fmt: skip
    rows = {line.split()[0]: line.split()[1:] for line in lines[2:6]}
    assert rows["2025-11-24"][0] == "1" and rows["2025-11-24"][4:6] == ["2", "0"]
    assert rows["2025-11-25"] == ["0", "-", "-", "-", "0", "0", "-"]
    assert rows["2025-11-26"][0] == "1" and rows["2025-11-26"][4:6] == ["1", "1"]
    assert rows["2025-11-27"][0] == "0"
    as_json = CliRunner().invoke(main, [*args, "--format", "json"],
                                 env={"SOURCE_DATE_EPOCH": today})  # fmt: skip
    doc = json.loads(as_json.stdout)
    assert doc["schema"] == "drift-history-trend/v1"
    assert [d["runs"] for d in doc["days"]] == [1, 0, 1, 0]
    assert (doc["days"][2]["critical"], doc["days"][2]["warning"]) == (1, 1)  # env, scaling
    assert doc["latest_run"]["resolved"] == 1


def test_drift_history_without_history_is_a_sentence(tmp_path):
    result = CliRunner().invoke(
        main, ["history", "--project", wk.PROJECT, "--history", str(tmp_path / "none")]
    )
    assert result.exit_code == 1
    assert "no run of acme-stage is recorded" in result.stderr
    bare = ["history", "--project", wk.PROJECT]
    result = CliRunner().invoke(main, bare, env={"DRIFT_HISTORY": ""})
    assert result.exit_code == 1 and "give --history LOCATION" in result.stderr


# -- the pure rules ---------------------------------------------------------------------


def _finding(path: str, region: str | None = "us-central1", type_: str = "changed",
             severity: str = "critical", kind: str = "services", **kw: Any) -> Finding:  # fmt: skip
    return Finding(path=path, kind=kind, resource=path.split("/")[1] if "/" in path else path,
                   region=region, field=None, type=type_, severity=severity,
                   expected=kw.get("expected", 1), actual=kw.get("actual", 2),
                   message=kw.get("message", "differs"), source=kw.get("source"),
                   rule=kw.get("rule"))  # fmt: skip


def _report(findings: list[Finding], not_checked: tuple[NotChecked, ...] = (),
            at: str = "2026-01-01T00:00:00Z") -> Report:  # fmt: skip
    return Report(project=wk.PROJECT, project_number=None, generated_at=at,
                  source_type="emulator", source_detail="", baseline_path="expected",
                  baseline_sha256="0" * 64, resources_checked=1, findings=tuple(findings),
                  not_checked=not_checked)  # fmt: skip


def test_the_id_is_who_a_finding_is_never_its_values():
    f = _finding("services/api/env/MODE")
    same = replace(
        f,
        expected="x",
        actual="<redacted sha256:12345678>",
        message="other",
        severity="warning",
        source="expected/p/s.yaml:3",
        rule="a-rule",
    )
    assert finding_id(same) == finding_id(f)
    assert len(finding_id(f)) == 16
    assert finding_id(replace(f, path="services/api/env/LEVEL")) != finding_id(f)
    assert finding_id(replace(f, region="europe-west1")) != finding_id(f)
    assert finding_id(replace(f, type="missing")) != finding_id(f)
    lint = replace(f, type="lint", rule="lint:placeholder")
    assert finding_id(replace(lint, rule="lint:host_spelling")) != finding_id(lint)


def test_marks_and_resolution_on_plain_data():
    a, b, c = _finding("services/a/x"), _finding("services/b/x"), _finding("services/c/x")
    r1, s1 = advance(None, _report([a, b]), "runs/1.json")
    assert [f.history.status for f in r1.findings] == ["new", "new"]  # type: ignore[union-attr]
    r2, s2 = advance(s1, _report([b, c], at="2026-01-02T00:00:00Z"), "runs/2.json")
    assert {f.path: f.history.status for f in r2.findings} == {  # type: ignore[union-attr]
        "services/b/x": "open", "services/c/x": "new",
    }  # fmt: skip
    assert [t.path for t in r2.history.resolved] == ["services/a/x"]  # type: ignore[union-attr]
    assert r2.history.previous_run == "runs/1.json"  # type: ignore[union-attr]
    assert [o.finding.path for o in s2.open] == ["services/b/x", "services/c/x"]
    assert State.from_json(json.loads(json.dumps(s2.to_json()))) == s2


@pytest.mark.parametrize(
    ("kind", "region", "not_checked", "resolved"),
    [
        # a regional kind: its own region hides it, another region does not
        ("services", "us-central1", NotChecked("services", "us-central1", "403"), False),
        ("services", "us-central1", NotChecked("services", "europe-west1", "403"), True),
        ("services", "us-central1", NotChecked("services", None, "403"), False),
        # a global kind: any failure hides it
        ("secrets", None, NotChecked("secrets", None, "403"), False),
        # another kind failing does not hide this one
        ("secrets", None, NotChecked("services", "us-central1", "403"), True),
        # Compute (global and regional lists): each scope hides only itself
        ("health_checks", None, NotChecked("health_checks", "us-central1", "403"), True),
        ("health_checks", "us-central1", NotChecked("health_checks", "us-central1", "403"), False),
        ("health_checks", None, NotChecked("health_checks", None, "403"), False),
        # a kind drift has no collector for
        ("databases", None, NotChecked("databases", None, "no collector"), False),
    ],
)
def test_a_finding_is_resolved_only_where_the_run_looked(kind, region, not_checked, resolved):
    f = _finding(f"{kind}/r/x", region=region, kind=kind)
    _, state = advance(None, _report([f]), "runs/1.json")
    report, after = advance(state, _report([], (not_checked,)), "runs/2.json")
    assert bool(report.history.resolved) is resolved  # type: ignore[union-attr]
    assert bool(after.open) is not resolved


def test_a_broken_reference_needs_a_complete_run():
    f = _finding("services/api/env/DB", type_="broken_reference")
    t = TrackedFinding(finding_id(f), f.path, f.kind, f.region, f.type, f.severity, None, "t")
    elsewhere = _report([], (NotChecked("secrets", None, "403"),))
    assert looked_at(elsewhere, None, t) is False  # the secret it names was not listed
    assert looked_at(_report([]), None, t) is True
    assert looked_at(_report([]), {"secrets"}, t) is False  # --kinds left services out


def test_alert_bookkeeping():
    a, b = _finding("services/a/x"), _finding("services/b/x", severity="warning")
    _, s1 = advance(None, _report([a, b]), "runs/1.json")
    told = pending(s1, "webhook:1")
    assert [f.path for f in told.new] == ["services/a/x", "services/b/x"]  # critical first
    s1 = delivered(s1, "webhook:1", told)
    assert pending(s1, "webhook:1").new == ()
    assert len(pending(s1, "slack:2").new) == 2  # another destination was not told
    _, s2 = advance(s1, _report([b], at="2026-01-02T00:00:00Z"), "runs/2.json")
    assert [f.path for f in pending(s2, "webhook:1").resolved] == ["services/a/x"]
    assert pending(s2, "slack:2").resolved == ()  # never told it was open
    # Back before its resolution was told: still open to webhook:1, nothing to say.
    _, s3 = advance(s2, _report([a, b], at="2026-01-03T00:00:00Z"), "runs/3.json")
    assert pending(s3, "webhook:1").new == () and pending(s3, "webhook:1").resolved == ()


def test_daily_folds_runs_into_days():
    import datetime as dt

    entries = [
        {"date": "2026-01-01", "critical": 2, "warning": 0, "info": 0, "new": 2, "resolved": 0,
         "not_checked": 0},
        {"date": "2026-01-01", "critical": 1, "warning": 1, "info": 0, "new": 1, "resolved": 2,
         "not_checked": 1},
        {"date": "2026-01-03", "critical": 0, "warning": 0, "info": 0, "new": 0, "resolved": 2,
         "not_checked": 0},
    ]  # fmt: skip
    rows = daily(entries, 3, dt.date(2026, 1, 3))
    assert [r["date"] for r in rows] == ["2026-01-01", "2026-01-02", "2026-01-03"]
    assert rows[0] == {"date": "2026-01-01", "runs": 2, "critical": 1, "warning": 1, "info": 0,
                       "new": 3, "resolved": 2, "not_checked": 1}  # fmt: skip
    assert rows[1]["runs"] == 0 and rows[1]["critical"] is None


def test_local_store_conditional_writes(tmp_path):
    store = LocalStore(tmp_path)
    g1 = store.put("p/x.json", "one", None)
    with pytest.raises(Conflict):
        store.put("p/x.json", "two", None)  # must not exist
    with pytest.raises(Conflict):
        store.put("p/x.json", "two", "not-the-generation")
    g2 = store.put("p/x.json", "two", g1)
    assert store.get("p/x.json") == Stored("two", g2)
    assert [p.name for p in (tmp_path / "p").iterdir() if "tmp" in p.name] == []


def test_project_names_cannot_leave_the_history_folder(tmp_path):
    store = LocalStore(tmp_path)
    with pytest.raises(HistoryError, match="cannot name a history folder"):
        record(store, replace(_report([]), project="../etc"))


def test_every_project_of_a_run_is_recorded_and_alerted(tmp_path):
    """`drift diff --project a --project b --output-dir D --history H --notify ...`: each
    project's report file carries its own marks; each project alerts on its own."""
    from drift.emulator import Emulator
    from tests import projectkit as pk

    exp = pk.baselines(tmp_path, ["proj-a", "proj-b"])
    location = str(tmp_path / "history")

    def run(n: int, memory_a: str, memory_b: str, rx: nk.Receiver) -> Any:
        with Emulator(pk.world({"proj-a": memory_a, "proj-b": memory_b})) as emu:
            return CliRunner().invoke(
                main,
                ["diff", "--project", "proj-a", "--project", "proj-b", "--expected", str(exp),
                 "--api-endpoint", emu.base_url, "--output-dir", str(tmp_path / f"out{n}"),
                 "--format", "json", "--history", location, "--notify",
                 f"webhook:{rx.url('/hook')}"],
                env={"SOURCE_DATE_EPOCH": str(nk.EPOCH + n * nk.DAY)},
            )  # fmt: skip

    def report(n: int, project: str) -> dict[str, Any]:
        data: dict[str, Any] = json.loads((tmp_path / f"out{n}" / f"{project}.json").read_text())
        return data

    with nk.Receiver() as rx:
        first = run(0, "2Gi", "1Gi", rx)
        second = run(1, "1Gi", "4Gi", rx)
    assert (first.exit_code, second.exit_code) == (2, 2), second.stderr
    assert report(0, "proj-a")["history"]["previous_run"] is None
    assert [f["history"]["status"] for f in report(0, "proj-a")["findings"]] == ["new"]
    assert report(0, "proj-b")["findings"] == []
    assert [f["path"] for f in report(1, "proj-a")["history"]["resolved"]] == [
        "services/api/memory"
    ]
    assert [f["history"]["status"] for f in report(1, "proj-b")["findings"]] == ["new"]
    for project in ("proj-a", "proj-b"):
        state, _ = read_state(open_store(location), project)
        assert state is not None and len(state.runs) == 2
    alerts = [(a["project"], a["summary"]["new"], a["summary"]["resolved"])
              for a in rx.bodies("/hook")]  # fmt: skip
    assert sorted(alerts) == [("proj-a", 0, 1), ("proj-a", 1, 0), ("proj-b", 1, 0)]


def test_the_html_report_draws_the_trend_of_the_history(tmp_path):
    location = str(tmp_path / "history")
    nk.run_night(tmp_path, 0, nk.world(mode="dev"), location)
    night = nk.run_night(tmp_path, 1, nk.world(mode="dev", worker_max=9), location,
                         "--format", "html")  # fmt: skip
    assert night.code == 2
    page = night.output.read_text()
    assert "No history yet" not in page
    assert "2025-11-24T16:00:00Z: 1 critical, 0 warning" in page
    assert "2025-11-25T16:00:00Z: 1 critical, 1 warning" in page
