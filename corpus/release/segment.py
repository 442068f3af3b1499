"""Arabic-aware tokenisation and sentence splitting with code-point offsets.

Tokens are runs of letters and marks (a word, with its clitics), runs of digits (a number,
including the separators inside it: ``9.50``, ``1,200``, ``٣٫٥``), or a single other character
(punctuation such as ``،`` ``؟`` ``.`` each stands alone). Offsets are code points into the text,
so ``text[start:end]`` is always the token.

Sentences end after ``.`` ``!`` ``?`` ``؟`` ``؛`` ``…`` (with any closing quotes or brackets that
follow) and at line breaks; a period inside a number never ends one, nor does the period of a
one-letter abbreviation (``د.`` for doctor). A boundary that would cut through an annotated span
is removed, so no entity is ever split across two sentences.

Everything is computed with numpy over the text's code points: this runs for every sentence of
every article of a release and dominates the build time otherwise.
"""

from __future__ import annotations

import itertools
import unicodedata
from dataclasses import dataclass
from functools import cache

import numpy as np

SPACE, WORD, DIGIT, PUNCT = 0, 1, 2, 3

_NUMBER_SEPARATORS = np.array([ord(c) for c in ".,٫٬"], dtype=np.uint32)
_TERMINATORS = np.array([ord(c) for c in ".!?؟؛…"], dtype=np.uint32)
_CLOSERS = frozenset("\"'»”’)]}›")
_LINE_BREAKS = np.array([0x0A, 0x0D, 0x2029], dtype=np.uint32)


def _char_class(ch: str) -> int:
    if ch.isspace():
        return SPACE
    cat = unicodedata.category(ch)
    if cat == "Nd":
        return DIGIT
    # Letters, combining marks (harakat, shadda), tatweel, joiners and other numerals stay
    # inside a word: a diacritic must never become a token of its own.
    if cat[0] in "LM" or cat in ("Cf", "No", "Nl"):
        return WORD
    return PUNCT


@cache
def _bmp_table() -> np.ndarray:
    return np.array([_char_class(chr(cp)) for cp in range(0x10000)], dtype=np.uint8)


def code_points(text: str) -> np.ndarray:
    return np.frombuffer(text.encode("utf-32-le"), dtype=np.uint32)


def char_classes(cp: np.ndarray) -> np.ndarray:
    table = _bmp_table()
    cls = table[np.minimum(cp, 0xFFFF)]
    astral = np.flatnonzero(cp > 0xFFFF)
    for i in astral.tolist():  # rare: emoji, historic scripts
        cls[i] = _char_class(chr(int(cp[i])))
    # A separator between two digits belongs to the number (9.50, 1,200).
    if len(cp) > 2:
        sep = np.isin(cp[1:-1], _NUMBER_SEPARATORS)
        if sep.any():
            inner = sep & (cls[:-2] == DIGIT) & (cls[2:] == DIGIT)
            cls[1:-1][inner] = DIGIT
    return cls


def tokenize(text: str, cp: np.ndarray | None = None) -> tuple[np.ndarray, np.ndarray]:
    """Token start and end offsets (int64 arrays) of ``text``."""
    if cp is None:
        cp = code_points(text)
    if len(cp) == 0:
        empty = np.zeros(0, dtype=np.int64)
        return empty, empty
    cls = char_classes(cp)
    nonspace = cls != SPACE
    single = cls == PUNCT
    prev = np.empty_like(cls)
    prev[0] = 255
    prev[1:] = cls[:-1]
    nxt = np.empty_like(cls)
    nxt[-1] = 255
    nxt[:-1] = cls[1:]
    starts = np.flatnonzero(nonspace & ((cls != prev) | single))
    ends = np.flatnonzero(nonspace & ((cls != nxt) | single)) + 1
    return starts, ends


@dataclass(slots=True)
class Segmentation:
    """Tokens of a whole text and the sentences over them."""

    starts: np.ndarray  # token start offsets
    ends: np.ndarray  # token end offsets
    sentence_starts: np.ndarray  # index of the first token of each sentence
    merged: int  # sentence boundaries removed because an annotated span crossed them

    def sentence_token_ranges(self) -> list[tuple[int, int]]:
        bounds = [*self.sentence_starts.tolist(), len(self.starts)]
        return list(itertools.pairwise(bounds))


def segment(
    text: str, protected: list[tuple[int, int]] | None = None, cp: np.ndarray | None = None
) -> Segmentation:
    """Tokenise ``text`` and split it into sentences that never cut a ``protected`` span."""
    if cp is None:
        cp = code_points(text)
    starts, ends = tokenize(text, cp)
    n = len(starts)
    if n == 0:
        return Segmentation(starts, ends, np.zeros(0, dtype=np.int64), 0)
    single = (ends - starts) == 1
    first = cp[starts]
    is_term = single & np.isin(first, _TERMINATORS)
    # A line break in the gap before a token starts a new sentence.
    breaks = np.concatenate(([0], np.cumsum(np.isin(cp, _LINE_BREAKS))))
    gap_break = np.zeros(n, dtype=bool)
    gap_break[1:] = breaks[starts[1:]] > breaks[ends[:-1]]

    new_sentence = gap_break.copy()
    for i in np.flatnonzero(is_term[:-1]).tolist():
        if is_term[i + 1]:
            continue  # "..." or "?!": the run ends at its last mark
        if (
            first[i] == 0x2E
            and i > 0
            and ends[i - 1] == starts[i]
            and ends[i - 1] - starts[i - 1] == 1
            and text[starts[i - 1]].isalpha()
        ):
            continue  # a one-letter abbreviation: د. م. أ.
        j = i + 1
        # Closing quotes and brackets written right after the mark belong to this sentence.
        while j < n and starts[j] == ends[j - 1] and single[j] and text[starts[j]] in _CLOSERS:
            j += 1
        if j < n:
            new_sentence[j] = True
    new_sentence[0] = True
    sentence_starts = np.flatnonzero(new_sentence)

    merged = 0
    if protected and len(sentence_starts) > 1:
        bpos = starts[sentence_starts]
        keep = np.ones(len(sentence_starts), dtype=bool)
        for s, e in protected:
            lo = int(np.searchsorted(bpos, s, side="right"))
            hi = int(np.searchsorted(bpos, e, side="left"))
            if hi > lo:
                keep[lo:hi] = False
        keep[0] = True
        merged = int((~keep).sum())
        if merged:
            sentence_starts = sentence_starts[keep]
    return Segmentation(starts, ends, sentence_starts, merged)
