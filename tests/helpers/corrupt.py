"""Seeded corruption of annotated documents, to measure what the audit finds.

A share of the entities (and of the triggers) is changed in one of three ways, chosen at
random among those that apply: **relabel** (another type, drawn in proportion to how often the
corpus uses each), **drop** (the span is no longer annotated; arguments pointing at a dropped
entity go with it), **shift** (the span loses a leading proclitic و ف ب ك ل or the article ال,
when it has one). Each corruption is recorded with where it is, so a ranked list of suspects
can be scored against them (:func:`hits`).
"""

from __future__ import annotations

import copy
import random
import re
from collections import Counter
from typing import Any

_MARKS = re.compile("[\u064b-\u065f\u0670\u0640]")
_SHIFT = re.compile(r"^(ال|[وفبكل])(?=\w\w)")


def surface(text: str) -> str:
    """A span's text without diacritics and tatweel: what "seen N times" counts."""
    return _MARKS.sub("", text)


def _shift(text: str, start: int, end: int) -> int | None:
    """How many code points a leading clitic or article takes, or None."""
    if start > 0 and (text[start - 1].isalnum() or _MARKS.match(text[start - 1])):
        return None  # the span starts inside a word already
    m = _SHIFT.match(text[start:end])
    return len(m.group(1)) if m else None


def corrupt(
    docs: list[dict[str, Any]], rate: float = 0.05, seed: int = 0, triggers: bool = True
) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """(corrupted copies of ``docs``, the corruptions made)."""
    rng = random.Random(seed)
    docs = copy.deepcopy(docs)
    seen = Counter(surface(e["text"]) for d in docs for e in d["entities"])
    seen_t = Counter(surface(v["trigger"]["text"]) for d in docs for v in d["events"])
    labels = Counter(e["label"] for d in docs for e in d["entities"])
    types = Counter(v["type"] for d in docs for v in d["events"])
    out: list[dict[str, Any]] = []

    def other(counts: Counter[str], current: str) -> str | None:
        choices = [(lab, n) for lab, n in counts.items() if lab != current]
        if not choices:
            return None
        return rng.choices([c for c, _ in choices], weights=[n for _, n in choices])[0]

    items = [("entity", i, j) for i, d in enumerate(docs) for j in range(len(d["entities"]))]
    if triggers:
        items += [("trigger", i, j) for i, d in enumerate(docs) for j in range(len(d["events"]))]
    chosen: dict[tuple[str, int], list[int]] = {}
    for what in ("entity", "trigger"):
        pool = [it for it in items if it[0] == what]
        for _, i, j in rng.sample(pool, round(rate * len(pool))):
            chosen.setdefault((what, i), []).append(j)
    for (what, i), js in sorted(chosen.items()):
        d = docs[i]
        text = d["text"]
        dropped: set[int] = set()
        for j in js:
            item = d["entities"][j] if what == "entity" else d["events"][j]
            span = item if what == "entity" else item["trigger"]
            label = item["label"] if what == "entity" else item["type"]
            cut = _shift(text, span["start"], span["end"])
            new = other(labels if what == "entity" else types, label)
            ways = ["drop"] + (["relabel"] if new else []) + (["shift"] if cut else [])
            way = rng.choice(ways)
            record = {
                "what": what,
                "way": way,
                "article_id": d["article_id"],
                "start": span["start"],
                "end": span["end"],
                "text": span["text"],
                "label": label,
                "seen": (seen if what == "entity" else seen_t)[surface(span["text"])],
            }
            if way == "drop":
                dropped.add(j)
            elif way == "relabel":
                item["label" if what == "entity" else "type"] = record["new_label"] = new
            else:
                span["start"] += cut
                span["text"] = text[span["start"] : span["end"]]
                record["start"] = span["start"]
            out.append(record)
        if what == "entity":
            gone = {d["entities"][j]["id"] for j in dropped}
            d["entities"] = [e for k, e in enumerate(d["entities"]) if k not in dropped]
            for ev in d["events"]:
                ev["arguments"] = [a for a in ev["arguments"] if a["entity_id"] not in gone]
        else:
            d["events"] = [v for k, v in enumerate(d["events"]) if k not in dropped]
    return docs, out


def _what(kind: str) -> str:
    return "trigger" if kind.startswith("trigger") else "entity"


def hits(suspect: dict[str, Any], corruptions: dict[str, list[dict[str, Any]]]) -> list[int]:
    """Indexes of the corruptions (grouped by article id, each with its index ``n``) that a
    suspect points at: the same article, an overlapping span, an entity or a trigger alike."""
    s, e = suspect["span"]["start"], suspect["span"]["end"]
    return [
        c["n"]
        for aid in suspect["article_ids"]
        for c in corruptions.get(aid, [])
        if c["what"] == _what(suspect["kind"]) and c["start"] < e and s < c["end"]
    ]


def score(suspects: list[dict[str, Any]], corruptions: list[dict[str, Any]]) -> dict[str, Any]:
    """Precision among the top N suspects (N = the number of corruptions) and recall per way
    of corrupting, and for the relabelled entities seen at least five times."""
    by_article: dict[str, list[dict[str, Any]]] = {}
    for n, c in enumerate(corruptions):
        by_article.setdefault(c["article_id"], []).append({**c, "n": n})
    top = suspects[: len(corruptions)]
    found: set[int] = set()
    true = 0
    by_kind: dict[str, list[int]] = {}
    for s in top:
        h = hits(s, by_article)
        true += bool(h)
        found.update(h)
        k = by_kind.setdefault(s["kind"], [0, 0])
        k[0] += 1
        k[1] += bool(h)
    recall: dict[str, list[int]] = {}
    for n, c in enumerate(corruptions):
        for group in (f"{c['what']} {c['way']}", "all"):
            r = recall.setdefault(group, [0, 0])
            r[0] += 1
            r[1] += n in found
    frequent = [
        n
        for n, c in enumerate(corruptions)
        if c["what"] == "entity" and c["way"] == "relabel" and c["seen"] >= 5
    ]
    return {
        "corruptions": len(corruptions),
        "top_n": len(top),
        "precision": true / len(top) if top else None,
        "recall": len(found) / len(corruptions) if corruptions else None,
        "precision_by_kind": {k: (t, n) for k, (n, t) in sorted(by_kind.items())},
        "recall_by_way": {g: (f, n) for g, (n, f) in sorted(recall.items())},
        "frequent_relabels": (sum(n in found for n in frequent), len(frequent)),
    }
