"""The agreement measures themselves: pure functions over one pair of annotated documents.

Multisets are dicts (item -> count) or Counters; spans are code-point offsets. See
:data:`annotation.team.agreement.DEFINITIONS` for what each measure means.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from typing import Any

import numpy as np

from akhbar.corpus.release.align import outermost

DIFFERENCES = 25  # differences shown per document


# --- counting -----------------------------------------------------------


def f1(tp: float, n_a: float, n_b: float) -> float | None:
    """2TP/(2TP+FP+FN) with FP = n_a - TP and FN = n_b - TP; None when both are empty."""
    return None if n_a + n_b == 0 else 2 * tp / (n_a + n_b)


def ratio(num: float, den: float) -> float | None:
    return None if den == 0 else num / den


def entity_keys(doc: dict[str, Any]) -> Counter:
    return Counter((e["label"], e["start"], e["end"]) for e in doc["entities"])


def trigger_keys(doc: dict[str, Any]) -> Counter:
    return Counter((v["type"], v["trigger"]["start"], v["trigger"]["end"]) for v in doc["events"])


def argument_keys(doc: dict[str, Any]) -> Counter:
    """(event type, trigger span, role, argument span) of every argument."""
    spans = {e["id"]: (e["start"], e["end"]) for e in doc["entities"]}
    out: Counter = Counter()
    for v in doc["events"]:
        t = v["trigger"]
        for a in v["arguments"]:
            s, e = spans[a["entity_id"]]
            out[(v["type"], t["start"], t["end"], a["role"], s, e)] += 1
    return out


def grouped(keys: Counter) -> dict[str, dict[tuple, int]]:
    """Items (item -> count) by their first field (an entity's label, an event's type)."""
    out: dict[str, dict[tuple, int]] = {}
    for key, n in keys.items():
        out.setdefault(key[0], {})[key] = n
    return out


def common(a: dict[tuple, int], b: dict[tuple, int]) -> int:
    """Items matched one to one between two multisets (item -> count)."""
    if len(b) < len(a):
        a, b = b, a
    return sum(min(n, b.get(k, 0)) for k, n in a.items())


def items_of(a: dict[tuple, int]) -> list[tuple]:
    return [k for k, n in a.items() for _ in range(n)]


def overlap_matches(a: Iterable[tuple[str, int, int]], b: Iterable[tuple[str, int, int]]) -> int:
    """The size of a maximum one-to-one matching of same-label overlapping spans."""
    by_label: dict[str, tuple[list, list]] = {}
    for i, side in enumerate((a, b)):
        for label, s, e in side:
            by_label.setdefault(label, ([], []))[i].append((s, e))
    total = 0
    for left, right in by_label.values():
        if left and right:
            total += _max_matching(left, right)
    return total


def _max_matching(left: list[tuple[int, int]], right: list[tuple[int, int]]) -> int:
    """Kuhn's augmenting paths over the overlap graph (a few dozen spans per label)."""
    adj = [[j for j, (s2, e2) in enumerate(right) if s < e2 and s2 < e] for s, e in left]
    owner = [-1] * len(right)

    def augment(i: int, seen: list[bool]) -> bool:
        for j in adj[i]:
            if not seen[j]:
                seen[j] = True
                if owner[j] < 0 or augment(owner[j], seen):
                    owner[j] = i
                    return True
        return False

    return sum(augment(i, [False] * len(right)) for i in range(len(left)) if adj[i])


def token_values(
    starts: np.ndarray, ends: np.ndarray, doc: dict[str, Any], index: dict[str, int]
) -> np.ndarray:
    """Per token: 1 + the label index of the outermost entity covering it, 0 for ``O``."""
    values = np.zeros(len(starts), dtype=np.int64)
    ents = doc["entities"]
    if not ents or not len(starts):
        return values
    s = np.array([e["start"] for e in ents], dtype=np.int64)
    e = np.array([e["end"] for e in ents], dtype=np.int64)
    kept, _, _ = outermost(s, e)
    lo = np.searchsorted(ends, s[kept], side="right").tolist()
    hi = np.searchsorted(starts, e[kept], side="left").tolist()
    labels = [1 + index[ents[k]["label"]] for k in kept.tolist()]
    # in reverse text order, so that the earlier entity wins a token both touch
    for a, b, label in zip(reversed(lo), reversed(hi), reversed(labels), strict=True):
        values[a:b] = label
    return values


def confusion(a: np.ndarray, b: np.ndarray, n_values: int) -> np.ndarray:
    """Counts of (a's value, b's value) over the same tokens."""
    return np.bincount(a * n_values + b, minlength=n_values * n_values).reshape(n_values, n_values)


def cohen_kappa(c: np.ndarray) -> float | None:
    """Cohen's kappa of a confusion matrix; None when chance agreement is certain."""
    n = c.sum()
    if n == 0:
        return None
    po = np.trace(c) / n
    pe = float(c.sum(axis=1) @ c.sum(axis=0)) / (n * n)
    return None if pe >= 1 else float((po - pe) / (1 - pe))


def nominal_alpha(o: np.ndarray) -> float | None:
    """Krippendorff's alpha (nominal) from a coincidence matrix; None when undefined."""
    n_c = o.sum(axis=1)
    n = n_c.sum()
    spread = n * n - float(n_c @ n_c)
    if n <= 1 or spread <= 0:
        return None
    return float(1 - (n - 1) * (n - np.trace(o)) / spread)


def differences(text: str, names: list[str], docs: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Every entity, trigger and argument that not all annotators have, with who has it."""
    items: dict[tuple, set[str]] = {}
    for name, doc in zip(names, docs, strict=True):
        for label, s, e in entity_keys(doc):
            items.setdefault(("entity", label, s, e), set()).add(name)
        for typ, s, e in trigger_keys(doc):
            items.setdefault(("trigger", typ, s, e), set()).add(name)
        for typ, ts, te, role, s, e in argument_keys(doc):
            items.setdefault(("argument", f"{typ}.{role}", s, e, ts, te), set()).add(name)
    out = []
    for key in sorted(items, key=lambda k: (k[2], k[3], k[0], k[1])):
        have = items[key]
        if len(have) == len(names):
            continue
        kind, label, s, e = key[:4]
        d = {"kind": kind, "label": label, "start": s, "end": e, "text": text[s:e]}
        if kind == "argument":
            d["trigger"] = text[key[4] : key[5]]
        d["by"] = sorted(have)
        d["not_by"] = [n for n in names if n not in have]
        out.append(d)
        if len(out) >= DIFFERENCES:
            break
    return out
