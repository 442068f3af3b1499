"""The corpus build on this machine: in this process or a local process pool.

The engine of :func:`akhbar.corpus.pipeline.build_corpus` for ``--executor local``. Cleaned
batches wait on disk in the temporary store (``CleanedSpill``) while de-duplication decides,
and are then written out in row groups: memory holds the fingerprints (``Deduplicator``), never
every text.
"""

from __future__ import annotations

import contextlib
import os
import sys
from collections.abc import Iterator, Sequence
from pathlib import Path

import pyarrow as pa
from tqdm import tqdm

from akhbar.corpus.config import CorpusConfig
from akhbar.corpus.dedup.local import Deduplicator
from akhbar.corpus.prepare import (
    CHUNK,
    Prepare,
    Prepared,
    ReadAndPrepare,
    file_chunks,
    gathered,
)
from akhbar.corpus.runtime.executor import make_executor
from akhbar.corpus.store_writer import CorpusWriter, Tally, resolved_tables

GROUP_BYTES = 1 << 18  # input bytes per task, about, when small files are gathered into one


def file_groups(
    files: Sequence[tuple[str, Path]], most: int, max_bytes: int = GROUP_BYTES
) -> Iterator[list[tuple[str, Path]]]:
    """Consecutive files in groups of at most ``most`` files and about ``max_bytes``: one task
    per small file would cost more to send and return than to do. A large file goes alone."""
    group: list[tuple[str, Path]] = []
    size = 0
    for item in files:
        with contextlib.suppress(OSError):  # read_file turns it into a rejection
            size += os.stat(item[1]).st_size
        group.append(item)
        if len(group) >= most or size >= max_bytes:
            yield group
            group, size = [], 0
    if group:
        yield group


def _progress_enabled() -> bool:
    return sys.stderr.isatty() and os.environ.get("CI", "").lower() not in ("1", "true")


class LocalBuild:
    """Prepare with the local executor, de-duplicate in this process, write one store."""

    def __init__(self, config: CorpusConfig, progress: bool | None = None) -> None:
        self.config = config
        self.show = _progress_enabled() if progress is None else progress
        self.dedup = Deduplicator(config.dedup)
        self.spill = None

    def __enter__(self) -> LocalBuild:
        return self

    def __exit__(self, *exc: object) -> None:
        return None

    def prepare(self, files: Sequence[tuple[str, Path]], writer: CorpusWriter, tally: Tally) -> int:
        """Clean and fingerprint every file; return the number of records read."""
        config, records = self.config, 0
        self.spill = spill = writer.spill()
        # The pool forks before the progress bar starts its monitor thread.
        with (
            make_executor(config.workers) as executor,
            contextlib.closing(
                tqdm(desc="cleaning", unit=" records", disable=not self.show, file=sys.stderr)
            ) as bar,
        ):
            prepared_groups: Iterator[Prepared]
            # Chunks never span files, whichever way the work is shared out, so the batches
            # (and the bytes of the Parquet files) are the same for any number of workers.
            if executor.workers > 1 and len(files) >= 2 * executor.workers:
                # Enough files to share out: each task reads a few files and prepares them.
                most = max(1, min(CHUNK, len(files) // (4 * executor.workers)))
                prepared_groups = executor.map(ReadAndPrepare(config), file_groups(files, most))
            else:
                prepared_groups = executor.map(
                    Prepare(config), gathered(file_chunks(files, config))
                )
            for prepared in prepared_groups:
                writer.reject(prepared.rejected)
                tally.merge(prepared.tally)
                for batch in prepared.chunk_batches():
                    spill.write(batch)
                self.dedup.add(prepared.ids(), prepared.lengths, prepared.keys, prepared.signatures)
                records += prepared.records
                bar.update(prepared.records)
        return records

    def write(self, writer: CorpusWriter, tally: Tally) -> None:
        """Decide every duplicate, then write the kept articles and the duplicates."""
        decisions = self.dedup.resolve()
        kept_sink, duplicates_sink = writer.sinks()
        start = 0
        for batch in self.spill.batches():
            part = decisions.resolution(batch.column("id").to_pylist(), start)
            start += batch.num_rows
            tally.resolved(batch.column("source").to_pylist(), part)
            kept, duplicates = resolved_tables(pa.Table.from_batches([batch]), part)
            kept_sink.write(kept)
            duplicates_sink.write(duplicates)
        kept_sink.close()
        duplicates_sink.close()
