"""Exact duplicates: two articles are the same when their folded texts are equal.

The key is ``fold_for_dedup(text)`` (diacritics, tatweel and punctuation removed, alef/yaa/taa
marbuta folded, whitespace collapsed), so spelling variants that news sites use interchangeably
compare equal, while the stored text keeps every letter as written. Only a 128-bit xxh3 digest of
the key is kept in memory: collisions at that width are not a practical concern.
"""

from __future__ import annotations

import xxhash

from akhbar.corpus.cleaning.text import fold_for_dedup


def key_digest(folded: str) -> bytes:
    """The 16-byte digest of an already folded key."""
    return xxhash.xxh3_128_digest(folded.encode("utf-8"))


def exact_key(text: str) -> bytes:
    """The exact-duplicate key of a cleaned text."""
    return key_digest(fold_for_dedup(text))
