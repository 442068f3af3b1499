"""Near duplicates: MinHash signatures of word n-gram shingles, LSH candidates, Jaccard check.

Signatures are the standard MinHash of datasketch's ``affine32`` scheme: each shingle's 32-bit
hash ``h`` is mixed with the MurmurHash3 finalizer and permuted as ``a_k * h + b_k mod 2**32``
with datasketch's own parameters for ``num_perm`` and ``seed``; a signature is the minimum over
the article's shingles. The result is value for value what ``datasketch.MinHash(num_perm, seed,
hashfunc=shingle_hash).update_batch(shingles)`` computes (a test checks it), but computed for a
whole batch of articles with numpy array operations: datasketch's default (sha1 per shingle,
one Python call each) takes about half a minute on SaudiNewsNet, this about a second.

Shingle hashes are computed without a Python call per word either. A batch of folded keys is
joined into one UTF-32 code-point array; each word's hash is a polynomial over its code points
(and the space after it) mod 2**64, made position-independent with precomputed inverse powers,
then mixed with the 64-bit MurmurHash3 finalizer. A shingle of ``n`` words is the polynomial of
its word hashes (Horner's rule over shifted arrays), mixed again; its top 32 bits are the
shingle hash. An article with fewer than ``n`` words has one shingle: all its words.

Candidate pairs come from LSH banding with the bands and rows of datasketch's ``MinHashLSH``
and are kept only when their estimated Jaccard similarity reaches the threshold
(``corpus.dedup.shuffle.band_pairs``).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

import numpy as np

if TYPE_CHECKING:  # datasketch imports scipy (~50 MB): loaded where a hasher is made
    from datasketch import LeanMinHash

SCHEME = "affine32"
EMPTY = np.uint32(0xFFFFFFFF)  # a signature value no shingle reached; all EMPTY = no shingles

_U64 = np.uint64
_U32 = np.uint32
# Odd multipliers for the two polynomial hashes (code points -> word, words -> shingle).
_CHAR_BASE = _U64(0x9E3779B97F4A7C15)
_CHAR_BASE_INV = _U64(pow(0x9E3779B97F4A7C15, -1, 1 << 64))
_WORD_BASE = _U64(0xC2B2AE3D27D4EB4F)
_BLOCK = 16384  # shingles per permutation block: the (num_perm, block) buffer stays in cache

_powers: tuple[np.ndarray, np.ndarray] = (np.ones(1, _U64), np.ones(1, _U64))


def _power_tables(n: int) -> tuple[np.ndarray, np.ndarray]:
    """``B**j`` and ``B**-j`` mod 2**64 for ``j < n``, grown by doubling and cached."""
    global _powers
    pw, ipw = _powers
    if len(pw) < n:
        size = max(n, 2 * len(pw), 1 << 16)
        with np.errstate(over="ignore"):
            pw = np.full(size, _CHAR_BASE, dtype=_U64)
            pw[0] = 1
            np.cumprod(pw, out=pw)
            ipw = np.full(size, _CHAR_BASE_INV, dtype=_U64)
            ipw[0] = 1
            np.cumprod(ipw, out=ipw)
        _powers = (pw, ipw)
    return pw, ipw


def fmix64(h: np.ndarray) -> np.ndarray:
    """MurmurHash3's 64-bit finalizer (an avalanching bijection), element-wise."""
    h = h ^ (h >> _U64(33))
    h *= _U64(0xFF51AFD7ED558CCD)
    h ^= h >> _U64(33)
    h *= _U64(0xC4CEB9FE1A85EC53)
    return h ^ (h >> _U64(33))


def fmix32(h: np.ndarray) -> np.ndarray:
    """MurmurHash3's 32-bit finalizer, the pre-mix of datasketch's ``affine32`` scheme."""
    h = h ^ (h >> _U32(16))
    h *= _U32(0x85EBCA6B)
    h ^= h >> _U32(13)
    h *= _U32(0xC2B2AE35)
    return h ^ (h >> _U32(16))


def shingle_hashes(keys: Sequence[str], ngram: int) -> tuple[np.ndarray, np.ndarray]:
    """The 32-bit shingle hashes of folded keys, and the index of the key each belongs to.

    Keys are ``fold_for_dedup`` output: words separated by single spaces. Hashes come out
    grouped by key, in key order; an empty key has none.
    """
    n_keys = len(keys)
    lengths = np.fromiter(map(len, keys), dtype=np.int64, count=n_keys)
    if not lengths.any():
        return np.empty(0, _U32), np.empty(0, np.int64)
    joined = " ".join(k for k in keys if k) + " "  # every word ends with a space
    cp = np.frombuffer(joined.encode("utf-32-le", "surrogatepass"), dtype=_U32).astype(_U64)
    pw, ipw = _power_tables(len(cp))
    with np.errstate(over="ignore"):
        ends = np.flatnonzero(cp == 32)  # one space after each word
        # words of key i: the spaces before the end of its span (its text and one space)
        key_ends = np.cumsum(np.where(lengths > 0, lengths + 1, 0))
        n_words = np.diff(np.searchsorted(ends, key_ends), prepend=0)
        total = len(ends)
        starts = np.empty(total, dtype=np.int64)
        starts[0] = 0
        starts[1:] = ends[:-1] + 1
        cp *= pw[: len(cp)]
        words = fmix64(np.add.reduceat(cp, starts) * ipw[starts])

        offsets = np.zeros(n_keys + 1, dtype=np.int64)
        np.cumsum(n_words, out=offsets[1:])
        owner = np.repeat(np.arange(n_keys, dtype=np.int64), n_words)
        padded = np.concatenate([words, np.zeros(ngram - 1, _U64)])
        short = (n_words > 0) & (n_words < ngram)
        short_starts, short_len = offsets[:-1][short], n_words[short]

        result = np.empty(total, _U64)
        acc = padded[:total].copy()
        for k in range(1, ngram + 1):
            if k > 1:
                acc *= _WORD_BASE
                acc += padded[k - 1 : k - 1 + total]
            at = short_starts[short_len == k]
            result[at] = acc[at]
        valid = np.arange(total) + ngram <= np.repeat(offsets[1:], n_words)
        result[valid] = acc[valid]
        valid[short_starts] = True
        hashes = (fmix64(result[valid]) >> _U64(32)).astype(_U32)
    return hashes, owner[valid]


class MinHasher:
    """MinHash signatures for batches of folded keys, compatible with datasketch's MinHash."""

    def __init__(self, num_perm: int = 128, ngram: int = 5, seed: int = 1) -> None:
        if ngram < 1:
            raise ValueError(f"ngram must be at least 1, got {ngram}")
        from datasketch import MinHash

        self.num_perm, self.ngram, self.seed = num_perm, ngram, seed
        a, b = MinHash(num_perm=num_perm, seed=seed, scheme=SCHEME).permutations
        self._a = np.ascontiguousarray(a, dtype=_U32).reshape(-1, 1)
        self._b = np.ascontiguousarray(b, dtype=_U32).reshape(-1, 1)

    def signatures(self, keys: Sequence[str]) -> np.ndarray:
        """A ``(len(keys), num_perm)`` uint32 array; a key without words gets all ``EMPTY``."""
        hashes, owner = shingle_hashes(keys, self.ngram)
        sig = np.full((self.num_perm, len(keys)), EMPTY, dtype=_U32)
        if len(hashes) == 0:
            return np.ascontiguousarray(sig.T)
        with np.errstate(over="ignore"):
            x = fmix32(hashes)
            buf = np.empty((self.num_perm, _BLOCK), dtype=_U32)
            for s in range(0, len(x), _BLOCK):
                e = min(len(x), s + _BLOCK)
                block = buf[:, : e - s]
                np.multiply(self._a, x[None, s:e], out=block)
                block += self._b
                own = owner[s:e]
                seg = np.flatnonzero(np.concatenate(([True], own[1:] != own[:-1])))
                mins = np.minimum.reduceat(block, seg, axis=1)
                cols = own[seg]
                # A key's shingles may straddle two blocks: keep the smaller of both minima.
                sig[:, cols] = np.minimum(sig[:, cols], mins)
        return np.ascontiguousarray(sig.T)

    def lean(self, signature: np.ndarray) -> LeanMinHash:
        """A datasketch ``LeanMinHash`` over one signature row (for LSH and Jaccard).

        Made without datasketch's per-object checks and copy (a tenth of the LSH time): the
        row is already a uint32 array of this scheme, and a test compares the result with
        one made by the checking constructor.
        """
        if signature.dtype != np.uint32 or signature.shape != (self.num_perm,):
            raise ValueError(f"expected {self.num_perm} uint32 values, got {signature.shape}")
        from datasketch import LeanMinHash

        sketch = LeanMinHash.__new__(LeanMinHash)
        sketch.seed, sketch.scheme, sketch.hashvalues = self.seed, SCHEME, signature
        return sketch


def has_shingles(signature: np.ndarray) -> bool:
    return bool((signature != EMPTY).any())
