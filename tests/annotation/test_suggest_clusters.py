"""Word clusters: stems used alike end up together, learned the same way every time."""

from __future__ import annotations

import random

from akhbar.annotation.suggest.arabic import normalise, stem
from akhbar.annotation.suggest.clusters import WordClusters

CITIES = ["بغداد", "دمشق", "القاهرة", "عمان", "الرياض", "بيروت", "تونس", "الخرطوم"]
NAMES = ["محمد", "أحمد", "خالد", "سعيد", "يوسف", "حسن", "كريم", "عادل"]
VERBS = ["قال", "أعلن", "أكد", "أوضح", "ذكر", "صرح", "أضاف", "نفى"]


def _text(seed: int = 3, n: int = 600) -> list[list[str]]:
    """Sentences where a city follows "في"/"من" and precedes a time, and a name follows a
    verb of saying and precedes "إن"."""
    rng = random.Random(seed)
    out = []
    for _ in range(n):
        city, name, verb = rng.choice(CITIES), rng.choice(NAMES), rng.choice(VERBS)
        out.append(
            [
                verb,
                name,
                "إن",
                "الاجتماع",
                rng.choice(["في", "من"]),
                city,
                rng.choice(["اليوم", "أمس"]),
            ]
        )
    return out


def _key(word: str) -> str:
    return stem(normalise(word))


def test_stems_used_alike_share_a_cluster():
    clusters = WordClusters.learn(_text(), sizes=(3, 6))
    coarse = {group: {clusters.of(_key(w))[0] for w in words}
              for group, words in (("cities", CITIES), ("names", NAMES), ("verbs", VERBS))}  # fmt: skip
    assert all(len(ids) == 1 for ids in coarse.values()), coarse
    assert len(set.union(*coarse.values())) == 3, coarse  # three groups, three clusters
    assert clusters.tokens == 600 * 7


def test_clusters_are_the_same_every_time_and_survive_json():
    a = WordClusters.learn(_text(), sizes=(3, 6))
    b = WordClusters.learn(_text(), sizes=(3, 6))
    assert a == b
    assert WordClusters.from_json(a.to_json()) == a


def test_too_little_text_gives_no_clusters():
    clusters = WordClusters.learn(_text(n=2), sizes=(3, 6))
    assert clusters.stems == {}
    assert clusters.of(_key("بغداد")) is None


def test_learning_stops_at_the_sentence_that_reaches_the_bound():
    clusters = WordClusters.learn(_text(), sizes=(3, 6), max_tokens=70)
    assert clusters.tokens == 70  # ten sentences of seven tokens (and their ten bounds)
