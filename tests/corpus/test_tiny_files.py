"""Memory flat per input file (issue 19, case 6): the cleaned batches of one-article files are
gathered before de-duplication's write-out, so that nothing is kept per file (before: one
pending Arrow table per file until 8,192 rows, ~23 KB each). The figures (peak RSS, time for
100,000 files) are printed by ``make bench-tiny-files``; here, what makes them flat."""

from __future__ import annotations

import random

import pyarrow as pa
import pyarrow.parquet as pq

from akhbar.corpus.store import CLEANED_SCHEMA
from akhbar.corpus.store_writer import CleanedSpill
from tests.helpers import run_akhbar


def one_row(i: int) -> pa.RecordBatch:
    row = {name: [None] for name in CLEANED_SCHEMA.names}
    row.update(id=[f"art_{i:020d}"], title=[f"t{i}"], text=[f"x{i}"], language=["ar"])
    row.update(truncated=[False], metadata=["{}"], provenance=["{}"])
    return pa.RecordBatch.from_pydict(row, schema=CLEANED_SCHEMA)


def test_case6_one_row_batches_are_gathered_in_order_before_they_are_read_back(tmp_path):
    spill = CleanedSpill(tmp_path / "spill.arrow")
    for i in range(600):
        spill.write(one_row(i))
    spill.write(one_row(600).slice(0, 0))  # a file whose every record was rejected
    assert spill.batches_written == 601
    batches = list(spill.batches())
    assert [b.num_rows for b in batches] == [256, 256, 88]  # before: 601 batches of 0 or 1
    ids = [i for b in batches for i in b.column("id").to_pylist()]
    assert ids == [f"art_{i:020d}" for i in range(600)]


def test_case6_many_one_article_files_build_the_same_store_with_any_workers(tmp_path):
    rng = random.Random(6)
    words = ["".join(rng.choices("ابتثجحخدرزسشصعفقكلمنهوي", k=5)) for _ in range(800)]
    for i in range(300):  # more than one gathered batch, fewer rows than a row group
        text = " ".join(rng.choices(words, k=30))
        (tmp_path / "in").mkdir(exist_ok=True)
        (tmp_path / "in" / f"{i:04d}.txt").write_text(f"{text[:30]}\n{text}.\n", encoding="utf-8")
    stores = []
    for workers in ("1", "2"):
        out = tmp_path / f"out{workers}"
        code, _, err = run_akhbar(
            "corpus", "build", tmp_path / "in", "--out", out, "--workers", workers
        )
        assert code == 0, err
        stores.append((out / "articles.parquet").read_bytes())
    assert pq.read_table(tmp_path / "out1" / "articles.parquet").num_rows == 300
    assert stores[0] == stores[1]
