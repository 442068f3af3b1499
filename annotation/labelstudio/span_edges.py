"""Spans made sloppy by the mouse: edges trimmed, numbers and words cut in two.

Dragging across a boundary between Arabic and digits or Latin letters (``12 مارس 2024``,
``صواريخ Grad``) often ends a selection one character too far or too short, and Label Studio
saves what it got. Conversion to a document therefore trims whitespace (and, when asked,
punctuation) from a span's edges and records the trim in the document, rather than releasing
``' مارس '``. A span whose edge falls inside a number (``12 مارس 2``) or inside a word is
reported for review; it is not changed, because only a person knows where it should end.

An edge inside a word is expected where a proclitic stays outside the span (``و|قتل``,
``ب|صواريخ``) or an enclitic pronoun does (``حكومت|ها`` is not, but ``بلد|هم`` is): those are
the guideline's own cuts, left to the release's ``ner`` policy, and not reported.
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass

WHITESPACE = "whitespace"
PUNCTUATION = "punctuation"
NUMBER = "number"
WORD = "word"

# clitics written before (after) a word that the guideline keeps outside an entity
_PROCLITIC_LETTERS = frozenset("وفبلكس")
_ENCLITICS = frozenset({"ه", "ها", "هم", "هما", "هن", "ك", "كم", "كما", "كن", "ي", "نا"})


@dataclass(frozen=True, slots=True)
class Trim:
    """A span's new edges and what was cut from them (``whitespace``, ``punctuation``)."""

    start: int
    end: int
    removed: tuple[str, ...]


def _is_punct(ch: str) -> bool:
    return unicodedata.category(ch)[0] == "P"


def _in_word(ch: str) -> bool:
    # a letter, a digit or a combining mark (Arabic diacritics are marks)
    return ch.isalnum() or unicodedata.category(ch)[0] == "M"


def _bare(part: str) -> str:
    """``part`` without its diacritics (``وَ`` -> ``و``)."""
    return "".join(ch for ch in part if unicodedata.category(ch)[0] != "M")


def trim(text: str, start: int, end: int, punctuation: bool = False) -> Trim | None:
    """The span ``text[start:end]`` without whitespace (and punctuation, if asked) at its
    edges; None when there is nothing to trim or nothing would be left."""
    s, e = start, end
    removed: list[str] = []

    def strip(test, what: str) -> bool:
        nonlocal s, e
        s0, e0 = s, e
        while s < e and test(text[s]):
            s += 1
        while e > s and test(text[e - 1]):
            e -= 1
        if (s, e) != (s0, e0) and what not in removed:
            removed.append(what)
        return (s, e) != (s0, e0)

    changed = True
    while changed:  # `، ` or ` (x) `: whitespace and punctuation can alternate
        changed = strip(str.isspace, WHITESPACE)
        if punctuation:
            changed = strip(_is_punct, PUNCTUATION) or changed
    if s == e or (s, e) == (start, end):
        return None
    return Trim(s, e, tuple(removed))


def cuts(text: str, start: int, end: int) -> list[tuple[str, int]]:
    """Where the span's edges fall inside a number or a word: ``[(NUMBER | WORD, offset)]``.

    A proclitic left outside before the span, or an enclitic pronoun left outside after it,
    is not a cut (see the module docstring).
    """
    out = []
    if 0 < start < len(text) and _in_word(text[start - 1]) and _in_word(text[start]):
        if text[start - 1].isdigit() and text[start].isdigit():
            out.append((NUMBER, start))
        elif not _proclitic(text, start):
            out.append((WORD, start))
    if 0 < end < len(text) and _in_word(text[end - 1]) and _in_word(text[end]):
        if text[end - 1].isdigit() and text[end].isdigit():
            out.append((NUMBER, end))
        elif not _enclitic(text, end):
            out.append((WORD, end))
    return out


def _proclitic(text: str, start: int) -> bool:
    """Is the part of the word before ``start`` a run of proclitics (و، ف، ب، ل، ك، س)?"""
    b = start
    while b > 0 and _in_word(text[b - 1]):
        b -= 1
    bare = _bare(text[b:start])
    return 0 < len(bare) <= 3 and all(ch in _PROCLITIC_LETTERS for ch in bare)


def _enclitic(text: str, end: int) -> bool:
    """Is the part of the word after ``end`` an enclitic pronoun (ه، ها، هم، ...)?"""
    f = end
    while f < len(text) and _in_word(text[f]):
        f += 1
    return _bare(text[end:f]) in _ENCLITICS


def clean(text: str, start: int, end: int) -> bool:
    """Quick test for the common case: no whitespace or punctuation at the edges and no
    word or number going on past them. It runs for every region of every export, so the
    usual span (letters or digits at both ends, whitespace or the text's ends around it) is
    answered with str methods alone, before any Unicode category is looked up."""
    first, last = text[start], text[end - 1]
    if (
        first.isalnum()
        and last.isalnum()
        and (start == 0 or text[start - 1].isspace())
        and (end == len(text) or text[end].isspace())
    ):
        return True
    if first.isspace() or last.isspace() or _is_punct(first) or _is_punct(last):
        return False
    return not (
        (start > 0 and _in_word(text[start - 1]) and _in_word(first))
        or (end < len(text) and _in_word(text[end]) and _in_word(last))
    )
