"""The audit's tests in one place: plant errors into documents, run the real
``akhbar annotate audit`` on them, and find a planted error among the suspects."""

from __future__ import annotations

import json
from collections import Counter
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import orjson

from tests.helpers import run_akhbar


@dataclass
class Audited:
    """What one ``annotate audit`` run printed and wrote."""

    stdout: str
    suspects: list[dict[str, Any]]  # audit.jsonl, best first
    summary: dict[str, Any]  # audit.json
    out: Path


def write_docs(path: Path, docs: list[dict[str, Any]]) -> Path:
    path.write_bytes(b"".join(orjson.dumps(d) + b"\n" for d in docs))
    return path


def audit(source: Path | list[dict[str, Any]], corpus: Path, out: Path, *extra) -> Audited:
    """``akhbar annotate audit`` of ``source`` (a path, or documents written beside ``out``
    first) into ``out``; it must succeed."""
    if not isinstance(source, (str, Path)):
        source = write_docs(out.with_name(out.name + ".jsonl"), source)
    code, stdout, err = run_akhbar(
        "annotate", "audit", source, "--corpus", corpus, "--out", out, *extra
    )
    assert code == 0, err
    return Audited(
        stdout,
        [orjson.loads(x) for x in (out / "audit.jsonl").read_bytes().splitlines()],
        json.loads((out / "audit.json").read_text(encoding="utf-8")),
        out,
    )


def plant(docs: list[dict[str, Any]]) -> tuple[list[dict[str, Any]], list[tuple[str, str, int]]]:
    """Five errors, each where the rest of the documents say otherwise (a copy is changed):
    the documents and the planted errors as (kind, article, start)."""
    docs = json.loads(json.dumps(docs))
    texts = Counter((e["text"], e["label"]) for d in docs for e in d["entities"])
    (text, label), _ = texts.most_common(1)[0]
    where = [(d, e) for d in docs for e in d["entities"] if e["text"] == text]
    planted = []
    d, e = where[0]
    e["label"] = "ORG" if label != "ORG" else "GPE"
    planted.append(("entity_type", d["article_id"], e["start"]))
    d, e = where[1]
    assert d is not where[0][0]
    d["entities"].remove(e)
    for ev in d["events"]:
        ev["arguments"] = [a for a in ev["arguments"] if a["entity_id"] != e["id"]]
    planted.append(("entity_missed", d["article_id"], e["start"]))
    d, e = next(
        (d, e)
        for d in docs[3:]
        for e in d["entities"]
        if e["text"].startswith("ال") and len(e["text"]) > 4 and e["text"] != text
    )
    e["start"] += 2
    e["text"] = e["text"][2:]
    planted.append(("entity_boundary", d["article_id"], e["start"]))
    triggers = Counter((v["trigger"]["text"], v["type"]) for d in docs for v in d["events"])
    (ttext, ttype), _ = triggers.most_common(1)[0]
    twhere = [(d, v) for d in docs for v in d["events"] if v["trigger"]["text"] == ttext]
    d, v = twhere[0]
    v["type"] = "Attack" if ttype != "Attack" else "Die"
    planted.append(("trigger_type", d["article_id"], v["trigger"]["start"]))
    d, v = twhere[1]
    d["events"].remove(v)
    planted.append(("trigger_missed", d["article_id"], v["trigger"]["start"]))
    return docs, planted


def at(suspects: list[dict[str, Any]], kind: str, aid: str, start: int) -> list[dict[str, Any]]:
    """The suspects of ``kind`` in article ``aid`` whose span holds ``start``."""
    return [
        s
        for s in suspects
        if s["kind"] == kind
        and s["article_ids"] == [aid]
        and s["span"]["start"] <= start < s["span"]["end"]
    ]
