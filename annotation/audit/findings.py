"""The corpus-wide consistency checks: each finds suspects, scored by how likely an error.

A score is an estimate, from the corpus's own counts, of the chance that the item is wrong,
smoothed so that one occurrence never weighs like many:

- ``entity_type`` / ``trigger_type``: the same key labelled with several types; a mention of
  a minority type scores ``n_majority / (n + 1)`` (halved on a tie);
- ``entity_missed`` / ``trigger_missed``: the key occurs unlabelled where it is labelled
  elsewhere; scored ``labelled / (labelled + unlabelled + 1)`` where it stands on its own, and
  counted apart inside the entities of each label (a corpus that never nests is not asked
  to), with the string's rate inside any entity as a prior of weight 2;
- ``entity_boundary`` / ``trigger_boundary``: a proclitic, the article ال or a title left inside the span here and
  outside elsewhere (or the reverse); scored ``(n_other + 2 p) / (n + 2)`` where ``n_other``
  mentions of the same key were drawn the other way and ``p`` is the corpus-wide share of the
  other way (its convention).
"""

from __future__ import annotations

import hashlib
import math
import re
from collections import Counter, defaultdict
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from akhbar.annotation.audit.keys import TITLES, WORD, Key, Keys, clitic_prefix
from akhbar.annotation.suggest.arabic import normalise

EXCERPT = 40  # code points of context either side
MAX_DOCUMENTS = 5  # article ids named as evidence
MAX_WORDS = 8  # the longest span looked for unlabelled, in words
PRIOR = 2.0  # weight of the corpus-wide convention in a boundary score
WORDS_WEIGHT = 0.5  # a guess from words weighs less than the same string labelled otherwise
WORDS_FULL = 2000  # mentions from which the words model is trusted fully
ALPHA = 0.1  # smoothing of the word counts
BACKOFF = 2.0  # weight of a string's rate inside any entity, for one label's entities


@dataclass(slots=True)
class Mention:
    doc: int
    start: int
    end: int
    label: str
    key: Key


def excerpt(text: str, start: int, end: int, width: int = EXCERPT) -> str:
    """The span in brackets with some text either side, on one line."""
    left, right = text[max(0, start - width) : start], text[end : end + width]
    return " ".join(f"{left}[{text[start:end]}]{right}".split())


def suspect_id(kind: str, article_id: str, start: int, end: int) -> str:
    return hashlib.sha256(f"{kind}|{article_id}|{start}|{end}".encode()).hexdigest()[:16]


def _container(ents: list[Mention], key: Key, s: int, e: int) -> str | None:
    """The label of the smallest entity of another key that holds [s, e), if any."""
    holders = [
        m
        for m in ents
        if m.key != key and m.start <= s and e <= m.end and (m.start, m.end) != (s, e)
    ]
    return min(holders, key=lambda m: m.end - m.start).label if holders else None


class Finder:
    """The documents, their mentions and the corpus's counts; each check is a method."""

    def __init__(self, docs: list[dict[str, Any]]) -> None:
        self.docs = docs
        self.keys = Keys(d["text"] for d in docs)
        self.entities: list[Mention] = []
        self.triggers: list[Mention] = []
        for i, d in enumerate(docs):
            text = d["text"]
            for e in d["entities"]:
                k = self.keys.key(text[e["start"] : e["end"]])
                if k:
                    self.entities.append(Mention(i, e["start"], e["end"], e["label"], k))
            for v in d["events"]:
                t = v["trigger"]
                k = self.keys.key(text[t["start"] : t["end"]])
                if k:
                    self.triggers.append(Mention(i, t["start"], t["end"], v["type"], k))

    # --- one suspect --------------------------------------------------------------------------

    def suspect(
        self,
        kind: str,
        score: float,
        doc: int,
        start: int,
        end: int,
        *,
        label: str | None,
        expected: str | None,
        key: Key,
        counts: dict[str, int],
        elsewhere: list[int],
        why: str,
    ) -> dict[str, Any]:
        d = self.docs[doc]
        text = d["text"]
        others = list(dict.fromkeys(self.docs[o]["article_id"] for o in elsewhere if o != doc))
        return {
            "id": suspect_id(kind, d["article_id"], start, end),
            "kind": kind,
            "score": round(score, 4),
            "article_ids": [d["article_id"]],
            "task_ids": [d["task_id"]] if d.get("task_id") is not None else [],
            "annotator": d.get("annotator"),
            "annotator_email": d.get("annotator_email"),
            "span": {"start": start, "end": end, "text": text[start:end]},
            "label": label,
            "expected": expected,
            "key": " ".join(key),
            "why": why,
            "evidence": {
                "counts": dict(sorted(counts.items())),
                "documents": others[:MAX_DOCUMENTS],
                "excerpts": [excerpt(text, start, end)],
            },
        }

    # --- types --------------------------------------------------------------------------------

    def types(self, mentions: list[Mention], kind: str, what: str) -> Iterator[dict[str, Any]]:
        groups: dict[Key, list[Mention]] = defaultdict(list)
        for m in mentions:
            groups[m.key].append(m)
        for key, ms in groups.items():
            counts = Counter(m.label for m in ms)
            if len(counts) < 2:
                continue
            n = len(ms)
            for label, mine in counts.items():
                other, theirs = max(
                    ((lab, c) for lab, c in counts.items() if lab != label),
                    key=lambda x: (x[1], x[0]),
                )
                if theirs < mine:
                    continue
                score = theirs / (n + 1) * (0.5 if theirs == mine else 1.0)
                elsewhere = [m.doc for m in ms if m.label == other]
                for m in ms:
                    if m.label == label:
                        yield self.suspect(
                            kind,
                            score,
                            m.doc,
                            m.start,
                            m.end,
                            label=label,
                            expected=other,
                            key=key,
                            counts=dict(counts),
                            elsewhere=elsewhere,
                            why=f"{what} {label} here, {other} in {theirs} of {n} mentions",
                        )

    # --- unlabelled occurrences ---------------------------------------------------------------

    def missed(self, mentions: list[Mention], kind: str, what: str) -> Iterator[dict[str, Any]]:
        by_key: dict[Key, Counter[str]] = defaultdict(Counter)
        for m in mentions:
            by_key[m.key][m.label] += 1
        prefixes = {k[:i] for k in by_key for i in range(1, len(k) + 1)}
        longest = min(MAX_WORDS, max((len(k) for k in by_key), default=0))
        spans_of: dict[int, list[Mention]] = defaultdict(list)
        for m in mentions:
            spans_of[m.doc].append(m)
        entities_of: dict[int, list[Mention]] = defaultdict(list)
        for m in self.entities:
            entities_of[m.doc].append(m)
        # counted per context: the label of the entity the occurrence is inside, or None
        labelled: Counter[tuple[Key, str | None]] = Counter()
        found: list[tuple[Key, str | None, int, int, int]] = []  # unlabelled: key, where, doc, s, e
        for doc, d in enumerate(self.docs):
            text = d["text"]
            ws = [(m.start(), m.end(), self.keys.split(m.group())[1]) for m in WORD.finditer(text)]
            own, ents = spans_of.get(doc, []), entities_of.get(doc, [])
            for i in range(len(ws)):
                for n in range(1, longest + 1):
                    if i + n > len(ws):
                        break
                    key = tuple(w[2] for w in ws[i : i + n])
                    if key not in prefixes:
                        break
                    if key not in by_key:
                        continue
                    s, e = ws[i][0], ws[i + n - 1][1]
                    over = [m for m in own if m.start < e and s < m.end]
                    inside = _container(ents, key, s, e)
                    if any(m.key == key for m in over):
                        labelled[(key, inside)] += 1
                    elif all(m.start <= s and e <= m.end for m in over):
                        found.append((key, inside, doc, s, e))  # a partial overlap: a boundary
        unlabelled = Counter((k, inside) for k, inside, *_ in found)
        nested_lab: Counter[Key] = Counter()  # inside any entity: what a rare context backs off to
        nested_unl: Counter[Key] = Counter()
        for (k, inside), n in labelled.items():
            nested_lab[k] += n if inside else 0
        for (k, inside), n in unlabelled.items():
            nested_unl[k] += n if inside else 0
        for key, inside, doc, s, e in found:
            lab, unl = labelled[(key, inside)], unlabelled[(key, inside)]
            if inside:
                pooled = nested_lab[key] / (nested_lab[key] + nested_unl[key] + 1)
                score = (lab + BACKOFF * pooled) / (lab + unl + BACKOFF)
            else:
                score = lab / (lab + unl + 1)
            if not lab and score < 0.5:
                continue
            counts = by_key[key]
            expected = max(counts, key=lambda x: (counts[x], x))
            where = f"inside a {inside}" if inside else "on its own"
            yield self.suspect(
                kind,
                score,
                doc,
                s,
                e,
                label=None,
                expected=expected,
                key=key,
                counts={**counts, "unlabelled": unl},
                elsewhere=[m.doc for m in mentions if m.key == key][: MAX_DOCUMENTS + 1],
                why=f"{what} unlabelled here; labelled {lab} times {where}, unlabelled {unl}",
            )

    # --- boundaries ---------------------------------------------------------------------------

    def _edges(self, m: Mention) -> dict[str, tuple[str, Key]]:
        """How the mention's left edge was drawn: feature -> ("with"|"without", the key its
        mentions are compared under)."""
        text = self.docs[m.doc]["text"]
        out: dict[str, tuple[str, Key]] = {}
        ws = m.start
        while ws > 0 and WORD.fullmatch(text[ws - 1]):
            ws -= 1
        prefix = normalise(text[ws : m.start])
        first = WORD.match(text, m.start)
        if prefix:
            if clitic_prefix(prefix):
                if prefix.endswith("ال"):
                    bare, article = prefix[:-2], True
                elif prefix.endswith("لل"):  # ل before the article, whose alef is not written
                    bare, article = prefix[:-1], True
                else:
                    bare, article = prefix, False
                if article:
                    out["article"] = ("without", m.key)
                if bare:
                    out["proclitic"] = ("without", m.key)
        elif first is not None:
            clitics, _ = self.keys.split(first.group())
            word = normalise(first.group())
            if clitics:
                out["proclitic"] = ("with", m.key)
            if word[len(clitics) :].startswith("ال") or clitics.endswith("لل"):
                out["article"] = ("with", m.key)
        if len(m.key) > 1 and m.key[0] in TITLES:
            out["title"] = ("with", m.key[1:])
        else:
            before = text[: m.start].rstrip()
            if len(before) < m.start:  # a space between
                prev = list(WORD.finditer(before[-30:]))
                if (
                    prev
                    and prev[-1].end() == len(before[-30:])
                    and self.keys.split(prev[-1].group())[1] in TITLES
                ):
                    out["title"] = ("without", m.key)
        return out

    def boundaries(self, mentions: list[Mention], kind: str) -> Iterator[dict[str, Any]]:
        edges = [(m, self._edges(m)) for m in mentions]
        overall: dict[str, Counter[str]] = defaultdict(Counter)
        groups: dict[tuple[str, Key, str], Counter[str]] = defaultdict(Counter)
        docs_of: dict[tuple[str, Key, str], list[int]] = defaultdict(list)
        for m, feats in edges:
            for feat, (way, key) in feats.items():
                overall[feat][way] += 1
                groups[(feat, key, m.label)][way] += 1
                docs_of[(feat, key, m.label)].append(m.doc)
        for m, feats in edges:
            for feat, (way, key) in feats.items():
                other = "with" if way == "without" else "without"
                total = sum(overall[feat].values())
                p = overall[feat][other] / total
                g = groups[(feat, key, m.label)]
                score = (g[other] + PRIOR * p) / (g[way] + g[other] + PRIOR)
                if score <= 0.5:
                    continue
                name = {"proclitic": "a proclitic", "article": "the article ال", "title": "a title"}
                yield self.suspect(
                    kind,
                    score,
                    m.doc,
                    m.start,
                    m.end,
                    label=m.label,
                    expected=m.label,
                    key=m.key,
                    counts={f"{feat} {w}": c for w, c in sorted(g.items())},
                    elsewhere=docs_of[(feat, key, m.label)],
                    why=f"{name[feat]} {'inside' if way == 'with' else 'outside'} the span here; "
                    f"{g[other]} of the same {m.label} drawn the other way, and "
                    f"{p:.0%} of all such spans",
                )

    # --- types from the words ----------------------------------------------------------------

    def word_types(self, kind: str, weight: float = WORDS_WEIGHT) -> Iterator[dict[str, Any]]:
        """Mentions whose label is unlikely given their words, as a naive Bayes model of the
        rest of the corpus sees them (each mention is judged without itself): a string seen
        once is judged by its words (``قرية``, ``جامعة``) and their shapes (``0000``)."""
        feats = [_features(m.key) for m in self.entities]
        per_label: Counter[str] = Counter(m.label for m in self.entities)
        counts: dict[str, Counter[str]] = defaultdict(Counter)
        totals: Counter[str] = Counter()
        for m, fs in zip(self.entities, feats, strict=True):
            for f in fs:
                counts[f][m.label] += 1
            totals[m.label] += len(fs)
        vocab = len(counts)
        labels = sorted(per_label)
        n = len(self.entities)
        weight *= min(1.0, n / WORDS_FULL)  # a model of a few hundred mentions is overconfident
        if len(labels) < 2:
            return
        for m, fs in zip(self.entities, feats, strict=True):
            logp = {}
            for lab in labels:
                own = lab == m.label
                size = per_label[lab] - own
                if size <= 0:
                    continue
                total = totals[lab] - (len(fs) if own else 0)
                lp = math.log(size / (n - 1))
                for f in fs:
                    c = counts[f][lab] - own
                    lp += math.log((c + ALPHA) / (total + ALPHA * vocab))
                logp[lab] = lp
            if m.label not in logp:
                continue
            top = max(logp.values())
            z = sum(math.exp(v - top) for v in logp.values())
            post = {lab: math.exp(v - top) / z for lab, v in logp.items()}
            other = max((lab for lab in post if lab != m.label), key=lambda x: post[x])
            if post[other] <= post[m.label]:
                continue
            yield self.suspect(
                kind,
                weight * post[other] * (1 - post[m.label]),
                m.doc,
                m.start,
                m.end,
                label=m.label,
                expected=other,
                key=m.key,
                counts={lab: per_label[lab] for lab in (m.label, other)},
                elsewhere=[],
                why=f"entity {m.label} here; its words are those of {other} "
                f"({post[other]:.0%} by the rest of the corpus, {post[m.label]:.0%} {m.label})",
            )


def _shape(word: str) -> str:
    return re.sub(r"[^\d]+", "a", re.sub(r"\d", "0", word))


def _features(key: Key) -> list[str]:
    out = [f"w:{w}" for w in key]
    out += [f"s:{_shape(w)}" for w in key if any(c.isdigit() for c in w)]
    out.append(f"n:{min(len(key), 4)}")
    return out
