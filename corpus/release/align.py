"""Entity spans -> BIO tags over tokens, with the clitic policy and counts of every adjustment.

Annotators mark entities on characters; the ``ner`` config tags whole tokens. Where the two
disagree nothing is dropped silently:

- an entity starting after a proclitic attached to its token (و ف ب ل ك, ال and their
  combinations: ``وبغداد`` with the entity on ``بغداد``) splits the token at the boundary, and the
  clitic becomes a token of its own tagged ``O`` (counted as ``ner_clitic_split``);
- any other boundary inside a token widens the entity to the whole token
  (``ner_expanded_start`` / ``ner_expanded_end``);
- of nested or overlapping entities only the outermost (longest, then earliest) is tagged; the
  others stay in the ``documents`` config and are counted (``ner_nested_dropped``,
  ``ner_overlap_dropped``); one whose widened span collides with a tagged one is counted as
  ``ner_conflict_dropped``; one that covers no token at all as ``ner_no_token_dropped``;
- whitespace at the edges of a span is trimmed (``ner_whitespace_trimmed``).
"""

from __future__ import annotations

import itertools
import re
from collections import Counter
from dataclasses import dataclass, field

import numpy as np

# Harakat, dagger alif and tatweel may sit on a clitic letter: وَبغداد.
_DIACRITICS = re.compile("[\u064b-\u065f\u0670\u0640]")
_PROCLITICS = re.compile("(?:[وف]?[بلك]?(?:ال)?|[وف]?لل)")

ADJUSTMENTS = (
    "ner_clitic_split",
    "ner_expanded_start",
    "ner_expanded_end",
    "ner_whitespace_trimmed",
    "ner_nested_dropped",
    "ner_overlap_dropped",
    "ner_conflict_dropped",
    "ner_no_token_dropped",
)


def is_proclitic(prefix: str) -> bool:
    """Whether ``prefix`` is a sequence of Arabic proclitics (و ف, ب ل ك, ال, لل)."""
    bare = _DIACRITICS.sub("", prefix)
    return bool(bare) and _PROCLITICS.fullmatch(bare) is not None


def outermost(spans: list[tuple[int, int]]) -> tuple[list[int], list[int], list[int]]:
    """Indices of the outermost spans (longest first, then earliest), and of the dropped ones.

    Returns ``(kept, nested, overlapping)``: a dropped span is nested when a kept one contains
    it, overlapping when it only crosses one.
    """
    order = sorted(range(len(spans)), key=lambda i: (spans[i][0], -(spans[i][1] - spans[i][0])))
    if all(spans[a][1] <= spans[b][0] for a, b in itertools.pairwise(order)):
        return order, [], []  # the common case: no two entities touch
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
    kept.sort(key=lambda i: spans[i][0])
    return kept, nested, crossing


@dataclass(slots=True)
class Tagging:
    starts: np.ndarray  # token starts after clitic splits
    ends: np.ndarray
    tags: np.ndarray  # int64 BIO tag index per token
    counts: Counter = field(default_factory=Counter)
    examples: list[dict] = field(default_factory=list)  # a few adjustments, for the card


def tag_entities(
    text: str,
    starts: np.ndarray,
    ends: np.ndarray,
    entities: list[tuple[int, int, int]],
    article_id: str = "",
) -> Tagging:
    """BIO-tag tokens for ``entities`` given as ``(start, end, label_index)``.

    ``label_index`` is the entity type's position in the taxonomy; its tags are
    ``B = 1 + 2 * label_index`` and ``I = B + 1`` (tag 0 is ``O``).
    """
    counts: Counter = Counter()
    examples: list[dict] = []
    n = len(starts)

    def note(kind: str, s: int, e: int, token: str) -> None:
        counts[kind] += 1
        if len(examples) < 3:
            examples.append(
                {"kind": kind, "article_id": article_id, "entity": text[s:e], "token": token}
            )

    spans = [(s, e) for s, e, _ in entities]
    kept, nested, crossing = outermost(spans)
    for i in nested:
        note("ner_nested_dropped", *spans[i], "")
    for i in crossing:
        note("ner_overlap_dropped", *spans[i], "")

    splits: list[int] = []
    placed: list[tuple[int, int, int]] = []
    last_end = -1
    for i in kept:
        s, e, label = entities[i]
        ti = int(np.searchsorted(ends, s, side="right"))  # first token ending after s
        tj = int(np.searchsorted(starts, e, side="left")) - 1  # last token starting before e
        if ti >= n or tj < ti:
            note("ner_no_token_dropped", s, e, "")
            continue
        ts, te = int(starts[ti]), int(ends[tj])
        new_s, new_e = s, e
        if ts >= s:
            new_s = ts
            if ts > s:
                counts["ner_whitespace_trimmed"] += 1
        elif is_proclitic(text[ts:s]):
            note("ner_clitic_split", s, e, text[ts : int(ends[ti])])
        else:
            new_s = ts
            note("ner_expanded_start", s, e, text[ts : int(ends[ti])])
        if te > e:
            new_e = te
            note("ner_expanded_end", s, e, text[int(starts[tj]) : te])
        elif te < e:
            new_e = te
            counts["ner_whitespace_trimmed"] += 1
        if new_s < last_end:
            note("ner_conflict_dropped", s, e, text[new_s:new_e])
            continue
        if new_s > ts:
            splits.append(new_s)
        placed.append((new_s, new_e, label))
        last_end = new_e

    if splits:
        where = np.searchsorted(starts, splits)
        starts = np.insert(starts, where, splits)
        ends = np.insert(ends, where - 1, splits)
    tags = np.zeros(len(starts), dtype=np.int64)
    for s, e, label in placed:
        b = int(np.searchsorted(starts, s, side="left"))
        x = int(np.searchsorted(starts, e, side="left"))
        tags[b] = 1 + 2 * label
        tags[b + 1 : x] = 2 + 2 * label
    return Tagging(starts, ends, tags, counts, examples)
