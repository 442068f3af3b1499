"""Fast tagging with a trained CRF: its weights as numpy tables, many sentences at once.

CRFsuite trains the model; tagging long news articles with its own tagger costs a Python-to-C
conversion of every feature string of every token (~45 per token), which made prediction the
slowest step by far. Here the weights are read once from the model and summed per *word form*
(a form's own features, and those it gives each neighbour), so a token costs a few table
look-ups; Viterbi and the forward algorithm then run over a batch of sentences at a time,
padded to the same length, in numpy. The result is CRFsuite's: the same tags, and the same
sequence probability up to the rounding of the weights it exports (6 decimals); a test holds
the two side by side.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pycrfsuite

from akhbar.annotation.suggest.features import ArabicFeatures, _own

BATCH = 64  # sentences decoded together (sorted by length, so padding stays small)


class FastCRF:
    def __init__(self, tagger: pycrfsuite.Tagger, features: ArabicFeatures) -> None:
        info = tagger.info()
        self.labels: list[str] = list(tagger.labels())
        index = {lab: k for k, lab in enumerate(self.labels)}
        n = len(self.labels)
        self.attrs: dict[str, int] = {}  # feature -> row of ``weights``
        rows: list[np.ndarray] = []
        for (attr, label), w in info.state_features.items():
            k = self.attrs.get(attr)
            if k is None:
                k = self.attrs[attr] = len(rows)
                rows.append(np.zeros(n))
            rows[k][index[label]] = w
        rows.append(np.zeros(n))  # the last row: nothing (a slot with no known feature)
        self.weights = np.stack(rows)
        self.none = len(rows) - 1
        self.trans = np.zeros((n, n))
        for (a, b), w in info.transitions.items():
            self.trans[index[a], index[b]] = w
        self.exp_trans = np.exp(self.trans)
        self.features = features
        # Per word form, 5 x labels: its own features' weights, then what it gives the token
        # at each offset. Rows of ``tables``, found through ``forms``.
        self.forms: dict[str, int] = {}
        self.tables = np.zeros((1024, 5, n))

    def _add_forms(self, words: set[str]) -> None:
        """Tables of the forms not seen yet, all at once (one gather and one segmented sum)."""
        new = [w for w in words if w not in self.forms]
        if not new:
            return
        if len(self.forms) + len(new) > 500_000:  # a bound on memory for endless corpora
            self.forms.clear()
        flat: list[int] = []
        bounds: list[int] = []
        attrs, none = self.attrs, self.none
        for w in new:
            own, near = _own(w)
            for feats in (own, *(near[o] for o in ArabicFeatures.OFFSETS)):
                bounds.append(len(flat))
                idx = [k for f in feats if (k := attrs.get(f)) is not None]
                flat += idx or [none]
        sums = np.add.reduceat(self.weights[flat], bounds, axis=0).reshape(len(new), 5, -1)
        start = len(self.forms)
        need = start + len(new)
        if need > len(self.tables):
            grown = np.zeros((max(need, 2 * len(self.tables)), *self.tables.shape[1:]))
            grown[:start] = self.tables[:start]
            self.tables = grown
        self.tables[start:need] = sums
        for k, w in enumerate(new):
            self.forms[w] = start + k

    def emissions(self, tokens: Sequence[str]) -> np.ndarray:
        """Tokens x labels: the sum of the weights of every feature of each token."""
        n = len(tokens)
        forms = self.tables[[self.forms[t] for t in tokens]]  # n x 5 x labels
        e = forms[:, 0].copy()
        # OFFSETS = (-2, -1, 1, 2): token i gets what token i+off gives, at slot 1 + k
        if n > 2:
            e[2:] += forms[:-2, 1]
            e[:-2] += forms[2:, 4]
        if n > 1:
            e[1:] += forms[:-1, 2]
            e[:-1] += forms[1:, 3]
        norms = [_own(t)[0][1][2:] for t in tokens]
        attrs = self.attrs
        for i, feats in enumerate(self.features.context(tokens, norms)):
            for f in feats:
                k = attrs.get(f)
                if k is not None:
                    e[i] += self.weights[k]
        return e

    def tag_many(self, sentences: Sequence[Sequence[str]]) -> list[tuple[list[str], float]]:
        """(tags, probability of the tag sequence) per sentence."""
        self._add_forms({t for s in sentences for t in s})
        out: list[tuple[list[str], float] | None] = [None] * len(sentences)
        order = sorted(range(len(sentences)), key=lambda k: len(sentences[k]))
        for at in range(0, len(order), BATCH):
            group = [k for k in order[at : at + BATCH] if sentences[k]]
            for k in order[at : at + BATCH]:
                if not sentences[k]:
                    out[k] = ([], 1.0)
            if group:
                decoded = self._decode([self.emissions(sentences[k]) for k in group])
                for k, result in zip(group, decoded, strict=True):
                    out[k] = result
        return out  # type: ignore[return-value]

    def _decode(self, ems: list[np.ndarray]) -> list[tuple[list[str], float]]:
        s, n_lab = len(ems), len(self.labels)
        lengths = np.array([len(e) for e in ems])
        top = int(lengths.max())
        e = np.zeros((s, top, n_lab))
        for k, em in enumerate(ems):
            e[k, : len(em)] = em
        delta = e[:, 0].copy()  # Viterbi: best score ending in each label
        alpha = e[:, 0].copy()  # forward: log-sum over all paths ending in each label
        back = np.zeros((s, top, n_lab), dtype=np.intp)
        rows = np.arange(s)
        for t in range(1, top):
            active = (t < lengths)[:, None]
            cand = delta[:, :, None] + self.trans[None]
            bp = cand.argmax(axis=1)
            back[:, t] = bp
            best = np.take_along_axis(cand, bp[:, None, :], axis=1)[:, 0] + e[:, t]
            delta = np.where(active, best, delta)
            m = alpha.max(axis=1, keepdims=True)
            fwd = np.log(np.exp(alpha - m) @ self.exp_trans) + m + e[:, t]
            alpha = np.where(active, fwd, alpha)
        m = alpha.max(axis=1)
        log_z = m + np.log(np.exp(alpha - m[:, None]).sum(axis=1))
        last = delta.argmax(axis=1)
        score = delta[rows, last]
        tags = np.zeros((s, top), dtype=np.intp)
        cur = np.zeros(s, dtype=np.intp)
        for t in range(top - 1, -1, -1):
            cur = np.where(lengths - 1 == t, last, cur)
            tags[:, t] = cur
            if t:
                cur = np.where(t <= lengths - 1, back[rows, t, cur], cur)
        prob = np.exp(score - log_z)
        return [([self.labels[i] for i in tags[k, : lengths[k]]], float(prob[k])) for k in range(s)]
