"""Character classes of Arabic text, and the folding used only for de-duplication keys.

The stored text is never folded: cleaning keeps every letter as written. ``fold_for_dedup``
builds a key under which the spelling variants that news sites use interchangeably (hamza on
alef, alef maqsura, taa marbuta, diacritics, tatweel, punctuation) compare equal.
"""

from __future__ import annotations

import unicodedata

import numpy as np

TATWEEL = "\u0640"

# Arabic combining marks: harakat, tanween, shadda, sukun, superscript alef, Quranic marks.
ARABIC_MARKS = (
    "\u0610-\u061a\u064b-\u065f\u0670\u06d6-\u06dc\u06df-\u06e4\u06e7\u06e8\u06ea-\u06ed"
    "\u08d3-\u08e1\u08e3-\u08ff"
)

# Invisible format characters that scrapers leave in text: zero-width space/joiners, LRM/RLM,
# ALM, the bidi embeddings/overrides (LRE..RLO) and isolates (LRI..PDI), word joiner, BOM,
# soft hyphen and the Mongolian vowel separator (an old zero-width space).
BIDI_AND_ZERO_WIDTH = "\u200b-\u200f\u202a-\u202e\u2060-\u2064\u2066-\u2069\u061c\ufeff\u00ad\u180e"

_ALEF_VARIANTS = "\u0622\u0623\u0625\u0671\u0672\u0673"  # آ أ إ ٱ ٲ ٳ
_SPACE = 0x20
_NEEDS_NFKC = 0xFFFE  # table value of a presentation form: fold it through NFKC first


def _fold_table() -> np.ndarray:
    """A code-unit table over UTF-16: 0 deletes, 0x20 separates words, else the folded unit.

    Working on UTF-16 code units keeps one 64k table; surrogates map to themselves, so
    characters outside the Basic Multilingual Plane pass through unchanged.
    """
    table = np.arange(0x10000, dtype=np.uint16)
    for cp in range(0x10000):
        ch = chr(cp)
        cat = unicodedata.category(ch)
        if cat[0] in "PSZ" or cat == "Cc":
            table[cp] = _SPACE  # punctuation, symbols and spaces separate words
        elif cat == "Cf" or (cat == "Mn" and 0x0600 <= cp <= 0x08FF):
            table[cp] = 0  # invisible controls and Arabic diacritics
        elif 0xFB50 <= cp <= 0xFDFF or 0xFE70 <= cp <= 0xFEFE or 0xFF01 <= cp <= 0xFFEE:
            table[cp] = _NEEDS_NFKC  # presentation forms, full-width Latin
        else:
            low = ch.casefold()
            if low != ch and len(low) == 1:
                table[cp] = ord(low)
    table[ord(TATWEEL)] = 0
    for ch in _ALEF_VARIANTS:
        table[ord(ch)] = 0x0627  # ا
    table[0x0649] = 0x064A  # ى -> ي
    table[0x06CC] = 0x064A  # Persian yeh -> ي
    table[0x0629] = 0x0647  # ة -> ه
    table[0x06A9] = 0x0643  # Persian keheh -> ك
    for i in range(10):  # Arabic-Indic and Eastern Arabic-Indic digits -> ASCII
        table[0x0660 + i] = 0x30 + i
        table[0x06F0 + i] = 0x30 + i
    return table


_FOLD = _fold_table()


def fold_for_dedup(text: str) -> str:
    """The exact-duplicate key of a text: folded, without marks or punctuation, one space apart.

    Vectorised over UTF-16 code units with numpy, because it runs over every article of a
    build (a translate() or regex pass per character class is several times slower).

    >>> fold_for_dedup("قالَ الوزيرُ: «إنّ المدرسـة الكبرى جاهزة»")
    'قال الوزير ان المدرسه الكبري جاهزه'
    """
    units = _FOLD.take(np.frombuffer(text.encode("utf-16-le", "surrogatepass"), np.uint16))
    if (units == _NEEDS_NFKC).any():
        text = unicodedata.normalize("NFKC", text)
        units = _FOLD.take(np.frombuffer(text.encode("utf-16-le", "surrogatepass"), np.uint16))
    units = units[units != 0]
    space = units == _SPACE
    keep = np.ones(len(units), dtype=bool)
    keep[1:] = ~(space[1:] & space[:-1])  # a space right after a space goes
    return units[keep].tobytes().decode("utf-16-le", "surrogatepass").strip(" ")
