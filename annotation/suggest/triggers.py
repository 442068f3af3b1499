"""Event triggers from a lexicon learned from a release's ``events`` config.

An entry is a trigger word as annotated (normalised: ``قُتل`` -> ``قتل``) and its most frequent
event type, kept only where it was a trigger at least ``min_count`` times and at least
``min_share`` of the times the word occurs in the release's sentences. A word is looked up as
written and then without one or two proclitics (``وقُتل`` finds ``قتل``); the trigger is then the
word without them, as the guidelines ask.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

from akhbar.annotation.suggest.arabic import normalise, proclitic_variants


@dataclass
class TriggerLexicon:
    entries: dict[str, str] = field(default_factory=dict)  # normalised word -> event type
    counts: dict[str, list[int]] = field(default_factory=dict)  # word -> [as trigger, seen]
    # token as written -> lookup's answer: a news article repeats its words
    _hits: dict[str, tuple[str, int] | None] = field(
        default_factory=dict, repr=False, compare=False
    )
    _found: set[str] = field(default_factory=set, repr=False, compare=False)  # tokens with a hit

    def lookup(self, token: str) -> tuple[str, int] | None:
        """(event type, code points to drop at the token's start) or None."""
        # A variant is the normalised token less its first one or two letters (proclitics are
        # letters that normalising keeps as they are): most tokens are ruled out at once.
        n, entries = normalise(token), self.entries
        if n not in entries and n[1:] not in entries and n[2:] not in entries:
            return None
        for form, drop in proclitic_variants(token):
            etype = self.entries.get(form)
            if etype is not None:
                return etype, drop
        return None

    def find(
        self, tokens: Sequence[str], starts: Sequence[int], ends: Sequence[int]
    ) -> list[tuple[int, int, str]]:
        """(start, end, event type) of every trigger among the tokens."""
        if not self.entries:  # a release without events: nothing to look up
            return []
        hits, found = self._hits, self._found
        new = set(tokens).difference(hits)  # a set operation: most tokens were met before
        if new:
            if len(hits) + len(new) > 200_000:  # a bound on memory for endless corpora
                hits.clear()
                found.clear()
                new = set(tokens)
            for tok in new:
                hit = hits[tok] = self.lookup(tok)
                if hit is not None:
                    found.add(tok)
        if found.isdisjoint(tokens):  # most sentences have no trigger
            return []
        out = []
        for tok, s, e in zip(tokens, starts, ends, strict=True):
            hit = hits[tok]
            if hit is not None:
                out.append((s + hit[1], e, hit[0]))
        return out

    @classmethod
    def learn(
        cls,
        triggers: Iterable[tuple[str, str]],
        tokens: Iterable[str],
        *,
        min_count: int = 2,
        min_share: float = 0.3,
    ) -> TriggerLexicon:
        """From (trigger text, event type) pairs and every token of the same sentences."""
        types: dict[str, Counter] = defaultdict(Counter)
        for text, etype in triggers:
            types[normalise(text)][etype] += 1
        probe = cls({w: "" for w in types})
        seen: Counter = Counter()
        for tok in tokens:
            for form, _ in proclitic_variants(tok):
                if form in probe.entries:
                    seen[form] += 1
                    break
        entries, counts = {}, {}
        for w, c in types.items():
            n = c.total()
            counts[w] = [n, max(seen[w], n)]
            if n >= min_count and n >= min_share * max(seen[w], n):
                entries[w] = c.most_common(1)[0][0]
        return cls(entries, counts)

    def to_json(self) -> dict:
        return {"entries": self.entries, "counts": self.counts}

    @classmethod
    def from_json(cls, data: dict) -> TriggerLexicon:
        return cls(dict(data["entries"]), {k: list(v) for k, v in data["counts"].items()})
