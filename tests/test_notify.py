"""`drift diff --history LOC --notify slack:URL --notify webhook:URL` (issue 11).

Alerts go to a loopback receiver (tests/nightlykit.py) through the real clients: Slack's
WebhookClient (slack_sdk) and httpx. A destination hears of a run only when something is
new to it, resolved, or not checked; never twice for the same open finding; a failed send
is retried with backoff, makes the run exit 1 with its report and history saved, and is
sent again on the next run.
"""

from __future__ import annotations

import json
import time
from pathlib import Path
from typing import Any

import pytest

from drift.history import open_store
from drift.history.record import read_state
from drift.model import NotChecked, TrackedFinding
from drift.notify.message import TOP_NEW, Alert, body, slack_escape, slack_text
from tests import nightlykit as nk
from tests import worldkit as wk

HOOK = "/hooks/T000/B000/s3cretT0ken"  # a webhook path is a secret: never shown, never stored
SLACK = "/services/T111/B111/sl4ckS3cret"


def notify_args(rx: nk.Receiver, *extra: str) -> list[str]:
    return ["--notify", f"webhook:{rx.url(HOOK)}", "--notify", f"slack:{rx.url(SLACK)}",
            "--notify-deadline", "1", *extra]  # fmt: skip


def night(tmp_path: Path, n: int, world: dict[str, Any], rx: nk.Receiver, *extra: str,
          **kw: Any) -> nk.Night:  # fmt: skip
    return nk.run_night(tmp_path, n, world, str(tmp_path / "history"), *notify_args(rx, *extra),
                        **kw)  # fmt: skip


def test_the_same_open_finding_on_three_nights_alerts_once(tmp_path):
    with nk.Receiver() as rx:
        codes = [night(tmp_path, n, nk.world(mode="dev"), rx).code for n in range(3)]
    assert codes == [2, 2, 2]
    assert (rx.count(HOOK), rx.count(SLACK)) == (1, 1)
    [alert] = rx.bodies(HOOK)
    assert alert["schema"] == "drift-alert/v1"
    assert alert["project"] == wk.PROJECT
    assert alert["summary"] == {"critical": 1, "warning": 0, "info": 0, "new": 1, "resolved": 0,
                                "not_checked": 0}  # fmt: skip
    [new] = alert["new"]
    assert (new["path"], new["severity"], new["type"]) == ("services/api/env/MODE", "critical",
                                                           "changed")  # fmt: skip
    assert new["message"] and new["id"]
    assert alert["report_url"].startswith(str(tmp_path / "history" / wk.PROJECT / "runs"))
    [slack] = rx.bodies(SLACK)
    assert "acme-stage: 1 new, 0 resolved" in slack["text"]
    assert "services/api/env/MODE" in slack["text"]


def test_new_and_resolved_each_wake_once(tmp_path):
    with nk.Receiver() as rx:
        night(tmp_path, 0, nk.world(mode="dev"), rx)
        second = night(tmp_path, 1, nk.world(worker_max=9), rx)  # MODE fixed, worker new
        night(tmp_path, 2, nk.world(worker_max=9), rx)  # nothing changed: no alert
    assert second.code == 2
    alerts = rx.bodies(HOOK)
    assert len(alerts) == 2
    assert alerts[1]["summary"]["new"] == 1 and alerts[1]["summary"]["resolved"] == 1
    assert [f["path"] for f in alerts[1]["resolved"]] == ["services/api/env/MODE"]
    assert [f["path"] for f in alerts[1]["new"]] == ["services/worker/max_instances"]
    assert "\nResolved: 1" in rx.bodies(SLACK)[1]["text"]


def test_a_500_exits_1_with_the_report_and_history_saved_and_is_sent_next_night(tmp_path):
    with nk.Receiver(statuses=[500]) as rx:
        start = time.monotonic()
        first = nk.run_night(
            tmp_path,
            0,
            nk.world(mode="dev"),
            str(tmp_path / "history"),
            "--notify",
            f"webhook:{rx.url(HOOK)}",
            "--notify-deadline",
            "1",
        )
        seconds = time.monotonic() - start
        tries = rx.count(HOOK)
    assert first.code == 1
    assert seconds < 20  # bounded: the deadline, not forever
    assert tries >= 2  # retried with backoff
    assert "webhook (127.0.0.1) alert failed: HTTP 500" in first.stderr
    assert "sent again on the next run" in first.stderr
    assert first.report is not None and first.report["findings"]  # the report is written
    state, _ = read_state(open_store(str(tmp_path / "history")), wk.PROJECT)
    assert state is not None and len(state.runs) == 1  # and the history
    assert state.open[0].alerted == ()
    # The next night the receiver works: the finding (open, not new) is sent, once.
    with nk.Receiver() as rx:
        second = nk.run_night(
            tmp_path,
            1,
            nk.world(mode="dev"),
            str(tmp_path / "history"),
            "--notify",
            f"webhook:{rx.url(HOOK)}",
        )
        third = nk.run_night(
            tmp_path,
            2,
            nk.world(mode="dev"),
            str(tmp_path / "history"),
            "--notify",
            f"webhook:{rx.url(HOOK)}",
        )
    assert (second.code, third.code) == (2, 2)
    assert second.marks() == {"services/api/env/MODE": "open"}
    [alert] = rx.bodies(HOOK)
    assert [f["path"] for f in alert["new"]] == ["services/api/env/MODE"]


def test_a_refusal_is_not_retried(tmp_path):
    with nk.Receiver(statuses=[404]) as rx:
        first = nk.run_night(
            tmp_path,
            0,
            nk.world(mode="dev"),
            str(tmp_path / "history"),
            "--notify",
            f"slack:{rx.url(SLACK)}",
        )
    assert first.code == 1
    assert rx.count(SLACK) == 1
    assert "slack (127.0.0.1) alert was refused: HTTP 404" in first.stderr


def test_one_destination_failing_does_not_hold_back_the_other(tmp_path):
    with nk.Receiver(statuses=[200]) as ok, nk.Receiver(statuses=[503]) as down:
        args = ["--notify", f"webhook:{ok.url(HOOK)}", "--notify", f"slack:{down.url(SLACK)}",
                "--notify-deadline", "0.5"]  # fmt: skip
        first = nk.run_night(tmp_path, 0, nk.world(mode="dev"), str(tmp_path / "history"), *args)
        down.statuses[:] = [200]
        second = nk.run_night(tmp_path, 1, nk.world(mode="dev"), str(tmp_path / "history"), *args)
    assert (first.code, second.code) == (1, 2)
    assert ok.count(HOOK) == 1  # told on night 0, not again
    assert len(down.bodies(SLACK)) >= 2
    assert "services/api/env/MODE" in down.bodies(SLACK)[-1]["text"]  # sent again, and got


def test_a_kind_not_checked_alerts_every_run(tmp_path):
    fault = [{"path": r"/services$", "status": 403, "times": None}]
    with nk.Receiver() as rx:
        night(tmp_path, 0, nk.world(), rx)  # clean: nothing to say
        second = night(tmp_path, 1, nk.world(), rx, faults=fault)
        night(tmp_path, 2, nk.world(), rx, faults=fault)
    assert second.code == 1
    alerts = rx.bodies(HOOK)
    assert len(alerts) == 2
    assert alerts[0]["summary"]["not_checked"] == 1
    assert alerts[0]["not_checked"][0]["kind"] == "services"
    assert "Not checked: services in us-central1: PERMISSION_DENIED" in rx.bodies(SLACK)[0]["text"]


def test_the_report_url_template(tmp_path):
    with nk.Receiver() as rx:
        n = night(
            tmp_path,
            0,
            nk.world(mode="dev"),
            rx,
            "--report-url",
            "https://reports.example.test/{project}/{run}?at={generated_at}",
        )
    assert n.code == 2
    url = rx.bodies(HOOK)[0]["report_url"]
    assert url.startswith("https://reports.example.test/acme-stage/runs/20251124T160000Z-")
    assert url.endswith(".json?at=2025-11-24T16:00:00Z")
    text = rx.bodies(SLACK)[0]["text"]
    assert f"<{url.replace('&', '&amp;')}|Report>" in text


def test_webhook_urls_are_secrets(tmp_path):
    with nk.Receiver(statuses=[500]) as rx:
        n = night(tmp_path, 0, nk.world(mode="dev"), rx)
    assert n.code == 1
    stored = "".join(p.read_text() for p in (tmp_path / "history").rglob("*.json"))
    for secret in ("s3cretT0ken", "sl4ckS3cret"):
        assert secret not in n.stderr
        assert secret not in stored


NASTY = "X<!channel>@here&<https://evil.test|click>\x1b[2J"


def test_live_text_cannot_mention_link_or_escape(tmp_path):
    """A live env var whose name is a Slack command, a mention, a link and an escape
    sequence; and a secret-looking value that must stay redacted."""
    world = nk.world(extra_env=[wk.env(NASTY, "v"), wk.env("API_TOKEN", "plain-s3cret-value")])
    with nk.Receiver() as rx:
        n = night(tmp_path, 0, world, rx)
    assert n.code == 2
    [(_, _, raw_slack)] = [p for p in rx.posts if p[0] == SLACK]
    [(_, _, raw_hook)] = [p for p in rx.posts if p[0] == HOOK]
    text = json.loads(raw_slack)["text"]
    assert "<!channel>" not in text and "<https://evil" not in text
    assert "&lt;!channel&gt;" in text and "@\u200bhere" in text
    assert "\x1b" not in text and "\\x1b[2J" in text
    for raw in (raw_slack, raw_hook):
        assert b"\x1b" not in raw
        assert b"plain-s3cret-value" not in raw
    paths = [f["path"] for f in json.loads(raw_hook)["new"]]
    assert f"services/api/env/{NASTY}" in paths  # the JSON keeps the exact name


def test_notify_needs_history_and_good_values(tmp_path):
    from click.testing import CliRunner

    from drift.cli import main

    exp = nk.expected(tmp_path)
    base = ["diff", "--project", wk.PROJECT, "--expected", str(exp), "--emulator", "--quiet"]
    cases = [
        (["--notify", "webhook:https://h.test/x"], "--notify needs --history LOCATION"),
        (["--history", str(tmp_path / "h"), "--notify", "email:a@b"], "--notify takes slack:"),
        (["--history", str(tmp_path / "h"), "--notify", "webhook:ftp://x"], "http(s) URL"),
        (["--history", str(tmp_path / "h"), "--notify", "webhook:https://h.test/x",
          "--report-url", "https://r.test/{nope}"], "unknown placeholder {nope}"),
    ]  # fmt: skip
    for extra, says in cases:
        result = CliRunner().invoke(main, [*base, *extra])
        assert result.exit_code == 1, extra
        assert says in result.stderr, (extra, result.stderr)
        assert not (tmp_path / "h").exists()  # failed before any work


# -- the message on plain data ----------------------------------------------------------


def _tracked(n: int, severity: str = "critical") -> TrackedFinding:
    return TrackedFinding(f"{n:016x}", f"services/s{n:02d}/env/X", "services", "us-central1",
                          "changed", severity, None, "2026-01-01T00:00:00Z")  # fmt: skip


def _alert(**kw: Any) -> Alert:
    base: dict[str, Any] = dict(
        project="p", generated_at="2026-01-02T00:00:00Z", report_url="gs://b/p/runs/r.json",
        counts={"critical": 12, "warning": 0, "info": 0}, new=(), resolved=(), not_checked=(),
        messages={},
    )  # fmt: skip
    return Alert(**{**base, **kw})


def test_at_most_ten_new_findings_are_listed():
    alert = _alert(new=tuple(_tracked(n) for n in range(12)))
    doc = body(alert)
    assert len(doc["new"]) == TOP_NEW == 10
    assert doc["new_not_listed"] == 2 and doc["summary"]["new"] == 12
    text = slack_text(alert)
    assert text.count("\n- [critical]") == 10 and "- and 2 more new" in text
    assert "Report: gs://b/p/runs/r.json" in text  # not a link: Slack links http(s) only


def test_nothing_to_say_is_not_sent():
    assert not _alert().worth_sending()
    assert _alert(resolved=(_tracked(1),)).worth_sending()
    assert _alert(not_checked=(NotChecked("secrets", None, "403"),)).worth_sending()


@pytest.mark.parametrize(
    ("raw", "shown"),
    [
        ("<!channel>", "&lt;!channel&gt;"),
        ("<!here|x>", "&lt;!here|x&gt;"),
        ("@channel @here @everyone", "@\u200bchannel @\u200bhere @\u200beveryone"),
        ("a & b", "a &amp; b"),
        ("<@U123>", "&lt;@\u200bU123&gt;"),
        ("line\nfake", "line\\nfake"),
    ],
)
def test_slack_escape(raw, shown):
    assert slack_escape(raw) == shown
