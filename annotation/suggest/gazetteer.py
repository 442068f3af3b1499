"""A gazetteer of a release's own entity strings, matched over token sequences.

Entries are the normalised token sequences of the release's entities with their most frequent
label, kept where the sequence is an entity at least ``min_share`` of the times it occurs (so a
word that is once a name and usually not, ``الاحتلال`` say, does not become one everywhere). A
match may start after proclitics (``وبغداد`` matches ``بغداد``). Word stems (no proclitics, no
article) are kept too, with the label they carry in at least ``min_share`` of their
occurrences: a feature for the words of names the release spelt otherwise. The gazetteer repeats the
release's own mistakes: it is a feature the tagger weighs, never a rule.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

from akhbar.annotation.suggest.arabic import (
    normalise,
    proclitic_variants,
    stem,
    strip_proclitics,
)

MAX_TOKENS = 6


@dataclass
class Gazetteer:
    entries: dict[tuple[str, ...], str] = field(default_factory=dict)  # token forms -> label
    firsts: set[str] = field(default_factory=set)  # first forms, to skip most tokens at once
    # the first words of the release's entities as written (normalised): a predicted entity
    # whose first word is not one of them, but is once its proclitics are dropped, starts after
    # them (``وبغداد`` -> ``بغداد``)
    starts: set[str] = field(default_factory=set)
    # word stems (no proclitics, no article) -> the entity label they carry in at least
    # ``min_share`` of their occurrences (a first name, a month, a ministry's word)
    stems: dict[str, str] = field(default_factory=dict)

    @classmethod
    def learn(
        cls,
        sentences: Iterable[tuple[Sequence[str], Sequence[tuple[int, int, str]]]],
        *,
        min_share: float = 0.5,
    ) -> Gazetteer:
        """From (tokens, spans) pairs, spans as (first token, end token, label)."""
        sentences = [([normalise(t) for t in toks], spans) for toks, spans in sentences]
        labels: dict[tuple[str, ...], Counter] = defaultdict(Counter)
        for norms, spans in sentences:
            for a, b, label in spans:
                if b - a <= MAX_TOKENS:
                    key = (strip_proclitics(norms[a]), *norms[a + 1 : b])
                    labels[key][label] += 1
        firsts = {k[0] for k in labels}
        seen: Counter = Counter()  # how often each entry's tokens occur, entity or not
        probe = cls({k: "" for k in labels}, firsts)
        for norms, _ in sentences:
            for a, b, _label in probe.matches(norms, normalised=True, longest=False):
                seen[(strip_proclitics(norms[a]), *norms[a + 1 : b])] += 1
        entries = {
            k: c.most_common(1)[0][0]
            for k, c in labels.items()
            if c.total() >= min_share * max(seen[k], c.total())
        }
        starts = {norms[a] for norms, spans in sentences for a, _, _ in spans}
        in_entity: dict[str, Counter] = defaultdict(Counter)
        occurs: Counter = Counter()
        for norms, spans in sentences:
            stems = [stem(n) for n in norms]
            occurs.update(stems)
            for a, b, label in spans:
                for k in range(a, b):
                    in_entity[stems[k]][label] += 1
        by_stem = {}
        for k, c in in_entity.items():
            label, n = c.most_common(1)[0]
            if n >= min_share * occurs[k]:
                by_stem[k] = label
        return cls(entries, {k[0] for k in entries}, starts, by_stem)

    def matches(
        self, tokens: Sequence[str], *, normalised: bool = False, longest: bool = True
    ) -> list[tuple[int, int, str]]:
        """(first token, end token, label) of each match; with ``longest``, the longest match
        at each position, left to right, not overlapping; else every match."""
        norms = tokens if normalised else [normalise(t) for t in tokens]
        out = []
        n = len(norms)
        i = 0
        while i < n:
            found = None
            if longest:
                hit = self.longest_at(norms, i)
                found = None if hit is None else (i, *hit)
            elif self.may_start(norms[i]):
                first = strip_proclitics(norms[i])
                for j in range(min(n, i + MAX_TOKENS), i, -1):
                    label = self.entries.get((first, *norms[i + 1 : j]))
                    if label is not None:
                        out.append((i, j, label))
            if found:
                out.append(found)
                i = found[1]
            else:
                i += 1
        return out

    def may_start(self, norm: str) -> bool:
        """Whether an entry may start at a word of this normalised form."""
        return strip_proclitics(norm) in self.firsts

    @staticmethod
    def first_form(norm: str) -> str:
        """The form an entry starting at a word of this normalised form is keyed by."""
        return strip_proclitics(norm)

    def longest_at(self, norms: Sequence[str], i: int) -> tuple[int, str] | None:
        """(end token, label) of the longest entry starting at ``norms[i]``, or None."""
        first = strip_proclitics(norms[i])
        if first not in self.firsts:
            return None
        for j in range(min(len(norms), i + MAX_TOKENS), i, -1):
            label = self.entries.get((first, *norms[i + 1 : j]))
            if label is not None:
                return j, label
        return None

    def tags(self, tokens: Sequence[str]) -> list[str | None]:
        """A BIO tag per token from the longest matches (None outside any)."""
        out: list[str | None] = [None] * len(tokens)
        for a, b, label in self.matches(tokens):
            out[a] = "B-" + label
            for k in range(a + 1, b):
                out[k] = "I-" + label
        return out

    def entity_start(self, word: str) -> int:
        """Code points of ``word`` before the entity it starts: its proclitics when the word
        is not a known first word of an entity but is without them, else 0."""
        for form, drop in proclitic_variants(word):
            if form in self.starts:
                return drop
        return 0

    def to_json(self) -> dict:
        return {
            "entries": [[list(k), v] for k, v in sorted(self.entries.items())],
            "starts": sorted(self.starts),
            "stems": dict(sorted(self.stems.items())),
        }

    @classmethod
    def from_json(cls, data: dict) -> Gazetteer:
        entries = {tuple(k): v for k, v in data["entries"]}
        return cls(entries, {k[0] for k in entries}, set(data["starts"]), dict(data["stems"]))
