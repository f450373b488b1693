"""--read-secret-digests: payloads are read only when asked, only for secrets declaring
sha256, and only their digest ever leaves the collector."""

from __future__ import annotations

import base64
import hashlib
import json
import urllib.error
import urllib.request
from typing import Any

import pytest

from drift.emulator import Emulator
from drift.emulator.access import crc32c
from drift.emulator.discovery import validate
from tests import worldkit as wk
from tests.test_e2e import by_path, diff, run

CURRENT = "pg-pass-2026-current-7c41e9"  # db-pass version 2: the latest ENABLED one
OLD = "pg-pass-2025-old-0b7d33"  # version 1 (enabled, older)
NEWEST_DISABLED = "pg-pass-disabled-a9f0e1"  # version 3 (newest, DISABLED)
TOKEN = "api-token-plaintext-55d2c8"  # api-token: no sha256 declared, never read


def digest(text: str) -> str:
    return "sha256:" + hashlib.sha256(text.encode()).hexdigest()


def short(full: str) -> str:
    """The fingerprint reports show of a digest: sha256: and its first 8 hex."""
    return full[:15] + "..."


def b64(text: str) -> str:
    return base64.b64encode(text.encode()).decode()


def world(current: str = CURRENT) -> dict[str, Any]:
    w = wk.world(
        services=[],
        secrets=[wk.secret("db-pass"), wk.secret("api-token")],
        versions=[
            wk.version("db-pass", 1),
            {**wk.version("db-pass", 2), "createTime": "2026-02-01T00:00:00Z"},
            {**wk.version("db-pass", 3, "DISABLED"), "createTime": "2026-03-01T00:00:00Z"},
            wk.version("api-token", 1),
        ],
    )
    w["projects"][wk.PROJECT]["secretPayloads"] = {
        f"projects/{wk.NUMBER}/secrets/db-pass/versions/1": b64(OLD),
        f"projects/{wk.NUMBER}/secrets/db-pass/versions/2": b64(current),
        f"projects/{wk.NUMBER}/secrets/db-pass/versions/3": b64(NEWEST_DISABLED),
        f"projects/{wk.NUMBER}/secrets/api-token/versions/1": b64(TOKEN),
    }
    return w


def baseline(declared: str = CURRENT) -> dict[str, str]:
    return {
        "secrets.yaml": f"""
            secrets:
              db-pass: {{replication: automatic, sha256: "{digest(declared)}"}}
              api-token: {{enabled_versions: {{min: 1}}}}
        """
    }


def accesses(stats: dict[str, Any]) -> list[str]:
    return [e[1].split("?")[0] for e in stats["log"] if ":access" in e[1]]


PLAINTEXTS = (CURRENT, OLD, NEWEST_DISABLED, TOKEN)


def assert_no_plaintext(*texts: str) -> None:
    for text in texts:
        for secret in PLAINTEXTS:
            assert secret not in text and b64(secret) not in text


def test_without_the_flag_no_payload_is_read_and_sha256_is_a_note(tmp_path):
    result, report, stats = diff(tmp_path, world(), baseline("something else entirely"))
    assert accesses(stats) == []
    assert report["findings"] == [], report["findings"]
    assert report["notes"] == ["sha256 of 1 secret(s) not checked: pass --read-secret-digests"]
    assert result.exit_code == 0
    assert_no_plaintext(result.stdout, result.stderr)


def test_matching_digest_reads_one_payload_of_the_latest_enabled_version(tmp_path):
    result, report, stats = diff(tmp_path, world(), baseline(), extra=["--read-secret-digests"])
    assert accesses(stats) == [f"/v1/projects/{wk.NUMBER}/secrets/db-pass/versions/2:access"]
    assert report["findings"] == [] and report["notes"] == []
    assert result.exit_code == 0
    assert_no_plaintext(result.stdout, result.stderr)


def test_different_payload_is_a_changed_digest_and_never_plaintext(tmp_path):
    rotated = "pg-pass-rotated-by-hand-e3b0c4"
    result, report, _ = diff(
        tmp_path, world(current=rotated), baseline(), extra=["--read-secret-digests"]
    )
    found = by_path(report)
    f = found[("secrets/db-pass/sha256", "changed")]
    # Only short fingerprints: a full digest of a guessable secret confirms a guess offline.
    assert (f["expected"], f["actual"]) == (short(digest(CURRENT)), short(digest(rotated)))
    assert digest(rotated)[7:] not in result.stdout
    assert len(report["findings"]) == 1
    assert result.exit_code == 2
    assert_no_plaintext(result.stdout, result.stderr)
    assert rotated not in result.stdout and b64(rotated) not in result.stdout

    # table, --output file and snapshot file: digests only
    expected = wk.write_baseline(tmp_path, baseline())
    common = ["--project", wk.PROJECT, "--expected", str(expected), "--read-secret-digests"]
    with Emulator(world(current=rotated)) as server:
        table = run(["diff", *common, "--format", "table", "--api-endpoint", server.base_url])
        out = tmp_path / "report.json"
        written = run(["diff", *common, "--output", str(out), "--api-endpoint", server.base_url])
        snap_file = tmp_path / "snap.json"
        snap = run(
            ["snapshot", *common, "--output", str(snap_file), "--api-endpoint", server.base_url]
        )
    assert (table.exit_code, written.exit_code, snap.exit_code) == (2, 2, 0)
    stored = snap_file.read_text()
    texts = [table.output, written.output, out.read_text(), stored, snap.output]
    for text in texts:
        assert rotated not in text and b64(rotated) not in text
        assert digest(rotated)[7:] not in text  # never the full live digest
    assert_no_plaintext(*texts)
    secrets = {r["name"]: r["fields"] for r in json.loads(stored)["resources"]}
    assert secrets["db-pass"]["sha256"] == short(digest(rotated))
    assert "sha256" not in secrets["api-token"]

    # the snapshot still compares later, without any API call
    again = run(["diff", "--project", wk.PROJECT, "--expected", str(expected), "--format",
                 "json", "--snapshot", str(snap_file)])  # fmt: skip
    assert again.exit_code == 2
    assert ("secrets/db-pass/sha256", "changed") in by_path(json.loads(again.stdout))


def test_snapshot_without_the_flag_has_no_digest_and_diff_notes_it(tmp_path):
    expected = wk.write_baseline(tmp_path, baseline())
    snap_file = tmp_path / "snap.json"
    with Emulator(world()) as server:
        snap = run(["snapshot", "--project", wk.PROJECT, "--expected", str(expected),
                    "--output", str(snap_file), "--api-endpoint", server.base_url])  # fmt: skip
        assert accesses(server.stats()) == []
    assert snap.exit_code == 0
    assert "sha256" not in snap_file.read_text()
    again = run(["diff", "--project", wk.PROJECT, "--expected", str(expected), "--format",
                 "json", "--snapshot", str(snap_file)])  # fmt: skip
    report = json.loads(again.stdout)
    assert again.exit_code == 0 and report["findings"] == []
    assert report["notes"] == ["sha256 of 1 secret(s) not checked: pass --read-secret-digests"]


def test_no_enabled_version_is_a_missing_digest(tmp_path):
    w = world()
    for v in w["projects"][wk.PROJECT]["secretVersions"]:
        if "/db-pass/" in v["name"]:
            v["state"] = "DISABLED"
    result, report, stats = diff(tmp_path, w, baseline(), extra=["--read-secret-digests"])
    assert accesses(stats) == []
    f = by_path(report)[("secrets/db-pass/sha256", "missing")]
    assert f["expected"] == short(digest(CURRENT)) and f["actual"] is None
    assert result.exit_code == 2


def test_access_denied_is_not_checked_never_missing(tmp_path):
    faults = [{"path": ":access$", "status": 403, "times": None}]
    result, report, _ = diff(
        tmp_path, world(), baseline(), extra=["--read-secret-digests"], faults=faults
    )
    assert result.exit_code == 1
    [nc] = report["not_checked"]
    assert nc["kind"] == "secrets" and nc["error"].startswith(
        "sha256 of db-pass: PERMISSION_DENIED"
    )
    assert not [f for f in report["findings"] if f["kind"] == "secrets"]


def test_transient_access_errors_heal(tmp_path):
    faults = [{"path": ":access$", "status": 503, "times": 1}]
    result, report, stats = diff(
        tmp_path, world(), baseline(), extra=["--read-secret-digests"], faults=faults
    )
    assert result.exit_code == 0, report
    assert len(accesses(stats)) == 2


@pytest.mark.parametrize(
    "version,status",
    [("2", 200), ("latest", 400), ("3", 400), ("9", 404)],
)
def test_emulator_access_route(version, status):
    w = world()
    w["projects"][wk.PROJECT]["secrets"][0]["versionAliases"] = {"current": "2"}
    with Emulator(w) as emu:
        for ref in (version, "current") if version == "2" else (version,):
            path = f"/v1/projects/{wk.PROJECT}/secrets/db-pass/versions/{ref}:access"
            try:
                with urllib.request.urlopen(emu.base_url + path, timeout=10) as resp:
                    code, body = resp.status, json.loads(resp.read())
            except urllib.error.HTTPError as err:
                code, body = err.code, json.loads(err.read())
            assert code == status
            if status == 200:
                assert validate("secretmanager.v1", "AccessSecretVersionResponse", body) == []
                assert body["name"] == f"projects/{wk.NUMBER}/secrets/db-pass/versions/2"
                assert base64.b64decode(body["payload"]["data"]).decode() == CURRENT
                assert body["payload"]["dataCrc32c"] == str(crc32c(CURRENT.encode()))
            else:
                assert validate("secretmanager.v1", "ErrorResponse", body) == []
            if status == 400:  # latest is version 3, which is DISABLED
                assert body["error"]["status"] == "FAILED_PRECONDITION"
        assert emu.stats()["requests"]["secretmanager"] >= 1


def test_crc32c_known_values():
    assert crc32c(b"") == 0
    assert crc32c(b"123456789") == 0xE3069283  # the CRC-32C check value
