"""The corpus as validation needs it: article id -> digest of the text, and a text on demand.

The corpus store is ``CORPUS_DIR/articles.parquet`` (only ``id`` and ``text`` are read). A task
whose text differs from its article's text is found by comparing digests; the text itself is
read from Parquet only to explain a difference.
"""

from __future__ import annotations

from itertools import pairwise
from pathlib import Path
from typing import Any

import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq
import xxhash

from akhbar.corpus.errors import InputError


def corpus_index(corpus_dir: Path) -> tuple[dict[str, int], dict[str, Any]]:
    """article id -> digest of its text, from ``CORPUS_DIR/articles.parquet``, read in batches.

    The digests are taken from the UTF-8 bytes in Arrow's buffers, without making a Python
    string of each text (a hundred thousand articles take a few hundred MB as strings).
    """
    path = Path(corpus_dir) / "articles.parquet"
    if not path.is_file():
        raise InputError(
            f"{path}: no such file; --corpus must be a corpus store written by "
            "akhbar corpus build ... --out DIR"
        )
    try:
        index = _read_index(path)
    except (OSError, pa.ArrowException) as e:
        raise InputError(f"{path}: not a readable Parquet file ({e})") from e
    # Arrow keeps freed buffers for reuse; they are of no use once the index is built, and
    # worker processes would start with them in their memory.
    pa.default_memory_pool().release_unused()
    return index, {"path": str(path), "articles": len(index)}


def _read_index(path: Path) -> dict[str, int]:
    pf = pq.ParquetFile(path, buffer_size=1 << 20, pre_buffer=False)
    missing = [c for c in ("id", "text") if c not in pf.schema_arrow.names]
    if missing:
        raise InputError(
            f"{path}: no {' or '.join(missing)} column; rebuild it with akhbar corpus build"
        )
    index: dict[str, int] = {}
    for batch in pf.iter_batches(columns=["id", "text"], batch_size=4096):
        ids = batch.column(0).to_pylist()
        texts = batch.column(1)
        if not pa.types.is_string(texts.type) and not pa.types.is_large_string(texts.type):
            raise InputError(f"{path}: the text column holds {texts.type}, not strings")
        for aid, digest in zip(ids, _digests(texts), strict=True):
            if isinstance(aid, str) and digest is not None:
                index[aid] = digest
    return index


def _digests(texts: pa.Array) -> list[int | None]:
    """:func:`text_digest` of each string of an Arrow string array, None for nulls."""
    _, offsets, data = texts.buffers()
    wide = pa.types.is_large_string(texts.type)
    offs = np.frombuffer(offsets, dtype=np.int64 if wide else np.int32)
    offs = offs[texts.offset : texts.offset + len(texts) + 1].tolist()
    view = memoryview(data) if data is not None else memoryview(b"")
    valid = texts.is_valid().to_pylist() if texts.null_count else None
    digest = xxhash.xxh3_64_intdigest
    out: list[int | None] = [digest(view[a:b]) for a, b in pairwise(offs)]
    if valid is not None:
        out = [d if ok else None for d, ok in zip(out, valid, strict=True)]
    return out


class CorpusTexts:
    """An article's text by id, read from Parquet when needed (only to explain a drift)."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.cache: dict[str, str | None] = {}

    def __call__(self, aid: str) -> str | None:
        if aid not in self.cache:
            if len(self.cache) > 256:
                self.cache.clear()
            try:
                t = pq.read_table(
                    self.path, columns=["id", "text"], filters=[("id", "==", aid)]
                ).column("text")
                self.cache[aid] = t[0].as_py() if len(t) else None
            except (OSError, pa.ArrowException):
                self.cache[aid] = None
        return self.cache[aid]
