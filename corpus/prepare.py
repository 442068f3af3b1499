"""The build's per-chunk step: clean every record and fingerprint the articles that survive.

``Prepare`` is pure and picklable: it needs nothing but its input, so an executor may run it
anywhere (this process, a local pool, a Ray cluster). ``ReadAndPrepare`` is the same step fed
with whole input files, so that reading is shared out too.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from itertools import islice
from pathlib import Path
from typing import TypeVar

import numpy as np
import pyarrow as pa

from akhbar.corpus.cleaning import clean
from akhbar.corpus.cleaning.text import fold_for_dedup
from akhbar.corpus.config import CorpusConfig
from akhbar.corpus.dedup.exact import key_digest
from akhbar.corpus.dedup.near import EMPTY, MinHasher
from akhbar.corpus.readers import read_file
from akhbar.corpus.records import Article, RawRecord, Rejection
from akhbar.corpus.store_writer import Tally, cleaned_batch, rejection_line

CHUNK = 256  # records per batch: large enough to amortise the numpy work, small enough to stream

T = TypeVar("T")


def chunked(items: Iterable[T], size: int) -> Iterator[list[T]]:
    it = iter(items)
    while chunk := list(islice(it, size)):
        yield chunk


@dataclass(slots=True)
class Prepared:
    """Chunks after ``Prepare``, in a form that is cheap to send between processes.

    ``batches`` holds the cleaned articles as Arrow batches (``CLEANED_SCHEMA``), each with the
    number of articles of every chunk it holds, in order: a consumer that must see one batch
    per chunk (the spill, whose gathering of small batches depends on their sizes) slices them
    back (:meth:`chunk_batches`), whatever number of chunks were prepared together.
    ``lengths``, ``keys`` and ``signatures`` are, row for row over all the batches, what
    de-duplication needs of them (a row of ``signatures`` is ``None`` when near-duplicate
    detection is off or the text has no words). ``rejected`` holds the chunks'
    ``rejected.jsonl`` lines; ``tally`` their rejection and rule counts.
    """

    batches: list[tuple[pa.RecordBatch, list[int]]]
    lengths: list[int]
    keys: list[bytes]
    signatures: list[np.ndarray | None]
    rejected: list[bytes]
    tally: Tally
    records: int

    def chunk_batches(self) -> Iterator[pa.RecordBatch]:
        """One batch of cleaned articles per chunk, in order (zero-copy slices)."""
        for batch, rows in self.batches:
            start = 0
            for n in rows:
                yield batch.slice(start, n)
                start += n

    def ids(self) -> list[str]:
        return [i for batch, _ in self.batches for i in batch.column("id").to_pylist()]


class Prepare:
    """Clean every record of some chunks and fingerprint the articles that survive.

    The chunks of many small files are prepared together, so that the fixed cost of building
    an Arrow batch and of hashing (numpy calls) is paid once per ``CHUNK`` articles or so,
    not once per file; the values do not depend on how chunks are grouped."""

    def __init__(self, config: CorpusConfig) -> None:
        self.config = config
        d = config.dedup
        self.hasher = MinHasher(d.num_perm, d.ngram, d.seed) if d.near else None

    def __call__(self, chunks: Iterable[Sequence[RawRecord | Rejection]]) -> Prepared:
        out = Prepared([], [], [], [], [], Tally(), 0)
        articles: list[Article] = []
        rows: list[int] = []
        for chunk in chunks:
            before = len(articles)
            self._clean(chunk, articles, out)
            rows.append(len(articles) - before)
            out.records += len(chunk)
            if len(articles) >= CHUNK:
                self._fingerprint(articles, rows, out)
                articles, rows = [], []
        if rows:
            self._fingerprint(articles, rows, out)
        return out

    def _clean(
        self, chunk: Sequence[RawRecord | Rejection], articles: list[Article], out: Prepared
    ) -> None:
        for record in chunk:
            cleaned = record if isinstance(record, Rejection) else clean(record, self.config)
            out.tally.rules(cleaned.provenance.rules)
            if isinstance(cleaned, Rejection):
                source = None if isinstance(record, Rejection) else record.source
                out.tally.rejected(cleaned.reason, source)
                out.rejected.append(rejection_line(cleaned, source))
            else:
                articles.append(cleaned)

    def _fingerprint(self, articles: list[Article], rows: list[int], out: Prepared) -> None:
        folded = [fold_for_dedup(a.text) for a in articles]
        signatures: list[np.ndarray | None] = [None] * len(articles)
        if self.hasher is not None and articles:
            sigs = self.hasher.signatures(folded)
            has_words = (sigs != EMPTY).any(axis=1)
            signatures = [s if w else None for s, w in zip(sigs, has_words, strict=True)]
        out.batches.append((cleaned_batch(articles), rows))
        out.lengths += [len(a.text) for a in articles]
        out.keys += [key_digest(f) for f in folded]
        out.signatures += signatures


def file_chunks(
    files: Iterable[tuple[str, Path]], config: CorpusConfig
) -> Iterator[list[RawRecord | Rejection]]:
    """The records of ``files`` in chunks of at most ``CHUNK``; a chunk never spans files."""
    for display, path in files:
        yield from chunked(read_file(path, display, config), CHUNK)


def gathered(chunks: Iterable[list[T]], size: int = CHUNK) -> Iterator[list[list[T]]]:
    """Consecutive chunks, grouped until a group holds ``size`` items or more (the many
    one-record chunks of small files go together; a full chunk goes alone)."""
    group: list[list[T]] = []
    items = 0
    for chunk in chunks:
        group.append(chunk)
        items += len(chunk)
        if items >= size:
            yield group
            group, items = [], 0
    if group:
        yield group


class ReadAndPrepare:
    """Read whole input files and ``Prepare`` their records, chunk by chunk."""

    def __init__(self, config: CorpusConfig) -> None:
        self.config = config
        self.prepare = Prepare(config)

    def __call__(self, files: Sequence[tuple[str, Path]]) -> Prepared:
        return self.prepare(file_chunks(files, self.config))
