"""Exact and near-duplicate detection on Arabic texts written for these tests."""

from __future__ import annotations

import numpy as np
import pytest
from datasketch import LeanMinHash, MinHash, MinHashLSH
from hypothesis import given, settings
from hypothesis import strategies as st

from akhbar.corpus.cleaning.text import fold_for_dedup
from akhbar.corpus.config import DedupConfig
from akhbar.corpus.dedup import shuffle
from akhbar.corpus.dedup.cluster import UnionFind, cluster_id
from akhbar.corpus.dedup.exact import exact_key
from akhbar.corpus.dedup.near import EMPTY, MinHasher, shingle_hashes
from tests.helpers.arabic_news import (
    BOOKS,
    FOOTBALL,
    WATER,
    WATER_EDITED,
    edit_words,
    make_article,
    run_dedup,
)

# --- signatures --------------------------------------------------------------------------------

_M64 = (1 << 64) - 1


def _fmix64(h: int) -> int:
    h ^= h >> 33
    h = (h * 0xFF51AFD7ED558CCD) & _M64
    h ^= h >> 33
    h = (h * 0xC4CEB9FE1A85EC53) & _M64
    return h ^ (h >> 33)


def reference_shingle_hash(shingle: str) -> int:
    """The shingle hash as near.py documents it, one word and one code point at a time."""
    acc = 0
    for word in shingle.split(" "):
        h, power = 0, 1
        for ch in word + " ":
            h = (h + ord(ch) * power) & _M64
            power = (power * 0x9E3779B97F4A7C15) & _M64
        acc = (acc * 0xC2B2AE3D27D4EB4F + _fmix64(h)) & _M64
    return _fmix64(acc) >> 32


def reference_signature(key: str, num_perm: int, ngram: int, seed: int) -> np.ndarray:
    words = key.split(" ")
    shingles = [" ".join(words[i : i + ngram]) for i in range(max(1, len(words) - ngram + 1))]
    m = MinHash(num_perm=num_perm, seed=seed, hashfunc=reference_shingle_hash, scheme="affine32")
    m.update_batch(shingles)
    return m.hashvalues


@pytest.mark.parametrize(("num_perm", "ngram", "seed"), [(128, 5, 1), (64, 3, 7), (32, 1, 2)])
def test_vectorised_signatures_equal_datasketch_minhash(num_perm, ngram, seed):
    keys = [fold_for_dedup(t) for t in (WATER, FOOTBALL, BOOKS, "خبر قصير", "كلمة", WATER_EDITED)]
    keys.insert(2, "")  # an empty key in the middle must not shift the others
    keys.append("خبر 😀 عاجل \ud800 من 𝕏 اليوم")  # beyond the BMP, and a lone surrogate
    sigs = MinHasher(num_perm, ngram, seed).signatures(keys)
    assert sigs.shape == (len(keys), num_perm) and sigs.dtype == np.uint32
    for key, sig in zip(keys, sigs, strict=True):
        if not key:
            assert (sig == EMPTY).all()
        else:
            assert np.array_equal(sig, reference_signature(key, num_perm, ngram, seed)), key[:30]


def test_signatures_do_not_depend_on_the_batch():
    keys = [fold_for_dedup(t) for t in (WATER, FOOTBALL, BOOKS)] * 30  # spans several blocks
    hasher = MinHasher()
    together = hasher.signatures(keys)
    alone = np.stack([hasher.signatures([k])[0] for k in keys])
    assert np.array_equal(together, alone)


def test_shingles_never_cross_articles():
    hashes, owner = shingle_hashes(["ا ب ج د ه و", "ز ح"], ngram=5)
    assert owner.tolist() == [0, 0, 1]  # 6 words -> 2 shingles, 2 words -> 1 shingle
    assert len(set(hashes.tolist())) == 3


def test_estimated_jaccard_is_close_to_the_true_one():
    hasher = MinHasher(num_perm=128, ngram=5, seed=1)
    a, b = fold_for_dedup(WATER), fold_for_dedup(WATER_EDITED)

    def shingles(k: str) -> set[str]:
        w = k.split(" ")
        return {" ".join(w[i : i + 5]) for i in range(len(w) - 4)}

    true = len(shingles(a) & shingles(b)) / len(shingles(a) | shingles(b))
    sa, sb = hasher.signatures([a, b])
    estimate = hasher.lean(sa).jaccard(hasher.lean(sb))
    assert 0.8 < true < 1.0
    assert abs(estimate - true) < 0.1


# --- exact keys ------------------------------------------------------------------------------


def test_folding_makes_spelling_variants_one_key():
    a = "قالت الهيئة إن المدرسة الكبرى ستفتح أبوابها في أول الشهر"
    b = "قالت الهيئه ان المدرسه الكبري ستفتح ابوابها في اول الشهر"  # alef, taa marbuta, yaa
    c = "قالَت الهيـــئة: إنّ المدرسة «الكبرى» ستفتح أبوابها في أول الشهر!"
    assert exact_key(a) == exact_key(b) == exact_key(c)
    assert exact_key(a) != exact_key("قالت الهيئة إن المدرسة الصغرى ستفتح أبوابها")


# --- clustering ------------------------------------------------------------------------------


def test_union_find_roots_are_smallest_members():
    uf = UnionFind()
    for _ in range(6):
        uf.add()
    uf.union(4, 2)
    uf.union(5, 4)
    uf.union(1, 3)
    assert uf.groups() == {2: [2, 4, 5], 1: [1, 3]}


def test_alef_and_taa_marbuta_variants_are_exact_duplicates():
    variant = WATER.replace("المؤسسة", "المؤسسه").replace("أعلنت", "اعلنت").replace("إلى", "الى")
    assert variant != WATER
    articles, result = run_dedup([WATER, variant, FOOTBALL])
    assert [a.text for a in result.kept] == [WATER, FOOTBALL]
    (dup,) = result.duplicates
    assert dup.article.text == variant
    assert (dup.kind, dup.similarity, dup.duplicate_of) == ("exact", 1.0, articles[0].id)
    assert dup.article.cluster_id == articles[0].cluster_id == cluster_id(articles[0].id)


def test_an_edit_of_a_few_words_is_a_near_duplicate():
    assert len(WATER_EDITED) == len(WATER)
    articles, result = run_dedup([FOOTBALL, WATER, BOOKS, WATER_EDITED])
    assert [a.text for a in result.kept] == [FOOTBALL, WATER, BOOKS]
    (dup,) = result.duplicates
    assert dup.article is articles[3]
    assert dup.kind == "near"
    assert dup.duplicate_of == articles[1].id
    assert 0.8 <= dup.similarity < 1.0
    assert articles[3].cluster_id == articles[1].cluster_id


def test_unrelated_texts_are_not_duplicates():
    texts = [WATER, FOOTBALL, BOOKS, WATER[: len(WATER) // 2], "خبر عاجل: " + BOOKS[:200]]
    articles, result = run_dedup(texts)
    assert result.duplicates == []
    assert len(result.kept) == 5
    assert len({a.cluster_id for a in articles}) == 5


def test_near_duplicates_off_keeps_near_but_not_exact():
    config = DedupConfig(near=False)
    _, result = run_dedup([WATER, WATER_EDITED, WATER + " "], config)
    assert [d.kind for d in result.duplicates] == ["exact"]
    assert len(result.kept) == 2


def test_cluster_keeps_longest_text_then_earliest():
    longer = WATER_EDITED + " وأوضح البيان أن التشغيل الكامل سيكون في الربع الأخير."
    longer_variant = longer.replace("الأخير", "الاخير")
    articles, result = run_dedup([WATER, longer, WATER, longer_variant])
    assert [a.text for a in result.kept] == [longer]
    kept = articles[1]
    assert {d.duplicate_of for d in result.duplicates} == {kept.id}
    assert [d.kind for d in result.duplicates] == ["near", "near", "exact"]
    assert {a.cluster_id for a in articles} == {cluster_id(kept.id)}
    # the exact copy of WATER (position 2) gets the same similarity as WATER itself
    assert result.duplicates[0].similarity == result.duplicates[1].similarity


def test_tie_on_length_goes_to_the_earliest_input():
    variant = WATER.replace("أعلنت", "اعلنت")  # same length, same key
    articles, result = run_dedup([variant, WATER])
    assert result.kept == [articles[0]]


def test_identical_records_get_distinct_ids_by_occurrence():
    same = [make_article(BOOKS, 1) for _ in range(3)]
    base = same[0].id
    articles, result = run_dedup([], articles=same)
    assert [a.id for a in articles] == [base, f"{base}-2", f"{base}-3"]
    assert [a.id for a in result.kept] == [base]
    assert [(d.kind, d.duplicate_of) for d in result.duplicates] == [("exact", base)] * 2


def test_dedup_is_deterministic():
    texts = [WATER, FOOTBALL, WATER_EDITED, BOOKS, WATER, FOOTBALL.replace("أمس", "امس")]

    def summary():
        articles, result = run_dedup(texts)
        return (
            [(a.id, a.cluster_id) for a in articles],
            [(d.article.id, d.duplicate_of, d.kind, d.similarity) for d in result.duplicates],
        )

    assert summary() == summary()


def test_fast_lean_sketch_equals_the_checked_one():
    hasher = MinHasher()
    sig = hasher.signatures([fold_for_dedup(WATER)])[0]
    fast = hasher.lean(sig)
    checked = LeanMinHash(seed=1, hashvalues=sig, scheme="affine32")
    assert (fast.seed, fast.scheme, len(fast)) == (checked.seed, checked.scheme, len(checked))
    assert np.array_equal(fast.hashvalues, checked.hashvalues)
    assert fast.jaccard(checked) == 1.0
    lsh = MinHashLSH(threshold=0.8, num_perm=128)
    lsh.insert("fast", fast)
    assert lsh.query(checked) == ["fast"]
    with pytest.raises(ValueError, match="uint32"):
        hasher.lean(sig.astype(np.uint64))


def _datasketch_pairs(sigs: np.ndarray, threshold: float) -> list[tuple[int, int, float]]:
    """The verified candidates of datasketch's own ``MinHashLSH`` tables (the reference)."""
    hasher = MinHasher()
    lsh = MinHashLSH(threshold=threshold, num_perm=hasher.num_perm)
    for i, sig in enumerate(sigs):
        lsh.insert(i, hasher.lean(sig))
    candidates = set()
    for table, counts in zip(lsh.hashtables, lsh.get_counts(), strict=True):
        for bucket in counts:
            members = sorted(table.get(bucket))
            candidates.update((a, b) for x, a in enumerate(members) for b in members[x + 1 :])
    out = []
    for i, j in sorted(candidates):
        similarity = hasher.lean(sigs[i]).jaccard(hasher.lean(sigs[j]))
        if similarity >= threshold:
            out.append((i, j, similarity))
    return out


def _near_fixture() -> shuffle.Fingerprints:
    texts = [WATER, FOOTBALL, WATER_EDITED, BOOKS]
    for n in range(12):  # edits of growing size: some pairs share a band, fewer pass 0.8
        texts.append(edit_words(WATER, {(7 * k + n) % 60: "و" for k in range(n)}))
    keys = [fold_for_dedup(t) for t in texts]
    sigs = MinHasher().signatures(keys)
    n = len(keys)
    return shuffle.Fingerprints.of(
        [f"a{i}" for i in range(n)],
        [len(t) for t in texts],
        [exact_key(t) for t in texts],
        list(sigs),
        128,
    )


def test_numpy_banding_gives_the_pairs_of_datasketch_lsh():
    fp = _near_fixture()
    config = DedupConfig()
    reference = _datasketch_pairs(fp.signatures, config.threshold)
    assert len(reference) >= 10 and (0, 2) in [(i, j) for i, j, _ in reference]
    left, right = shuffle.near_pairs(fp, np.empty(0, np.int64), config)
    assert sorted(zip(left.tolist(), right.tolist(), strict=True)) == [
        (i, j) for i, j, _ in reference
    ]


def test_banding_splits_colliding_band_hashes_fault_injected(monkeypatch):
    # a stand-in band hash that collides for every row: the slices themselves must decide
    fp = _near_fixture()
    config = DedupConfig()
    expected = shuffle.near_pairs(fp, np.empty(0, np.int64), config)
    monkeypatch.setattr(
        shuffle, "band_keys", lambda sigs, rows, band, r: np.zeros(len(rows), np.uint64)
    )
    got = shuffle.near_pairs(fp, np.empty(0, np.int64), config)
    assert sorted(zip(*map(np.ndarray.tolist, got), strict=True)) == sorted(
        zip(*map(np.ndarray.tolist, expected), strict=True)
    )
    # an article whose key repeats an earlier one's is not banded
    left, right = shuffle.near_pairs(fp, np.array([2]), config)
    assert 2 not in left.tolist() + right.tolist() and len(left) > 0


@pytest.mark.parametrize("partitions", [1, 2, 5])
def test_band_shuffle_over_shards_and_partitions_gives_the_one_shard_pairs(partitions):
    fp = _near_fixture()
    config = DedupConfig()
    repeats = np.array([5])
    one = shuffle.near_pairs(fp, repeats, config)
    cut = 7  # two shards: rows 0-6 at offset 0, the rest at offset 7
    shards = [
        (shuffle.Fingerprints(fp.ids[a:e], *(x[a:e] for x in rest)), a)
        for a, e in ((0, cut), (cut, len(fp.ids)))
        for rest in [(fp.lengths, fp.keys, fp.signatures, fp.has_signature)]
    ]
    scattered = [shuffle.scatter_bands(f, a, partitions, config, repeats) for f, a in shards]
    pairs = []
    for d in range(partitions):
        left, right = shuffle.reduce_bands([s[d] for s in scattered], config)
        pairs += zip(left.tolist(), right.tolist(), strict=True)
    assert sorted(pairs) == sorted(zip(one[0].tolist(), one[1].tolist(), strict=True))
    assert len(pairs) >= 6 and not any(5 in pair for pair in pairs)


def test_repeated_ids_are_numbered_in_input_order_across_parts():
    parts = [(np.array([5, 0, 9]), ["x", "y", "x"]), (np.array([2, 7]), ["x", "z"])]
    assert shuffle.reduce_ids(parts) == {5: "x-2", 9: "x-3"}
    assert shuffle.reduce_ids([(np.array([0, 1]), ["a", "b"])]) == {}


ARABIC_WORDS = st.text(
    alphabet=st.characters(min_codepoint=0x0621, max_codepoint=0x064A), min_size=1, max_size=8
)


@settings(max_examples=60, deadline=None)
@given(st.lists(st.lists(ARABIC_WORDS, max_size=30).map(" ".join), min_size=1, max_size=6))
def test_signatures_match_the_reference_for_any_arabic_keys(keys):
    hasher = MinHasher(num_perm=16, ngram=3, seed=5)
    for key, sig in zip(keys, hasher.signatures(keys), strict=True):
        if key:
            assert np.array_equal(sig, reference_signature(key, 16, 3, 5))
        else:
            assert (sig == EMPTY).all()
