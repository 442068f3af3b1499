"""Reading a Label Studio JSON export (one top-level array of tasks) piece by piece.

An export of 100,000 tasks is over a gigabyte of JSON; parsing it whole would need many times
that in memory. It is read in two ways:

- **Fast**: the file is cut into byte ranges of a few MiB at places that look like the gap
  between two tasks (``}, {"id": 12, "annotations": ...`` as Label Studio writes tasks, or a
  closing brace at the indentation of a top-level element). Each range is parsed on its own
  with orjson as ``[`` + range + ``]``, possibly in another process. A cut is only a guess, but
  a wrong guess cannot go unnoticed: a range that starts between two tasks parses as an array
  only if it also ends between two tasks (JSON values nest, so a range parses only when it
  closes exactly what it opened, outside any string). The first range starts right after the
  array's ``[``, so by induction every range that parses is a run of whole tasks.
- **Exact**: ijson over the array, task by task. Used from the first range that does not parse
  (a wrong cut, or JSON that really is broken, which ijson then locates), or when no cut is
  found in :data:`MAX_RANGE` bytes.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import ijson
import orjson

from corpus.errors import InputError

BLOCK = 1 << 22  # bytes read (and hashed) at a time
MAX_RANGE = 1 << 26  # no cut found in this many bytes: read the rest exactly
_SEARCH = 1 << 16  # look for a cut in the last this-many bytes of a block first
_BOM = b"\xef\xbb\xbf"

# The gap before a task: Label Studio writes a task's "id" first and "annotations" second;
# indented exports put top-level elements at column 0 (one json.dump per task) or 2.
_CUT = re.compile(
    rb'\}\s*,\s*(?=\{\s*"id"\s*:\s*-?\d+\s*,\s*"annotations"\s*:)'
    rb"|(?<=\n)\}[ \t\r]*,[ \t\r]*\n(?=\{)"
    rb"|(?<=\n  )\}[ \t\r]*,[ \t\r]*\n(?=  \{)"
)


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
            head = f.read(4096)
    except OSError as e:
        raise InputError(f"{path}: cannot read the snapshot ({e.strerror})") from e
    skip = len(_BOM) if head.startswith(_BOM) else 0
    stripped = head[skip:].lstrip()
    if not stripped:
        raise InputError(f"{path}: the snapshot is empty; pull it again with akhbar annotate pull")
    if stripped[:1] != b"[":
        what = "a JSON object" if stripped[:1] == b"{" else f"{stripped[:12]!r}"
        raise InputError(
            f"{path}: a Label Studio JSON export is an array of tasks, but the file starts with "
            f"{what}; export the project as JSON (not JSON_MIN) or use akhbar annotate pull"
        )
    return skip + (len(head[skip:]) - len(stripped)) + 1


def ranges(path: Path, start: int, target: int = BLOCK) -> Iterator[Range | Exact]:
    """Cut the export from ``start`` into ranges of about ``target`` bytes (see module doc)."""
    seq = 0
    with path.open("rb") as f:
        f.seek(start)
        range_start = start
        pos = start  # file offset of the byte after what has been read
        carry = b""  # the end of the previous block, so a cut may straddle two blocks
        while True:
            block = f.read(max(target, 1 << 16))
            if not block:
                break
            buf = carry + block
            buf_start = pos - len(carry)
            pos += len(block)
            if pos - range_start < target:
                carry = buf[-256:]
                continue
            cut = _last_cut(buf, max(0, range_start - buf_start))
            if cut is None:
                if pos - range_start > MAX_RANGE:
                    yield Exact(range_start)
                    return
                carry = buf[-256:]
                continue
            end, nxt = buf_start + cut[0], buf_start + cut[1]
            yield Range(seq, range_start, end)
            seq += 1
            range_start = nxt
            carry = buf[cut[1] :][-256:]
        # the rest: up to the closing bracket, which must end the file
        f.seek(max(range_start, pos - 4096))
        tail = f.read()
    tail_start = max(range_start, pos - 4096)
    stripped = tail.rstrip()
    if not stripped.endswith(b"]"):
        yield Exact(range_start)  # truncated or trailing garbage: let the exact reader say
        return
    end = tail_start + len(stripped) - 1
    if _blank_between(path, range_start, end):
        return
    yield Range(seq, range_start, end)


def _last_cut(buf: bytes, lo: int) -> tuple[int, int] | None:
    """(end of the task before, start of the task after) of the last cut in ``buf[lo:]``."""
    span = _SEARCH
    n = len(buf)
    while True:
        begin = max(lo, n - span)
        last = None
        for m in _CUT.finditer(buf, begin):
            last = m
        if last is not None:
            return last.start() + 1, last.end()
        if begin == lo:
            return None
        span *= 4


def _blank_between(path: Path, start: int, end: int) -> bool:
    if end - start > 4096:
        return False
    with path.open("rb") as f:
        f.seek(start)
        return not f.read(end - start).strip()


class ParseFailure(Exception):
    """A range did not parse as whole tasks (a wrong cut or broken JSON)."""


def parse_range(path: Path, start: int, end: int) -> list[Any]:
    """The tasks in ``[start, end)``; ParseFailure when it is not a run of whole JSON values."""
    with path.open("rb") as f:
        f.seek(start)
        data = f.read(end - start)
    try:
        tasks = orjson.loads(b"[" + data + b"]")
    except orjson.JSONDecodeError as e:
        raise ParseFailure(str(e)) from None
    return tasks


class _Prefixed:
    """A file read from ``start`` with ``[`` in front: the rest of the array as an array."""

    def __init__(self, f, prefix: bytes) -> None:
        self.f = f
        self.prefix = prefix

    def read(self, n: int = -1) -> bytes:
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


def sha256_file(path: Path) -> tuple[str, int]:
    h = hashlib.sha256()
    size = 0
    with path.open("rb") as f:
        while block := f.read(BLOCK):
            h.update(block)
            size += len(block)
    return h.hexdigest(), size
