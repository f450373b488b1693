"""What an alert says, as the webhook's JSON body (drift-alert/v1, docs/operations.md) and
as Slack text.

An alert has the counts of the run, the new findings most severe first (at most
TOP_NEW, with how many more), the resolved count and the first few resolved, what could
not be checked (one line per cause), and a link to the report. Findings are already
redacted (spec/report.md); every string from outside (paths, messages, errors) is shown
escaped: control characters as in every output, and for Slack `&`, `<`, `>` as entities
and a zero-width space after `@`, so no value can make a link, a mention, `@channel`,
`@here` or a `<!...>` command.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from drift.model import NotChecked, TrackedFinding
from drift.report.escape import escape_json, escape_text

SCHEMA = "drift-alert/v1"
TOP_NEW = 10
TOP_RESOLVED = 10
ZWSP = "\u200b"


@dataclass(frozen=True)
class Alert:
    """What one destination is told about one run."""

    project: str
    generated_at: str
    report_url: str
    counts: dict[str, int]  # critical, warning, info of this run's findings
    new: tuple[TrackedFinding, ...]  # most severe first
    resolved: tuple[TrackedFinding, ...]
    not_checked: tuple[NotChecked, ...]
    messages: dict[str, str]  # finding id -> this run's message, where it has one

    def worth_sending(self) -> bool:
        """Only something new, resolved, or not checked is worth waking anyone for."""
        return bool(self.new or self.resolved or self.not_checked)

    def headline(self) -> str:
        """`netra-staging: 2 new, 1 resolved, 1 scope not checked (3 critical, ...)`."""
        parts = [f"{len(self.new)} new", f"{len(self.resolved)} resolved"]
        if self.not_checked:
            n = len(self.not_checked)
            parts.append(f"{n} scope{'s' if n != 1 else ''} not checked")
        c = self.counts
        return (
            f"drift: {self.project}: {', '.join(parts)} ({c['critical']} critical, "
            f"{c['warning']} warning, {c['info']} info open)"
        )


def _finding(f: TrackedFinding, message: str | None) -> dict[str, Any]:
    return {**f.to_json(), "message": message}


def body(alert: Alert) -> dict[str, Any]:
    """The webhook's JSON body (drift-alert/v1)."""
    return {
        "schema": SCHEMA,
        "project": alert.project,
        "generated_at": alert.generated_at,
        "text": alert.headline(),
        "report_url": alert.report_url,
        "summary": {
            **alert.counts,
            "new": len(alert.new),
            "resolved": len(alert.resolved),
            "not_checked": len(alert.not_checked),
        },
        "new": [_finding(f, alert.messages.get(f.id)) for f in alert.new[:TOP_NEW]],
        "new_not_listed": max(0, len(alert.new) - TOP_NEW),
        "resolved": [_finding(f, None) for f in alert.resolved[:TOP_RESOLVED]],
        "resolved_not_listed": max(0, len(alert.resolved) - TOP_RESOLVED),
        "not_checked": [n.to_json() for n in alert.not_checked],
    }


def body_text(alert: Alert) -> str:
    """The body as bytes-ready text: UTF-8 JSON with unsafe characters as \\u escapes."""
    return escape_json(json.dumps(body(alert), ensure_ascii=False, indent=None))


def slack_escape(text: str) -> str:
    """Untrusted text for Slack mrkdwn: shown, never obeyed."""
    shown = escape_text(text)
    shown = shown.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    # `@channel`, `@here`, `@everyone` and user names: a zero-width space breaks them.
    return shown.replace("@", "@" + ZWSP)


def _slack_url(url: str) -> str:
    # Inside <url|label> a `|` or `>` would end the URL: percent-encode them.
    return url.replace("&", "&amp;").replace("<", "%3C").replace(">", "%3E").replace("|", "%7C")


def slack_text(alert: Alert) -> str:
    """The alert as one Slack mrkdwn message (no emoji: spec/report.md)."""
    from drift.report.causes import group

    lines = [f"*{slack_escape(alert.headline())}*"]
    if alert.new:
        lines.append("New:")
        for f in alert.new[:TOP_NEW]:
            said = alert.messages.get(f.id)
            tail = f": {slack_escape(said)}" if said else ""
            lines.append(f"- [{f.severity}] {slack_escape(f.path)} ({f.type}){tail}")
        if len(alert.new) > TOP_NEW:
            lines.append(f"- and {len(alert.new) - TOP_NEW} more new")
    if alert.resolved:
        lines.append(f"Resolved: {len(alert.resolved)}")
    for cause in group(alert.not_checked):
        lines.append(f"Not checked: {slack_escape(cause.line())}")
    url = alert.report_url
    if url.startswith(("https://", "http://")):
        lines.append(f"<{_slack_url(url)}|Report>")
    elif url:
        lines.append(f"Report: {slack_escape(url)}")  # a path or gs:// URL links nowhere
    return "\n".join(lines)
