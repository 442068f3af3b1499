"""Checking a run of consecutive tasks of an export, in this process or in a worker.

A range of the export (see :mod:`annotation.labelstudio.export_reader`) is parsed piece by piece and each
task checked and converted (:class:`annotation.validate.tasks.TaskChecker`); the documents go to a
part file, and a :class:`Piece` with one small summary per task goes back to be merged in
export order (:mod:`annotation.validate.merge`).
"""

from __future__ import annotations

import gc
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import orjson

from akhbar.annotation.labelstudio import export_reader
from akhbar.annotation.labelstudio.export_reader import ParseFailure, Range
from akhbar.annotation.labelstudio.result_checks import Rules
from akhbar.annotation.validate.tasks import QUARANTINED, TaskChecker, TaskOutcome
from akhbar.corpus.store import ArticleTexts
from akhbar.schemas.checks import Issue


@dataclass(slots=True)
class Piece:
    """What checking a run of consecutive tasks gave; indices are local to the piece.

    Each task travels back as a small tuple (cheap to pickle); only tasks with issues carry
    them, and only quarantined tasks carry their payload.
    """

    seq: int
    start: int  # byte offset of the piece's first task, -1 when read exactly
    # per task: (task_id, article_id, status, selected, superseded, quarantined, cancelled,
    # drafts, predictions, unresolved)
    summaries: list[tuple[Any, ...]] = field(default_factory=list)
    details: dict[int, tuple[list[Issue], list[Any]]] = field(default_factory=dict)
    payloads: dict[int, Any] = field(default_factory=dict)  # local index -> task, if quarantined
    part: str | None = None  # file holding the documents, one line each, in task order

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
    outcomes = ((checker.check(task), task) for tasks in batches for task in tasks)
    return collect(outcomes, part, seq, start)


def collect(outcomes: Iterable[tuple[TaskOutcome, Any]], part: Path, seq: int, start: int) -> Piece:
    """A Piece of checked records, each an outcome and the record as read (the payload a
    quarantine keeps); their documents go to ``part``."""
    piece = Piece(seq, start, part=str(part))
    lines = []
    dumps = orjson.dumps
    summaries = piece.summaries
    for local, (o, record) in enumerate(outcomes):
        if o.document is not None:
            lines.append(dumps(o.document))
        if o.status == QUARANTINED or o.quarantined:
            piece.payloads[local] = record
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
                o.unresolved,
            )
        )
    with open(part, "wb") as f:
        if lines:
            f.write(b"\n".join(lines))
            f.write(b"\n")
    return piece


_WORKER: dict[str, Any] = {}


def init_worker(
    rules: Rules,
    index: dict[str, str],
    corpus_dir: str,
    parts: str,
    emails: dict[str, str] | None = None,
) -> None:
    _WORKER["checker"] = TaskChecker(rules, index, ArticleTexts(corpus_dir), emails)
    _WORKER["parts"] = Path(parts)


def check_range(checker: TaskChecker, snapshot: Path, r: Range, parts: Path) -> Piece:
    """Parse one range of the export piece by piece and check its tasks (ParseFailure, with
    no part file left, when the range is not a run of whole tasks)."""
    data = export_reader.read_range(snapshot, r.start, r.end)
    batches = map(export_reader.parse_piece, export_reader.pieces(data))
    part = parts / f"part-{r.seq:06d}.jsonl"
    # Parsed JSON holds no reference cycles; the collector would only walk the freshly parsed
    # tasks again and again (several percent of the time). It runs again after the range.
    collect = gc.isenabled()
    gc.disable()
    try:
        return check_tasks(checker, batches, part, r.seq, r.start)
    except ParseFailure:
        part.unlink(missing_ok=True)
        raise
    finally:
        if collect:
            gc.enable()


def run_range(snapshot: str, r: Range) -> Piece:
    """Worker side of :func:`check_range`."""
    return check_range(_WORKER["checker"], Path(snapshot), r, _WORKER["parts"])
