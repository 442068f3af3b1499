"""One chunk of annotated articles -> Arrow record batches for every config and split.

This is the work a build spreads over processes: it reads each article's document from
``documents.jsonl`` by byte offset, checks it against the corpus article, and builds the rows of
the ``documents``, ``ner`` and ``events`` configs together with the counts the manifest and the
card report. It returns Arrow batches (cheap to send between processes), never Python rows.
"""

from __future__ import annotations

import hashlib
import operator
import os
from collections import Counter
from dataclasses import dataclass, field
from typing import Any, NoReturn

import numpy as np
import orjson
import pyarrow as pa
import pyarrow.compute as pc

from akhbar.corpus.release.align import tag_entities
from akhbar.corpus.release.segment import (
    CLASS,
    SPACE,
    code_points,
    parse_given_tokens,
    segment,
    with_given_tokens,
)
from akhbar.corpus.release.splits import SPLITS
from akhbar.corpus.store import text_digest
from akhbar.schemas.document import check_document, errors, matches_schema
from akhbar.schemas.errors import InputError, IntegrityError
from akhbar.schemas.taxonomy import Taxonomy


@dataclass(slots=True)
class Chunk:
    """Articles (metadata from ``articles.parquet``, and a digest of each text) and where
    their documents are."""

    documents_path: str
    articles: list[dict[str, Any]]
    digests: list[bytes]  # text_digest of each article's text in the corpus
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

    def __init__(self, labels: Taxonomy, schemas: dict[str, pa.Schema]):
        self.labels = labels
        self.entity_index = {n: i for i, n in enumerate(labels.entity_names)}
        self.event_index = {n: i for i, n in enumerate(labels.event_names)}
        self.role_index = {n: i for i, n in enumerate(labels.role_names)}
        # (event type, role, entity label index) of every argument the taxonomy allows
        self.allowed_fillers = {
            (event, role, self.entity_index[t])
            for event, roles in labels.event_roles.items()
            for role, types in roles.items()
            for t in types
        }
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

    def _refuse(self, doc: dict[str, Any], text: str, where: str) -> NoReturn:
        """Raise with the first error the one document check finds (the slow path: taken only
        when the quick checks below fail)."""
        found = errors(check_document(doc, text, self.labels))
        if found:
            i = found[0]
            raise IntegrityError(
                f"{where}, {i.path.lstrip('/') or 'document'}: {i.code} {i.message}; pass the "
                "taxonomy the documents were validated with (--taxonomy FILE), or re-run akhbar "
                "annotate validate"
            )
        raise IntegrityError(f"{where}: malformed document; re-run akhbar annotate validate")

    # -- conversion ----------------------------------------------------------------------

    def convert(self, chunk: Chunk) -> ChunkResult:
        """All rows of a chunk.

        Articles are read and checked one by one and their entity columns collected as flat
        lists; everything else runs per split over the whole chunk at once: the texts of a
        split are joined by line breaks (which always end a sentence) and tokenised, split
        into sentences and tagged as one long text, so numpy works on long arrays.
        """
        groups = [_Group() for _ in SPLITS]
        stats = {s: SplitStats() for s in SPLITS}
        hashes: list[str] = []
        for meta, digest, (pos, length, line), split_i in zip(
            chunk.articles, chunk.digests, chunk.locations, chunk.splits, strict=True
        ):
            doc = self._read_document(chunk.documents_path, pos, length, line)
            aid = meta["id"]
            if doc.get("article_id") != aid:
                raise IntegrityError(
                    f"{chunk.documents_path} line {line}, article {aid}: the line names article "
                    f"{doc.get('article_id')!r}; the documents file changed while the release "
                    "was built, build again"
                )
            text = doc.get("text")
            if not isinstance(text, str) or text_digest(text) != digest:
                where = f"{chunk.documents_path} line {line}, article {aid}"
                raise IntegrityError(_text_mismatch(where, text))
            if not matches_schema(doc):
                self._refuse(doc, text, f"{chunk.documents_path} line {line}, article {aid}")
            hashes.append(annotation_hash(doc))
            st = stats[SPLITS[split_i]]
            st.articles += 1
            st.sources[meta.get("source") or "unknown"] += 1
            self._add(groups[split_i], meta, doc, text, f"{chunk.documents_path} line {line}", st)

        batches: dict[tuple[str, str], pa.RecordBatch] = {}
        adjustments: Counter = Counter()
        examples: list[dict[str, Any]] = []
        for split, g in zip(SPLITS, groups, strict=True):
            if not g.aids:
                continue
            names = self.labels.entity_names
            for label, n in enumerate(np.bincount(g.ent_labels, minlength=len(names)).tolist()):
                if n:
                    stats[split].entities[names[label]] += n
            batches[("documents", split)] = self._documents_batch(g)
            ner, tagging, merged = self._ner_batch(g, stats[split])
            adjustments.update(tagging.counts)
            adjustments["sentence_merges"] += merged
            examples.extend(tagging.examples)
            if ner.num_rows:
                batches[("ner", split)] = ner
            if g.events_at:
                batches[("events", split)] = pa.RecordBatch.from_pylist(
                    self._event_rows(g, ner_sentences=g.sentences), schema=self.schemas["events"]
                )
        return ChunkResult(batches, stats, adjustments, examples[:12], hashes)

    def _add(self, g: _Group, meta: dict, doc: dict, text: str, where: str, st: SplitStats) -> None:
        """Check one document's entities and events and append them to its split's group."""
        aid = meta["id"]
        ents = doc["entities"]  # the schema is checked: the keys and types are there
        index = self.entity_index
        try:
            ids = [e["id"] for e in ents]
            starts = [e["start"] for e in ents]
            ends = [e["end"] for e in ents]
            values = [e["text"] for e in ents]
            labels = [index[e["label"]] for e in ents]
            # map() keeps these checks in C: they run for every entity of every article.
            ok = not ents or (
                set(map(type, starts)) == {int}
                and set(map(type, ends)) == {int}
                and set(map(type, ids)) == {str}
                and min(starts) >= 0
                and max(ends) <= len(text)
                and all(map(operator.lt, starts, ends))
                and list(map(text.__getitem__, map(slice, starts, ends))) == values
                and len(set(ids)) == len(ids)
            )
        except (KeyError, TypeError):
            ok = False
        if not ok:
            self._refuse(doc, text, f"{where}, article {aid}")
        by_id = dict(zip(ids, range(len(ids)), strict=True))
        events = self._events(
            doc, text, f"{where}, article {aid}", ids, starts, ends, values, labels, by_id, st
        )
        offset = g.offset
        given = parse_given_tokens(meta.get("metadata"), text, f"{where}, article {aid}")
        if given is not None:
            g.given_tokens[len(g.aids)] = given
        g.aids.append(aid)
        g.metas.append(meta)
        g.texts.append(text)
        g.doc_offsets.append(offset)
        g.ent_counts.append(len(ids))
        g.ent_ids.extend(ids)
        g.ent_starts.extend(starts)
        g.ent_ends.extend(ends)
        g.ent_texts.extend(values)
        g.ent_labels.extend(labels)
        g.events.append(events)
        for ev in events:
            t = ev["trigger"]
            g.triggers.append((t["start"] + offset, t["end"] + offset))
            g.events_at.append((len(g.aids) - 1, ev))
        g.offset = offset + len(text) + 1

    def _events(
        self,
        doc: dict,
        text: str,
        where: str,
        ids: list,
        starts: list,
        ends: list,
        values: list,
        labels: list,
        by_id: dict[str, int],
        st: SplitStats,
    ) -> list[dict]:
        out: list[dict] = []
        event_names = self.labels.event_names
        role_names = self.labels.role_names
        allowed = self.allowed_fillers
        seen: set[str] = set(by_id)
        for ev in doc["events"]:  # the schema is checked: the keys and types are there
            etype = self.event_index.get(ev["type"])
            trig = ev["trigger"]
            s, e = trig["start"], trig["end"]
            if (
                etype is None
                or ev["id"] in seen
                or not (type(s) is int and type(e) is int and 0 <= s < e <= len(text))
                or text[s:e] != trig["text"]
            ):
                self._refuse(doc, text, where)
            seen.add(ev["id"])
            args = []
            for a in ev["arguments"]:
                role = self.role_index.get(a["role"])
                j = by_id.get(a["entity_id"])
                if j is None or (ev["type"], a["role"], labels[j]) not in allowed:
                    self._refuse(doc, text, where)
                args.append(
                    {
                        "role": role,
                        "entity_id": ids[j],
                        "start": starts[j],
                        "end": ends[j],
                        "text": values[j],
                        "_label": labels[j],
                    }
                )
                st.roles[role_names[role]] += 1
            out.append(
                {
                    "id": ev["id"],
                    "type": etype,
                    "trigger": {"start": s, "end": e, "text": trig["text"]},
                    "arguments": args,
                }
            )
            st.events[event_names[etype]] += 1
        return out

    # -- batches -------------------------------------------------------------------------

    def _documents_batch(self, g: _Group) -> pa.RecordBatch:
        schema = self.schemas["documents"]
        entity_type = schema.field("entities").type.value_type
        offsets = pa.array(np.concatenate(([0], np.cumsum(g.ent_counts))).astype(np.int32))
        entities = pa.ListArray.from_arrays(
            offsets,
            pa.StructArray.from_arrays(
                [
                    pa.array(g.ent_ids, pa.string()),
                    pa.array(g.ent_starts, pa.int32()),
                    pa.array(g.ent_ends, pa.int32()),
                    pa.array(g.ent_texts, pa.string()),
                    pa.array(g.ent_labels, pa.int64()),
                ],
                fields=list(entity_type),
            ),
        )
        m = g.metas

        def col(name: str) -> pa.Array:
            return pa.array([x.get(name) for x in m], pa.string())

        # Arrow ignores the private "_label" key, which only the events config needs.
        events = pa.array(g.events, schema.field("events").type)
        arrays = [
            pa.array(g.aids, pa.string()),
            col("title"),
            pa.array(g.texts, pa.string()),
            col("source"),
            col("url"),
            col("published"),
            col("retrieved"),
            pa.array([bool(x.get("truncated")) for x in m], pa.bool_()),
            col("cluster_id"),
            entities,
            events,
        ]
        return pa.RecordBatch.from_arrays(arrays, schema=schema)

    def _ner_batch(self, g: _Group, st: SplitStats) -> tuple[pa.RecordBatch, Any, int]:
        """The sentences of one split of the chunk, tokenised and tagged as one text."""
        big = "\n".join(g.texts)
        cp = code_points(big)
        doc_starts = np.asarray(g.doc_offsets, dtype=np.int64)
        shift = np.repeat(doc_starts, g.ent_counts)
        ent_s = np.asarray(g.ent_starts, dtype=np.int64) + shift
        ent_e = np.asarray(g.ent_ends, dtype=np.int64) + shift
        protected = np.concatenate(
            (
                np.stack((ent_s, ent_e), axis=1),
                np.asarray(g.triggers, dtype=np.int64).reshape(-1, 2),
            )
        )
        seg = segment(big, protected, cp)
        if g.given_tokens:
            bounds = [(o, o + len(t)) for o, t in zip(g.doc_offsets, g.texts, strict=True)]
            seg = with_given_tokens(seg, bounds, g.given_tokens)

        def owner(position: int) -> str:
            return g.aids[int(np.searchsorted(doc_starts, position, side="right")) - 1]

        ents = np.stack((ent_s, ent_e, np.asarray(g.ent_labels, dtype=np.int64)), axis=1)
        tagging = tag_entities(big, seg.starts, seg.ends, ents, owner)
        starts, ends, tags = tagging.starts, tagging.ends, tagging.tags
        n = len(starts)
        # Sentence boundaries are token starts, which clitic splits never move.
        first = np.searchsorted(starts, seg.starts[seg.sentence_starts])
        n_sent = len(first)
        lengths = np.diff(np.append(first, n))
        sent_start = starts[first]
        sent_end = ends[np.append(first[1:], n) - 1]
        g.sentences = (sent_start, sent_end)
        doc = np.searchsorted(doc_starts, sent_start, side="right") - 1
        number = np.arange(n_sent) - np.searchsorted(doc, doc)  # position in its article
        rel = np.repeat(sent_start, lengths)
        article_ids = pa.array(g.aids, pa.string()).take(pa.array(doc))

        names = self.labels.entity_names
        begins = tags[(tags % 2) == 1]
        for label, c in enumerate(np.bincount((begins - 1) // 2, minlength=len(names)).tolist()):
            if c:
                st.ner_entities[names[label]] += c
        st.sentences += n_sent
        st.tokens += n

        raw = np.frombuffer(big.encode("utf-8"), dtype=np.uint8)
        # Tokens cover all non-space text unless an article brought its own tokenisation.
        ascii_space = not g.given_tokens and (
            len(raw) == len(cp) or not bool(np.any((cp >= 0x80) & ((seg.info & CLASS) == SPACE)))
        )
        width = 1 + (cp >= 0x80).astype(np.int64) + (cp >= 0x800) + (cp >= 0x10000)
        byte_at = np.zeros(len(cp) + 1, dtype=np.int64)
        np.cumsum(width, out=byte_at[1:])
        offsets = pa.array(np.concatenate(([0], np.cumsum(lengths))).astype(np.int32))
        arrays = [
            pc.binary_join_element_wise(
                article_ids, pc.utf8_lpad(pc.cast(pa.array(number), pa.string()), 4, "0"), "-"
            ),
            article_ids,
            pa.array(number.astype(np.int32)),
            pa.array((sent_start - doc_starts[doc]).astype(np.int32)),
            pa.array((sent_end - doc_starts[doc]).astype(np.int32)),
            _strings(raw, byte_at[sent_start], byte_at[sent_end]),
            pa.ListArray.from_arrays(
                offsets, _strings(raw, byte_at[starts], byte_at[ends], tokens=ascii_space)
            ),
            pa.ListArray.from_arrays(offsets, pa.array((starts - rel).astype(np.int32))),
            pa.ListArray.from_arrays(offsets, pa.array((ends - rel).astype(np.int32))),
            pa.ListArray.from_arrays(offsets, pa.array(tags)),
        ]
        return pa.RecordBatch.from_arrays(arrays, schema=self.schemas["ner"]), tagging, seg.merged

    def _event_rows(self, g: _Group, ner_sentences: tuple[np.ndarray, np.ndarray]) -> list[dict]:
        """``events`` rows: each event in the sentences that hold its trigger and arguments."""
        sent_start, sent_end = ner_sentences
        lo, hi = [], []
        for k, ev in g.events_at:
            t, off = ev["trigger"], g.doc_offsets[k]
            lo.append(min([t["start"], *(a["start"] for a in ev["arguments"])]) + off)
            hi.append(max([t["end"], *(a["end"] for a in ev["arguments"])]) + off)
        si = np.maximum(np.searchsorted(sent_start, lo, side="right") - 1, 0)
        sj = np.maximum(np.searchsorted(sent_start, np.asarray(hi) - 1, side="right") - 1, 0)
        cs_all = np.minimum(sent_start[si], lo).tolist()
        ce_all = np.maximum(sent_end[sj], hi).tolist()
        rows = []
        for (k, ev), cs_g, ce_g in zip(g.events_at, cs_all, ce_all, strict=True):
            off = g.doc_offsets[k]
            cs, ce = cs_g - off, ce_g - off
            t = ev["trigger"]
            aid = g.aids[k]
            rows.append(
                {
                    "id": f"{aid}:{ev['id']}",
                    "article_id": aid,
                    "event_id": ev["id"],
                    "event_type": ev["type"],
                    "text": g.texts[k][cs:ce],
                    "context_start": cs,
                    "context_end": ce,
                    "trigger": {"start": t["start"] - cs, "end": t["end"] - cs, "text": t["text"]},
                    "arguments": [
                        {
                            "role": a["role"],
                            "entity_id": a["entity_id"],
                            "entity_label": a["_label"],
                            "start": a["start"] - cs,
                            "end": a["end"] - cs,
                            "text": a["text"],
                        }
                        for a in ev["arguments"]
                    ],
                }
            )
        return rows


@dataclass(slots=True)
class _Group:
    """The articles of one split within a chunk, their texts joined with line breaks."""

    aids: list[str] = field(default_factory=list)
    metas: list[dict] = field(default_factory=list)
    texts: list[str] = field(default_factory=list)
    doc_offsets: list[int] = field(default_factory=list)  # where each text starts when joined
    offset: int = 0
    ent_counts: list[int] = field(default_factory=list)
    ent_ids: list[str] = field(default_factory=list)
    ent_starts: list[int] = field(default_factory=list)
    ent_ends: list[int] = field(default_factory=list)
    ent_texts: list[str] = field(default_factory=list)
    ent_labels: list[int] = field(default_factory=list)
    events: list[list[dict]] = field(default_factory=list)
    triggers: list[tuple[int, int]] = field(default_factory=list)  # in joined-text offsets
    events_at: list[tuple[int, dict]] = field(default_factory=list)  # (article index, event)
    given_tokens: dict[int, tuple] = field(default_factory=dict)  # article index -> tokenisation
    sentences: tuple = ()


# Bytes that are whitespace on their own: tokens are everything else, so when a text has no
# non-ASCII whitespace its tokens' bytes are simply its bytes without these.
_ASCII_SPACE = np.zeros(256, dtype=bool)
_ASCII_SPACE[[9, 10, 11, 12, 13, 28, 29, 30, 31, 32]] = True


def _strings(
    raw: np.ndarray, byte_starts: np.ndarray, byte_ends: np.ndarray, tokens: bool = False
) -> pa.Array:
    """An Arrow string array of the UTF-8 slices ``raw[start:end]``, which are in order and do
    not overlap: their bytes are picked out with one mask rather than gathered one by one.

    With ``tokens``, the slices are all the non-whitespace of ``raw`` (the caller checked
    that its only whitespace is ASCII), and the mask is a table lookup.
    """
    if tokens:
        data = raw[~_ASCII_SPACE[raw]]
    else:
        edge = np.zeros(len(raw) + 1, dtype=np.int8)
        edge[byte_starts] += 1
        edge[byte_ends] -= 1
        data = raw[np.cumsum(edge[:-1], dtype=np.int8) > 0]
    blen = byte_ends - byte_starts
    offsets = np.zeros(len(blen) + 1, dtype=np.int32)
    np.cumsum(blen, out=offsets[1:])
    return pa.StringArray.from_buffers(len(blen), pa.py_buffer(offsets), pa.py_buffer(data))


def _text_mismatch(where: str, doc_text: Any) -> str:
    if not isinstance(doc_text, str):
        return f"{where}: the document has no text; re-run akhbar annotate validate"
    return (
        f"{where}: the annotated text differs from the corpus article's text; annotate and "
        "validate against this corpus (an article's text never changes once annotated)"
    )
