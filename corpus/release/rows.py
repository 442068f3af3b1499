"""One chunk of annotated articles -> Arrow record batches for every config and split.

This is the work a build spreads over processes: it reads each article's document from
``documents.jsonl`` by byte offset, checks it against the corpus article, and builds the rows of
the ``documents``, ``ner`` and ``events`` configs together with the counts the manifest and the
card report. It returns Arrow batches (cheap to send between processes), never Python rows.
"""

from __future__ import annotations

import hashlib
import itertools
import os
from collections import Counter
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import orjson
import pyarrow as pa

from corpus.errors import InputError, IntegrityError
from corpus.release.align import tag_entities
from corpus.release.labels import ReleaseLabels
from corpus.release.segment import code_points, segment
from corpus.release.splits import SPLITS


@dataclass(slots=True)
class Chunk:
    """Articles (metadata and text, as read from ``articles.parquet``) and where their documents are."""

    documents_path: str
    articles: list[dict[str, Any]]
    locations: list[tuple[int, int, int]]  # (byte offset, byte length, line number) per article
    splits: list[int]  # index into SPLITS per article


@dataclass(slots=True)
class SplitStats:
    articles: int = 0
    entities: Counter = field(default_factory=Counter)
    events: Counter = field(default_factory=Counter)
    roles: Counter = field(default_factory=Counter)
    ner_entities: Counter = field(default_factory=Counter)
    sources: Counter = field(default_factory=Counter)
    sentences: int = 0
    tokens: int = 0

    def merge(self, other: SplitStats) -> None:
        self.articles += other.articles
        self.sentences += other.sentences
        self.tokens += other.tokens
        for name in ("entities", "events", "roles", "ner_entities", "sources"):
            getattr(self, name).update(getattr(other, name))

    def to_dict(self) -> dict[str, Any]:
        return {
            "articles": self.articles,
            "sentences": self.sentences,
            "tokens": self.tokens,
            "entities": dict(sorted(self.entities.items())),
            "events": dict(sorted(self.events.items())),
            "roles": dict(sorted(self.roles.items())),
            "ner_entities": dict(sorted(self.ner_entities.items())),
            "sources": dict(sorted(self.sources.items())),
        }


@dataclass(slots=True)
class ChunkResult:
    batches: dict[tuple[str, str], pa.RecordBatch]
    stats: dict[str, SplitStats]
    adjustments: Counter
    examples: list[dict[str, Any]]
    hashes: list[str]  # annotation hash per article, in chunk order


def annotation_hash(doc: dict[str, Any]) -> str:
    """A short hash of an article's entities and events, to tell changed annotations apart."""
    payload = orjson.dumps(
        {"entities": doc.get("entities", []), "events": doc.get("events", [])},
        option=orjson.OPT_SORT_KEYS,
    )
    return hashlib.sha256(payload).hexdigest()[:16]


class Converter:
    """Builds rows for all configs; one per worker process."""

    def __init__(self, labels: ReleaseLabels, schemas: dict[str, pa.Schema]):
        self.labels = labels
        self.entity_index = {n: i for i, n in enumerate(labels.entity_names)}
        self.event_index = {n: i for i, n in enumerate(labels.event_names)}
        self.role_index = {n: i for i, n in enumerate(labels.role_names)}
        self.schemas = schemas
        self._fds: dict[str, int] = {}

    # -- reading -------------------------------------------------------------------------

    def _read_document(self, path: str, offset: int, length: int, line: int) -> dict[str, Any]:
        fd = self._fds.get(path)
        if fd is None:
            fd = self._fds[path] = os.open(path, os.O_RDONLY)
        raw = os.pread(fd, length, offset)
        try:
            doc = orjson.loads(raw)
        except orjson.JSONDecodeError as e:
            raise InputError(
                f"{path} line {line}: not valid JSON ({e}); re-run akhbar annotate validate"
            ) from e
        if not isinstance(doc, dict):
            raise InputError(f"{path} line {line}: a document must be a JSON object")
        return doc

    # -- checks --------------------------------------------------------------------------

    def _check_span(self, where: str, text: str, s: Any, e: Any, value: Any) -> None:
        if not (isinstance(s, int) and isinstance(e, int) and 0 <= s < e <= len(text)):
            raise IntegrityError(
                f"{where}: span [{s}, {e}) is outside the text (length {len(text)}); "
                "re-run akhbar annotate validate"
            )
        if text[s:e] != value:
            raise IntegrityError(
                f"{where}: text[{s}:{e}] is {text[s:e]!r}, not {value!r}; "
                "re-run akhbar annotate validate"
            )

    def _label(self, table: dict[str, int], name: Any, kind: str, where: str) -> int:
        try:
            return table[name]
        except (KeyError, TypeError):
            raise IntegrityError(
                f"{where}: {kind} {name!r} is not in taxonomy {self.labels.name}@"
                f"{self.labels.version} (known: {', '.join(table)}); pass the taxonomy the "
                "documents were validated with (--taxonomy FILE)"
            ) from None

    # -- conversion ----------------------------------------------------------------------

    def convert(self, chunk: Chunk) -> ChunkResult:
        docs_rows: dict[str, list] = {s: [] for s in SPLITS}
        event_rows: dict[str, list] = {s: [] for s in SPLITS}
        ner_cols: dict[str, _NerColumns] = {s: _NerColumns() for s in SPLITS}
        stats = {s: SplitStats() for s in SPLITS}
        adjustments: Counter = Counter()
        examples: list[dict[str, Any]] = []
        hashes: list[str] = []

        for meta, (offset, length, line), split_i in zip(
            chunk.articles, chunk.locations, chunk.splits, strict=True
        ):
            split = SPLITS[split_i]
            doc = self._read_document(chunk.documents_path, offset, length, line)
            aid = meta["id"]
            where = f"{chunk.documents_path} line {line}, article {aid}"
            if doc.get("article_id") != aid:
                raise IntegrityError(
                    f"{where}: the line names article {doc.get('article_id')!r}; the documents "
                    "file changed while the release was built, build again"
                )
            text = meta["text"]
            if doc.get("text") != text:
                raise IntegrityError(_text_mismatch(where, doc.get("text"), text))
            hashes.append(annotation_hash(doc))
            st = stats[split]
            st.articles += 1
            st.sources[meta.get("source") or "unknown"] += 1

            entities, by_id = self._entities(doc, text, where, st)
            events = self._events(doc, text, where, by_id, st)
            docs_rows[split].append(
                {
                    "id": aid,
                    "title": meta.get("title"),
                    "text": text,
                    "source": meta.get("source"),
                    "url": meta.get("url"),
                    "published": meta.get("published"),
                    "retrieved": meta.get("retrieved"),
                    "truncated": bool(meta.get("truncated")),
                    "cluster_id": meta.get("cluster_id"),
                    "entities": entities,
                    "events": events,
                }
            )

            cp = code_points(text)
            protected = [(e["start"], e["end"]) for e in entities]
            protected += [(ev["trigger"]["start"], ev["trigger"]["end"]) for ev in events]
            seg = segment(text, protected, cp)
            adjustments["sentence_merges"] += seg.merged
            tagging = tag_entities(
                text,
                seg.starts,
                seg.ends,
                [(e["start"], e["end"], e["label"]) for e in entities],
                aid,
            )
            adjustments.update(tagging.counts)
            if len(examples) < 12:
                examples.extend(tagging.examples[: 12 - len(examples)])
            ner_cols[split].add_article(aid, text, seg, tagging, st, self.labels.entity_names)
            self._event_rows(aid, text, seg, events, by_id, event_rows[split])

        batches: dict[tuple[str, str], pa.RecordBatch] = {}
        for split in SPLITS:
            if docs_rows[split]:
                batches[("documents", split)] = pa.RecordBatch.from_pylist(
                    docs_rows[split], schema=self.schemas["documents"]
                )
            if ner_cols[split].ids:
                batches[("ner", split)] = ner_cols[split].to_batch(self.schemas["ner"])
            if event_rows[split]:
                batches[("events", split)] = pa.RecordBatch.from_pylist(
                    event_rows[split], schema=self.schemas["events"]
                )
        return ChunkResult(batches, stats, adjustments, examples, hashes)

    def _entities(
        self, doc: dict, text: str, where: str, st: SplitStats
    ) -> tuple[list[dict], dict[str, dict]]:
        names = self.labels.entity_names
        out: list[dict] = []
        by_id: dict[str, dict] = {}
        for k, e in enumerate(doc.get("entities") or []):
            w = f"{where}, entity {e.get('id', k)}"
            self._check_span(w, text, e.get("start"), e.get("end"), e.get("text"))
            label = self._label(self.entity_index, e.get("label"), "entity label", w)
            row = {
                "id": e["id"],
                "start": e["start"],
                "end": e["end"],
                "text": e["text"],
                "label": label,
            }
            out.append(row)
            by_id[e["id"]] = row
            st.entities[names[label]] += 1
        return out, by_id

    def _events(
        self, doc: dict, text: str, where: str, by_id: dict[str, dict], st: SplitStats
    ) -> list[dict]:
        out: list[dict] = []
        event_names = self.labels.event_names
        role_names = self.labels.role_names
        for k, ev in enumerate(doc.get("events") or []):
            w = f"{where}, event {ev.get('id', k)}"
            etype = self._label(self.event_index, ev.get("type"), "event type", w)
            trig = ev.get("trigger") or {}
            self._check_span(
                w + " trigger", text, trig.get("start"), trig.get("end"), trig.get("text")
            )
            args = []
            for a in ev.get("arguments") or []:
                role = self._label(self.role_index, a.get("role"), "role", w)
                ent = by_id.get(a.get("entity_id"))
                if ent is None:
                    raise IntegrityError(
                        f"{w}: argument {a.get('role')} points to entity {a.get('entity_id')!r}, "
                        "which the document does not have; re-run akhbar annotate validate"
                    )
                args.append(
                    {
                        "role": role,
                        "entity_id": ent["id"],
                        "start": ent["start"],
                        "end": ent["end"],
                        "text": ent["text"],
                    }
                )
                st.roles[role_names[role]] += 1
            out.append(
                {
                    "id": ev["id"],
                    "type": etype,
                    "trigger": {"start": trig["start"], "end": trig["end"], "text": trig["text"]},
                    "arguments": args,
                }
            )
            st.events[event_names[etype]] += 1
        return out

    def _event_rows(
        self,
        aid: str,
        text: str,
        seg: Any,
        events: list[dict],
        by_id: dict[str, dict],
        rows: list[dict],
    ) -> None:
        if not events:
            return
        first = seg.sentence_starts
        sent_start = seg.starts[first]
        last = np.append(first[1:], len(seg.starts)) - 1
        sent_end = seg.ends[last]
        for ev in events:
            t = ev["trigger"]
            lo = min([t["start"], *(a["start"] for a in ev["arguments"])])
            hi = max([t["end"], *(a["end"] for a in ev["arguments"])])
            si = max(int(np.searchsorted(sent_start, lo, side="right")) - 1, 0)
            sj = max(int(np.searchsorted(sent_start, hi - 1, side="right")) - 1, 0)
            cs = min(int(sent_start[si]), lo) if len(sent_start) else lo
            ce = max(int(sent_end[sj]), hi) if len(sent_end) else hi
            rows.append(
                {
                    "id": f"{aid}:{ev['id']}",
                    "article_id": aid,
                    "event_id": ev["id"],
                    "event_type": ev["type"],
                    "text": text[cs:ce],
                    "context_start": cs,
                    "context_end": ce,
                    "trigger": {"start": t["start"] - cs, "end": t["end"] - cs, "text": t["text"]},
                    "arguments": [
                        {
                            "role": a["role"],
                            "entity_id": a["entity_id"],
                            "entity_label": by_id[a["entity_id"]]["label"],
                            "start": a["start"] - cs,
                            "end": a["end"] - cs,
                            "text": a["text"],
                        }
                        for a in ev["arguments"]
                    ],
                }
            )


class _NerColumns:
    """Columns of ``ner`` rows for one split, kept as flat arrays until the batch is built."""

    def __init__(self) -> None:
        self.ids: list[str] = []
        self.article_ids: list[str] = []
        self.sentence: list[int] = []
        self.start: list[int] = []
        self.end: list[int] = []
        self.text: list[str] = []
        self.lengths: list[int] = []
        self.tokens: list[str] = []
        self.token_starts: list[np.ndarray] = []
        self.token_ends: list[np.ndarray] = []
        self.tags: list[np.ndarray] = []

    def add_article(
        self, aid: str, text: str, seg: Any, tagging: Any, st: SplitStats, names: list[str]
    ) -> None:
        starts, ends, tags = tagging.starts, tagging.ends, tagging.tags
        if len(starts) == 0:
            return
        # Sentence boundaries are token starts, which clitic splits never move.
        sent_first = np.searchsorted(starts, seg.starts[seg.sentence_starts])
        bounds = [*sent_first.tolist(), len(starts)]
        s_list = starts.tolist()
        e_list = ends.tolist()
        self.tokens.extend([text[a:b] for a, b in zip(s_list, e_list, strict=True)])
        begins = tags[(tags % 2) == 1]
        if len(begins):
            for label, n in zip(*np.unique((begins - 1) // 2, return_counts=True), strict=True):
                st.ner_entities[names[int(label)]] += int(n)
        for k, (a, b) in enumerate(itertools.pairwise(bounds)):
            cs, ce = s_list[a], e_list[b - 1]
            self.ids.append(f"{aid}-{k:04d}")
            self.article_ids.append(aid)
            self.sentence.append(k)
            self.start.append(cs)
            self.end.append(ce)
            self.text.append(text[cs:ce])
            self.lengths.append(b - a)
            self.token_starts.append(starts[a:b] - cs)
            self.token_ends.append(ends[a:b] - cs)
            self.tags.append(tags[a:b])
        st.sentences += len(bounds) - 1
        st.tokens += len(s_list)

    def to_batch(self, schema: pa.Schema) -> pa.RecordBatch:
        offsets = pa.array(np.concatenate(([0], np.cumsum(self.lengths))).astype(np.int32))

        def lists(values: pa.Array) -> pa.Array:
            return pa.ListArray.from_arrays(offsets, values)

        arrays = [
            pa.array(self.ids, pa.string()),
            pa.array(self.article_ids, pa.string()),
            pa.array(self.sentence, pa.int32()),
            pa.array(self.start, pa.int32()),
            pa.array(self.end, pa.int32()),
            pa.array(self.text, pa.string()),
            lists(pa.array(self.tokens, pa.string())),
            lists(pa.array(np.concatenate(self.token_starts).astype(np.int32))),
            lists(pa.array(np.concatenate(self.token_ends).astype(np.int32))),
            lists(pa.array(np.concatenate(self.tags).astype(np.int64))),
        ]
        return pa.RecordBatch.from_arrays(arrays, schema=schema)


def _text_mismatch(where: str, doc_text: Any, text: str) -> str:
    if not isinstance(doc_text, str):
        return f"{where}: the document has no text; re-run akhbar annotate validate"
    k = next(
        (i for i, (a, b) in enumerate(zip(doc_text, text, strict=False)) if a != b),
        min(len(doc_text), len(text)),
    )
    return (
        f"{where}: the annotated text differs from the corpus article's text (first at offset "
        f"{k}; lengths {len(doc_text)} and {len(text)}); annotate and validate against this corpus"
    )


_converter: Converter | None = None


def init_worker(labels: ReleaseLabels, schemas: dict[str, pa.Schema]) -> None:
    """Process-pool initializer: one converter per worker (the schemas come ready-made, so a
    worker never imports ``datasets``)."""
    global _converter
    _converter = Converter(labels, schemas)


def convert_chunk(chunk: Chunk) -> ChunkResult:
    """Process-pool task (the converter comes from :func:`init_worker`)."""
    assert _converter is not None, "init_worker was not called"
    return _converter.convert(chunk)
