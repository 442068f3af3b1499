"""Push recognises a corpus article by the store's text digest column, against a real server:
a second push of an unchanged store reads no text, and a changed text is still refused."""

from __future__ import annotations

import pytest

from akhbar.annotation.push.corpus_push import PushOptions, push_corpus
from akhbar.corpus import store
from akhbar.corpus.store import TEXT_DIGEST, text_digest
from akhbar.schemas.errors import IntegrityError
from tests.helpers import sample_articles

pytestmark = pytest.mark.labelstudio


def test_a_second_push_reads_no_text_and_a_changed_text_is_refused(
    labelstudio, ls_project, write_corpus, monkeypatch
):
    rows = [{**r, TEXT_DIGEST: text_digest(r["text"])} for r in sample_articles(12, "art_dgst")]
    corpus = write_corpus(rows)
    first = push_corpus(labelstudio.conn, PushOptions(corpus, ls_project, progress=False))
    assert (first.imported, first.existing) == (12, 0)

    read: list[tuple[str, ...]] = []
    real = store.read_articles

    def observed(corpus_dir, columns=(), *args, **kwargs):  # the real reader, columns noted
        read.append(tuple(columns))
        return real(corpus_dir, columns, *args, **kwargs)

    monkeypatch.setattr(store, "read_articles", observed)
    again = push_corpus(labelstudio.conn, PushOptions(corpus, ls_project, progress=False))
    assert (again.imported, again.existing, again.from_ledger) == (0, 12, True)
    assert read == [("id", TEXT_DIGEST)]  # ids and digests only: no text was read

    changed = [dict(r) for r in rows]
    changed[3]["text"] += " وأضاف المتحدث تفاصيل أخرى"
    changed[3][TEXT_DIGEST] = text_digest(changed[3]["text"])
    with pytest.raises(IntegrityError, match=f"the text of 1 article.*{rows[3]['id']}"):
        push_corpus(
            labelstudio.conn,
            PushOptions(write_corpus(changed, "changed"), ls_project, progress=False),
        )
