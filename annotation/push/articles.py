"""The articles a push offers: their ids and text digests up front, their texts only when needed.

A push decides what is new by article id and text digest alone (the store's ``text_sha256``
column, :func:`akhbar.corpus.store.text_digest`), so :class:`PushArticles` holds just those;
the texts, titles and sources are read from the store for the articles that are sent (or
whose digest differs from the project's, to say why). A push of an unchanged corpus into an
unchanged project thus reads no text at all. Articles already in memory (a benchmark, a test)
are offered the same way with :meth:`PushArticles.of`.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from akhbar.corpus import store
from akhbar.corpus.store import TEXT_DIGEST, text_digest
from akhbar.schemas.errors import IntegrityError, UsageError

TASK_COLUMNS = ("id", "title", "text", TEXT_DIGEST, "source", "url")
META_KEY = "akhbar"  # task meta: {"akhbar": {"article_id": ..., "text_sha256": ...}}


@dataclass(frozen=True, slots=True)
class TaskArticle:
    """The part of an article that becomes a task's ``data``, with its text digest (as the
    store holds it; computed from the text when not given)."""

    article_id: str
    title: str
    text: str
    source: str | None = None
    url: str | None = None
    text_sha256: str | None = None

    def data(self) -> dict[str, Any]:
        return {
            "text": self.text,
            "title": self.title,
            "article_id": self.article_id,
            "source": self.source,
            "url": self.url,
        }

    def digest(self) -> str:
        return self.text_sha256 or text_digest(self.text)

    def meta(self, digest: str | None = None) -> dict[str, Any]:
        """The task's ``meta``: what a later push compares without downloading the text
        (``digest``: this article's, if already made)."""
        return {META_KEY: {"article_id": self.article_id, "text_sha256": digest or self.digest()}}


@dataclass
class PushArticles:
    """Article ids and text digests in store order; :meth:`load` gives the whole articles."""

    ids: list[str]
    digests: list[str]
    _load: Callable[[list[str]], list[TaskArticle]]

    def __len__(self) -> int:
        return len(self.ids)

    @classmethod
    def of(cls, articles: Iterable[TaskArticle]) -> PushArticles:
        """Articles held in memory."""
        held = list(articles)
        by_id = {a.article_id: a for a in held}
        return cls(
            [a.article_id for a in held],
            [a.digest() for a in held],
            lambda ids: [by_id[i] for i in ids],
        )

    @classmethod
    def from_store(cls, corpus_dir: str | Path, limit: int | None = None) -> PushArticles:
        """The kept articles of a corpus store, in order (the first ``limit`` of them)."""
        if limit is not None and limit < 0:
            raise UsageError(f"--limit {limit}: give the number of articles to push, 0 or more")
        table = store.read_articles(corpus_dir, ("id", TEXT_DIGEST), limit)
        ids = table.column("id").to_pylist()
        seen: set[str] = set()
        dupes = [i for i in ids if i in seen or seen.add(i)]
        if dupes:
            path = store.articles_path(corpus_dir)
            raise IntegrityError(f"{path}: article ids repeat ({dupes[:5]}); rebuild the corpus")

        def load(wanted: list[str]) -> list[TaskArticle]:
            if wanted == ids:  # all of them, in order: read as stored, no filter
                return _task_articles(store.read_articles(corpus_dir, TASK_COLUMNS, limit))
            found = _task_articles(store.read_articles(corpus_dir, TASK_COLUMNS, ids=wanted))
            by_id = {a.article_id: a for a in found}
            return [by_id[i] for i in wanted]

        return cls(ids, table.column(TEXT_DIGEST).to_pylist(), load)

    def load(self, ids: Iterable[str]) -> list[TaskArticle]:
        """The whole articles with ``ids`` (articles of this push), in the order given."""
        wanted = list(ids)
        return self._load(wanted) if wanted else []

    def texts(self, ids: Iterable[str]) -> dict[str, str]:
        """article id -> text, for those of ``ids`` that are articles of this push."""
        mine = set(self.ids)
        return {a.article_id: a.text for a in self.load(dict.fromkeys(i for i in ids if i in mine))}


def _task_articles(table: Any) -> list[TaskArticle]:
    cols = {c: table.column(c).to_pylist() for c in TASK_COLUMNS}
    return [
        TaskArticle(aid, title or "", text, src, url, sha)
        for aid, title, text, sha, src, url in zip(*cols.values(), strict=True)
    ]
