"""Writing a corpus store: the Arrow tables of cleaned articles, the tally of the report, and
:class:`CorpusWriter`, which makes the store appear whole (:mod:`akhbar.corpus.runtime.publish`).

The layout and the schemas are :mod:`akhbar.corpus.store`'s; reading goes through it too.
"""

from __future__ import annotations

import contextlib
from collections import Counter
from collections.abc import Iterable, Iterator, Sequence
from pathlib import Path
from typing import IO, TYPE_CHECKING, Any

import numpy as np
import orjson
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq

from akhbar.corpus.arrow_arrays import (
    array_of,
    empty_table,
    numpy_of,
    record_batch,
    string_array,
)
from akhbar.corpus.records import Article, Duplicate, Rejection
from akhbar.corpus.runtime.publish import Output
from akhbar.corpus.store import (
    ARTICLE_PARTS,
    ARTICLE_SCHEMA,
    ARTICLES,
    CLEANED_SCHEMA,
    DUPLICATE_PARTS,
    DUPLICATE_SCHEMA,
    DUPLICATES,
    PARQUET_OPTIONS,
    REJECTED,
    REPORT,
    TEXT_DIGEST,
    part_name,
    text_digest,
)
from akhbar.schemas.errors import IntegrityError, OutputError

if TYPE_CHECKING:  # the store reads without loading the de-duplication machinery
    from akhbar.corpus.dedup.cluster import Resolution


def _json(value: Any) -> str:
    return orjson.dumps(value, option=orjson.OPT_SORT_KEYS).decode("utf-8")


def article_columns(articles: list[Article]) -> dict[str, list[Any]]:
    """The stored columns of ``articles`` except ``cluster_id``, in schema order. The text's
    digest is made here, once per article where it is cleaned (by the build's workers, under
    either executor), so that no later stage hashes the corpus's texts again."""
    return {
        "id": [a.id for a in articles],
        "title": [a.title for a in articles],
        "text": [a.text for a in articles],
        TEXT_DIGEST: [text_digest(a.text) for a in articles],
        "source": [a.source for a in articles],
        "url": [a.url for a in articles],
        "published": [a.published for a in articles],
        "retrieved": [a.retrieved for a in articles],
        "author": [a.author for a in articles],
        "language": [a.language for a in articles],
        "truncated": [a.truncated for a in articles],
        "metadata": [_json(a.metadata) for a in articles],
        "provenance": [_json(a.provenance.to_dict()) for a in articles],
    }


def cleaned_batch(articles: list[Article]) -> pa.RecordBatch:
    """Cleaned articles before de-duplication, as one Arrow batch (``CLEANED_SCHEMA``)."""
    return record_batch(article_columns(articles), CLEANED_SCHEMA)


def articles_table(articles: list[Article]) -> pa.Table:
    """Articles held in memory (with their ``cluster_id``) as an ``ARTICLE_SCHEMA`` table."""
    columns = article_columns(articles)
    columns["cluster_id"] = [a.cluster_id for a in articles]
    return pa.table({n: columns[n] for n in ARTICLE_SCHEMA.names}, schema=ARTICLE_SCHEMA)


def duplicates_table(duplicates: list[Duplicate]) -> pa.Table:
    table = articles_table([d.article for d in duplicates])
    columns = {
        "duplicate_of": [d.duplicate_of for d in duplicates],
        "kind": [d.kind for d in duplicates],
        "similarity": [float(d.similarity) for d in duplicates],
    }
    for name, values in columns.items():
        table = table.append_column(DUPLICATE_SCHEMA.field(name), pa.array(values))
    return table.replace_schema_metadata(DUPLICATE_SCHEMA.metadata)


def _kept_rows(table: pa.Table, kept: np.ndarray) -> pa.Table:
    """The rows where ``kept`` is true, as zero-copy slices of ``table`` (most rows are kept,
    so this avoids copying every text as a filter would)."""
    edges = np.flatnonzero(np.diff(np.concatenate(([0], kept.view(np.int8), [0]))))
    starts, ends = edges[0::2], edges[1::2]
    if not len(starts):
        return empty_table(table.schema)
    return pa.concat_tables([table.slice(s, e - s) for s, e in zip(starts, ends, strict=True)])


def resolved_tables(cleaned: pa.Table, resolution: Resolution) -> tuple[pa.Table, pa.Table]:
    """Split the cleaned articles (in input order) into the kept and the duplicates tables."""
    # Typed arrays: with every record rejected the lists are empty, and untyped they are null.
    table = cleaned.set_column(
        cleaned.schema.get_field_index("id"),
        ARTICLE_SCHEMA.field("id"),
        string_array(resolution.ids),
    )
    table = table.append_column(
        ARTICLE_SCHEMA.field("cluster_id"), string_array(resolution.cluster_ids)
    )
    table = table.select(ARTICLE_SCHEMA.names).cast(ARTICLE_SCHEMA)
    duplicate_of = string_array(resolution.duplicate_of)
    is_dup = pc.is_valid(duplicate_of)
    kept = _kept_rows(table, ~numpy_of(is_dup))
    dups = table.filter(is_dup)
    for name, values in (
        ("duplicate_of", duplicate_of),
        ("kind", string_array(resolution.kind)),
        ("similarity", array_of(resolution.similarity, pa.float64())),
    ):
        dups = dups.append_column(DUPLICATE_SCHEMA.field(name), values.filter(is_dup))
    return kept, dups.cast(DUPLICATE_SCHEMA)


def rejection_line(rejection: Rejection, source: str | None) -> bytes:
    """One line of ``rejected.jsonl``."""
    row = rejection.to_dict()
    row["source"] = source
    return orjson.dumps(row, option=orjson.OPT_SORT_KEYS) + b"\n"


class Tally:
    """The counts of ``report.json``, kept as records go by."""

    def __init__(self) -> None:
        self.by_reason: Counter[str] = Counter()
        self.by_kind: Counter[str] = Counter()
        self.rule_records: Counter[str] = Counter()
        self.rule_applications: Counter[str] = Counter()
        self.by_source: dict[str, Counter[str]] = {}

    def _source(self, source: str | None) -> Counter[str]:
        return self.by_source.setdefault(source or "(unknown)", Counter())

    def rules(self, rules: dict[str, int]) -> None:
        """Count the cleaning rules that fired on one record (whatever became of it)."""
        for name, n in rules.items():
            if n:
                self.rule_records[name] += 1
                self.rule_applications[name] += n

    def rejected(self, reason: str, source: str | None) -> None:
        self.by_reason[reason] += 1
        c = self._source(source)
        c["input"] += 1
        c["rejected"] += 1

    def kept(self, source: str | None) -> None:
        c = self._source(source)
        c["input"] += 1
        c["kept"] += 1

    def duplicate(self, source: str | None, kind: str) -> None:
        self.by_kind[kind] += 1
        c = self._source(source)
        c["input"] += 1
        c["duplicates"] += 1

    def resolved(self, sources: list[str | None], resolution: Resolution) -> None:
        """Count the articles of one resolved batch (sources in input order): kept or duplicate."""
        for source, of, kind in zip(sources, resolution.duplicate_of, resolution.kind, strict=True):
            if of is None:
                self.kept(source)
            else:
                self.duplicate(source, kind or "")

    def merge(self, other: Tally) -> None:
        """Add counts kept elsewhere (e.g. by a worker, for its chunk)."""
        self.by_reason.update(other.by_reason)
        self.by_kind.update(other.by_kind)
        self.rule_records.update(other.rule_records)
        self.rule_applications.update(other.rule_applications)
        for source, c in other.by_source.items():
            self.by_source.setdefault(source, Counter()).update(c)

    def report(self, **extra: Any) -> dict[str, Any]:
        """The report; ``input == kept + rejected + duplicates`` by construction, checked."""
        fields = ("input", "kept", "rejected", "duplicates")
        by_source = {s: {f: c[f] for f in fields} for s, c in sorted(self.by_source.items())}
        totals = {f: sum(c[f] for c in by_source.values()) for f in fields}
        if totals["input"] != totals["kept"] + totals["rejected"] + totals["duplicates"]:
            raise IntegrityError(f"counts do not add up: {totals}")
        return {
            **totals,
            "by_reason": dict(sorted(self.by_reason.items())),
            "by_rule": {
                name: {"records": self.rule_records[name], "applications": n}
                for name, n in sorted(self.rule_applications.items())
            },
            "by_source": by_source,
            "duplicates_by_kind": {k: self.by_kind[k] for k in ("exact", "near")},
            **extra,
        }


# --- writing ---------------------------------------------------------------------------------

SPILL = ".cleaned.arrow"  # cleaned articles between Prepare and de-duplication; never published


class CleanedSpill:
    """The cleaned articles of a build kept on disk (an Arrow IPC file in the temporary store)
    between ``Prepare`` and de-duplication, so that the build holds only what de-duplication
    needs in memory. Read back batch by batch, in the order written.

    Small batches (one per input file of a few articles) are gathered into batches of at least
    ``min_rows`` before they are written: every batch costs the same fixed work and memory
    downstream, whatever its rows, so a million one-article files must not make a million."""

    def __init__(self, path: Path, min_rows: int = 256) -> None:
        self.path = path
        self._sink = pa.OSFile(str(path), "wb")
        self._writer = pa.ipc.new_file(self._sink, CLEANED_SCHEMA)
        self.batches_written = 0  # as given to write, gathered or not
        self._min_rows = min_rows
        self._waiting: list[pa.RecordBatch] = []
        self._waiting_rows = 0

    def write(self, batch: pa.RecordBatch) -> None:
        self.batches_written += 1
        if batch.num_rows >= self._min_rows and not self._waiting:
            self._writer.write_batch(batch)
            return
        self._waiting.append(batch)
        self._waiting_rows += batch.num_rows
        if self._waiting_rows >= self._min_rows:
            self._flush()

    def _flush(self) -> None:
        if self._waiting:
            self._writer.write_batch(pa.concat_batches(self._waiting))
        self._waiting, self._waiting_rows = [], 0

    def close(self) -> None:
        if not self._sink.closed:
            self._flush()
            self._writer.close()
            self._sink.close()

    def batches(self) -> Iterator[pa.RecordBatch]:
        self.close()
        with pa.OSFile(str(self.path), "rb") as f:
            reader = pa.ipc.open_file(f)
            for i in range(reader.num_record_batches):
                yield reader.get_batch(i)
        self.path.unlink()


class TableSink:
    """One Parquet table of the store written piece by piece, in row groups of the store's
    size, so that its bytes are those of writing the whole table at once."""

    def __init__(self, path: Path, schema: pa.Schema) -> None:
        self.path, self.schema = path, schema
        self._size = PARQUET_OPTIONS["row_group_size"]
        options = {k: v for k, v in PARQUET_OPTIONS.items() if k != "row_group_size"}
        self._writer = pq.ParquetWriter(path, schema, **options)
        self._pending: list[pa.Table] = []
        self._rows = 0
        self._written = False  # a table without rows is still one (empty) row group

    def write(self, table: pa.Table) -> None:
        if not table.schema.equals(schema := self.schema):
            raise IntegrityError(
                f"{self.path.name}: table schema differs from the store's:\n{schema}"
            )
        self._pending.append(table)
        self._rows += table.num_rows
        while self._rows >= self._size:
            whole = pa.concat_tables(self._pending)
            self._writer.write_table(whole.slice(0, self._size), row_group_size=self._size)
            self._written = True
            rest = whole.slice(self._size)
            self._pending, self._rows = [rest], rest.num_rows

    def close(self) -> None:
        if self._rows or not self._written:
            rest = pa.concat_tables(self._pending) if self._pending else empty_table(self.schema)
            self._writer.write_table(rest, row_group_size=self._size)
        self._pending = []
        self._writer.close()


def write_parts(store_tmp: Path, index: int, kept: pa.Table, duplicates: pa.Table) -> None:
    """Write part ``index`` of the articles and of the duplicates of a partitioned store being
    written at ``store_tmp`` (see :meth:`CorpusWriter.partitioned`); an empty part is left out.
    Workers call this, each for its own share."""
    for table, parts, schema in (
        (kept, ARTICLE_PARTS, ARTICLE_SCHEMA),
        (duplicates, DUPLICATE_PARTS, DUPLICATE_SCHEMA),
    ):
        if not table.schema.equals(schema):
            raise IntegrityError(f"{parts}: table schema differs from the store's:\n{table.schema}")
        if table.num_rows:
            path = store_tmp / parts / part_name(index)
            try:
                pq.write_table(table, path, **PARQUET_OPTIONS)
            except OSError as e:
                raise OutputError(f"cannot write {path}: {e}") from e


class CorpusWriter:
    """Writes a store into a temporary sibling of ``DIR``; ``commit`` publishes it at ``DIR``.

    Use as a context manager: leaving the block with an exception removes the temporary
    directory, so nothing half-written is ever left at ``DIR`` (:mod:`akhbar.corpus.runtime.publish`).
    An existing ``DIR`` is replaced only with ``force`` and only if it is a store.
    """

    def __init__(
        self, out: str | Path, force: bool = False, inputs: Sequence[str | Path] = ()
    ) -> None:
        self.out = Path(out)
        self._output = Output(
            self.out, replace=force, marker=REPORT, what="corpus store", inputs=inputs
        )
        try:
            self.tmp = self._output.path
            self._rejected: IO[bytes] = open(self.tmp / REJECTED, "wb")  # noqa: SIM115
        except OSError as e:
            self._output.abort()
            raise OutputError(
                f"cannot write the corpus at {self.out}: {e.strerror or e} ({e.filename}); "
                "choose an --out in a writable directory"
            ) from e
        except BaseException:  # Ctrl-C before the caller's ``with`` could clean up
            self._output.abort()
            raise
        self.committed = False

    def __enter__(self) -> CorpusWriter:
        return self

    def __exit__(self, exc_type: object, exc: object, tb: object) -> None:
        if not self.committed:
            self.abort()

    def reject(self, lines: Iterable[bytes]) -> None:
        """Append lines of ``rejected.jsonl`` (see ``rejection_line``)."""
        self._rejected.writelines(lines)

    def _write(self, table: pa.Table, name: str, schema: pa.Schema) -> None:
        if not table.schema.equals(schema):
            raise IntegrityError(f"{name}: table schema differs from the store's:\n{table.schema}")
        try:
            pq.write_table(table, self.tmp / name, **PARQUET_OPTIONS)
        except OSError as e:
            raise OutputError(f"cannot write {self.out / name}: {e}") from e

    def partitioned(self) -> Path:
        """Make the directories of a partitioned store; return the temporary store directory,
        into which :func:`write_parts` writes (it is published by ``commit`` like the rest)."""
        for parts in (ARTICLE_PARTS, DUPLICATE_PARTS):
            (self.tmp / parts).mkdir()
        return self.tmp

    def spill(self) -> CleanedSpill:
        """A :class:`CleanedSpill` in the temporary store (removed once read back)."""
        return CleanedSpill(self.tmp / SPILL)

    def sinks(self) -> tuple[TableSink, TableSink]:
        """Sinks for the articles and the duplicates tables (close both before ``commit``)."""
        return (
            TableSink(self.tmp / ARTICLES, ARTICLE_SCHEMA),
            TableSink(self.tmp / DUPLICATES, DUPLICATE_SCHEMA),
        )

    def write_articles(self, table: pa.Table) -> None:
        self._write(table, ARTICLES, ARTICLE_SCHEMA)

    def write_duplicates(self, table: pa.Table) -> None:
        self._write(table, DUPLICATES, DUPLICATE_SCHEMA)

    def commit(self, report: dict[str, Any]) -> Path:
        """Write ``report.json`` and publish the finished store at ``DIR`` (replacing the old)."""
        try:
            self._rejected.close()
            (self.tmp / REPORT).write_bytes(
                orjson.dumps(report, option=orjson.OPT_INDENT_2 | orjson.OPT_SORT_KEYS) + b"\n"
            )
        except OSError as e:
            raise OutputError(f"cannot finish the corpus at {self.out}: {e}") from e
        self._output.commit()
        self.committed = True
        return self.out

    def abort(self) -> None:
        with contextlib.suppress(OSError):
            self._rejected.close()
        self._output.abort()
