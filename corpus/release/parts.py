"""Parts: the unit of work of a release build, converted by one worker and written as one
Parquet file per config and split (later renamed into the numbered shards of the release).

``convert_part`` reads a part's documents in chunks and hands them to the :class:`Converter`;
``init_worker``/``convert_part_in_worker`` are the executor's initializer and step.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pyarrow as pa

from akhbar.corpus.release.rows import Chunk, Converter, SplitStats
from akhbar.corpus.release.splits import SPLITS
from akhbar.corpus.release.writer import PartWriter
from akhbar.schemas.taxonomy import Taxonomy


@dataclass(slots=True)
class Part:
    """Consecutive articles converted and written together by one worker."""

    index: int
    documents_path: str
    data_dir: str  # the release's data/ directory (temporary while building)
    articles: pa.RecordBatch  # ARTICLE_COLUMNS but the digest, only articles with a document
    digests: list[str]  # text_digest of each article's text, as the store holds it
    locations: list[tuple[int, int, int]]
    splits: list[int]
    ordinals: list[int]  # each article's document ordinal, for the build's bookkeeping
    chunk_size: int = 256


@dataclass(slots=True)
class PartResult:
    index: int
    files: dict[tuple[str, str], tuple[str, int, int]]  # (config, split) -> (path, rows, bytes)
    stats: dict[str, SplitStats]
    adjustments: Counter
    examples: list[dict[str, Any]]
    hashes: list[str]


def part_path(data_dir: str | Path, config: str, split: str, index: int) -> Path:
    return Path(data_dir) / config / f".part-{index:05d}-{split}.parquet"


def convert_part(converter: Converter, part: Part) -> PartResult:
    """Convert a part chunk by chunk and write its rows; nothing but counts comes back."""
    writers: dict[tuple[str, str], PartWriter] = {}
    stats = {s: SplitStats() for s in SPLITS}
    adjustments: Counter = Counter()
    examples: list[dict[str, Any]] = []
    hashes: list[str] = []
    try:
        for at in range(0, part.articles.num_rows, part.chunk_size):
            chunk = Chunk(
                documents_path=part.documents_path,
                articles=part.articles.slice(at, part.chunk_size).to_pylist(),
                digests=part.digests[at : at + part.chunk_size],
                locations=part.locations[at : at + part.chunk_size],
                splits=part.splits[at : at + part.chunk_size],
            )
            result = converter.convert(chunk)
            for (config, split), batch in result.batches.items():
                w = writers.get((config, split))
                if w is None:
                    path = part_path(part.data_dir, config, split, part.index)
                    w = writers[(config, split)] = PartWriter(path, converter.schemas[config])
                w.write(batch)
            for split, st in result.stats.items():
                stats[split].merge(st)
            adjustments.update(result.adjustments)
            examples.extend(result.examples[: 12 - len(examples)])
            hashes.extend(result.hashes)
    finally:
        files = {key: (str(w.path), w.rows, w.num_bytes) for key, w in writers.items() if w.close()}
    return PartResult(part.index, files, stats, adjustments, examples, hashes)


_converter: Converter | None = None


def init_worker(labels: Taxonomy, schemas: dict[str, pa.Schema]) -> None:
    """Process-pool initializer: one converter per worker (the schemas come ready-made, so a
    worker never imports ``datasets``)."""
    global _converter
    _converter = Converter(labels, schemas)


def convert_part_in_worker(part: Part) -> PartResult:
    """Process-pool task (the converter comes from :func:`init_worker`)."""
    assert _converter is not None, "init_worker was not called"
    return convert_part(_converter, part)
