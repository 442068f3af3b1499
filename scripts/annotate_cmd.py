"""`akhbar annotate`: command line for the annotate stage (thin: parse, call the library, print)."""

from __future__ import annotations

from pathlib import Path

import click

from akhbar.annotation import pull
from akhbar.annotation.labelstudio import client, labelconfig
from akhbar.annotation.labelstudio.server import DEFAULT_SETTINGS
from akhbar.annotation.push import corpus_push
from akhbar.annotation.team import adjudicate
from akhbar.annotation.team import report as agreement_report
from akhbar.annotation.team import run as agreement_run
from akhbar.cli.options import from_fields, out_option, server_options, taxonomy_option
from akhbar.schemas.errors import InputError
from akhbar.schemas.taxonomy import load as load_taxonomy


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


_taxonomy_option = taxonomy_option()


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
@click.option(
    "--batch-size",
    type=int,
    default=corpus_push.DEFAULT_BATCH_SIZE,
    show_default=True,
    help="Tasks per import request (each also at most 12 M characters of text).",
)
@click.option("--limit", type=int, default=None, help="Push only the first N articles.")
@click.option(
    "--overlap",
    type=click.IntRange(min=1),
    default=None,
    help="Annotators per task for overlapping articles (sets maximum_annotations).",
)
@click.option(
    "--overlap-share",
    type=click.IntRange(0, 100),
    default=100,
    show_default=True,
    help="Percent of the tasks annotated by --overlap people (overlap_cohort_percentage).",
)
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
    overlap,
    overlap_share,
    progress,
    url,
    api_key,
    settings,
) -> None:
    """Import a corpus store's articles as tasks; articles already there are skipped.

    Example: akhbar annotate push build/corpus --project news-2026 --predictions pre.jsonl
    """
    conn = client.resolve(url, api_key, settings)
    report = corpus_push.push_corpus(
        conn,
        corpus_push.PushOptions(
            corpus=corpus_dir,
            project=project,
            taxonomy=taxonomy,
            predictions=predictions,
            annotations=annotations,
            model_version=model_version,
            batch_size=batch_size,
            limit=limit,
            progress=progress,
            overlap=overlap,
            overlap_share=overlap_share,
        ),
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
@out_option("Directory for the new snapshot and its manifest.")
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
        conn,
        pull.PullOptions(
            project=project,
            out=out_dir,
            taxonomy=taxonomy,
            poll_timeout=timeout,
            progress=progress,
        ),
    )
    for line in snap.lines():
        click.echo(line)


@annotate.command("agreement")
@from_fields(agreement_run.AgreementOptions)
@click.option("--json", "as_json", is_flag=True, help="Print agreement.json instead of a summary.")
def agreement_cmd(as_json: bool, **opts) -> None:
    """Measure inter-annotator agreement over the tasks two or more annotators annotated.

    Example: akhbar annotate agreement build/snapshots/snapshot.json --corpus build/corpus
    --out build/agreement
    """
    out_dir = opts["out"]
    result = agreement_run.run_agreement(agreement_run.AgreementOptions(**opts))
    if as_json:
        click.echo((out_dir / agreement_run.AGREEMENT).read_text(encoding="utf-8"), nl=False)
        return
    for line in agreement_report.summary_lines(result.figures):
        click.echo(line)
    click.echo(f"  wrote     {out_dir}/{{agreement.json, agreement.md, agreement.png}}")
    if not result.figures["documents"]:
        click.echo(
            "akhbar: no task has valid annotations by two different annotators; nothing to "
            "compare (push with --overlap K to have articles annotated several times)",
            err=True,
        )


@annotate.command("adjudicate")
@from_fields(adjudicate.AdjudicateOptions)
@click.option(
    "--push",
    "push_",
    is_flag=True,
    help="Post each proposal to its task as a prediction, for an adjudicator to review.",
)
@server_options
def adjudicate_cmd(push_: bool, connect, **opts) -> None:
    """Propose one adjudicated document per task that several annotators annotated.

    Example: akhbar annotate adjudicate build/snapshots/snapshot.json --corpus build/corpus
    --out build/adjudicated --strategy majority --push
    """
    conn = connect() if push_ else None
    run = adjudicate.run_adjudication(adjudicate.AdjudicateOptions(**opts))
    strategy, out_dir = opts["strategy"], opts["out"]
    s = run.summary
    c = s["conflicts"]
    click.echo(
        f"{s['tasks']} tasks adjudicated ({strategy}): {s['kept']['entities']} entities and "
        f"{s['kept']['events']} events kept; {s['tasks_with_conflicts']} tasks with conflicts "
        f"({c['entity']} entity, {c['trigger']} trigger, {c['argument']} argument) -> {out_dir}"
    )
    if conn is not None:
        with client.Client.connect(conn) as cl:
            n = adjudicate.push_proposals(cl, run)
        click.echo(
            f"  pushed    {n} proposals as predictions ({s['model_version']}); "
            f"{s['already_proposed']} already proposed, {s['already_resolved']} already resolved"
        )
