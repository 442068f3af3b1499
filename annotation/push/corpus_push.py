"""Push a corpus into a Label Studio project as tasks: idempotent, resumable, drift-safe.

1. The project is found by its exact title, or created, with the labeling config and the
   instructions generated from the taxonomy (``annotation.push.project``: a project two
   pushes created at once is made one; a config that differs from the taxonomy's is kept
   and described unless ``update_config``).
2. What the project holds is read by article id: from the ledger of the last push if the
   project has not changed since (``annotation.push.ledger``), else by listing its tasks'
   ids and ``meta`` (article id, text digest). Reading first is what makes a push
   idempotent and resumable: an article already in the project is skipped, including one
   whose import the server committed but whose answer never arrived. A project the push
   has just created is known to be empty. The corpus side is its ids and the store's text
   digests (``annotation.push.articles``): texts are read only for the articles sent.
3. An article whose text differs from the text already in the project under the same id is
   refused before anything is imported: the annotations there point into the old text.
4. Pre-annotations are checked (``annotation.push.preannotations``); bad ones are reported and left
   out. They ride along with new tasks in the same import request, which Label Studio
   commits in one transaction per batch, so a task never lands without them. Predictions
   for tasks already in the project are added with ``/api/predictions`` unless the task
   already has one from the same ``model_version``; annotations are imported with new tasks
   only.
   An article whose annotation was rejected is held back (not pushed) so that the fixed
   annotation can come with its task on the next push.
5. New tasks are sent to the bulk import endpoint in large batches, each made while the one
   before is sent (``annotation.push.task_batches``).
6. The project is looked at again (``annotation.push.settle``): tasks this push made for
   articles that another push, running at the same time, imported first are removed, and
   the ledger is written from what the server holds.

Task ``data`` is ``{text, title, article_id, source, url}``.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from tqdm import tqdm

from akhbar.annotation.labelstudio import team_calls
from akhbar.annotation.labelstudio.client import Client, Connection, Unreachable
from akhbar.annotation.push import ledger as push_ledger
from akhbar.annotation.push import preannotations as preds
from akhbar.annotation.push import settle as push_settle
from akhbar.annotation.push import suggestions
from akhbar.annotation.push.articles import META_KEY, PushArticles, TaskArticle
from akhbar.annotation.push.ledger import Existing, Fingerprint
from akhbar.annotation.push.preannotations import (
    ANNOTATION,
    PREDICTION,
    Checked,
    PreAnnotation,
    Problem,
)
from akhbar.annotation.push.project import ensure_project
from akhbar.annotation.push.task_batches import DEFAULT_BATCH_SIZE, Maker
from akhbar.corpus.runtime.option_fields import opt
from akhbar.corpus.store import text_digest
from akhbar.schemas import taxonomy
from akhbar.schemas.errors import IntegrityError, OutputError, UsageError
from akhbar.schemas.taxonomy import Taxonomy

TASK_FIELDS = ("text", "title", "article_id", "source", "url")


@dataclass
class PushReport:
    project_id: int
    project_title: str
    created_project: bool = False
    config_updated: bool = False
    articles: int = 0  # articles offered
    existing: int = 0  # already in the project, skipped
    imported: int = 0  # tasks created now
    batches: int = 0
    predictions: int = 0  # predictions imported (with new tasks or added to existing ones)
    annotations: int = 0  # annotations imported with new tasks
    skipped_preannotations: int = 0  # already there (same model_version), or annotations
    held_back: int = 0  # new articles not pushed because their annotation was rejected
    from_ledger: bool = False  # what the project holds came from the last push's ledger
    rejected: list[Problem] = field(default_factory=list)  # pre-annotations not imported
    seconds: float = 0.0
    overlap: tuple[int, int] | None = None  # (annotators per task, percent of tasks) set
    removed_duplicates: int = 0  # tasks made and removed: another push imported them first
    notes: list[str] = field(default_factory=list)  # what else the push found and did
    shown: str | None = None  # the model version whose predictions annotators see pre-filled
    order: str | None = None  # the label stream's order, when set

    def lines(self) -> list[str]:
        made = "created" if self.created_project else "found"
        out = [
            f"project {self.project_title!r} (id {self.project_id}, {made}"
            + (", config updated)" if self.config_updated else ")"),
            f"articles {self.articles}: {self.imported} imported, {self.existing} already there"
            f" ({self.batches} batches, {self.seconds:.1f} s"
            + ("; project unchanged since the last push)" if self.from_ledger else ")"),
        ]
        if self.predictions or self.annotations or self.skipped_preannotations:
            out.append(
                f"pre-annotations: {self.predictions} predictions and {self.annotations} "
                f"annotations imported, {self.skipped_preannotations} already there or skipped"
            )
        out += self.notes
        if self.overlap:
            k, pct = self.overlap
            out.append(f"overlap: {pct}% of the tasks are to be annotated by {k} people each")
        if self.shown:
            first = ", least certain first" if self.order == "uncertain" else ""
            out.append(f"annotators see the predictions of {self.shown} pre-filled{first}")
        if self.held_back:
            out.append(f"{self.held_back} articles held back until their annotations are fixed")
        if self.rejected:
            out.append(f"{len(self.rejected)} pre-annotations rejected, not imported:")
            out += [f"  {p}" for p in self.rejected]
        return out


def read_task_articles(corpus_dir: str | Path, limit: int | None = None) -> list[TaskArticle]:
    """The kept articles of a corpus store, in order (the first ``limit`` of them), whole."""
    offered = PushArticles.from_store(corpus_dir, limit)
    return offered.load(offered.ids)


def _stored(value: Any) -> Any:
    """A field as the server keeps it (it strips surrounding whitespace from text fields)."""
    return value.strip() if isinstance(value, str) else value


def existing_tasks(client: Client, project_id: int) -> dict[str, Existing]:
    """The project's tasks by article id (tasks without one are not ours).

    Only ids and task ``meta`` (article id and text digest, written at import) are asked
    for. Tasks imported without that meta (by an older akhbar) are read once more with
    their ``data``, so their texts can still be compared.
    """
    out: dict[str, Existing] = {}
    legacy = False
    # Large pages: the server's cost is mostly per request, not per task.
    for task in client.iter_tasks(project_id, page_size=5000, include="id,meta"):
        mine = (task.get("meta") or {}).get(META_KEY)
        if isinstance(mine, dict) and isinstance(mine.get("article_id"), str):
            if mine["article_id"] not in out:
                out[mine["article_id"]] = Existing(task["id"], str(mine.get("text_sha256")))
        else:
            legacy = True
    if legacy:
        for task in client.iter_tasks(project_id, include="id,meta,data"):
            if isinstance(((task.get("meta") or {}).get(META_KEY)), dict):
                continue
            data = task.get("data") or {}
            aid = data.get("article_id")
            if isinstance(aid, str) and aid not in out:
                out[aid] = Existing(task["id"], text_digest(str(data.get("text", ""))))
    return out


def known_tasks(
    client: Client, project: dict[str, Any], created: bool = False
) -> tuple[dict[str, Existing], Fingerprint, bool]:
    """The project's tasks by article id, from the ledger of the last push if the project
    has not changed since (see ``annotation.push.ledger``), else listed: (tasks, the
    project's fingerprint before, whether the ledger was used).

    A project this push has just created holds nothing yet: the server is not asked (the
    create answer has no task count; one found after a lost answer has, and is trusted).
    """
    if created and not project.get("task_number"):
        return {}, push_ledger.EMPTY, False
    count, newest = client.newest_task(project["id"])
    now = push_ledger.fingerprint(count, newest, META_KEY)
    if now[0] == 0:
        return {}, now, False
    remembered = push_ledger.load(push_ledger.ledger_path(client.url, project), now)
    if remembered is not None:
        return remembered, now, True
    return existing_tasks(client, project["id"]), now, False


def _same_text(digest: str, a: TaskArticle) -> bool:
    """Whether a task's recorded digest is that of the article's text. Tasks pushed before
    :func:`store.text_digest` was the one digest recorded it of the text with surrounding
    whitespace stripped (as the server keeps it): for a text that has such whitespace, that
    is recognised too (computed only then)."""
    stripped = a.text.strip()
    return digest == a.digest() or (a.text != stripped and digest == text_digest(stripped))


def _refuse_drift(offered: PushArticles, existing: dict[str, Existing], title: str) -> None:
    differ = [
        aid
        for aid, digest in zip(offered.ids, offered.digests, strict=True)
        if aid in existing and existing[aid].text_sha256 != digest
    ]
    drift = [
        (a.article_id, existing[a.article_id].task_id)
        for a in offered.load(differ)  # their texts, for the digest tasks carried before
        if not _same_text(existing[a.article_id].text_sha256, a)
    ]
    if drift:
        shown = ", ".join(f"{aid} (task {tid})" for aid, tid in drift[:5])
        more = f" and {len(drift) - 5} more" if len(drift) > 5 else ""
        raise IntegrityError(
            f"project {title!r}: the text of {len(drift)} article(s) differs from the text "
            f"already imported under the same id: {shown}{more}; annotations there point into "
            f"the old text, so nothing was pushed: push the original corpus, or push the "
            f"changed one to a new project"
        )


def _predictions_for_existing(
    client: Client,
    project_id: int,
    existing: dict[str, Existing],
    pre: dict[str, list[PreAnnotation]],
    report: PushReport,
) -> None:
    """Add predictions to tasks already in the project, once per task and model_version."""
    wanted = [
        (existing[aid].task_id, p) for aid, items in pre.items() if aid in existing for p in items
    ]
    if not wanted:
        return
    have = {(p["task"], p.get("model_version")) for p in client.predictions(project_id)}
    for task_id, p in wanted:
        if p.kind != PREDICTION or (task_id, p.model_version) in have:
            report.skipped_preannotations += 1
            continue
        client.create_prediction(task_id, **p.payload())
        have.add((task_id, p.model_version))
        report.predictions += 1


def _send(
    client: Client,
    title: str,
    pid: int,
    maker: Maker,
    new: list[TaskArticle],
    known: dict[str, Existing],
    report: PushReport,
    progress: bool,
) -> list[int] | None:
    """Import the new articles' tasks; add them to ``known``. The new task ids, or None if
    the server did not say them all."""
    new_ids: list[int] | None = []
    bar = tqdm(total=len(new), unit="task", desc="push", disable=not progress, leave=False)
    with bar:
        for batch in maker.made(new):
            n = len(batch.articles)
            try:
                answer = client.import_tasks(pid, batch.body)
            except Unreachable as e:
                raise OutputError(
                    f"{e}; {report.imported} of {len(new)} new tasks were imported before it "
                    f"stopped: run the same push again to finish (tasks already there are "
                    f"skipped, none is duplicated)"
                ) from e
            if answer.get("task_count") != n:
                raise IntegrityError(
                    f"project {title!r}: the server took {answer.get('task_count')} "
                    f"of {n} tasks in one batch; run the push again to complete it"
                )
            ids = answer.get("task_ids")
            if isinstance(ids, list) and len(ids) == n and new_ids is not None:
                new_ids += ids
                for a, digest, tid in zip(batch.articles, batch.digests, ids, strict=True):
                    known[a.article_id] = Existing(tid, digest)
            else:
                new_ids = None  # the server did not say which ids: no ledger this time
            report.imported += n
            report.predictions += batch.predictions
            report.annotations += batch.annotations
            report.batches += 1
            bar.update(n)
    return new_ids


def push(
    client: Client,
    articles: PushArticles | list[TaskArticle],
    project_title: str,
    tax: Taxonomy,
    preannotations: Checked | None = None,
    batch_size: int = DEFAULT_BATCH_SIZE,
    progress: bool = True,
    update_config: bool = False,
) -> PushReport:
    """Make the project hold one task per article; see the module docstring. What is new is
    decided by article ids and text digests; only new articles' texts are read (``articles``
    from :meth:`PushArticles.from_store`, or a list held in memory)."""
    if batch_size < 1:
        raise UsageError(f"--batch-size must be at least 1, got {batch_size}")
    t0 = time.perf_counter()
    offered = articles if isinstance(articles, PushArticles) else PushArticles.of(articles)
    pre = preannotations or Checked()
    # Annotations ride only with a new task, so an article whose annotation was rejected is
    # held back: once the annotation is fixed, the next push creates the task with it.
    held = {p.article_id for p in pre.problems if p.kind == ANNOTATION and p.article_id}
    loaded: dict[str, TaskArticle] = {}

    def creating() -> None:
        # A project about to be created will take every article: its first batch is made
        # while the server creates the project.
        every = offered.load([aid for aid in offered.ids if aid not in held])
        loaded.update((a.article_id, a) for a in every)
        maker.start(every)

    with Maker(pre.by_article, batch_size) as maker:
        setup = ensure_project(
            client, project_title, tax, creating=creating, update_config=update_config
        )
        project, created = setup.project, setup.created
        pid = project["id"]
        report = PushReport(
            pid, project_title, created, setup.config_updated, articles=len(offered)
        )
        report.notes = setup.lines(project_title)
        report.rejected = list(pre.problems)

        existing, before, report.from_ledger = known_tasks(client, project, created)
        _refuse_drift(offered, existing, project_title)
        fresh = [aid for aid in offered.ids if aid not in existing]
        report.existing = len(offered) - len(fresh)
        report.held_back = sum(aid in held for aid in fresh)
        fresh = [aid for aid in fresh if aid not in held]
        loaded.update((a.article_id, a) for a in offered.load(i for i in fresh if i not in loaded))
        new = [loaded[aid] for aid in fresh]
        _predictions_for_existing(client, pid, existing, pre.by_article, report)

        if report.from_ledger and not new:
            # Nothing to send to a project unchanged since the ledger: it stays true as it is.
            new_ids = None
        else:
            push_ledger.forget(push_ledger.ledger_path(client.url, project))  # until done
            known = dict(existing)
            new_ids = _send(client, project_title, pid, maker, new, known, report, progress)
    if not (report.from_ledger and not new):
        # Other pushes may have imported the same articles meanwhile: the server is looked at
        # again, and the ledger written from what it holds (annotation.push_settle).
        sent = {a.article_id: known[a.article_id].task_id for a in new if a.article_id in known}
        expected = push_ledger.after(before, known, new_ids) if new_ids is not None else None
        settled = push_settle.settle(client, pid, sent, known, expected)
        report.removed_duplicates = settled.removed
        report.notes += settled.lines()
        if settled.tasks is not None and settled.fingerprint is not None:
            push_ledger.save(
                push_ledger.ledger_path(client.url, project), settled.fingerprint, settled.tasks
            )
    report.seconds = time.perf_counter() - t0
    return report


@dataclass(slots=True)
class PushOptions:
    """What ``akhbar annotate push`` is asked to do (see :func:`push_corpus`); the server and
    its API key come apart, as a :class:`Connection`, so a secret is never among options."""

    corpus: Path = opt("The corpus store whose articles become tasks.", argument=True)
    project: str = opt("Project title (created if missing).")
    taxonomy: Path | None = opt(default=None)
    predictions: Path | None = opt(
        "JSONL of predictions (Label Studio results or documents), checked before import.", None
    )
    annotations: Path | None = opt(
        "JSONL of annotations to import with new tasks (same formats).", None
    )
    model_version: str | None = opt("model_version for predictions without one.", None)
    batch_size: int = opt(
        "Tasks per import request (each also at most 12 M characters of text).",
        DEFAULT_BATCH_SIZE,
        min=1,
    )
    limit: int | None = opt("Push only the first N articles.", None)
    progress: bool = opt(default=True)
    # have overlap_share percent of the tasks annotated by overlap people (Label Studio's
    # maximum_annotations and overlap_cohort_percentage)
    overlap: int | None = opt(
        "Annotators per task for overlapping articles (sets maximum_annotations).", None, min=1
    )
    overlap_share: int = opt(
        "Percent of the tasks annotated by --overlap people (overlap_cohort_percentage).",
        100,
        min=0,
        max=100,
    )
    update_config: bool = opt(
        "Replace the project's labelling config and instructions when they differ from the "
        "taxonomy's (without it they are kept, and what differs is printed).",
        False,
    )
    order: str | None = opt(
        "Label stream order: uncertain = least certain predictions first (with --predictions); "
        "by default left as it is.",
        None,
        choices=("sequential", "uncertain"),
    )


def push_corpus(conn: Connection, opts: PushOptions, *, transport: Any = None) -> PushReport:
    """``akhbar annotate push``: read the corpus and pre-annotations, check them, push."""
    overlap, overlap_share = opts.overlap, opts.overlap_share
    suggestions.check_order(opts.order, opts.predictions)
    if overlap is not None:
        team_calls.check_overlap(overlap, overlap_share)
    tax = taxonomy.load(opts.taxonomy)
    articles = PushArticles.from_store(opts.corpus, opts.limit)
    items: list = []
    problems: list[Problem] = []
    for path, kind in ((opts.predictions, PREDICTION), (opts.annotations, ANNOTATION)):
        if path:
            loaded, bad = preds.load(path, kind, opts.model_version)
            items += loaded
            problems += bad
    # the texts of the articles that have pre-annotations, to check them against
    checked = preds.check(items, articles.texts(p.article_id for p, _ in items), tax)
    checked.problems = problems + checked.problems
    with Client.connect(conn, transport=transport) as client:
        report = push(
            client,
            articles,
            opts.project,
            tax,
            checked,
            opts.batch_size,
            opts.progress,
            opts.update_config,
        )
        if overlap is not None:
            team_calls.set_overlap(client, report.project_id, overlap, overlap_share)
            report.overlap = (overlap, overlap_share)
        pushed = [
            p.model_version
            for ps in checked.by_article.values()
            for p in ps
            if p.kind == PREDICTION
        ]
        shown = suggestions.shown_version(pushed)
        if suggestions.show_predictions(client, report.project_id, shown, opts.order):
            report.shown, report.order = shown, opts.order
        return report
