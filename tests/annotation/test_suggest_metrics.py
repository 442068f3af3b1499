"""The suggestion scores against ``seqeval`` on the same sequences, the edit counts on cases
worked by hand, and the Arabic word helpers of the features."""

from __future__ import annotations

import pytest
from hypothesis import example, given
from hypothesis import strategies as st
from seqeval.metrics import classification_report, f1_score, precision_score, recall_score

from akhbar.annotation.suggest import metrics
from akhbar.annotation.suggest.arabic import normalise, proclitic_variants, stem
from akhbar.annotation.suggest.clusters import WordClusters
from akhbar.annotation.suggest.gazetteer import Gazetteer
from akhbar.annotation.suggest.triggers import TriggerLexicon

TAGS = ["O", "B-PER", "I-PER", "B-GPE", "I-GPE", "B-ORG", "I-ORG"]
sequences = st.lists(st.lists(st.sampled_from(TAGS), min_size=1, max_size=12), max_size=8)


def _ours(gold: list[list[str]], pred: list[list[str]]) -> dict:
    g = [s for k, tags in enumerate(gold) for s in metrics.bio_spans(tags, k)]
    p = [s for k, tags in enumerate(pred) for s in metrics.bio_spans(tags, k)]
    return metrics.span_scores(g, p)


def _agree(gold: list[list[str]], pred: list[list[str]]) -> None:
    ours = _ours(gold, pred)
    m = ours["micro"]
    assert m["precision"] == pytest.approx(precision_score(gold, pred, zero_division=0), abs=1e-4)
    assert m["recall"] == pytest.approx(recall_score(gold, pred, zero_division=0), abs=1e-4)
    assert m["f1"] == pytest.approx(f1_score(gold, pred, zero_division=0), abs=1e-4)
    report = classification_report(gold, pred, output_dict=True, zero_division=0)
    for label, s in ours["by_label"].items():
        if s["support"]:
            assert s["f1"] == pytest.approx(report[label]["f1-score"], abs=1e-4), label
            assert s["support"] == report[label]["support"]


@given(st.data())
def test_span_scores_agree_with_seqeval_on_any_bio_sequences(data):
    """Ill-formed sequences too (I- after O, I-X after B-Y): the spans are read the same way."""
    gold = data.draw(sequences)
    pred = [
        data.draw(st.lists(st.sampled_from(TAGS), min_size=len(g), max_size=len(g))) for g in gold
    ]
    if not any(t != "O" for s in gold + pred for t in s):
        return  # seqeval warns and returns 0 where there is nothing to score
    _agree(gold, pred)


def test_span_scores_agree_with_seqeval_on_a_model_s_sequences(tmp_path):
    """The sequences a trained model produces on sentences it did not see."""
    import pycrfsuite

    from akhbar.annotation.suggest.features import ARABIC, featurizer
    from akhbar.annotation.suggest.release_data import Sentence
    from akhbar.annotation.suggest.train import fit

    words = {"PER": ["محمد", "علي", "سارة"], "GPE": ["بغداد", "دمشق", "عمان"]}
    sents = []
    for i in range(40):
        p, g = words["PER"][i % 3], words["GPE"][(i // 3) % 3]
        tokens = ["قال", p, "في", g, "إن", "الوضع", "هادئ"]
        tags = ["O", "B-PER", "O", "B-GPE", "O", "O", "O"]
        if i % 4 == 0:
            tokens[5:6], tags[5:6] = ["وزارة", "الداخلية"], ["B-ORG", "I-ORG"]
        sents.append(Sentence(f"a{i}", 0, tokens, [0] * len(tokens), [1] * len(tokens), tags))
    path = tmp_path / "crf.model"
    gaz = fit(sents[:30], path, ARABIC, {"c1": 0.1, "c2": 0.01, "max_iterations": 50})
    tagger = pycrfsuite.Tagger()
    tagger.open(str(path))
    feats = featurizer(ARABIC, gaz)
    gold = [s.tags for s in sents[30:]]
    pred = [tagger.tag(feats.sentence(s.tokens)) for s in sents[30:]]
    assert any(t != "O" for p in pred for t in p)
    _agree(gold, pred)


def test_edits_count_each_kind_once():
    gold = [
        (0, 0, 2, "PER"),
        (0, 3, 4, "GPE"),
        (0, 6, 8, "ORG"),
        (1, 0, 1, "PER"),
        (1, 4, 5, "GPE"),
    ]
    pred = [
        (0, 0, 2, "PER"),  # right
        (0, 3, 4, "LOC"),  # wrong label: relabel
        (0, 6, 7, "ORG"),  # too short: re-bound
        (1, 0, 2, "GPE"),  # other label and bounds: relabel + re-bound
        (1, 9, 10, "PER"),  # nothing there: remove
    ]  # (1, 4, 5, GPE) missing: add
    e = metrics.edits(gold, pred)
    assert dict(e) == {"add": 1, "remove": 1, "relabel": 2, "rebound": 2}
    assert dict(metrics.edits(gold, [])) == {"add": 5, "remove": 0, "relabel": 0, "rebound": 0}
    assert metrics.per_100(e, 60) == pytest.approx(10.0)
    # A span pairs with one gold span only; the other overlapped gold span is added.
    e = metrics.edits([(0, 0, 2, "PER"), (0, 2, 4, "PER")], [(0, 0, 4, "PER")])
    assert dict(e) == {"add": 1, "remove": 0, "relabel": 0, "rebound": 1}


def test_arabic_forms():
    assert normalise("قُتِلَ") == "قتل"
    assert normalise("أحمد إلى مدرسة") == "احمد الي مدرسه"
    assert stem("وبالجيش") == "جيش"
    assert stem("بلد") == "بلد"  # three letters stay: no proclitic taken
    assert list(proclitic_variants("وقُتل")) == [("وقتل", 0), ("قتل", 1)]
    assert list(proclitic_variants("وَبغداد")) == [("وبغداد", 0), ("بغداد", 2), ("غداد", 3)]


def test_gazetteer_keeps_strings_that_are_mostly_entities_and_finds_them_after_clitics():
    sents = [
        (["زار", "بغداد", "اليوم"], [(1, 2, "GPE")]),
        (["في", "بغداد"], [(1, 2, "GPE")]),
        (["قال", "الاحتلال"], [(1, 2, "ORG")]),
        (["الاحتلال", "مستمر"], []),
        (["الاحتلال", "طويل"], []),
    ]
    gaz = Gazetteer.learn(sents)
    assert gaz.tags(["وبغداد", "جميلة"]) == ["B-GPE", None]
    assert gaz.tags(["الاحتلال"]) == [None]  # an entity once in three times: left out
    assert gaz.entity_start("وبغداد") == 1  # بغداد starts entities; وبغداد never does
    assert gaz.entity_start("بغداد") == 0
    # stems: بغداد is in an entity every time it occurs, احتلال once in three times
    assert gaz.stems == {stem("بغداد"): "GPE"}
    assert Gazetteer.from_json(gaz.to_json()) == gaz


def test_trigger_lexicon_keeps_frequent_triggers_and_drops_proclitics():
    lex = TriggerLexicon.learn(
        [("قُتل", "Die"), ("قتل", "Die"), ("هجوم", "Attack")],
        ["قتل", "وقتل", "هجوم", "هجوم", "هجوم", "هجوم"],
    )
    assert lex.entries == {"قتل": "Die"}  # هجوم: once, and a trigger 1 time in 4
    assert lex.find(["وقُتل", "رجل"], [10, 16], [15, 19]) == [(11, 15, "Die")]


def test_the_fast_decoder_tags_as_crfsuite_does(tmp_path):
    """Same tags, same sequence probability (to the 6 decimals of the exported weights)."""
    import random

    import pycrfsuite

    from akhbar.annotation.suggest.decode import FastCRF
    from akhbar.annotation.suggest.features import ARABIC, featurizer
    from akhbar.annotation.suggest.release_data import Sentence
    from akhbar.annotation.suggest.train import fit

    rng = random.Random(5)
    names = ["محمد", "علي", "سارة", "بغداد", "دمشق", "وزارة", "الداخلية", "الجيش"]
    words = ["قال", "في", "إن", "الوضع", "هادئ", "،", "و", "2024", "اليوم", "أمس", *names]
    labels = {"محمد": "PER", "علي": "PER", "سارة": "PER", "بغداد": "GPE", "دمشق": "GPE"}
    sents = []
    for i in range(60):
        tokens = [rng.choice(words) for _ in range(rng.randint(1, 25))]
        tags = ["B-" + labels[t] if t in labels else "O" for t in tokens]
        sents.append(Sentence(f"a{i}", 0, tokens, [0] * len(tokens), [1] * len(tokens), tags))
    # word clusters as unannotated text would give them; وحيد is in no training sentence
    clusters = WordClusters(
        {"محمد": (0, 1), "علي": (0, 1), "وحيد": (0, 1), "بغداد": (1, 2), "دمشق": (1, 3)}, (2, 4)
    )
    path = tmp_path / "crf.model"
    params = {"c1": 0.05, "c2": 0.05, "max_iterations": 60}
    gaz = fit(sents[:40], path, ARABIC, params, clusters)
    tagger = pycrfsuite.Tagger()
    tagger.open(str(path))
    feats = featurizer(ARABIC, gaz, clusters)
    weighed = {attr for attr, _ in tagger.info().state_features}
    assert any(a.split(":")[-1].startswith(("c1=", "c2=")) for a in weighed)  # uses them
    unseen = [[*s.tokens, "كلمة", "جديدة"] for s in sents[40:]] + [["وحيد"], []]
    fast = FastCRF(tagger, feats).tag_many(unseen)
    for tokens, (tags, prob) in zip(unseen, fast, strict=True):
        if not tokens:
            assert (tags, prob) == ([], 1.0)
            continue
        tagger.set(feats.sentence(tokens))
        want = tagger.tag()
        assert tags == want
        assert prob == pytest.approx(tagger.probability(want), rel=1e-4)


def test_the_fast_decoder_s_form_tables_are_the_sums_of_the_form_s_features(tmp_path):
    """A form's table, built from its own features alone (each standing for its copies at the
    neighbours' slots), equals the weights of every feature the form has at each slot."""
    import numpy as np
    import pycrfsuite

    from akhbar.annotation.suggest.decode import FastCRF
    from akhbar.annotation.suggest.features import ARABIC, featurizer
    from akhbar.annotation.suggest.release_data import Sentence
    from akhbar.annotation.suggest.train import fit

    words = ["قال", "وزير", "الداخلية", "محمد", "في", "بغداد", "وبغداد", "،", "2024", "اليوم"]
    labels = {"محمد": "B-PER", "بغداد": "B-GPE", "وبغداد": "B-GPE"}
    sents = [
        Sentence(f"a{i}", 0, t, [0] * len(t), [1] * len(t), [labels.get(w, "O") for w in t])
        for i, t in enumerate([words, words[::-1], words[2:], words[:5] * 2])
    ]
    clusters = WordClusters({"محمد": (0, 1), "بغداد": (1, 2), "قال": (2, 3)}, (3, 4))
    path = tmp_path / "crf.model"
    gaz = fit(sents, path, ARABIC, {"c1": 0.0, "c2": 0.1, "max_iterations": 30}, clusters)
    tagger = pycrfsuite.Tagger()
    tagger.open(str(path))
    fast = FastCRF(tagger, featurizer(ARABIC, gaz, clusters))
    forms = [*words, "وقال", "كلمة"]
    fast._add_forms(set(forms))
    feats = fast.features
    for w in forms:
        own, near = feats.own(w)
        want = [own, *near]
        for slot, slot_feats in enumerate(want):
            rows = [fast.attrs[f] for f in slot_feats if f in fast.attrs]
            expected = fast.weights[rows].sum(axis=0) if rows else np.zeros(len(fast.labels))
            np.testing.assert_allclose(fast.tables[fast.forms[w], slot], expected, atol=1e-12)


@given(st.text(alphabet="وفبلكقتلاهجومأإةىـًُّ", max_size=8))
@example("وقُتل")
@example("فبالهجوم")
@example("لقاء")
@example("وه")
def test_a_trigger_is_looked_up_as_every_proclitic_variant_would_find_it(token):
    """The quick test that rules a token out never rules out one that a variant finds."""
    lex = TriggerLexicon({"قتل": "Die", "هجوم": "Attack", "لقا": "Meet", "اه": "X"})
    want = next(
        (
            (lex.entries[form], drop)
            for form, drop in proclitic_variants(token)
            if form in lex.entries
        ),
        None,
    )
    assert lex.lookup(token) == want
