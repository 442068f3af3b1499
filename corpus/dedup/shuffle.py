"""De-duplication as shuffles: the decisions of ``Deduplicator``, reached without one process
holding every article's fingerprints.

The articles are split into shards (an input file each, in input order); an article's position
is its shard's offset plus its index in the shard. Each step below is a pure function of
numpy arrays, so an engine may run it anywhere:

1. ``scatter_*`` (one call per shard) sends each article's id, key digest or LSH band slices to
   one of ``P`` partitions by a hash of what is grouped on;
2. ``reduce_*`` (one call per partition) groups: repeated ids get their ``-<n>`` suffix in input
   order; articles sharing a key link to its first occurrence (exact duplicates); the first
   articles of their keys that share a band slice are candidate pairs, verified by the same
   estimated Jaccard similarity and threshold as ``NearIndex`` (each pair once, in the lowest
   band it shares);
3. :func:`decide` takes the links (exact and verified near pairs: a few per duplicate), forms
   the connected components and applies ``Deduplicator``'s keeper rule to each, reading ids,
   lengths and signatures of cluster members only (:func:`lookup`);
4. :func:`shard_resolution` gives one shard's ``Resolution`` from the decisions.

``tests/test_ray_build.py`` checks that the store is the one ``Deduplicator`` gives.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import xxhash
from datasketch import MinHashLSH

from akhbar.corpus.config import DedupConfig
from akhbar.corpus.dedup.cluster import Resolution, UnionFind, cluster_id
from akhbar.corpus.dedup.near import MinHasher, fmix64


@dataclass(slots=True)
class Fingerprints:
    """What de-duplication needs of one shard's articles, row for row (no texts)."""

    ids: list[str]
    lengths: np.ndarray  # int64
    keys: np.ndarray  # (n, 2) uint64: the 16-byte key digest
    signatures: np.ndarray  # (n, num_perm) uint32; rows without words are not used
    has_signature: np.ndarray  # bool

    @classmethod
    def of(
        cls,
        ids: list[str],
        lengths: Sequence[int],
        keys: Sequence[bytes],
        signatures: Sequence[np.ndarray | None],
        num_perm: int,
    ) -> Fingerprints:
        n = len(ids)
        sigs = np.zeros((n, num_perm), np.uint32)
        has = np.zeros(n, bool)
        for i, s in enumerate(signatures):
            if s is not None:
                sigs[i], has[i] = s, True
        packed = (
            np.frombuffer(b"".join(keys), np.uint64).reshape(n, 2)
            if n
            else np.empty((0, 2), np.uint64)
        )
        return cls(ids, np.asarray(lengths, np.int64), packed, sigs, has)


def bands(config: DedupConfig) -> tuple[int, int]:
    """The LSH bands and rows per band: the ones ``NearIndex`` gets from datasketch."""
    lsh = MinHashLSH(threshold=config.threshold, num_perm=config.num_perm)
    return lsh.b, lsh.r


def _split(part: np.ndarray, partitions: int) -> list[np.ndarray]:
    """Row indices going to each partition, in row order."""
    return [np.flatnonzero(part == d) for d in range(partitions)]


# --- ids ------------------------------------------------------------------------------------


def scatter_ids(
    fp: Fingerprints, offset: int, partitions: int
) -> list[tuple[np.ndarray, list[str]]]:
    part = np.fromiter(
        (xxhash.xxh3_64_intdigest(i.encode("utf-8", "surrogatepass")) % partitions for i in fp.ids),
        np.int64,
        len(fp.ids),
    )
    return [(offset + rows, [fp.ids[r] for r in rows]) for rows in _split(part, partitions)]


def reduce_ids(parts: Sequence[tuple[np.ndarray, list[str]]]) -> dict[int, str]:
    """Position -> new id, for every repeat of an id (``<id>-<n>``, ``n`` = 2, 3, ...)."""
    seen: dict[str, list[int]] = {}
    for positions, ids in parts:
        for p, i in zip(positions.tolist(), ids, strict=True):
            seen.setdefault(i, []).append(p)
    renamed: dict[int, str] = {}
    for i, positions in seen.items():
        if len(positions) > 1:
            for n, p in enumerate(sorted(positions)[1:], start=2):
                renamed[p] = f"{i}-{n}"
    return renamed


# --- exact duplicates -------------------------------------------------------------------------


def scatter_keys(
    fp: Fingerprints, offset: int, partitions: int
) -> list[tuple[np.ndarray, np.ndarray]]:
    part = (fp.keys[:, 0] % np.uint64(partitions)).astype(np.int64)
    return [(offset + rows, fp.keys[rows]) for rows in _split(part, partitions)]


def reduce_keys(parts: Sequence[tuple[np.ndarray, np.ndarray]]) -> tuple[np.ndarray, np.ndarray]:
    """``(positions, firsts)``: every article whose key occurred before, and that first one."""
    pos = np.concatenate([p for p, _ in parts])
    keys = np.concatenate([k for _, k in parts])
    if not len(pos):
        return pos, pos
    order = np.lexsort((pos, keys[:, 1], keys[:, 0]))
    k, p = keys[order], pos[order]
    new = np.ones(len(p), bool)
    new[1:] = (k[1:] != k[:-1]).any(axis=1)
    first = p[np.flatnonzero(new)[np.cumsum(new) - 1]]
    return p[~new], first[~new]


# --- near duplicates --------------------------------------------------------------------------


def scatter_bands(
    fp: Fingerprints,
    offset: int,
    partitions: int,
    config: DedupConfig,
    repeats: np.ndarray,
) -> list[tuple[np.ndarray, np.ndarray, np.ndarray]]:
    """``(band, position, signature)`` rows per partition, for the first article of each key
    (``repeats``: the sorted positions of the others) that has a signature."""
    b, r = bands(config)
    pos = offset + np.arange(len(fp.ids))
    rows = np.flatnonzero(fp.has_signature & ~np.isin(pos, repeats, assume_unique=True))
    sigs = fp.signatures[rows].astype(np.uint64)
    out_band, out_row, out_part = [], [], []
    with np.errstate(over="ignore"):
        for k in range(b):
            h = np.full(len(rows), np.uint64(k + 1))
            for c in range(k * r, (k + 1) * r):
                h = fmix64(h * np.uint64(0x9E3779B97F4A7C15) + sigs[:, c])
            out_band.append(np.full(len(rows), k, np.int64))
            out_row.append(rows)
            out_part.append((h % np.uint64(partitions)).astype(np.int64))
    band, row, part = (
        np.concatenate(a) if a else np.empty(0, np.int64) for a in (out_band, out_row, out_part)
    )
    return [(band[s], pos[row[s]], fp.signatures[row[s]]) for s in _split(part, partitions)]


def reduce_bands(
    parts: Sequence[tuple[np.ndarray, np.ndarray, np.ndarray]], config: DedupConfig
) -> tuple[np.ndarray, np.ndarray]:
    """Verified near pairs ``(i, j)``, ``i < j``, of the articles sharing a band slice."""
    _, r = bands(config)
    hasher = MinHasher(config.num_perm, config.ngram, config.seed)
    band = np.concatenate([p[0] for p in parts])
    pos = np.concatenate([p[1] for p in parts])
    sigs = (
        np.concatenate([p[2] for p in parts])
        if len(band)
        else np.empty((0, config.num_perm), np.uint32)
    )
    left: list[int] = []
    right: list[int] = []
    for k in np.unique(band).tolist():
        at = np.flatnonzero(band == k)
        _, group = np.unique(sigs[at, k * r : (k + 1) * r], axis=0, return_inverse=True)
        group = group.reshape(-1)
        counts = np.bincount(group)
        for g in np.flatnonzero(counts > 1).tolist():
            members = at[group == g]
            members = members[np.argsort(pos[members])]
            for x, a in enumerate(members.tolist()):
                for c in members[x + 1 :].tolist():
                    sa, sc = sigs[a], sigs[c]
                    # verified in the lowest band the pair shares, so once in all
                    if any(
                        np.array_equal(sa[q * r : (q + 1) * r], sc[q * r : (q + 1) * r])
                        for q in range(k)
                    ):
                        continue
                    if hasher.lean(sa).jaccard(hasher.lean(sc)) >= config.threshold:
                        left.append(int(pos[a]))
                        right.append(int(pos[c]))
    return np.asarray(left, np.int64), np.asarray(right, np.int64)


# --- clusters ---------------------------------------------------------------------------------


@dataclass(slots=True)
class Member:
    """What :func:`decide` needs of an article in a cluster."""

    id: str
    length: int
    signature: np.ndarray | None


def lookup(fp: Fingerprints, rows: np.ndarray) -> list[Member]:
    return [
        Member(fp.ids[r], int(fp.lengths[r]), fp.signatures[r] if fp.has_signature[r] else None)
        for r in rows.tolist()
    ]


Decision = tuple[
    str, str | None, str | None, float | None
]  # cluster, duplicate_of, kind, similarity


def components(links: Sequence[tuple[np.ndarray, np.ndarray]]) -> dict[int, list[int]]:
    """The connected components (more than one member, sorted) of the linked positions."""
    index: dict[int, int] = {}
    uf = UnionFind()
    for left, right in links:
        for a, c in zip(left.tolist(), right.tolist(), strict=True):
            ia = index.get(a)
            if ia is None:
                ia = index[a] = uf.add()
            ic = index.get(c)
            if ic is None:
                ic = index[c] = uf.add()
            uf.union(ia, ic)
    position = [0] * len(index)
    for p, i in index.items():
        position[i] = p
    groups: dict[int, list[int]] = {}
    for i in range(len(position)):
        groups.setdefault(uf.find(i), []).append(position[i])
    return {min(m): sorted(m) for m in groups.values()}


def decide(
    clusters: dict[int, list[int]],
    members: dict[int, Member],
    renamed: dict[int, str],
    first: dict[int, int],
    config: DedupConfig,
) -> dict[int, Decision]:
    """``Deduplicator.resolve``'s decision for every article of a cluster: the keeper is the
    longest text, then the earliest position, then the smallest id. ``first``: position ->
    first position of its key, for the articles whose key occurred before."""
    hasher = MinHasher(config.num_perm, config.ngram, config.seed)
    out: dict[int, Decision] = {}
    for positions in clusters.values():
        ids = {p: renamed.get(p, members[p].id) for p in positions}
        best = min(positions, key=lambda p: (-members[p].length, p, ids[p]))
        cid = cluster_id(ids[best])
        for p in positions:
            if p == best:
                out[p] = (cid, None, None, None)
            elif first.get(p, p) == first.get(best, best):
                out[p] = (cid, ids[best], "exact", 1.0)
            else:
                a, c = members[first.get(p, p)].signature, members[first.get(best, best)].signature
                if a is None or c is None:
                    raise AssertionError("near duplicate without signatures")
                out[p] = (cid, ids[best], "near", hasher.lean(a).jaccard(hasher.lean(c)))
    return out


def shard_resolution(
    ids: list[str], offset: int, renamed: dict[int, str], decisions: dict[int, Decision]
) -> Resolution:
    """One shard's part of the resolution, in its row order."""
    final = [renamed.get(offset + i, a) for i, a in enumerate(ids)]
    cluster_ids, duplicate_of, kind, similarity = [], [], [], []
    for i, aid in enumerate(final):
        cid, of, k, s = decisions.get(offset + i, (cluster_id(aid), None, None, None))
        cluster_ids.append(cid)
        duplicate_of.append(of)
        kind.append(k)
        similarity.append(s)
    return Resolution(final, cluster_ids, duplicate_of, kind, similarity)
