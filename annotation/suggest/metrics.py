"""Span scores and the edits an annotator makes, from BIO tags or spans.

Spans are read from BIO tags as CoNLL's evaluation reads them (and ``seqeval`` in its default
mode): a span starts at ``B-X``, at ``I-X`` after anything but ``B-X``/``I-X``, and ends before
the next tag that does not continue it. Scores are exact: same label, same first and last token.

Edits are what turns the suggestions into the gold, one step each: a suggested span that is
right costs nothing; one with the right bounds and a wrong label is a *relabel*; one that
overlaps a gold span of the same label with other bounds is a *re-bound*; one that overlaps a
gold span with another label and other bounds is both; the other suggested spans are
*removed*, the other gold spans *added*. From a blank page every gold span is an *add*.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Sequence
from typing import Any

Span = tuple[Any, int, int, str]  # (sequence key, start, end, label); end exclusive

EDIT_KINDS = ("add", "remove", "relabel", "rebound")


def bio_spans(tags: Sequence[str], key: Any = 0) -> list[Span]:
    """The spans of one tag sequence, as (key, first token, end token, label)."""
    spans: list[Span] = []
    start, label = None, None
    for i, tag in enumerate([*tags, "O"]):
        prefix, _, name = tag.partition("-")
        continues = prefix == "I" and name == label and start is not None
        if start is not None and not continues:
            spans.append((key, start, i, label))  # type: ignore[arg-type]
            start, label = None, None
        if prefix == "B" or (prefix == "I" and not continues):
            start, label = i, name
    return spans


def spans_to_bio(n: int, spans: Iterable[tuple[int, int, str]]) -> list[str]:
    """BIO tags of ``n`` tokens from non-overlapping (start, end, label) token spans."""
    tags = ["O"] * n
    for a, b, label in spans:
        tags[a] = "B-" + label
        for k in range(a + 1, b):
            tags[k] = "I-" + label
    return tags


def prf(tp: int, n_pred: int, n_gold: int) -> dict[str, float | int]:
    p = tp / n_pred if n_pred else 0.0
    r = tp / n_gold if n_gold else 0.0
    f = 2 * p * r / (p + r) if p + r else 0.0
    return {
        "precision": round(p, 4),
        "recall": round(r, 4),
        "f1": round(f, 4),
        "support": n_gold,
        "predicted": n_pred,
    }


def span_scores(gold: Iterable[Span], pred: Iterable[Span]) -> dict[str, Any]:
    """Exact-span precision, recall and F1, micro over all labels and per label."""
    gold_set, pred_set = set(gold), set(pred)
    tp = gold_set & pred_set
    labels = sorted({s[3] for s in gold_set | pred_set})
    by_label = {
        lab: prf(
            sum(1 for s in tp if s[3] == lab),
            sum(1 for s in pred_set if s[3] == lab),
            sum(1 for s in gold_set if s[3] == lab),
        )
        for lab in labels
    }
    return {"micro": prf(len(tp), len(pred_set), len(gold_set)), "by_label": by_label}


def edits(gold: Iterable[Span], pred: Iterable[Span]) -> Counter:
    """The edits (see the module's docstring) from ``pred`` to ``gold``."""
    gold_set, pred_set = set(gold), set(pred)
    exact = gold_set & pred_set
    g_left = sorted(gold_set - exact, key=lambda s: (str(s[0]), s[1], s[2]))
    p_left = sorted(pred_set - exact, key=lambda s: (str(s[0]), s[1], s[2]))
    # Pair the remaining spans by overlap, largest first, each at most once.
    by_key: dict[Any, list[Span]] = {}
    for g in g_left:
        by_key.setdefault(g[0], []).append(g)
    pairs = []
    for p in p_left:
        for g in by_key.get(p[0], ()):
            if p[1] < g[2] and g[1] < p[2]:
                overlap = min(p[2], g[2]) - max(p[1], g[1])
                pairs.append((-overlap, p[3] != g[3], p, g))
    pairs.sort(key=lambda x: (x[0], x[1]))
    used_p, used_g = set(), set()
    out: Counter = Counter(dict.fromkeys(EDIT_KINDS, 0))
    for _, _, p, g in pairs:
        if p in used_p or g in used_g:
            continue
        used_p.add(p)
        used_g.add(g)
        if p[3] != g[3]:
            out["relabel"] += 1
        if (p[1], p[2]) != (g[1], g[2]):
            out["rebound"] += 1
    out["remove"] += len(p_left) - len(used_p)
    out["add"] += len(g_left) - len(used_g)
    return out


def per_100(edit_counts: Counter, tokens: int) -> float:
    return round(100 * sum(edit_counts[k] for k in EDIT_KINDS) / tokens, 3) if tokens else 0.0
