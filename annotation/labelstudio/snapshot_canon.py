"""The one canonical form of a pulled snapshot, whether it came from an export or the task API.

Label Studio 1.23 describes a task in two ways. The JSON export (``data_export`` serializers)
gives a task's fields in model order with ``annotations`` second, draft ids, ``allow_skip``,
``updated_by`` as a user id, and annotations with ``prediction``, ``result_count`` and
``unique_id``. The task listing (``GET /api/tasks?fields=all``, the Data Manager's serializer)
gives the same task with computed columns (``annotators``, ``completed_at``, ...), no
``allow_skip``, ``updated_by`` as ``[{"user_id": N}]``, only the caller's own drafts (in full),
and annotations with ``created_username`` and ``created_ago`` but without ``prediction``,
``result_count`` or ``unique_id``; predictions carry a ``created_ago`` ("3 minutes") that
changes with the clock in both.

A snapshot keeps, for each task, only what both say alike, in the export's key order:
:data:`TASK_KEYS`, with annotations (:data:`ANNOTATION_KEYS`) and predictions
(:data:`PREDICTION_KEYS`) sorted by id. Drafts are left out: the export names only their ids,
the listing shows only the caller's, and saving a draft does not touch the task's
``updated_at``, so no pull could keep them exact; nothing downstream reads them.

The file is one JSON array with one task per line, by task id::

    [
    {"id":1,"annotations":[...],...},
    {"id":2,"annotations":[...],...}
    ]

so that an incremental pull can copy unchanged tasks as bytes, and a task's id is read from the
start of its line. It is still a Label Studio JSON export to every reader (``labelstudio.export_reader``).
"""

from __future__ import annotations

import hashlib
import mmap
import re
from array import array
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any

import orjson

from akhbar.schemas.errors import InputError

CANONICAL = "akhbar-tasks-v1"  # the manifest's name for this form

TASK_KEYS = (
    "id",
    "annotations",
    "predictions",
    "data",
    "meta",
    "created_at",
    "updated_at",
    "inner_id",
    "total_annotations",
    "cancelled_annotations",
    "total_predictions",
    "comment_count",
    "unresolved_comment_count",
    "last_comment_updated_at",
    "project",
    "updated_by",
    "comment_authors",
)
ANNOTATION_KEYS = (
    "id",
    "completed_by",
    "result",
    "was_cancelled",
    "ground_truth",
    "created_at",
    "updated_at",
    "draft_created_at",
    "lead_time",
    "import_id",
    "last_action",
    "bulk_created",
    "task",
    "project",
    "updated_by",
    "parent_prediction",
    "parent_annotation",
    "last_created_by",
)
PREDICTION_KEYS = (
    "id",
    "result",
    "model_version",
    "score",
    "cluster",
    "neighbors",
    "mislabeling",
    "created_at",
    "updated_at",
    "model",
    "model_run",
    "task",
    "project",
)

HEAD = b"[\n"
BLOCK = 1 << 22  # bytes read at a time
TAIL = b"]\n"
_LINE_ID = re.compile(rb'\{"id":(-?\d+),')


def _user_id(value: Any) -> Any:
    """A user as its id: the export's ``1``, the listing's ``[{"user_id": 1}]`` or ``{"id": 1}``."""
    if isinstance(value, list):
        return _user_id(value[0]) if value else None
    if isinstance(value, dict):
        return value.get("user_id", value.get("id"))
    return value


def _pick(obj: dict[str, Any], keys: tuple[str, ...]) -> dict[str, Any]:
    return {k: obj[k] for k in keys if k in obj}


def _by_id(items: Any) -> list[Any]:
    items = list(items or ())
    return sorted(items, key=lambda x: x.get("id", 0) if isinstance(x, dict) else 0)


def canonical_annotation(ann: dict[str, Any]) -> dict[str, Any]:
    out = _pick(ann, ANNOTATION_KEYS)
    for who in ("completed_by", "updated_by", "last_created_by"):
        if who in out:
            out[who] = _user_id(out[who])
    return out


def canonical_task(task: dict[str, Any]) -> dict[str, Any]:
    """The task as a snapshot keeps it, from the export's or the task listing's JSON."""
    out = _pick(task, TASK_KEYS)
    out["annotations"] = [
        canonical_annotation(a) if isinstance(a, dict) else a
        for a in _by_id(task.get("annotations"))
    ]
    out["predictions"] = [
        _pick(p, PREDICTION_KEYS) if isinstance(p, dict) else p
        for p in _by_id(task.get("predictions"))
    ]
    if "updated_by" in out:
        out["updated_by"] = _user_id(out["updated_by"])
    return {k: out[k] for k in TASK_KEYS if k in out}


def dumps(task: dict[str, Any]) -> bytes:
    """One canonical task as one line of JSON (no newline)."""
    return orjson.dumps(canonical_task(task))


def line_id(line: bytes | memoryview) -> int | None:
    m = _LINE_ID.match(bytes(line[:40]))
    return int(m.group(1)) if m else None


@dataclass
class Counts:
    """What a snapshot holds, counted from its tasks as they are written."""

    tasks: int = 0
    tasks_with_annotations: int = 0
    annotations: int = 0
    cancelled_annotations: int = 0
    predictions: int = 0

    def add(self, task: dict[str, Any], sign: int = 1) -> None:
        anns = task.get("annotations") or []
        self.tasks += sign
        self.tasks_with_annotations += sign * bool(anns)
        self.annotations += sign * len(anns)
        self.cancelled_annotations += sign * sum(
            bool(isinstance(a, dict) and a.get("was_cancelled")) for a in anns
        )
        self.predictions += sign * len(task.get("predictions") or [])

    def as_dict(self) -> dict[str, int]:
        return {
            "tasks": self.tasks,
            "tasks_with_annotations": self.tasks_with_annotations,
            "annotations": self.annotations,
            "cancelled_annotations": self.cancelled_annotations,
            "predictions": self.predictions,
        }


class Writer:
    """Writes canonical task lines, in increasing id order, into an open binary file, with
    its sha256 as it goes. ``write_task`` takes a task (made canonical here), ``write_line``
    a line that is canonical already (copied from a snapshot)."""

    def __init__(self, f: IO[bytes]) -> None:
        self.f = f
        self.sha = hashlib.sha256()
        self.size = 0
        self.last_id: int | None = None
        self.sorted = True
        self.counts = Counts()
        self._first = True
        self._put(HEAD)

    def _put(self, data: bytes | memoryview) -> None:
        self.f.write(data)
        self.sha.update(data)
        self.size += len(data)

    def write_line(self, line: bytes | memoryview, task_id: int) -> None:
        if self.last_id is not None and task_id <= self.last_id:
            self.sorted = False
        self.last_id = task_id
        if not self._first:
            self._put(b",\n")
        self._first = False
        self._put(line)

    def write_task(self, task: dict[str, Any]) -> bytes:
        canon = canonical_task(task)
        line = orjson.dumps(canon)
        self.counts.add(canon)
        self.write_line(line, canon["id"])
        return line

    def finish(self) -> None:
        self._put(b"\n" + TAIL if not self._first else TAIL)
        self.f.flush()


@dataclass
class Index:
    """Where each task's line is in a canonical snapshot: ids in file order, byte offsets and
    lengths (arrays, a few MB for 100,000 tasks), and the file's sha256."""

    path: Path
    ids: array = field(default_factory=lambda: array("q"))
    starts: array = field(default_factory=lambda: array("q"))
    lengths: array = field(default_factory=lambda: array("q"))
    sha256: str = ""
    size: int = 0


def index(path: Path) -> Index:
    """Index a canonical snapshot (see the module doc); InputError if it is not one.

    Read in blocks with plain reads, not mapped: mapped pages of a large file would count in
    the process's resident memory as they are touched.
    """
    out = Index(path)
    sha = hashlib.sha256()

    def bad(at: int, last: int | None) -> InputError:
        return InputError(
            f"{path}: line at byte {at} is not a canonical task after task {last} (not a "
            f"snapshot in akhbar's canonical form); pull again with --full"
        )

    try:
        with path.open("rb") as f:
            head = f.read(len(HEAD))
            if head != HEAD:
                raise bad(0, None)
            sha.update(head)
            buf, buf_at = b"", len(HEAD)  # buf: the bytes from offset buf_at on, not yet indexed
            last: int | None = None
            ended = False
            while block := f.read(BLOCK):
                sha.update(block)
                buf += block
                view = memoryview(buf)
                pos = 0
                while (nl := buf.find(b"\n", pos)) != -1:
                    if ended:
                        raise bad(buf_at + pos, last)
                    if view[pos:nl] == b"]":
                        ended = True
                        pos = nl + 1
                        continue
                    line_end = nl - 1 if view[nl - 1 : nl] == b"," else nl
                    tid = line_id(view[pos : min(pos + 40, line_end)])
                    if tid is None or (last is not None and tid <= last):
                        raise bad(buf_at + pos, last)
                    out.ids.append(tid)
                    out.starts.append(buf_at + pos)
                    out.lengths.append(line_end - pos)
                    last = tid
                    pos = nl + 1
                view.release()
                buf, buf_at = buf[pos:], buf_at + pos
            if not ended or buf:
                raise bad(buf_at, last)
            out.size = f.tell()
    except OSError as e:
        raise InputError(f"{path}: cannot read the snapshot ({e.strerror})") from e
    out.sha256 = sha.hexdigest()
    return out


def copy_run(src: IO[bytes], start: int, end: int, writer: Writer, first: int, last: int) -> None:
    """Copy the lines of tasks ``first``..``last``, bytes ``[start, end)`` of a canonical
    snapshot (whole lines and the separators between them), into ``writer``."""
    writer.write_line(b"", first)  # the separator before the run, and the order check
    writer.last_id = last
    src.seek(start)
    left = end - start
    while left > 0:
        block = src.read(min(BLOCK, left))
        if not block:
            raise InputError(f"{src.name}: the snapshot is shorter than its index; pull again")
        writer._put(block)
        left -= len(block)


def read_lines(path: Path, starts: list[int], lengths: list[int]) -> Iterator[bytes]:
    """The lines at these offsets (for a few tasks: the sample checked against the server)."""
    with path.open("rb") as f:
        for s, n in zip(starts, lengths, strict=True):
            f.seek(s)
            yield f.read(n)


def sort_lines(path: Path, f: IO[bytes]) -> Writer:
    """Rewrite the canonical lines of ``path`` (open as ``f``) in id order; a new Writer's
    digest and size. For an export not in id order (Label Studio writes one in id order)."""
    spans: list[tuple[int, int, int]] = []
    with path.open("rb") as src, mmap.mmap(src.fileno(), 0, access=mmap.ACCESS_READ) as mm:
        pos, end = len(HEAD), len(mm) - len(TAIL)
        while pos < end:
            nl = mm.find(b"\n", pos, end + 1)
            stop = nl if nl != -1 else end
            line_end = stop - 1 if mm[stop - 1 : stop] == b"," else stop
            spans.append((line_id(mm[pos : pos + 40]) or 0, pos, line_end - pos))
            pos = stop + 1
        spans.sort()
        tmp = path.with_name(path.name + ".sorted")
        with tmp.open("w+b") as out:
            writer = Writer(out)
            for tid, start, n in spans:
                if writer.last_id == tid:
                    raise InputError(f"{path}: task {tid} is twice in the export; pull again")
                writer.write_line(mm[start : start + n], tid)
            writer.finish()
    tmp.replace(path)
    f.seek(0)
    return writer
