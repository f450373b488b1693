"""History in Cloud Storage (`--history gs://BUCKET/PREFIX`): drift/collectors/history_gcs.py
through the real google-cloud-storage client against tests/gcsfake.py on loopback
(STORAGE_EMULATOR_HOST), which keeps generations and enforces `ifGenerationMatch`.

The scenarios both backends share (one new and one resolved, not-checked kinds, a kill
between report and pointer, races) are in tests/test_history.py; here is what only GCS has.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from pathlib import Path

import pytest

from drift.collectors.history_gcs import GCSStore
from drift.history import HistoryError, open_store
from drift.history.store import Conflict
from tests import nightlykit as nk
from tests import worldkit as wk
from tests.gcsfake import FakeGcs, GcsFault

LOCATION = f"gs://{nk.BUCKET}/nightly"
POINTER = f"nightly/{wk.PROJECT}/latest.json"


@pytest.fixture
def gcs(monkeypatch: pytest.MonkeyPatch) -> Iterator[FakeGcs]:
    with FakeGcs({nk.BUCKET}) as fake:
        monkeypatch.setenv("STORAGE_EMULATOR_HOST", fake.base_url)
        yield fake


def test_runs_and_pointer_are_objects_under_the_prefix_written_conditionally(tmp_path, gcs):
    first = nk.run_night(tmp_path, 0, nk.world(mode="dev"), LOCATION)
    second = nk.run_night(tmp_path, 1, nk.world(worker_max=9), LOCATION)
    assert (first.code, second.code) == (2, 2), second.stderr
    names = gcs.names(nk.BUCKET)
    runs = [n for n in names if "/runs/" in n]
    assert POINTER in names and len(runs) == 2
    assert all(re.fullmatch(rf"nightly/{wk.PROJECT}/runs/\d{{8}}T\d{{6}}Z-[0-9a-f]{{8}}\.json",
                            n) for n in runs)  # fmt: skip
    pointer = json.loads(gcs.text(nk.BUCKET, POINTER) or "")
    assert f"nightly/{wk.PROJECT}/{pointer['run']}" == runs[-1]
    assert json.loads(gcs.text(nk.BUCKET, runs[-1]) or "") == second.report
    # Every write had a generation precondition: 0 (must not exist) for each run's report
    # and the first pointer, then the generation read.
    posts = [(n, g) for m, n, g in gcs.requests if m == "POST"]
    assert all(g is not None for _, g in posts), posts
    assert [g for n, g in posts if n == POINTER][0] == "0"
    assert [g for n, g in posts if n == POINTER][1] != "0"
    assert [g for n, g in posts if "/runs/" in n] == ["0", "0"]
    assert f"report kept at {LOCATION}/{wk.PROJECT}/runs/" in second.stderr


def test_a_pointer_write_whose_answer_was_lost_is_recognised(tmp_path, gcs):
    """The write lands, the answer is a 503, the client retries with the same
    precondition and gets 412: the run sees its own pointer and is done, once."""
    nk.run_night(tmp_path, 0, nk.world(mode="dev"), LOCATION)
    gcs.faults.append(GcsFault("POST", re.compile(r"/latest\.json$"), 503, times=1, apply=True))
    second = nk.run_night(tmp_path, 1, nk.world(worker_max=9), LOCATION)
    assert second.code == 2, second.stderr
    assert second.marks() == {"services/worker/max_instances": "new"}
    pointer = json.loads(gcs.text(nk.BUCKET, POINTER) or "")
    assert len(pointer["runs"]) == 2  # not recorded twice
    assert gcs.faults[0].times == 0  # the fault did happen


def test_a_refused_write_is_a_sentence_and_exit_1_with_the_report_written(tmp_path, gcs):
    gcs.faults.append(GcsFault("POST", re.compile(r"."), 403, times=None))
    night = nk.run_night(tmp_path, 0, nk.world(mode="dev"), LOCATION)
    assert night.code == 1
    assert f"cannot write {LOCATION}/{wk.PROJECT}/runs/" in night.stderr
    assert "403" in night.stderr and "roles/storage.objectUser" in night.stderr
    assert "Traceback" not in night.stderr
    assert night.report is not None and night.report["findings"]  # the report is not lost
    assert gcs.names(nk.BUCKET) == []


def test_a_missing_bucket_is_named(tmp_path, gcs):
    night = nk.run_night(tmp_path, 0, nk.world(mode="dev"), "gs://no-such-bucket/x")
    assert night.code == 1
    assert "bucket no-such-bucket does not exist or this account cannot see it" in night.stderr
    assert night.report is not None


def test_a_passing_server_error_on_read_is_retried(tmp_path, gcs):
    nk.run_night(tmp_path, 0, nk.world(mode="dev"), LOCATION)
    gcs.faults.append(GcsFault("GET", re.compile(r"/latest\.json$"), 503, times=1))
    second = nk.run_night(tmp_path, 1, nk.world(mode="dev"), LOCATION)
    assert second.code == 2, second.stderr
    assert second.marks() == {"services/api/env/MODE": "open"}


def test_store_semantics_through_the_client(gcs):
    store = open_store(LOCATION)
    assert isinstance(store, GCSStore)
    assert store.get("p/x.json") is None
    g1 = store.put("p/x.json", "one é", None)
    with pytest.raises(Conflict):
        store.put("p/x.json", "two", None)
    with pytest.raises(Conflict):
        store.put("p/x.json", "two", str(int(g1) + 7))
    g2 = store.put("p/x.json", "two", g1)
    got = store.get("p/x.json")
    assert got is not None and (got.text, got.generation) == ("two", g2)
    assert store.location("p/x.json") == f"{LOCATION}/p/x.json"
    assert open_store(f"gs://{nk.BUCKET}").location("a") == f"gs://{nk.BUCKET}/a"


def test_not_utf8_is_a_sentence(gcs, tmp_path: Path):
    gcs.objects[(nk.BUCKET, POINTER)] = (b"\xff\xfe", 5)
    with pytest.raises(HistoryError, match="is not UTF-8 text"):
        open_store(LOCATION).get(f"{wk.PROJECT}/latest.json")


def test_a_run_report_write_whose_answer_was_lost_is_recognised(tmp_path, gcs):
    gcs.faults.append(GcsFault("POST", re.compile(r"/runs/"), 503, times=1, apply=True))
    night = nk.run_night(tmp_path, 0, nk.world(mode="dev"), LOCATION)
    assert night.code == 2, night.stderr
    assert len([n for n in gcs.names(nk.BUCKET) if "/runs/" in n]) == 1
    assert gcs.faults[0].times == 0
