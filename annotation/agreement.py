"""Inter-annotator agreement over annotated documents: entities, tokens and events.

Pure functions over documents (``schemas/document.schema.json``): it does not matter which
client fetched them. :class:`Agreement` takes the tasks that two or more annotators annotated
one by one (:class:`annotation.versions.TaskVersions`) and keeps only counts, so memory does
not grow with the documents beyond a few numbers each (kept for the confidence intervals).

The definitions (:data:`DEFINITIONS`, written into ``agreement.json``, the report and the
card) are the contract the tests check against independent computations.
"""

from __future__ import annotations

import heapq
from collections import Counter
from collections.abc import Iterable
from itertools import combinations
from typing import Any, Protocol

import numpy as np

from akhbar.corpus.release.align import outermost

OUTSIDE = "O"
LOWEST = 10  # documents with the lowest agreement, shown with their differences
DIFFERENCES = 25  # differences shown per document

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
}


class Versions(Protocol):
    task_id: Any
    article_id: str
    text: str
    versions: dict[str, dict[str, Any]]

    def tokens(self) -> tuple[np.ndarray, np.ndarray]: ...


# --- the measures, one pair at a time -----------------------------------------------------------


def f1(tp: float, n_a: float, n_b: float) -> float | None:
    """2TP/(2TP+FP+FN) with FP = n_a - TP and FN = n_b - TP; None when both are empty."""
    return None if n_a + n_b == 0 else 2 * tp / (n_a + n_b)


def ratio(num: float, den: float) -> float | None:
    return None if den == 0 else num / den


def entity_keys(doc: dict[str, Any]) -> Counter:
    return Counter((e["label"], e["start"], e["end"]) for e in doc["entities"])


def trigger_keys(doc: dict[str, Any]) -> Counter:
    return Counter((v["type"], v["trigger"]["start"], v["trigger"]["end"]) for v in doc["events"])


def argument_keys(doc: dict[str, Any]) -> Counter:
    """(event type, trigger span, role, argument span) of every argument."""
    spans = {e["id"]: (e["start"], e["end"]) for e in doc["entities"]}
    out: Counter = Counter()
    for v in doc["events"]:
        t = v["trigger"]
        for a in v["arguments"]:
            s, e = spans[a["entity_id"]]
            out[(v["type"], t["start"], t["end"], a["role"], s, e)] += 1
    return out


def common(a: Counter, b: Counter) -> int:
    """Items matched one to one between two multisets."""
    return sum((a & b).values())


def overlap_matches(a: Iterable[tuple[str, int, int]], b: Iterable[tuple[str, int, int]]) -> int:
    """The size of a maximum one-to-one matching of same-label overlapping spans."""
    by_label: dict[str, tuple[list, list]] = {}
    for i, side in enumerate((a, b)):
        for label, s, e in side:
            by_label.setdefault(label, ([], []))[i].append((s, e))
    total = 0
    for left, right in by_label.values():
        if left and right:
            total += _max_matching(left, right)
    return total


def _max_matching(left: list[tuple[int, int]], right: list[tuple[int, int]]) -> int:
    """Kuhn's augmenting paths over the overlap graph (a few dozen spans per label)."""
    adj = [[j for j, (s2, e2) in enumerate(right) if s < e2 and s2 < e] for s, e in left]
    owner = [-1] * len(right)

    def augment(i: int, seen: list[bool]) -> bool:
        for j in adj[i]:
            if not seen[j]:
                seen[j] = True
                if owner[j] < 0 or augment(owner[j], seen):
                    owner[j] = i
                    return True
        return False

    return sum(augment(i, [False] * len(right)) for i in range(len(left)) if adj[i])


def token_values(
    starts: np.ndarray, ends: np.ndarray, doc: dict[str, Any], index: dict[str, int]
) -> np.ndarray:
    """Per token: 1 + the label index of the outermost entity covering it, 0 for ``O``."""
    values = np.zeros(len(starts), dtype=np.int64)
    ents = doc["entities"]
    if not ents or not len(starts):
        return values
    s = np.array([e["start"] for e in ents], dtype=np.int64)
    e = np.array([e["end"] for e in ents], dtype=np.int64)
    kept, _, _ = outermost(s, e)
    for k in reversed(kept.tolist()):  # in reverse text order, so the earlier entity wins a tie
        lo = int(np.searchsorted(ends, s[k], side="right"))
        hi = int(np.searchsorted(starts, e[k], side="left"))
        values[lo:hi] = 1 + index[ents[k]["label"]]
    return values


def confusion(a: np.ndarray, b: np.ndarray, n_values: int) -> np.ndarray:
    """Counts of (a's value, b's value) over the same tokens."""
    return np.bincount(a * n_values + b, minlength=n_values * n_values).reshape(n_values, n_values)


def cohen_kappa(c: np.ndarray) -> float | None:
    """Cohen's kappa of a confusion matrix; None when chance agreement is certain."""
    n = c.sum()
    if n == 0:
        return None
    po = np.trace(c) / n
    pe = float(c.sum(axis=1) @ c.sum(axis=0)) / (n * n)
    return None if pe >= 1 else float((po - pe) / (1 - pe))


def nominal_alpha(o: np.ndarray) -> float | None:
    """Krippendorff's alpha (nominal) from a coincidence matrix; None when undefined."""
    n_c = o.sum(axis=1)
    n = n_c.sum()
    spread = n * n - float(n_c @ n_c)
    if n <= 1 or spread <= 0:
        return None
    return float(1 - (n - 1) * (n - np.trace(o)) / spread)


# --- accumulating over documents ----------------------------------------------------------------


class Agreement:
    """Counts of agreement over tasks added one by one; :meth:`result` is ``agreement.json``.

    Per document, the counts behind every figure are kept (a few numbers, plus a small
    coincidence matrix) so that :mod:`annotation.agreement_ci` can resample documents.
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
        names = sorted(task.versions)
        if len(names) < 2:
            return
        docs = [task.versions[n] for n in names]
        self.annotators.update(names)
        self.annotators_per_doc[len(names)] += 1
        d = len(self.doc_counts)
        counts: dict[int, np.ndarray] = {}

        def count(key: tuple, tp: int, n_a: int, n_b: int) -> None:
            c = self.column(key)
            if c not in counts:
                counts[c] = np.zeros(3, dtype=np.int64)
            counts[c] += (tp, n_a, n_b)

        ents = [entity_keys(doc) for doc in docs]
        trig = [trigger_keys(doc) for doc in docs]
        args = [argument_keys(doc) for doc in docs]
        for ek in ents:
            for (label, _, _), k in ek.items():
                self.support[label] += k
        starts, ends = task.tokens()
        self.tokens += len(starts)
        self._sums = None
        tok = [token_values(starts, ends, doc, self.index) for doc in docs]
        v = len(self.values)
        coinc = np.zeros((v, v), dtype=np.float64)
        for i, j in combinations(range(len(names)), 2):
            p = self._pair(names[i], names[j])
            self.pair_docs[p] += 1
            pair_counts = self._pair_counts(ents[i], ents[j], trig[i], trig[j], args[i], args[j])
            for key, tp, n_a, n_b in pair_counts:
                count(key, tp, n_a, n_b)
                count(("pair", p, *key), tp, n_a, n_b)
            c = confusion(tok[i], tok[j], v)
            coinc += c + c.T
            self.pair_rows.append((p, d, c))
        self.coincidences.append(coinc / (len(names) - 1))
        self.doc_counts.append(counts)
        self._keep_if_low(task, names, docs, counts)

    def _pair(self, a: str, b: str) -> int:
        if (a, b) not in self.pairs:
            self.pairs[(a, b)] = len(self.pairs)
        return self.pairs[(a, b)]

    def _pair_counts(
        self, ea: Counter, eb: Counter, ta: Counter, tb: Counter, aa: Counter, ab: Counter
    ) -> list[tuple[tuple, int, int, int]]:
        """(figure, TP, n_a, n_b) of one pair on one document."""
        out = [
            (("entities", "exact"), common(ea, eb), ea.total(), eb.total()),
            (
                ("entities", "overlap"),
                overlap_matches(ea.elements(), eb.elements()),
                ea.total(),
                eb.total(),
            ),
            (("events", "trigger"), common(ta, tb), ta.total(), tb.total()),
            (("events", "argument"), common(aa, ab), aa.total(), ab.total()),
        ]
        for label in {k[0] for k in ea} | {k[0] for k in eb}:
            la = Counter({k: n for k, n in ea.items() if k[0] == label})
            lb = Counter({k: n for k, n in eb.items() if k[0] == label})
            out.append((("label", label, "exact"), common(la, lb), la.total(), lb.total()))
            ov = overlap_matches(la.elements(), lb.elements())
            out.append((("label", label, "overlap"), ov, la.total(), lb.total()))
        for kind, a, b in (("trigger", ta, tb), ("argument", aa, ab)):
            for typ in {k[0] for k in a} | {k[0] for k in b}:
                xa = Counter({k: n for k, n in a.items() if k[0] == typ})
                xb = Counter({k: n for k, n in b.items() if k[0] == typ})
                out.append((("type", typ, kind), common(xa, xb), xa.total(), xb.total()))
        return out

    def _keep_if_low(
        self, task: Versions, names: list[str], docs: list[dict], counts: dict[int, np.ndarray]
    ) -> None:
        total = np.zeros(3, dtype=np.int64)
        for key in (("entities", "exact"), ("events", "trigger"), ("events", "argument")):
            total += counts.get(self.columns[key], 0)
        score = f1(*total.tolist())
        if score is None:
            return
        item = (-score, len(self.doc_counts))
        if len(self.lowest) >= LOWEST and item <= self.lowest[0][:2]:
            return
        entry = {
            "task_id": task.task_id,
            "article_id": task.article_id,
            "annotators": names,
            "f1": score,
            "differences": differences(task.text, names, docs),
        }
        if len(self.lowest) >= LOWEST:
            heapq.heapreplace(self.lowest, (*item, entry))
        else:
            heapq.heappush(self.lowest, (*item, entry))

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
            "lowest": [e for _, _, e in sorted(self.lowest, key=lambda x: (-x[0], x[1]))],
            "definitions": DEFINITIONS,
        }


def differences(text: str, names: list[str], docs: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Every entity, trigger and argument that not all annotators have, with who has it."""
    items: dict[tuple, set[str]] = {}
    for name, doc in zip(names, docs, strict=True):
        for label, s, e in entity_keys(doc):
            items.setdefault(("entity", label, s, e), set()).add(name)
        for typ, s, e in trigger_keys(doc):
            items.setdefault(("trigger", typ, s, e), set()).add(name)
        for typ, ts, te, role, s, e in argument_keys(doc):
            items.setdefault(("argument", f"{typ}.{role}", s, e, ts, te), set()).add(name)
    out = []
    for key in sorted(items, key=lambda k: (k[2], k[3], k[0], k[1])):
        have = items[key]
        if len(have) == len(names):
            continue
        kind, label, s, e = key[:4]
        d = {"kind": kind, "label": label, "start": s, "end": e, "text": text[s:e]}
        if kind == "argument":
            d["trigger"] = text[key[4] : key[5]]
        d["by"] = sorted(have)
        d["not_by"] = [n for n in names if n not in have]
        out.append(d)
        if len(out) >= DIFFERENCES:
            break
    return out
