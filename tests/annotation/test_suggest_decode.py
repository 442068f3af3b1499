"""The fast decoder's emission scores against the plain sum of every feature's weights, with a
gazetteer whose entries overlap and nest (its matches are found by array look-ups there); the
spans prediction reads from a batch's tags at once against ``bio_spans`` per sentence."""

from __future__ import annotations

import random
import re

import numpy as np
import pycrfsuite
from hypothesis import given
from hypothesis import strategies as st

from akhbar.annotation.suggest.decode import FastCRF
from akhbar.annotation.suggest.features import ARABIC, featurizer
from akhbar.annotation.suggest.gazetteer import Gazetteer
from akhbar.annotation.suggest.metrics import bio_spans
from akhbar.annotation.suggest.predict import _Labels, _spans
from akhbar.annotation.suggest.release_data import Sentence
from akhbar.annotation.suggest.train import fit

PER = ["محمد", "علي", "حسن"]
ORG = ["وزارة", "الداخلية"]
WORDS = ["قال", "في", "إن", "،", "و", "2024", "أمس", "ومحمد", "بوزارة", *PER, *ORG]


def _sentences(rng: random.Random, n: int) -> list[Sentence]:
    out = []
    for i in range(n):
        tokens, tags = [], []
        for _ in range(rng.randint(1, 12)):
            pick = rng.random()
            if pick < 0.2:
                tokens += PER[: rng.randint(1, 3)]
                tags += ["B-PER"] + ["I-PER"] * (len(tokens) - len(tags) - 1)
            elif pick < 0.3:
                tokens += ORG
                tags += ["B-ORG", "I-ORG"]
            else:
                tokens.append(rng.choice(WORDS))
                tags.append("O")
        sents = Sentence(f"a{i}", 0, tokens, [0] * len(tokens), [1] * len(tokens), tags)
        out.append(sents)
    return out


def test_the_fast_emissions_are_the_sums_of_every_feature_s_weights(tmp_path):
    rng = random.Random(7)
    path = tmp_path / "crf.model"
    fit(_sentences(rng, 80), path, ARABIC, {"c1": 0.0, "c2": 0.1, "max_iterations": 40})
    tagger = pycrfsuite.Tagger()
    tagger.open(str(path))
    # entries that nest (محمد / محمد علي / محمد علي حسن), overlap (علي حسن, حسن قال), share
    # a first word with another label (وزارة)
    gaz = Gazetteer(
        {
            ("محمد",): "PER",
            ("محمد", "علي"): "PER",
            ("محمد", "علي", "حسن"): "PER",
            ("علي", "حسن"): "GPE",
            ("حسن",): "PER",
            ("حسن", "قال"): "ORG",
            ("وزاره", "الداخليه"): "ORG",
            ("وزاره", "الداخليه", "في", "2024"): "GPE",
            ("الداخليه",): "ORG",
        },
        {"محمد", "علي", "حسن", "وزاره", "الداخليه"},
    )
    feats = featurizer(ARABIC, gaz)
    fast = FastCRF(tagger, feats)
    sents = [s.tokens for s in _sentences(rng, 60)] + [[], ["محمد"], ["وزارة", "الداخلية"]]
    flat = [t for s in sents for t in s]
    fast._add_forms(set(flat))
    lengths = np.array([len(s) for s in sents], dtype=np.intp)
    bounds = np.concatenate([[0], np.cumsum(lengths)]).astype(np.intp)
    e = fast.emissions(flat, lengths, bounds)
    assert any(t and t.startswith("I-") for s in sents for t in gaz.tags(s))
    k = 0
    for tokens in sents:
        for f in feats.sentence(tokens):
            rows = [fast.attrs[x] for x in f if x in fast.attrs]
            want = fast.weights[rows].sum(axis=0) if rows else np.zeros(len(fast.labels))
            np.testing.assert_allclose(e[k], want, atol=1e-9)
            k += 1
    assert k == len(flat)


LABELS = ["O", "B-PER", "I-PER", "B-GPE", "I-GPE", "I-ORG", "B", "X-PER"]


@given(st.lists(st.lists(st.sampled_from(LABELS), max_size=9), max_size=8))
def test_a_batch_s_spans_are_those_of_bio_spans_sentence_by_sentence(sentences):
    meaning = _Labels(LABELS)
    index = {label: k for k, label in enumerate(LABELS)}
    tags = np.array([index[t] for s in sentences for t in s], dtype=np.int64)
    first = np.zeros(len(tags), dtype=bool)
    want, at = [], 0
    for s in sentences:
        if s:
            first[at] = True
        want += [(at + a, at + b, label) for _, a, b, label in bio_spans(s)]
        at += len(s)
    begin, end, name = _spans(tags, first, meaning)
    got = [(a, b, meaning.names[n]) for a, b, n in zip(begin, end, name, strict=True)]
    assert got == want


def _per_sentence(model, article: dict) -> tuple[list, list, float]:
    """An article's entities, triggers and score made sentence by sentence (``tag_many``,
    ``bio_spans``, the lexicon per sentence): what prediction does for a batch at once."""
    from akhbar.annotation.suggest.model import confidence
    from akhbar.annotation.suggest.predict import sentences

    text = article["text"]
    sents, given_tokens = sentences(text, article.get("metadata"), "test")
    tokens = [[text[a:b] for a, b in zip(st, en, strict=True)] for st, en in sents]
    entities, triggers, probs = [], [], []
    for (starts, ends), toks, tagged in zip(sents, tokens, model.tag_many(tokens), strict=True):
        probs.append(tagged.probability)
        for _, a, b, label in bio_spans(tagged.tags):
            drop = 0 if given_tokens else model.gazetteer.entity_start(toks[a])
            entities.append((starts[a] + drop, ends[b - 1], label))
        triggers += model.lexicon.find(toks, starts, ends)
    return entities, triggers, confidence(probs)


def test_a_batch_s_documents_are_those_made_sentence_by_sentence(sample_model):
    import orjson

    from akhbar.annotation.suggest.model import SuggestModel
    from akhbar.annotation.suggest.predict import predict_articles
    from akhbar.corpus.store import load_corpus

    model = SuggestModel(sample_model["model"])
    articles = list(load_corpus(sample_model["corpus"]).iter_articles())
    text = articles[0]["text"]
    words = [(m.start(), m.end()) for m in re.finditer(r"\S+", text)][:40]
    # tokens given with the article, whose sentences skip the first tokens and come out of
    # order; an article without text
    odd = {
        "id": "odd",
        "text": text,
        "metadata": orjson.dumps(
            {
                "token_offsets": words,
                "sentence_offsets": [[words[20][0], 0], [words[3][0], 0], [words[30][0], 0]],
            }
        ).decode(),
    }
    articles += [odd, {"id": "empty", "text": ""}]
    docs = predict_articles(model, articles)
    assert any(d["entities"] for d in docs) and any(d["events"] for d in docs)
    for article, doc in zip(articles, docs, strict=True):
        entities, triggers, score = _per_sentence(model, article)
        assert [(e["start"], e["end"], e["label"]) for e in doc["entities"]] == entities
        assert [(t["trigger"]["start"], t["trigger"]["end"], t["type"]) for t in doc["events"]] == (
            triggers if model.taxonomy.events else []
        )
        assert doc["score"] == score


def _shape_by_three_tests(word: str) -> str:
    """``shape`` as it was written first: the quick test for an all-Arabic word must agree."""
    if word.isdigit():
        return "digits"
    has_ar = re.search("[\u0620-\u064a\u066e-\u06d3\u06fa-\u06ff]", word) is not None
    has_lat = re.search("[A-Za-z]", word) is not None
    if has_ar and not has_lat and re.search(r"\d", word) is None:
        return "arabic"
    if has_lat and not has_ar:
        return "Latin" if word[:1].isupper() else "latin"
    if re.search(r"\w", word) is None:
        return "punct"
    return "mixed"


@given(st.text(alphabet="بغدادـًٰٱۓ۔ۺ٠٩۰۹0aZ.،", max_size=6))
def test_a_word_s_shape_is_the_same_by_the_quick_test(word):
    from akhbar.annotation.suggest.arabic import shape

    assert shape(word) == _shape_by_three_tests(word)


@given(st.lists(st.text(alphabet="بد. 5,٣٫!؟…\n\r»)\"'a", max_size=12), max_size=6))
def test_texts_segmented_joined_are_segmented_as_each_alone(texts):
    from akhbar.annotation.suggest.predict import _segmented
    from akhbar.corpus.release.segment import segment

    want = []
    for text in texts:
        seg = segment(text)
        bounds = [*seg.sentence_starts.tolist(), len(seg.starts)]
        want.append((seg.starts.tolist(), seg.ends.tolist(), bounds))
    assert _segmented(texts) == want


def test_tables_started_again_past_the_bound_tag_as_before(tmp_path, monkeypatch):
    """Past ``MAX_FORMS`` forms the tables start again (their rows are written anew): the
    tags and probabilities stay those of tables that never filled up."""
    import akhbar.annotation.suggest.decode as decode

    rng = random.Random(3)
    path = tmp_path / "crf.model"
    train = _sentences(rng, 40)
    gaz = fit(train, path, ARABIC, {"c1": 0.0, "c2": 0.1, "max_iterations": 30})
    tagger = pycrfsuite.Tagger()
    tagger.open(str(path))
    feats = featurizer(ARABIC, gaz)
    batches = [
        [[*s.tokens, f"كلمة{i}{k}"] for k, s in enumerate(_sentences(rng, 5))] for i in range(8)
    ]
    whole = FastCRF(tagger, feats)
    want = [whole.tag_many(b) for b in batches]
    monkeypatch.setattr(decode, "MAX_FORMS", 40)
    small = FastCRF(tagger, feats)
    got = [small.tag_many(b) for b in batches]
    assert small.used == 40  # started again at least once
    assert got == want
