"""Streaming Parquet output of one config's split: row groups of bounded size, sharded files.

Batches are buffered until a row group is full, then written; a shard is closed when it has
grown past its size limit. Shards are written under temporary names and renamed to the Hub's
``<split>-NNNNN-of-NNNNN.parquet`` once their number is known.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq

ROW_GROUP_BYTES = 16 << 20  # in-memory Arrow bytes per row group
SHARD_BYTES = 512 << 20  # in-memory Arrow bytes per file


@dataclass(slots=True)
class SplitWriter:
    directory: Path
    split: str
    schema: pa.Schema
    row_group_bytes: int = ROW_GROUP_BYTES
    shard_bytes: int = SHARD_BYTES
    rows: int = 0
    num_bytes: int = 0  # Arrow bytes written, reported as the split's num_bytes
    files: list[Path] = field(default_factory=list)
    _buffer: list[pa.RecordBatch] = field(default_factory=list)
    _buffered: int = 0
    _writer: pq.ParquetWriter | None = None
    _shard_written: int = 0

    def write(self, batch: pa.RecordBatch) -> None:
        if batch.num_rows == 0:
            return
        self._buffer.append(batch)
        self._buffered += batch.nbytes
        if self._buffered >= self.row_group_bytes:
            self._flush()

    def _flush(self) -> None:
        if not self._buffer:
            return
        if self._writer is None:
            path = self.directory / f".{self.split}-{len(self.files):05d}.parquet.part"
            self.directory.mkdir(parents=True, exist_ok=True)
            self._writer = pq.ParquetWriter(path, self.schema, compression="snappy")
            self.files.append(path)
            self._shard_written = 0
        table = pa.Table.from_batches(self._buffer, schema=self.schema)
        self._writer.write_table(table, row_group_size=table.num_rows)
        self.rows += table.num_rows
        self.num_bytes += self._buffered
        self._shard_written += self._buffered
        self._buffer.clear()
        self._buffered = 0
        if self._shard_written >= self.shard_bytes:
            self._writer.close()
            self._writer = None

    def close(self) -> list[Path]:
        """Write what is left, close, and give the shards their final names."""
        self._flush()
        if self._writer is not None:
            self._writer.close()
            self._writer = None
        n = len(self.files)
        final = []
        for i, tmp in enumerate(self.files):
            dest = self.directory / f"{self.split}-{i:05d}-of-{n:05d}.parquet"
            tmp.rename(dest)
            final.append(dest)
        self.files = final
        return final
