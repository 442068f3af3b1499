"""The Arrow batches of the ``documents``, ``ner``, ``ner_nested`` and ``events`` configs, built
from one split's
group of checked articles (:class:`SplitGroup`, filled by :class:`~akhbar.corpus.release.rows.
Converter`).

The texts of a group are joined by line breaks (which always end a sentence) and tokenised,
split into sentences and tagged as one long text, so numpy works on long arrays; strings are
cut out of the joined UTF-8 bytes with masks rather than one by one.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from akhbar.corpus.release.align import tag_entities
from akhbar.corpus.release.segment import CLASS, SPACE, code_points, segment, with_given_tokens

if TYPE_CHECKING:
    from akhbar.corpus.release.rows import SplitStats


@dataclass(slots=True)
class SplitGroup:
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
    # Each event's extent (trigger and arguments), in joined-text offsets: no sentence boundary
    # cuts one, so every event lies in one sentence of the events config.
    triggers: list[tuple[int, int]] = field(default_factory=list)
    events_at: list[tuple[int, dict]] = field(default_factory=list)  # (article index, event)
    given_tokens: dict[int, tuple] = field(default_factory=dict)  # article index -> tokenisation
    sentences: tuple = ()  # (start, end) offsets of each sentence, joined text
    tokens: tuple = ()  # (starts, ends, first token of each sentence), joined text


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


def documents_batch(g: SplitGroup, schema: pa.Schema) -> pa.RecordBatch:
    """The ``documents`` rows of one split of a chunk."""
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


def ner_batch(
    g: SplitGroup, names: Sequence[str], st: SplitStats, schema: pa.Schema
) -> tuple[pa.RecordBatch, Any, int]:
    """The ``ner`` rows: the sentences of one split of the chunk, tokenised and tagged as one
    text (``names``: the taxonomy's entity labels); adds its counts to ``st``. Also returns
    the tagging (its adjustments and examples) and the number of sentences merged."""
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
    # Sentence boundaries are token starts.
    first = np.searchsorted(starts, seg.starts[seg.sentence_starts])
    n_sent = len(first)
    lengths = np.diff(np.append(first, n))
    sent_start = starts[first]
    sent_end = ends[np.append(first[1:], n) - 1]
    g.sentences = (sent_start, sent_end)
    g.tokens = (starts, ends, first)
    doc = np.searchsorted(doc_starts, sent_start, side="right") - 1
    number = np.arange(n_sent) - np.searchsorted(doc, doc)  # position in its article
    rel = np.repeat(sent_start, lengths)
    article_ids = pa.array(g.aids, pa.string()).take(pa.array(doc))

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
    return pa.RecordBatch.from_arrays(arrays, schema=schema), tagging, seg.merged


SENTENCE_COLUMNS = 9  # the columns the sentence-level configs share (features._sentence)


def _token_spans(
    g: SplitGroup, s: np.ndarray, e: np.ndarray
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Code-point spans of the joined text -> (sentence index, first token, end token, ok):
    token indices within the sentence (end exclusive), a span inside a token widened to it as
    in ``ner``; ``ok`` is False for a span that covers no token or leaves its sentence."""
    starts, ends, first = g.tokens
    n = len(starts)
    ti = np.searchsorted(ends, s, side="right")  # first token ending after the start
    tj = np.searchsorted(starts, e, side="left")  # one past the last token starting before the end
    si = np.maximum(np.searchsorted(first, ti, side="right") - 1, 0)
    next_first = np.append(first[1:], n)[si]
    ok = (ti < n) & (tj > ti) & (tj <= next_first)
    return si, ti - first[si], tj - first[si], ok


def _sentence_batch(
    ner: pa.RecordBatch, name: str, rows: list[list[dict]], schema: pa.Schema
) -> pa.RecordBatch:
    arrays = [*ner.columns[:SENTENCE_COLUMNS], pa.array(rows, schema.field(name).type)]
    return pa.RecordBatch.from_arrays(arrays, schema=schema)


def ner_nested_batch(
    g: SplitGroup, ner: pa.RecordBatch, names: Sequence[str], st: SplitStats, schema: pa.Schema
) -> tuple[pa.RecordBatch, int]:
    """The ``ner_nested`` rows: the sentences of ``ner`` with every entity, nested ones too, as
    token spans. Also returns how many entities covered no token (left out, counted)."""
    shift = np.repeat(np.asarray(g.doc_offsets, dtype=np.int64), g.ent_counts)
    s = np.asarray(g.ent_starts, dtype=np.int64) + shift
    e = np.asarray(g.ent_ends, dtype=np.int64) + shift
    si, ts, te, ok = _token_spans(g, s, e)
    sent_start = g.sentences[0]
    rows: list[list[dict]] = [[] for _ in range(ner.num_rows)]
    for k in np.lexsort((-te, ts, si)).tolist():  # sentence, then start, then longest first
        if not ok[k]:
            continue
        label = g.ent_labels[k]
        base = int(sent_start[si[k]])
        rows[int(si[k])].append(
            {
                "id": g.ent_ids[k],
                "start": int(ts[k]),
                "end": int(te[k]),
                "char_start": int(s[k]) - base,
                "char_end": int(e[k]) - base,
                "text": g.ent_texts[k],
                "label": label,
            }
        )
        st.nested_entities[names[label]] += 1
    return _sentence_batch(ner, "entities", rows, schema), int(np.count_nonzero(~ok))


def events_batch(
    g: SplitGroup, ner: pa.RecordBatch, schema: pa.Schema
) -> tuple[pa.RecordBatch, int]:
    """The ``events`` rows: the sentences of ``ner``, each with the events whose trigger is in
    it (none for most), trigger and arguments as token spans. Also returns how many arguments
    lay outside their trigger's sentence (left out, counted; only possible in an article that
    brought its own sentences)."""
    rows: list[list[dict]] = [[] for _ in range(ner.num_rows)]
    if not g.events_at:
        return _sentence_batch(ner, "events", rows, schema), 0
    offs = [g.doc_offsets[k] for k, _ in g.events_at]
    ts_ = np.asarray(
        [ev["trigger"]["start"] + o for (_, ev), o in zip(g.events_at, offs, strict=True)]
    )
    te_ = np.asarray(
        [ev["trigger"]["end"] + o for (_, ev), o in zip(g.events_at, offs, strict=True)]
    )
    si, ti, tj, ok = _token_spans(g, ts_, te_)
    args = [(i, a) for i, (_, ev) in enumerate(g.events_at) for a in ev["arguments"]]
    a_s = np.asarray([a["start"] + offs[i] for i, a in args], dtype=np.int64)
    a_e = np.asarray([a["end"] + offs[i] for i, a in args], dtype=np.int64)
    a_si, a_ti, a_tj, a_ok = _token_spans(g, a_s, a_e)
    sent_start = g.sentences[0]
    per_event: list[list[dict]] = [[] for _ in g.events_at]
    outside = 0
    for j, (i, a) in enumerate(args):
        if not a_ok[j] or a_si[j] != si[i]:
            outside += 1
            continue
        base = int(sent_start[si[i]])
        per_event[i].append(
            {
                "entity_id": a["entity_id"],
                "role": a["role"],
                "entity_label": a["_label"],
                "start": int(a_ti[j]),
                "end": int(a_tj[j]),
                "char_start": int(a_s[j]) - base,
                "char_end": int(a_e[j]) - base,
                "text": a["text"],
            }
        )
    for i, (_, ev) in enumerate(g.events_at):
        if not ok[i]:  # a trigger always covers a token: validation refuses empty spans
            outside += len(ev["arguments"])
            continue
        base = int(sent_start[si[i]])
        t = ev["trigger"]
        rows[int(si[i])].append(
            {
                "id": ev["id"],
                "type": ev["type"],
                "trigger": {
                    "start": int(ti[i]),
                    "end": int(tj[i]),
                    "char_start": int(ts_[i]) - base,
                    "char_end": int(te_[i]) - base,
                    "text": t["text"],
                },
                "arguments": per_event[i],
            }
        )
    return _sentence_batch(ner, "events", rows, schema), outside
