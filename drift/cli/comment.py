"""`drift comment`: run `drift diff` and post its Markdown as one pull-request comment.

Same options and the same pipeline as `drift diff` (drift/cli/diffrun.py): every input
is checked before any work, and so is where the comment goes (GitHub or GitLab, the
token, the pull request), so a run that could never post fails in a second, not after
the scan. Then one scan, the Markdown report posted (created, or updated in place:
drift/comment/), and `--output` also written (in `--format`, Markdown by default).

Exit codes: the diff's (0 clean, 2 drift, 1 not everything checked) when the comment was
posted; 1 when it could not be (the report file is still written). A clean run is
posted too, so an earlier red comment never lingers. The token never appears in any
output: every message about posting is scrubbed of it.
"""

from __future__ import annotations

import os
import sys
from typing import Any

import click

from drift.cli.common import fail, warn, warn_not_checked
from drift.cli.diffrun import prepare, report_options
from drift.cli.exits import EXIT_ERROR
from drift.cli.output import emit, summary_line


@click.command()
@report_options(
    click.option(
        "--format",
        "fmt",
        type=click.Choice(["markdown", "json", "sarif", "junit"]),
        default="markdown",
        show_default=True,
        help="Format of the --output file (the comment is always Markdown); e.g. sarif for "
        "code scanning from the same scan.",
    ),
    click.option(
        "--pr",
        type=click.IntRange(min=1),
        default=None,
        metavar="N",
        help="Pull request (GitHub) or merge request IID (GitLab) to comment on (default: "
        "the one the CI run is for).",
    ),
    click.option(
        "--platform",
        type=click.Choice(["auto", "github", "gitlab"]),
        default="auto",
        show_default=True,
        help="Where to post: auto = GitHub in GitHub Actions (GITHUB_REPOSITORY), GitLab in "
        "GitLab CI (CI_API_V4_URL).",
    ),
    click.option(
        "--post-deadline",
        type=click.FloatRange(1, 3600),
        default=300.0,
        show_default=True,
        metavar="SECONDS",
        help="Stop posting (rate-limit waits and retries included) after this long.",
    ),
)
def comment(
    project: str,
    expected: str,
    fmt: str,
    output: str | None,
    fail_on: str,
    snapshot_file: str | None,
    compare_to: str | None,
    link_base: str | None,
    pr: int | None,
    platform: str,
    post_deadline: float,
    kinds: str | None,
    **scan: Any,
) -> None:
    """Run `drift diff` and post the Markdown report as one pull-request comment.

    The comment is updated in place on later runs (found by its hidden marker naming the
    project); nothing else is edited or deleted. Exit 0 clean, 2 drift at or above
    --fail-on, 1 anything else, including a comment that could not be posted.
    """
    run = prepare(project, expected, output, snapshot_file, compare_to, kinds, scan)
    from drift.cli.compare import link_base_for
    from drift.comment import PostError, forge_from_env, post, scrub

    try:
        forge = forge_from_env(platform, dict(os.environ), pr)
    except PostError as err:
        fail(f"cannot comment: {err} Nothing was checked.")
    links = link_base_for(link_base)
    from drift.pipeline import exit_code
    from drift.report import formatter
    from drift.report.markdown import marker
    from drift.report.markdown import render as markdown

    report = run.report()
    body = markdown(report, link_base=links)
    written, where = True, []
    if run.target is not None:
        text = body if fmt == "markdown" else formatter(fmt)(report)
        went, written = emit(text, run.target, "the report")
        where.append(went)
    if report.not_checked:
        warn_not_checked(report.not_checked)
    notice = (lambda _msg: None) if scan["quiet"] else (lambda msg: warn(scrub(msg, forge.token)))
    try:
        posted = post(forge, body, marker(report.project), post_deadline, notice=notice)
    except PostError as err:
        warn(f"drift: could not post the comment on {forge.where}: {scrub(str(err), forge.token)}")
        where.append(f"not posted on {forge.where}")
        _summary(report, where, scan)
        sys.exit(EXIT_ERROR)
    link = f" ({posted.url})" if posted.url else ""
    where.append(f"{posted.action} as comment {posted.id} on {forge.where}{link}")
    _summary(report, where, scan)
    sys.exit(exit_code(report, fail_on) if written else EXIT_ERROR)


def _summary(report: Any, where: list[str], scan: dict[str, Any]) -> None:
    if not scan["quiet"]:
        warn(summary_line(report, ", ".join(where)))
