"""`akhbar annotate`: command line for the annotate stage (thin: parse, call the library, print)."""

from __future__ import annotations

from pathlib import Path

import click

from akhbar.annotation import pull
from akhbar.annotation.audit import run as audit_run
from akhbar.annotation.labelstudio import client, labelconfig
from akhbar.annotation.push import corpus_push
from akhbar.annotation.team import adjudicate, resolve, review_tabs
from akhbar.annotation.team import run as agreement_run
from akhbar.cli.lazy_group import LazyGroup
from akhbar.cli.options import from_fields, server_options, taxonomy_option
from akhbar.schemas.errors import InputError
from akhbar.schemas.taxonomy import load as load_taxonomy

_taxonomy_option = taxonomy_option()


@click.group(
    cls=LazyGroup,
    lazy={
        "validate": "akhbar.cli.validate_cmd:validate",
        "import-conll": "akhbar.cli.import_cmd:import_conll_cmd",
    },
)
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
@from_fields(corpus_push.PushOptions)
@server_options
def push_cmd(connect, **opts) -> None:
    """Import a corpus store's articles as tasks; articles already there are skipped.

    Example: akhbar annotate push build/corpus --project news-2026 --predictions pre.jsonl
    """
    report = corpus_push.push_corpus(connect(), corpus_push.PushOptions(**opts))
    for line in report.lines():
        click.echo(line, err=line.startswith("  "))
    if report.rejected:
        raise InputError(
            f"{len(report.rejected)} pre-annotation(s) rejected and not imported (listed above); "
            f"fix them and run the same push again"
        )


@annotate.command("pull")
@from_fields(pull.PullOptions)
@server_options
def pull_cmd(connect, **opts) -> None:
    """Pull the project as a new immutable snapshot plus manifest: only what changed since the
    latest snapshot of it in --out (merged into a whole one), or its full JSON export.

    Example: akhbar annotate pull --project news-2026 --out build/snapshots
    """
    snap = pull.pull_project(connect(), pull.PullOptions(**opts))
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
    from akhbar.annotation.team import report as agreement_report  # its own stage's imports

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
            f"  proposed  {n} tasks to the adjudicator as predictions ({s['model_version']}, "
            f"scored by agreement; what it could not decide as {resolve.CONFLICTS_MODEL}); "
            f"{s['already_proposed']} already proposed, {s['already_resolved']} already resolved"
        )


@annotate.command("audit")
@from_fields(audit_run.AuditOptions)
def audit_cmd(**opts) -> None:
    """Find likely annotation errors across the corpus: the same string labelled with another
    type elsewhere, left unlabelled where it is labelled elsewhere, drawn with other
    boundaries; triggers likewise; with --model, a model's confident disagreements.

    Example: akhbar annotate audit build/validated --corpus build/corpus --out build/audit
    """
    result = audit_run.run_audit(audit_run.AuditOptions(**opts))
    from akhbar.annotation.audit import report as audit_report  # its own stage's imports

    for line in audit_report.summary_lines(result.summary):
        click.echo(line)
    click.echo(f"  wrote     {result.out_dir}/{{audit.jsonl, audit.json, audit.md}}")


@annotate.command("resolve")
@from_fields(resolve.ResolveOptions)
@server_options
def resolve_cmd(connect, **opts) -> None:
    """Mark ground truth the annotations an adjudicator made from an akhbar proposal
    (duplicated, edited, submitted): Community Edition has no ground-truth control.

    Example: akhbar annotate resolve --project news-2026
    """
    report = resolve.resolve_project(connect(), resolve.ResolveOptions(**opts))
    for line in report.lines():
        click.echo(line)


@annotate.command("review")
@from_fields(review_tabs.ReviewOptions)
@server_options
def review_cmd(connect, **opts) -> None:
    """Create or update Data Manager tabs holding the tasks to look at: quarantined by a
    validation (one tab per code), low agreement, audit suspects (one tab per kind).

    Example: akhbar annotate review --project news-2026 --validation build/validated
    --agreement build/agreement
    """
    report = review_tabs.review_project(connect(), review_tabs.ReviewOptions(**opts))
    for line in report.lines():
        click.echo(line)
