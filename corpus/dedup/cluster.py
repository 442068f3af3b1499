"""Grouping duplicates into clusters and choosing the article each cluster keeps.

``Deduplicator`` is the one step of the corpus build that needs every article: it receives, in
input order, each cleaned article's id, text length and fingerprints (computed per article,
anywhere), links exact and near duplicates with union-find, and decides what is kept.

Rules, all deterministic (the same input gives the same ids and clusters on any machine):

- Ids are unique in a build. Two records with the same id have the same source, URL, title and
  text, so the later one is an exact duplicate; it is renamed ``<id>-<n>``, ``n`` being its
  occurrence number (2, 3, ...) in input order.
- Exact duplicates share the folded key (``corpus.dedup.exact``). Near duplicates are found among
  the first article of each key only, by MinHash LSH, and linked when their estimated Jaccard
  similarity reaches the threshold. Links are transitive (union-find), so in a chain A~B~C the
  similarity of C to the kept A may be below the threshold; it is recorded as estimated.
- A cluster keeps its longest text; ties go to the earliest input position, then the smallest id.
- Every other member becomes a ``Duplicate`` of the kept one: kind ``exact`` with similarity 1.0
  when its folded key equals the kept one's, otherwise kind ``near`` with the estimated Jaccard
  similarity of the two signatures.
- Every article, kept or not, gets the cluster id ``clu_`` + 20 hex digits of the SHA-256 of the
  kept article's id; a singleton is a cluster of one.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass

import numpy as np

from akhbar.corpus.config import DedupConfig
from akhbar.corpus.dedup.exact import ExactIndex
from akhbar.corpus.dedup.near import MinHasher, NearIndex, has_shingles
from akhbar.corpus.records import Article, Duplicate


def cluster_id(kept_id: str) -> str:
    """The stable id of the cluster whose kept article is ``kept_id``."""
    return "clu_" + hashlib.sha256(kept_id.encode("utf-8")).hexdigest()[:20]


class UnionFind:
    """Disjoint sets over 0..n-1 with path halving; the root of a set is its smallest member."""

    __slots__ = ("_parent",)

    def __init__(self) -> None:
        self._parent: list[int] = []

    def add(self) -> int:
        self._parent.append(len(self._parent))
        return len(self._parent) - 1

    def find(self, i: int) -> int:
        parent = self._parent
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i

    def union(self, i: int, j: int) -> None:
        ri, rj = self.find(i), self.find(j)
        if ri != rj:
            lo, hi = (ri, rj) if ri < rj else (rj, ri)
            self._parent[hi] = lo

    def groups(self) -> dict[int, list[int]]:
        """Root -> members in increasing order, for every set with more than one member."""
        out: dict[int, list[int]] = {}
        for i in range(len(self._parent)):
            r = self.find(i)
            if r != i:
                out.setdefault(r, [r]).append(i)
        return out


@dataclass(slots=True)
class Resolution:
    """What ``Deduplicator.resolve`` decided, one entry per article in input order.

    ``duplicate_of`` is ``None`` for a kept article; ``kind`` and ``similarity`` too.
    """

    ids: list[str]
    cluster_ids: list[str]
    duplicate_of: list[str | None]
    kind: list[str | None]
    similarity: list[float | None]

    def slice(self, start: int, end: int) -> Resolution:
        """The entries of the articles at positions ``start`` to ``end`` (excluded)."""
        return Resolution(
            self.ids[start:end],
            self.cluster_ids[start:end],
            self.duplicate_of[start:end],
            self.kind[start:end],
            self.similarity[start:end],
        )


class Deduplicator:
    """Collect fingerprinted articles with ``add``; ``resolve`` decides what each one is.

    Only what deciding needs is kept per article: its id, text length, exact key digest and
    (for the first article of each key) its MinHash signature, so the texts themselves may
    stay wherever they are (in Arrow batches, on disk, on another machine).
    """

    def __init__(self, config: DedupConfig) -> None:
        self.config = config
        self.hasher = MinHasher(config.num_perm, config.ngram, config.seed)
        self._near = NearIndex(self.hasher, config.threshold) if config.near else None
        self._exact = ExactIndex()
        self._uf = UnionFind()
        self._ids: list[str] = []
        self._lengths: list[int] = []
        self._keys: list[bytes] = []
        self._rep: list[int] = []  # position of the first article with the same key
        self._id_count: dict[str, int] = {}

    def add(self, article_id: str, length: int, key: bytes, signature: np.ndarray | None) -> str:
        """Add the next article (in input order); returns its id, made unique if need be.

        ``signature`` is the MinHash row, or ``None`` for a text without words; it is ignored
        when near-duplicate detection is off.
        """
        pos = self._uf.add()
        seen = self._id_count.get(article_id, 0) + 1
        self._id_count[article_id] = seen
        if seen > 1:
            article_id = f"{article_id}-{seen}"
        self._ids.append(article_id)
        self._lengths.append(length)
        self._keys.append(key)
        first = self._exact.add(key, pos)
        if first is not None:
            self._rep.append(first)
            self._uf.union(first, pos)
            return article_id
        self._rep.append(pos)
        if self._near is not None and signature is not None:
            self._near.add(pos, signature)
        return article_id

    def __len__(self) -> int:
        return len(self._ids)

    def _similarity(self, member: int, kept: int) -> float:
        a, b = self._rep[member], self._rep[kept]
        if self._near is None or a not in self._near or b not in self._near:
            # Different keys are only ever linked through the near index.
            raise AssertionError("near duplicate without signatures")
        return self._near.similarity(a, b)

    def resolve(self) -> Resolution:
        if self._near is not None:
            for i, j, _similarity in self._near.pairs():
                self._uf.union(i, j)
        n = len(self._ids)
        ids, lengths = self._ids, self._lengths
        cluster_ids = [""] * n
        duplicate_of: list[str | None] = [None] * n
        kind: list[str | None] = [None] * n
        similarity: list[float | None] = [None] * n
        for members in self._uf.groups().values():
            best = min(members, key=lambda p: (-lengths[p], p, ids[p]))
            cid = cluster_id(ids[best])
            for p in members:
                cluster_ids[p] = cid
                if p == best:
                    continue
                duplicate_of[p] = ids[best]
                if self._keys[p] == self._keys[best]:
                    kind[p], similarity[p] = "exact", 1.0
                else:
                    kind[p], similarity[p] = "near", self._similarity(p, best)
        for p in range(n):
            if not cluster_ids[p]:
                cluster_ids[p] = cluster_id(ids[p])
        return Resolution(ids, cluster_ids, duplicate_of, kind, similarity)


@dataclass(slots=True)
class DedupResult:
    kept: list[Article]  # in input order
    duplicates: list[Duplicate]  # in input order


def deduplicate_articles(
    articles: list[Article], keys: list[bytes], signatures: np.ndarray | None, config: DedupConfig
) -> DedupResult:
    """De-duplicate articles held in memory; their ``id`` and ``cluster_id`` are updated."""
    dedup = Deduplicator(config)
    for i, (a, key) in enumerate(zip(articles, keys, strict=True)):
        sig = None if signatures is None else signatures[i]
        a.id = dedup.add(
            a.id, len(a.text), key, sig if sig is not None and has_shingles(sig) else None
        )
    r = dedup.resolve()
    kept, duplicates = [], []
    for i, a in enumerate(articles):
        a.cluster_id = r.cluster_ids[i]
        of = r.duplicate_of[i]
        if of is None:
            kept.append(a)
        else:
            duplicates.append(Duplicate(a, of, r.kind[i], r.similarity[i]))
    return DedupResult(kept, duplicates)
