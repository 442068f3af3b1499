"""`akhbar annotate`: command line for the annotate stage (thin: parse, call the library, print)."""

from __future__ import annotations

from pathlib import Path

import click

from akhbar.annotation.labelstudio import labelconfig
from akhbar.annotation.push import corpus_push
from akhbar.cli.lazy_group import LazyGroup
from akhbar.cli.options import from_fields, server_options, taxonomy_option
from akhbar.schemas.errors import InputError
from akhbar.schemas.taxonomy import load as load_taxonomy

_taxonomy_option = taxonomy_option()


@click.group(
    cls=LazyGroup,
    # Each command's module is imported when it runs: a push pays for no other command's stage.
    lazy={
        "validate": "akhbar.cli.validate_cmd:validate",
        "import-conll": "akhbar.cli.import_cmd:import_conll_cmd",
        "pull": "akhbar.cli.pull_cmd:pull_cmd",
        "agreement": "akhbar.cli.team_cmd:agreement_cmd",
        "adjudicate": "akhbar.cli.team_cmd:adjudicate_cmd",
        "audit": "akhbar.cli.team_cmd:audit_cmd",
        "resolve": "akhbar.cli.team_cmd:resolve_cmd",
        "review": "akhbar.cli.team_cmd:review_cmd",
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
