"""The fast decoder's emission scores against the plain sum of every feature's weights, with a
gazetteer whose entries overlap and nest (its matches are found by array look-ups there)."""

from __future__ import annotations

import random

import numpy as np
import pycrfsuite

from akhbar.annotation.suggest.decode import FastCRF
from akhbar.annotation.suggest.features import ARABIC, featurizer
from akhbar.annotation.suggest.gazetteer import Gazetteer
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
