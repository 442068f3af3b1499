"""The corpus store: what ``akhbar corpus build --out DIR`` writes, and how later stages read it.

Layout of ``DIR``:

- ``articles.parquet``: kept articles, one row each, in input order (``ARTICLE_SCHEMA``), each
  with ``text_sha256``, :func:`text_digest` of its text, made once by the build so that later
  stages recognise a text without reading it (a store built before that column existed has
  it computed on read, the same values);
- ``duplicates.parquet``: the same columns plus ``duplicate_of``, ``kind`` and ``similarity``;
- or, partitioned (a build on a cluster, whose workers write their share): the directories
  ``articles/`` and ``duplicates/`` of ``part-NNNNN.parquet`` files, the same rows in the same
  order when the parts are read in name order. Every reader accepts both layouts;
- ``rejected.jsonl``: one JSON object per rejected input: reason, detail, source, title,
  excerpt and provenance (input file and record);
- ``report.json``: counts (``input == kept + rejected + duplicates``), per rejection reason,
  per source and per duplicate kind; per cleaning rule, how many records it touched and how
  many times it applied (over every record cleaned, whatever became of it); the
  configuration, the versioned names of all cleaning rules, the tool version, ``elapsed_s``.

``metadata`` and ``provenance`` are JSON strings in Parquet (their keys vary); decoded, a row is
an object that ``schemas/article.schema.json`` describes.

This module is the one way to read a store: ``_articles_file`` alone opens the articles (a
missing store, an unreadable file or a missing column is one error, the same for every stage);
:func:`iter_article_batches` and :func:`read_articles` read through it, :func:`text_index` and
:class:`ArticleTexts` are built on them, and :func:`text_digest` is the one digest of an
article's text by which every stage compares a text with the corpus. Writing is :mod:`akhbar.corpus.store_writer`: a store
appears whole or not at all (:mod:`akhbar.corpus.runtime.publish`); an existing ``DIR`` is replaced only
with ``force`` and only if it is a corpus store (or empty).
"""

from __future__ import annotations

import hashlib
import itertools
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TypeVar

import numpy as np
import orjson
import pyarrow as pa
import pyarrow.parquet as pq

from akhbar.schemas.errors import AkhbarError, InputError, IntegrityError
from akhbar.schemas.shape import check_shape

ARTICLES = "articles.parquet"
DUPLICATES = "duplicates.parquet"
ARTICLE_PARTS = "articles"  # the partitioned layout: <dir>/part-NNNNN.parquet
DUPLICATE_PARTS = "duplicates"
REJECTED = "rejected.jsonl"
REPORT = "report.json"
FILES = (ARTICLES, DUPLICATES, REJECTED, REPORT)
SCHEMA_ID = "https://akhbar.dev/schemas/article/1.0.0"

ARTICLE_SCHEMA = pa.schema(
    [
        pa.field("id", pa.string(), nullable=False),
        pa.field("title", pa.string(), nullable=False),
        pa.field("text", pa.string(), nullable=False),
        pa.field("text_sha256", pa.string(), nullable=False),  # text_digest(text), at build
        pa.field("source", pa.string()),
        pa.field("url", pa.string()),
        pa.field("published", pa.string()),  # ISO 8601 as found
        pa.field("retrieved", pa.string()),
        pa.field("author", pa.string()),
        pa.field("language", pa.string(), nullable=False),
        pa.field("truncated", pa.bool_(), nullable=False),
        pa.field("cluster_id", pa.string(), nullable=False),
        pa.field("metadata", pa.string(), nullable=False),  # JSON object
        pa.field("provenance", pa.string(), nullable=False),  # JSON object
    ],
    metadata={"akhbar.schema": SCHEMA_ID},
)
DUPLICATE_SCHEMA = pa.schema(
    [
        *ARTICLE_SCHEMA,
        pa.field("duplicate_of", pa.string(), nullable=False),
        pa.field("kind", pa.string(), nullable=False),  # "exact" or "near"
        pa.field("similarity", pa.float64(), nullable=False),
    ],
    metadata={"akhbar.schema": SCHEMA_ID},
)
TEXT_DIGEST = "text_sha256"  # the column of :func:`text_digest`; see :func:`iter_article_batches`
JSON_COLUMNS = ("metadata", "provenance")
# zstd: a third smaller than snappy for Arabic text, at a small cost in write time.
PARQUET_OPTIONS: dict[str, Any] = {"compression": "zstd", "row_group_size": 8192}
CLEANED_SCHEMA = pa.schema([f for f in ARTICLE_SCHEMA if f.name != "cluster_id"])


# --- one digest of an article's text -----------------------------------------------------------


def text_digest(text: str) -> str:
    """The one digest of an article's text: sha256 (hex) of its UTF-8 bytes, exactly as the
    corpus stores it (lone surrogates from JSON are kept, not refused). Every stage compares a
    text with the corpus by it, and push writes it into each task's
    ``meta.akhbar.text_sha256``, so a later push compares without the text. (Tasks pushed
    before it was the one digest carry sha256 of the text with surrounding whitespace
    stripped, which is the same value for a cleaned text: cleaning leaves none.)"""
    return hashlib.sha256(text.encode("utf-8", "surrogatepass")).hexdigest()


def text_digests(column: pa.Array | pa.ChunkedArray) -> list[str | None]:
    """:func:`text_digest` of every string of an Arrow column (None for a null), taken from
    Arrow's buffers without making a Python string of each text."""
    if isinstance(column, pa.ChunkedArray):
        return [d for chunk in column.chunks for d in text_digests(chunk)]
    wide = pa.types.is_large_string(column.type)
    _, offsets_buf, data_buf = column.buffers()
    offsets = np.frombuffer(
        offsets_buf, dtype=np.int64 if wide else np.int32, count=len(column) + 1,
        offset=column.offset * (8 if wide else 4),
    ).tolist()  # fmt: skip
    data = memoryview(data_buf) if data_buf is not None else memoryview(b"")
    sha256 = hashlib.sha256
    out: list[str | None] = [sha256(data[a:b]).hexdigest() for a, b in itertools.pairwise(offsets)]
    if column.null_count:
        out = [d if ok else None for d, ok in zip(out, column.is_valid().to_pylist(), strict=True)]
    return out


# --- reading articles: every stage goes through these -------------------------------------------


def part_name(index: int) -> str:
    """The name of part ``index`` of a partitioned table."""
    return f"part-{index:05d}.parquet"


def _table_files(corpus_dir: str | Path, single: str, parts: str) -> list[Path]:
    """The Parquet files of one table of a store, in row order; empty when it has none."""
    base = Path(corpus_dir)
    if (base / single).is_file():
        return [base / single]
    if (base / parts).is_dir():
        return sorted((base / parts).glob("part-*.parquet"))
    return []


def articles_path(corpus_dir: str | Path) -> Path:
    """Where a store keeps its articles (a file, or a directory of parts): for messages."""
    base = Path(corpus_dir)
    return base / ARTICLE_PARTS if (base / ARTICLE_PARTS).is_dir() else base / ARTICLES


def article_files(corpus_dir: str | Path) -> list[Path]:
    """The files that hold the store's articles, in row order (for input digests)."""
    return _table_files(corpus_dir, ARTICLES, ARTICLE_PARTS)


def _articles_files(corpus_dir: str | Path, columns: Sequence[str]) -> list[pq.ParquetFile]:
    path = articles_path(corpus_dir)
    if not path.exists():
        raise InputError(
            f"{path}: no such file; build the corpus with `akhbar corpus build INPUT --out "
            f"{corpus_dir}`"
        )
    return [_open_articles(p, columns) for p in article_files(corpus_dir)]


def _open_articles(path: Path, columns: Sequence[str]) -> pq.ParquetFile:
    try:
        pf = pq.ParquetFile(path, buffer_size=1 << 20, pre_buffer=False)
    except (OSError, pa.ArrowException) as e:
        raise InputError(f"{path}: not a readable Parquet file ({e}); rebuild the corpus") from e
    names = pf.schema_arrow.names
    missing = [c for c in _file_columns(names, columns) if c not in names]
    if missing:
        raise IntegrityError(
            f"{path}: missing columns {missing}; rebuild the store with `akhbar corpus build`"
        )
    for c in columns:
        if c not in names:
            continue  # the text digest of a store built before it was stored: computed
        t = pf.schema_arrow.field(c).type
        if c in _STRING_COLUMNS and not (pa.types.is_string(t) or pa.types.is_large_string(t)):
            raise IntegrityError(f"{path}: the {c} column holds {t}, not strings; rebuild it")
    return pf


_STRING_COLUMNS = frozenset({"id", "title", "text", TEXT_DIGEST, "cluster_id"})
_Data = TypeVar("_Data", pa.RecordBatch, pa.Table)


def _file_columns(names: Sequence[str], columns: Sequence[str]) -> list[str]:
    """The columns to read from a file that has ``names`` to give ``columns``: a store built
    before the text digest was a column has none, so its texts are read to compute it."""
    if TEXT_DIGEST not in columns or TEXT_DIGEST in names:
        return list(columns)
    return [c for c in columns if c != TEXT_DIGEST] + ([] if "text" in columns else ["text"])


def _with_digest(data: _Data, columns: Sequence[str]) -> _Data:
    """``data`` (a batch or a table) as ``columns``, its text digest column computed from its
    text if it has none (the one place a store's digests are computed on read)."""
    if TEXT_DIGEST not in columns or TEXT_DIGEST in data.schema.names:
        return data
    digests = pa.array(text_digests(data.column("text")), pa.string())
    arrays = {n: data.column(n) for n in data.schema.names} | {TEXT_DIGEST: digests}
    fields = [
        ARTICLE_SCHEMA.field(c) if c == TEXT_DIGEST else data.schema.field(c) for c in columns
    ]
    schema = pa.schema(fields, metadata=data.schema.metadata)
    return type(data).from_arrays([arrays[c] for c in columns], schema=schema)


def iter_article_batches(
    corpus_dir: str | Path, columns: Sequence[str] = (), batch_size: int = 4096
) -> Iterator[pa.RecordBatch]:
    """The store's articles, in store order, as Arrow batches of ``columns`` (default: all).

    The one function that reads ``articles``: a missing store, an unreadable file or a missing
    column is one error, the same for every stage. The ``text_sha256`` column (``TEXT_DIGEST``,
    :func:`text_digest` of the text, written by the build) is read as stored; a store built
    before it was stored has its digests computed here from the texts, the same values.
    """
    columns = list(columns) or ARTICLE_SCHEMA.names
    for pf in _articles_files(corpus_dir, columns):
        read = _file_columns(pf.schema_arrow.names, columns)
        try:
            for batch in pf.iter_batches(batch_size=batch_size, columns=read):
                yield _with_digest(batch, columns)
        except (OSError, pa.ArrowException) as e:
            raise InputError(
                f"{articles_path(corpus_dir)}: not a readable Parquet file ({e}); rebuild the "
                "corpus"
            ) from e


def read_articles(
    corpus_dir: str | Path,
    columns: Sequence[str] = (),
    limit: int | None = None,
    *,
    ids: Sequence[str] | None = None,
) -> pa.Table:
    """The store's articles (the first ``limit``, or those with ``ids``) as one table."""
    columns = list(columns) or ARTICLE_SCHEMA.names
    schema = pa.schema([ARTICLE_SCHEMA.field(c) for c in columns])
    if ids is not None:
        files = _articles_files(corpus_dir, columns)  # one error for a missing store or column
        try:
            tables = []
            for pf, path in zip(files, article_files(corpus_dir), strict=True):
                read = _file_columns(pf.schema_arrow.names, columns)
                table = pq.read_table(path, columns=read, filters=[("id", "in", list(ids))])
                tables.append(_with_digest(table, columns))
            return pa.concat_tables(tables) if tables else schema.empty_table()
        except (OSError, pa.ArrowException) as e:
            raise InputError(
                f"{articles_path(corpus_dir)}: not a readable Parquet file ({e}); rebuild the "
                "corpus"
            ) from e
    batches: list[pa.RecordBatch] = []
    rows = 0
    # with a limit, no more rows than it are decoded (beyond the row group it ends in)
    size = 65536 if limit is None else max(1, min(limit, 65536))
    for batch in iter_article_batches(corpus_dir, columns, size):
        if limit is not None and rows + batch.num_rows >= limit:
            batches.append(batch.slice(0, limit - rows))
            break
        batches.append(batch)
        rows += batch.num_rows
    return pa.Table.from_batches(batches) if batches else schema.empty_table()


def text_index(corpus_dir: str | Path) -> dict[str, str]:
    """article id -> :func:`text_digest` of its text, for every article of the store (read
    from its ``text_sha256`` column: no text is read, unless the store predates it)."""
    index: dict[str, str] = {}
    for batch in iter_article_batches(corpus_dir, ("id", TEXT_DIGEST), 65536):
        for aid, digest in zip(
            batch.column(0).to_pylist(), batch.column(1).to_pylist(), strict=True
        ):
            if isinstance(aid, str) and digest is not None:
                index[aid] = digest
    # Arrow keeps freed buffers for reuse; they are of no use once the index is built, and
    # worker processes would start with them in their memory.
    pa.default_memory_pool().release_unused()
    return index


class ArticleTexts:
    """An article's text by id, read from the store only when asked (to explain a drift)."""

    def __init__(self, corpus_dir: str | Path) -> None:
        self.corpus_dir = Path(corpus_dir)
        self.cache: dict[str, str | None] = {}

    def __call__(self, aid: str) -> str | None:
        if aid not in self.cache:
            if len(self.cache) > 256:
                self.cache.clear()
            try:
                t = read_articles(self.corpus_dir, ("id", "text"), ids=[aid]).column("text")
                self.cache[aid] = t[0].as_py() if len(t) else None
            except AkhbarError:  # the drift is reported all the same, without the text
                self.cache[aid] = None
        return self.cache[aid]


# --- the whole store -------------------------------------------------------------------------------


def decode_row(row: dict[str, Any]) -> dict[str, Any]:
    """A stored row with ``metadata`` and ``provenance`` decoded to objects."""
    for col in JSON_COLUMNS:
        if isinstance(row.get(col), str):
            row[col] = orjson.loads(row[col])
    return row


@dataclass
class Corpus:
    """A corpus store opened by ``load_corpus``."""

    path: Path
    report: dict[str, Any]
    articles: pa.Table
    duplicates: pa.Table

    def iter_articles(self, batch_size: int = 1024) -> Iterator[dict[str, Any]]:
        """Kept articles as decoded rows (objects that ``schemas/article.schema.json`` describes)."""
        yield from _iter_rows(self.articles, batch_size)

    def iter_duplicates(self, batch_size: int = 1024) -> Iterator[dict[str, Any]]:
        yield from _iter_rows(self.duplicates, batch_size)

    def rejected(self) -> Iterator[dict[str, Any]]:
        with open(self.path / REJECTED, "rb") as f:
            for line in f:
                yield orjson.loads(line)


def _iter_rows(table: pa.Table, batch_size: int) -> Iterable[dict[str, Any]]:
    for batch in table.to_batches(max_chunksize=batch_size):
        for row in batch.to_pylist():
            yield decode_row(row)


def _read_duplicates(corpus_dir: Path) -> pa.Table:
    tables = []
    for path in _table_files(corpus_dir, DUPLICATES, DUPLICATE_PARTS):
        try:
            table = pq.read_table(path, memory_map=True)
        except (OSError, pa.ArrowInvalid) as e:
            raise IntegrityError(f"{path}: not a readable Parquet file ({e})") from e
        names = table.schema.names
        missing = [n for n in _file_columns(names, DUPLICATE_SCHEMA.names) if n not in names]
        if missing:
            raise IntegrityError(
                f"{path}: missing columns {missing}; rebuild the store with `akhbar corpus build`"
            )
        tables.append(_with_digest(table, DUPLICATE_SCHEMA.names).select(DUPLICATE_SCHEMA.names))
    return pa.concat_tables(tables) if tables else DUPLICATE_SCHEMA.empty_table()


def load_corpus(path: str | Path) -> Corpus:
    """Open a store written by ``akhbar corpus build``, checking its counts against its report."""
    p = Path(path)
    if not p.is_dir():
        raise InputError(
            f"{p}: no such corpus directory; build one with `akhbar corpus build INPUT --out {p}`"
        )
    absent = [
        name
        for name, parts in ((ARTICLES, ARTICLE_PARTS), (DUPLICATES, DUPLICATE_PARTS))
        if not (p / name).is_file() and not (p / parts).is_dir()
    ] + [name for name in (REJECTED, REPORT) if not (p / name).is_file()]
    if absent:
        raise InputError(
            f"{p} is not a corpus store (missing {', '.join(absent)}); "
            f"build one with `akhbar corpus build INPUT --out {p}`"
        )
    try:
        report = orjson.loads((p / REPORT).read_bytes())
    except orjson.JSONDecodeError as e:
        raise IntegrityError(f"{p / REPORT}: not valid JSON ({e})") from e
    check_shape(report, "corpus_report", str(p / REPORT), IntegrityError)
    articles = read_articles(p)
    duplicates = _read_duplicates(p)
    for name, table, key in (
        (ARTICLES, articles, "kept"),
        (DUPLICATES, duplicates, "duplicates"),
    ):
        if table.num_rows != report.get(key):
            raise IntegrityError(
                f"{p / name} has {table.num_rows} rows but {REPORT} says {key} = "
                f"{report.get(key)}; the store is damaged: rebuild it"
            )
    return Corpus(p, report, articles, duplicates)
