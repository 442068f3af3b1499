"""Entity spans -> BIO tags over tokens, with counts of every adjustment.

Annotators mark entities on characters; the ``ner`` config tags whole tokens, and the tokens are
those of the one tokeniser (:mod:`akhbar.corpus.tokenizer`), which never looks at the labels: a
token boundary never depends on where an entity is, so a model trained on ``ner`` sees at
inference time the same tokens the tokeniser gives on raw text. Where an entity and the tokens
disagree nothing is dropped silently:

- a boundary inside a token widens the entity to the whole token (``ner_expanded_start`` /
  ``ner_expanded_end``): ``وبغداد`` with the entity on ``بغداد`` is one token tagged ``B-GPE``,
  as in the whitespace-tokenised Arabic NER corpora (ANERcorp, Wojood);
- of nested or overlapping entities only the outermost (longest, then earliest) is tagged; the
  others stay in the ``documents`` and ``ner_nested`` configs and are counted
  (``ner_nested_dropped``, ``ner_overlap_dropped``); one whose widened span collides with a
  tagged one is counted as ``ner_conflict_dropped``; one that covers no token at all as
  ``ner_no_token_dropped``;
- whitespace at the edges of a span is trimmed (``ner_whitespace_trimmed``).
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field

import numpy as np

# Harakat, dagger alif and tatweel may sit on a clitic letter: وَبغداد.
_DIACRITICS = re.compile("[\u064b-\u065f\u0670\u0640]")
_PROCLITICS = re.compile("(?:[وف]?[بلك]?(?:ال)?|[وف]?لل)")

ADJUSTMENTS = (
    "ner_expanded_start",
    "ner_expanded_end",
    "ner_whitespace_trimmed",
    "ner_nested_dropped",
    "ner_overlap_dropped",
    "ner_conflict_dropped",
    "ner_no_token_dropped",
)


def is_proclitic(prefix: str) -> bool:
    """Whether ``prefix`` is a sequence of Arabic proclitics (و ف, ب ل ك, ال, لل); used to tell
    an annotator's boundary after a clitic from one inside a word, never to split tokens."""
    bare = _DIACRITICS.sub("", prefix)
    return bool(bare) and _PROCLITICS.fullmatch(bare) is not None


def _outermost_group(spans: list[tuple[int, int]]) -> tuple[list[int], list[int], list[int]]:
    kept: list[int] = []
    nested: list[int] = []
    crossing: list[int] = []
    for i in sorted(range(len(spans)), key=lambda i: (spans[i][0] - spans[i][1], spans[i][0])):
        s, e = spans[i]
        hit = [k for k in kept if spans[k][0] < e and s < spans[k][1]]
        if not hit:
            kept.append(i)
        elif any(spans[k][0] <= s and e <= spans[k][1] for k in hit):
            nested.append(i)
        else:
            crossing.append(i)
    return kept, nested, crossing


def outermost(starts: np.ndarray, ends: np.ndarray) -> tuple[np.ndarray, list[int], list[int]]:
    """The outermost spans (longest first, then earliest) and the dropped ones, by index.

    Returns ``(kept, nested, overlapping)``, ``kept`` in text order: a dropped span is nested
    when a kept one contains it, overlapping when it only crosses one. Only groups of spans
    that touch each other are examined one by one; everything else is kept as it is.
    """
    starts = np.asarray(starts, dtype=np.int64)
    ends = np.asarray(ends, dtype=np.int64)
    order = np.lexsort((starts - ends, starts))  # by start, then longest first
    s, e = starts[order], ends[order]
    if len(s) < 2 or np.all(e[:-1] <= s[1:]):
        return order, [], []  # the common case: no two spans touch
    reach = np.maximum.accumulate(e)
    group = np.zeros(len(s), dtype=np.int64)
    group[1:] = np.cumsum(s[1:] >= reach[:-1])
    sizes = np.bincount(group)
    keep = np.ones(len(s), dtype=bool)
    nested: list[int] = []
    crossing: list[int] = []
    for g in np.flatnonzero(sizes > 1).tolist():
        members = np.flatnonzero(group == g)
        spans = list(zip(s[members].tolist(), e[members].tolist(), strict=True))
        _, n_idx, c_idx = _outermost_group(spans)
        for i in n_idx:
            keep[members[i]] = False
            nested.append(int(order[members[i]]))
        for i in c_idx:
            keep[members[i]] = False
            crossing.append(int(order[members[i]]))
    return order[keep], nested, crossing


@dataclass(slots=True)
class Tagging:
    starts: np.ndarray  # token starts (the tokens given: tagging never splits one)
    ends: np.ndarray
    tags: np.ndarray  # int64 BIO tag index per token
    counts: Counter = field(default_factory=Counter)
    examples: list[dict] = field(default_factory=list)  # a few adjustments, for the card


def tag_entities(
    text: str,
    starts: np.ndarray,
    ends: np.ndarray,
    entities: np.ndarray | list[tuple[int, int, int]],
    owner: Callable[[int], str] | str = "",
) -> Tagging:
    """BIO-tag tokens for ``entities``, rows of ``(start, end, label_index)``.

    ``label_index`` is the entity type's position in the taxonomy; its tags are
    ``B = 1 + 2 * label_index`` and ``I = B + 1`` (tag 0 is ``O``). ``text`` may hold many
    articles (a worker tags a whole chunk at once); ``owner`` names the article at an offset,
    for the examples of adjustments.
    """
    counts: Counter = Counter()
    examples: list[dict] = []
    n = len(starts)
    ent = np.asarray(entities, dtype=np.int64).reshape(-1, 3)
    if len(ent) == 0 or n == 0:
        if len(ent):
            counts["ner_no_token_dropped"] += len(ent)
        return Tagging(starts, ends, np.zeros(n, dtype=np.int64), counts, examples)

    def note(kind: str, s: int, e: int, token: str) -> None:
        counts[kind] += 1
        if len(examples) < 3:
            aid = owner(s) if callable(owner) else owner
            examples.append({"kind": kind, "article_id": aid, "entity": text[s:e], "token": token})

    kept, nested, crossing = outermost(ent[:, 0], ent[:, 1])
    for i in nested:
        note("ner_nested_dropped", int(ent[i, 0]), int(ent[i, 1]), "")
    for i in crossing:
        note("ner_overlap_dropped", int(ent[i, 0]), int(ent[i, 1]), "")

    S, E, L = ent[kept, 0], ent[kept, 1], ent[kept, 2]
    ti = np.searchsorted(ends, S, side="right")  # first token ending after the start
    tj = np.searchsorted(starts, E, side="left") - 1  # last token starting before the end
    ok = (ti < n) & (tj >= ti)
    if not ok.all():
        for k in np.flatnonzero(~ok).tolist():
            note("ner_no_token_dropped", int(S[k]), int(E[k]), "")
        S, E, L, ti, tj = S[ok], E[ok], L[ok], ti[ok], tj[ok]
    ts, te = starts[ti], ends[tj]
    new_s, new_e = ts, te
    counts["ner_whitespace_trimmed"] += int(np.count_nonzero(ts > S) + np.count_nonzero(te < E))
    for k in np.flatnonzero(ts < S).tolist():  # the start falls inside a token
        note("ner_expanded_start", int(S[k]), int(E[k]), text[int(ts[k]) : int(ends[ti[k]])])
    for k in np.flatnonzero(te > E).tolist():  # the end falls inside a token
        note("ner_expanded_end", int(S[k]), int(E[k]), text[int(starts[tj[k]]) : int(te[k])])

    if len(S) > 1 and np.any(new_s[1:] < new_e[:-1]):
        # Widened spans collide: keep the earlier, in text order.
        keep = np.ones(len(S), dtype=bool)
        last_end = -1
        for k in range(len(S)):
            if new_s[k] < last_end:
                keep[k] = False
                note("ner_conflict_dropped", int(S[k]), int(E[k]), text[new_s[k] : new_e[k]])
            else:
                last_end = int(new_e[k])
        new_s, new_e, L = new_s[keep], new_e[keep], L[keep]

    tags = np.zeros(len(starts), dtype=np.int64)
    b = np.searchsorted(starts, new_s, side="left")
    x = np.searchsorted(starts, new_e, side="left")
    inner = x - b - 1  # tokens after the first one
    if inner.any():
        total = int(inner.sum())
        offsets = np.cumsum(inner) - inner
        idx = np.repeat(b + 1 - offsets, inner) + np.arange(total)
        tags[idx] = np.repeat(2 + 2 * L, inner)
    tags[b] = 1 + 2 * L
    return Tagging(starts, ends, tags, counts, examples)
