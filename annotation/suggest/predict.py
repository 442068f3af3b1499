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
import numpy as np
import orjson

from akhbar.annotation.suggest.model import SuggestModel, confidence
from akhbar.annotation.suggest.options import PredictOptions
from akhbar.corpus.release.segment import parse_given_tokens, segment
from akhbar.corpus.runtime.publish import publishing
from akhbar.corpus.store import load_corpus
from akhbar.schemas.document import DocumentCheck, check_document, errors
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


def token_spans(
    text: str, metadata: str | None, where: str
) -> tuple[list[int], list[int], list[int], bool]:
    """Token starts and ends, the sentences' bounds over them (sentence ``k`` is tokens
    ``bounds[k]`` to ``bounds[k + 1]``) and whether the tokens came with the article."""
    given = parse_given_tokens(metadata, text, where)
    if given is not None:
        starts, ends, sent = given
        return (
            starts.tolist(),
            ends.tolist(),
            [*starts.searchsorted(sent).tolist(), len(starts)],
            True,
        )
    seg = segment(text)
    bounds = [*seg.sentence_starts.tolist(), len(seg.starts)]
    return seg.starts.tolist(), seg.ends.tolist(), bounds, False


def sentences(text: str, metadata: str | None, where: str) -> tuple[list, bool]:
    """[(token starts, token ends)] per sentence, and whether the tokens came with the article."""
    starts, ends, bounds, given = token_spans(text, metadata, where)
    return [(starts[a:b], ends[a:b]) for a, b in itertools.pairwise(bounds)], given


@dataclass
class _Tokenised:
    """An article's tokens, sentence after sentence, as the tagger takes them."""

    article: dict[str, Any]
    given: bool
    starts: list[int]
    ends: list[int]
    tokens: list[str]
    lengths: list[int]  # tokens per sentence


def _segmented(texts: list[str]) -> list[tuple[list[int], list[int], list[int]]]:
    """Per text: token starts, ends and sentence bounds as :func:`segment` gives them, the
    texts segmented as one joined by line breaks, as a release's ``ner`` config does (a line
    break ends a sentence and no token crosses it; a test holds the two equal)."""
    if not texts:
        return []
    big = "\n".join(texts)
    seg = segment(big)
    at = np.zeros(len(texts) + 1, dtype=np.int64)
    np.cumsum([len(t) + 1 for t in texts], out=at[1:])
    first_token = np.searchsorted(seg.starts, at)
    first_sentence = np.searchsorted(seg.sentence_starts, first_token).tolist()
    # offsets and sentence starts made relative to their own text, all at once
    shift = np.repeat(at[:-1], np.diff(first_token))
    starts, ends = (seg.starts - shift).tolist(), (seg.ends - shift).tolist()
    sentence_starts = seg.sentence_starts - np.repeat(first_token[:-1], np.diff(first_sentence))
    sentence_starts = sentence_starts.tolist()
    first_token = first_token.tolist()
    out = []
    for k in range(len(texts)):
        a, b = first_token[k], first_token[k + 1]
        bounds = sentence_starts[first_sentence[k] : first_sentence[k + 1]]
        out.append((starts[a:b], ends[a:b], [*bounds, b - a]))
    return out


def _tokenised(articles: list[dict[str, Any]]) -> list[_Tokenised]:
    """The articles' tokens: those an article brings, else ours (:func:`_segmented`)."""
    given: dict[int, tuple] = {}
    for k, article in enumerate(articles):
        got = parse_given_tokens(
            article.get("metadata"), article["text"], f"article {article['id']}"
        )
        if got is not None:
            starts, ends, sent = got
            bounds = [*starts.searchsorted(sent).tolist(), len(starts)]
            given[k] = (starts.tolist(), ends.tolist(), bounds)
    ours = iter(_segmented([a["text"] for k, a in enumerate(articles) if k not in given]))
    out = []
    for k, article in enumerate(articles):
        text = article["text"]
        starts, ends, bounds = given[k] if k in given else next(ours)
        lengths = [b - a for a, b in itertools.pairwise(bounds)]
        if bounds[0] != 0 or min(lengths, default=0) < 0:  # given sentences that skip tokens
            pick = [i for a, b in itertools.pairwise(bounds) for i in range(a, b)]
            starts, ends = [starts[i] for i in pick], [ends[i] for i in pick]
            lengths = [max(n, 0) for n in lengths]
        tokens = list(map(text.__getitem__, map(slice, starts, ends)))
        out.append(_Tokenised(article, k in given, starts, ends, tokens, lengths))
    return out


class _Labels:
    """What each of the model's labels means in BIO terms, as arrays over its indices."""

    def __init__(self, labels: list[str]) -> None:
        parts = [label.partition("-") for label in labels]
        self.names = sorted({name for _, _, name in parts})
        index = {name: k for k, name in enumerate(self.names)}
        self.begins = np.array([p == "B" for p, _, _ in parts])
        self.insides = np.array([p == "I" for p, _, _ in parts])
        self.name_ids = np.array([index[name] for _, _, name in parts], dtype=np.int64)


def _spans(tags: np.ndarray, first: np.ndarray, meaning: _Labels) -> tuple[np.ndarray, ...]:
    """(first token, end token, label name index) of every span of BIO tags, read as
    :func:`~akhbar.annotation.suggest.metrics.bio_spans` reads each sentence's tags (``first``
    marks a sentence's first token): a span starts at ``B-X``, or at ``I-X`` unless the token
    before, in the same sentence, is ``B-X`` or ``I-X``; it goes on over the ``I-X`` after."""
    if not len(tags):
        empty = np.zeros(0, dtype=np.int64)
        return empty, empty, empty
    inside = meaning.insides[tags]
    marked = meaning.begins[tags] | inside
    name = meaning.name_ids[tags]
    goes_on = np.zeros(len(tags), dtype=bool)
    goes_on[1:] = inside[1:] & marked[:-1] & (name[1:] == name[:-1]) & ~first[1:]
    begin = np.flatnonzero(marked & ~goes_on)
    stops = np.ones(len(tags), dtype=bool)  # whether a span open at the token ends after it
    stops[:-1] = ~goes_on[1:]
    end = np.flatnonzero(marked & stops) + 1
    return begin, end, name[begin]


def predict_articles(model: SuggestModel, articles: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Each article's suggestions as an annotated document (the sentences of all the articles
    are tagged together: the decoder works in batches)."""
    done = _tokenised(articles)
    flat = [t for d in done for t in d.tokens]
    lengths = [n for d in done for n in d.lengths]
    bounds = np.zeros(len(lengths) + 1, dtype=np.intp)
    np.cumsum(lengths, out=bounds[1:])
    tags, probs = model.tag_flat(flat, bounds)
    first = np.zeros(len(flat), dtype=bool)
    first[bounds[:-1][np.asarray(lengths, dtype=np.intp) > 0]] = True
    meaning = _Labels(model.labels)
    begin, end, name = _spans(tags, first, meaning)
    token_at = np.cumsum([0] + [len(d.tokens) for d in done])
    cut = np.searchsorted(begin, token_at).tolist()
    begin, end, name = begin.tolist(), end.tolist(), name.tolist()
    out = []
    sent = 0
    for k, d in enumerate(done):
        base = int(token_at[k])
        spans = [
            (a - base, b - base, meaning.names[n])
            for a, b, n in zip(
                begin[cut[k] : cut[k + 1]],
                end[cut[k] : cut[k + 1]],
                name[cut[k] : cut[k + 1]],
                strict=True,
            )
        ]
        out.append(_document(model, d, spans, probs[sent : sent + len(d.lengths)]))
        sent += len(d.lengths)
    return out


def _document(
    model: SuggestModel, done: _Tokenised, spans: list[tuple[int, int, str]], probs: list[float]
) -> dict[str, Any]:
    article, starts, ends, tokens = done.article, done.starts, done.ends, done.tokens
    text = article["text"]
    entities: list[dict[str, Any]] = []
    for a, b, label in spans:
        start = starts[a]
        if not done.given:  # our own tokens keep proclitics on the word: leave them outside
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
    events = [
        {
            "id": f"t{k}",
            "type": etype,
            "trigger": {"start": a, "end": b, "text": text[a:b]},
            "arguments": [],
        }
        for k, (a, b, etype) in enumerate(model.lexicon.find(tokens, starts, ends), start=1)
    ]
    tax = model.taxonomy
    return {
        "article_id": article["id"],
        "text": text,
        "task_id": None,
        "annotation_id": None,
        "selection": "prediction",
        "taxonomy": f"{tax.name}@{tax.version}",
        "model_version": model.version,
        "score": confidence(probs),
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
    check = DocumentCheck(model.taxonomy)
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
            yield from _checked(model, check, batch)
            batch = []
    yield from _checked(model, check, batch)


def _checked(
    model: SuggestModel, check: DocumentCheck, articles: list[dict[str, Any]]
) -> Iterator[dict[str, Any]]:
    for article, doc in zip(articles, predict_articles(model, articles), strict=True):
        if check.columns(doc, article["text"]) is not None:  # the check's quick path: no error
            yield doc
            continue
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
