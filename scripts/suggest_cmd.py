"""`akhbar suggest`: train a tagger on a release, suggest annotations, measure them (thin)."""

from __future__ import annotations

import json
from pathlib import Path

import click

from akhbar.cli.options import force_option, out_option, taxonomy_option

# The tagger's modules (pycrfsuite, pyarrow) are imported inside the commands so that every
# other ``akhbar`` command starts fast.


@click.group()
def suggest() -> None:
    """Suggestions: a CRF tagger learned from a release pre-annotates new articles.

    Example: akhbar suggest train releases/v1.0.0 --out build/model
    """


@suggest.command("train")
@click.argument("release_dir", type=click.Path(path_type=Path))
@out_option("Model directory to write (published whole or not at all).")
@click.option("--split", default="train", show_default=True, help="Split to learn from.")
@taxonomy_option(help="Taxonomy the release was built with (default: the bundled one it names).")
@force_option("model")
def train_cmd(
    release_dir: Path, out_dir: Path, split: str, taxonomy: Path | None, force: bool
) -> None:
    """Train a suggestion model on RELEASE_DIR's ner and events configs; score it on the
    release's validation split.

    Example: akhbar suggest train releases/v1.0.0 --out build/model
    """
    from akhbar.annotation.suggest.train import TrainOptions, train_model

    card = train_model(TrainOptions(release_dir, out_dir, split, taxonomy, force))
    r = card["release"]
    click.echo(
        f"trained {card['model_version']} on {r['sentences']} sentences ({r['tokens']} tokens) "
        f"of {r['name']} {r['version']}, split {r['split']}, in {card['training_seconds']} s"
    )
    val = card["validation"]
    if val is None:
        click.echo("no validation split with sentences: not scored")
    else:
        m = val["entities"]["micro"]
        click.echo(
            f"validation: entities exact-span F1 {m['f1']:.3f} (P {m['precision']:.3f}, "
            f"R {m['recall']:.3f}); edits per 100 tokens "
            f"{val['edits']['per_100_tokens_from_suggestions']:.2f} from the suggestions, "
            f"{val['edits']['per_100_tokens_from_blank']:.2f} from blank"
        )
    click.echo(f"wrote {out_dir} (model card: {out_dir / 'README.md'})")


@suggest.command("predict")
@click.argument("model_dir", type=click.Path(path_type=Path))
@click.option(
    "--corpus",
    required=True,
    type=click.Path(path_type=Path),
    help="Corpus store (the --out of akhbar corpus build).",
)
@click.option(
    "--out",
    "out",
    required=True,
    type=click.Path(path_type=Path),
    metavar="FILE",
    help="Predictions to write (JSON Lines, one annotated document per article).",
)
@click.option(
    "--skip",
    type=click.Path(path_type=Path),
    default=None,
    metavar="DOCUMENTS_OR_SNAPSHOT",
    help="Leave out the articles annotated here (documents.jsonl or a pulled snapshot).",
)
@force_option("predictions file")
def predict_cmd(model_dir: Path, corpus: Path, out: Path, skip: Path | None, force: bool) -> None:
    """Suggest entities and triggers for every article of a corpus, as documents that
    `akhbar annotate push --predictions` takes.

    Example: akhbar suggest predict build/model --corpus build/corpus --out build/pre.jsonl
    """
    from akhbar.annotation.suggest.predict import PredictOptions, predict_corpus

    r = predict_corpus(PredictOptions(model_dir, corpus, out, skip, force))
    click.echo(
        f"wrote {r.out}: {r.predicted} articles, {r.entities} entities, {r.events} triggers "
        f"suggested by {r.model_version}; {r.skipped} annotated articles skipped"
    )


@suggest.command("evaluate")
@click.argument("model_dir", type=click.Path(path_type=Path))
@click.argument("release_dir", type=click.Path(path_type=Path))
@click.option("--split", default="test", show_default=True, help="Split to score on.")
@click.option("--json", "as_json", is_flag=True, help="Print every figure as JSON.")
def evaluate_cmd(model_dir: Path, release_dir: Path, split: str, as_json: bool) -> None:
    """Exact-span P/R/F1 (micro, per label), trigger F1, and the edits an annotator needs per
    100 tokens from the suggestions against from blank.

    Example: akhbar suggest evaluate build/model releases/v1.0.0 --split test
    """
    from akhbar.annotation.suggest.evaluate import EvaluateOptions, evaluate_model, report

    figures = evaluate_model(EvaluateOptions(model_dir, release_dir, split))
    click.echo(json.dumps(figures, ensure_ascii=False, indent=2) if as_json else report(figures))
