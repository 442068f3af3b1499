"""Every annotator's version of each task of a snapshot, as annotated documents.

Validation keeps one document per task; agreement and adjudication need all of them. A task
is *shared* when valid, non-cancelled annotations by two or more different annotators remain;
each annotation is checked and converted exactly as validation does
(:class:`annotation.validate.tasks.TaskChecker`), so a version is a document of
``schemas/document.schema.json``. Invalid annotations are reported, never scored.

Who counts as an annotator: the user in ``completed_by`` (an annotation with none counts as an
annotator of its own). When one user annotated a task twice, their most recent annotation is
their version. An adjudicator's *resolution* is not a version, whoever made it: an annotation started from
an akhbar adjudication proposal (its ``parent_prediction`` a prediction whose
``model_version`` starts with :data:`ADJUDICATION_MODEL`), or marked ground truth after one
was posted (see :mod:`annotation.labelstudio.resolution`); it is counted, not compared.

Tokens are those of the release's ``ner`` config: an article that brings its own tokenisation
(``metadata.token_offsets``, from a CoNLL import) uses it, every other article the release's
tokeniser (:func:`corpus.release.segment.tokenize`).
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TypeVar

import numpy as np

from akhbar.annotation.labelstudio import export_reader
from akhbar.annotation.labelstudio.annotator_emails import annotator_emails
from akhbar.annotation.labelstudio.convert import select
from akhbar.annotation.labelstudio.resolution import (
    ADJUDICATION_MODEL,
    is_resolution,
    proposals,
)
from akhbar.annotation.labelstudio.result_checks import Rules
from akhbar.annotation.validate.tasks import TaskChecker, is_error
from akhbar.corpus.release.segment import parse_given_tokens, tokenize
from akhbar.corpus.runtime.executor import make_executor
from akhbar.corpus.store import ArticleTexts, iter_article_batches, text_index
from akhbar.schemas.errors import InputError
from akhbar.schemas.taxonomy import Taxonomy

__all__ = [
    "ADJUDICATION_MODEL",
    "SnapshotTally",
    "TaskVersions",
    "VersionReader",
    "annotator_emails",
]
R = TypeVar("R")


@dataclass(slots=True)
class TaskVersions:
    """One task with every annotator's valid version (a document each, by annotator)."""

    task_id: Any
    article_id: str
    text: str
    versions: dict[str, dict[str, Any]]
    token_starts: np.ndarray | None = None
    token_ends: np.ndarray | None = None
    adjudicated: bool = False  # an adjudicator's resolution was found in it
    proposed: bool = False  # an akhbar adjudication proposal was posted to it

    def tokens(self) -> tuple[np.ndarray, np.ndarray]:
        if self.token_starts is None:
            self.token_starts, self.token_ends = tokenize(self.text)
        return self.token_starts, self.token_ends


@dataclass
class SnapshotTally:
    """What reading the snapshot found, beside the shared tasks."""

    tasks: int = 0
    shared: int = 0  # tasks with versions by two or more annotators
    single: int = 0  # tasks with a version by one annotator only
    unannotated: int = 0
    invalid: list[dict[str, Any]] = field(default_factory=list)  # annotations not scored
    replaced: int = 0  # earlier annotations of a user who annotated a task again
    adjudications: int = 0  # ground-truth resolutions, counted and not compared
    annotators_per_task: dict[int, int] = field(default_factory=dict)  # k -> tasks

    def merge(self, other: SnapshotTally) -> None:
        for name in ("tasks", "shared", "single", "unannotated", "replaced", "adjudications"):
            setattr(self, name, getattr(self, name) + getattr(other, name))
        self.invalid.extend(other.invalid)
        for k, n in other.annotators_per_task.items():
            self.annotators_per_task[k] = self.annotators_per_task.get(k, 0) + n

    def to_dict(self) -> dict[str, Any]:
        return {
            "tasks": self.tasks,
            "shared": self.shared,
            "single": self.single,
            "unannotated": self.unannotated,
            "invalid_annotations": len(self.invalid),
            "replaced_annotations": self.replaced,
            "adjudications": self.adjudications,
            "annotators_per_task": {str(k): v for k, v in sorted(self.annotators_per_task.items())},
        }


_READER: VersionReader | None = None  # in a worker: the run's reader (init_worker)


def init_worker(reader: VersionReader) -> None:
    """The executor's initializer: the run's reader, in each worker (forked, so the reader,
    whose checker does not pickle, is inherited, not sent)."""
    global _READER
    _READER = reader


def check_range(
    reader: VersionReader,
    snapshot: str,
    step: Callable[[list[TaskVersions]], R],
    r: export_reader.Range,
) -> tuple[R, SnapshotTally]:
    """Read, check and ``step`` one range: (result, its tally); ParseFailure if it does not
    parse as whole tasks."""
    tally = SnapshotTally()
    tasks = export_reader.parse_range(Path(snapshot), r.start, r.end)
    shared = [tv for t in tasks if (tv := reader.task(t, tally)) is not None]
    return step(shared), tally


def run_range(
    snapshot: str, step: Callable[[list[TaskVersions]], R], r: export_reader.Range
) -> tuple[R, SnapshotTally]:
    """Worker side of :func:`check_range` (the reader comes from :func:`init_worker`)."""
    assert _READER is not None, "init_worker was not called"
    return check_range(_READER, snapshot, step, r)


def given_tokens(corpus_dir: Path) -> dict[str, str]:
    """article id -> metadata JSON, for the articles that bring their own tokens."""
    out: dict[str, str] = {}
    for batch in iter_article_batches(corpus_dir, ("id", "metadata")):
        for aid, md in zip(*(c.to_pylist() for c in batch.columns), strict=True):
            if md and '"token_offsets"' in md:
                out[aid] = md
    return out


class VersionReader:
    """Reads the shared tasks of snapshots against one corpus and taxonomy."""

    def __init__(self, corpus_dir: str | Path, taxonomy: Taxonomy) -> None:
        self.corpus_dir = Path(corpus_dir)
        index = text_index(self.corpus_dir)
        self.checker = TaskChecker(Rules(taxonomy), index, ArticleTexts(self.corpus_dir))
        self.given = given_tokens(self.corpus_dir)
        self.names: dict[str, str] = {}  # user id -> e-mail, from the snapshot's manifest

    def read(self, snapshot: str | Path, tally: SnapshotTally) -> Iterator[TaskVersions]:
        """The shared tasks of ``snapshot``, in export order; ``tally`` counts the rest."""
        for batch in self.batches(snapshot, tally, list, workers=1):
            yield from batch

    def batches(
        self,
        snapshot: str | Path,
        tally: SnapshotTally,
        step: Callable[[list[TaskVersions]], R],
        workers: int | None = None,
        range_bytes: int = export_reader.RANGE,
    ) -> Iterator[R]:
        """``step`` applied to each run of consecutive shared tasks, results in export order.

        The export is read range by range (:mod:`annotation.labelstudio.export_reader`); with several
        ``workers`` (default: one per core for exports of 8 MiB or more) each range is read,
        checked and given to ``step`` in a worker process, so ``step`` and its result must be
        picklable. From a range that does not parse as whole tasks on, the rest is read
        exactly, in this process.
        """
        snapshot = Path(snapshot)
        if not snapshot.is_file():
            raise InputError(f"{snapshot}: no such file; give a snapshot from akhbar annotate pull")
        self.names = annotator_emails(snapshot)
        self.checker.emails = self.names  # the versions name their annotator's e-mail too

        def on_tasks(tasks: list[Any], seq: int) -> tuple[R, SnapshotTally]:
            part = SnapshotTally()
            return step([tv for t in tasks if (tv := self.task(t, part)) is not None]), part

        workers = export_reader.workers_for(snapshot, workers)
        with make_executor(workers, init_worker, (self,)) as executor:
            on_range = (
                functools.partial(run_range, str(snapshot), step)
                if executor.workers > 1
                else functools.partial(check_range, self, str(snapshot), step)
            )
            for part in export_reader.read(snapshot, on_range, on_tasks, executor, range_bytes):
                result, read = part.result
                tally.merge(read)
                yield result

    def task(self, task: Any, tally: SnapshotTally) -> TaskVersions | None:
        """One task of an export: its versions if it is shared; counted in ``tally``."""
        tally.tasks += 1
        return self._task(task, tally)

    def _task(self, task: Any, tally: SnapshotTally) -> TaskVersions | None:
        out = self.checker.check(task, every_version=True)
        for i in out.issues:
            if is_error(i):
                tally.invalid.append(i.to_dict())
        anns = {a.get("id"): a for a in task.get("annotations") or () if isinstance(a, dict)}
        found = proposals(task)
        by_user: dict[str, list[tuple[int, dict[str, Any]]]] = {}
        resolved = False
        for k, doc in enumerate(out.versions or ()):
            if is_resolution(anns.get(doc["annotation_id"]), found):
                resolved = True
                continue
            who = doc["annotator"] or f"annotation {doc['annotation_id']}"
            who = self.names.get(who, who)
            by_user.setdefault(who, []).append((k, anns.get(doc["annotation_id"], doc)))
        tally.adjudications += resolved
        versions: dict[str, dict[str, Any]] = {}
        for who, cands in by_user.items():
            pick, _ = select(cands)
            versions[who] = out.versions[pick]
            tally.replaced += len(cands) - 1
        n = len(versions)
        if n == 0:
            tally.unannotated += not resolved
            return None
        tally.annotators_per_task[n] = tally.annotators_per_task.get(n, 0) + 1
        if n == 1:
            tally.single += 1
            return None
        tally.shared += 1
        text = task["data"]["text"]
        tv = TaskVersions(
            out.task_id,
            out.article_id,
            text,
            versions,
            adjudicated=resolved,
            proposed=bool(found.ids),
        )
        md = self.given.get(out.article_id)
        if md is not None:
            given = parse_given_tokens(md, text, f"article {out.article_id}")
            if given is not None:
                tv.token_starts, tv.token_ends = given[0], given[1]
        return tv
