"""Reading a Label Studio JSON export (one top-level array of tasks) piece by piece.

An export of 100,000 tasks is over a gigabyte of JSON; parsing it whole would need many times
that in memory. It is read in two ways:

- **Fast**: the file is cut into byte ranges at places that look like the gap between two
  tasks, ``}, {"id": 12, "annotations": ...``: Label Studio writes a task's ``id`` first and its
  ``annotations`` second, compact or indented, and ``"annotations"`` is found with a plain byte
  search. A range (a few MiB) is cut again into pieces of some 32 KiB, and each piece is parsed
  on its own with orjson as ``[`` + piece + ``]`` (small pieces reuse freed memory, which makes
  parsing several times faster than one big parse). A cut is only a guess, but a wrong guess
  cannot go unnoticed: a piece that starts between two tasks parses as an array only if it also
  ends between two tasks (JSON values nest, so it parses only when it closes exactly what it
  opened, outside any string). The first piece starts right after the array's ``[``, so, by
  induction in export order, every piece that parses is a run of whole tasks.
- **Exact**: ijson over the array, task by task. Used from the first piece that does not parse
  (a wrong cut, or JSON that really is broken, which ijson then locates), or when no cut is
  found in :data:`MAX_RANGE` bytes (an export not written by Label Studio).

:func:`read` is the one loop over both that every reader of an export uses (validation,
agreement, adjudication, :func:`iter_tasks`): ranges go to the executor's workers, results
come back in export order, and from the first range that does not parse the rest is read
exactly, in this process, in batches of :data:`EXACT_BATCH` tasks.
"""

from __future__ import annotations

import functools
import mmap
import os
import re
from collections import deque
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Generic, TypeVar

import ijson
import orjson

from akhbar.corpus.runtime.executor import Executor, LocalExecutor, resolve_workers
from akhbar.schemas.errors import InputError

BLOCK = 1 << 22  # bytes read (and hashed) at a time
RANGE = 1 << 22  # bytes per range handed to a worker
PIECE = 1 << 15  # bytes per piece parsed at once
MAX_RANGE = 1 << 26  # no cut found in this many bytes: read the rest exactly
# Below this many bytes an export is read in this process: starting a pool (and copying the
# corpus index into it) costs more than the workers save on a few ranges.
SMALL_EXPORT = 8 << 20
# Tasks per batch when reading exactly (validation had 2000, agreement 256). Measured with
# exact reading forced on the bench exports, CPU seconds on a loaded machine: agreement 16.4
# at 1000 against 17.5 at 256 (3,000 tasks) and 8.9 at 2000 against 12.2 at 256 (2,000
# tasks): a step per batch has a fixed cost; validation showed no steady difference (5.6
# against 5.3, 4.4 against 3.6). A batch is held whole in memory, parsed (a bench agreement
# task is 27 KB of JSON, several times that as Python objects), so 1000 rather than 2000.
EXACT_BATCH = 1000
R = TypeVar("R")
_BOM = b"\xef\xbb\xbf"
_KEY = b'"annotations"'
# what must come before a task's "annotations" key at a cut: the previous task's closing
# brace, a comma, the task's opening brace and its integer id
_BEFORE = re.compile(rb'(\})\s*,\s*(\{)\s*"id"\s*:\s*-?\d+\s*,\s*')


@dataclass(frozen=True, slots=True)
class Range:
    """Bytes ``[start, end)`` of the export: whole tasks, separated by commas, if the cuts hold."""

    seq: int
    start: int
    end: int


@dataclass(frozen=True, slots=True)
class Exact:
    """Read the rest exactly from ``start`` (the first byte of a task, or of the closing ``]``)."""

    start: int


def first_element(path: Path) -> int:
    """Offset just past the top-level ``[`` (and a UTF-8 BOM); InputError if not an array."""
    try:
        with path.open("rb") as f:
            block = f.read(4096)
            offset = len(_BOM) if block.startswith(_BOM) else 0
            block = block[offset:]
            while not (stripped := block.lstrip()):  # past any amount of leading whitespace
                offset += len(block)
                block = f.read(1 << 16)
                if not block:
                    raise InputError(
                        f"{path}: the snapshot is empty; pull it again with akhbar annotate pull"
                    )
            offset += len(block) - len(stripped)
    except OSError as e:
        raise InputError(f"{path}: cannot read the snapshot ({e.strerror})") from e
    if stripped[:1] != b"[":
        what = "a JSON object" if stripped[:1] == b"{" else f"{stripped[:12]!r}"
        raise InputError(
            f"{path}: a Label Studio JSON export is an array of tasks, but the file starts with "
            f"{what}; export the project as JSON (not JSON_MIN) or use akhbar annotate pull"
        )
    return offset + 1


def next_cut(buf: Any, frm: int, to: int | None = None) -> tuple[int, int] | None:
    """The first cut at or after ``frm``: (end of the task before, start of the task after)."""
    to = len(buf) if to is None else to
    i = buf.find(_KEY, frm, to)
    while i != -1:
        window = max(0, i - 512)
        last = None
        for m in _BEFORE.finditer(buf, window, i):
            last = m
        if last is not None and last.end() == i and last.start(1) >= frm:
            return last.end(1), last.start(2)
        i = buf.find(_KEY, i + 1, to)
    return None


def ranges(path: Path, start: int, target: int = RANGE) -> Iterator[Range | Exact]:
    """Cut the export from ``start`` into ranges of about ``target`` bytes (see module doc).

    The file is mapped, not read: only the bytes around each cut are touched here.
    """
    seq = 0
    with path.open("rb") as f:
        size = os.fstat(f.fileno()).st_size
        if size <= start:
            yield Exact(start)
            return
        with mmap.mmap(f.fileno(), 0, access=mmap.ACCESS_READ) as mm:
            range_start = start
            while True:
                frm = range_start + target
                if frm < size:
                    cut = next_cut(mm, frm, min(size, range_start + MAX_RANGE))
                    if cut is not None:
                        yield Range(seq, range_start, cut[0])
                        seq += 1
                        range_start = cut[1]
                        continue
                    if range_start + MAX_RANGE < size:
                        yield Exact(range_start)
                        return
                # the rest: up to the closing bracket, which must end the file
                tail_start = max(range_start, size - 4096)
                tail = mm[tail_start:size].rstrip()
                if not tail.endswith(b"]"):
                    yield Exact(range_start)  # truncated or trailing garbage: ijson says where
                    return
                end = tail_start + len(tail) - 1
                if end - range_start > 4096 or mm[range_start:end].strip():
                    yield Range(seq, range_start, end)
                return


def pieces(data: bytes, size: int | None = None) -> Iterator[bytes]:
    """``data`` (a range) cut into pieces of about ``size`` (default PIECE) bytes at task gaps."""
    size = size or PIECE
    pos = 0
    n = len(data)
    while pos < n:
        cut = next_cut(data, pos + size) if n - pos > size * 2 else None
        if cut is None:
            yield data[pos:]
            return
        yield data[pos : cut[0]]
        pos = cut[1]


class ParseFailure(Exception):
    """A range did not parse as whole tasks (a wrong cut or broken JSON)."""


def read_range(path: Path, start: int, end: int) -> bytes:
    with path.open("rb") as f:
        f.seek(start)
        return f.read(end - start)


def parse_piece(piece: bytes) -> list[Any]:
    """The tasks of one piece; ParseFailure when it is not a run of whole JSON values."""
    try:
        return orjson.loads(b"[" + piece + b"]")
    except orjson.JSONDecodeError as e:
        raise ParseFailure(str(e)) from None


def parse_range(path: Path, start: int, end: int) -> list[Any]:
    """Every task in ``[start, end)`` (ParseFailure as :func:`parse_piece`)."""
    out: list[Any] = []
    for piece in pieces(read_range(path, start, end)):
        out.extend(parse_piece(piece))
    return out


class _Prefixed:
    """A file read from ``start`` with ``[`` in front: the rest of the array as an array."""

    def __init__(self, f, prefix: bytes) -> None:
        self.f = f
        self.prefix = prefix

    def read(self, n: int = -1) -> bytes:
        if n == 0:
            return b""  # ijson probes the type with read(0): that must not use up the prefix
        if self.prefix:
            p, self.prefix = self.prefix, b""
            return p + self.f.read(max(n - len(p), 0) if n >= 0 else -1)
        return self.f.read(n)


def exact_tasks(path: Path, start: int) -> Iterator[Any]:
    """The tasks from ``start`` on, parsed one by one; InputError where the JSON breaks."""
    count = 0
    try:
        with path.open("rb") as f:
            f.seek(start)
            for task in ijson.items(_Prefixed(f, b"["), "item", use_float=True):
                yield task
                count += 1
    except (ijson.JSONError, ijson.IncompleteJSONError, UnicodeDecodeError, ValueError) as e:
        detail = str(e).splitlines()[0] if str(e) else type(e).__name__
        raise InputError(
            f"{path}: not valid JSON after byte {start} and {count} more task(s) ({detail[:160]}); "
            "the snapshot is truncated or corrupt: pull it again with akhbar annotate pull"
        ) from None


def workers_for(path: Path, workers: int | None) -> int:
    """The processes to read ``path`` with: ``workers`` as the executor reads it (0 or None:
    one per core), but an export under :data:`SMALL_EXPORT` bytes is read in this process
    unless a number was asked for."""
    if not workers and path.stat().st_size < SMALL_EXPORT:
        return 1
    return resolve_workers(workers)


@dataclass(frozen=True, slots=True)
class Part(Generic[R]):
    """One result of :func:`read`, in export order.

    ``range`` is the range it was made from (its tasks can be parsed again with
    :func:`parse_range`); when read exactly, ``range`` is None and ``tasks`` holds the batch.
    """

    result: R
    range: Range | None = None
    tasks: list[Any] | None = None


def _attempt(on_range: Callable[[Range], R], r: Range) -> tuple[bool, R | None]:
    try:
        return True, on_range(r)
    except ParseFailure:
        return False, None


def read(
    path: Path,
    on_range: Callable[[Range], R],
    on_tasks: Callable[[list[Any], int], R],
    executor: Executor,
    range_bytes: int = RANGE,
) -> Iterator[Part[R]]:
    """``on_range`` applied to each range of the export by ``executor``, then ``on_tasks`` to
    each batch of the tasks read exactly, all in export order.

    ``on_range(range)`` parses its range (:func:`parse_range`, or :func:`pieces` and
    :func:`parse_piece`) and raises :class:`ParseFailure` when it does not parse; it runs in
    the executor's workers, so it must be picklable. From the first range that fails (or
    the first :class:`Exact` marker) the rest is read by :func:`exact_tasks` here, and
    ``on_tasks(batch, seq)`` is called with at most :data:`EXACT_BATCH` tasks at a time and a
    sequence number after every range's. InputError when the file is not a JSON array or
    breaks where it is read exactly.
    """
    first = first_element(path)
    taken: deque[Range] = deque()  # ranges handed out, whose results are yet to come
    exact_from: list[int] = []

    def handed() -> Iterator[Range]:
        for r in ranges(path, first, range_bytes):
            if isinstance(r, Exact):
                exact_from.append(r.start)
                return
            taken.append(r)
            yield r

    step = functools.partial(_attempt, on_range)
    for ok, result in executor.map(step, handed()):
        r = taken.popleft()
        if not ok:
            exact_from[:] = [r.start]
            break
        yield Part(result, r)  # type: ignore[arg-type]
    if not exact_from:
        return
    seq = 1 << 30  # after every range's
    batch: list[Any] = []
    for task in exact_tasks(path, exact_from[0]):
        batch.append(task)
        if len(batch) >= EXACT_BATCH:
            yield Part(on_tasks(batch, seq), tasks=batch)
            seq += 1
            batch = []
    if batch:
        yield Part(on_tasks(batch, seq), tasks=batch)


def _parsed(path: str, r: Range) -> list[Any]:
    return parse_range(Path(path), r.start, r.end)


def _as_is(tasks: list[Any], seq: int) -> list[Any]:
    return tasks


def iter_tasks(path: Path) -> Iterator[Any]:
    """Every task of an export, in order, read here (:func:`read` with one process)."""
    path = Path(path)
    for part in read(path, functools.partial(_parsed, str(path)), _as_is, LocalExecutor()):
        yield from part.result
