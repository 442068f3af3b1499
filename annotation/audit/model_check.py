"""Confident disagreements of a suggestion model (``akhbar suggest train``) with the annotation.

The model tags each audited article (:func:`akhbar.annotation.suggest.predict.predict_articles`,
with the tokens the corpus store gives it); where its tagging of the whole article is at least
``min_confidence`` likely, an entity it puts at exactly an annotated span with another label
is a ``model_type`` suspect, and one it puts where nothing is annotated a ``model_missed``
suspect; both score the model's confidence. The model learnt from a release of this corpus, so
it repeats what the corpus does most: it points at the exceptions.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

from akhbar.annotation.audit.findings import Finder

BATCH = 256


def model_suspects(
    finder: Finder, model_dir: Path, corpus: Path, min_confidence: float
) -> Iterator[dict[str, Any]]:
    from akhbar.annotation.suggest.model import SuggestModel
    from akhbar.annotation.suggest.predict import predict_articles
    from akhbar.corpus.store import load_corpus

    model = SuggestModel(model_dir)
    wanted = {d["article_id"]: i for i, d in enumerate(finder.docs)}
    batch: list[dict[str, Any]] = []

    def judge(articles: list[dict[str, Any]]) -> Iterator[dict[str, Any]]:
        for article, pred in zip(articles, predict_articles(model, articles), strict=True):
            if pred["score"] < min_confidence:
                continue
            doc = wanted[article["id"]]
            ents = finder.docs[doc]["entities"]
            text = article["text"]
            for p in pred["entities"]:
                s, e = p["start"], p["end"]
                key = finder.keys.key(text[s:e])
                same = [x for x in ents if x["start"] == s and x["end"] == e]
                if same and all(x["label"] != p["label"] for x in same):
                    yield finder.suspect(
                        "model_type",
                        pred["score"],
                        doc,
                        s,
                        e,
                        label=same[0]["label"],
                        expected=p["label"],
                        key=key,
                        counts={"model": 1},
                        elsewhere=[],
                        why=f"the model ({model.version}) says {p['label']}, "
                        f"{pred['score']:.0%} sure of the article",
                    )
                elif not any(x["start"] < e and s < x["end"] for x in ents):
                    yield finder.suspect(
                        "model_missed",
                        pred["score"],
                        doc,
                        s,
                        e,
                        label=None,
                        expected=p["label"],
                        key=key,
                        counts={"model": 1},
                        elsewhere=[],
                        why=f"the model ({model.version}) marks a {p['label']} here, "
                        f"{pred['score']:.0%} sure of the article",
                    )

    for article in load_corpus(corpus).iter_articles():
        if (
            article["id"] not in wanted
            or finder.docs[wanted[article["id"]]]["text"] != (article["text"])
        ):
            continue
        batch.append(article)
        if len(batch) == BATCH:
            yield from judge(batch)
            batch = []
    yield from judge(batch)
