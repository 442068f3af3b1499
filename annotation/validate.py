"""Validate a Label Studio export snapshot and convert it into annotated documents.

``validate_snapshot(snapshot, corpus_dir, out_dir, taxonomy)`` reads the export piece by piece
(:mod:`annotation.export_stream`), checks each task (:mod:`annotation.task_check`: the compiled
``jsonschema_rs`` validator first, ``jsonschema`` only to explain a task it rejects, then the
semantic checks and the conversion) in a pool of processes, and writes, atomically (a temporary
directory renamed into place):

- ``documents.jsonl``: one document per task whose selected annotation is valid;
- ``quarantine.jsonl``: every task with an invalid annotation (or broken itself), with all its
  issues and its original payload;
- ``issues.jsonl``: every issue, errors and warnings, one per line;
- ``validation.json``: the snapshot (path, sha256), corpus and taxonomy it was checked with,
  and counts that add up: every annotation is selected, superseded, quarantined or cancelled;
  every task is documented, quarantined, all-cancelled or unannotated.

Two tasks with the same id, or two documented tasks for the same article, are found while the
pieces are merged in export order: the later one is quarantined (``AK151``/``AK152``).
"""

from __future__ import annotations

import gc
import multiprocessing
import os
import shutil
import tempfile
import threading
from collections import Counter, deque
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from itertools import pairwise
from pathlib import Path
from typing import Any

import numpy as np
import orjson
import pyarrow as pa
import pyarrow.parquet as pq
import xxhash

import schemas
from annotation import export_stream
from annotation import taxonomy as taxonomy_mod
from annotation.checks import CHECKS, ERROR, Issue, Rules
from annotation.convert import POLICY
from annotation.export_stream import Exact, ParseFailure, Range
from annotation.task_check import (
    DOCUMENTED,
    QUARANTINED,
    TASK_STATUSES,
    TaskChecker,
    TaskOutcome,
)
from annotation.taxonomy import Taxonomy
from corpus.errors import InputError, OutputError, UsageError

EXAMPLES_PER_CODE = 20  # issues per code kept in memory for the printed report
EXACT_BATCH = 2000  # tasks per batch when reading exactly
SMALL_EXPORT = 8 << 20  # below this many bytes, no process pool


# --- the corpus --------------------------------------------------------------------------------


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


# --- checking pieces of the export ------------------------------------------------------------


@dataclass(slots=True)
class Piece:
    """What checking a run of consecutive tasks gave; indices are local to the piece.

    Each task travels back as a small tuple (cheap to pickle); only tasks with issues carry
    them, and only quarantined tasks carry their payload.
    """

    seq: int
    start: int  # byte offset of the piece's first task, -1 when read exactly
    # per task: (task_id, article_id, status, selected, superseded, quarantined, cancelled,
    # drafts, predictions)
    summaries: list[tuple[Any, ...]] = field(default_factory=list)
    details: dict[int, tuple[list[Issue], list[Any]]] = field(default_factory=dict)
    payloads: dict[int, Any] = field(default_factory=dict)  # local index -> task, if quarantined
    part: str | None = None  # file holding the documents, one line each, in task order
    failed: str | None = None  # the piece did not parse (see export_stream)

    def outcome(self, local: int) -> TaskOutcome:
        o = TaskOutcome(*self.summaries[local])
        if local in self.details:
            o.issues, o.quarantined_ids = self.details[local]
        return o


def check_tasks(
    checker: TaskChecker, batches: Iterable[list[Any]], part: Path, seq: int, start: int
) -> Piece:
    """Check and convert the tasks of ``batches`` (consecutive runs of parsed tasks); their
    documents go to ``part``, everything else into the returned Piece."""
    piece = Piece(seq, start, part=str(part))
    lines = []
    dumps = orjson.dumps
    summaries = piece.summaries
    local = 0
    for tasks in batches:
        for task in tasks:
            o = checker.check(task)
            if o.document is not None:
                lines.append(dumps(o.document))
            if o.status == QUARANTINED or o.quarantined:
                piece.payloads[local] = task
            if o.issues or o.quarantined_ids:
                piece.details[local] = (o.issues, o.quarantined_ids)
            summaries.append(
                (
                    o.task_id,
                    o.article_id,
                    o.status,
                    o.selected,
                    o.superseded,
                    o.quarantined,
                    o.cancelled,
                    o.drafts,
                    o.predictions,
                )
            )
            local += 1
    with open(part, "wb") as f:
        if lines:
            f.write(b"\n".join(lines))
            f.write(b"\n")
    return piece


_WORKER: dict[str, Any] = {}


def _init_worker(rules: Rules, index: dict[str, int], corpus_path: str, parts: str) -> None:
    # A forked worker starts with a copy of everything the parent holds; the collector must not
    # walk those objects again and again (slow, and it unshares their memory pages).
    gc.freeze()
    _WORKER["checker"] = TaskChecker(rules, index, CorpusTexts(Path(corpus_path)))
    _WORKER["parts"] = Path(parts)


def check_range(checker: TaskChecker, snapshot: Path, r: Range, parts: Path) -> Piece:
    """Parse one range of the export piece by piece and check its tasks."""
    data = export_stream.read_range(snapshot, r.start, r.end)
    batches = map(export_stream.parse_piece, export_stream.pieces(data))
    part = parts / f"part-{r.seq:06d}.jsonl"
    # Parsed JSON holds no reference cycles; the collector would only walk the freshly parsed
    # tasks again and again (several percent of the time). It runs again after the range.
    collect = gc.isenabled()
    gc.disable()
    try:
        return check_tasks(checker, batches, part, r.seq, r.start)
    except ParseFailure as e:
        part.unlink(missing_ok=True)
        return Piece(r.seq, r.start, failed=str(e))
    finally:
        if collect:
            gc.enable()


def _check_range(snapshot: str, r: Range) -> Piece:
    """Worker side of :func:`check_range`."""
    return check_range(_WORKER["checker"], Path(snapshot), r, _WORKER["parts"])


# --- merging the pieces in export order ---------------------------------------------------------


class Merger:
    """Writes the outputs in export order and keeps the counts and the report's examples."""

    def __init__(self, tmp: Path) -> None:
        self.tmp = tmp
        self.docs = (tmp / "documents.jsonl").open("wb")
        self.quarantine = (tmp / "quarantine.jsonl").open("wb")
        self.issues = (tmp / "issues.jsonl").open("wb")
        self.tasks: Counter[str] = Counter({s: 0 for s in TASK_STATUSES})
        self.annotations: Counter[str] = Counter(
            {k: 0 for k in ("selected", "superseded", "quarantined", "cancelled")}
        )
        self.by_code: Counter[str] = Counter()
        self.examples: dict[str, list[dict[str, Any]]] = {}
        self.documents = 0
        self.quarantine_records = 0
        self.drafts = 0
        self.predictions = 0
        self.seen_tasks: dict[Any, int] = {}  # task id -> index of its first occurrence
        self.documented: dict[str, Any] = {}  # article id -> task id of its document
        self.index = 0  # tasks merged so far

    def add(self, piece: Piece, payload: Callable[[int], Any]) -> None:
        dropped: set[int] = set()  # positions among the piece's documents
        doc_pos = 0
        seen, documented, details = self.seen_tasks, self.documented, piece.details
        for local, summary in enumerate(piece.summaries):
            index = self.index + local
            # the common case (one clean document, ids not seen before) without the general path
            tid, aid, status = summary[:3]
            if (
                status == DOCUMENTED
                and local not in details
                and type(tid) is int
                and tid not in seen
                and aid not in documented
            ):
                seen[tid] = index
                documented[aid] = tid
                doc_pos += 1
                self._count_clean(summary)
                continue
            o = piece.outcome(local)
            had_document = o.selected == 1
            extra = self._duplicates(o, index)
            if extra:  # the later of two tasks: quarantined whole, its document dropped
                if had_document:
                    dropped.add(doc_pos)
                if o.selected or o.superseded:
                    o.quarantined_ids = [*o.quarantined_ids, *_ids(payload(local), o)]
                o.quarantined += o.selected + o.superseded
                o.selected = o.superseded = 0
                o.status = QUARANTINED
                o.issues = [*extra, *o.issues]
            elif had_document:
                self.documented[o.article_id] = o.task_id
            if had_document:
                doc_pos += 1
            self._count(o, index)
            if o.status == QUARANTINED or o.quarantined or any(_is_error(i) for i in o.issues):
                task = piece.payloads[local] if local in piece.payloads else payload(local)
                self._quarantine(o, index, task)
        self._copy_documents(piece, dropped)
        self.index += len(piece.summaries)

    def _duplicates(self, o: TaskOutcome, index: int) -> list[Issue]:
        found = []
        if o.task_id is not None and _hashable(o.task_id):
            first = self.seen_tasks.get(o.task_id)
            if first is None:
                self.seen_tasks[o.task_id] = index
            else:
                found.append(
                    Issue(
                        "AK151",
                        f"task id {o.task_id} occurs again (first at /{first}); the export "
                        "was assembled from overlapping pieces",
                        "",
                    )
                )
        if o.selected and o.article_id in self.documented and not found:
            found.append(
                Issue(
                    "AK152",
                    f"article {o.article_id} already has a document from task "
                    f"{self.documented[o.article_id]}; annotate each article in one task",
                    "/data/article_id",
                )
            )
        for i in found:
            i.task_id, i.article_id = o.task_id, o.article_id
        return found

    def _count_clean(self, summary: tuple[Any, ...]) -> None:
        _, _, status, selected, superseded, _, cancelled, drafts, predictions = summary
        self.tasks[status] += 1
        a = self.annotations
        a["selected"] += selected
        a["superseded"] += superseded
        a["cancelled"] += cancelled
        self.documents += selected
        self.drafts += drafts
        self.predictions += predictions

    def _count(self, o: TaskOutcome, index: int) -> None:
        self.tasks[o.status] += 1
        a = self.annotations
        a["selected"] += o.selected
        a["superseded"] += o.superseded
        a["quarantined"] += o.quarantined
        a["cancelled"] += o.cancelled
        self.documents += o.selected
        self.drafts += o.drafts
        self.predictions += o.predictions
        if o.issues:
            lines = []
            for i in o.issues:
                i.task_index = index
                self.by_code[i.code] += 1
                d = i.to_dict()
                lines.append(orjson.dumps(d))
                ex = self.examples.setdefault(i.code, [])
                if len(ex) < EXAMPLES_PER_CODE:
                    ex.append(d)
            self.issues.write(b"\n".join(lines) + b"\n")

    def _quarantine(self, o: TaskOutcome, index: int, task: Any) -> None:
        record = {
            "task_index": index,
            "pointer": f"/{index}",
            "task_id": o.task_id,
            "article_id": o.article_id,
            "quarantined_annotation_ids": o.quarantined_ids,
            "errors": [i.to_dict() for i in o.issues if _is_error(i)],
            "warnings": [i.to_dict() for i in o.issues if not _is_error(i)],
            "task": task,
        }
        self.quarantine.write(
            orjson.dumps(record, option=orjson.OPT_PASSTHROUGH_SUBCLASS, default=_jsonable) + b"\n"
        )
        self.quarantine_records += 1

    def _copy_documents(self, piece: Piece, dropped: set[int]) -> None:
        if piece.part is None:
            return
        part = Path(piece.part)
        with part.open("rb") as f:
            if not dropped:
                _append_file(f, self.docs)
            else:
                for n, line in enumerate(f):
                    if n not in dropped:
                        self.docs.write(line)
        part.unlink()

    def close(self) -> None:
        for f in (self.docs, self.quarantine, self.issues):
            f.close()


def _append_file(src: Any, dst: Any) -> None:
    """Append all of ``src`` to ``dst``, in the kernel where it can (no copy through Python)."""
    dst.flush()
    start = os.lseek(dst.fileno(), 0, os.SEEK_END)
    size = os.fstat(src.fileno()).st_size
    copy_range = getattr(os, "copy_file_range", None)
    if copy_range is not None:
        try:
            done = 0
            while done < size:
                n = copy_range(src.fileno(), dst.fileno(), size - done)
                if n == 0:
                    break
                done += n
            if done == size:
                return
        except OSError:
            pass
        os.ftruncate(dst.fileno(), start)  # nothing half-copied stays behind
        os.lseek(dst.fileno(), start, os.SEEK_SET)
        src.seek(0)
    shutil.copyfileobj(src, dst, 1 << 20)


def _jsonable(x: Any) -> Any:
    # ijson may hand over Decimal for numbers it cannot hold in a float
    return str(x)


def _hashable(x: Any) -> bool:
    return isinstance(x, (int, str, float)) and not isinstance(x, bool)


def _is_error(i: Issue) -> bool:
    return CHECKS[i.code].severity == ERROR


def _ids(task: Any, o: TaskOutcome) -> list[Any]:
    """Ids of the annotations that were valid (selected or superseded) in a demoted task."""
    anns = task.get("annotations") if isinstance(task, dict) else None
    out = []
    for a in anns if isinstance(anns, list) else ():
        ok = isinstance(a, dict) and a.get("was_cancelled") is not True
        if ok and a.get("id") not in o.quarantined_ids:
            out.append(a.get("id"))
    return out


# --- the run ------------------------------------------------------------------------------------


@dataclass
class ValidationResult:
    """What a run wrote and found. ``summary`` is the content of ``validation.json``."""

    out_dir: Path
    summary: dict[str, Any]
    examples: dict[str, list[dict[str, Any]]]

    @property
    def counts(self) -> dict[str, Any]:
        return self.summary["counts"]

    @property
    def quarantined(self) -> int:
        return self.summary["counts"]["quarantine_records"]

    @property
    def exit_code(self) -> int:
        return 1 if self.quarantined else 0


def _load_taxonomy(taxonomy: Taxonomy | str | Path | None) -> Taxonomy:
    return taxonomy if isinstance(taxonomy, Taxonomy) else taxonomy_mod.load(taxonomy)


def _prepare_out(out_dir: Path) -> Path:
    out_dir = Path(out_dir)
    if out_dir.exists() and not out_dir.is_dir():
        raise UsageError(f"--out {out_dir}: is a file; give a directory")
    if out_dir.is_dir() and any(out_dir.iterdir()) and not (out_dir / "validation.json").exists():
        raise UsageError(
            f"--out {out_dir}: not empty and not an earlier validation output; "
            "choose a new directory"
        )
    try:
        out_dir.parent.mkdir(parents=True, exist_ok=True)
        return Path(tempfile.mkdtemp(prefix=f".{out_dir.name}.tmp-", dir=out_dir.parent))
    except OSError as e:
        raise OutputError(f"--out {out_dir}: cannot create it ({e.strerror})") from e


def _publish(tmp: Path, out_dir: Path) -> None:
    """Move the finished outputs into place: the old ones go only once the new ones are there."""
    old = None
    if out_dir.exists():
        old = out_dir.parent / f".{out_dir.name}.old-{os.getpid()}"
        os.rename(out_dir, old)
    os.rename(tmp, out_dir)
    if old is not None:
        shutil.rmtree(old, ignore_errors=True)


class _Hasher(threading.Thread):
    """sha256 of the snapshot, computed beside the checking (hashlib releases the GIL)."""

    def __init__(self, path: Path) -> None:
        super().__init__(daemon=True)
        self.path = path
        self.digest: str | None = None
        self.size = 0
        self.error: OSError | None = None

    def run(self) -> None:
        try:
            self.digest, self.size = export_stream.sha256_file(self.path)
        except OSError as e:
            self.error = e


def validate_snapshot(
    snapshot_path: str | Path,
    corpus_dir: str | Path,
    out_dir: str | Path,
    taxonomy: Taxonomy | str | Path | None = None,
    *,
    workers: int | None = None,
    range_bytes: int = export_stream.RANGE,
) -> ValidationResult:
    """Validate an export snapshot against the corpus and the taxonomy; write the outputs.

    ``workers``: processes checking pieces of the export (default: one per CPU; exports under
    8 MiB are checked in this process). ``range_bytes``: the size of the ranges handed to workers.
    Raises InputError (unreadable snapshot or corpus), UsageError or OutputError; a snapshot
    with invalid annotations is not an error: they are quarantined and counted.
    """
    snapshot = Path(snapshot_path)
    out_dir = Path(out_dir)
    if not snapshot.is_file():
        raise InputError(f"{snapshot}: no such file; give a snapshot from akhbar annotate pull")
    tax = _load_taxonomy(taxonomy)
    rules = Rules(tax)
    first = export_stream.first_element(snapshot)
    index, corpus_info = corpus_index(Path(corpus_dir))
    size = snapshot.stat().st_size
    if workers is None:
        workers = (os.cpu_count() or 1) if size >= SMALL_EXPORT else 1
    tmp = _prepare_out(out_dir)
    try:
        parts = tmp / "parts"
        parts.mkdir()
        merger = Merger(tmp)
        texts = CorpusTexts(Path(corpus_info["path"]))
        checker = TaskChecker(rules, index, texts)
        if workers > 1:
            ctx = multiprocessing.get_context(
                "fork" if "fork" in multiprocessing.get_all_start_methods() else "spawn"
            )
            pool = ctx.Pool(
                workers,
                initializer=_init_worker,
                initargs=(rules, index, corpus_info["path"], str(parts)),
            )
        else:
            pool = None
        hasher = _Hasher(snapshot)  # started after the fork: workers need no copy of it
        hasher.start()
        try:
            exact_from = _fast(snapshot, first, range_bytes, pool, workers, checker, parts, merger)
        finally:
            if pool is not None:
                pool.terminate()
                pool.join()
        if exact_from is not None:
            _exact(snapshot, exact_from, checker, parts, merger)
        merger.close()
        hasher.join()
        if hasher.error is not None:
            raise InputError(f"{snapshot}: cannot read the snapshot ({hasher.error.strerror})")
        shutil.rmtree(parts)
        summary = _summary(snapshot, hasher, tax, corpus_info, merger)
        (tmp / "validation.json").write_bytes(
            orjson.dumps(summary, option=orjson.OPT_INDENT_2) + b"\n"
        )
        _publish(tmp, out_dir)
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise
    return ValidationResult(out_dir, summary, merger.examples)


def _fast(
    snapshot: Path,
    first: int,
    range_bytes: int,
    pool: Any,
    workers: int,
    checker: TaskChecker,
    parts: Path,
    merger: Merger,
) -> int | None:
    """Check the export range by range; the offset to read exactly from, if it comes to that."""
    for r, piece in _pieces(snapshot, first, range_bytes, pool, workers, checker, parts):
        if isinstance(r, Exact):
            return r.start
        if piece.failed is not None:
            return r.start
        merger.add(piece, _reparse(snapshot, r))
    return None


def _pieces(
    snapshot: Path,
    first: int,
    range_bytes: int,
    pool: Any,
    workers: int,
    checker: TaskChecker,
    parts: Path,
) -> Iterator[tuple[Range | Exact, Piece | None]]:
    """(range, piece) in export order; stops at the first Exact marker or failed piece."""
    ranges = export_stream.ranges(snapshot, first, range_bytes)
    if pool is None:
        for r in ranges:
            if isinstance(r, Exact):
                yield r, None
                return
            piece = check_range(checker, snapshot, r, parts)
            yield r, piece
            if piece.failed is not None:
                return
        return
    pending: deque[tuple[Range, Any]] = deque()
    for r in ranges:
        if isinstance(r, Exact):
            while pending:
                r0, fut = pending.popleft()
                piece = fut.get()
                yield r0, piece
                if piece.failed is not None:
                    return
            yield r, None
            return
        pending.append((r, pool.apply_async(_check_range, (str(snapshot), r))))
        while len(pending) > 2 * workers:
            r0, fut = pending.popleft()
            piece = fut.get()
            yield r0, piece
            if piece.failed is not None:
                return
    while pending:
        r0, fut = pending.popleft()
        piece = fut.get()
        yield r0, piece
        if piece.failed is not None:
            return


def _reparse(snapshot: Path, r: Range) -> Callable[[int], Any]:
    """A task of a range by local index, parsed again (only for tasks demoted while merging)."""
    cache: list[Any] = []

    def get(local: int) -> Any:
        if not cache:
            cache.extend(export_stream.parse_range(snapshot, r.start, r.end))
        return cache[local]

    return get


def _exact(snapshot: Path, start: int, checker: TaskChecker, parts: Path, merger: Merger) -> None:
    seq = 1 << 30  # after every range
    batch: list[Any] = []
    for task in export_stream.exact_tasks(snapshot, start):
        batch.append(task)
        if len(batch) >= EXACT_BATCH:
            _exact_batch(batch, checker, parts, merger, seq)
            seq += 1
            batch = []
    if batch:
        _exact_batch(batch, checker, parts, merger, seq)


def _exact_batch(
    batch: list[Any], checker: TaskChecker, parts: Path, merger: Merger, seq: int
) -> None:
    piece = check_tasks(checker, [batch], parts / f"part-{seq:06d}.jsonl", seq, -1)
    merger.add(piece, batch.__getitem__)


def _summary(
    snapshot: Path, hasher: _Hasher, tax: Taxonomy, corpus_info: dict[str, Any], merger: Merger
) -> dict[str, Any]:
    tasks = dict(merger.tasks)
    anns = dict(merger.annotations)
    valid = anns["selected"] + anns["superseded"]
    errors = sum(n for c, n in merger.by_code.items() if CHECKS[c].severity == ERROR)
    return {
        "snapshot": {"path": str(snapshot), "sha256": hasher.digest, "bytes": hasher.size},
        "corpus": corpus_info,
        "taxonomy": {
            "name": tax.name,
            "version": tax.version,
            "sha256": tax.sha256,
            "source": tax.source,
        },
        "schemas": {
            "labelstudio_export": schemas.version("labelstudio_export"),
            "document": schemas.version("document"),
        },
        "policy": POLICY,
        "counts": {
            "tasks": {"total": sum(tasks.values()), **tasks},
            "annotations": {
                "total": valid + anns["quarantined"] + anns["cancelled"],
                "valid": valid,
                "quarantined": anns["quarantined"],
                "cancelled": anns["cancelled"],
            },
            "valid_annotations": {"selected": anns["selected"], "superseded": anns["superseded"]},
            "documents": merger.documents,
            "quarantine_records": merger.quarantine_records,
            "drafts": merger.drafts,
            "predictions": merger.predictions,
            "issues": {"errors": errors, "warnings": sum(merger.by_code.values()) - errors},
            "by_code": {
                c: {
                    "name": CHECKS[c].name,
                    "severity": CHECKS[c].severity,
                    "count": merger.by_code[c],
                }
                for c in sorted(merger.by_code)
            },
        },
        "outputs": {
            "documents": "documents.jsonl",
            "quarantine": "quarantine.jsonl",
            "issues": "issues.jsonl",
        },
    }
