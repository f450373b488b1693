"""What could not be checked is said once per cause (issue 9, item 4).

One cause (a refused connection, missing credentials, a missing role) fails every list it
touches; the table and stderr say it once, naming where, while the JSON report keeps one
`not_checked` entry per kind and region.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from click.testing import CliRunner
from google.auth import exceptions as auth_exc

from drift.cli import main
from drift.collectors.retry import describe_error
from drift.model import NotChecked
from drift.report.causes import cause_of, group
from tests import worldkit as wk

R1, R2 = "us-central1", "europe-west1"
REFUSED = "could not connect (connection refused)"


def nc(kind: str, region: str | None, error: str) -> NotChecked:
    return NotChecked(kind, region, error)


def refused(kind: str, region: str | None, api: str, path: str) -> NotChecked:
    return nc(kind, region, f"UNAVAILABLE: {api}: GET http://127.0.0.1:9/{path}: {REFUSED}")


# -- the rule, on plain data ------------------------------------------------------------------


def test_one_refused_host_is_one_cause_whatever_the_api_and_path():
    entries = [
        refused("secrets", None, "Secret Manager API", "v1/projects/p/secrets"),
        refused("services", R1, "Cloud Run Admin API", f"v2/projects/p/locations/{R1}/services"),
        refused(
            "health_checks", None, "Compute Engine API", "compute/v1/projects/p/global/healthChecks"
        ),
        refused(
            "health_checks",
            R1,
            "Compute Engine API",
            f"compute/v1/projects/p/regions/{R1}/healthChecks",
        ),
        refused("url_maps", None, "Compute Engine API", "compute/v1/projects/p/global/urlMaps"),
        refused(
            "url_maps", R1, "Compute Engine API", f"compute/v1/projects/p/regions/{R1}/urlMaps"
        ),
    ]
    (cause,) = group(entries)
    assert cause.error == f"UNAVAILABLE: GET http://127.0.0.1:9: {REFUSED}"
    assert cause.where() == (
        f"secrets; services in {R1}; health_checks, url_maps globally and in {R1}"
    )
    assert cause.line() == f"{cause.where()}: {cause.error}"


def test_the_same_server_error_in_each_region_is_one_cause():
    entries = [
        nc(
            "services",
            r,
            f"PERMISSION_DENIED: Cloud Run Admin API: GET https://run.googleapis.com"
            f"/v2/projects/p/locations/{r}/services: Permission 'run.services.list' "
            f"denied on 'projects/p/locations/{r}'",
        )
        for r in (R1, R2, "asia-east1")
    ]
    (cause,) = group(entries)
    assert cause.where() == f"services in {R1}, {R2} and asia-east1"
    assert cause.error.endswith("denied on 'projects/p/locations/<region>'")
    assert "/v2/projects" not in cause.error


def test_different_causes_stay_apart_and_a_single_one_is_kept_word_for_word():
    one = nc(
        "vpc_connectors",
        R1,
        "PERMISSION_DENIED: Serverless VPC Access API: GET "
        f"https://vpcaccess.googleapis.com/v1/projects/p/locations/{R1}"
        "/connectors: denied",
    )
    other = nc(
        "secrets",
        None,
        "UNAVAILABLE: Secret Manager API: GET https://secretmanager"
        ".googleapis.com/v1/projects/p/secrets: answered 200 with an "
        "empty body; a proxy in between?",
    )
    causes = group([one, other])
    assert [c.error for c in causes] == [one.error, other.error]
    assert [c.where() for c in causes] == [f"vpc_connectors in {R1}", "secrets"]


def test_a_server_error_keeps_the_api_a_connection_error_does_not():
    server = nc("secrets", None, "INTERNAL: Secret Manager API: GET https://h/v1/x: boom")
    assert cause_of(server) == "INTERNAL: Secret Manager API: GET https://h: boom"
    timeout = nc(
        "secrets",
        None,
        "DEADLINE_EXCEEDED: Secret Manager API: GET https://h/v1/x "
        "gave no complete answer within 30 s (a stalled connection)",
    )
    assert cause_of(timeout) == (
        "DEADLINE_EXCEEDED: GET https://h gave no complete answer "
        "within 30 s (a stalled connection)"
    )


def test_a_regional_host_name_groups_too():
    entries = [
        nc(
            "domain_mappings",
            r,
            f"UNAVAILABLE: Cloud Run Admin API: GET https://{r}-run"
            ".googleapis.com/v1/projects/p/locations/"
            f"{r}/domainmappings: could not resolve the host name",
        )
        for r in (R1, R2)
    ]
    (cause,) = group(entries)
    assert (
        cause.error == "UNAVAILABLE: GET https://<region>-run.googleapis.com: could not "
        "resolve the host name"
    )


def test_credentials_errors_read_alike_for_every_api():
    """Said once per run, not once per API: the credentials are the cause."""
    err = auth_exc.DefaultCredentialsError("Your default credentials were not found.")
    said = {describe_error(err, api) for api in ("run", "secretmanager", "vpcaccess", "compute")}
    (one,) = said
    assert one.startswith(
        "UNAUTHENTICATED: no Google credentials found (Your default "
        "credentials were not found): log in with `gcloud auth "
        "application-default login`"
    )
    refresh = auth_exc.RefreshError("invalid_grant: Bad Request", {"error": "invalid_grant"})
    assert describe_error(refresh, "run") == describe_error(refresh, "compute")
    assert "(invalid_grant: Bad Request)" in describe_error(refresh, "run")


# -- through the CLI --------------------------------------------------------------------------


def two_region_world(tmp_path: Path) -> tuple[Path, Path]:
    """Services and connectors in two regions, each list refused with a 403 that names
    its region, as Google's messages do."""
    world = wk.world(
        services=[wk.service("api"), wk.service("web", region=R2)],
        connectors=[wk.connector("c1"), wk.connector("c2", region=R2)],
    )
    world["emulator"] = {
        "faults": [
            {
                "path": f"/locations/{r}/(services|connectors)",
                "status": 403,
                "message": f"Permission denied on 'projects/{wk.PROJECT}/locations/{r}'",
            }
            for r in (R1, R2)
        ]
    }
    path = tmp_path / "world.json"
    path.write_text(json.dumps(world))
    expected = wk.write_baseline(
        tmp_path,
        {
            "s.yaml": f"services:\n  api: {{region: {R1}}}\n  web: {{region: {R2}}}\n"
            f"vpc_connectors:\n  c1: {{region: {R1}}}\n"
        },
        project_yaml=f"project: {wk.PROJECT}\nregions: [{R1}, {R2}]\n",
    )
    return path, expected


def run(args: list[str]) -> Any:
    return CliRunner().invoke(main, args, catch_exceptions=False)


def not_checked_lines(text: str, prefix: str) -> list[str]:
    return [line for line in text.splitlines() if line.startswith(prefix)]


def test_grouped_on_stderr_with_output_and_one_json_entry_per_scope(tmp_path):
    world, expected = two_region_world(tmp_path)
    out = tmp_path / "r.json"
    r = run(
        [
            "diff",
            "--project",
            wk.PROJECT,
            "--expected",
            str(expected),
            "--emulator",
            str(world),
            "--output",
            str(out),
        ]
    )
    assert r.exit_code == 1
    lines = not_checked_lines(r.stderr, "drift: not checked: ")
    assert lines == [  # in the order of project.yaml's regions
        f"drift: not checked: services in {R1} and {R2}: PERMISSION_DENIED: Cloud Run Admin API: "
        f"GET {_base(out)}: Permission denied on 'projects/{wk.PROJECT}/locations/<region>'",
        f"drift: not checked: vpc_connectors in {R1} and {R2}: PERMISSION_DENIED: Serverless VPC "
        f"Access API: GET {_base(out)}: Permission denied on 'projects/{wk.PROJECT}/locations/"
        "<region>'",
    ]
    entries = json.loads(out.read_text())["not_checked"]
    assert sorted((e["kind"], e["region"]) for e in entries) == [
        ("services", R2),
        ("services", R1),
        ("vpc_connectors", R2),
        ("vpc_connectors", R1),
    ]
    assert all(f"/locations/{e['region']}/" in e["error"] for e in entries)  # full detail kept


def _base(report_file: Path) -> str:
    """The emulator's base URL, as the report names it."""
    detail = json.loads(report_file.read_text())["not_checked"][0]["error"]
    return detail.split("GET ", 1)[1].split("/v", 1)[0]


def test_grouped_in_the_table(tmp_path):
    world, expected = two_region_world(tmp_path)
    r = run(
        [
            "diff",
            "--project",
            wk.PROJECT,
            "--expected",
            str(expected),
            "--emulator",
            str(world),
            "--format",
            "table",
            "--color",
            "never",
        ]
    )
    assert r.exit_code == 1
    lines = not_checked_lines(r.stdout, "NOT CHECKED: ")
    assert [line.split(":")[1] for line in lines] == [
        f" services in {R1} and {R2}",
        f" vpc_connectors in {R1} and {R2}",
    ]
    assert "no drift" not in r.output.lower()


def test_grouped_for_snapshot_too(tmp_path):
    world, expected = two_region_world(tmp_path)
    r = run(
        [
            "snapshot",
            "--project",
            wk.PROJECT,
            "--expected",
            str(expected),
            "--emulator",
            str(world),
            "--output",
            str(tmp_path / "s.json"),
        ]
    )
    assert r.exit_code == 1
    assert len(not_checked_lines(r.stderr, "drift: not checked: ")) == 2
