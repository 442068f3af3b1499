"""`akhbar annotate validate`: check an export snapshot or annotated documents, write documents
and quarantine."""

from __future__ import annotations

import sys
from pathlib import Path

import click

from akhbar.annotation.validate import report
from akhbar.annotation.validate.run import ValidateOptions, validate_snapshot
from akhbar.cli.options import out_option, taxonomy_option, workers_option


@click.command()
@click.argument("snapshot", type=click.Path(path_type=Path))
@click.option(
    "--corpus",
    "corpus_dir",
    required=True,
    type=click.Path(path_type=Path),
    help="Corpus store the tasks were pushed from (or the documents were made for).",
)
@out_option("Directory for documents.jsonl, quarantine.jsonl, issues.jsonl, validation.json.")
@taxonomy_option()
@click.option("--json", "as_json", is_flag=True, help="Print the report as JSON.")
@workers_option("checking the export; an export under 8 MiB is checked here with 0")
@click.option(
    "--trim-punctuation",
    is_flag=True,
    help="Also trim punctuation at a span's edges (whitespace is always trimmed).",
)
def validate(
    snapshot: Path,
    corpus_dir: Path,
    out_dir: Path,
    taxonomy: Path | None,
    as_json: bool,
    workers: int,
    trim_punctuation: bool,
) -> None:
    """Validate a Label Studio export snapshot (a JSON array), or annotated documents
    (documents.jsonl, e.g. from import-conll), and write the valid documents.

    Exit 0 when every annotation is valid, 1 when some were quarantined, 2 when the input,
    corpus or taxonomy cannot be read.

    Example: akhbar annotate validate build/snapshots/snapshot.json --corpus build/corpus
    --out build/validated
    """
    result = validate_snapshot(
        ValidateOptions(
            snapshot=snapshot,
            corpus=corpus_dir,
            out=out_dir,
            taxonomy=taxonomy,
            workers=workers,
            trim_punctuation=trim_punctuation,
        )
    )
    click.echo(report.render_json(result) if as_json else report.render_text(result))
    if result.exit_code:
        click.echo(f"akhbar: {report.one_line(result)}", err=True)
        sys.exit(result.exit_code)  # not ctx.exit: the CLI runs click outside standalone mode
