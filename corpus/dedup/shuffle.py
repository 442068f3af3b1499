"""De-duplication as shuffles: the rules of :mod:`akhbar.corpus.dedup.cluster`, applied without
one process holding every article's fingerprints.

The articles are split into shards (an input file each, in input order); an article's position
is its shard's offset plus its index in the shard. Each step below is a pure function of
numpy arrays, so an engine may run it anywhere:

1. ``scatter_*`` (one call per shard) sends each article's id, key digest or LSH band slices to
   one of ``P`` partitions by a hash of what is grouped on;
2. ``reduce_*`` (one call per partition) groups: repeated ids get their ``-<n>`` suffix in input
   order; articles sharing a key link to its first occurrence (exact duplicates); the first
   articles of their keys that share a band slice are candidate pairs, verified by their
   estimated Jaccard similarity (:func:`band_pairs`: each pair once, in the lowest band it
   shares);
3. :func:`components` joins the links (exact and verified near pairs: a few per duplicate)
   into clusters and :func:`decide` applies the keeper rule to each, reading ids, lengths and
   signatures of cluster members only (:func:`lookup`);
4. :func:`shard_resolution` gives one shard's ``Resolution`` from the decisions.

The local executor runs the same reductions in one process over one shard
(:class:`akhbar.corpus.dedup.local.Deduplicator`); ``tests/corpus/test_ray_build.py`` checks that both
give the same store.
"""

from __future__ import annotations

import functools
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import xxhash

from akhbar.corpus.arrow_arrays import numpy_of, string_array
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
    """The LSH bands and rows per band: the ones datasketch's ``MinHashLSH`` chooses."""
    return _bands(config.threshold, config.num_perm)


@functools.cache
def _bands(threshold: float, num_perm: int) -> tuple[int, int]:
    # datasketch finds them by numerical integration: a few tens of milliseconds a call. It is
    # imported here, when the first build needs it, because it loads scipy (~50 MB in every
    # process that imports it, workers forked afterwards included).
    from datasketch import MinHashLSH

    lsh = MinHashLSH(threshold=threshold, num_perm=num_perm)
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
    pos = np.concatenate([p for p, _ in parts]) if parts else np.empty(0, np.int64)
    ids = [i for _, part in parts for i in part]
    if not ids:
        return {}
    # Arrow's hash table numbers the distinct ids: no Python object per id beyond the list.
    code = numpy_of(string_array(ids).dictionary_encode().indices).astype(np.int64)
    rows = np.flatnonzero(np.bincount(code)[code] > 1)
    if not len(rows):
        return {}
    rows = rows[np.lexsort((pos[rows], code[rows]))]  # each id's repeats in input order
    c = code[rows]
    starts = np.flatnonzero(np.concatenate(([True], c[1:] != c[:-1])))
    occurrence = np.arange(len(rows)) - np.repeat(starts, np.diff(np.append(starts, len(rows))))
    return {
        int(pos[r]): f"{ids[r]}-{n}"
        for r, n in zip(rows.tolist(), (occurrence + 1).tolist(), strict=True)
        if n > 1
    }


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


def band_keys(sigs: np.ndarray, rows: np.ndarray, band: int, r: int) -> np.ndarray:
    """A 64-bit hash of band ``band``'s slice of each signature row in ``rows``."""
    h = np.full(len(rows), np.uint64(band + 1))
    with np.errstate(over="ignore"):
        for c in range(band * r, (band + 1) * r):
            h = fmix64(h * np.uint64(0x9E3779B97F4A7C15) + sigs[rows, c].astype(np.uint64))
    return h


def band_pairs(
    band: int, rows: np.ndarray, sigs: np.ndarray, pos: np.ndarray, config: DedupConfig
) -> tuple[np.ndarray, np.ndarray]:
    """Verified near pairs ``(i, j)``, ``i < j``, among the signature rows ``rows`` (at
    positions ``pos[rows]``) that share band ``band``'s slice and no lower band's.

    This is the banding of datasketch's ``MinHashLSH`` (the same bands and rows; a bucket is
    an exact slice of the signature) and the Jaccard estimate of its ``LeanMinHash``, with the
    buckets formed by sorting numpy arrays: its tables hold a dict entry and a set per article
    and band, and a sketch object per article, about 5 KB an article where these hold the
    signature row (512 bytes) and a few integers. Each pair is verified once, in the lowest
    band it shares, so the pairs of all bands are the candidates of ``MinHashLSH``, verified.
    """
    _, r = bands(config)
    hasher = MinHasher(config.num_perm, config.ngram, config.seed)
    h = band_keys(sigs, rows, band, r)
    order = np.argsort(h, kind="stable")
    h = h[order]
    starts = np.flatnonzero(np.concatenate(([True], h[1:] != h[:-1])))
    sizes = np.diff(np.append(starts, len(h)))
    left: list[int] = []
    right: list[int] = []
    lo, hi = band * r, (band + 1) * r
    for s, m in zip(starts[sizes > 1].tolist(), sizes[sizes > 1].tolist(), strict=True):
        bucket = rows[order[s : s + m]]
        # a bucket is one hash; split it by the slices themselves (hashes may collide)
        _, group = np.unique(sigs[bucket, lo:hi], axis=0, return_inverse=True)
        group = group.reshape(-1)
        for g in np.unique(group).tolist():
            members = bucket[group == g]
            if len(members) < 2:
                continue
            members = members[np.argsort(pos[members])].tolist()
            for x, a in enumerate(members):
                sa = sigs[a]
                for c in members[x + 1 :]:
                    sc = sigs[c]
                    if band and (sa[:lo] == sc[:lo]).reshape(band, r).all(axis=1).any():
                        continue  # verified in a lower band
                    if hasher.lean(sa).jaccard(hasher.lean(sc)) >= config.threshold:
                        left.append(int(pos[a]))
                        right.append(int(pos[c]))
    return np.asarray(left, np.int64), np.asarray(right, np.int64)


Bands = tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]


def scatter_bands(
    fp: Fingerprints,
    offset: int,
    partitions: int,
    config: DedupConfig,
    repeats: np.ndarray,
) -> list[Bands]:
    """Per partition, ``(band, row, positions, signatures)``: a band entry is ``(band[i],
    row[i])``, ``row`` indexing the partition's ``positions`` and ``signatures``, which hold
    each article once (not once per band), for the first article of each key (``repeats``: the
    sorted positions of the others) that has a signature."""
    b, r = bands(config)
    pos = offset + np.arange(len(fp.ids))
    rows = np.flatnonzero(fp.has_signature & ~np.isin(pos, repeats, assume_unique=True))
    out_band, out_row, out_part = [], [], []
    for k in range(b):
        h = band_keys(fp.signatures, rows, k, r)
        out_band.append(np.full(len(rows), k, np.int64))
        out_row.append(rows)
        out_part.append((h % np.uint64(partitions)).astype(np.int64))
    band, row, part = (
        np.concatenate(a) if a else np.empty(0, np.int64) for a in (out_band, out_row, out_part)
    )
    out = []
    for s in _split(part, partitions):
        sent, index = np.unique(row[s], return_inverse=True)
        out.append((band[s], index.reshape(-1), pos[sent], fp.signatures[sent]))
    return out


def reduce_bands(parts: Sequence[Bands], config: DedupConfig) -> tuple[np.ndarray, np.ndarray]:
    """Verified near pairs ``(i, j)``, ``i < j``, of the articles sharing a band slice."""
    starts = np.cumsum([0] + [len(p[2]) for p in parts])
    band = np.concatenate([p[0] for p in parts])
    row = np.concatenate([p[1] + start for p, start in zip(parts, starts, strict=False)])
    pos = np.concatenate([p[2] for p in parts])
    sigs = (
        np.concatenate([p[3] for p in parts])
        if len(band)
        else np.empty((0, config.num_perm), np.uint32)
    )
    pairs = [band_pairs(k, row[band == k], sigs, pos, config) for k in np.unique(band).tolist()]
    if not pairs:
        return np.empty(0, np.int64), np.empty(0, np.int64)
    return np.concatenate([a for a, _ in pairs]), np.concatenate([c for _, c in pairs])


def near_pairs(
    fp: Fingerprints, repeats: np.ndarray, config: DedupConfig
) -> tuple[np.ndarray, np.ndarray]:
    """``reduce_bands`` in one process over one shard at offset 0: no signature is copied."""
    b, _ = bands(config)
    pos = np.arange(len(fp.ids))
    first = fp.has_signature.copy()
    first[repeats] = False
    rows = np.flatnonzero(first)
    pairs = [band_pairs(k, rows, fp.signatures, pos, config) for k in range(b)]
    return np.concatenate([a for a, _ in pairs]), np.concatenate([c for _, c in pairs])


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
    """The decision for every article of a cluster: the keeper is the
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
