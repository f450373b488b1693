"""`--format html` in a real browser: headless Chromium driven by Selenium (ChromeDriver).

The page is opened from disk as a user would, the filters are clicked, and what is shown
is read back: only critical rows after "critical", only one kind's rows after that kind,
only new findings after "new". The stylesheet must apply under the page's own
Content-Security-Policy (else no filter would hide anything), no script or image may come
from a value, and the browser must log no policy violation. A screenshot of each page is
saved under reports/ (git-ignored) and copied to the test's tmp folder.

Chromium and ChromeDriver are system packages (Debian: chromium, chromium-driver);
`make test` installs them (scripts/ensure-chromium.sh). Without them this test fails and
says how to install them: it is never skipped.
"""

from __future__ import annotations

import json
import shutil
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from drift.cli import main
from drift.model import Finding, FindingHistory, NotChecked, Report
from drift.report.html import render
from tests import worldkit as wk

REPORTS = Path(__file__).resolve().parents[1] / "reports"
INSTALL = (
    "Chromium and ChromeDriver are needed for the HTML report's browser test and were not "
    "found ({missing}). Install them: on Debian or Ubuntu `sudo apt-get install -y "
    "--no-install-recommends chromium chromium-driver` (`make test` does this as root); "
    "elsewhere "
    "install Chromium and a matching chromedriver and put both on PATH."
)
# As root on a machine with a closed network: no sandbox, and no background connections
# (update checks, component downloads, sync), which would be refused and logged.
FLAGS = (
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--window-size=1400,1600",
)


def _find(names: tuple[str, ...], fallback: str) -> str | None:
    for name in names:
        found = shutil.which(name)
        if found:
            return found
    return fallback if Path(fallback).exists() else None


def start_browser(javascript: bool) -> Iterator[Any]:
    """A headless Chromium with an empty profile of its own, driven through ChromeDriver."""
    try:
        from selenium import webdriver
        from selenium.webdriver.chrome.service import Service
    except ImportError:
        pytest.fail("selenium is not installed: `pip install -e '.[dev]'` (or `make test`).")
    chromium = _find(("chromium", "chromium-browser", "google-chrome"), "/usr/bin/chromium")
    driver = _find(("chromedriver",), "/usr/bin/chromedriver")
    if not chromium or not driver:
        missing = " and ".join(
            n for n, p in (("chromium", chromium), ("chromedriver", driver)) if not p
        )
        pytest.fail(INSTALL.format(missing=missing))
    profile = tempfile.mkdtemp(prefix="drift-chromium-")
    options = webdriver.ChromeOptions()
    options.binary_location = chromium
    for flag in (*FLAGS, f"--user-data-dir={profile}"):
        options.add_argument(flag)
    options.set_capability("goog:loggingPrefs", {"browser": "ALL"})
    if not javascript:  # as a reader who turned JavaScript off
        options.add_experimental_option(
            "prefs", {"profile.managed_default_content_settings.javascript": 2}
        )
    # Both paths given: Selenium Manager never runs (it would try to download a driver).
    session = webdriver.Chrome(service=Service(executable_path=driver), options=options)
    try:
        yield session
    finally:
        session.quit()
        shutil.rmtree(profile, ignore_errors=True)


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    yield from start_browser(javascript=True)


@pytest.fixture(scope="module")
def browser_without_js() -> Iterator[Any]:
    yield from start_browser(javascript=False)


def open_page(browser: Any, path: Path) -> None:
    browser.get_log("browser")  # each page starts with an empty log: what it logs is its own
    browser.get(path.resolve().as_uri())


def click(browser: Any, radio: str) -> None:
    """Click the label of a filter radio, as a user does (the radio itself is hidden)."""
    from selenium.webdriver.common.by import By

    browser.find_element(By.CSS_SELECTOR, f'label[for="{radio}"]').click()


def shown_rows(browser: Any) -> list[str]:
    """The class attribute of every finding row the browser displays."""
    from selenium.webdriver.common.by import By

    rows = browser.find_elements(By.CSS_SELECTOR, "tr.f")
    return [r.get_attribute("class") for r in rows if r.is_displayed()]


def label(browser: Any, radio: str) -> str:
    from selenium.webdriver.common.by import By

    return browser.find_element(By.CSS_SELECTOR, f'label[for="{radio}"]').text


def screenshot(browser: Any, name: str, tmp_path: Path) -> Path:
    REPORTS.mkdir(exist_ok=True)
    target = REPORTS / name
    assert browser.save_screenshot(str(target)), target
    copy = tmp_path / name
    shutil.copyfile(target, copy)
    assert copy.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    return copy


def policy_violations(browser: Any) -> list[str]:
    return [
        e["message"]
        for e in browser.get_log("browser")
        if "Content Security Policy" in e["message"] or "Refused" in e["message"]
    ]


def cli_page(tmp_path: Path) -> Path:
    """A report of a small world through the CLI, the emulator and the real clients:
    critical and warning findings on services, info ones on secrets."""
    env = [
        wk.env("API_URL", "https://evil.example"),
        wk.env("MODE", "dev"),
        wk.env("EXTRA", "<img src=x onerror=alert(1)>"),
    ]
    world = wk.world(
        services=[
            wk.service("api", env=env, memory="2Gi", connector=None),
            wk.service("web", connector=None, max_instances=9),
        ],
        secrets=[wk.secret("db-pass"), wk.secret("rogue"), wk.secret("stray")],
    )
    expected = wk.write_baseline(
        tmp_path,
        {
            "services.yaml": f"""
            services:
              api:
                region: {wk.REGION}
                memory: 1Gi
                env: {{API_URL: "https://api.example", MODE: prod}}
              web: {{region: {wk.REGION}, max_instances: 5}}
        """,
            "secrets.yaml": "secrets:\n  db-pass: {replication: automatic}\n",
        },
    )
    (tmp_path / "world.json").write_text(json.dumps(world))
    out = tmp_path / "report.html"
    result = CliRunner().invoke(
        main,
        [
            "diff",
            "--project",
            wk.PROJECT,
            "--expected",
            str(expected),
            "--emulator",
            str(tmp_path / "world.json"),
            "--format",
            "html",
            "--output",
            str(out),
            "--quiet",
        ],
        env={"SOURCE_DATE_EPOCH": "1764000000"},
        catch_exceptions=False,
    )
    assert result.exit_code == 2, result.output
    return out


def test_filters_show_only_what_was_chosen(browser, tmp_path):
    open_page(browser, cli_page(tmp_path))
    everything = shown_rows(browser)  # nothing filtered at first
    severities = {c.split()[1] for c in everything}
    assert severities == {"s-critical", "s-warning", "s-info"}, everything
    critical = [c for c in everything if "s-critical" in c.split()]

    click(browser, "fs-critical")
    assert shown_rows(browser) == critical
    assert label(browser, "fs-critical") == f"critical ({len(critical)})"

    click(browser, "fs-all")
    assert shown_rows(browser) == everything
    kinds = {label(browser, f"fk-{i}").split(" (")[0]: f"k{i}" for i in (0, 1)}
    assert set(kinds) == {"secrets", "services"}
    click(browser, f"fk-{kinds['secrets'][1:]}")
    secrets = shown_rows(browser)
    assert secrets and all(kinds["secrets"] in c.split() for c in secrets)
    assert all("s-info" in c.split() for c in secrets)  # unmanaged secrets

    click(browser, "fs-critical")  # both filters: critical secrets, and there are none
    assert shown_rows(browser) == []
    click(browser, f"fk-{kinds['services'][1:]}")
    assert shown_rows(browser) == critical

    click(browser, "fs-all")
    click(browser, "fk-all")
    assert shown_rows(browser) == everything
    screenshot(browser, "html-report.png", tmp_path)
    assert policy_violations(browser) == []


def hostile_report() -> Report:
    bad = '<img src=x onerror="document.title=1"></style><style>body{display:none}</style>'
    findings = []
    for i, (sev, status) in enumerate(
        [("critical", "new"), ("critical", "open"), ("warning", "new"), ("info", "open")]
    ):
        findings.append(
            Finding(
                f"services/api/env/V{i}",
                "services",
                "api",
                wk.REGION,
                f"env/V{i}",
                "changed",
                sev,
                "declared",
                f"{bad}{i}",
                f"V{i} {bad}",
                f"expected/{wk.PROJECT}/services.yaml:{i}",
                history=FindingHistory(f"id{i}", status, f"2026-11-0{i + 1}T00:00:00Z"),
            )
        )
    return Report(
        project=wk.PROJECT,
        project_number=None,
        generated_at="2026-11-25T00:00:00Z",
        source_type="emulator",
        source_detail=bad,
        baseline_path="expected",
        baseline_sha256="0" * 64,
        resources_checked=1,
        findings=tuple(findings),
        not_checked=(NotChecked("secrets", None, f"PERMISSION_DENIED: {bad}"),),
    )


def test_history_filter_trend_and_hostile_values(browser, tmp_path):
    from selenium.webdriver.common.by import By

    trend = [
        {
            "date": f"2026-10-{d:02d}",
            "critical": d % 4,
            "warning": 2,
            "info": d % 3,
            "new": d % 2,
            "resolved": 1,
        }
        for d in range(1, 32)
    ]
    page = tmp_path / "history.html"
    page.write_text(render(hostile_report(), trend=trend), encoding="ascii")
    open_page(browser, page)

    # Values stayed text: no element from them, the body shown, the title drift's own.
    assert browser.find_elements(By.TAG_NAME, "img") == []
    assert browser.find_elements(By.TAG_NAME, "script") == []
    assert len(browser.find_elements(By.TAG_NAME, "style")) == 1
    assert browser.title == f"drift: {wk.PROJECT} (incomplete run)"
    assert browser.find_element(By.TAG_NAME, "body").is_displayed()
    incomplete = browser.find_element(By.ID, "incomplete")
    assert incomplete.is_displayed() and '<img src=x onerror="document.title=1">' in (
        incomplete.text
    )

    # The stylesheet applied (the policy's hash matched): the radios are hidden, the labels
    # are the buttons.
    radio = browser.find_element(By.ID, "fh-new")
    assert radio.value_of_css_property("opacity") == "0"

    assert len(shown_rows(browser)) == 4
    click(browser, "fh-new")
    assert [c.split()[-1] for c in shown_rows(browser)] == ["h-new", "h-new"]
    click(browser, "fs-critical")
    assert shown_rows(browser) == ["f s-critical k0 h-new"]
    click(browser, "fh-open")
    assert shown_rows(browser) == ["f s-critical k0 h-open"]

    bars = browser.find_elements(By.CSS_SELECTOR, "svg.trend g")
    assert len(bars) == 30 and bars[0].is_displayed()
    screenshot(browser, "html-report-history.png", tmp_path)
    assert policy_violations(browser) == []


def test_an_injected_stylesheet_would_be_refused(browser, tmp_path):
    """The policy is what the page says it is: a second <style> (as a value would need to
    smuggle one in) is refused by the browser and logged."""
    from selenium.webdriver.common.by import By

    text = render(hostile_report()).replace(
        "</head>", "<style>body{display:none}</style></head>", 1
    )
    page = tmp_path / "tampered.html"
    page.write_text(text, encoding="ascii")
    open_page(browser, page)
    assert browser.find_element(By.TAG_NAME, "body").is_displayed()
    violations = policy_violations(browser)
    assert violations and "style-src" in violations[0], violations


def test_everything_shown_and_filters_work_with_javascript_off(browser_without_js, tmp_path):
    browser = browser_without_js
    probe = tmp_path / "probe.html"  # JavaScript is really off in this browser
    probe.write_text("<title>before</title><script>document.title = 'ran';</script>")
    open_page(browser, probe)
    assert browser.title == "before"

    open_page(browser, cli_page(tmp_path))
    everything = shown_rows(browser)
    assert len(everything) == 7
    click(browser, "fs-warning")
    assert shown_rows(browser) == [c for c in everything if "s-warning" in c.split()] != []


def test_a_missing_browser_fails_and_says_how_to_install_it(monkeypatch):
    """Never a skip: on a machine without Chromium the browser tests fail with the fix."""
    import tests.test_html_browser as me

    monkeypatch.setattr(me, "_find", lambda names, fallback: None)
    with pytest.raises(pytest.fail.Exception) as failed:
        next(start_browser(javascript=True))
    message = str(failed.value)
    assert "chromium and chromedriver" in message
    assert "apt-get install -y --no-install-recommends chromium chromium-driver" in message
