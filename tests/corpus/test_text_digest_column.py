"""The text digest is a column of the store, written by the build and read by every stage.

``corpus build`` writes ``text_sha256`` (``store.text_digest`` of the text) in the articles and
duplicates tables; push, validate, agreement and release read it instead of hashing the texts.
A store built before the column existed reads the same (its digests computed on read), and
every stage's output from it is the same as from a store with the column.
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pyarrow.parquet as pq
import pytest

from akhbar.annotation.push.articles import PushArticles
from akhbar.corpus import store
from akhbar.corpus.pipeline import CorpusBuildOptions, build_corpus
from akhbar.corpus.store import TEXT_DIGEST, text_digest
from akhbar.schemas.errors import IntegrityError
from tests.helpers import REPO, run_akhbar
from tests.helpers.releases import write_inputs

SAMPLE = REPO / "corpus" / "sample"


def drop_digests(new: Path, old: Path) -> Path:
    """A copy of store ``new`` as a build before the digest column wrote it: without it."""
    shutil.copytree(new, old)
    for path in [*old.glob("*.parquet"), *old.glob("*/part-*.parquet")]:
        table = pq.read_table(path)
        pq.write_table(table.drop_columns([TEXT_DIGEST]), path, **store.PARQUET_OPTIONS)
    return old


@pytest.fixture(scope="module")
def stores(tmp_path_factory) -> tuple[Path, Path]:
    """The bundled sample built locally, and the same store without the digest column."""
    root = tmp_path_factory.mktemp("digests")
    new = root / "corpus"
    build_corpus(CorpusBuildOptions([SAMPLE / "raw"], new, progress=False))
    return new, drop_digests(new, root / "old")


def test_the_build_writes_each_texts_digest_as_a_column(stores):
    new, _ = stores
    for name, schema in (("articles.parquet", store.ARTICLE_SCHEMA),
                         ("duplicates.parquet", store.DUPLICATE_SCHEMA)):  # fmt: skip
        table = pq.read_table(new / name)
        assert table.schema.equals(schema, check_metadata=True)
        texts, digests = table.column("text").to_pylist(), table.column(TEXT_DIGEST).to_pylist()
        assert texts and digests == [text_digest(t) for t in texts]


def test_a_store_without_the_column_reads_the_same_digests(stores):
    new, old = stores
    assert TEXT_DIGEST not in pq.read_schema(old / "articles.parquet").names
    assert store.text_index(old) == store.text_index(new)
    columns = ("id", TEXT_DIGEST, "title")
    got = [b.to_pylist() for b in store.iter_article_batches(old, columns, 5)]
    assert got == [b.to_pylist() for b in store.iter_article_batches(new, columns, 5)]
    assert all(list(row) == list(columns) for batch in got for row in batch)  # no text added
    some = store.text_index(new)
    ids = sorted(some)[:3]
    by_ids = store.read_articles(old, ("id", TEXT_DIGEST), ids=ids).to_pylist()
    assert sorted((r["id"], r[TEXT_DIGEST]) for r in by_ids) == [(i, some[i]) for i in ids]
    a, b = store.load_corpus(old), store.load_corpus(new)
    assert a.articles.equals(b.articles) and a.duplicates.equals(b.duplicates)
    pushed_old, pushed_new = PushArticles.from_store(old), PushArticles.from_store(new)
    assert (pushed_old.ids, pushed_old.digests) == (pushed_new.ids, pushed_new.digests)
    assert pushed_old.load(pushed_old.ids) == pushed_new.load(pushed_new.ids)


def test_push_reads_ids_and_digests_and_the_texts_it_is_asked_for(stores, monkeypatch):
    new, _ = stores
    read: list[tuple] = []
    real = store.read_articles
    monkeypatch.setattr(store, "read_articles", lambda d, c=(), *a, **k: read.append(tuple(c)) or real(d, c, *a, **k))  # fmt: skip
    offered = PushArticles.from_store(new, limit=10)
    assert read == [("id", TEXT_DIGEST)] and len(offered) == 10
    picked = offered.load([offered.ids[3], offered.ids[1]])
    assert [a.article_id for a in picked] == [offered.ids[3], offered.ids[1]]
    assert [a.digest() for a in picked] == [text_digest(a.text) for a in picked]
    assert [a.text_sha256 for a in picked] == [offered.digests[3], offered.digests[1]]


def test_a_digest_column_that_is_not_strings_is_one_error(stores, tmp_path):
    new, _ = stores
    bad = tmp_path / "bad"
    shutil.copytree(new, bad)
    table = pq.read_table(bad / "articles.parquet")
    i = table.schema.get_field_index(TEXT_DIGEST)
    pq.write_table(table.set_column(i, TEXT_DIGEST, table.column("truncated")), bad / "articles.parquet")  # fmt: skip
    with pytest.raises(IntegrityError, match="the text_sha256 column holds bool, not strings"):
        store.text_index(bad)


def _outputs(directory: Path) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in sorted(directory.glob("*.jsonl"))}


def test_validate_and_agreement_give_the_same_results_from_either_store(stores, tmp_path):
    export = SAMPLE / "labelstudio_export.json"
    results = []
    for corpus in stores:
        out = tmp_path / corpus.name
        code, _, err = run_akhbar("annotate", "validate", export, "--corpus", corpus,
                                  "--out", out / "validated")  # fmt: skip
        assert code == 0, err
        code, _, err = run_akhbar("annotate", "agreement", export, "--corpus", corpus,
                                  "--out", out / "agreement")  # fmt: skip
        assert code == 0, err
        figures = json.loads((out / "agreement" / "agreement.json").read_text("utf-8"))
        summary = json.loads((out / "validated" / "validation.json").read_text("utf-8"))
        results.append((_outputs(out / "validated"), figures.get("overall"), summary["counts"]))
    assert results[0][0]["documents.jsonl"] and results[0] == results[1]


def test_a_release_from_a_store_without_the_column_is_the_same(tmp_path):
    corpus, documents = write_inputs(tmp_path / "in")
    assert TEXT_DIGEST in pq.read_schema(corpus / "articles.parquet").names
    old = drop_digests(corpus, tmp_path / "old")
    files = []
    for c in (corpus, old):
        out = tmp_path / f"releases-{c.name}"
        code, _, err = run_akhbar("release", "build", "--version", "1.0.0", "--corpus", c,
                                  "--documents", documents, "--out", out, "--workers", "1")  # fmt: skip
        assert code == 0, err
        manifest = json.loads((out / "v1.0.0" / "manifest.json").read_text("utf-8"))
        files.append({k: v["sha256"] for k, v in manifest["files"].items() if "data/" in k})
    assert files[0] and files[0] == files[1]
