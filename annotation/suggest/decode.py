"""Fast tagging with a trained CRF: its weights as numpy tables, many sentences at once.

CRFsuite trains the model; tagging long news articles with its own tagger costs a Python-to-C
conversion of every feature string of every token (~50 per token), which made prediction the
slowest step by far. Here the weights are read once from the model and summed per *word form*
(a form's own features, and those it gives each neighbour). A new form costs only its own
features' strings: the model's weights are indexed by own feature, each standing for its
copies at the neighbours' slots (``s=...`` for ``-1:s=...``), and the sums are compiled. A
token's emission scores are then a few table rows gathered over a whole batch of sentences
(compiled too); the features of a token's context
(sentence edges, word pairs, gazetteer matches) are looked up only where the model knows one
that could fire. Viterbi and the forward algorithm then run compiled (:mod:`.kernels`). The
result is CRFsuite's: the same tags, and the same sequence probability up to the rounding of
the weights it exports (6 decimals); a test holds the two side by side.
"""

from __future__ import annotations

from collections.abc import Sequence
from itertools import chain, repeat

import numpy as np
import pycrfsuite

from akhbar.annotation.suggest.features import NEAR_NAMES, OWN_NAMES, ArabicFeatures
from akhbar.annotation.suggest.gazetteer import MAX_TOKENS
from akhbar.annotation.suggest.kernels import decode, gather_tables, sum_keys

MAX_FORMS = 200_000  # a bound on memory for endless corpora: the tables start again past it


class FastCRF:
    def __init__(self, tagger: pycrfsuite.Tagger, features: ArabicFeatures) -> None:
        info = tagger.info()
        self.labels: list[str] = list(tagger.labels())
        index = {lab: k for k, lab in enumerate(self.labels)}
        n = len(self.labels)
        self.attrs: dict[str, int] = {}  # feature -> row of ``weights``
        state = info.state_features
        at = [self.attrs.setdefault(attr, len(self.attrs)) for attr, _ in state]
        # one row more, so that a model without state features has a table too
        self.weights = np.zeros((len(self.attrs) + 1, n))
        self.weights[at, [index[label] for _, label in state]] = list(state.values())
        self.trans = np.zeros((n, n))
        for (a, b), w in info.transitions.items():
            self.trans[index[a], index[b]] = w
        self.exp_trans = np.exp(self.trans)
        self.features = features
        self.offsets = features.OFFSETS
        self.offset_array = np.array(self.offsets, dtype=np.int64)
        # Word pairs the model weighs, as integer keys (left word's id * base + right word's),
        # sorted per side for a vectorised look-up. Every split of a pair at "|" is
        # registered, in case a word holds one.
        splits: list[tuple[str, str, str, int]] = []
        for attr, k in self.attrs.items():
            if attr.startswith(("bi-=", "bi+=")):
                pair = attr[4:]
                at = pair.find("|")
                while at >= 0:
                    splits.append((attr[:4], pair[:at], pair[at + 1 :], k))
                    at = pair.find("|", at + 1)
        words: dict[str, int] = {}
        for _, a, b, _ in splits:
            words.setdefault(a, len(words))
            words.setdefault(b, len(words))
        self.pair_words = words
        self.pair_base = len(words) + 1
        self.pair_rows: dict[str, tuple[np.ndarray, np.ndarray]] = {}
        for side in ("bi-=", "bi+="):
            found = {
                words[a] * self.pair_base + words[b]: k for sd, a, b, k in splits if sd == side
            }
            order = sorted(found)
            self.pair_rows[side] = (
                np.array(order, dtype=np.int64),
                np.array([found[x] for x in order], dtype=np.int64),
            )
        # Per word form: its tables (slots x labels: its own features' weights, then what it
        # gives the token at each offset), its normalised form, its id among the pairs' words
        # (-1: in none) and whether a gazetteer entry may start at it. Allocated once at full
        # size: the pages are only touched as forms come.
        self.forms: dict[str, int] = {}
        self.norms: list[str] = []
        self.tables = np.zeros((MAX_FORMS, 1 + len(self.offsets), n))
        self.used = 0  # rows of ``tables`` written so far
        self.pair_id = np.full(MAX_FORMS, -1, dtype=np.int64)
        # The gazetteer's entries by first form (strings -> ids), so that the tokens where one
        # may match are found by array look-ups: per form, the label of its one-token entry
        # (-1: none), its id among the first forms of longer entries and among their second
        # words (-1: none); the (first, second) pairs of the longer entries as integer keys.
        gaz = features.gazetteer
        entries = gaz.entries if gaz is not None else {}
        self.gaz_labels = sorted(set(entries.values()))
        self.gaz_label_id = {label: k for k, label in enumerate(self.gaz_labels)}
        self.gaz_single = {
            key[0]: self.gaz_label_id[lab] for key, lab in entries.items() if len(key) == 1
        }
        self.gaz_leads: dict[str, int] = {}
        self.gaz_seconds: dict[str, int] = {}
        for key in entries:
            if len(key) > 1:
                self.gaz_leads.setdefault(key[0], len(self.gaz_leads))
                self.gaz_seconds.setdefault(key[1], len(self.gaz_seconds))
        self.gaz_base = len(self.gaz_seconds) + 1
        self.gaz_pairs = np.unique(
            np.array(
                [
                    self.gaz_leads[k[0]] * self.gaz_base + self.gaz_seconds[k[1]]
                    for k in entries
                    if len(k) > 1
                ],
                dtype=np.int64,
            )
        )
        # weight rows (-1: none) of each gazetteer tag (label, B- or I-) at its token, given to
        # the next token (``-1:g=``) and to the one before (``+1:g=``)
        self.gaz_rows = np.array(
            [
                [
                    [self.attrs.get(f"{at}{bi}-{label}", -1) for bi in "BI"]
                    for label in self.gaz_labels
                ]
                for at in ("g=", "-1:g=", "+1:g=")
            ],
            dtype=np.int64,
        ).reshape(3, len(self.gaz_labels), 2)
        self.gaz_one = np.full(MAX_FORMS, -1, dtype=np.int64)
        self.gaz_lead = np.full(MAX_FORMS, -1, dtype=np.int64)
        self.gaz_next = np.full(MAX_FORMS, -1, dtype=np.int64)
        self._index_keys()

    def _add_forms(self, words: set[str]) -> None:
        """Tables of the forms not seen yet, all at once: a form's own features are looked up
        (each with the weight rows it stands for at every slot), the sum is compiled."""
        new = list(words.difference(self.forms))  # in C: a set less a dict's keys
        if not new:
            return
        if len(words) > MAX_FORMS:
            raise ValueError(f"{len(words)} word forms at once; tag fewer sentences at a time")
        if len(self.forms) + len(new) > MAX_FORMS:
            self.forms.clear()
            self.norms.clear()
            self.used = MAX_FORMS  # the rows hold old sums now
            new = list(words)  # the forms of this batch met before are gone too
        # map() over the new forms keeps the per-form look-ups out of a Python loop
        gaz = self.features.gazetteer
        owns = list(map(self.features.own_features, new))
        norms = list(map(self.features.norm, new))
        firsts = list(map(gaz.first_form, norms)) if gaz is not None else norms
        self.norms += norms
        feats = list(chain.from_iterable(owns))
        sizes = list(map(len, owns))
        ids = np.fromiter(map(self.key_ids.get, feats, repeat(0)), np.int64, count=len(feats))
        form_ptr = np.zeros(len(new) + 1, dtype=np.int64)
        np.cumsum(sizes, out=form_ptr[1:])
        start = len(self.forms)
        need = start + len(new)
        if start < self.used:  # rows past ``used`` are still the zeros they were made
            self.tables[start:need] = 0.0
        self.used = max(self.used, need)
        sum_keys(
            self.weights,
            self.key_ptr,
            self.entry_slot,
            self.entry_row,
            ids,
            form_ptr,
            self.tables[start:need],
        )
        self.pair_id[start:need] = list(map(self.pair_words.get, norms, repeat(-1)))
        self.gaz_one[start:need] = list(map(self.gaz_single.get, firsts, repeat(-1)))
        self.gaz_lead[start:need] = list(map(self.gaz_leads.get, firsts, repeat(-1)))
        self.gaz_next[start:need] = list(map(self.gaz_seconds.get, norms, repeat(-1)))
        for k, w in enumerate(new):
            self.forms[w] = start + k

    def _index_keys(self) -> None:
        """Each own feature a form may have (``s=...``), with the (slot, weight row) of every
        feature of the model it stands for: itself at slot 0, its copy for offset ``o``
        (``-1:s=...``) at that offset's slot. Key 0 stands for nothing."""
        slot_of = {f"{off:+d}:": k for k, off in enumerate(self.offsets, start=1)}
        found: dict[str, list[tuple[int, int]]] = {}
        for attr, row in self.attrs.items():
            slot = slot_of.get(attr[:3], 0)
            key = attr[3:] if slot else attr
            name = key[: key.find("=")]
            wanted = OWN_NAMES if not slot else NEAR_NAMES[self.offsets[slot - 1]]
            if "=" in key and name in wanted:
                found.setdefault(key, []).append((slot, row))
        self.key_ids = {key: k for k, key in enumerate(found, start=1)}
        entries = [e for es in found.values() for e in es]
        self.key_ptr = np.zeros(len(found) + 2, dtype=np.int64)
        np.cumsum([0, *map(len, found.values())], out=self.key_ptr[1:])
        self.entry_slot = np.array([s for s, _ in entries], dtype=np.int64)
        self.entry_row = np.array([r for _, r in entries], dtype=np.int64)

    def emissions(self, flat: list[str], lengths: np.ndarray, bounds: np.ndarray) -> np.ndarray:
        """Tokens x labels for the tokens of many sentences one after the other: the sum of
        the weights of every feature of each token."""
        forms = self.forms
        idx = np.fromiter(map(forms.__getitem__, flat), dtype=np.intp, count=len(flat))
        pos = np.arange(len(flat)) - np.repeat(bounds[:-1], lengths)
        # a token's own table, and at each offset's slot what its neighbour there gives it
        e = gather_tables(self.tables, idx, bounds.astype(np.int64), self.offset_array)
        ends = bounds[1:][lengths > 0]
        self._add_rows(e, bounds[:-1][lengths > 0], "BOS")
        self._add_rows(e, ends - 1, "EOS")
        # word pairs (i, i + 1) inside a sentence whose words both appear in a weighed pair
        ids = self.pair_id[idx]
        at = np.flatnonzero((ids[:-1] >= 0) & (ids[1:] >= 0) & (pos[1:] > 0))
        if len(at):
            key = ids[at] * self.pair_base + ids[at + 1]
            for side, gets in (("bi-=", at + 1), ("bi+=", at)):
                known, rows = self.pair_rows[side]
                if not len(known):
                    continue
                where = np.minimum(np.searchsorted(known, key), len(known) - 1)
                hit = known[where] == key
                e[gets[hit]] += self.weights[rows[where[hit]]]
        gaz = self.features.gazetteer
        if gaz is not None and self.gaz_labels:
            first = np.zeros(len(flat), dtype=bool)
            first[bounds[:-1][lengths > 0]] = True
            self._add_gazetteer(e, idx, bounds, first, gaz)
        return e

    def _add_gazetteer(
        self, e: np.ndarray, idx: np.ndarray, bounds: np.ndarray, first: np.ndarray, gaz
    ) -> None:
        """The gazetteer tags' features (:meth:`Gazetteer.tags`: the longest entry at each
        token, left to right, not overlapping, inside the sentence). Only where a longer entry's
        first two words stand is an entry looked up; elsewhere a token's one-token entry is
        its match."""
        n = len(idx)
        last = np.zeros(n, dtype=bool)
        last[:-1] = first[1:]
        if n:
            last[-1] = True
        lead = self.gaz_lead[idx]
        maybe = np.flatnonzero((lead[:-1] >= 0) & ~last[:-1])
        if len(maybe) and len(self.gaz_pairs):
            key = lead[maybe] * self.gaz_base + self.gaz_next[idx[maybe + 1]]
            where = np.minimum(np.searchsorted(self.gaz_pairs, key), len(self.gaz_pairs) - 1)
            maybe = maybe[(self.gaz_pairs[where] == key) & (self.gaz_next[idx[maybe + 1]] >= 0)]
        else:
            maybe = maybe[:0]
        tag_label = self.gaz_one[idx]  # a token's gazetteer label (-1: none) and B/I
        inside = np.zeros(n, dtype=bool)
        if len(maybe):
            norms, label_id = self.norms, self.gaz_label_id
            stop_of = bounds[np.searchsorted(bounds, maybe, side="right")].tolist()
            until = -1
            for i, end in zip(maybe.tolist(), stop_of, strict=True):
                if i < until:
                    continue
                stop = min(end, i + MAX_TOKENS)
                found = gaz.longest_at([norms[k] for k in idx[i:stop].tolist()], 0)
                if found is not None and found[0] > 1:
                    until = i + found[0]
                    tag_label[i:until] = label_id[found[1]]
                    inside[i + 1 : until] = True
        at = np.flatnonzero(tag_label >= 0)
        if not len(at):
            return
        labels, bi = tag_label[at], inside[at].astype(np.intp)
        # A token gets the tag of the token before it, its own, then that of the token after
        # it: the order in which the features' weights are summed.
        for kind, gets, ok in ((1, at + 1, ~last[at]), (0, at, None), (2, at - 1, ~first[at])):
            rows = self.gaz_rows[kind, labels, bi]
            use = rows >= 0 if ok is None else (rows >= 0) & ok
            if use.any():
                e[gets[use]] += self.weights[rows[use]]

    def _add_rows(self, e: np.ndarray, at: np.ndarray, attr: str) -> None:
        k = self.attrs.get(attr)
        if k is not None and len(at):
            e[at] += self.weights[k]

    def tag_flat(self, flat: list[str], bounds: np.ndarray) -> tuple[np.ndarray, list[float]]:
        """The tags (indices of ``labels``) of the tokens of many sentences one after the other
        (sentence ``k`` is ``flat[bounds[k]:bounds[k + 1]]``), and the probability of each
        sentence's tag sequence."""
        self._add_forms(set(flat))
        bounds = np.asarray(bounds, dtype=np.intp)
        e = self.emissions(flat, np.diff(bounds), bounds)
        tags, logp = decode(e, bounds.astype(np.int64), self.trans, self.exp_trans)
        return tags, np.exp(logp).tolist()

    def tag_many(self, sentences: Sequence[Sequence[str]]) -> list[tuple[list[str], float]]:
        """(tags, probability of the tag sequence) per sentence."""
        flat = [t for s in sentences for t in s]
        lengths = np.fromiter((len(s) for s in sentences), dtype=np.intp, count=len(sentences))
        bounds = np.zeros(len(sentences) + 1, dtype=np.intp)
        np.cumsum(lengths, out=bounds[1:])
        tags, prob = self.tag_flat(flat, bounds)
        b = bounds.tolist()
        # Most sentences of an article have no entity: their tags are made at once.
        outside = self.labels.index("O") if "O" in self.labels else -1
        marked = np.concatenate([[0], np.cumsum(tags != outside)])
        busy = (marked[bounds[1:]] - marked[bounds[:-1]]).tolist()
        labels = self.labels
        return [
            (
                [labels[t] for t in tags[b[k] : b[k + 1]].tolist()]
                if busy[k]
                else ["O"] * (b[k + 1] - b[k]),
                prob[k],
            )
            for k in range(len(sentences))
        ]
