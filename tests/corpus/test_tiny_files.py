"""Memory flat per input file (issue 19, case 6): the cleaned batches of one-article files are
gathered before de-duplication's write-out, so that nothing is kept per file (before: one
pending Arrow table per file until 8,192 rows, ~23 KB each). The figures (peak RSS, time for
100,000 files) are printed by ``make bench-tiny-files``; here, what makes them flat."""

from __future__ import annotations

import os
import random
import subprocess
import sys
import tracemalloc
from pathlib import Path

import numpy as np
import orjson
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq
import pytest

from akhbar.corpus.arrow_arrays import (
    array_of,
    bool_array,
    float_array,
    numpy_of,
    record_batch,
    string_array,
)
from akhbar.corpus.config import CorpusConfig
from akhbar.corpus.prepare import Prepare, gathered
from akhbar.corpus.readers import list_inputs
from akhbar.corpus.records import Provenance, RawRecord, Rejection
from akhbar.corpus.store import CLEANED_SCHEMA
from akhbar.corpus.store_writer import CleanedSpill, Tally
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


# --- what a build keeps per input file (issue 19, case 6, second round) ---------------------


def _tree(root: Path, count: int) -> None:
    """``count`` one-article files; every third too short to keep (rejected)."""
    rng = random.Random(count)
    words = ["".join(rng.choices("ابتثجحخدرزسشصعفقكلمنهوي", k=5)) for _ in range(500)]
    for i in range(count):
        d = root / f"d{i // 500:03d}"
        d.mkdir(parents=True, exist_ok=True)
        text = "نص الخبر" if i % 3 == 0 else " ".join(rng.choices(words, k=40))
        (d / f"{i:06d}.txt").write_text(f"عنوان\n{text}.\n", encoding="utf-8")


def test_case6_the_input_list_holds_tens_of_bytes_a_file_not_path_objects(tmp_path):
    _tree(tmp_path / "in", 3000)
    list_inputs([tmp_path / "in"])  # warm caches (imports, interned strings)
    tracemalloc.start()
    try:
        files = list_inputs([tmp_path / "in"])
        held, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert len(files) == 3000
    # before: a (name, pathlib.Path) pair per file, ~650 bytes each, and as much again while
    # the tree was walked; now the relative paths as bytes in one buffer
    assert held / 3000 < 100, held
    assert peak / 3000 < 400, peak
    root = (tmp_path / "in").as_posix()
    assert files[0] == (f"{root}/d000/000000.txt", tmp_path / "in" / "d000" / "000000.txt")
    assert files[-1] == (f"{root}/d005/002999.txt", tmp_path / "in" / "d005" / "002999.txt")


def test_case6_the_compact_list_names_what_the_walk_found_in_order(tmp_path):
    raw = os.fsencode(tmp_path) + b"/in"
    os.makedirs(raw + b"/b/c")
    for name in (b"a.txt", b"b/c/\xe9t\xe9.txt", b"b/2.txt", b"b/10.txt", b"back\\slash.txt"):
        with open(raw + b"/" + name, "w", encoding="utf-8") as f:
            f.write("عنوان\nنص\n")
    os.symlink(raw + b"/b", raw + b"/b/c/loop")  # a loop: listed once, as a rejection
    single = tmp_path / "single.txt"
    single.write_text("عنوان\nنص\n", encoding="utf-8")
    files = list_inputs([os.fsdecode(raw), single])
    root = os.fsdecode(raw)
    assert [name for name, _ in files] == [
        f"{root}/a.txt",
        f"{root}/b/10.txt",
        f"{root}/b/2.txt",
        f"{root}/b/c/loop",
        f"{root}/b/c/\\xe9t\\xe9.txt",
        f"{root}/back\\\\slash.txt",
        single.as_posix(),
    ]
    paths = [os.fsencode(p) for _, p in files]
    assert paths[4] == raw + b"/b/c/\xe9t\xe9.txt" and paths[-1] == os.fsencode(single)
    assert [p for _, p in files] == [p for _, p in list(files)]  # indexing and iterating agree
    assert files[-1] == files[len(files) - 1]


@pytest.mark.parametrize("seed", range(5))
def test_case6_arrays_from_buffers_are_pyarrows_arrays(seed):
    rng = random.Random(seed)
    n = rng.choice([0, 1, 7, 8, 9, 300])
    strings = [rng.choice([None, "", "abc", "عربي نص", "x" * rng.randint(0, 40)]) for _ in range(n)]
    bools = [rng.random() < 0.5 for _ in range(n)]
    floats = [rng.choice([None, 1.0, np.float64(0.625), rng.random()]) for _ in range(n)]
    for values, kind, build in (
        (strings, pa.string(), string_array),
        (bools, pa.bool_(), bool_array),
        (floats, pa.float64(), float_array),
    ):
        ours = build(values)
        ours.validate(full=True)
        assert ours.equals(pa.array(values, kind))
        assert array_of(values, kind).equals(ours)
        sliced = ours.slice(n // 3)
        if kind != pa.float64() or not sliced.null_count:
            assert numpy_of(pc.is_valid(sliced)).tolist() == [
                v is not None for v in values[n // 3 :]
            ]
    columns = {"s": strings, "b": bools}
    schema = pa.schema([("s", pa.string()), ("b", pa.bool_())])
    assert record_batch(columns, schema).equals(pa.RecordBatch.from_pydict(columns, schema=schema))
    codes = string_array([s or "" for s in strings]).dictionary_encode().indices
    assert numpy_of(codes).tolist() == codes.to_pylist()


def test_case6_arrays_from_buffers_refuse_what_pyarrow_refuses():
    with pytest.raises(UnicodeEncodeError):
        pa.array(["a\ud800"], pa.string())
    with pytest.raises(UnicodeEncodeError):
        string_array(["a\ud800"])
    with pytest.raises(pa.ArrowTypeError):
        string_array(["a", 3])  # left to pyarrow, which says what it always said


def test_case6_a_build_loads_neither_pandas_nor_scipy_it_does_not_use(tmp_path):
    _tree(tmp_path / "in", 40)
    code = (
        "import sys\n"
        "import akhbar.cli.main, akhbar.corpus.pipeline\n"
        "at_start = sorted({'pandas', 'scipy', 'datasketch'} & set(sys.modules))\n"
        "from akhbar.cli.main import main\n"
        "try:\n"
        f"    main(['corpus', 'build', {str(tmp_path / 'in')!r}, '--out', "
        f"{str(tmp_path / 'out')!r}, '--workers', '1'])\n"
        "except SystemExit as e:\n"
        "    assert not e.code, e.code\n"
        "print(at_start, 'pandas' in sys.modules)\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    # before: pandas (45-50 MB) in every process, on pyarrow's first list conversion; scipy
    # (through datasketch) in every process at import, so in every forked worker too
    assert out.stdout.split("\n")[-2] == "[] False", out.stdout + out.stderr
    report = orjson.loads((tmp_path / "out" / "report.json").read_bytes())
    assert report["input"] == 40 and report["rejected"] == 14 and report["kept"] == 26


def _records(rng: random.Random, count: int) -> list[RawRecord | Rejection]:
    words = ["".join(rng.choices("ابتثجحخدرزسشصعفقكلمنهوي", k=4)) for _ in range(60)]
    texts = []
    out: list[RawRecord | Rejection] = []
    for i in range(count):
        prov = Provenance(input_file=f"f{i}.txt", record="0", reader="txt_v1")
        r = rng.random()
        if r < 0.1:
            out.append(Rejection("empty_input", "the file is empty", prov))
            continue
        if r < 0.2 and texts:
            text = rng.choice(texts)  # an exact duplicate
        elif r < 0.3:
            text = "…"  # too short: rejected by cleaning
        else:
            text = " ".join(rng.choices(words, k=rng.randint(1, 40)))
        texts.append(text)
        out.append(RawRecord(title=text[:12], text=text + ".", provenance=prov, source="s"))
    return out


def test_case6_chunks_prepared_together_are_chunks_prepared_alone():
    rng = random.Random(66)
    records = _records(rng, 700)
    sizes = [1] * 400 + [256, 44]  # one-record files, then a file of two chunks
    chunks, start = [], 0
    for size in sizes:
        chunks.append(records[start : start + size])
        start += size
    prepare = Prepare(CorpusConfig())
    together = [prepare(group) for group in gathered(chunks)]
    alone = [prepare([chunk]) for chunk in chunks]
    assert len(together) < len(alone) / 50
    batches = [b for p in together for b in p.chunk_batches()]
    assert [b.num_rows for b in batches] == [b.num_rows for p in alone for b in p.chunk_batches()]
    assert all(
        x.equals(y)
        for x, y in zip(batches, (b for p in alone for b in p.chunk_batches()), strict=True)
    )
    for name in ("lengths", "keys", "rejected"):
        assert [v for p in together for v in getattr(p, name)] == [
            v for p in alone for v in getattr(p, name)
        ]
    sigs = [(s is None, None if s is None else s.tolist()) for p in together for s in p.signatures]
    assert sigs == [
        (s is None, None if s is None else s.tolist()) for p in alone for s in p.signatures
    ]
    assert sum(p.records for p in together) == len(records) == sum(p.records for p in alone)
    t1, t2 = Tally(), Tally()
    for p in together:
        t1.merge(p.tally)
    for p in alone:
        t2.merge(p.tally)
    assert t1.by_reason == t2.by_reason and t1.rule_applications == t2.rule_applications


def test_case6_small_files_gathered_into_tasks_build_the_same_store_with_any_workers(tmp_path):
    rng = random.Random(19)
    root = tmp_path / "in"
    words = ["".join(rng.choices("ابتثجحخدرزسشصعفقكلمنهوي", k=5)) for _ in range(300)]
    texts: list[str] = []
    for i in range(420):
        d = root / f"d{i // 100}"
        d.mkdir(parents=True, exist_ok=True)
        r = rng.random()
        if r < 0.05:
            (d / f"{i:04d}.txt").write_bytes(b"")  # rejected: empty
            continue
        text = rng.choice(texts) if r < 0.15 and texts else " ".join(rng.choices(words, k=30))
        texts.append(text)
        (d / f"{i:04d}.txt").write_text(f"{text[:30]}\n{text}.\n", encoding="utf-8")
    with open(root / "many.jsonl", "w", encoding="utf-8") as f:  # one file of several chunks
        for i in range(600):
            text = rng.choice(texts) if i % 7 == 0 else " ".join(rng.choices(words, k=20))
            f.write(
                orjson.dumps({"id": f"j{i % 500}", "title": "t", "content": text}).decode() + "\n"
            )
    stores = []
    for workers in ("1", "2", "3"):
        out = tmp_path / f"out{workers}"
        code, _, err = run_akhbar("corpus", "build", root, "--out", out, "--workers", workers)
        assert code == 0, err
        stores.append(
            [(out / name).read_bytes() for name in ("articles.parquet", "duplicates.parquet")]
            + [(out / "rejected.jsonl").read_bytes()]
        )
        report = orjson.loads((out / "report.json").read_bytes())
        assert report["input"] == 1020  # every record: kept, rejected or a duplicate
        assert report["input"] == report["kept"] + report["rejected"] + report["duplicates"]
        assert report["rejected"] >= 15 and report["duplicates"] >= 40
    assert stores[0] == stores[1] == stores[2]
