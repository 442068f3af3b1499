"""The corpus build on a Ray cluster (``akhbar corpus build --executor ray``).

The engine of :func:`akhbar.corpus.pipeline.build_corpus` for ``--executor ray``: the same
steps, placed so that no process holds every article:

1. one task per input file reads it and runs ``Prepare`` on its chunks (the same chunks as the
   local path); the cleaned Arrow batches stay in the cluster's object store, the fingerprints
   too; the driver receives counts and rejection lines only;
2. de-duplication is three shuffles over ``P`` partitions (ids, key digests, LSH band slices;
   :mod:`akhbar.corpus.dedup.shuffle`); the driver receives the links (a few per duplicate),
   forms the clusters and decides keepers from the ids, lengths and signatures of cluster
   members only;
3. one task per input file writes its kept articles and duplicates as ``part-NNNNN.parquet`` of
   a partitioned store in the temporary store directory, published at ``--out`` as one step.

The store holds the same rows in the same order, and the same ``rejected.jsonl`` and report, as
the local path's (``tests/corpus/test_ray_build.py``); the temporary directory must be on a file
system that every node sees (on one machine it is).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np
import pyarrow as pa

from akhbar.corpus.config import CorpusConfig, DedupConfig
from akhbar.corpus.dedup import shuffle
from akhbar.corpus.prepare import ReadAndPrepare
from akhbar.corpus.runtime.executor_ray import RayExecutor, get, put
from akhbar.corpus.store import CLEANED_SCHEMA
from akhbar.corpus.store_writer import CorpusWriter, Tally, resolved_tables, write_parts


def _prepare(config: CorpusConfig, display: str, path: Path) -> tuple[Any, Any, Any]:
    """Read and prepare one file: (summary for the driver, fingerprints, cleaned batches)."""
    prepared = ReadAndPrepare(config)([(display, path)])
    ids = prepared.ids()
    fp = shuffle.Fingerprints.of(
        ids, prepared.lengths, prepared.keys, prepared.signatures, config.dedup.num_perm
    )
    summary = (prepared.records, len(ids), prepared.rejected, prepared.tally)
    return summary, fp, list(prepared.chunk_batches())


def _write(
    store_tmp: Path,
    index: int,
    batches: list[pa.RecordBatch],
    offset: int,
    renamed: dict[int, str],
    decisions: dict[int, shuffle.Decision],
) -> Tally:
    """Resolve and write one file's articles; return its kept and duplicate counts."""
    table = pa.Table.from_batches(batches, schema=CLEANED_SCHEMA)
    resolution = shuffle.shard_resolution(
        table.column("id").to_pylist(), offset, renamed, decisions
    )
    tally = Tally()
    tally.resolved(table.column("source").to_pylist(), resolution)
    kept, duplicates = resolved_tables(table, resolution)
    write_parts(store_tmp, index, kept, duplicates)
    return tally


def _by_shard(values: dict[int, Any], offsets: list[int]) -> dict[int, dict[int, Any]]:
    """``values`` by position, split by the shard each position is in."""
    positions = np.fromiter(values, np.int64, len(values))
    owners = np.searchsorted(np.asarray(offsets), positions, side="right") - 1
    out: dict[int, dict[int, Any]] = {}
    for q, s in zip(positions.tolist(), owners.tolist(), strict=True):
        out.setdefault(s, {})[q] = values[q]
    return out


def _lookup(fp: shuffle.Fingerprints, rows: np.ndarray) -> list[shuffle.Member]:
    return shuffle.lookup(fp, rows)


def _reduce_ids(*parts: Any) -> dict[int, str]:
    return shuffle.reduce_ids(parts)


def _reduce_keys(*parts: Any) -> tuple[np.ndarray, np.ndarray]:
    return shuffle.reduce_keys(parts)


def _reduce_bands(config: DedupConfig, *parts: Any) -> tuple[np.ndarray, np.ndarray]:
    return shuffle.reduce_bands(parts, config)


def _shuffle(
    ex: RayExecutor,
    scatter: Any,
    reduce: Any,
    fps: list[Any],
    offsets: list[int],
    p: int,
    *args: Any,
    pre: tuple[Any, ...] = (),
) -> list[Any]:
    """Scatter every shard to ``p`` partitions, reduce each partition; the reduced values."""
    scatter_task = ex.remote(scatter, num_returns=p)
    reduce_task = ex.remote(reduce)
    scattered = [
        scatter_task.remote(fp, off, p, *args) for fp, off in zip(fps, offsets, strict=True)
    ]
    return get([reduce_task.remote(*pre, *(s[d] for s in scattered)) for d in range(p)])


class RayBuild:
    """The engine of :func:`akhbar.corpus.pipeline.build_corpus` on a Ray cluster."""

    def __init__(self, config: CorpusConfig, address: str | None) -> None:
        self.config, self.address = config, address

    def __enter__(self) -> RayBuild:
        self.ex = RayExecutor(self.address, None)
        self.ex.__enter__()
        return self

    def __exit__(self, *exc: object) -> None:
        self.ex.__exit__(*exc)

    def prepare(self, files: list[tuple[str, Path]], writer: CorpusWriter, tally: Tally) -> int:
        """One task per file; the cleaned batches and fingerprints stay in the cluster."""
        prepare = self.ex.remote(_prepare, num_returns=3)
        config_ref = put(self.config)
        self.shards = [prepare.remote(config_ref, display, path) for display, path in files]
        summaries = get([s[0] for s in self.shards])
        self.offsets: list[int] = []
        n = records = 0
        for shard_records, articles, rejected, t in summaries:
            writer.reject(rejected)
            tally.merge(t)
            self.offsets.append(n)
            n += articles
            records += shard_records
        return records

    def write(self, writer: CorpusWriter, tally: Tally) -> None:
        """De-duplicate by shuffles over partitions, then one writing task per file."""
        ex, d, offsets, shards = self.ex, self.config.dedup, self.offsets, self.shards
        store_tmp = writer.partitioned()
        fps = [s[1] for s in shards]
        p = max(2, ex.workers)
        renamed: dict[int, str] = {}
        for part in _shuffle(ex, shuffle.scatter_ids, _reduce_ids, fps, offsets, p):
            renamed.update(part)
        exact = _shuffle(ex, shuffle.scatter_keys, _reduce_keys, fps, offsets, p)
        links = list(exact)
        repeats = np.sort(np.concatenate([pos for pos, _ in exact]))
        if d.near:
            repeats_ref = put(repeats)
            links += _shuffle(
                ex, shuffle.scatter_bands, _reduce_bands, fps, offsets, p, d, repeats_ref, pre=(d,)
            )
        clusters = shuffle.components(links)
        first = {int(a): int(b) for pos, fst in exact for a, b in zip(pos, fst, strict=True)}

        wanted = np.array(sorted(q for m in clusters.values() for q in m), np.int64)
        owner = np.searchsorted(np.asarray(offsets), wanted, side="right") - 1
        lookup = ex.remote(_lookup)
        asked = [(s, wanted[owner == s]) for s in np.unique(owner).tolist()]
        found = get([lookup.remote(fps[s], rows - offsets[s]) for s, rows in asked])
        members = {
            int(q): m
            for (_s, rows), ms in zip(asked, found, strict=True)
            for q, m in zip(rows, ms, strict=True)
        }
        decisions = shuffle.decide(clusters, members, renamed, first, d)

        write = ex.remote(_write)
        renamed_by_shard = _by_shard(renamed, offsets)
        decided_by_shard = _by_shard(decisions, offsets)
        tallies = get(
            [
                write.remote(
                    store_tmp,
                    i,
                    shard[2],
                    offsets[i],
                    renamed_by_shard.get(i, {}),
                    decided_by_shard.get(i, {}),
                )
                for i, shard in enumerate(shards)
            ]
        )
        for t in tallies:
            tally.merge(t)
