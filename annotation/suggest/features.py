"""Token features for the CRF: ours for Arabic, and the plain baseline they are measured against.

A feature set is named and versioned (the model card records the name), and turns a sentence's
tokens into one list of feature strings per token. The features of a word form are computed
once and cached, with their copies for the neighbouring positions: tagging then costs a few
list concatenations per token, which keeps prediction fast on long articles.
"""

from __future__ import annotations

from collections.abc import Sequence
from functools import lru_cache

from akhbar.annotation.suggest.arabic import normalise, shape, strip_article, strip_proclitics
from akhbar.annotation.suggest.gazetteer import Gazetteer

ARABIC = "akhbar-arabic-v1"
BASELINE = "plain-window2-v1"
DESCRIPTIONS = {
    ARABIC: (
        "word, normalised word (no diacritics or tatweel; alef, yaa and taa marbuta folded), "
        "word without proclitics (و ف ب ل ك) and without the article ال, prefixes and suffixes "
        "of 1-3 letters of the word and of its stem, the proclitics and article removed, shape "
        "(digits, Arabic, Latin, punctuation, mixed), the neighbours' word, stem and shape two "
        "positions each side, the previous and next word pairs, and the gazetteer tag (the "
        "release's own entity strings) of the word and its neighbours"
    ),
    BASELINE: "word, prefixes and suffixes of 1-3 characters, words two positions each side",
}


@lru_cache(maxsize=200_000)
def _own(word: str) -> tuple[list[str], dict[int, list[str]]]:
    """The features of a word form at its own position, and those it gives its neighbours
    (by offset: -2, -1, +1, +2)."""
    n = normalise(word)
    bare = strip_proclitics(n)
    s = strip_article(bare)
    clitics = n[: len(n) - len(bare)]
    sh = shape(word)
    own = [
        "w=" + word.lower(),
        "n=" + n,
        "s=" + s,
        "sh=" + sh,
        "p1=" + n[:1],
        "p2=" + n[:2],
        "p3=" + n[:3],
        "x1=" + n[-1:],
        "x2=" + n[-2:],
        "x3=" + n[-3:],
        "sp2=" + s[:2],
        "sx2=" + s[-2:],
        "sx3=" + s[-3:],
        "pc=" + clitics,
        "al=" + str(bare != s),
        "len=" + str(min(len(s), 8)),
    ]
    near = {}
    for off in (-2, -1, 1, 2):
        tag = f"{off:+d}:"
        near[off] = [tag + "n=" + n, tag + "s=" + s, tag + "sh=" + sh]
        if abs(off) == 1:
            near[off] += [tag + "x2=" + n[-2:], tag + "pc=" + clitics]
    return own, near


class ArabicFeatures:
    """Our features; ``gazetteer`` may be None (no gazetteer tags).

    A token's features are its word form's own (:func:`_own`), those its neighbours' forms give
    it, and the features of its context (:meth:`context`); the fast decoder
    (:mod:`~akhbar.annotation.suggest.decode`) relies on exactly this split.
    """

    name = ARABIC
    OFFSETS = (-2, -1, 1, 2)

    def __init__(self, gazetteer: Gazetteer | None = None) -> None:
        self.gazetteer = gazetteer

    def context(self, tokens: Sequence[str], norms: Sequence[str]) -> list[list[str]]:
        """Per token: sentence edges, the word pairs it is in, the gazetteer tags around it."""
        n = len(tokens)
        gaz = self.gazetteer.tags(tokens) if self.gazetteer else [None] * n
        out: list[list[str]] = [[] for _ in range(n)]
        if n:
            out[0].append("BOS")
            out[-1].append("EOS")
        for i in range(n):
            f = out[i]
            if i > 0:
                f.append("bi-=" + norms[i - 1] + "|" + norms[i])
            if i + 1 < n:
                f.append("bi+=" + norms[i] + "|" + norms[i + 1])
            if gaz[i]:
                f.append("g=" + gaz[i])
            if i > 0 and gaz[i - 1]:
                f.append("-1:g=" + gaz[i - 1])
            if i + 1 < n and gaz[i + 1]:
                f.append("+1:g=" + gaz[i + 1])
        return out

    def sentence(self, tokens: Sequence[str]) -> list[list[str]]:
        n = len(tokens)
        cached = [_own(t) for t in tokens]
        context = self.context(tokens, [c[0][1][2:] for c in cached])
        out = []
        for i in range(n):
            f = list(cached[i][0])
            for off in self.OFFSETS:
                j = i + off
                if 0 <= j < n:
                    f += cached[j][1][off]
            out.append(f + context[i])
        return out


class BaselineFeatures:
    """The plain CRF an ML engineer would try first: the word, its prefixes and suffixes, and
    the words two positions each side."""

    name = BASELINE

    def sentence(self, tokens: Sequence[str]) -> list[list[str]]:
        n = len(tokens)
        out = []
        for i, w in enumerate(tokens):
            f = ["w=" + w]
            f += [f"p{k}={w[:k]}" for k in (1, 2, 3)]
            f += [f"x{k}={w[-k:]}" for k in (1, 2, 3)]
            for off in (-2, -1, 1, 2):
                j = i + off
                f.append(f"{off:+d}:w=" + (tokens[j] if 0 <= j < n else "<pad>"))
            out.append(f)
        return out


def featurizer(name: str, gazetteer: Gazetteer | None = None) -> ArabicFeatures | BaselineFeatures:
    if name == ARABIC:
        return ArabicFeatures(gazetteer)
    if name == BASELINE:
        return BaselineFeatures()
    raise ValueError(f"unknown feature set {name!r}; known: {ARABIC}, {BASELINE}")
