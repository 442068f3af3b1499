"""`akhbar annotate import-conll`: bring existing CoNLL annotations into akhbar."""

from __future__ import annotations

from pathlib import Path

import click

from akhbar.annotation.conll.importer import ImportOptions, import_conll, parse_split_option
from akhbar.annotation.conll.reader import DEFAULT_SENTENCE_END
from akhbar.cli.options import force_option, out_option, taxonomy_option

SHOWN_ISSUES = 10  # malformed lines printed; all of them are in conll_issues.jsonl


@click.command("import-conll")
@click.argument(
    "conll_files", nargs=-1, type=click.Path(exists=True, dir_okay=False, path_type=Path)
)
@click.option(
    "--split",
    "split_files",
    multiple=True,
    metavar="SPLIT=FILE",
    help="A file and the source's split it holds (train, validation, test); repeat for each "
    "file. A FILE given without --split takes the split its name names (train.txt, val.txt, "
    "dev.txt, test.txt), if any; release build keeps these splits.",
)
@taxonomy_option(
    required=True,
    help="Taxonomy declaring the files' entity types: a file or a bundled name (e.g. wojood).",
)
@out_option("Directory for corpus/, documents.jsonl and conll_issues.jsonl.")
@click.option(
    "--source", default=None, help="Source name for the articles (default: the taxonomy's name)."
)
@click.option(
    "--strict", is_flag=True, help="Stop at the first malformed line instead of skipping it."
)
@click.option(
    "--sentence-end",
    default=None,
    metavar="TOKENS",
    help="Space-separated tokens that end a sentence, also in files with blank lines "
    f"(default: '{' '.join(DEFAULT_SENTENCE_END)}', used only when the file has no blank lines).",
)
@click.option(
    "--article-size",
    type=click.IntRange(min=1),
    default=1,
    show_default=True,
    help="Sentences per article (one annotation task).",
)
@force_option("import")
def import_conll_cmd(
    conll_files: tuple[Path, ...],
    split_files: tuple[str, ...],
    taxonomy: Path,
    out_dir: Path,
    source,
    strict: bool,
    sentence_end: str | None,
    article_size: int,
    force: bool,
) -> None:
    """Turn CoNLL/IOB files (nested multi-tag lines allowed) into a corpus store
    (OUT/corpus) and annotated documents (OUT/documents.jsonl), ready to validate or push.
    Each file is read on its own and its articles record its split. Malformed lines are
    skipped and listed in OUT/conll_issues.jsonl.

    Example: akhbar annotate import-conll --split train=wojood/train.txt --split
    validation=wojood/val.txt --split test=wojood/test.txt --taxonomy wojood --out build/wojood
    """
    inputs = [parse_split_option(v) for v in split_files]
    result = import_conll(
        ImportOptions(
            conll=[*conll_files, *inputs],
            taxonomy=taxonomy,
            out=out_dir,
            source=source,
            force=force,
            strict=strict,
            sentence_end=None if sentence_end is None else sentence_end.split(),
            article_size=article_size,
        )
    )
    s = result.summary()
    lines = s["lines"]
    click.echo(f"corpus at {result.corpus_dir}, documents at {result.documents_path}")
    for f in s["files"]:
        split = f["split"] or "no split (release build hashes its articles)"
        click.echo(f"  {f['file']}: {split}: {f['articles']} articles, {f['sentences']} sentences")
    click.echo(
        f"  {s['articles']} articles, {s['sentences']} sentences, {s['tokens']} tokens, "
        f"{s['entities']} entities ({s['nested_entities']} nested)"
    )
    specials = ", ".join(f"{k} x{v}" for k, v in s["special_tokens_kept"].items()) or "none"
    click.echo(f"  special tokens kept verbatim: {specials}; IOB repairs: {s['iob_repairs']}")
    reasons = ", ".join(f"{k} {v}" for k, v in lines["skipped_by_reason"].items())
    click.echo(
        f"  {lines['token_lines']} token lines: {lines['kept']} kept, {lines['repaired']} "
        f"repaired, {lines['skipped']} skipped" + (f" ({reasons})" if reasons else "")
    )
    for issue, path in list(zip(result.lines.issues, result.issue_files, strict=True))[
        :SHOWN_ISSUES
    ]:
        click.echo(f"  {path}:{issue.line}: {issue.reason}: {issue.detail}", err=True)
    if len(result.lines.issues) > SHOWN_ISSUES:
        click.echo(f"  ... all {len(result.lines.issues)} in {result.issues_path}", err=True)
