#!/usr/bin/env bash
# Chromium with ChromeDriver for the HTML report's browser test (tests/test_html_browser.py).
# `make test` runs this first, so a fresh machine needs only `make test`: installed with
# apt-get when missing and run as root; otherwise it says how, and that test then fails
# with the same advice (tests never install system packages and never skip).
set -uo pipefail

if command -v chromium >/dev/null 2>&1 && command -v chromedriver >/dev/null 2>&1; then
  exit 0
fi
if ! command -v apt-get >/dev/null 2>&1; then
  echo "make test: no apt-get here, so Chromium and ChromeDriver were not installed;" \
       "install them yourself or tests/test_html_browser.py fails." >&2
elif [ "$(id -u)" -ne 0 ]; then
  echo "make test: not root, so Chromium and ChromeDriver were not installed; run" \
       "'sudo apt-get install -y --no-install-recommends chromium chromium-driver'" \
       "or tests/test_html_browser.py fails." >&2
else
  echo "make test: installing chromium and chromium-driver (for tests/test_html_browser.py)"
  export DEBIAN_FRONTEND=noninteractive
  if ! { apt-get update -qq && apt-get install -y -qq --no-install-recommends \
           chromium chromium-driver >/dev/null; }; then
    echo "make test: apt-get could not install chromium and chromium-driver;" \
         "tests/test_html_browser.py will fail and say so." >&2
  fi
fi
exit 0
