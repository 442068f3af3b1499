"""The import requests of a push: bounded batches, made one ahead in a thread."""

from __future__ import annotations

import itertools
import threading

import orjson
from hypothesis import given
from hypothesis import strategies as st

from akhbar.annotation.push import corpus_push, task_batches
from akhbar.annotation.push.corpus_push import META_KEY, TaskArticle
from akhbar.annotation.push.preannotations import PREDICTION, PreAnnotation
from akhbar.corpus.store import text_digest
from tests.helpers import sample_articles


def _articles(n: int, prefix: str = "art_batch") -> list[TaskArticle]:
    return [
        TaskArticle(r["id"], r["title"], r["text"], r["source"], r["url"])
        for r in sample_articles(n, prefix)
    ]


@given(
    lengths=st.lists(st.integers(1, 60), max_size=40),
    size=st.integers(1, 12),
    max_chars=st.integers(1, 150),
)
def test_batches_keep_every_article_in_order_within_both_limits(lengths, size, max_chars):
    articles = [TaskArticle(f"a{i}", "", "ن" * n) for i, n in enumerate(lengths)]
    got = list(task_batches.batches(articles, size, max_chars))
    assert [a for b in got for a in b] == articles
    for b in got:
        assert 1 <= len(b) <= size
        # over the character cap only as a lone article longer than the cap
        assert sum(len(a.text) for a in b) <= max_chars or len(b) == 1
    # greedy: a batch was closed only because the next article would not fit
    for b, nxt in itertools.pairwise(got):
        assert len(b) == size or sum(len(a.text) for a in b) + len(nxt[0].text) > max_chars


def test_a_prepared_batch_is_the_json_of_its_tasks_with_digests_and_predictions():
    articles = _articles(3)
    pred = PreAnnotation(articles[1].article_id, PREDICTION, [], "pre.jsonl line 1", "m1", 0.5)
    batch = task_batches.prepare(articles, {articles[1].article_id: [pred]})
    tasks = orjson.loads(batch.body)
    assert [t["data"] for t in tasks] == [a.data() for a in articles]
    assert [t["meta"][META_KEY]["text_sha256"] for t in tasks] == batch.digests
    assert batch.digests == [text_digest(a.text) for a in articles]
    assert [len(t.get("predictions", [])) for t in tasks] == [0, 1, 0]
    assert (batch.predictions, batch.annotations) == (1, 0)


def _counting(monkeypatch) -> list[list[TaskArticle]]:
    made: list[list[TaskArticle]] = []
    real = task_batches.prepare

    def prepare(articles, pre):
        made.append(articles)
        return real(articles, pre)

    monkeypatch.setattr(task_batches, "prepare", prepare)
    return made


def test_the_early_first_batch_is_used_when_it_is_what_is_new(monkeypatch):
    made = _counting(monkeypatch)
    articles = _articles(25)
    with task_batches.Maker({}, 10) as maker:
        maker.start(articles)
        got = list(maker.made(list(articles)))  # another list, the same articles
    assert [b.articles for b in got] == [articles[:10], articles[10:20], articles[20:]]
    assert len(made) == 3  # the first batch was made once, early


def test_an_early_batch_that_is_not_what_is_new_is_not_sent(monkeypatch):
    made = _counting(monkeypatch)
    articles = _articles(25)
    with task_batches.Maker({}, 10) as maker:
        maker.start(articles)
        got = list(maker.made(articles[3:]))  # three turned out to be in the project
    assert [b.articles for b in got] == [articles[3:13], articles[13:23], articles[23:]]
    assert [len(t) for t in made][-3:] == [10, 10, 2]


def test_a_maker_left_early_leaves_no_thread_behind():
    with task_batches.Maker({}, 5) as maker:
        batches = maker.made(_articles(40))
        next(batches)
        batches.close()
    assert not [t for t in threading.enumerate() if t.name.startswith("akhbar-push")]


def test_a_task_is_known_by_the_one_text_digest_and_by_the_one_tasks_carried_before():
    """meta.akhbar.text_sha256 is the corpus's text_digest; tasks pushed before it was the one
    digest carry sha256 of the stripped text, which is recognised as the same text."""
    import hashlib

    a = TaskArticle("a1", "t", "\nنص المقال ")
    assert a.meta()[META_KEY]["text_sha256"] == text_digest(a.text)
    old = hashlib.sha256(a.text.strip().encode("utf-8")).hexdigest()
    assert corpus_push._same_text(old, a) and corpus_push._same_text(text_digest(a.text), a)
    assert not corpus_push._same_text(text_digest("نص آخر"), a)
