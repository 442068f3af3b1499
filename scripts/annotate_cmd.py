"""`akhbar annotate`: command line for the annotate stage (thin: parse, call the library, print)."""

from __future__ import annotations

from pathlib import Path

import click

from akhbar.annotation import client, labelconfig, pull, push
from akhbar.annotation.server import DEFAULT_SETTINGS
from akhbar.annotation.taxonomy import load as load_taxonomy
from akhbar.corpus.errors import InputError


def _server_options(f):
    f = click.option(
        "--settings",
        type=click.Path(path_type=Path, dir_okay=False),
        default=DEFAULT_SETTINGS,
        show_default=True,
        help="Settings of the local server (`akhbar studio up`), used without --url/--api-key.",
    )(f)
    f = click.option(
        "--api-key", default=None, help="API token (legacy or personal); env LABEL_STUDIO_API_KEY."
    )(f)
    f = click.option(
        "--url", default=None, help="An existing Label Studio server; env LABEL_STUDIO_URL."
    )(f)
    return f


_taxonomy_option = click.option(
    "--taxonomy",
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
    default=None,
    help="Taxonomy file (default: the bundled ace-ar-conflict).",
)


@click.group()
def annotate() -> None:
    """Commands of the annotate stage: Label Studio projects, push and pull.

    Example: akhbar annotate push build/corpus --project news-2026
    """


@annotate.command()
@_taxonomy_option
@click.option("--instructions", is_flag=True, help="Print the annotator instructions (HTML).")
def config(taxonomy: Path | None, instructions: bool) -> None:
    """Print the Label Studio labeling config generated from the taxonomy.

    Example: akhbar annotate config --taxonomy my_taxonomy.yaml > config.xml
    """
    tax = load_taxonomy(taxonomy)
    text = labelconfig.instructions_html(tax) if instructions else labelconfig.label_config(tax)
    click.echo(text)


@annotate.command("push")
@click.argument("corpus_dir", type=click.Path(path_type=Path))
@click.option("--project", required=True, help="Project title (created if missing).")
@_taxonomy_option
@click.option(
    "--predictions",
    type=click.Path(path_type=Path),
    default=None,
    help="JSONL of predictions (Label Studio results or documents), checked before import.",
)
@click.option(
    "--annotations",
    type=click.Path(path_type=Path),
    default=None,
    help="JSONL of annotations to import with new tasks (same formats).",
)
@click.option("--model-version", default=None, help="model_version for predictions without one.")
@click.option("--batch-size", type=int, default=push.DEFAULT_BATCH_SIZE, show_default=True)
@click.option("--limit", type=int, default=None, help="Push only the first N articles.")
@click.option("--progress/--no-progress", default=True, help="Show a progress bar.")
@_server_options
def push_cmd(
    corpus_dir,
    project,
    taxonomy,
    predictions,
    annotations,
    model_version,
    batch_size,
    limit,
    progress,
    url,
    api_key,
    settings,
) -> None:
    """Import a corpus store's articles as tasks; articles already there are skipped.

    Example: akhbar annotate push build/corpus --project news-2026 --predictions pre.jsonl
    """
    conn = client.resolve(url, api_key, settings)
    report = push.push_corpus(
        conn,
        corpus_dir,
        project,
        taxonomy_path=taxonomy,
        predictions_path=predictions,
        annotations_path=annotations,
        model_version=model_version,
        batch_size=batch_size,
        limit=limit,
        progress=progress,
    )
    for line in report.lines():
        click.echo(line, err=line.startswith("  "))
    if report.rejected:
        raise InputError(
            f"{len(report.rejected)} pre-annotation(s) rejected and not imported (listed above); "
            f"fix them and run the same push again"
        )


@annotate.command("pull")
@click.option("--project", required=True, help="Project title.")
@click.option("--out", "out_dir", required=True, type=click.Path(path_type=Path, file_okay=False))
@_taxonomy_option
@click.option(
    "--timeout", type=float, default=3600.0, show_default=True, help="Seconds to wait for export."
)
@click.option("--progress/--no-progress", default=True, help="Show a progress bar.")
@_server_options
def pull_cmd(project, out_dir, taxonomy, timeout, progress, url, api_key, settings) -> None:
    """Download the project's full JSON export as a new immutable snapshot plus manifest.

    Example: akhbar annotate pull --project news-2026 --out build/snapshots
    """
    conn = client.resolve(url, api_key, settings)
    snap = pull.pull_project(
        conn, project, out_dir, taxonomy_path=taxonomy, poll_timeout=timeout, progress=progress
    )
    for line in snap.lines():
        click.echo(line)
