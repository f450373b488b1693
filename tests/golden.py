"""A small report with every kind of entry, for the golden-output tests of the formats
(tests/data/golden/). To regenerate after an intended change:
`.venv/bin/python -m tests.golden` and review the diff."""

from __future__ import annotations

from pathlib import Path

from drift import __version__
from drift.model import DeclaredResource, Finding, IgnoredFinding, NotChecked, Report


def golden_report() -> Report:
    """A small report with every kind of entry: a changed field, a missing env var, an
    unmanaged resource, an ignored finding, a kind not checked, a note, odd characters."""
    api = "services/api"
    findings = (
        Finding(f"{api}/env/DB_URL", "services", "api", "us-central1", "env/DB_URL", "missing",
                "critical", "x", None, "Cloud Run service api in us-central1: env var DB_URL "
                "is declared as x but is not set live.", "expected/p/services.yaml:9"),
        Finding(f"{api}/memory", "services", "api", "us-central1", "memory", "changed",
                "warning", "1Gi", "2Gi", "Cloud Run service api in us-central1: memory is "
                "2Gi\x1b[2J live, declared 1Gi.", "expected/p/services.yaml:6"),
        Finding("secrets/rogue", "secrets", "rogue", None, None, "unmanaged", "info", None, None,
                "secret rogue exists live but is not declared in the baseline.", None),
    )
    ignored = (IgnoredFinding(
        Finding(f"{api}/labels/commit-sha", "services", "api", "us-central1",
                "labels/commit-sha", "unexpected", "info", None, "abc",
                "Cloud Run service api in us-central1: labels commit-sha is set live to abc "
                "but is not declared.", "expected/p/services.yaml:7"),
        "ignore services/*/labels/commit-sha", "stamped by CI"),)
    declared = (
        DeclaredResource("services", "api", "us-central1", "expected/p/services.yaml:3", True),
        DeclaredResource("services", "web", "us-central1", "expected/p/services.yaml:12", True),
        DeclaredResource("vpc_connectors", "conn", "us-central1", "expected/p/net.yaml:2", False),
    )
    return Report(
        project="p", project_number="123", generated_at="2026-11-25T00:00:00Z",
        source_type="emulator", source_detail="world p", baseline_path="expected/p",
        baseline_sha256="ab" * 32, resources_checked=3, findings=findings, ignored=ignored,
        not_checked=(NotChecked("vpc_connectors", "us-central1", "PERMISSION_DENIED: no"),),
        notes=("Ignore rule services/*/x (expected/p/project.yaml:5) expired on 2026-11-01; "
               "its findings count again. Renew or remove it.",),
        declared=declared)


GOLDEN = Path(__file__).parent / "data" / "golden"


def versionless(text: str) -> str:
    """Output with drift's version replaced, so a release does not change the golden files."""
    return text.replace(f'"{__version__}"', '"VERSION"')


def rendered() -> dict[str, str]:
    """File name in GOLDEN -> the output it must equal."""
    from drift.report.junit import render as junit
    from drift.report.sarif import render as sarif

    report = golden_report()
    return {"report.sarif": versionless(sarif(report)), "report.junit.xml": junit(report)}


if __name__ == "__main__":
    for name, text in rendered().items():
        (GOLDEN / name).write_text(text)
