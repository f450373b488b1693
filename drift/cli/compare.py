"""`drift diff --compare-to REF` and `--link-base URL`: checked before any scan.

The baseline at REF is read from git (drift/gitref.py) right after the working tree's,
so an unknown ref, a missing git or a broken baseline at REF is one sentence and exit 1
before any API call. The link base of the Markdown report is worked out here too: the
flag, else in GitHub Actions the blob URL of the commit under review.
"""

from __future__ import annotations

import json
import os
import re
import urllib.parse
from pathlib import Path
from typing import TYPE_CHECKING

from drift.cli.common import fail, print_problems

if TYPE_CHECKING:
    from drift.gitref import RefBaseline

_SHA = re.compile(r"^[0-9a-f]{40}([0-9a-f]{24})?$")
_REPO = re.compile(r"^[A-Za-z0-9_.-]+/[A-Za-z0-9_.-]+$")
_PR_EVENTS = (
    "pull_request",
    "pull_request_target",
    "pull_request_review",
    "pull_request_review_comment",
)


def load_ref_or_exit(ref: str, expected: str, project: str) -> RefBaseline:
    """The project's baseline at git ref `ref` (drift/gitref.py RefBaseline), or exit 1."""
    from drift.baseline import BaselineError
    from drift.gitref import GitRefError, baseline_at

    try:
        return baseline_at(ref, Path(expected), project)
    except GitRefError as err:
        fail(f"{err}")
    except BaselineError as err:
        print_problems(err)
        fail(
            f"the baseline at {ref} has errors, so findings cannot be compared with it; "
            "nothing was checked (fix it there, or leave --compare-to out)."
        )


def check_link_base(url: str) -> str:
    """`--link-base` as given, if it is an http(s) URL of plain URL characters, else exit 1."""
    from drift.report.markdown import SAFE_BASE

    if not SAFE_BASE.match(url):
        fail(
            f"--link-base must be an http(s) URL without spaces, quotes or brackets, such as "
            f"https://github.com/OWNER/REPO/blob/SHA, got {url!r}."
        )
    return url.rstrip("/")


def _head_sha(env: dict[str, str]) -> str | None:
    """The commit under review: a pull request's head (GITHUB_SHA is then a merge commit
    GitHub made, whose lines may differ), else GITHUB_SHA."""
    if env.get("GITHUB_EVENT_NAME") in _PR_EVENTS and env.get("GITHUB_EVENT_PATH"):
        try:
            with open(env["GITHUB_EVENT_PATH"], encoding="utf-8") as fh:
                event = json.load(fh)
            sha = event["pull_request"]["head"]["sha"]
            if isinstance(sha, str) and _SHA.match(sha):
                return sha
        except (OSError, ValueError, KeyError, TypeError):
            pass  # an unreadable event file: the run's own commit is the next best
    sha = env.get("GITHUB_SHA", "")
    return sha if _SHA.match(sha) else None


def github_link_base(env: dict[str, str], cwd: Path) -> str | None:
    """In GitHub Actions, `SERVER/OWNER/REPO/blob/SHA[/folder drift runs in]`, else None."""
    if env.get("GITHUB_ACTIONS") != "true":
        return None
    server = env.get("GITHUB_SERVER_URL", "https://github.com").rstrip("/")
    repo = env.get("GITHUB_REPOSITORY", "")
    sha = _head_sha(env)
    if not sha or not _REPO.match(repo) or not re.match(r"^https?://[A-Za-z0-9.:-]+$", server):
        return None
    base = f"{server}/{repo}/blob/{sha}"
    workspace = env.get("GITHUB_WORKSPACE")
    if workspace:
        try:
            rel = cwd.resolve().relative_to(Path(workspace).resolve()).as_posix()
        except (ValueError, OSError):
            return None  # drift runs outside the checkout: no path to link to
        if rel not in ("", "."):
            base += "/" + urllib.parse.quote(rel)
    return base


def link_base_for(option: str | None) -> str | None:
    """Where the Markdown report links sources: `--link-base`, else GitHub Actions' commit."""
    if option is not None:
        return check_link_base(option) if option else None  # `--link-base ''`: no links
    return github_link_base(dict(os.environ), Path.cwd())
