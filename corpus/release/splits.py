"""Train/validation/test assignment from a hash of the article's de-duplication cluster.

All articles of a cluster (an article and its near-duplicates) hash alike, so they always land in
the same split and a test article never has a near-copy in train. The hash does not depend on
the other articles, so adding articles never moves an old one; only new ratios or a changed
cluster can, and the build refuses that unless told to re-split.
"""

from __future__ import annotations

import hashlib
import math

from akhbar.schemas.errors import UsageError

SPLITS = ("train", "validation", "test")
DEFAULT_RATIOS = (0.8, 0.1, 0.1)
METHOD = "sha256('akhbar-split:' + cluster_id) as a fraction of 2^64, against cumulative ratios"


def parse_ratios(value: str | None) -> tuple[float, float, float] | None:
    """``"0.8,0.1,0.1"`` -> (0.8, 0.1, 0.1); three finite, non-negative shares summing to 1
    (the one check of ``--ratios``)."""
    if value is None:
        return None
    try:
        parts = tuple(float(p) for p in value.split(","))
    except ValueError:
        parts = ()
    if not all(math.isfinite(p) for p in parts):
        parts = ()  # NaN compares false with everything, so it would pass every test below
    if len(parts) != 3 or any(p < 0 for p in parts) or abs(sum(parts) - 1) > 1e-6 or parts[0] <= 0:
        raise UsageError(
            f"--ratios {value!r}: give three non-negative shares for train,validation,test that "
            "sum to 1, e.g. --ratios 0.8,0.1,0.1"
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
