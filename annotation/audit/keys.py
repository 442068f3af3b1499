"""What makes two spans "the same string" for the audit, and how a span's left edge was drawn.

A word's key is its normalised form (:func:`akhbar.annotation.suggest.arabic.normalise`: no
diacritics or tatweel, alef, yaa and taa marbuta folded) without its proclitics (و ف, ب ك ل)
and the article ال. Which letters are proclitics is decided by the corpus itself: of the ways
to strip a word (``ببغداد`` -> ``بغداد`` or ``غداد``), the one most often seen as a word of its
own in the texts wins, and the word is kept whole when none is seen, so ``بغداد`` keeps its ب
(``غداد`` is no word of the corpus) while ``وبغداد`` loses its و. A span's key is the tuple of its words' keys. Titles (الرئيس, الوزير, ...) are
words of the key like any other; the boundary check looks at them separately.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable

from akhbar.annotation.suggest.arabic import normalise

# Letters of a word: Arabic marks and tatweel belong to the word they are on.
WORD = re.compile(r"[\w\u0610-\u061a\u064b-\u065f\u0670\u0640]+")
CONJUNCTIONS = "وف"
PREPOSITIONS = "بكل"
# Titles written before a name (normalised, without ال): a span with or without one of them
# in front is the same entity with another boundary.
TITLES = frozenset(
    normalise(w)
    for w in [
        "رئيس",
        "رئيسة",
        "ملك",
        "ملكة",
        "امير",
        "اميرة",
        "شيخ",
        "سلطان",
        "وزير",
        "وزيرة",
        "سيد",
        "سيدة",
        "دكتور",
        "دكتورة",
        "استاذ",
        "مهندس",
        "عميد",
        "لواء",
        "عقيد",
        "عماد",
        "جنرال",
        "مشير",
        "نائب",
        "سفير",
        "حاكم",
        "قائد",
        "زعيم",
        "امام",
        "بابا",
        "مستشار",
        "محافظ",
        "مدير",
        "مديرة",
        "ناطق",
        "متحدث",
        "الرئيس",
    ]
)
Key = tuple[str, ...]


def article_stripped(w: str) -> str:
    """``الجيش`` -> ``جيش``; ``للجيش`` (ل + ال) is a proclitic's business, not this one's."""
    return w[2:] if w.startswith("ال") and len(w) > 4 else w


def strips(w: str) -> list[tuple[str, str]]:
    """Every way to read a normalised word as proclitics + stem: (proclitics, stem without ال),
    the word as it is first."""
    out = [("", article_stripped(w))]
    for i in range(min(2, len(w) - 1)):
        c = w[: i + 1]
        if i == 0 and c[0] not in CONJUNCTIONS + PREPOSITIONS:
            continue
        if i == 1 and not (c[0] in CONJUNCTIONS and c[1] in PREPOSITIONS):
            continue
        rest = w[i + 1 :]
        if len(rest) < 3:
            continue
        if c[-1] == "ل" and rest.startswith("ل") and len(rest) > 3:
            out.append((c + "ل", rest[1:]))  # لل: the preposition ل before the article
        out.append((c, article_stripped(rest)))
    return out


class Keys:
    """The corpus's own reading of its words (counts of each word's ال-less form)."""

    def __init__(self, texts: Iterable[str]) -> None:
        self.seen: Counter[str] = Counter()
        for text in texts:
            self.seen.update(article_stripped(normalise(m.group())) for m in WORD.finditer(text))
        self._cache: dict[str, tuple[str, str]] = {}

    def split(self, word: str) -> tuple[str, str]:
        """(proclitics, key) of one word as written."""
        got = self._cache.get(word)
        if got is None:
            options = strips(normalise(word))
            stripped = [o for o in options[1:] if self.seen.get(o[1], 0)]
            got = (
                max(stripped, key=lambda o: (self.seen[o[1]], -len(o[0])))
                if stripped
                else options[0]
            )
            self._cache[word] = got
        return got

    def key(self, text: str) -> Key:
        return tuple(self.split(m.group())[1] for m in WORD.finditer(text))


def words(text: str) -> list[tuple[int, int, str]]:
    """(start, end, word) of every word of ``text``, offsets in code points."""
    return [(m.start(), m.end(), m.group()) for m in WORD.finditer(text)]


def clitic_prefix(prefix: str) -> bool:
    """Whether letters cut off a word's front (``و``, ``بال``, ``لل``) are proclitics and/or
    the article rather than part of the word."""
    p = normalise(prefix)
    return bool(re.fullmatch(r"[وف]?[بكل]?(ال|ل)?", p)) and p != ""
