"""Merging checked pieces in export order into the outputs, with counts that add up.

Two tasks with the same id, or two documented tasks for the same article, are found here (the
pieces are checked apart): the later one is quarantined (``AK151``/``AK152``) and its document
is left out.
"""

from __future__ import annotations

import os
import shutil
from collections import Counter
from collections.abc import Callable
from pathlib import Path
from typing import Any

import orjson

from akhbar.annotation.validate.pieces import Piece
from akhbar.annotation.validate.tasks import DOCUMENTED, QUARANTINED, TASK_STATUSES, TaskOutcome
from akhbar.schemas.checks import CHECKS, ERROR, Issue

EXAMPLES_PER_CODE = 20  # issues per code kept in memory for the printed report


class Merger:
    """Writes the outputs in export order and keeps the counts and the report's examples."""

    def __init__(
        self, tmp: Path, article_path: str = "/data/article_id", record: str = "task"
    ) -> None:
        self.tmp = tmp
        self.article_path = article_path  # where a record holds its article id (for AK152)
        self.record = record  # what a record is, in messages: a task or a document
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
        self.unresolved: list[Any] = []  # task ids released without an adjudication
        self.seen_tasks: dict[Any, int] = {}  # task id -> index of its first occurrence
        self.documented: dict[str, Any] = {}  # article id -> task id of its document
        self.documented_at: dict[str, int] = {}  # article id -> its record's index, if no task id
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
                if o.task_id is None:
                    self.documented_at[o.article_id] = index
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
                        f"task id {o.task_id} occurs again (first at /{first}); "
                        + (
                            "the export was assembled from overlapping pieces"
                            if self.record == "task"
                            else "keep one document per task"
                        ),
                        "",
                    )
                )
        if o.selected and o.article_id in self.documented and not found:
            found.append(
                Issue(
                    "AK152",
                    f"article {o.article_id} already has a document from "
                    f"{self._first_of(o.article_id)}; "
                    + (
                        "annotate each article in one task"
                        if self.record == "task"
                        else "keep one document per article"
                    ),
                    self.article_path,
                )
            )
        for i in found:
            i.task_id, i.article_id = o.task_id, o.article_id
        return found

    def _first_of(self, article_id: str) -> str:
        """The record that holds an article's document, as a message names it."""
        task_id = self.documented[article_id]
        if task_id is not None:
            return f"task {task_id}"
        return f"the {self.record} at /{self.documented_at[article_id]}"

    def _count_clean(self, summary: tuple[Any, ...]) -> None:
        tid, _, status, selected, superseded, _, cancelled, drafts, predictions, unresolved = (
            summary
        )
        self.tasks[status] += 1
        a = self.annotations
        a["selected"] += selected
        a["superseded"] += superseded
        a["cancelled"] += cancelled
        self.documents += selected
        self.drafts += drafts
        self.predictions += predictions
        if unresolved:
            self.unresolved.append(tid)

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
        if o.unresolved and o.selected:
            self.unresolved.append(o.task_id)
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
