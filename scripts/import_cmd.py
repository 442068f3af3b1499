"""`akhbar annotate import-conll`: bring existing CoNLL annotations into akhbar."""

from __future__ import annotations

import click

from akhbar.annotation.conll.importer import ImportOptions, import_conll
from akhbar.cli.options import from_fields

SHOWN_ISSUES = 10  # malformed lines printed; all of them are in conll_issues.jsonl


@click.command("import-conll")
@from_fields(ImportOptions)
def import_conll_cmd(**opts) -> None:
    """Turn CoNLL/IOB files (nested multi-tag lines allowed) into a corpus store
    (OUT/corpus) and annotated documents (OUT/documents.jsonl), ready to validate or push.
    Each file is read on its own and its articles record its split. Malformed lines are
    skipped and listed in OUT/conll_issues.jsonl.

    Example: akhbar annotate import-conll --split train=wojood/train.txt --split
    validation=wojood/val.txt --split test=wojood/test.txt --taxonomy wojood --out build/wojood
    """
    result = import_conll(ImportOptions(**opts))
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
