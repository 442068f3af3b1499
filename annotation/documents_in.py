"""Annotated documents (``documents.jsonl``) as the input of ``annotate validate``.

Documents written by ``annotate import-conll`` or by any other tool (one JSON object per line,
``schemas/document.schema.json``) are validated without a server, by the same checks as a Label
Studio export: a document is what a task with one finished annotation becomes, so after the
document schema each document is turned back into that task (:mod:`annotation.ls_results`) and
checked by the one :class:`~annotation.task_check.TaskChecker`, with the same codes, against the
same corpus and taxonomy. What comes out speaks of the document, not of that task:

- issue pointers are JSON pointers into the input (``/<line index>/entities/3/start``), the issue
  carries the document's own ``task_id`` and ``annotation_id``;
- a quarantined document is kept exactly as read (the line itself when it is not JSON);
- a valid document is written with its own provenance (task and annotation ids, annotator,
  times, ``selection``) and the entities and events as checked.

A document's ``created_at``/``updated_at`` are checked when it has them (they are optional in a
document, required in a task, so an absent one is stood in for by a fixed time while checking).
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import jsonschema
import orjson

from akhbar import schemas
from akhbar.annotation.checks import schema_issues
from akhbar.annotation.ls_results import document_to_results
from akhbar.annotation.merge import Merger
from akhbar.annotation.pieces import collect
from akhbar.annotation.task_check import QUARANTINED, TaskChecker, TaskOutcome
from akhbar.schemas.checks import Issue
from akhbar.schemas.errors import InputError

DOCUMENTS_INPUT = "documents"
EXPORT_INPUT = "labelstudio_export"
_NO_TIME = "1970-01-01T00:00:00Z"  # stands in for an absent time while checking (never output)
BATCH = 2000  # documents checked and merged at a time


def input_kind(path: Path) -> str:
    """``documents`` for JSON Lines of documents (a ``.jsonl`` file, or a first line that is an
    object with an ``article_id``), else ``labelstudio_export`` (whose reader explains what is
    wrong with anything that is not a JSON array)."""
    try:
        with path.open("rb") as f:
            first = f.readline(1 << 24).lstrip(b"\xef\xbb\xbf \t\r\n")
    except OSError as e:
        raise InputError(f"{path}: cannot read ({e.strerror})") from e
    if not first.startswith(b"{"):
        return EXPORT_INPUT
    if path.suffix == ".jsonl":
        return DOCUMENTS_INPUT
    try:
        obj = orjson.loads(first)
    except orjson.JSONDecodeError:
        return EXPORT_INPUT
    return DOCUMENTS_INPUT if isinstance(obj, dict) and "article_id" in obj else EXPORT_INPUT


def read_documents(path: Path) -> Iterator[tuple[int, Any, bytes]]:
    """(line index, parsed object or None, raw line) for every non-blank line."""
    try:
        with path.open("rb") as f:
            for n, raw in enumerate(f):
                line = raw.strip().removeprefix(b"\xef\xbb\xbf") if n == 0 else raw.strip()
                if not line:
                    continue
                try:
                    obj = orjson.loads(line)
                except orjson.JSONDecodeError:
                    obj = None
                yield n, obj, line
    except OSError as e:
        raise InputError(f"{path}: cannot read ({e.strerror})") from e


@dataclass(frozen=True)
class Hashed:
    """The sha256 and size of the input, as ``validation.json`` records them."""

    digest: str
    size: int


def check_documents(path: Path, checker: DocumentChecker, merger: Merger) -> Hashed:
    """Check every line of ``path`` in order and merge the outcomes into ``merger``'s outputs."""
    batch: list[tuple[int, Any, bytes]] = []
    seq = 0
    for item in read_documents(path):
        batch.append(item)
        if len(batch) >= BATCH:
            _merge_batch(batch, checker, merger, seq)
            seq, batch = seq + 1, []
    _merge_batch(batch, checker, merger, seq)
    digest = hashlib.sha256()
    try:
        with path.open("rb") as f:
            while block := f.read(1 << 20):
                digest.update(block)
    except OSError as e:
        raise InputError(f"{path}: cannot read ({e.strerror})") from e
    return Hashed(digest.hexdigest(), path.stat().st_size)


def _merge_batch(
    batch: list[tuple[int, Any, bytes]], checker: DocumentChecker, merger: Merger, seq: int
) -> None:
    checked = [checker.check(*item) for item in batch]
    piece = collect(checked, merger.tmp / f"part-{seq:06d}.jsonl", seq, -1)
    merger.add(piece, lambda local: checked[local][1])


class DocumentChecker:
    """Checks documents with the task checker; see the module docstring."""

    def __init__(self, tasks: TaskChecker) -> None:
        self.tasks = tasks
        self.schema = jsonschema.Draft202012Validator(schemas.load("document"))

    def check(self, index: int, doc: Any, raw: bytes) -> tuple[TaskOutcome, Any]:
        """The outcome of one document line, and what a quarantine keeps of it."""
        if doc is None:
            issue = Issue("AK001", f"line {index + 1} is not JSON; one document per line", "")
            return _quarantined(None, None, None, [issue]), raw.decode("utf-8", "replace")
        errors = sorted(self.schema.iter_errors(doc), key=lambda e: list(map(str, e.path)))
        if errors:
            issues = [i for e in errors for i in schema_issues(e)]
            for i in issues:
                i.message = i.message.replace("the task", "the document")
            d = doc if isinstance(doc, dict) else {}
            aid = d.get("article_id") if isinstance(d.get("article_id"), str) else None
            return _quarantined(d.get("task_id"), aid, d.get("annotation_id"), issues), doc
        o = self.tasks.check(_as_task(index, doc))
        o.task_id = doc["task_id"]
        origins = _origins(doc)
        for i in o.issues:
            i.path = _doc_pointer(i.path, origins)
            i.task_id, i.annotation_id = doc["task_id"], doc["annotation_id"]
        o.quarantined_ids = [doc["annotation_id"]] if o.quarantined else []
        if o.document is not None:
            checked = o.document
            o.document = {
                **doc,
                "taxonomy": checked["taxonomy"],  # the one it was checked against
                "entities": checked["entities"],
                "events": checked["events"],
            }
        return o, doc


def _quarantined(task_id: Any, article_id: str | None, ann_id: Any, issues: list[Issue]):
    for i in issues:
        i.task_id, i.article_id, i.annotation_id = task_id, article_id, ann_id
    return TaskOutcome(
        task_id, article_id, QUARANTINED, quarantined=1, issues=issues, quarantined_ids=[ann_id]
    )


def _as_task(index: int, doc: dict[str, Any]) -> dict[str, Any]:
    """The task with one finished annotation that ``doc`` is the document of."""
    return {
        "id": index + 1,
        "data": {"text": doc["text"], "article_id": doc["article_id"]},
        "annotations": [
            {
                "id": index + 1,
                "result": document_to_results(doc),
                "was_cancelled": False,
                "ground_truth": False,
                "created_at": doc.get("created_at") or _NO_TIME,
                "updated_at": doc.get("updated_at") or doc.get("created_at") or _NO_TIME,
                "completed_by": doc.get("annotator_id"),
            }
        ],
    }


# Where a field of a result or annotation lives in the document, by kind of result.
_FIELDS = {
    "entity": {"value/start": "/start", "value/end": "/end", "value/text": "/text",
               "value/labels": "/label", "id": "/id"},
    "trigger": {"value/start": "/trigger/start", "value/end": "/trigger/end",
                "value/text": "/trigger/text", "value/labels": "/type", "id": "/id"},
    "argument": {"labels": "/role", "to_id": "/entity_id"},
}  # fmt: skip


def _origins(doc: dict[str, Any]) -> list[tuple[str, str]]:
    """For each result of ``document_to_results(doc)``, in order: (pointer, kind)."""
    out = [(f"/entities/{i}", "entity") for i in range(len(doc["entities"]))]
    for k, ev in enumerate(doc["events"]):
        out.append((f"/events/{k}", "trigger"))
        out += [(f"/events/{k}/arguments/{m}", "argument") for m in range(len(ev["arguments"]))]
    return out


def _doc_pointer(path: str, origins: list[tuple[str, str]]) -> str:
    """A pointer into the task (``/annotations/0/result/3/value/start``) as one into the
    document (``/entities/3/start``)."""
    parts = path.split("/")[1:]
    if parts[:1] == ["data"]:
        return "/" + "/".join(parts[1:2])
    if parts[:3] != ["annotations", "0", "result"] or len(parts) < 4:
        return "/" + "/".join(parts[2:3]) if parts[:1] == ["annotations"] and parts[2:3] else ""
    try:
        base, kind = origins[int(parts[3])]
    except (ValueError, IndexError):
        return ""
    rest = parts[4:]
    for key in ("/".join(rest[:2]), "/".join(rest[:1])):
        if key in _FIELDS[kind]:
            return base + _FIELDS[kind][key]
    return base
