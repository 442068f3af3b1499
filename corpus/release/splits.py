"""Train/validation/test assignment: the source's own split when the article records one
(``metadata.split``, as ``import-conll`` writes it), else a hash of its de-duplication cluster.

All articles of a cluster (an article and its near-duplicates) hash alike, so they always land in
the same split and a test article never has a near-copy in train. The hash does not depend on
the other articles, so adding articles never moves an old one; only new ratios or a changed
cluster can, and the build refuses that unless told to re-split.
"""

from __future__ import annotations

import hashlib
import math

import orjson

from akhbar.schemas.errors import UsageError

SPLITS = ("train", "validation", "test")
DEFAULT_RATIOS = (0.8, 0.1, 0.1)
METHOD = "sha256('akhbar-split:' + cluster_id) as a fraction of 2^64, against cumulative ratios"
SOURCE_METHOD = "the split recorded with the article (metadata.split), from its source"


def recorded_split(metadata: str | None) -> int | None:
    """Index into SPLITS of the split an article's metadata records, or None; a recorded split
    that is not one of SPLITS is an error (the caller names the article)."""
    if not metadata or '"split"' not in metadata:  # the common case, without parsing JSON
        return None
    md = orjson.loads(metadata)
    value = md.get("split") if isinstance(md, dict) else None
    if value is None:
        return None
    if value not in SPLITS:
        raise ValueError(f"metadata split {value!r} is not one of {', '.join(SPLITS)}")
    return SPLITS.index(value)


def parse_ratios(value: str | None) -> tuple[float, float, float] | None:
    """``"0.8,0.1,0.1"`` -> (0.8, 0.1, 0.1); three finite, non-negative shares summing to 1
    (a share may be 0: ``0,0,1`` puts every hashed article in test)."""
    if value is None:
        return None
    try:
        parts = tuple(float(p) for p in value.split(","))
    except ValueError:
        parts = ()
    if (
        len(parts) != 3
        or not all(math.isfinite(p) and p >= 0 for p in parts)
        or abs(sum(parts) - 1) > 1e-6
    ):
        raise UsageError(
            f"--ratios {value!r}: give three finite, non-negative shares for "
            "train,validation,test that sum to 1, e.g. --ratios 0.8,0.1,0.1 or 0,0,1"
        )
    return parts  # type: ignore[return-value]


def split_of(cluster_key: str, ratios: tuple[float, float, float]) -> int:
    """Index into SPLITS for a cluster key (the cluster id, or the article id when it has none)."""
    digest = hashlib.sha256(b"akhbar-split:" + cluster_key.encode("utf-8")).digest()
    x = int.from_bytes(digest[:8], "big") / 2**64
    if x < ratios[0]:
        return 0
    if x < ratios[0] + ratios[1]:
        return 1
    return 2


def ratios_dict(ratios: tuple[float, float, float]) -> dict[str, float]:
    return dict(zip(SPLITS, ratios, strict=True))
