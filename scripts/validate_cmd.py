"""`akhbar annotate validate`: check an export snapshot or annotated documents, write documents
and quarantine."""

from __future__ import annotations

import sys

import click

from akhbar.annotation.validate import report
from akhbar.annotation.validate.run import ValidateOptions, validate_snapshot
from akhbar.cli.options import from_fields


@click.command()
@from_fields(ValidateOptions)
@click.option("--json", "as_json", is_flag=True, help="Print the report as JSON.")
def validate(as_json: bool, **opts) -> None:
    """Validate a Label Studio export snapshot (a JSON array), or annotated documents
    (documents.jsonl, e.g. from import-conll), and write the valid documents.

    Exit 0 when every annotation is valid, 1 when some were quarantined, 2 when the input,
    corpus or taxonomy cannot be read.

    Example: akhbar annotate validate build/snapshots/snapshot.json --corpus build/corpus
    --out build/validated
    """
    result = validate_snapshot(ValidateOptions(**opts))
    click.echo(report.render_json(result) if as_json else report.render_text(result))
    if result.exit_code:
        click.echo(f"akhbar: {report.one_line(result)}", err=True)
        sys.exit(result.exit_code)  # not ctx.exit: the CLI runs click outside standalone mode
