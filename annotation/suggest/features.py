"""Token features for the CRF: ours for Arabic, and the plain baseline they are measured against.

A feature set is named and versioned (the model card records the name), and turns a sentence's
tokens into one list of feature strings per token. The features of a word form are computed
once and cached; those it gives its neighbours are copies of some of its own, named for the
offset (``-1:s=...``), so the fast decoder needs a new form's own features alone.
"""

from __future__ import annotations

from collections.abc import Sequence
from functools import lru_cache

from akhbar.annotation.suggest.arabic import normalise, shape, strip_article, strip_proclitics
from akhbar.annotation.suggest.clusters import WordClusters
from akhbar.annotation.suggest.gazetteer import Gazetteer

ARABIC = "akhbar-arabic-v3"
BASELINE = "plain-window2-v1"
DESCRIPTIONS = {
    ARABIC: (
        "word, normalised word (no diacritics or tatweel; alef, yaa and taa marbuta folded), "
        "word without proclitics (و ف ب ل ك) and without the article ال, prefixes and suffixes "
        "of 1-3 letters of the word and of its stem, the proclitics and article removed, shape "
        "(digits, Arabic, Latin, punctuation, mixed), the neighbours' word, stem and shape two "
        "positions each side, the previous and next word pairs, the gazetteer tag (the "
        "release's own entity strings) of the word and its neighbours, and the entity label "
        "the stems of the word and its neighbours mostly carry in the release, and the word "
        "clusters (coarse and fine) of the stem and the coarse ones of its neighbours, learned "
        "from unannotated text"
    ),
    BASELINE: "word, prefixes and suffixes of 1-3 characters, words two positions each side",
}
OFFSETS = (-2, -1, 1, 2)
Features = tuple[str, ...]


# A form gives its neighbours some of its own features, named for the offset ("-1:s=..."):
# the names each offset takes. The fast decoder reads a model's weights through this too, so
# a form's features there are its own ones alone (:mod:`~akhbar.annotation.suggest.decode`).
OWN_NAMES = frozenset(
    [
        "w",
        "n",
        "s",
        "sh",
        "p1",
        "p2",
        "p3",
        "x1",
        "x2",
        "x3",
        "sp2",
        "sx2",
        "sx3",
        "pc",
        "al",
        "len",
        "tg",
        "c1",
        "c2",
    ]
)
NEAR_NAMES = {
    -2: ("n", "s", "sh"),
    -1: ("n", "s", "sh", "x2", "pc", "tg", "c1"),
    1: ("n", "s", "sh", "x2", "pc", "tg", "c1"),
    2: ("n", "s", "sh"),
}


@lru_cache(maxsize=200_000)
def _base(word: str) -> tuple[Features, str]:
    """The features of a word form at its own position that depend on the form alone, and
    its stem. Tuples of strings: the garbage collector stops tracking them, which matters with
    a large cache."""
    n = normalise(word)
    bare = strip_proclitics(n)
    s = strip_article(bare)
    own = (
        "w=" + word.lower(),
        "n=" + n,
        "s=" + s,
        "sh=" + shape(word),
        "p1=" + n[:1],
        "p2=" + n[:2],
        "p3=" + n[:3],
        "x1=" + n[-1:],
        "x2=" + n[-2:],
        "x3=" + n[-3:],
        "sp2=" + s[:2],
        "sx2=" + s[-2:],
        "sx3=" + s[-3:],
        "pc=" + n[: len(n) - len(bare)],
        "al=" + str(bare != s),
        "len=" + str(min(len(s), 8)),
    )
    return own, s


@lru_cache(maxsize=200_000)
def _near(own: Features) -> tuple[Features, ...]:
    """The features a form with these own features gives each offset of ``OFFSETS``."""
    return tuple(
        tuple(f"{off:+d}:{f}" for f in own if f[: f.index("=")] in NEAR_NAMES[off])
        for off in OFFSETS
    )


class ArabicFeatures:
    """Our features; ``gazetteer`` may be None (no gazetteer tags).

    A token's features are its word form's own (:meth:`own`), those its neighbours' forms give
    it, and the features of its context (:meth:`context`); the fast decoder
    (:mod:`~akhbar.annotation.suggest.decode`) relies on exactly this split.
    """

    name = ARABIC
    OFFSETS = OFFSETS

    def __init__(
        self, gazetteer: Gazetteer | None = None, clusters: WordClusters | None = None
    ) -> None:
        self.gazetteer = gazetteer
        # a stem's cluster features, made once: a new word form only looks its stem up
        self.clusters: dict[str, Features] = {
            st: tuple(f"c{k}={c}" for k, c in enumerate(ids, 1))
            for st, ids in (clusters.stems.items() if clusters else ())
        }

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

    def own_features(self, word: str) -> Features:
        """A word form's features at its own position: those of the form alone
        (:func:`_base`), and the label its stem mostly carries in the gazetteer's release."""
        own, stem = _base(word)
        label = self.gazetteer.stems.get(stem) if self.gazetteer else None
        if label is not None:
            own = (*own, "tg=" + label)
        clustered = self.clusters.get(stem)
        return own if clustered is None else own + clustered

    def own(self, word: str) -> tuple[Features, tuple[Features, ...]]:
        """A word form's features at its own position, and those it gives each offset of
        ``OFFSETS`` (:data:`NEAR_NAMES`)."""
        own = self.own_features(word)
        return own, _near(own)

    @staticmethod
    def norm(word: str) -> str:
        """The form the word pairs and the gazetteer match on."""
        return normalise(word)

    def sentence(self, tokens: Sequence[str]) -> list[list[str]]:
        n = len(tokens)
        cached = [self.own(t) for t in tokens]
        context = self.context(tokens, [normalise(t) for t in tokens])
        out = []
        for i in range(n):
            f = list(cached[i][0])
            for k, off in enumerate(self.OFFSETS):
                j = i + off
                if 0 <= j < n:
                    f += cached[j][1][k]
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


def featurizer(
    name: str, gazetteer: Gazetteer | None = None, clusters: WordClusters | None = None
) -> ArabicFeatures | BaselineFeatures:
    if name == ARABIC:
        return ArabicFeatures(gazetteer, clusters)
    if name == BASELINE:
        return BaselineFeatures()
    raise ValueError(f"unknown feature set {name!r}; known: {ARABIC}, {BASELINE}")
