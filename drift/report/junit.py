"""JUnit XML (Report -> str): one test case per resource, for CI test-report views.

- One `<testsuite>` per kind (`netra-staging/services`), one `<testcase>` per declared
  resource and per live resource a finding names that the baseline does not declare
  (unmanaged, or flagged by a check or lint rule).
- A resource with findings fails: one `<failure>` whose `message` is the findings' messages
  and `type` their `type/severity` (`changed/critical, missing/warning`), the body one line
  per finding with where it is declared. Every finding fails its case, whatever its
  severity: `--fail-on` only decides the exit code.
- A resource whose kind (in its region) could not be looked at is an `<error>`, never a
  pass; every `not_checked` entry is also an erroring case of its own (`vpc_connectors
  listing in us-central1`), so an incomplete run shows errors even when nothing in that
  kind is declared.
- Ignored findings do not fail; they are listed in the case's `<system-out>`.

Live values are untrusted: every string is escaped like the text formats
(drift/report/escape.py), and what XML 1.0 cannot hold at all (U+FFFE, U+FFFF) is escaped
too, so the file always parses. Same report, same bytes.
"""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from collections.abc import Iterable
from dataclasses import dataclass, field

from drift.model import Finding, IgnoredFinding, NotChecked, Report
from drift.report.escape import escape_text, visible

# Characters XML 1.0 allows (after escape_text only the last two ranges can hide any).
_NOT_XML = re.compile("[^\t\n\r\x20-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")

Key = tuple[str, str, str | None]


def xml_text(text: str) -> str:
    """`text` escaped for display and safe for XML 1.0: one line, printable, parseable."""
    return _NOT_XML.sub(lambda m: visible(m.group()), escape_text(text))


@dataclass
class _Case:
    kind: str
    name: str
    region: str | None
    source: str | None = None
    not_checked: list[str] = field(default_factory=list)
    findings: list[Finding] = field(default_factory=list)
    ignored: list[IgnoredFinding] = field(default_factory=list)
    listing: str | None = None  # set on the case of a not_checked entry: its title

    @property
    def title(self) -> str:
        if self.listing is not None:
            return self.listing
        where = f" ({self.region})" if self.region else ""
        return f"{self.kind}/{self.name}{where}"


def _covering(not_checked: Iterable[NotChecked], kind: str, region: str | None) -> list[str]:
    """The errors that hid `kind` in `region`: entries for that region or the whole kind,
    else (a global kind hidden by any failure) every entry of the kind."""
    same = [nc for nc in not_checked if nc.kind == kind]
    near = [nc for nc in same if nc.region is None or nc.region == region]
    return [nc.error for nc in (near or same)]


def _cases(report: Report) -> list[_Case]:
    cases: dict[Key, _Case] = {}

    def case(kind: str, name: str, region: str | None) -> _Case:
        return cases.setdefault((kind, name, region), _Case(kind, name, region))

    for d in report.declared:
        c = case(d.kind, d.name, d.region)
        c.source = d.source
        if not d.checked:
            c.not_checked = _covering(report.not_checked, d.kind, d.region) or ["not checked"]
    for f in report.findings:
        case(f.kind, f.resource, f.region).findings.append(f)
    for i in report.ignored:
        case(i.finding.kind, i.finding.resource, i.finding.region).ignored.append(i)
    listings: dict[Key, _Case] = {}
    for nc in report.not_checked:
        scope = f" in {nc.region}" if nc.region else ""
        title = f"{nc.kind} listing{scope}"
        key = (nc.kind, "", nc.region)
        c = listings.setdefault(key, _Case(nc.kind, "", nc.region, listing=title))
        c.not_checked.append(nc.error)
    # Listing cases first in their kind: they say why the resources after them are errors.
    return sorted(listings.values(), key=lambda c: (c.kind, c.region or "")) + sorted(
        cases.values(), key=lambda c: (c.kind, c.name, c.region or "")
    )


def _line(f: Finding) -> str:
    rule = f" [{f.rule}]" if f.rule else ""
    where = f" (declared at {f.source})" if f.source else ""
    return f"{f.severity} {f.type} {f.path}{rule}: {f.message}{where}"


def _order(f: Finding) -> tuple[object, ...]:
    return (*f.sort_key(), f.rule or "", f.message)


def _testcase(parent: ET.Element, c: _Case, project: str) -> tuple[int, int]:
    """Add one case; returns (failures, errors) it counts."""
    attrs = {"name": xml_text(c.title), "classname": xml_text(f"drift.{project}.{c.kind}")}
    if c.source:
        path, _, line = c.source.rpartition(":")
        if path and line.isdigit():
            attrs["file"], attrs["line"] = xml_text(path), line
        else:
            attrs["file"] = xml_text(c.source)
    attrs["time"] = "0"
    el = ET.SubElement(parent, "testcase", attrs)
    findings = sorted(c.findings, key=_order)
    failures = errors = 0
    if c.not_checked:
        errors = 1
        body = [f"not checked: {e}" for e in c.not_checked] + [_line(f) for f in findings]
        err = ET.SubElement(
            el,
            "error",
            {
                "message": xml_text("not checked: " + "; ".join(c.not_checked)),
                "type": "not_checked",
            },
        )
        err.text = "\n".join(xml_text(b) for b in body)
    elif findings:
        failures = 1
        kinds = list(dict.fromkeys(f"{f.type}/{f.severity}" for f in findings))
        fail = ET.SubElement(
            el,
            "failure",
            {
                "message": xml_text(" ".join(f.message for f in findings)),
                "type": xml_text(", ".join(kinds)),
            },
        )
        fail.text = "\n".join(xml_text(_line(f)) for f in findings)
    if c.ignored:
        out = ET.SubElement(el, "system-out")
        ignored = sorted(c.ignored, key=lambda i: _order(i.finding))
        out.text = "\n".join(
            xml_text(
                f"ignored: {i.finding.severity} {i.finding.type} {i.finding.path}: "
                f"{i.rule}: {i.reason}"
            )
            for i in ignored
        )
    return failures, errors


def _properties(parent: ET.Element, report: Report) -> None:
    props = ET.SubElement(parent, "properties")
    values = [
        ("project", report.project),
        ("project_number", report.project_number or ""),
        ("source", f"{report.source_type}: {report.source_detail}".rstrip(": ")),
        ("baseline", report.baseline_path),
        ("baseline_sha256", report.baseline_sha256),
        ("generated_at", report.generated_at),
    ]
    for name, value in values:
        ET.SubElement(props, "property", {"name": name, "value": xml_text(value)})


def to_element(report: Report) -> ET.Element:
    """The `<testsuites>` tree."""
    root = ET.Element("testsuites", {"name": xml_text(f"drift {report.project}")})
    totals = [0, 0, 0]
    by_kind: dict[str, list[_Case]] = {}
    for c in _cases(report):
        by_kind.setdefault(c.kind, []).append(c)
    for kind, cases in sorted(by_kind.items()):
        suite = ET.SubElement(root, "testsuite", {"name": xml_text(f"{report.project}/{kind}")})
        _properties(suite, report)
        failures = errors = 0
        for c in cases:
            f, e = _testcase(suite, c, report.project)
            failures, errors = failures + f, errors + e
        _counts(suite, len(cases), failures, errors)
        suite.set("timestamp", report.generated_at.removesuffix("Z"))
        totals = [totals[0] + len(cases), totals[1] + failures, totals[2] + errors]
    _counts(root, *totals)
    return root


def _counts(el: ET.Element, tests: int, failures: int, errors: int) -> None:
    el.set("tests", str(tests))
    el.set("failures", str(failures))
    el.set("errors", str(errors))
    el.set("skipped", "0")
    el.set("time", "0")


def render(report: Report) -> str:
    """The JUnit XML document, UTF-8, indented, byte-identical for the same report."""
    root = to_element(report)
    ET.indent(root, space="  ")
    body = ET.tostring(root, encoding="unicode")
    return '<?xml version="1.0" encoding="UTF-8"?>\n' + body + "\n"
