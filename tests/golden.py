"""Golden outputs of every format (tests/data/golden/), byte for byte, so that any change of
drift's output shows in review:

- `report.*`: a small report with every kind of entry (SARIF, JUnit);
- `demo.*`: the demo report (the bundled netra-staging world against expected/) in every
  format;
- `empty.*`: a report with nothing in it, in every format.

tests/test_golden.py holds every format to its file. To regenerate after an intended
change: `.venv/bin/python -m tests.golden`, then review the diff (`git diff tests/data`).
"""

from __future__ import annotations

import functools
import os
from dataclasses import replace
from pathlib import Path

from drift import __version__
from drift.model import DeclaredResource, Finding, IgnoredFinding, NotChecked, Report
from drift.report import FORMATS, formatter

ROOT = Path(__file__).resolve().parent.parent
#: The file each format's golden output is kept in: {report}.{suffix}.
SUFFIX = {
    "table": "table.txt",
    "json": "json",
    "sarif": "sarif",
    "junit": "junit.xml",
    "markdown": "md",
    "html": "html",
}


def golden_report() -> Report:
    """A small report with every kind of entry: a changed field, a missing env var, an
    unmanaged resource, an ignored finding, a kind not checked, a note, odd characters."""
    api = "services/api"
    findings = (
        Finding(
            f"{api}/env/DB_URL",
            "services",
            "api",
            "us-central1",
            "env/DB_URL",
            "missing",
            "critical",
            "x",
            None,
            "Cloud Run service api in us-central1: env var DB_URL "
            "is declared as x but is not set live.",
            "expected/p/services.yaml:9",
        ),
        Finding(
            f"{api}/memory",
            "services",
            "api",
            "us-central1",
            "memory",
            "changed",
            "warning",
            "1Gi",
            "2Gi",
            "Cloud Run service api in us-central1: memory is 2Gi\x1b[2J live, declared 1Gi.",
            "expected/p/services.yaml:6",
        ),
        Finding(
            "secrets/rogue",
            "secrets",
            "rogue",
            None,
            None,
            "unmanaged",
            "info",
            None,
            None,
            "secret rogue exists live but is not declared in the baseline.",
            None,
        ),
    )
    ignored = (
        IgnoredFinding(
            Finding(
                f"{api}/labels/commit-sha",
                "services",
                "api",
                "us-central1",
                "labels/commit-sha",
                "unexpected",
                "info",
                None,
                "abc",
                "Cloud Run service api in us-central1: labels commit-sha is set live to abc "
                "but is not declared.",
                "expected/p/services.yaml:7",
            ),
            "ignore services/*/labels/commit-sha",
            "stamped by CI",
        ),
    )
    declared = (
        DeclaredResource("services", "api", "us-central1", "expected/p/services.yaml:3", True),
        DeclaredResource("services", "web", "us-central1", "expected/p/services.yaml:12", True),
        DeclaredResource("vpc_connectors", "conn", "us-central1", "expected/p/net.yaml:2", False),
    )
    return Report(
        project="p",
        project_number="123",
        generated_at="2026-11-25T00:00:00Z",
        source_type="emulator",
        source_detail="world p",
        baseline_path="expected/p",
        baseline_sha256="ab" * 32,
        resources_checked=3,
        findings=findings,
        ignored=ignored,
        not_checked=(NotChecked("vpc_connectors", "us-central1", "PERMISSION_DENIED: no"),),
        notes=(
            "Ignore rule services/*/x (expected/p/project.yaml:5) expired on 2026-11-01; "
            "its findings count again. Renew or remove it.",
        ),
        declared=declared,
    )


GOLDEN = Path(__file__).parent / "data" / "golden"


def versionless(text: str) -> str:
    """Output with drift's version replaced, so a release does not change the golden files."""
    return text.replace(f'"{__version__}"', '"VERSION"')


def empty_report() -> Report:
    """A run that found nothing: no findings, nothing ignored or not checked, no notes."""
    return Report(
        project="p", project_number=None, generated_at="2026-11-25T00:00:00Z",
        source_type="emulator", source_detail="world p", baseline_path="expected/p",
        baseline_sha256="cd" * 32, resources_checked=0, findings=())  # fmt: skip


@functools.lru_cache(maxsize=1)
def demo_report() -> Report:
    """The demo: the bundled netra-staging world through the emulator and the real client
    libraries, with --read-secret-digests, at a pinned time. Where it ran (a random port,
    the checkout's path) is replaced by fixed words."""
    from drift.collectors.settings import CollectSettings
    from drift.emulator import Emulator, bundled_world_path
    from drift.pipeline import run_diff

    old, cwd = os.environ.get("SOURCE_DATE_EPOCH"), Path.cwd()
    os.environ["SOURCE_DATE_EPOCH"] = "1764000000"
    os.chdir(ROOT)  # sources as `drift diff` run from the repository shows them
    try:
        with Emulator(bundled_world_path("netra-staging")) as emu:
            settings = CollectSettings(endpoint=emu.base_url, read_secret_digests=True)
            report = run_diff("netra-staging", Path("expected"), settings=settings)
    finally:
        os.chdir(cwd)
        if old is None:
            del os.environ["SOURCE_DATE_EPOCH"]
        else:
            os.environ["SOURCE_DATE_EPOCH"] = old
    return replace(report, source_detail="drift emulator (world netra-staging)")


def render(report: Report, fmt: str) -> str:
    """One format as `drift diff` writes it: a table without colour at its fixed width,
    SARIF with URIs relative to this repository, drift's version as VERSION."""
    if fmt == "sarif":
        from drift.report.sarif import renderer

        return versionless(renderer(ROOT)(report))
    return versionless(formatter(fmt)(report))


def rendered() -> dict[str, str]:
    """File name in GOLDEN -> the output it must equal."""
    from drift.report.junit import render as junit
    from drift.report.sarif import render as sarif

    report = golden_report()
    out = {"report.sarif": versionless(sarif(report)), "report.junit.xml": junit(report)}
    for name, build in (("demo", demo_report), ("empty", empty_report)):
        for fmt in FORMATS:
            out[f"{name}.{SUFFIX[fmt]}"] = render(build(), fmt)
    return out


if __name__ == "__main__":
    files = rendered()
    for old in GOLDEN.iterdir():
        if old.name not in files:
            old.unlink()  # a format or report that is gone
    for name, text in files.items():
        (GOLDEN / name).write_text(text)
