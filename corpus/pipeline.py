"""The corpus build: read -> clean -> fingerprint -> de-duplicate -> write.

What each step does is separate from where it runs and from reading and writing:

- reading is ``corpus.readers`` (``read_inputs``, or ``read_file`` for one file);
- ``Prepare`` is a pure, picklable step over a chunk of records: it cleans each record and
  fingerprints the articles that survive (exact key digest, MinHash signature), and hands them
  on as one Arrow batch. ``ReadAndPrepare`` is the same step fed with whole input files, so
  that reading is shared out too when there are enough files. Neither needs anything but its
  input, so an executor may run them anywhere: in this process, in a local process pool
  (``corpus.runtime.executor``), or on a distributed engine;
- ``Deduplicator`` (``corpus.dedup.local``) is the one step that needs every article, and it
  holds only their ids, lengths, keys and signatures, in numpy arrays;
- writing is ``corpus.store_writer.CorpusWriter``, which makes the store appear atomically.
  The cleaned batches wait on disk in the temporary store (``CleanedSpill``) while
  de-duplication decides, and are then written out in row groups (``TableSink``): memory
  holds the fingerprints, never every text.

Every record that goes in comes out kept, rejected with a reason, or as a duplicate; the report
checks that the counts add up.
"""

from __future__ import annotations

import contextlib
import dataclasses
import os
import sys
import time
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from itertools import islice
from pathlib import Path
from typing import Any, TypeVar

import numpy as np
import pyarrow as pa
from tqdm import tqdm

from akhbar.corpus import __version__
from akhbar.corpus.cleaning import clean
from akhbar.corpus.cleaning.registry import known_rules
from akhbar.corpus.cleaning.text import fold_for_dedup
from akhbar.corpus.config import CorpusConfig
from akhbar.corpus.dedup.exact import key_digest
from akhbar.corpus.dedup.local import Deduplicator
from akhbar.corpus.dedup.near import EMPTY, MinHasher
from akhbar.corpus.readers import list_inputs, read_file, read_inputs
from akhbar.corpus.records import Article, RawRecord, Rejection
from akhbar.corpus.runtime.executor import make_executor, resolve_workers
from akhbar.corpus.store_writer import (
    CorpusWriter,
    Tally,
    cleaned_batch,
    rejection_line,
    resolved_tables,
)
from akhbar.schemas.errors import InputError, UsageError

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


def _progress_enabled() -> bool:
    return sys.stderr.isatty() and os.environ.get("CI", "").lower() not in ("1", "true")


def rule_names(seen: Iterable[str]) -> list[str]:
    """The versioned names of the cleaning rules: the registry's, plus any that fired."""
    return sorted({*known_rules(), *seen})


def commit_report(
    writer: CorpusWriter, tally: Tally, config: CorpusConfig, started: float
) -> dict[str, Any]:
    """Write ``report.json`` and publish the store (any executor ends a build here)."""
    report = tally.report(
        config=dataclasses.asdict(config),
        rules=rule_names(tally.rule_applications),
        tool_version=__version__,
        elapsed_s=round(time.perf_counter() - started, 3),
    )
    writer.commit(report)
    return report


def _input_files(
    inputs: Sequence[str | Path], out: Path, config: CorpusConfig
) -> list[tuple[str, Path]]:
    """Check the arguments and list the input files, before anything is written."""
    if not inputs:
        raise UsageError("no INPUT given: name one or more files or directories of articles")
    resolve_workers(config.workers)  # refuses a negative number before anything is read
    target = out.resolve()
    for p in inputs:
        path = Path(p)
        if not path.exists():
            raise InputError(
                f"{p}: no such file or directory; give a file or directory of articles"
            )
        if path.is_dir() and target.is_relative_to(path.resolve()):
            raise UsageError(
                f"--out {out} is inside the input directory {p}: the next build would read "
                "the corpus as input; choose an --out outside the inputs"
            )
    paths = [str(p) for p in inputs]
    read_inputs(paths, config)  # checks the paths and the field mapping; reads nothing yet
    return list_inputs(paths)  # what read_inputs reads, in the same order, file by file


@dataclass(slots=True)
class CorpusBuildOptions:
    """What ``akhbar corpus build`` is asked to do (see :func:`build_corpus`)."""

    inputs: Sequence[str | Path]  # files or directories of articles
    out: Path
    config: CorpusConfig | None = None  # None: the defaults
    force: bool = False
    workers: int | None = None  # overrides config.workers (0: one per core, 1: this process)
    near: bool | None = None  # overrides config.dedup.near
    progress: bool | None = None  # None: a bar when stderr is a terminal outside CI
    executor: str = "local"  # local (this process or a local pool) or ray
    ray_address: str | None = None  # the Ray cluster; None: start one for the run


def build_corpus(opts: CorpusBuildOptions) -> dict[str, Any]:
    """Build a corpus store at ``opts.out`` from ``opts.inputs``; return the report.

    With ``executor="ray"`` the store is partitioned, with the same rows. Raises
    ``UsageError``/``InputError``/``OutputError`` with a one-line message; on any failure
    nothing is left at ``out``. The result does not depend on the number of workers.
    """
    started = time.perf_counter()
    inputs, out, progress = opts.inputs, Path(opts.out), opts.progress
    config = opts.config or CorpusConfig()
    if opts.near is not None:
        config = dataclasses.replace(
            config, dedup=dataclasses.replace(config.dedup, near=opts.near)
        )
    if opts.workers is not None:
        config = dataclasses.replace(config, workers=opts.workers)
    if opts.executor not in ("local", "ray"):
        raise UsageError(f"--executor {opts.executor}: give local or ray")
    if opts.ray_address and opts.executor != "ray":
        raise UsageError("--ray-address is for --executor ray; add --executor ray")
    files = _input_files(inputs, out, config)
    if opts.executor == "ray":
        from akhbar.corpus.build_ray import build_on_ray  # imported when used: Ray is optional

        return build_on_ray(
            files,
            out,
            config,
            force=opts.force,
            address=opts.ray_address,
            inputs=[str(p) for p in inputs],
            started=started,
        )

    tally = Tally()
    dedup = Deduplicator(config.dedup)
    with CorpusWriter(out, force=opts.force, inputs=inputs) as writer:
        # The cleaned texts wait on disk: memory holds only what de-duplication needs.
        spill = writer.spill()
        show = _progress_enabled() if progress is None else progress
        # The pool forks before the progress bar starts its monitor thread.
        with (
            make_executor(config.workers) as executor,
            contextlib.closing(
                tqdm(desc="cleaning", unit=" records", disable=not show, file=sys.stderr)
            ) as bar,
        ):
            prepared_chunks: Iterator[Prepared]
            # Chunks never span files, whichever way the work is shared out, so the batches
            # (and the bytes of the Parquet files) are the same for any number of workers.
            if executor.workers > 1 and len(files) >= 2 * executor.workers:
                # Enough files to share out: each task reads one file and prepares it.
                per_file = executor.map(ReadAndPrepare(config), ([f] for f in files))
                prepared_chunks = (p for prepared in per_file for p in prepared)
            else:
                chunks = (
                    chunk
                    for display, path in files
                    for chunk in chunked(read_file(path, display, config), CHUNK)
                )
                prepared_chunks = executor.map(Prepare(config), chunks)
            for prepared in prepared_chunks:
                writer.reject(prepared.rejected)
                tally.merge(prepared.tally)
                batch = prepared.articles
                spill.write(batch)
                dedup.add(
                    batch.column("id").to_pylist(),
                    prepared.lengths,
                    prepared.keys,
                    prepared.signatures,
                )
                bar.update(prepared.records)
        if not spill.batches_written:  # not one chunk, so not one record
            raise InputError(
                f"no input records found in {', '.join(map(str, inputs))}: give .txt, .json, "
                ".jsonl, .zip or .html files (or directories of them)"
            )
        decisions = dedup.resolve()
        kept_sink, duplicates_sink = writer.sinks()
        start = 0
        for batch in spill.batches():
            part = decisions.resolution(batch.column("id").to_pylist(), start)
            start += batch.num_rows
            tally.resolved(batch.column("source").to_pylist(), part)
            kept, duplicates = resolved_tables(pa.Table.from_batches([batch]), part)
            kept_sink.write(kept)
            duplicates_sink.write(duplicates)
        kept_sink.close()
        duplicates_sink.close()
        report = commit_report(writer, tally, config, started)
    return report
