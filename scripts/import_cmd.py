"""`akhbar annotate import-conll`: bring existing CoNLL annotations into akhbar."""

from __future__ import annotations

from pathlib import Path

import click

from akhbar.annotation.import_conll import import_conll
from akhbar.annotation.taxonomy import load as load_taxonomy


@click.command("import-conll")
@click.argument("conll_file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option(
    "--taxonomy",
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
    required=True,
    help="Taxonomy declaring the file's entity types (e.g. annotation/taxonomies/wojood.yaml).",
)
@click.option("--out", "out_dir", required=True, type=click.Path(path_type=Path, file_okay=False))
@click.option("--source", default=None, help="Source name for the articles (default: file stem).")
@click.option("--force", is_flag=True, help="Replace an earlier import in --out.")
def import_conll_cmd(conll_file: Path, taxonomy: Path, out_dir: Path, source, force: bool) -> None:
    """Turn a CoNLL/IOB file (nested multi-tag lines allowed) into a corpus store
    (OUT/corpus) and annotated documents (OUT/documents.jsonl), ready to push.

    Example: akhbar annotate import-conll wojood/test.txt --taxonomy
    annotation/taxonomies/wojood.yaml --out build/wojood
    """
    result = import_conll(conll_file, load_taxonomy(taxonomy), out_dir, source=source, force=force)
    s = result.summary()
    click.echo(f"corpus at {result.corpus_dir}, documents at {result.documents_path}")
    click.echo(
        f"  {s['sentences']} sentences, {s['tokens']} tokens, {s['entities']} entities "
        f"({s['nested_entities']} nested)"
    )
    specials = ", ".join(f"{k} x{v}" for k, v in s["special_tokens_kept"].items()) or "none"
    click.echo(f"  special tokens kept verbatim: {specials}; IOB repairs: {s['iob_repairs']}")
