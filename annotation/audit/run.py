"""``akhbar annotate audit``: a corpus-wide consistency audit of the annotations.

Reads validated documents, a snapshot or a release (:mod:`.inputs`), runs the checks of
:mod:`.findings` (and of :mod:`.model_check` with ``--model``), ranks the suspects by score and
writes, all at once (:mod:`akhbar.corpus.runtime.publish`):

- ``audit.jsonl``: one suspect per line, best first (``schemas/audit_suspect.schema.json``);
- ``audit.json``: what was read, counts by kind, per annotator and per label, how each kind is
  found (``schemas/audit_summary.schema.json``);
- ``audit.md``: the report, Arabic in right-to-left isolates.
"""

from __future__ import annotations

import time
from collections import Counter, defaultdict
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import orjson

from akhbar.annotation.audit import report
from akhbar.annotation.audit.findings import Finder
from akhbar.annotation.audit.inputs import read_documents
from akhbar.corpus.runtime.option_fields import opt
from akhbar.corpus.runtime.publish import publishing
from akhbar.corpus.store import articles_path
from akhbar.schemas.errors import InputError
from akhbar.schemas.taxonomy import Taxonomy

SUSPECTS = "audit.jsonl"
SUMMARY = "audit.json"
REPORT = "audit.md"
UNKNOWN = "(unknown)"  # the annotator of a release's or an import's documents

KINDS = {
    "entity_type": "the same string (without proclitics, ال, diacritics and tatweel) labelled "
    "with another type in most of its mentions; the minority mention is the suspect",
    "entity_type_words": "a mention whose words (and the shapes of its numbers) are those of "
    "another type, by a naive Bayes model of the rest of the corpus",
    "entity_missed": "a string labelled as an entity elsewhere (or elsewhere in the same "
    "article) left unlabelled here, counted apart inside another entity and outside any",
    "entity_boundary": "a proclitic, the article ال or a title (الرئيس, ...) inside the span "
    "here and outside it in the other mentions of the same entity or in the corpus at large",
    "trigger_type": "the same word marked as the trigger of another event type in most of its "
    "mentions",
    "trigger_missed": "a word marked as a trigger elsewhere left unmarked here",
    "trigger_boundary": "a proclitic or the article inside a trigger here and outside it in "
    "the other triggers of the same word or in the corpus at large",
    "model_type": "a suggestion model, sure of the sentence, gives an annotated span another label",
    "model_missed": "a suggestion model, sure of the sentence, marks an entity where none is "
    "annotated",
}


@dataclass(slots=True)
class AuditOptions:
    """What ``akhbar annotate audit`` is asked to do (see :func:`run_audit`)."""

    input: Path = opt(
        "Validated documents (documents.jsonl or the --out of akhbar annotate validate), a "
        "snapshot (validated first) or a release folder.",
        argument=True,
        metavar="INPUT",
    )
    corpus: Path = opt("Corpus store the documents' articles are in.")
    out: Path = opt("Directory for audit.jsonl, audit.json and audit.md.")
    taxonomy: Taxonomy | Path | None = opt(default=None)
    model: Path | None = opt(
        "A suggestion model (the --out of akhbar suggest train): its confident disagreements "
        "are suspects too.",
        None,
        metavar="MODEL_DIR",
    )
    min_score: float = opt("Leave out suspects scored below this.", 0.3, min=0.0, max=1.0)
    min_confidence: float = opt(
        "With --model: the least probability of the model's tagging of a sentence.",
        0.5,
        min=0.0,
        max=1.0,
    )


@dataclass
class AuditResult:
    out_dir: Path
    summary: dict[str, Any]
    suspects: list[dict[str, Any]]


def find_suspects(
    docs: list[dict[str, Any]],
    *,
    min_score: float = 0.0,
    model: Path | None = None,
    corpus: Path | None = None,
    min_confidence: float = 0.5,
) -> tuple[Finder, list[dict[str, Any]]]:
    """Every suspect of ``docs`` scored at least ``min_score``, best first."""
    f = Finder(docs)
    found = [
        *f.types(f.entities, "entity_type", "entity"),
        *f.word_types("entity_type_words"),
        *f.missed(f.entities, "entity_missed", "entity"),
        *f.boundaries(f.entities, "entity_boundary"),
        *f.types(f.triggers, "trigger_type", "trigger"),
        *f.missed(f.triggers, "trigger_missed", "trigger"),
        *f.boundaries(f.triggers, "trigger_boundary"),
    ]
    if model is not None:
        from akhbar.annotation.audit.model_check import model_suspects

        found += model_suspects(f, Path(model), Path(corpus or "."), min_confidence)
    found = _one_per_item([s for s in found if s["score"] >= min_score])
    found.sort(key=lambda s: (-s["score"], s["kind"], s["article_ids"][0], s["span"]["start"]))
    for rank, s in enumerate(found, 1):
        s["rank"] = rank
    return f, found


def _one_per_item(found: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """One suspect per span (of an entity, or of a trigger): the best scored, with the other
    kinds that point at it under ``also``."""
    best: dict[tuple[str, str, int, int], dict[str, Any]] = {}
    for s in sorted(found, key=lambda s: -s["score"]):
        item = (
            s["kind"].startswith("trigger"),
            s["article_ids"][0],
            s["span"]["start"],
            s["span"]["end"],
        )
        if item in best:
            best[item]["also"].append(s["kind"])
        else:
            best[item] = {**s, "also": []}
    return list(best.values())


def summarise(
    f: Finder, suspects: list[dict[str, Any]], source: dict[str, Any], opts: AuditOptions
) -> dict[str, Any]:
    by_annotator: dict[str, Counter[str]] = defaultdict(Counter)
    by_label: dict[str, Counter[str]] = defaultdict(Counter)
    for s in suspects:
        by_annotator[s["annotator"] or UNKNOWN][s["kind"]] += 1
        by_label[s["label"] or s["expected"] or UNKNOWN][s["kind"]] += 1
    annotated: Counter[str] = Counter(d.get("annotator") or UNKNOWN for d in f.docs)
    return {
        "input": source,
        "documents": len(f.docs),
        "entities": len(f.entities),
        "triggers": len(f.triggers),
        "suspects": len(suspects),
        "min_score": opts.min_score,
        "by_kind": {k: sum(1 for s in suspects if s["kind"] == k) for k in KINDS},
        "by_annotator": {
            a: {"documents": annotated[a], **dict(sorted(by_annotator[a].items()))}
            for a in sorted(set(annotated) | set(by_annotator))
        },
        "annotator_emails": dict(
            sorted(
                (d["annotator"], d["annotator_email"])
                for d in f.docs
                if d.get("annotator") and d.get("annotator_email")
            )
        ),
        "by_label": {lab: dict(sorted(c.items())) for lab, c in sorted(by_label.items())},
        "model": None  # its folder's name only: the summary may be shared
        if opts.model is None
        else {"path": Path(opts.model).name, "min_confidence": opts.min_confidence},
        "method": KINDS,
    }


def run_audit(opts: AuditOptions) -> AuditResult:
    """Audit ``opts.input`` and publish the three files at ``opts.out``."""
    t0 = time.perf_counter()
    if not articles_path(opts.corpus).exists():
        raise InputError(
            f"--corpus {opts.corpus}: not a corpus store (no articles); give the --out of "
            "akhbar corpus build or akhbar annotate import-conll's corpus/"
        )
    kind, docs = read_documents(opts.input, opts.corpus, opts.taxonomy)
    f, suspects = find_suspects(
        docs,
        min_score=opts.min_score,
        model=opts.model,
        corpus=opts.corpus,
        min_confidence=opts.min_confidence,
    )
    summary = summarise(f, suspects, {"path": str(opts.input), "kind": kind}, opts)
    summary["seconds"] = round(time.perf_counter() - t0, 3)
    out_dir = Path(opts.out)
    with publishing(
        out_dir,
        replace=True,
        marker=SUMMARY,
        what="audit output",
        inputs=[opts.input, opts.corpus] + ([opts.model] if opts.model else []),
    ) as out:
        tmp = out.path
        with (tmp / SUSPECTS).open("wb") as fh:
            fh.writelines(orjson.dumps(s) + b"\n" for s in suspects)
        (tmp / SUMMARY).write_bytes(orjson.dumps(summary, option=orjson.OPT_INDENT_2) + b"\n")
        (tmp / REPORT).write_text(report.markdown(summary, suspects), encoding="utf-8")
    return AuditResult(out_dir, summary, suspects)
