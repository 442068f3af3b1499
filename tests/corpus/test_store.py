"""The corpus store: atomic writes, explicit schema, read-back, and the article JSON Schema."""

from __future__ import annotations

import json
import os
from pathlib import Path

import jsonschema
import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from akhbar import schemas
from akhbar.corpus.records import Provenance, Rejection
from akhbar.corpus.store import ARTICLE_SCHEMA, DUPLICATE_SCHEMA, load_corpus
from akhbar.corpus.store_writer import (
    CorpusWriter,
    Tally,
    articles_table,
    duplicates_table,
    rejection_line,
)
from akhbar.schemas.errors import InputError, IntegrityError, OutputError
from tests.helpers.arabic_news import BOOKS, FOOTBALL, WATER, WATER_EDITED, make_article, run_dedup


def article_validator() -> jsonschema.Draft202012Validator:
    schema = schemas.load("article")
    jsonschema.Draft202012Validator.check_schema(schema)
    return jsonschema.Draft202012Validator(schema)


def write_store(out: Path, force: bool = False) -> dict:
    articles, result = run_dedup([WATER, FOOTBALL, WATER_EDITED, BOOKS, FOOTBALL])
    articles[0].metadata = {"section": "محليات", "tags": ["مياه", "تحلية"]}
    articles[0].provenance.rules = {"strip_tatweel_v1": 2}
    rejection = Rejection(
        reason="empty",
        detail="no text left after cleaning",
        provenance=Provenance("dump.json", "dump.json#7", "json_v1", "utf-8"),
        title="عنوان بلا نص",
        excerpt="",
    )
    tally = Tally()
    with CorpusWriter(out, force=force) as w:
        tally.rejected(rejection.reason, "okaz")
        w.reject([rejection_line(rejection, "okaz")])
        for a in articles:
            tally.rules(a.provenance.rules)
        for a in result.kept:
            tally.kept(a.source)
        for d in result.duplicates:
            tally.duplicate(d.article.source, d.kind)
        w.write_articles(articles_table(result.kept))
        w.write_duplicates(duplicates_table(result.duplicates))
        report = tally.report(tool_version="test")
        w.commit(report)
    return report


def test_round_trip_with_explicit_schema(tmp_path):
    out = tmp_path / "corpus"
    report = write_store(out)
    assert (report["input"], report["kept"], report["rejected"], report["duplicates"]) == (
        6,
        3,
        1,
        2,
    )
    assert report["duplicates_by_kind"] == {"exact": 1, "near": 1}
    assert report["by_reason"] == {"empty": 1}
    assert report["by_rule"] == {"strip_tatweel_v1": {"records": 1, "applications": 2}}
    assert report["by_source"]["okaz"] == {"input": 1, "kept": 0, "rejected": 1, "duplicates": 0}
    assert sorted(os.listdir(tmp_path)) == ["corpus"]  # no temporary directory left

    assert pq.read_schema(out / "articles.parquet").equals(ARTICLE_SCHEMA, check_metadata=True)
    assert pq.read_schema(out / "duplicates.parquet").equals(DUPLICATE_SCHEMA)
    store = load_corpus(out)
    rows = list(store.iter_articles())
    assert [r["text"] for r in rows] == [WATER, FOOTBALL, BOOKS]
    assert rows[0]["metadata"] == {"section": "محليات", "tags": ["مياه", "تحلية"]}
    assert rows[0]["provenance"]["rules"] == {"strip_tatweel_v1": 2}
    dups = pd.read_parquet(out / "duplicates.parquet")
    assert list(dups["kind"]) == ["near", "exact"]
    assert list(dups["duplicate_of"]) == [rows[0]["id"], rows[1]["id"]]
    assert set(dups["cluster_id"]) == {rows[0]["cluster_id"], rows[1]["cluster_id"]}
    (rejected,) = list(store.rejected())
    assert rejected["reason"] == "empty" and rejected["source"] == "okaz"
    assert rejected["provenance"]["record"] == "dump.json#7"


def test_every_row_validates_against_the_article_schema(tmp_path):
    write_store(tmp_path / "c")
    validator = article_validator()
    store = load_corpus(tmp_path / "c")
    rows = list(store.iter_articles())
    assert rows
    for row in rows:
        validator.validate(row)
    for row in store.iter_duplicates():
        for extra in ("duplicate_of", "kind", "similarity"):
            del row[extra]
        validator.validate(row)


def test_schema_examples_validate_and_bad_rows_do_not():
    validator = article_validator()
    schema = schemas.load("article")
    assert schema["$id"] == "https://akhbar.dev/schemas/article/1.0.0"
    for example in schema["examples"]:
        validator.validate(example)
    bad = dict(schema["examples"][0], cluster_id=None)
    assert not validator.is_valid(bad)
    bad = dict(schema["examples"][0], metadata="{}")  # still a JSON string: not decoded
    assert not validator.is_valid(bad)


def test_existing_directory_is_refused_without_force(tmp_path):
    out = tmp_path / "corpus"
    write_store(out)
    before = (out / "report.json").read_bytes()
    with pytest.raises(OutputError, match="already exists: pass --force"):
        write_store(out)
    assert (out / "report.json").read_bytes() == before


def test_force_replaces_a_store_atomically(tmp_path):
    out = tmp_path / "corpus"
    write_store(out)
    (out / "stale.txt").write_text("from the old store")
    write_store(out, force=True)
    assert not (out / "stale.txt").exists()
    assert load_corpus(out).report["kept"] == 3
    assert sorted(os.listdir(tmp_path)) == ["corpus"]


def test_force_never_replaces_something_that_is_not_a_store(tmp_path):
    out = tmp_path / "important"
    out.mkdir()
    (out / "thesis.tex").write_text("do not delete")
    with pytest.raises(OutputError, match="not written by akhbar as a corpus store"):
        write_store(out, force=True)
    assert (out / "thesis.tex").read_text() == "do not delete"


def test_a_failed_build_leaves_nothing(tmp_path):
    out = tmp_path / "corpus"
    article = make_article(WATER, 1)
    article.cluster_id = "clu_" + "0" * 20
    with pytest.raises(RuntimeError), CorpusWriter(out) as w:
        w.write_articles(articles_table([article]))
        assert (w.tmp / "articles.parquet").is_file()
        raise RuntimeError("interrupted")
    assert os.listdir(tmp_path) == []


def test_an_output_under_a_file_is_an_output_error(tmp_path):
    (tmp_path / "file").write_text("x")
    with pytest.raises(OutputError, match="cannot write the corpus"):
        CorpusWriter(tmp_path / "file" / "corpus")


def test_load_corpus_names_what_is_wrong(tmp_path):
    with pytest.raises(InputError, match="no such corpus directory"):
        load_corpus(tmp_path / "absent")
    (tmp_path / "empty").mkdir()
    with pytest.raises(InputError, match="is not a corpus store"):
        load_corpus(tmp_path / "empty")
    out = tmp_path / "corpus"
    write_store(out)
    report = json.loads((out / "report.json").read_text())
    report["kept"] = 99
    (out / "report.json").write_text(json.dumps(report))
    with pytest.raises(IntegrityError, match=r"has 3 rows but report.json says kept = 99"):
        load_corpus(out)


def test_tally_refuses_counts_that_do_not_add_up():
    tally = Tally()
    tally.kept("okaz")
    tally.duplicate("okaz", "exact")
    report = tally.report()
    assert report["input"] == report["kept"] + report["rejected"] + report["duplicates"] == 2
    tally.by_source["okaz"]["kept"] += 1  # a record counted twice
    with pytest.raises(IntegrityError, match="do not add up"):
        tally.report()


@pytest.mark.parametrize("rows", [0, 5, 8192, 20000])
def test_a_table_written_in_pieces_has_the_bytes_of_one_written_whole(tmp_path, rows):
    from akhbar.corpus.store import PARQUET_OPTIONS
    from akhbar.corpus.store_writer import TableSink

    table = pa.table(
        {"id": [f"a{i}" for i in range(rows)], "n": list(range(rows))},
        schema=pa.schema([pa.field("id", pa.string()), pa.field("n", pa.int64())]),
    )
    pq.write_table(table, tmp_path / "whole.parquet", **PARQUET_OPTIONS)
    sink = TableSink(tmp_path / "pieces.parquet", table.schema)
    start = 0
    for size in [3, 1000, 7000, 256] * 10:
        sink.write(table.slice(start, size))
        start += size
    sink.write(table.slice(start))
    sink.close()
    assert (tmp_path / "pieces.parquet").read_bytes() == (tmp_path / "whole.parquet").read_bytes()
    assert pq.read_table(tmp_path / "pieces.parquet").num_rows == rows
