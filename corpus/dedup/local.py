"""De-duplication in one process: the reductions of :mod:`akhbar.corpus.dedup.shuffle` over one
shard holding every article, for the local executor.

``Deduplicator`` keeps, per article, only what deciding needs: its id, text length, key digest
and MinHash signature, in numpy arrays (about 600 bytes an article with 128 permutations, the
signature being most of it), so the texts may stay wherever they are (on disk in the
temporary store, in Arrow batches). ``resolve`` then groups ids, keys and LSH band slices by
sorting those arrays, exactly as the Ray executor's partitions do, and decides the clusters.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from akhbar.corpus.config import DedupConfig
from akhbar.corpus.dedup import shuffle
from akhbar.corpus.dedup.cluster import Resolution
from akhbar.corpus.dedup.near import has_shingles
from akhbar.corpus.records import Article, Duplicate


class _Rows:
    """Arrays that grow by doubling, so that adding rows never holds two copies of them all
    (a list of chunks joined at the end would, for a moment)."""

    def __init__(self, width: int) -> None:
        self.n = 0
        self._lengths = np.empty(0, np.int64)
        self._keys = np.empty((0, 2), np.uint64)
        self._sigs = np.empty((0, width), np.uint32)
        self._has = np.empty(0, bool)

    def _grow(self, need: int) -> None:
        cap = max(need, 2 * len(self._lengths), 4096)
        grown = []
        for a in (self._lengths, self._keys, self._sigs, self._has):
            b = np.empty((cap, *a.shape[1:]), a.dtype)  # untouched rows cost no memory
            b[: self.n] = a[: self.n]
            grown.append(b)
        self._lengths, self._keys, self._sigs, self._has = grown

    def append(self, fp: shuffle.Fingerprints) -> None:
        m = len(fp.ids)
        if self.n + m > len(self._lengths):
            self._grow(self.n + m)
        end = self.n + m
        self._lengths[self.n : end] = fp.lengths
        self._keys[self.n : end] = fp.keys
        self._sigs[self.n : end] = fp.signatures
        self._has[self.n : end] = fp.has_signature
        self.n = end

    def fingerprints(self, ids: list[str]) -> shuffle.Fingerprints:
        n = self.n
        return shuffle.Fingerprints(
            ids, self._lengths[:n], self._keys[:n], self._sigs[:n], self._has[:n]
        )


@dataclass(slots=True)
class Decisions:
    """What ``Deduplicator.resolve`` decided, by input position: the renamed repeats of ids and
    the decision for every member of a cluster (every other article is kept, alone)."""

    renamed: dict[int, str]
    decided: dict[int, shuffle.Decision]

    def resolution(self, ids: list[str], offset: int) -> Resolution:
        """The resolution of the articles ``ids`` (as read) at positions from ``offset``."""
        return shuffle.shard_resolution(ids, offset, self.renamed, self.decided)


class Deduplicator:
    """Collect fingerprinted articles with ``add``, in input order; ``resolve`` decides."""

    def __init__(self, config: DedupConfig) -> None:
        self.config = config
        self._width = config.num_perm if config.near else 0
        self._ids: list[str] = []
        self._rows = _Rows(self._width)

    def add(
        self,
        ids: list[str],
        lengths: Sequence[int],
        keys: Sequence[bytes],
        signatures: Sequence[np.ndarray | None],
    ) -> None:
        """Add the next articles: ids as read, text lengths, key digests and MinHash rows
        (``None`` for a text without words; ignored when near duplicates are off)."""
        if not self.config.near:
            signatures = [None] * len(ids)
        self._ids += ids
        self._rows.append(shuffle.Fingerprints.of(ids, lengths, keys, signatures, self._width))

    def __len__(self) -> int:
        return len(self._ids)

    def resolve(self) -> Decisions:
        fp = self._rows.fingerprints(self._ids)
        pos = np.arange(len(fp.ids), dtype=np.int64)
        renamed = shuffle.reduce_ids([(pos, fp.ids)])
        repeats, firsts = shuffle.reduce_keys([(pos, fp.keys)])
        links = [(repeats, firsts)]
        if self.config.near:
            links.append(shuffle.near_pairs(fp, repeats, self.config))
        clusters = shuffle.components(links)
        wanted = np.array(sorted(p for m in clusters.values() for p in m), np.int64)
        members = dict(zip(wanted.tolist(), shuffle.lookup(fp, wanted), strict=True))
        first = dict(zip(repeats.tolist(), firsts.tolist(), strict=True))
        return Decisions(renamed, shuffle.decide(clusters, members, renamed, first, self.config))


@dataclass(slots=True)
class DedupResult:
    kept: list[Article]  # in input order
    duplicates: list[Duplicate]  # in input order


def deduplicate_articles(
    articles: list[Article], keys: list[bytes], signatures: np.ndarray | None, config: DedupConfig
) -> DedupResult:
    """De-duplicate articles held in memory; their ``id`` and ``cluster_id`` are updated."""
    dedup = Deduplicator(config)
    sigs: list[np.ndarray | None] = [None] * len(articles)
    if signatures is not None:
        sigs = [s if has_shingles(s) else None for s in signatures]
    dedup.add([a.id for a in articles], [len(a.text) for a in articles], keys, sigs)
    r = dedup.resolve().resolution([a.id for a in articles], 0)
    kept, duplicates = [], []
    for i, a in enumerate(articles):
        a.id, a.cluster_id = r.ids[i], r.cluster_ids[i]
        of = r.duplicate_of[i]
        if of is None:
            kept.append(a)
        else:
            duplicates.append(Duplicate(a, of, r.kind[i], r.similarity[i]))
    return DedupResult(kept, duplicates)
