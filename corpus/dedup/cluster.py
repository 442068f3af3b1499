"""Grouping duplicates into clusters and choosing the article each cluster keeps: the rules.

De-duplication is the one step of the corpus build that needs every article: in input order,
each cleaned article's id, text length and fingerprints (computed per article, anywhere). It
links exact and near duplicates, joins the links into clusters and decides what is kept, in
one process (``corpus.dedup.local``) or as shuffles over a cluster (``corpus.dedup.shuffle``),
with the same result.

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
    """What de-duplication decided, one entry per article in input order.

    ``duplicate_of`` is ``None`` for a kept article; ``kind`` and ``similarity`` too.
    """

    ids: list[str]
    cluster_ids: list[str]
    duplicate_of: list[str | None]
    kind: list[str | None]
    similarity: list[float | None]
