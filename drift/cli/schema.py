"""`drift schema [baseline|project|resources|report]`: print a JSON Schema.

The baseline schemas are generated from the tables the loader validates with
(drift/baseline/json_schema.py), the report schema from drift/report/json_schema.py, so
they cannot drift apart from drift itself. No API call, no baseline needed.
"""

from __future__ import annotations

import json
import sys

import click

from drift.cli.exits import EXIT_ERROR
from drift.cli.output import check_output, emit

WHICH = ("baseline", "project", "resources", "report")


def schema_text(which: str) -> str:
    """The schema `which` as JSON text: keys in a fixed order, ASCII, one trailing newline."""
    if which == "report":
        from drift.report.json_schema import report_schema

        data = report_schema()
    else:
        from drift.baseline import json_schema

        data = {
            "baseline": json_schema.baseline_schema,
            "project": json_schema.project_schema,
            "resources": json_schema.resources_schema,
        }[which]()
    return json.dumps(data, indent=2) + "\n"


@click.command()
@click.argument("which", type=click.Choice(WHICH), default="baseline", required=False)
@click.option("--output", default=None, help="Write the schema to FILE (atomically).")
def schema(which: str, output: str | None) -> None:
    """Print the JSON Schema of baseline files or of the JSON report.

    \b
    baseline   any file of expected/<project>/ (project.yaml or a resource file)
    project    project.yaml only
    resources  resource files only (every *.yaml but project.yaml)
    report     the output of `drift diff --format json` (drift-report/v1)

    Editors validate baseline files with it: see docs/baseline.md ("Editor support").
    """
    target = check_output(output, "the schema")
    _, written = emit(schema_text(which), target, "the schema")
    sys.exit(0 if written else EXIT_ERROR)
