"""Credentials first (issue 9, item 4): a scan of live GCP resolves them once, before it starts.

Without credentials, drift used to scan anyway and print google-auth's sentence once per
kind and region (14 times), without saying how to log in. Now: one sentence naming
`gcloud auth application-default login`, GOOGLE_APPLICATION_CREDENTIALS and --emulator,
exit 1, no scan. Each test runs drift in its own process with an empty HOME, so no gcloud
login is found, and with the GCE metadata server pointed at a closed port, so google-auth's
probe for it cannot hang (its settings are read when google.auth is imported).
"""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, HTTPServer
from pathlib import Path

import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa

ROOT = Path(__file__).resolve().parent.parent
DEMO = "netra-staging"
LOGIN = "`gcloud auth application-default login`"


def closed_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def no_credentials_env(home: Path, **extra: str) -> dict[str, str]:
    env = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith(("GOOGLE_", "CLOUDSDK_", "GCE_")) and k != "DRIFT_API_ENDPOINT"
    }
    dead = f"127.0.0.1:{closed_port()}"
    return {
        **env,
        "HOME": str(home),
        "CLOUDSDK_CONFIG": str(home / "gcloud"),
        "GCE_METADATA_HOST": dead,
        "GCE_METADATA_IP": dead,
        "NO_GCE_CHECK": "true",
        **extra,
    }


def drift(tmp_path: Path, *args: str, **env: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "drift", *args],
        capture_output=True,
        text=True,
        timeout=120,
        cwd=ROOT,
        env=no_credentials_env(tmp_path, **env),
    )


COMMANDS = {
    "diff": ["diff", "--project", DEMO, "--expected", str(ROOT / "expected")],
    "diff --output": [
        "diff",
        "--project",
        DEMO,
        "--expected",
        str(ROOT / "expected"),
        "--output",
        "OUT",
    ],
    "snapshot": [
        "snapshot",
        "--project",
        DEMO,
        "--expected",
        str(ROOT / "expected"),
        "--output",
        "OUT",
    ],
    "baseline init": [
        "baseline",
        "init",
        "--project",
        DEMO,
        "--expected",
        "NEW",
        "--regions",
        "us-central1",
    ],
}


def command(name: str, tmp_path: Path) -> list[str]:
    out = {"OUT": str(tmp_path / "out.json"), "NEW": str(tmp_path / "new")}
    return [out.get(a, a) for a in COMMANDS[name]]


def assert_one_sentence(proc: subprocess.CompletedProcess[str], tmp_path: Path) -> str:
    """Exit 1, one line on stderr saying how to log in, nothing scanned or written."""
    assert proc.returncode == 1, proc.stderr
    assert proc.stdout == ""
    assert proc.stderr.count("\n") == 1, proc.stderr
    said = proc.stderr
    assert said.startswith("drift: ") and said.rstrip().endswith("nothing was checked.")
    for name in (LOGIN, "GOOGLE_APPLICATION_CREDENTIALS", "--emulator"):
        assert name in said, said
    assert "Traceback" not in said and "DefaultCredentialsError" not in said
    assert not (tmp_path / "out.json").exists() and not (tmp_path / "new").exists()
    return said


@pytest.mark.parametrize("name", sorted(COMMANDS))
def test_no_credentials_at_all_is_one_sentence_and_no_scan(tmp_path, name):
    proc = drift(tmp_path, *command(name, tmp_path))
    said = assert_one_sentence(proc, tmp_path)
    assert said.startswith(
        "drift: no Google credentials found (GOOGLE_APPLICATION_CREDENTIALS "
        "is not set, there is no gcloud login and no metadata server): "
    )


def test_a_missing_key_file_is_named(tmp_path):
    missing = tmp_path / "nowhere" / "key.json"
    proc = drift(tmp_path, *command("diff", tmp_path), GOOGLE_APPLICATION_CREDENTIALS=str(missing))
    said = assert_one_sentence(proc, tmp_path)
    assert said.startswith(
        f"drift: GOOGLE_APPLICATION_CREDENTIALS names '{missing}', which "
        "google-auth could not use ("
    )


def service_account_key(path: Path, token_uri: str) -> Path:
    """A real service account key file (a fresh RSA key), its token server at `token_uri`."""
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    pem = key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    ).decode()
    path.write_text(
        json.dumps(
            {
                "type": "service_account",
                "project_id": DEMO,
                "private_key_id": "1",
                "private_key": pem,
                "client_email": f"drift@{DEMO}.iam.gserviceaccount.com",
                "client_id": "1",
                "token_uri": token_uri,
            }
        )
    )
    return path


def test_credentials_whose_token_server_cannot_be_reached(tmp_path):
    token_uri = f"http://127.0.0.1:{closed_port()}/token"
    key = service_account_key(tmp_path / "key.json", token_uri)
    proc = drift(tmp_path, *command("diff", tmp_path), GOOGLE_APPLICATION_CREDENTIALS=str(key))
    said = assert_one_sentence(proc, tmp_path)
    host = token_uri.rsplit("/", 1)[0]
    assert said.startswith(
        "drift: the Application Default Credentials could not get an "
        f"access token ({host}: connection refused): "
    )


@pytest.fixture
def refusing_token_server() -> Iterator[str]:
    """A token endpoint that answers as Google's does for a revoked key."""

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:  # noqa: N802 - http.server's name
            self.rfile.read(int(self.headers.get("Content-Length", 0)))
            body = b'{"error": "invalid_grant", "error_description": "Invalid JWT Signature."}'
            self.send_response(400)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args: object) -> None:
            pass

    server = HTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/token"
    finally:
        server.shutdown()
        server.server_close()


def test_credentials_the_token_server_refuses(tmp_path, refusing_token_server):
    key = service_account_key(tmp_path / "key.json", refusing_token_server)
    proc = drift(tmp_path, *command("diff", tmp_path), GOOGLE_APPLICATION_CREDENTIALS=str(key))
    said = assert_one_sentence(proc, tmp_path)
    assert said.startswith(
        "drift: the Application Default Credentials could not get an "
        "access token (invalid_grant: Invalid JWT Signature"
    )


@pytest.mark.parametrize("source", [["--emulator"], ["--snapshot", "SNAP"]])
def test_sources_that_need_no_credentials_do_not_ask_for_them(tmp_path, source):
    snap = tmp_path / "snap.json"
    if "SNAP" in source:
        made = drift(
            tmp_path,
            "snapshot",
            "--project",
            DEMO,
            "--expected",
            str(ROOT / "expected"),
            "--output",
            str(snap),
            "--emulator",
        )
        assert made.returncode == 0, made.stderr
    args = [str(snap) if a == "SNAP" else a for a in source]
    proc = drift(
        tmp_path,
        "diff",
        "--project",
        DEMO,
        "--expected",
        str(ROOT / "expected"),
        "--format",
        "json",
        *args,
    )
    assert proc.returncode == 2, proc.stderr  # the demo world drifts on purpose
    assert json.loads(proc.stdout)["not_checked"] == []
