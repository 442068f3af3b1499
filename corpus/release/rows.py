"""One chunk of annotated articles -> Arrow record batches for every config and split.

This is the work a build spreads over processes: it reads each article's document from
``documents.jsonl`` by byte offset, checks it against the corpus article, and groups the
articles by split; :mod:`~akhbar.corpus.release.config_batches` builds each group's rows of the
``documents``, ``ner`` and ``events`` configs. Along come the counts the manifest and the card
report. It returns Arrow batches (cheap to send between processes), never Python rows.
"""

from __future__ import annotations

import hashlib
import os
from collections import Counter
from dataclasses import dataclass, field
from typing import Any, NoReturn

import numpy as np
import orjson
import pyarrow as pa

from akhbar.corpus.release.config_batches import (
    SplitGroup,
    documents_batch,
    events_batch,
    ner_batch,
    ner_nested_batch,
)
from akhbar.corpus.release.segment import parse_given_tokens
from akhbar.corpus.release.splits import SPLITS
from akhbar.corpus.store import text_digest
from akhbar.schemas.document import Columns, DocumentCheck
from akhbar.schemas.errors import InputError, IntegrityError
from akhbar.schemas.taxonomy import Taxonomy


@dataclass(slots=True)
class Chunk:
    """Articles (metadata from ``articles.parquet``, and a digest of each text) and where
    their documents are."""

    documents_path: str
    articles: list[dict[str, Any]]
    digests: list[str]  # text_digest of each article's text in the corpus
    locations: list[tuple[int, int, int]]  # (byte offset, byte length, line number) per article
    splits: list[int]  # index into SPLITS per article


@dataclass(slots=True)
class SplitStats:
    articles: int = 0
    entities: Counter = field(default_factory=Counter)
    events: Counter = field(default_factory=Counter)
    roles: Counter = field(default_factory=Counter)
    ner_entities: Counter = field(default_factory=Counter)
    nested_entities: Counter = field(default_factory=Counter)  # tagged in ner_nested
    sources: Counter = field(default_factory=Counter)
    sentences: int = 0
    tokens: int = 0
    source_tokens: int = 0  # articles whose ner tokens are their source's (CoNLL import)

    def merge(self, other: SplitStats) -> None:
        self.articles += other.articles
        self.source_tokens += other.source_tokens
        self.sentences += other.sentences
        self.tokens += other.tokens
        for name in ("entities", "events", "roles", "ner_entities", "nested_entities", "sources"):
            getattr(self, name).update(getattr(other, name))

    def to_dict(self) -> dict[str, Any]:
        return {
            "articles": self.articles,
            "sentences": self.sentences,
            "tokens": self.tokens,
            "articles_with_source_tokens": self.source_tokens,
            "entities": dict(sorted(self.entities.items())),
            "events": dict(sorted(self.events.items())),
            "roles": dict(sorted(self.roles.items())),
            "ner_entities": dict(sorted(self.ner_entities.items())),
            "ner_nested_entities": dict(sorted(self.nested_entities.items())),
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
        self.check = DocumentCheck(labels)  # the one document check, with its quick path
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
        when its quick path fails)."""
        i = self.check.first_error(doc, text)
        if i is not None:
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
        groups = [SplitGroup() for _ in SPLITS]
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
            where = f"{chunk.documents_path} line {line}, article {aid}"
            cols = self.check.columns(doc, text)
            if cols is None:
                self._refuse(doc, text, where)
            hashes.append(annotation_hash(doc))
            st = stats[SPLITS[split_i]]
            st.articles += 1
            st.sources[meta.get("source") or "unknown"] += 1
            self._add(groups[split_i], meta, cols, text, where, st)

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
            batches[("documents", split)] = documents_batch(g, self.schemas["documents"])
            ner, tagging, merged = ner_batch(g, names, stats[split], self.schemas["ner"])
            adjustments.update(tagging.counts)
            adjustments["sentence_merges"] += merged
            examples.extend(tagging.examples)
            if ner.num_rows:
                batches[("ner", split)] = ner
                nested, no_token = ner_nested_batch(
                    g, ner, names, stats[split], self.schemas["ner_nested"]
                )
                batches[("ner_nested", split)] = nested
                adjustments["ner_nested_no_token_dropped"] += no_token
                events, outside = events_batch(g, ner, self.schemas["events"])
                batches[("events", split)] = events
                adjustments["events_argument_outside_sentence"] += outside
        return ChunkResult(batches, stats, adjustments, examples[:12], hashes)

    def _add(
        self, g: SplitGroup, meta: dict, cols: Columns, text: str, where: str, st: SplitStats
    ) -> None:
        """Append one checked document's entities and events to its split's group."""
        ids, starts, ends, values, labels = (
            cols.ids,
            cols.starts,
            cols.ends,
            cols.texts,
            cols.labels,
        )
        events = self._events(cols, st)
        offset = g.offset
        given = parse_given_tokens(meta.get("metadata"), text, where)
        if given is not None:
            g.given_tokens[len(g.aids)] = given
            st.source_tokens += 1
        g.aids.append(meta["id"])
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
            lo = min([t["start"], *(a["start"] for a in ev["arguments"])])
            hi = max([t["end"], *(a["end"] for a in ev["arguments"])])
            g.triggers.append((lo + offset, hi + offset))
            g.events_at.append((len(g.aids) - 1, ev))
        g.offset = offset + len(text) + 1

    def _events(self, cols: Columns, st: SplitStats) -> list[dict]:
        out: list[dict] = []
        event_names = self.labels.event_names
        role_names = self.labels.role_names
        for etype, ev, arguments in cols.events:
            trig = ev["trigger"]
            args = []
            for role, j in arguments:
                args.append(
                    {
                        "role": role,
                        "entity_id": cols.ids[j],
                        "start": cols.starts[j],
                        "end": cols.ends[j],
                        "text": cols.texts[j],
                        "_label": cols.labels[j],
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


def _text_mismatch(where: str, doc_text: Any) -> str:
    if not isinstance(doc_text, str):
        return f"{where}: the document has no text; re-run akhbar annotate validate"
    return (
        f"{where}: the annotated text differs from the corpus article's text; annotate and "
        "validate against this corpus (an article's text never changes once annotated)"
    )
