"""Suggestions for a corpus's articles (``akhbar suggest predict``).

Each article is tokenised as a release's ``ner`` config tokenises it (the tokens an imported
article brings in its metadata, else :func:`akhbar.corpus.release.segment.segment`), so the
model meets the tokens it was trained on. Its suggestions become one annotated document
(``schemas/document.schema.json``) with code-point offsets, the model's ``model_version`` and a
``score`` (:func:`~akhbar.annotation.suggest.model.confidence`: low means unsure), judged by
the one document check before it is written; ``annotate push --predictions`` takes the file as
it is. The output file is published whole or not at all.
"""

from __future__ import annotations

import itertools
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import ijson
import orjson

from akhbar.annotation.suggest import metrics
from akhbar.annotation.suggest.model import SuggestModel, confidence
from akhbar.annotation.suggest.options import PredictOptions
from akhbar.corpus.release.segment import parse_given_tokens, segment
from akhbar.corpus.runtime.publish import publishing
from akhbar.corpus.store import load_corpus
from akhbar.schemas.document import check_document, errors
from akhbar.schemas.errors import InputError, IntegrityError

ARTICLE_BATCH = 32  # articles tagged together


@dataclass
class PredictResult:
    out: Path
    model_version: str
    predicted: int
    skipped: int
    entities: int
    events: int


def sentences(text: str, metadata: str | None, where: str) -> tuple[list, bool]:
    """[(token starts, token ends)] per sentence, and whether the tokens came with the article."""
    given = parse_given_tokens(metadata, text, where)
    if given is not None:
        starts, ends, sent = given
        bounds = [int(i) for i in starts.searchsorted(sent)] + [len(starts)]
        starts, ends = starts.tolist(), ends.tolist()
        return [(starts[a:b], ends[a:b]) for a, b in itertools.pairwise(bounds)], True
    seg = segment(text)
    starts, ends = seg.starts.tolist(), seg.ends.tolist()
    return [(starts[a:b], ends[a:b]) for a, b in seg.sentence_token_ranges()], False


def predict_articles(model: SuggestModel, articles: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Each article's suggestions as an annotated document (the sentences of all the articles
    are tagged together: the decoder works in batches)."""
    tokenised = []
    for article in articles:
        text = article["text"]
        sents, given = sentences(text, article.get("metadata"), f"article {article['id']}")
        tokenised.append(
            (
                given,
                [(st, en, [text[a:b] for a, b in zip(st, en, strict=True)]) for st, en in sents],
            )
        )
    tagged = iter(model.tag_many([toks for _, sents in tokenised for _, _, toks in sents]))
    return [
        _document(model, article, given, [(st, en, toks, next(tagged)) for st, en, toks in sents])
        for article, (given, sents) in zip(articles, tokenised, strict=True)
    ]


def _document(
    model: SuggestModel, article: dict[str, Any], given: bool, sents: list
) -> dict[str, Any]:
    text = article["text"]
    entities: list[dict[str, Any]] = []
    events: list[dict[str, Any]] = []
    for starts, ends, tokens, tagged in sents:
        tags = tagged.tags
        spans = metrics.bio_spans(tags) if tags.count("O") != len(tags) else ()
        for _, a, b, label in spans:
            start = starts[a]
            if not given:  # our own tokens keep proclitics on the word: leave them outside
                start += model.gazetteer.entity_start(tokens[a])
            entities.append(
                {
                    "id": f"e{len(entities) + 1}",
                    "start": start,
                    "end": ends[b - 1],
                    "text": text[start : ends[b - 1]],
                    "label": label,
                }
            )
        for a, b, etype in model.lexicon.find(tokens, starts, ends):
            events.append(
                {
                    "id": f"t{len(events) + 1}",
                    "type": etype,
                    "trigger": {"start": a, "end": b, "text": text[a:b]},
                    "arguments": [],
                }
            )
    tax = model.taxonomy
    return {
        "article_id": article["id"],
        "text": text,
        "task_id": None,
        "annotation_id": None,
        "selection": "prediction",
        "taxonomy": f"{tax.name}@{tax.version}",
        "model_version": model.version,
        "score": confidence([t.probability for _, _, _, t in sents]),
        "entities": entities,
        "events": events if tax.events else [],
    }


def annotated_ids(path: Path) -> set[str]:
    """Article ids with an annotation in ``path``: documents (JSON Lines, every line) or a
    Label Studio snapshot (tasks with an annotation that was not cancelled)."""
    from akhbar.annotation.validate.documents import DOCUMENTS_INPUT, input_kind, read_documents

    ids: set[str] = set()
    if input_kind(path) == DOCUMENTS_INPUT:
        for n, obj, _ in read_documents(path):
            if not isinstance(obj, dict) or not isinstance(obj.get("article_id"), str):
                raise InputError(f"{path} line {n + 1}: not a document with an article_id")
            ids.add(obj["article_id"])
        return ids
    try:
        with path.open("rb") as f:
            for task in ijson.items(f, "item", use_float=True):
                aid = (task.get("data") or {}).get("article_id")
                done = [a for a in task.get("annotations") or [] if not a.get("was_cancelled")]
                if isinstance(aid, str) and done:
                    ids.add(aid)
    except (ijson.JSONError, OSError, AttributeError) as e:
        raise InputError(
            f"{path}: neither documents (JSON Lines) nor a Label Studio snapshot ({e}); give "
            "--skip a documents.jsonl or a snapshot from `akhbar annotate pull`"
        ) from e
    return ids


def iter_predictions(
    model: SuggestModel,
    corpus: Path,
    skip: set[str],
    limit: int | None = None,
    skipped: list[str] | None = None,
) -> Iterator[dict[str, Any]]:
    """Checked suggestions, one document per article not in ``skip`` (those go to
    ``skipped``)."""
    batch: list[dict[str, Any]] = []
    n = 0
    for article in load_corpus(corpus).iter_articles():
        if article["id"] in skip:
            if skipped is not None:
                skipped.append(article["id"])
            continue
        if limit is not None and n >= limit:
            break
        n += 1
        batch.append(article)
        if len(batch) == ARTICLE_BATCH:
            yield from _checked(model, batch)
            batch = []
    yield from _checked(model, batch)


def _checked(model: SuggestModel, articles: list[dict[str, Any]]) -> Iterator[dict[str, Any]]:
    for article, doc in zip(articles, predict_articles(model, articles), strict=True):
        found = errors(check_document(doc, article["text"], model.taxonomy))
        if found:  # a bug in this module, never the user's input
            i = found[0]
            raise IntegrityError(
                f"article {article['id']}: the suggestion fails the document check at {i.path}: "
                f"{i.code} {i.message}"
            )
        yield doc


def predict_corpus(opts: PredictOptions) -> PredictResult:
    model = SuggestModel(opts.model_dir)
    skip = annotated_ids(opts.skip) if opts.skip else set()
    result = PredictResult(opts.out, model.version, 0, 0, 0, 0)
    inputs = [opts.corpus, opts.model_dir] + ([opts.skip] if opts.skip else [])
    with (
        publishing(
            opts.out, directory=False, replace=opts.force, what="predictions", inputs=inputs
        ) as out,
        out.path.open("wb") as f,
    ):
        skipped: list[str] = []
        for doc in iter_predictions(model, opts.corpus, skip, opts.limit, skipped):
            f.write(orjson.dumps(doc) + b"\n")
            result.predicted += 1
            result.entities += len(doc["entities"])
            result.events += len(doc["events"])
        result.skipped = len(skipped)
    return result
