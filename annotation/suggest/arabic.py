"""Word-level Arabic helpers for the tagger's features: normalised forms, clitics, shapes.

None of this changes a text: the forms are only looked up (features, gazetteer, trigger
lexicon), and every offset still points into the unchanged article.
"""

from __future__ import annotations

import re
from functools import lru_cache

PROCLITICS = "وفبلك"  # conjunctions و ف, prepositions ب ل ك, written against the word
ARTICLE = "ال"
_MARKS = re.compile("[\u064b-\u065f\u0670\u0640]")  # harakat, shadda, sukun, dagger alef, tatweel
_FOLD = str.maketrans({"أ": "ا", "إ": "ا", "آ": "ا", "ٱ": "ا", "ى": "ي", "ة": "ه"})


@lru_cache(maxsize=1 << 19)  # looked up for every token by features, gazetteer and lexicon
def normalise(word: str) -> str:
    """The word without diacritics or tatweel, with alef, yaa and taa marbuta folded."""
    return _MARKS.sub("", word).translate(_FOLD).lower()


def strip_proclitics(norm: str) -> str:
    """A normalised word without its proclitics (و ف, then ب ل ك): ``وبغداد`` -> ``بغداد``.

    A letter is taken as a proclitic only when at least three letters stay, and only before
    the article or a word seen without it is it certain; this is a feature, so a wrong strip
    (``بلد`` -> ``لد``) costs little, and the full word is always a feature too.
    """
    w = norm
    if len(w) > 3 and w[0] in "وف":
        w = w[1:]
    if len(w) > 3 and w[0] in "بلك":
        w = w[1:]
    return w


def strip_article(word: str) -> str:
    """``الجيش`` -> ``جيش``; ``للجيش`` (ل + ال) -> ``جيش``."""
    if word.startswith(ARTICLE) and len(word) > 3:
        return word[2:]
    if word.startswith("لل") and len(word) > 3:
        return word[2:]
    return word


def stem(norm: str) -> str:
    """The normalised word without proclitics and article: what the gazetteer and the trigger
    lexicon match on."""
    return strip_article(strip_proclitics(norm))


_ARABIC = re.compile("[\u0620-\u064a\u066e-\u06d3\u06fa-\u06ff]")  # letters only
_ARABIC_ONLY = re.compile("[\u0620-\u064a\u066e-\u06d3\u06fa-\u06ff]+")
_LATIN = re.compile("[A-Za-z]")
_DIGIT = re.compile(r"\d")
_ALNUM = re.compile(r"\w")


def shape(word: str) -> str:
    """A coarse shape: ``digits``, ``arabic``, ``latin``, ``Latin`` (capitalised), ``punct``,
    ``mixed``."""
    if _ARABIC_ONLY.fullmatch(word):  # most words: one test, not three
        return "arabic"
    if word.isdigit():
        return "digits"
    has_ar = _ARABIC.search(word) is not None
    has_lat = _LATIN.search(word) is not None
    if has_ar and not has_lat and _DIGIT.search(word) is None:
        return "arabic"
    if has_lat and not has_ar:
        return "Latin" if word[:1].isupper() else "latin"
    if _ALNUM.search(word) is None:
        return "punct"
    return "mixed"


@lru_cache(maxsize=1 << 19)
def proclitic_variants(word: str) -> tuple[tuple[str, int], ...]:
    """(normalised form, code points of ``word`` dropped at its start): the word as written,
    then without one and two proclitic letters (with any marks written on them), while at least
    two letters stay."""
    out = [(normalise(word), 0)]
    i = 0
    for _ in range(2):
        if i >= len(word) - 2 or word[i] not in PROCLITICS:
            break
        i += 1
        while i < len(word) and _MARKS.match(word[i]):
            i += 1
        out.append((normalise(word[i:]), i))
    return tuple(out)
