"""Inter-annotator agreement over annotated documents: entities, tokens and events.

Pure functions over documents (``schemas/document.schema.json``): it does not matter which
client fetched them. :class:`Agreement` takes the tasks that two or more annotators annotated
one by one (:class:`annotation.team.annotator_versions.TaskVersions`) and keeps only counts, so memory does
not grow with the documents beyond a few numbers each (kept for the confidence intervals).

The definitions (:data:`DEFINITIONS`, written into ``agreement.json``, the report and the
card) are the contract the tests check against independent computations.
"""

from __future__ import annotations

import heapq
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass
from functools import partial
from itertools import combinations
from typing import Any, Protocol

import numpy as np

from akhbar.annotation.team.measures import (
    argument_keys,
    cohen_kappa,
    common,
    confusion,
    differences,
    entity_keys,
    f1,
    grouped,
    items_of,
    nominal_alpha,
    overlap_matches,
    ratio,
    token_values,
    trigger_keys,
)

OUTSIDE = "O"
LOWEST = 10  # documents with the lowest agreement, shown with their differences

DEFINITIONS = {
    "pairwise_f1": "2TP/(2TP+FP+FN), TP/FP/FN summed over every pair of annotators and every "
    "document both annotated (micro); a pair's first annotator (by name) is taken as the "
    "prediction for precision and recall; null when neither annotated anything",
    "exact": "same label and the same code-point offsets",
    "overlap": "same label and overlapping spans, matched one to one (a maximum matching)",
    "token_alpha": "Krippendorff's alpha (nominal) over the tokens of the release's ner "
    "tokenisation, each token's value the label of the outermost entity covering it (the "
    "release's rule: longest first, then earliest; ties within a token: the earlier) or O, all "
    "annotators together; null when only one value occurs",
    "token_kappa": "Cohen's kappa per pair of annotators over the same tokens; token_kappa_mean "
    "is the mean over the pairs where it is defined",
    "trigger": "same event type and the exact trigger span",
    "argument": "its trigger matched, the same role and the exact argument span",
    "by_annotator": "each annotator's agreement with the others per entity label and event "
    "type: pairwise F1 over the pairs they are in, TP and counts summed (micro); mine: their "
    "own items of that label, counted once per pair, theirs: the others' in the same pairs",
}


class Versions(Protocol):
    task_id: Any
    article_id: str
    text: str
    versions: dict[str, dict[str, Any]]

    def tokens(self) -> tuple[np.ndarray, np.ndarray]: ...


# --- scoring one task (picklable: a worker scores, the parent adds in export order) ----------


@dataclass(slots=True)
class TaskScore:
    """The counts of one task: per figure ``[TP, n_a, n_b]`` summed over its pairs (keys
    ``("pair", (a, b), ...)`` for one pair), a token confusion matrix per pair (in
    ``combinations`` order), mentions per label, tokens, and its F1 over entities, triggers
    and arguments; ``differences`` only for the lowest of its batch. ``pair_labels`` holds the
    per-label counts of each pair (``("pair", (a, b), "label"|"type", name, kind)``) summed
    over the whole batch, on its first task only: sent once from a worker, not per task."""

    task_id: Any
    article_id: str
    names: list[str]
    counts: dict[tuple, list[int]]
    confusions: list[np.ndarray]
    support: Counter
    tokens: int
    f1: float | None
    differences: list[dict[str, Any]] | None = None
    pair_labels: dict[tuple, list[int]] | None = None


def score(
    task: Versions, index: dict[str, int], pair_labels: dict[tuple, list[int]] | None = None
) -> TaskScore:
    """Score one task (two or more versions) against the label ``index`` (label -> position);
    each pair's per-label counts are added to ``pair_labels``."""
    if pair_labels is None:
        pair_labels = {}
    names = sorted(task.versions)
    docs = [task.versions[n] for n in names]
    counts: dict[tuple, list[int]] = {}
    count = partial(_add, counts)

    # each version's items grouped by label (entities) or type (triggers, arguments)
    ents = [grouped(entity_keys(doc)) for doc in docs]
    trig = [grouped(trigger_keys(doc)) for doc in docs]
    args = [grouped(argument_keys(doc)) for doc in docs]
    support: Counter = Counter()
    for groups in ents:
        for label, c in groups.items():
            support[label] += sum(c.values())
    starts, ends = task.tokens()
    tok = [token_values(starts, ends, doc, index) for doc in docs]
    v = len(index) + 1
    confusions = []
    for i, j in combinations(range(len(names)), 2):
        pair = (names[i], names[j])
        totals = _pair_counts(
            count, ents[i], ents[j], trig[i], trig[j], args[i], args[j], pair_labels, pair
        )
        for key, (tp, n_a, n_b) in totals.items():
            count(key, tp, n_a, n_b)
            if key != ("entities", "overlap"):
                count(("pair", (names[i], names[j]), *key), tp, n_a, n_b)
        confusions.append(confusion(tok[i], tok[j], v))
    total = [0, 0, 0]
    for key in (("entities", "exact"), ("events", "trigger"), ("events", "argument")):
        for k, x in enumerate(counts[key]):
            total[k] += x
    return TaskScore(
        task.task_id,
        task.article_id,
        names,
        counts,
        confusions,
        support,
        len(starts),
        f1(*total),
    )


def score_batch(tasks: list[Versions], index: dict[str, int]) -> list[TaskScore]:
    """Score consecutive tasks; the differences of the :data:`LOWEST` lowest are kept, which
    holds every task that can be among the lowest of all."""
    pair_labels: dict[tuple, list[int]] = {}
    scores = [score(t, index, pair_labels) for t in tasks if len(t.versions) >= 2]
    if scores:
        scores[0].pair_labels = pair_labels
    ranked = sorted(
        (k for k, sc in enumerate(scores) if sc.f1 is not None), key=lambda k: scores[k].f1
    )
    by_id = {
        id(sc): t for t, sc in zip((t for t in tasks if len(t.versions) >= 2), scores, strict=True)
    }
    for k in ranked[:LOWEST]:
        sc = scores[k]
        t = by_id[id(sc)]
        sc.differences = differences(t.text, sc.names, [t.versions[n] for n in sc.names])
    return scores


def _pair_counts(
    count: Any,
    ea: dict[str, dict[tuple, int]],
    eb: dict[str, dict[tuple, int]],
    ta: dict[str, dict[tuple, int]],
    tb: dict[str, dict[tuple, int]],
    aa: dict[str, dict[tuple, int]],
    ab: dict[str, dict[tuple, int]],
    per_pair: dict[tuple, list[int]],
    pair: tuple[str, str],
) -> dict[tuple, list[int]]:
    """Count one pair on one document per label and type (through ``count``, and added into
    ``per_pair`` under ``("pair", pair, ...)``, for each annotator's agreement per label);
    return the totals over labels and types, which are the sums of those."""
    empty: dict[tuple, int] = {}
    totals = {
        key: [0, 0, 0]
        for key in (
            ("entities", "exact"),
            ("entities", "overlap"),
            ("events", "trigger"),
            ("events", "argument"),
        )
    }

    def add(key: tuple, tp: int, n_a: int, n_b: int) -> None:
        t = totals[key]
        t[0] += tp
        t[1] += n_a
        t[2] += n_b

    for label in ea.keys() | eb.keys():
        la, lb = ea.get(label, empty), eb.get(label, empty)
        na, nb = sum(la.values()), sum(lb.values())
        tp = common(la, lb)
        # a maximum overlap matching holds at least the exact pairs, at most min(na, nb)
        ov = tp if tp == min(na, nb) else overlap_matches(items_of(la), items_of(lb))
        count(("label", label, "exact"), tp, na, nb)
        count(("label", label, "overlap"), ov, na, nb)
        _add(per_pair, ("pair", pair, "label", label, "exact"), tp, na, nb)
        _add(per_pair, ("pair", pair, "label", label, "overlap"), ov, na, nb)
        add(("entities", "exact"), tp, na, nb)
        add(("entities", "overlap"), ov, na, nb)
    for kind, a, b in (("trigger", ta, tb), ("argument", aa, ab)):
        for typ in a.keys() | b.keys():
            xa, xb = a.get(typ, empty), b.get(typ, empty)
            tp, na, nb = common(xa, xb), sum(xa.values()), sum(xb.values())
            count(("type", typ, kind), tp, na, nb)
            _add(per_pair, ("pair", pair, "type", typ, kind), tp, na, nb)
            add(("events", kind), tp, na, nb)
    return totals


def _add(into: dict[tuple, list[int]], key: tuple, tp: int, n_a: int, n_b: int) -> None:
    """Add [TP, n_a, n_b] to ``into[key]``, starting it at zero."""
    acc = into.get(key)
    if acc is None:
        into[key] = [tp, n_a, n_b]
    else:
        acc[0] += tp
        acc[1] += n_a
        acc[2] += n_b


# --- accumulating over documents ----------------------------------------------------------------


class Agreement:
    """Counts of agreement over tasks added one by one; :meth:`result` is ``agreement.json``.

    Per document, the counts behind every figure are kept (a few numbers, plus a small
    coincidence matrix) so that :mod:`annotation.team.intervals` can resample documents.
    """

    def __init__(self, entity_labels: Iterable[str], event_types: Iterable[str] = ()) -> None:
        self.labels = list(entity_labels)
        self.index = {label: i for i, label in enumerate(self.labels)}
        self.values = [OUTSIDE, *self.labels]
        self.event_types = list(event_types)
        self.annotators: set[str] = set()
        self.columns: dict[tuple, int] = {}  # figure -> column of the per-document counts
        self.doc_counts: list[dict[int, np.ndarray]] = []
        self.coincidences: list[np.ndarray] = []
        self.pair_rows: list[tuple[int, int, np.ndarray]] = []  # (pair, document, confusion)
        self.pairs: dict[tuple[str, str], int] = {}
        self.pair_docs: Counter = Counter()
        # ("pair", (a, b), "label"|"type", name, kind) -> [TP, a's, b's], summed over documents;
        # split into each annotator's figures only when they are written (annotator_figures)
        self.pair_labels: dict[tuple, list[int]] = {}
        self.support: Counter = Counter()
        self.lowest: list[tuple[float, int, dict[str, Any]]] = []
        self.annotators_per_doc: Counter = Counter()
        self.tokens = 0
        self._sums: np.ndarray | None = None

    def column(self, key: tuple) -> int:
        if key not in self.columns:
            self.columns[key] = len(self.columns)
        return self.columns[key]

    def add(self, task: Versions) -> None:
        """Score one task that two or more annotators annotated."""
        for sc in score_batch([task], self.index):
            self.add_score(sc)

    def add_score(self, sc: TaskScore) -> None:
        """Add one task's counts (from :func:`score_batch`, perhaps in another process)."""
        names = sc.names
        self.annotators.update(names)
        self.annotators_per_doc[len(names)] += 1
        d = len(self.doc_counts)
        counts: dict[int, list[int]] = {}
        for key, c in sc.counts.items():
            if key[0] == "pair":
                key = ("pair", self._pair(*key[1]), *key[2:])
            counts[self.column(key)] = c
        for key, (tp, n_a, n_b) in (sc.pair_labels or {}).items():
            _add(self.pair_labels, key, tp, n_a, n_b)  # totals only: no interval is drawn
        v = len(self.values)
        coinc = np.zeros((v, v), dtype=np.float64)
        for (i, j), c in zip(combinations(range(len(names)), 2), sc.confusions, strict=True):
            p = self._pair(names[i], names[j])
            self.pair_docs[p] += 1
            coinc += c + c.T
            self.pair_rows.append((p, d, c))
        self.coincidences.append(coinc / (len(names) - 1))
        self.doc_counts.append(counts)
        self.support.update(sc.support)
        self.tokens += sc.tokens
        self._sums = None
        if sc.f1 is None:
            return
        item = (-sc.f1, -d)  # a tie keeps the earlier document, as score_batch does
        if len(self.lowest) >= LOWEST and item <= self.lowest[0][:2]:
            return
        if sc.differences is None:
            return  # not among the lowest of its batch, so not among the lowest of all
        entry = {
            "task_id": sc.task_id,
            "article_id": sc.article_id,
            "annotators": names,
            "f1": sc.f1,
            "differences": sc.differences,
        }
        if len(self.lowest) >= LOWEST:
            heapq.heapreplace(self.lowest, (*item, entry))
        else:
            heapq.heappush(self.lowest, (*item, entry))

    def annotator_figures(self) -> dict[str, Any]:
        """Each annotator's agreement with the others per entity label and event type: the
        counts of every pair they are in, summed (micro), scored as the pairs are."""
        by_annotator: dict[tuple, list[int]] = {}
        for (_, (a, b), *key), (tp, n_a, n_b) in self.pair_labels.items():
            for me, mine, theirs in ((a, n_a, n_b), (b, n_b, n_a)):
                acc = by_annotator.setdefault((me, *key), [0, 0, 0])
                acc[0] += tp
                acc[1] += mine
                acc[2] += theirs
        out: dict[str, Any] = {}
        for (me, what, name, kind), (tp, mine, theirs) in sorted(by_annotator.items()):
            mine_of = out.setdefault(me, {"entities": {}, "events": {}})
            if what == "label":
                row = mine_of["entities"].setdefault(name, {})
                row[f"{kind}_f1"] = f1(tp, mine, theirs)
                if kind == "exact":
                    row["mine"], row["theirs"] = mine, theirs
            else:
                row = mine_of["events"].setdefault(name, {})
                row[f"{kind}_f1"] = f1(tp, mine, theirs)
                row[f"{kind}s_mine"], row[f"{kind}s_theirs"] = mine, theirs
        return out

    def _pair(self, a: str, b: str) -> int:
        if (a, b) not in self.pairs:
            self.pairs[(a, b)] = len(self.pairs)
        return self.pairs[(a, b)]

    # --- the figures ---------------------------------------------------------------------------

    def matrix(self) -> np.ndarray:
        """Per-document counts: documents x figures x (TP, n_a, n_b)."""
        m = np.zeros((len(self.doc_counts), len(self.columns), 3), dtype=np.int64)
        for d, counts in enumerate(self.doc_counts):
            for c, v in counts.items():
                m[d, c] = v
        return m

    def totals(self, key: tuple) -> tuple[int, int, int]:
        if self._sums is None:
            self._sums = self.matrix().sum(axis=0)
        c = self.columns.get(key)
        if c is None:
            return 0, 0, 0
        t = self._sums[c]
        return int(t[0]), int(t[1]), int(t[2])

    def pair_confusion(self) -> dict[int, np.ndarray]:
        v = len(self.values)
        out = {p: np.zeros((v, v), dtype=np.int64) for p in self.pairs.values()}
        for p, _, c in self.pair_rows:
            out[p] += c
        return out

    def result(self) -> dict[str, Any]:
        """The figures of ``agreement.json`` (without confidence intervals)."""
        tp, n_a, n_b = self.totals(("entities", "exact"))
        conf = self.pair_confusion()
        kappas = {p: cohen_kappa(c) for p, c in conf.items()}
        defined = [k for k in kappas.values() if k is not None]
        v = len(self.values)
        coinc = sum(self.coincidences, np.zeros((v, v)))
        by_label = {}
        for label in self.labels:
            if self.support[label] or ("label", label, "exact") in self.columns:
                by_label[label] = {
                    "exact_f1": f1(*self.totals(("label", label, "exact"))),
                    "overlap_f1": f1(*self.totals(("label", label, "overlap"))),
                    "support": self.support[label],
                }
        by_type = {}
        types = self.event_types + sorted(
            {k[1] for k in self.columns if k[0] == "type"} - set(self.event_types)
        )
        for typ in types:
            if ("type", typ, "trigger") in self.columns:
                by_type[typ] = {
                    "trigger_f1": f1(*self.totals(("type", typ, "trigger"))),
                    "argument_f1": f1(*self.totals(("type", typ, "argument"))),
                }
        pairs = []
        for (a, b), p in sorted(self.pairs.items()):
            pairs.append(
                {
                    "a": a,
                    "b": b,
                    "documents": self.pair_docs[p],
                    "entities_exact_f1": f1(*self.totals(("pair", p, "entities", "exact"))),
                    "token_kappa": kappas[p],
                    "trigger_f1": f1(*self.totals(("pair", p, "events", "trigger"))),
                    "argument_f1": f1(*self.totals(("pair", p, "events", "argument"))),
                }
            )
        return {
            "documents": len(self.doc_counts),
            "annotators": sorted(self.annotators),
            "annotators_per_document": {
                str(k): n for k, n in sorted(self.annotators_per_doc.items())
            },
            "entities": {
                "exact": {
                    "precision": ratio(tp, n_a),
                    "recall": ratio(tp, n_b),
                    "f1": f1(tp, n_a, n_b),
                },
                "overlap": {"f1": f1(*self.totals(("entities", "overlap")))},
                "by_label": by_label,
                "token_alpha": nominal_alpha(coinc),
                "token_kappa_mean": float(np.mean(defined)) if defined else None,
                "tokens": self.tokens,
            },
            "events": {
                "trigger": {"f1": f1(*self.totals(("events", "trigger")))},
                "argument": {"f1": f1(*self.totals(("events", "argument")))},
                "by_type": by_type,
            },
            "pairs": pairs,
            "by_annotator": self.annotator_figures(),
            "lowest": [e for _, _, e in sorted(self.lowest, key=lambda x: (-x[0], -x[1]))],
            "definitions": DEFINITIONS,
        }
