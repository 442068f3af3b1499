"""`akhbar annotate agreement | adjudicate | audit | resolve | review`: the quality loop."""

from __future__ import annotations

import click

from akhbar.annotation.audit import run as audit_run
from akhbar.annotation.labelstudio import client
from akhbar.annotation.team import adjudicate, resolve, review_tabs
from akhbar.annotation.team import run as agreement_run
from akhbar.cli.options import from_fields, server_options


@click.command("agreement")
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


@click.command("adjudicate")
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


@click.command("audit")
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


@click.command("resolve")
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


@click.command("review")
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
