"""Confident disagreements of a suggestion model (``akhbar suggest train``) with the annotation.

The model tags each sentence of each audited article (the sentences and tokens ``suggest
predict`` uses, :func:`akhbar.annotation.suggest.predict.sentences`); where its tagging of the
sentence is at least ``min_confidence`` likely, an entity it puts at exactly an annotated span
with another label is a ``model_type`` suspect, and one it puts where nothing is annotated a
``model_missed`` suspect; both score the probability of the sentence's tagging. The model learnt from a release of this corpus, so
it repeats what the corpus does most: it points at the exceptions.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

from akhbar.annotation.audit.findings import Finder


def _spans(model: Any, article: dict[str, Any]) -> Iterator[tuple[int, int, str, float]]:
    """(start, end, label, probability of its sentence's tagging) of the model's entities."""
    from akhbar.annotation.suggest.metrics import bio_spans
    from akhbar.annotation.suggest.predict import sentences

    text = article["text"]
    sents, given = sentences(text, article.get("metadata"), f"article {article['id']}")
    tokens = [[text[a:b] for a, b in zip(st, en, strict=True)] for st, en in sents]
    for (starts, ends), toks, tagged in zip(sents, tokens, model.tag_many(tokens), strict=True):
        for _, a, b, label in bio_spans(tagged.tags):
            start = starts[a] + (0 if given else model.gazetteer.entity_start(toks[a]))
            yield start, ends[b - 1], label, tagged.probability


def model_suspects(
    finder: Finder, model_dir: Path, corpus: Path, min_confidence: float
) -> Iterator[dict[str, Any]]:
    from akhbar.annotation.suggest.model import SuggestModel
    from akhbar.corpus.store import load_corpus

    model = SuggestModel(model_dir)
    wanted = {d["article_id"]: i for i, d in enumerate(finder.docs)}
    for article in load_corpus(corpus).iter_articles():
        doc = wanted.get(article["id"])
        if doc is None or finder.docs[doc]["text"] != article["text"]:
            continue
        ents = finder.docs[doc]["entities"]
        text = article["text"]
        for s, e, label, p in _spans(model, article):
            if p < min_confidence:
                continue
            key = finder.keys.key(text[s:e])
            same = [x for x in ents if x["start"] == s and x["end"] == e]
            if same and all(x["label"] != label for x in same):
                yield finder.suspect(
                    "model_type",
                    p,
                    doc,
                    s,
                    e,
                    label=same[0]["label"],
                    expected=label,
                    key=key,
                    counts={"model": 1},
                    elsewhere=[],
                    why=f"the model ({model.version}) says {label}, {p:.0%} sure of the sentence",
                )
            elif not any(x["start"] < e and s < x["end"] for x in ents):
                yield finder.suspect(
                    "model_missed",
                    p,
                    doc,
                    s,
                    e,
                    label=None,
                    expected=label,
                    key=key,
                    counts={"model": 1},
                    elsewhere=[],
                    why=f"the model ({model.version}) marks a {label} here, {p:.0%} sure of the "
                    "sentence",
                )
