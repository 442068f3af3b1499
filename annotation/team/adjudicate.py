"""Adjudication: one proposal per task that several annotators annotated, and its conflicts.

A strategy decides how many annotators must agree, exactly, on an item for the proposal to
keep it: ``majority`` more than half of the task's annotators, ``unanimous`` all of them. An
item is an entity (label and span), a trigger (event type and span) or an argument (its
trigger, role and argument span; kept only when its trigger is kept and an entity is kept at
its span). What is not kept everywhere is a *conflict*, listed with each annotator's version:

- ``entity``: a group of overlapping entity spans on which the annotators' sets differ;
- ``trigger``: the same, for triggers;
- ``argument``: a trigger whose arguments differ between the annotators who marked it.

The proposal is a document of ``schemas/document.schema.json`` whose ``score`` is the task's
agreement: the share of the items any annotator marked that every annotator marked alike (1
only where they all agree). Pushed to Label Studio as a prediction (``model_version``
``akhbar-adjudication-<strategy>``, that score as the prediction score, so the Data Manager
sorts proposals by how disputed they are), with a second prediction
(:data:`~annotation.labelstudio.resolution.CONFLICTS_MODEL`) where there are conflicts: one
region for each item the proposal dropped, its meta naming who marked it and who did not, and
one on each trigger whose arguments differ, listing each annotator's. An adjudicator
duplicates the proposal in Label Studio, edits and submits it; the annotation records the
proposal as its ``parent_prediction``, which makes it a resolution
(:mod:`annotation.labelstudio.resolution`) that ``akhbar annotate validate`` selects and
``akhbar annotate resolve`` marks ground truth.
"""

from __future__ import annotations

import functools
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import orjson

from akhbar.annotation.labelstudio import team_calls
from akhbar.annotation.labelstudio.client import Client
from akhbar.annotation.labelstudio.labelconfig import ENTITY_CONTROL, TEXT_OBJECT, TRIGGER_CONTROL
from akhbar.annotation.labelstudio.resolution import ADJUDICATION_MODEL, CONFLICTS_MODEL
from akhbar.annotation.labelstudio.to_results import document_to_results
from akhbar.annotation.team.annotator_versions import (
    SnapshotTally,
    TaskVersions,
    VersionReader,
)
from akhbar.annotation.team.measures import argument_keys, entity_keys, trigger_keys
from akhbar.corpus.file_digest import sha256_file
from akhbar.corpus.runtime.option_fields import opt
from akhbar.corpus.runtime.publish import Output
from akhbar.schemas import taxonomy as taxonomy_mod
from akhbar.schemas.errors import UsageError
from akhbar.schemas.taxonomy import Taxonomy

STRATEGIES = ("majority", "unanimous")
SUMMARY = "adjudication.json"
DOCUMENTS = "documents.jsonl"
CONFLICTS = "conflicts.jsonl"


def model_version(strategy: str) -> str:
    return f"{ADJUDICATION_MODEL}-{strategy}"


def needed(strategy: str, annotators: int) -> int:
    """How many annotators must agree on an item for the proposal to keep it."""
    if strategy == "majority":
        return annotators // 2 + 1
    if strategy == "unanimous":
        return annotators
    raise UsageError(f"--strategy {strategy!r}: use one of {', '.join(STRATEGIES)}")


@dataclass
class Adjudication:
    """The proposal of one task and its conflicts."""

    document: dict[str, Any]
    conflicts: list[dict[str, Any]] = field(default_factory=list)
    resolved: bool = False  # an adjudicator already resolved the task
    proposed: bool = False  # a proposal was already posted to it


def agreement_score(ents: dict[str, Any], trigs: dict[str, Any], args: dict[str, Any]) -> float:
    """The share of the items (entities, triggers, arguments) any annotator marked that every
    annotator marked alike; 1.0 when nobody marked anything."""
    items = [
        {("entity", k) for k in ents[n]}
        | {("trigger", k) for k in trigs[n]}
        | {("argument", k) for k in args[n]}
        for n in ents
    ]
    union = set().union(*items)
    return len(set.intersection(*items)) / len(union) if union else 1.0


def _support(keys_by_annotator: dict[str, Any]) -> Counter:
    """How many annotators have each item (an annotator counts once per item)."""
    c: Counter = Counter()
    for keys in keys_by_annotator.values():
        c.update(set(keys))
    return c


def adjudicate(task: TaskVersions, strategy: str, tax: Taxonomy | None = None) -> Adjudication:
    """The proposal for one task; with ``tax``, an argument is kept only on a kept entity
    whose type the role allows (annotators may agree on an argument but not on its entity's
    label)."""
    names = sorted(task.versions)
    k = needed(strategy, len(names))
    docs = {n: task.versions[n] for n in names}
    ents = {n: entity_keys(d) for n, d in docs.items()}
    trigs = {n: trigger_keys(d) for n, d in docs.items()}
    args = {n: argument_keys(d) for n, d in docs.items()}
    keep_e = sorted(key for key, c in _support(ents).items() if c >= k)
    keep_t = sorted(key for key, c in _support(trigs).items() if c >= k)
    kept_t = set(keep_t)
    text = task.text
    entities = [
        {"id": f"e{i + 1}", "start": s, "end": e, "text": text[s:e], "label": label}
        for i, (label, s, e) in enumerate(keep_e)
    ]
    at_span: dict[tuple[int, int], list[dict[str, Any]]] = {}
    for ent in entities:
        at_span.setdefault((ent["start"], ent["end"]), []).append(ent)
    events = []
    for i, (typ, s, e) in enumerate(keep_t):
        events.append(
            {
                "id": f"t{i + 1}",
                "type": typ,
                "trigger": {"start": s, "end": e, "text": text[s:e]},
                "arguments": [],
            }
        )
    by_trigger = {key: ev for key, ev in zip(keep_t, events, strict=True)}
    for key, c in sorted(_support(args).items()):
        typ, ts, te, role, s, e = key
        if c < k or (typ, ts, te) not in kept_t:
            continue
        event = tax.event(typ) if tax is not None else None
        allowed = event.roles.get(role, ()) if event is not None else None
        fits = [x for x in at_span.get((s, e), ()) if allowed is None or x["label"] in allowed]
        if fits:
            by_trigger[(typ, ts, te)]["arguments"].append(
                {"role": role, "entity_id": fits[0]["id"]}
            )
    first = docs[names[0]]
    doc = {
        "article_id": task.article_id,
        "text": text,
        "task_id": task.task_id,
        "annotation_id": None,
        "annotator": model_version(strategy),
        "annotator_id": None,
        "created_at": None,
        "updated_at": None,
        "selection": f"adjudication-{strategy}",
        "taxonomy": first.get("taxonomy", ""),
        "entities": entities,
        "events": events,
        "score": round(agreement_score(ents, trigs, args), 4),
    }
    conflicts = _span_conflicts(task, "entity", ents, set(keep_e))
    conflicts += _span_conflicts(task, "trigger", trigs, kept_t)
    conflicts += _argument_conflicts(task, trigs, args)
    return Adjudication(doc, conflicts, task.adjudicated, task.proposed)


def _span_conflicts(
    task: TaskVersions, kind: str, keys: dict[str, Counter], kept: set[tuple]
) -> list[dict[str, Any]]:
    """Groups of overlapping spans on which the annotators' sets differ."""
    every = sorted({key for ks in keys.values() for key in ks}, key=lambda x: (x[1], x[2]))
    groups: list[list[tuple]] = []
    reach = -1
    for key in every:
        if groups and key[1] < reach:
            groups[-1].append(key)
            reach = max(reach, key[2])
        else:
            groups.append([key])
            reach = key[2]
    out = []
    field_name = "label" if kind == "entity" else "type"
    owned = {n: set(ks) for n, ks in keys.items()}
    for group in groups:
        if len(group) == 1 and all(group[0] in o for o in owned.values()):
            continue  # the common case: one span everybody marked alike
        members = set(group)
        versions = {n: sorted(o & members) for n, o in owned.items()}
        if len({tuple(v) for v in versions.values()}) == 1:
            continue
        s, e = min(x[1] for x in group), max(x[2] for x in group)
        out.append(
            {
                "task_id": task.task_id,
                "article_id": task.article_id,
                "kind": kind,
                "start": s,
                "end": e,
                "text": task.text[s:e],
                "versions": {
                    n: [
                        {
                            field_name: x[0],
                            "start": x[1],
                            "end": x[2],
                            "text": task.text[x[1] : x[2]],
                        }
                        for x in v
                    ]
                    for n, v in versions.items()
                },
                "kept": [
                    {field_name: x[0], "start": x[1], "end": x[2]} for x in sorted(members & kept)
                ],
            }
        )
    return out


def _argument_conflicts(
    task: TaskVersions, trigs: dict[str, Counter], args: dict[str, Counter]
) -> list[dict[str, Any]]:
    out = []
    every = sorted({key for ks in trigs.values() for key in ks}, key=lambda x: (x[1], x[2], x[0]))
    for trig in every:
        marked = [n for n, ks in trigs.items() if trig in ks]
        versions = {
            n: sorted({(a[3], a[4], a[5]) for a in args[n] if a[:3] == trig}) for n in marked
        }
        if len(marked) < 2 or len({tuple(v) for v in versions.values()}) == 1:
            continue
        typ, s, e = trig
        out.append(
            {
                "task_id": task.task_id,
                "article_id": task.article_id,
                "kind": "argument",
                "start": s,
                "end": e,
                "text": task.text[s:e],
                "type": typ,
                "versions": {
                    n: [{"role": r, "start": a, "end": b, "text": task.text[a:b]} for r, a, b in v]
                    for n, v in versions.items()
                },
            }
        )
    return out


@dataclass
class AdjudicationRun:
    out_dir: Path
    summary: dict[str, Any]
    to_propose: set[Any]  # task ids with neither a proposal nor a resolution yet


def adjudicate_batch(tasks: list[TaskVersions], strategy: str, tax: Taxonomy) -> list[Adjudication]:
    return [adjudicate(t, strategy, tax) for t in tasks]


def iter_adjudications(
    snapshot: Path,
    corpus_dir: Path,
    tax: Taxonomy,
    strategy: str,
    tally: SnapshotTally,
    workers: int | None = None,
) -> Iterator[Adjudication]:
    """The adjudication of every shared task, in export order (``workers`` as in
    :meth:`annotation.team.annotator_versions.VersionReader.batches`)."""
    step = functools.partial(adjudicate_batch, strategy=strategy, tax=tax)
    for batch in VersionReader(corpus_dir, tax).batches(snapshot, tally, step, workers):
        yield from batch


@dataclass(slots=True)
class AdjudicateOptions:
    """What ``akhbar annotate adjudicate`` is asked to do (see :func:`run_adjudication`)."""

    snapshot: Path = opt("An export snapshot (the --out of akhbar annotate pull).", argument=True)
    corpus: Path = opt("Corpus store the tasks were pushed from.")
    out: Path = opt("Directory for documents.jsonl, conflicts.jsonl, adjudication.json.")
    strategy: str = opt(
        "Keep an item when more than half (majority) or all (unanimous) annotators agree.",
        "majority",
        choices=STRATEGIES,
    )
    taxonomy: Taxonomy | Path | None = opt(default=None)
    workers: int = opt(
        "Processes reading the export (0: one per core; a small one is read here).", 0
    )


def run_adjudication(opts: AdjudicateOptions) -> AdjudicationRun:
    """Write ``documents.jsonl``, ``conflicts.jsonl`` and ``adjudication.json``."""
    strategy, workers = opts.strategy, opts.workers
    needed(strategy, 2)  # an unknown strategy fails before anything is read
    snapshot, out_dir, corpus_dir = Path(opts.snapshot), Path(opts.out), Path(opts.corpus)
    taxonomy = opts.taxonomy
    tax = taxonomy_mod.load(taxonomy)
    tally = SnapshotTally()
    # An earlier adjudication output at out_dir is replaced; anything else there is refused.
    output = Output(out_dir, replace=True, marker=SUMMARY, what="adjudication output")
    tmp = output.path
    kinds: Counter = Counter()
    to_propose: set[Any] = set()
    counts: Counter = Counter()
    with output:
        with (tmp / DOCUMENTS).open("wb") as docs, (tmp / CONFLICTS).open("wb") as conf:
            adjs = iter_adjudications(snapshot, corpus_dir, tax, strategy, tally, workers)
            for adj in adjs:
                docs.write(orjson.dumps(adj.document) + b"\n")
                conf.writelines(orjson.dumps(c) + b"\n" for c in adj.conflicts)
                kinds.update(c["kind"] for c in adj.conflicts)
                counts["tasks"] += 1
                counts["with_conflicts"] += bool(adj.conflicts)
                counts["entities"] += len(adj.document["entities"])
                counts["events"] += len(adj.document["events"])
                if adj.resolved:
                    counts["already_resolved"] += 1
                elif adj.proposed:
                    counts["already_proposed"] += 1
                else:
                    to_propose.add(adj.document["task_id"])
        summary = {
            "strategy": strategy,
            "model_version": model_version(strategy),
            "snapshot": {"path": str(snapshot), "sha256": sha256_file(snapshot).sha256},
            "taxonomy": {"name": tax.name, "version": tax.version, "sha256": tax.sha256},
            "read": tally.to_dict(),
            "tasks": counts["tasks"],
            "tasks_with_conflicts": counts["with_conflicts"],
            "already_resolved": counts["already_resolved"],
            "already_proposed": counts["already_proposed"],
            "kept": {"entities": counts["entities"], "events": counts["events"]},
            "conflicts": {k: kinds[k] for k in ("entity", "trigger", "argument")},
        }
        (tmp / SUMMARY).write_bytes(orjson.dumps(summary, option=orjson.OPT_INDENT_2) + b"\n")
        output.commit()
    return AdjudicationRun(out_dir, summary, to_propose)


def proposals(run: AdjudicationRun) -> Iterator[dict[str, Any]]:
    """The adjudicated documents still to be proposed, read back from ``documents.jsonl``."""
    with (run.out_dir / DOCUMENTS).open("rb") as f:
        for line in f:
            doc = orjson.loads(line)
            if doc["task_id"] in run.to_propose:
                yield doc


def _version_line(who: str, items: list[dict[str, Any]], key: str) -> str:
    shown = ", ".join(f"{x[key]} \u00ab{x['text']}\u00bb" for x in items) or "nothing"
    return f"{who}: {shown}"


def conflict_results(conflicts: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """What a proposal could not decide, as Label Studio regions: one for each item of a
    conflict that the proposal dropped, and one on each trigger whose arguments differ; each
    region's meta text gives every annotator's version (the region details panel shows it)."""
    out: list[dict[str, Any]] = []

    def region(control: str, label: str, x: dict[str, Any], note: list[str]) -> None:
        out.append(
            {
                "id": f"c{len(out) + 1}",
                "from_name": control,
                "to_name": TEXT_OBJECT,
                "type": "labels",
                "origin": "prediction",
                "value": {
                    "start": x["start"],
                    "end": x["end"],
                    "text": x["text"],
                    "labels": [label],
                },
                "meta": {"text": note},
            }
        )

    for c in conflicts:
        if c["kind"] == "argument":
            lines = [_version_line(w, v, "role") for w, v in sorted(c["versions"].items())]
            region(TRIGGER_CONTROL, c["type"], c, ["arguments:", *lines])
            continue
        key = "label" if c["kind"] == "entity" else "type"
        control = ENTITY_CONTROL if c["kind"] == "entity" else TRIGGER_CONTROL
        kept = {(k[key], k["start"], k["end"]) for k in c["kept"]}
        lines = [_version_line(w, v, key) for w, v in sorted(c["versions"].items())]
        by: dict[tuple, tuple[dict[str, Any], list[str]]] = {}
        for who, items in sorted(c["versions"].items()):
            for x in items:
                by.setdefault((x["start"], x["end"], x[key]), (x, []))[1].append(who)
        for (s, e, label), (x, whom) in sorted(by.items()):
            if (label, s, e) in kept:
                continue
            others = sorted(set(c["versions"]) - set(whom))
            note = [f"dropped: marked by {', '.join(whom)}, not by {', '.join(others)}", *lines]
            region(control, label, x, note)
    return out


def _conflicts_by_task(run: AdjudicationRun) -> dict[Any, list[dict[str, Any]]]:
    by: dict[Any, list[dict[str, Any]]] = {}
    with (run.out_dir / CONFLICTS).open("rb") as f:
        for line in f:
            c = orjson.loads(line)
            if c["task_id"] in run.to_propose:
                by.setdefault(c["task_id"], []).append(c)
    return by


def push_proposals(client: Client, run: AdjudicationRun) -> int:
    """Post each new proposal to its task as a prediction scored by the task's agreement, and
    what it could not decide as a second prediction; how many tasks were proposed."""
    mv = run.summary["model_version"]
    conflicts = _conflicts_by_task(run)
    n = 0
    for doc in proposals(run):
        score = doc.get("score", 1.0)
        team_calls.propose(client, doc["task_id"], document_to_results(doc), mv, score)
        undecided = conflict_results(conflicts.get(doc["task_id"], []))
        if undecided:
            team_calls.propose(client, doc["task_id"], undecided, CONFLICTS_MODEL, score)
        n += 1
    return n
