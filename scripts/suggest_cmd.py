"""`akhbar suggest`: train a tagger on a release, suggest annotations, measure them (thin)."""

from __future__ import annotations

import json

import click

from akhbar.annotation.suggest.options import EvaluateOptions, PredictOptions, TrainOptions
from akhbar.cli.options import from_fields

# The tagger's modules (pycrfsuite, numba, pyarrow) are imported inside the commands so that
# every other ``akhbar`` command starts fast; their options come from a light module.


@click.group()
def suggest() -> None:
    """Suggestions: a CRF tagger learned from a release pre-annotates new articles.

    Example: akhbar suggest train releases/v1.0.0 --out build/model
    """


@suggest.command("train")
@from_fields(TrainOptions)
def train_cmd(**opts) -> None:
    """Train a suggestion model on RELEASE_DIR's ner and events configs; score it on the
    release's validation split.

    Example: akhbar suggest train releases/v1.0.0 --out build/model
    """
    from akhbar.annotation.suggest.train import train_model

    out_dir = opts["out_dir"]
    card = train_model(TrainOptions(**opts))
    r = card["release"]
    click.echo(
        f"trained {card['model_version']} on {r['sentences']} sentences ({r['tokens']} tokens) "
        f"of {r['name']} {r['version']}, split {r['split']}, in {card['training_seconds']} s"
    )
    c = card["clusters"]
    click.echo(
        f"word clusters: {c['stems']} stems, from {c['learned_from_tokens']} tokens"
        + ("" if c["stems"] else " (too few: pass --unlabelled CORPUS_DIR with more text)")
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
@from_fields(PredictOptions)
def predict_cmd(**opts) -> None:
    """Suggest entities and triggers for every article of a corpus, as documents that
    `akhbar annotate push --predictions` takes.

    Example: akhbar suggest predict build/model --corpus build/corpus --out build/pre.jsonl
    """
    from akhbar.annotation.suggest.predict import predict_corpus

    r = predict_corpus(PredictOptions(**opts))
    click.echo(
        f"wrote {r.out}: {r.predicted} articles, {r.entities} entities, {r.events} triggers "
        f"suggested by {r.model_version}; {r.skipped} annotated articles skipped"
    )


@suggest.command("evaluate")
@from_fields(EvaluateOptions)
@click.option("--json", "as_json", is_flag=True, help="Print every figure as JSON.")
def evaluate_cmd(as_json: bool, **opts) -> None:
    """Exact-span P/R/F1 (micro, per label), trigger F1, and the edits an annotator needs per
    100 tokens from the suggestions against from blank.

    Example: akhbar suggest evaluate build/model releases/v1.0.0 --split test
    """
    from akhbar.annotation.suggest.evaluate import evaluate_model, report

    figures = evaluate_model(EvaluateOptions(**opts))
    click.echo(json.dumps(figures, ensure_ascii=False, indent=2) if as_json else report(figures))
