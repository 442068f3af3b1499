"""Streaming Parquet output of one part of one config's split, in row groups of bounded size.

A build is cut into parts of consecutive articles; each part of each config and split becomes
one file, written by the worker that converted the part. The build renames the parts' files to
the Hub's ``<split>-NNNNN-of-NNNNN.parquet`` at the end, in part order, so the files do not
depend on how many workers wrote them.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq

ROW_GROUP_BYTES = 16 << 20  # in-memory Arrow bytes per row group


@dataclass(slots=True)
class PartWriter:
    path: Path
    schema: pa.Schema
    row_group_bytes: int = ROW_GROUP_BYTES
    rows: int = 0
    num_bytes: int = 0  # Arrow bytes written, reported as the split's num_bytes
    _buffer: list[pa.RecordBatch] = field(default_factory=list)
    _buffered: int = 0
    _writer: pq.ParquetWriter | None = None

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
            self.path.parent.mkdir(parents=True, exist_ok=True)
            self._writer = pq.ParquetWriter(self.path, self.schema, compression="snappy")
        table = pa.Table.from_batches(self._buffer, schema=self.schema)
        self._writer.write_table(table, row_group_size=table.num_rows)
        self.rows += table.num_rows
        self.num_bytes += self._buffered
        self._buffer.clear()
        self._buffered = 0

    def close(self) -> bool:
        """Write what is left and close; whether the file exists (it has rows)."""
        self._flush()
        if self._writer is not None:
            self._writer.close()
            self._writer = None
        return self.rows > 0
