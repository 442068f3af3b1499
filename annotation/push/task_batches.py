"""The import requests of a push: batches of new tasks, each made while the last is sent.

Label Studio (1.23, SQLite) spends some 0.1 s on every import request whatever its size (its
transactions and their commits, the tasks' counters, the project's summary of data columns),
so a push sends few, large batches: at most ``batch_size`` tasks and :data:`MAX_BATCH_CHARS`
characters of title and text each, which bounds a request's size and the memory of both
sides however long the articles are.

Making a batch (the texts' digests, the tasks, their JSON) is done by a :class:`Maker` in one
worker thread, one batch ahead of the sender: while the server imports a batch, the next one
is made. The first batch can be started before the push knows what is new (``Maker.start``,
while a new project is being created); it is used only if it is exactly the first batch of
what turns out to be new.
"""

from __future__ import annotations

from collections.abc import Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import orjson

from akhbar.annotation.push.preannotations import ANNOTATION, PREDICTION, PreAnnotation

if TYPE_CHECKING:
    from akhbar.annotation.push.articles import TaskArticle

# Tasks per import request, chosen by measurement (benchmarks/bench_push.py --sweep): on
# 10,000 SaudiNewsNet articles, a push in batches of 1000 took 1.4x one request of all the
# tasks, in batches of 2500 to 10,000 1.1-1.2x; 5000 keeps requests few and ~20 MB.
DEFAULT_BATCH_SIZE = 5000
# 12 M characters of Arabic are ~25 MB of JSON: a bounded request (and memory on both sides)
# for long articles, far under Label Studio's 250 MB limit (DATA_UPLOAD_MAX_MEMORY_SIZE).
MAX_BATCH_CHARS = 12_000_000


def task(article: TaskArticle, digest: str, items: list[PreAnnotation]) -> dict[str, Any]:
    """The import task of ``article`` (its text digest made already), with its
    pre-annotations."""
    out: dict[str, Any] = {"data": article.data(), "meta": article.meta(digest)}
    preds = [p.payload() for p in items if p.kind == PREDICTION]
    anns = [p.payload() for p in items if p.kind == ANNOTATION]
    if preds:
        out["predictions"] = preds
    if anns:
        out["annotations"] = anns
    return out


def batches(
    articles: list[TaskArticle], size: int, max_chars: int = MAX_BATCH_CHARS
) -> Iterator[list[TaskArticle]]:
    """``articles`` in order, in batches of at most ``size`` articles and ``max_chars``
    characters of title and text (an article longer than that goes alone)."""
    batch: list[TaskArticle] = []
    chars = 0
    for a in articles:
        n = len(a.text) + len(a.title)
        if batch and (len(batch) == size or chars + n > max_chars):
            yield batch
            batch, chars = [], 0
        batch.append(a)
        chars += n
    if batch:
        yield batch


@dataclass(frozen=True, slots=True)
class Batch:
    """One import request, ready to send."""

    articles: list[TaskArticle]
    digests: list[str]  # of the articles' texts, in order
    body: bytes  # the JSON list of the tasks
    predictions: int
    annotations: int


def prepare(articles: list[TaskArticle], pre: dict[str, list[PreAnnotation]]) -> Batch:
    digests = [a.digest() for a in articles]
    tasks = [task(a, d, pre.get(a.article_id, [])) for a, d in zip(articles, digests, strict=True)]
    return Batch(
        articles,
        digests,
        orjson.dumps(tasks),
        sum(len(t.get("predictions", ())) for t in tasks),
        sum(len(t.get("annotations", ())) for t in tasks),
    )


class Maker:
    """Makes a push's batches in a worker thread, one ahead of the sender. A context manager
    (leaving it waits for the batch being made, at most a fraction of a second)."""

    def __init__(
        self,
        pre: dict[str, list[PreAnnotation]],
        size: int,
        max_chars: int = MAX_BATCH_CHARS,
    ):
        self.pre, self.size, self.max_chars = pre, size, max_chars
        self._pool = ThreadPoolExecutor(max_workers=1, thread_name_prefix="akhbar-push")
        self._early: tuple[list[TaskArticle], Future[Batch]] | None = None

    def __enter__(self) -> Maker:
        return self

    def __exit__(self, *exc: object) -> None:
        self._pool.shutdown(wait=True, cancel_futures=True)

    def _submit(self, articles: list[TaskArticle]) -> Future[Batch]:
        return self._pool.submit(prepare, articles, self.pre)

    def start(self, articles: list[TaskArticle]) -> None:
        """Begin making the first batch of ``articles`` now, in case they all turn out new."""
        first = next(batches(articles, self.size, self.max_chars), None)
        if first is not None:
            self._early = (first, self._submit(first))

    def made(self, articles: list[TaskArticle]) -> Iterator[Batch]:
        """The batches of ``articles``, each made while the caller sends the one before."""
        pending: Future[Batch] | None = None
        for articles_in in batches(articles, self.size, self.max_chars):
            early, self._early = self._early, None
            # The same articles (compared by identity first, so cheaply) as the early batch.
            if early is not None and early[0] == articles_in:
                made = early[1]
            else:
                if early is not None:
                    early[1].cancel()  # not needed after all (a no-op if already begun)
                made = self._submit(articles_in)
            if pending is not None:
                yield pending.result()
            pending = made
        self._early = None
        if pending is not None:
            yield pending.result()
