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
    """A chunk after ``Prepare``, in a form that is cheap to send between processes.

    ``articles`` holds the cleaned articles as one Arrow batch (``CLEANED_SCHEMA``); ``lengths``,
    ``keys`` and ``signatures`` are, row for row, what de-duplication needs of them (a row of
    ``signatures`` is ``None`` when near-duplicate detection is off or the text has no words).
    ``rejected`` holds the chunk's ``rejected.jsonl`` lines; ``tally`` its rejection and rule
    counts.
    """

    articles: pa.RecordBatch
    lengths: list[int]
    keys: list[bytes]
    signatures: list[np.ndarray | None]
    rejected: list[bytes]
    tally: Tally
    records: int


class Prepare:
    """Clean every record of a chunk and fingerprint the articles that survive."""

    def __init__(self, config: CorpusConfig) -> None:
        self.config = config
        d = config.dedup
        self.hasher = MinHasher(d.num_perm, d.ngram, d.seed) if d.near else None

    def __call__(self, chunk: Sequence[RawRecord | Rejection]) -> Prepared:
        tally = Tally()
        articles: list[Article] = []
        rejected: list[bytes] = []
        for record in chunk:
            out = record if isinstance(record, Rejection) else clean(record, self.config)
            tally.rules(out.provenance.rules)
            if isinstance(out, Rejection):
                source = None if isinstance(record, Rejection) else record.source
                tally.rejected(out.reason, source)
                rejected.append(rejection_line(out, source))
            else:
                articles.append(out)
        folded = [fold_for_dedup(a.text) for a in articles]
        signatures: list[np.ndarray | None] = [None] * len(articles)
        if self.hasher is not None and articles:
            sigs = self.hasher.signatures(folded)
            has_words = (sigs != EMPTY).any(axis=1)
            signatures = [s if w else None for s, w in zip(sigs, has_words, strict=True)]
        return Prepared(
            articles=cleaned_batch(articles),
            lengths=[len(a.text) for a in articles],
            keys=[key_digest(f) for f in folded],
            signatures=signatures,
            rejected=rejected,
            tally=tally,
            records=len(chunk),
        )


class ReadAndPrepare:
    """Read whole input files and ``Prepare`` their records, chunk by chunk."""

    def __init__(self, config: CorpusConfig) -> None:
        self.config = config
        self.prepare = Prepare(config)

    def __call__(self, files: Sequence[tuple[str, Path]]) -> list[Prepared]:
        return [
            self.prepare(chunk)
            for display, path in files
            for chunk in chunked(read_file(path, display, self.config), CHUNK)
        ]
