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
import orjson

from akhbar.schemas.errors import IntegrityError

SPACE, WORD, DIGIT, PUNCT = 0, 1, 2, 3
CLASS = 3  # the low two bits of a table entry are the class; the others are flags:
SEPARATOR = 4  # may sit inside a number: 9.50, 1,200, ٣٫٥
TERMINATOR = 8  # ends a sentence
BREAK = 16  # a line break
CLOSER = 32  # a closing quote or bracket, kept with the sentence it closes

_FLAGS = {
    SEPARATOR: ".,٫٬",
    TERMINATOR: ".!?؟؛…",
    BREAK: "\n\r\u2029",
    CLOSER: "\"'»”’)]}›",
}


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
    """Class and flags of every character of the Basic Multilingual Plane."""
    table = np.array([_char_class(chr(cp)) for cp in range(0x10000)], dtype=np.uint8)
    for flag, chars in _FLAGS.items():
        for c in chars:
            table[ord(c)] |= flag
    return table


def code_points(text: str) -> np.ndarray:
    return np.frombuffer(text.encode("utf-32-le"), dtype=np.uint32)


def char_info(cp: np.ndarray) -> np.ndarray:
    """Class and flags per code point; separators between digits are made digits."""
    table = _bmp_table()
    if len(cp) and cp.max() > 0xFFFF:
        info = table[np.minimum(cp, 0xFFFF)]
        for i in np.flatnonzero(cp > 0xFFFF).tolist():  # rare: emoji, historic scripts
            info[i] = _char_class(chr(int(cp[i])))
    else:
        info = table[cp]
    if len(cp) > 2:
        cls = info & CLASS
        inner = ((info[1:-1] & SEPARATOR) != 0) & (cls[:-2] == DIGIT) & (cls[2:] == DIGIT)
        if inner.any():
            info[1:-1][inner] = DIGIT
    return info


def char_classes(cp: np.ndarray) -> np.ndarray:
    return char_info(cp) & CLASS


def _token_bounds(info: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    cls = info & CLASS
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


def tokenize(text: str, cp: np.ndarray | None = None) -> tuple[np.ndarray, np.ndarray]:
    """Token start and end offsets (int64 arrays) of ``text``."""
    if cp is None:
        cp = code_points(text)
    if len(cp) == 0:
        empty = np.zeros(0, dtype=np.int64)
        return empty, empty
    return _token_bounds(char_info(cp))


@dataclass(slots=True)
class Segmentation:
    """Tokens of a whole text and the sentences over them."""

    starts: np.ndarray  # token start offsets
    ends: np.ndarray  # token end offsets
    sentence_starts: np.ndarray  # index of the first token of each sentence
    merged: int  # sentence boundaries removed because an annotated span crossed them
    info: np.ndarray | None = None  # class and flags per code point

    def sentence_token_ranges(self) -> list[tuple[int, int]]:
        bounds = [*self.sentence_starts.tolist(), len(self.starts)]
        return list(itertools.pairwise(bounds))


def segment(
    text: str,
    protected: np.ndarray | list[tuple[int, int]] | None = None,
    cp: np.ndarray | None = None,
) -> Segmentation:
    """Tokenise ``text`` and split it into sentences that never cut a ``protected`` span."""
    if cp is None:
        cp = code_points(text)
    if len(cp) == 0:
        empty = np.zeros(0, dtype=np.int64)
        return Segmentation(empty, empty, empty, 0, np.zeros(0, dtype=np.uint8))
    info = char_info(cp)
    starts, ends = _token_bounds(info)
    n = len(starts)
    if n == 0:
        return Segmentation(starts, ends, np.zeros(0, dtype=np.int64), 0, info)
    single = (ends - starts) == 1
    first = info[starts]
    is_term = single & ((first & TERMINATOR) != 0)
    # A line break in the gap before a token starts a new sentence.
    breaks = np.zeros(len(cp) + 1, dtype=np.int64)
    np.cumsum((info & BREAK) != 0, out=breaks[1:])
    new_sentence = np.zeros(n, dtype=bool)
    new_sentence[1:] = breaks[starts[1:]] > breaks[ends[:-1]]

    # A run of marks ("..." "?!") ends at its last one.
    ends_run = np.flatnonzero(is_term[:-1] & ~is_term[1:])
    if len(ends_run):
        # ... except the period of a one-letter abbreviation written against it: د. م. أ.
        prev = np.maximum(ends_run - 1, 0)
        abbrev = (
            (cp[starts[ends_run]] == 0x2E)
            & (ends_run > 0)
            & (ends[prev] == starts[ends_run])
            & (ends[prev] - starts[prev] == 1)
            & ((info[starts[prev]] & CLASS) == WORD)
        )
        closer = single & ((first & CLOSER) != 0)
        for i in ends_run[~abbrev].tolist():
            j = i + 1
            # Closing quotes and brackets written right after the mark belong to its sentence.
            while j < n and closer[j] and starts[j] == ends[j - 1]:
                j += 1
            if j < n:
                new_sentence[j] = True
    new_sentence[0] = True
    sentence_starts = np.flatnonzero(new_sentence)

    merged = 0
    if protected is not None and len(protected) and len(sentence_starts) > 1:
        bpos = starts[sentence_starts]
        spans = np.asarray(protected, dtype=np.int64).reshape(-1, 2)
        lo = np.searchsorted(bpos, spans[:, 0], side="right")
        hi = np.searchsorted(bpos, spans[:, 1], side="left")
        hit = hi > lo
        if hit.any():
            cover = np.zeros(len(bpos) + 1, dtype=np.int64)
            np.add.at(cover, lo[hit], 1)
            np.add.at(cover, hi[hit], -1)
            drop = np.cumsum(cover[:-1]) > 0
            drop[0] = False
            merged = int(drop.sum())
            sentence_starts = sentence_starts[~drop]
    return Segmentation(starts, ends, sentence_starts, merged, info)


def parse_given_tokens(metadata: str | None, text: str, where: str) -> tuple | None:
    """The tokenisation an article brings with it, or None.

    An article imported from a tokenised corpus (CoNLL) records ``token_offsets`` and
    ``sentence_offsets`` in its metadata; its ``ner`` rows then use exactly those tokens and
    sentences, so the release reproduces the source token for token. Offsets must be in order,
    non-empty, inside the text, and each sentence must start at a token.
    """
    if not metadata or '"token_offsets"' not in metadata:
        return None
    md = orjson.loads(metadata)
    try:
        tok = np.asarray(md["token_offsets"], dtype=np.int64).reshape(-1, 2)
        sent = np.asarray(md.get("sentence_offsets") or [[0, len(text)]], dtype=np.int64)
        sent = sent.reshape(-1, 2)[:, 0]
    except (KeyError, TypeError, ValueError):
        raise IntegrityError(
            f"{where}: metadata token_offsets must be a list of [start, end] pairs"
        ) from None
    starts, ends = tok[:, 0], tok[:, 1]
    ok = (
        len(starts) > 0
        and bool(np.all(starts < ends))
        and bool(np.all(starts[1:] >= ends[:-1]))
        and starts[0] >= 0
        and ends[-1] <= len(text)
        and bool(np.all(np.isin(sent, starts)))
    )
    if not ok:
        raise IntegrityError(
            f"{where}: metadata token_offsets/sentence_offsets do not fit the text (tokens must "
            "be non-empty, in order, inside the text, and sentences must start at a token)"
        )
    return starts, ends, sent


def with_given_tokens(
    seg: Segmentation, doc_bounds: list[tuple[int, int]], given: dict[int, tuple]
) -> Segmentation:
    """Replace the tokens and sentences of the articles in ``given`` (article index -> starts,
    ends, sentence starts, all relative to the article) inside a joined-text segmentation."""
    is_sent = np.zeros(len(seg.starts), dtype=bool)
    is_sent[seg.sentence_starts] = True
    starts, ends, flags = [], [], []
    cursor = 0
    for i in sorted(given):
        lo_off, hi_off = doc_bounds[i]
        lo = int(np.searchsorted(seg.starts, lo_off, side="left"))
        hi = int(np.searchsorted(seg.starts, hi_off, side="left"))
        starts.append(seg.starts[cursor:lo])
        ends.append(seg.ends[cursor:lo])
        flags.append(is_sent[cursor:lo])
        g_starts, g_ends, g_sent = given[i]
        starts.append(g_starts + lo_off)
        ends.append(g_ends + lo_off)
        f = np.isin(g_starts, g_sent)
        f[0] = True
        flags.append(f)
        cursor = hi
    starts.append(seg.starts[cursor:])
    ends.append(seg.ends[cursor:])
    flags.append(is_sent[cursor:])
    return Segmentation(
        np.concatenate(starts),
        np.concatenate(ends),
        np.flatnonzero(np.concatenate(flags)),
        seg.merged,
        seg.info,
    )
