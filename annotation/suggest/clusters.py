"""Word clusters learned from unannotated text: a feature for the words that a release's few
hundred annotated articles never showed.

A word's stem (normalised, no proclitics, no article) is described by the stems seen just
before and just after it. Those counts are weighed by positive pointwise mutual information,
reduced by a truncated SVD, and the stems are grouped by k-means at a coarse and a fine size.
Two stems in one cluster were used alike (two cities, two months, two ministries), so a name
the annotated text never had gets the weights its cluster earned. Everything is learned here,
from the text given (the training split and the corpora passed as ``--unlabelled``); nothing
is downloaded. scikit-learn does the SVD and the k-means.
"""

from __future__ import annotations

from array import array
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

import numpy as np

from akhbar.annotation.suggest.arabic import normalise, stem

SIZES = (64, 512)  # clusters, coarse and fine (chosen on Wojood's validation split)
MIN_COUNT = 3  # a stem seen fewer times is left out: its contexts say too little
CONTEXTS = 3000  # the most frequent stems serve as contexts, on either side
DIMS = 64
# A bound on memory and time (about 0.5 GB at most); far more text than clusters of a news
# corpus's stems need.
MAX_TOKENS = 30_000_000


@dataclass
class WordClusters:
    stems: dict[str, tuple[int, ...]] = field(default_factory=dict)  # stem -> an id per size
    sizes: tuple[int, ...] = ()
    tokens: int = 0  # how many tokens they were learned from

    def of(self, stem_: str) -> tuple[int, ...] | None:
        return self.stems.get(stem_)

    @classmethod
    def learn(
        cls,
        sentences: Iterable[Sequence[str]],
        *,
        sizes: Sequence[int] = SIZES,
        min_count: int = MIN_COUNT,
        seed: int = 13,
        max_tokens: int = MAX_TOKENS,
    ) -> WordClusters:
        """From tokenised sentences (tokens as written), up to the sentence that reaches
        ``max_tokens``. Too little text for the sizes asked gives no clusters at all (the
        tagger then goes without the feature)."""
        ids: dict[str, int] = {}
        seq = array("q")  # 8 bytes a token, where a list of ints takes about 4 times that
        n_tokens = 0
        for tokens in sentences:
            seq.append(-1)  # a sentence bound: no context across it
            seq.extend(ids.setdefault(stem(normalise(t)), len(ids)) for t in tokens)
            n_tokens += len(tokens)
            if n_tokens >= max_tokens:
                break
        seq.append(-1)
        a = np.frombuffer(seq, dtype=np.int64)
        counts = np.bincount(a[a >= 0], minlength=len(ids))
        keep = np.flatnonzero(counts >= min_count)
        if len(keep) < 4 * max(sizes):
            return cls({}, tuple(sizes), n_tokens)
        vectors = _context_vectors(a, counts, keep, seed)
        labels = [_kmeans(vectors, size, seed) for size in sizes]
        names = list(ids)
        stems = {
            names[w]: tuple(int(lab[i]) for lab in labels) for i, w in enumerate(keep.tolist())
        }
        return cls(stems, tuple(sizes), n_tokens)

    def to_json(self) -> dict:
        return {
            "sizes": list(self.sizes),
            "tokens": self.tokens,
            "stems": {k: list(v) for k, v in sorted(self.stems.items())},
        }

    @classmethod
    def from_json(cls, data: dict) -> WordClusters:
        return cls(
            {k: tuple(v) for k, v in data["stems"].items()},
            tuple(data["sizes"]),
            int(data["tokens"]),
        )


def _context_vectors(seq: np.ndarray, counts: np.ndarray, keep: np.ndarray, seed: int):
    """One unit vector per kept stem: its PPMI-weighed left and right neighbours, reduced."""
    from scipy.sparse import coo_matrix
    from sklearn.utils.extmath import randomized_svd

    row = np.full(len(counts), -1, dtype=np.int64)
    row[keep] = np.arange(len(keep))
    top = np.argsort(-counts, kind="stable")[:CONTEXTS]
    ctx = np.full(len(counts), -1, dtype=np.int64)
    ctx[top] = np.arange(len(top))
    left, right = seq[:-1], seq[1:]
    ok = (left >= 0) & (right >= 0)
    left, right = left[ok], right[ok]
    rows, cols = [], []
    # a stem with its left neighbour as one context, its right neighbour as another
    for word, other, shift in ((right, left, 0), (left, right, len(top))):
        m = (row[word] >= 0) & (ctx[other] >= 0)
        rows.append(row[word[m]])
        cols.append(ctx[other[m]] + shift)
    r, c = np.concatenate(rows), np.concatenate(cols)
    mat = coo_matrix((np.ones(len(r)), (r, c)), shape=(len(keep), 2 * len(top))).tocsr()
    mat.sum_duplicates()
    total = mat.sum()
    row_sum = np.asarray(mat.sum(axis=1)).ravel()
    col_sum = np.asarray(mat.sum(axis=0)).ravel()
    coo = mat.tocoo()
    pmi = np.log(coo.data * total / (row_sum[coo.row] * col_sum[coo.col]))
    pos = pmi > 0
    ppmi = coo_matrix((pmi[pos], (coo.row[pos], coo.col[pos])), shape=mat.shape).tocsr()
    u, s, _ = randomized_svd(ppmi, min(DIMS, min(ppmi.shape) - 1), random_state=seed)
    vec = u * s
    return vec / np.maximum(np.linalg.norm(vec, axis=1, keepdims=True), 1e-12)


def _kmeans(vectors: np.ndarray, size: int, seed: int) -> np.ndarray:
    from sklearn.cluster import KMeans

    return KMeans(size, n_init=1, random_state=seed).fit(vectors).labels_
