"""Train a suggestion model on a release (``akhbar suggest train``).

The CRF learns BIO tags from the ``ner`` sentences of one split (``train`` by default). Its
gazetteer features are computed the way they will be met at prediction time: during training a
sentence sees a gazetteer made from the *other* folds of the split (otherwise every training
entity would be in it, and the model would learn to trust it blindly); the gazetteer saved
with the model is made from the whole split. The trigger lexicon comes from the split's
``events`` rows. The model is then scored on the release's ``validation`` split, and the
directory is published whole (:mod:`akhbar.corpus.runtime.publish`) or not at all.
"""

from __future__ import annotations

import json
import random
import time
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any

import pycrfsuite

from akhbar.annotation.suggest import metrics, model
from akhbar.annotation.suggest.clusters import WordClusters
from akhbar.annotation.suggest.features import ARABIC, DESCRIPTIONS, featurizer
from akhbar.annotation.suggest.gazetteer import Gazetteer
from akhbar.annotation.suggest.options import TrainOptions
from akhbar.annotation.suggest.predict import sentences as tokenise
from akhbar.annotation.suggest.release_data import ReleaseSplit, Sentence, read_split
from akhbar.annotation.suggest.triggers import TriggerLexicon
from akhbar.corpus.runtime.publish import publishing
from akhbar.corpus.store import load_corpus
from akhbar.schemas import taxonomy as taxonomy_mod
from akhbar.schemas.errors import InputError, UsageError

FOLDS = 5
# Chosen on Wojood's validation split (never its test split): c1 and c2 in 0-0.2 moved the
# validation F1 by about 0.02, more iterations than 150 did not help.
CRF_PARAMS = {
    "c1": 0.02,  # L1: most of the millions of possible features get a weight of zero
    "c2": 0.02,
    "max_iterations": 150,
    "feature.possible_transitions": True,
}


def _spans(s: Sentence) -> list[tuple[int, int, str]]:
    return [(a, b, lab) for _, a, b, lab in metrics.bio_spans(s.tags)]


def fit(
    sentences: list[Sentence],
    model_path: Path,
    features: str,
    crf_params: dict[str, Any],
    clusters: WordClusters | None = None,
) -> Gazetteer | None:
    """Train the CRF into ``model_path``; return the gazetteer to save with it (None for a
    feature set without one)."""
    trainer = pycrfsuite.Trainer(verbose=False)
    trainer.set_params(crf_params)
    gazetteer = None
    if features == ARABIC:
        pairs = [(s.tokens, _spans(s)) for s in sentences]
        gazetteer = Gazetteer.learn(pairs)
        for k in range(FOLDS):
            others = Gazetteer.learn([p for i, p in enumerate(pairs) if i % FOLDS != k])
            feats = featurizer(features, others, clusters)
            for i in range(k, len(sentences), FOLDS):
                trainer.append(feats.sentence(sentences[i].tokens), sentences[i].tags)
    else:
        feats = featurizer(features)
        for s in sentences:
            trainer.append(feats.sentence(s.tokens), s.tags)
    trainer.train(str(model_path))
    return gazetteer


def _taxonomy(opts: TrainOptions, data: ReleaseSplit) -> tuple[dict[str, Any], str]:
    """The taxonomy the release was built with: the one given, or the bundled one whose
    sha256 the manifest names."""
    want = data.taxonomy.get("sha256")
    if opts.taxonomy is not None:
        candidates = [opts.taxonomy]
    else:
        candidates = sorted(taxonomy_mod.TAXONOMY_DIR.glob("*.yaml"))
    for path in candidates:
        raw, _ = taxonomy_mod.read(path)
        if taxonomy_mod.canonical_sha256(raw) == want:
            return raw, str(path)
    name = f"{data.taxonomy.get('name')}@{data.taxonomy.get('version')}"
    if opts.taxonomy is not None:
        raise UsageError(
            f"{opts.taxonomy}: not the taxonomy release {data.version} was built with ({name}, "
            f"sha256 {str(want)[:12]}…); pass that taxonomy file as --taxonomy"
        )
    raise UsageError(
        f"{opts.release}: built with the taxonomy {name} (sha256 {str(want)[:12]}…), which is "
        "not bundled; pass its file as --taxonomy FILE"
    )


def unlabelled_sentences(
    corpora: Sequence[Path], sentences: list[Sentence]
) -> Iterator[Sequence[str]]:
    """The text word clusters are learned from: the training sentences' tokens, then every
    article of the unannotated corpora, tokenised as predict tokenises them."""
    for s in sentences:
        yield s.tokens
    for corpus in corpora:
        for article in load_corpus(corpus).iter_articles():
            text = article["text"]
            where = f"{corpus} article {article['id']}"
            for starts, ends in tokenise(text, article.get("metadata"), where)[0]:
                yield [text[a:b] for a, b in zip(starts, ends, strict=True)]


def sample(sentences: list[Sentence], fraction: float, seed: int) -> list[Sentence]:
    """A seeded sample of ``fraction`` of the sentences, whole articles together."""
    if fraction >= 1:
        return sentences
    articles = sorted({s.article_id for s in sentences})
    random.Random(seed).shuffle(articles)
    keep = set(articles[: max(1, round(fraction * len(articles)))])
    return [s for s in sentences if s.article_id in keep]


def train_model(opts: TrainOptions) -> dict[str, Any]:
    """Train, score on the validation split, publish ``opts.out_dir``; return the card."""
    if not 0 < opts.fraction <= 1:
        raise UsageError(f"fraction {opts.fraction}: give a number in (0, 1]")
    data = read_split(opts.release, opts.split)
    tax_data, _ = _taxonomy(opts, data)
    sentences = sample(data.sentences, opts.fraction, opts.seed)
    if not any(any(t != "O" for t in s.tags) for s in sentences):
        raise InputError(
            f"{opts.release}: split {opts.split} has no entity in its ner config; a tagger "
            "needs annotated sentences to learn from"
        )
    keep = {s.article_id for s in sentences}
    crf_params = CRF_PARAMS if opts.crf_params is None else opts.crf_params
    with publishing(
        opts.out_dir,
        replace=opts.force,
        marker=model.CARD,
        what=model.KIND,
        inputs=[opts.release],
    ) as out:
        tmp = out.path
        t0 = time.perf_counter()
        clusters = WordClusters()
        if opts.features == ARABIC:
            clusters = WordClusters.learn(unlabelled_sentences(opts.unlabelled, sentences))
        gazetteer = fit(sentences, tmp / model.CRF, opts.features, crf_params, clusters)
        lexicon = TriggerLexicon.learn(
            [(t.text, t.type) for t in data.triggers if t.article_id in keep],
            (tok for s in sentences for tok in s.tokens),
        )
        seconds = time.perf_counter() - t0
        (tmp / model.GAZETTEER).write_text(
            json.dumps((gazetteer or Gazetteer()).to_json(), ensure_ascii=False), encoding="utf-8"
        )
        (tmp / model.CLUSTERS).write_text(
            json.dumps(clusters.to_json(), ensure_ascii=False), encoding="utf-8"
        )
        (tmp / model.TRIGGERS).write_text(
            json.dumps(lexicon.to_json(), ensure_ascii=False, indent=1), encoding="utf-8"
        )
        (tmp / model.TAXONOMY).write_text(
            json.dumps(tax_data, ensure_ascii=False, indent=1), encoding="utf-8"
        )
        digest = model.model_hash(tmp)
        name = data.release_name
        card: dict[str, Any] = {
            "format": model.FORMAT,
            "model_version": f"{name}@{data.version}+crf-{digest[:12]}",
            "model_sha256": digest,
            "release": {
                "name": name,
                "version": data.version,
                "manifest_sha256": data.manifest_sha256,
                "split": opts.split,
                "fraction": opts.fraction,
                "sentences": len(sentences),
                "tokens": sum(len(s.tokens) for s in sentences),
            },
            "taxonomy": data.taxonomy,
            "features": {"name": opts.features, "description": DESCRIPTIONS[opts.features]},
            "crf": {"library": "python-crfsuite", "algorithm": "lbfgs", **crf_params},
            "gazetteer_entries": len(gazetteer.entries) if gazetteer else 0,
            "clusters": {
                "stems": len(clusters.stems),
                "sizes": list(clusters.sizes),
                "learned_from_tokens": clusters.tokens,
                "unlabelled": [p.name for p in opts.unlabelled],
            },
            "trigger_lexicon": {"entries": len(lexicon.entries), "min_count": 2},
            "training_seconds": round(seconds, 2),
            "validation": None,
        }
        (tmp / model.CARD).write_text(json.dumps(card, ensure_ascii=False, indent=2))
        if opts.validation_split:
            from akhbar.annotation.suggest.evaluate import score_split

            try:
                val = read_split(opts.release, opts.validation_split)
            except InputError:
                val = None
            if val is not None and val.sentences:
                card["validation"] = score_split(model.SuggestModel(tmp), val)
        (tmp / model.CARD).write_text(
            json.dumps(card, ensure_ascii=False, indent=2) + "\n", encoding="utf-8"
        )
        (tmp / model.README).write_text(card_markdown(card), encoding="utf-8")
    return card


def _clusters_line(c: dict[str, Any]) -> str:
    given = ", ".join(c["unlabelled"]) or "none given"
    if not c["stems"]:
        return (
            f"Word clusters: none, {c['learned_from_tokens']} tokens of text were too few "
            f"(unannotated corpora: {given}); pass --unlabelled CORPUS_DIR with more."
        )
    return (
        f"Word clusters: {c['stems']} word stems in {' and '.join(map(str, c['sizes']))} "
        f"clusters, learned from {c['learned_from_tokens']} tokens (the split's own and the "
        f"unannotated corpora: {given})."
    )


def card_markdown(card: dict[str, Any]) -> str:
    """The model card for people."""
    r = card["release"]
    lines = [
        f"# Suggestion model {card['model_version']}",
        "",
        f"A CRF tagger trained by akhbar on release {r['name']} {r['version']} (manifest "
        f"sha256 `{r['manifest_sha256']}`), split `{r['split']}`: {r['sentences']} sentences, "
        f"{r['tokens']} tokens. Trained in {card['training_seconds']} s.",
        "",
        f"Features (`{card['features']['name']}`): {card['features']['description']}.",
        "",
        f"Gazetteer: {card['gazetteer_entries']} entity strings of the release (it repeats the "
        f"release's own mistakes). Trigger lexicon: {card['trigger_lexicon']['entries']} words.",
        "",
        _clusters_line(card["clusters"]),
        "",
    ]
    val = card.get("validation")
    if val is None:
        lines.append("Not scored: the release has no validation split with sentences.")
    else:
        m = val["entities"]["micro"]
        lines += [
            f"## Scores on the validation split ({val['sentences']} sentences)",
            "",
            "| label | precision | recall | F1 | gold spans |",
            "|---|---|---|---|---|",
            f"| all (micro) | {m['precision']} | {m['recall']} | {m['f1']} | {m['support']} |",
        ]
        lines += [
            f"| {lab} | {s['precision']} | {s['recall']} | {s['f1']} | {s['support']} |"
            for lab, s in val["entities"]["by_label"].items()
        ]
        if val["triggers"] is not None:
            t = val["triggers"]["micro"]
            lines.append(
                f"| triggers | {t['precision']} | {t['recall']} | {t['f1']} | {t['support']} |"
            )
        e = val["edits"]
        lines += [
            "",
            f"Edits per 100 tokens to reach the gold: {e['per_100_tokens_from_suggestions']} "
            f"from the suggestions, {e['per_100_tokens_from_blank']} from a blank page.",
        ]
    return "\n".join(lines) + "\n"
