"""`corpus build --executor ray` on a real local Ray cluster gives the local build's store.

The Ray store is partitioned (``articles/part-*.parquet``, one part per input file) and the
local one is one file each, so the Parquet bytes differ by layout; compared are what every
reader sees through the store API: the articles and duplicates tables row for row (schema
metadata included), ``rejected.jsonl`` byte for byte and ``report.json`` but for ``elapsed_s``.
"""

from __future__ import annotations

import random
import subprocess
import sys
from pathlib import Path

import orjson
import pyarrow.parquet as pq
import pytest

from akhbar.corpus.config import CorpusConfig
from akhbar.corpus.pipeline import CorpusBuildOptions, build_corpus
from akhbar.corpus.store import TEXT_DIGEST, iter_article_batches, load_corpus, read_articles
from akhbar.schemas.errors import UsageError
from tests.helpers import REPO, run_akhbar
from tests.helpers.arabic_news import BOOKS, FOOTBALL, WATER, edit_words

SAMPLE = REPO / "corpus" / "sample" / "raw"
SNN = REPO.parent / "shared" / "data" / "saudinewsnet"


def _record(n: int, text: str, title: str = "خبر", source: str = "wire") -> bytes:
    row = {"source": source, "url": f"https://{source}.example/{n}", "title": title}
    row |= {"content": text, "date_extracted": "2023-05-04 08:15:00", "author": ""}
    return orjson.dumps(row) + b"\n"


def write_duplicates_fixture(directory: Path) -> Path:
    """Six files of articles: unique ones, and exact and near duplicates of three originals
    (spelling variants, records repeated verbatim, words edited, sentences re-ordered), across
    files; the originals come first and are the longest, so they are kept."""
    directory.mkdir()
    bases = [WATER, FOOTBALL, BOOKS]
    vocabulary = sorted({w for b in bases for w in b.split(" ")})
    rng = random.Random(14)
    rows: list[list[bytes]] = [[] for _ in range(6)]
    rows[0] += [_record(1000 + k, base, f"o{k}") for k, base in enumerate(bases)]
    n = 0
    for f in range(6):
        for k, base in enumerate(bases):
            words = base.split(" ")
            unique = " ".join(rng.choice(vocabulary) for _ in range(120))
            rows[f].append(_record(n, unique, f"u{n}"))
            n += 1
            edits = {(f * 13 + 3 * k) % len(words): "و", (f * 29 + k + 50) % len(words): "في"}
            rows[f].append(_record(n, edit_words(base, edits), f"e{n}"))  # shorter: near
            n += 1
            sentences = base.split(". ")
            rows[f].append(_record(n, ". ".join(sentences[1:] + sentences[:1]), f"r{n}"))
            n += 1
        rows[f].append(_record(n, WATER.replace("ة", "ه"), "variant"))  # exact after folding
        n += 1
        rows[f].append(_record(0, WATER, "repeat"))  # the same record in every file: id repeats
        rows[f].append(_record(0, WATER, "repeat"))
        rows[f].append(_record(n, "قصير"))  # rejected: too short
        n += 1
    for f, lines in enumerate(rows):
        (directory / f"batch-{f}.jsonl").write_bytes(b"".join(lines))
    return directory


def assert_same_store(local: Path, ray: Path) -> None:
    a, b = load_corpus(local), load_corpus(ray)
    assert (local / "articles.parquet").is_file() and (ray / "articles").is_dir()
    assert a.articles.num_rows > 0
    for part in [*(ray / "articles").glob("part-*"), *(ray / "duplicates").glob("part-*")]:
        assert TEXT_DIGEST in pq.read_schema(part).names  # written by the workers, not computed
    assert a.articles.equals(b.articles, check_metadata=True)
    assert a.duplicates.equals(b.duplicates, check_metadata=True)
    assert (local / "rejected.jsonl").read_bytes() == (ray / "rejected.jsonl").read_bytes()
    ra, rb = dict(a.report), dict(b.report)
    del ra["elapsed_s"], rb["elapsed_s"]
    assert ra == rb


@pytest.mark.ray
@pytest.mark.parametrize("near", [True, False])
def test_ray_build_of_generated_duplicates_equals_the_local_build(ray_cluster, tmp_path, near):
    inputs = write_duplicates_fixture(tmp_path / "in")
    local = tmp_path / "local"
    ray = tmp_path / "ray"
    build_corpus(CorpusBuildOptions([inputs], local, near=near))
    build_corpus(CorpusBuildOptions([inputs], ray, near=near, executor="ray"))
    assert_same_store(local, ray)
    report = load_corpus(ray).report
    kinds = report["duplicates_by_kind"]
    assert kinds["exact"] >= 12 and (kinds["near"] >= 10 if near else kinds["near"] == 0)
    ids = load_corpus(ray).duplicates.column("id").to_pylist()
    assert any(i.endswith("-12") for i in ids)  # the 12th occurrence of the repeated record


@pytest.mark.ray
def test_ray_build_of_the_sample_equals_the_local_build_from_the_command_line(
    ray_cluster, tmp_path
):
    local, ray = tmp_path / "local", tmp_path / "ray"
    assert run_akhbar("corpus", "build", SAMPLE, "--out", local)[0] == 0
    code, out, err = run_akhbar("corpus", "build", SAMPLE, "--out", ray, "--executor", "ray")
    assert code == 0, err
    assert "built in" in out
    assert_same_store(local, ray)


@pytest.mark.ray
def test_every_reader_reads_a_partitioned_store(ray_cluster, tmp_path):
    ray = tmp_path / "ray"
    build_corpus(
        CorpusBuildOptions([write_duplicates_fixture(tmp_path / "in")], ray, executor="ray")
    )
    parts = sorted((ray / "articles").glob("part-*.parquet"))
    assert len(parts) == 6
    rows = sum(pq.read_metadata(p).num_rows for p in parts)
    batches = list(iter_article_batches(ray, ("id",), batch_size=4))
    ids = [i for b in batches for i in b.column("id").to_pylist()]
    assert len(ids) == rows == load_corpus(ray).report["kept"]
    picked = read_articles(ray, ("id", "text"), ids=[ids[0], ids[-1]])
    assert picked.column("id").to_pylist() == [ids[0], ids[-1]]
    assert read_articles(ray, ("id",), limit=5).column("id").to_pylist() == ids[:5]


@pytest.mark.slow
@pytest.mark.ray
@pytest.mark.shared_data
@pytest.mark.skipif(not SNN.is_dir(), reason="../shared/data/saudinewsnet is absent")
def test_ray_build_of_saudinewsnet_equals_the_local_build(ray_cluster, tmp_path):
    local, ray = tmp_path / "local", tmp_path / "ray"
    build_corpus(CorpusBuildOptions([SNN], local))
    build_corpus(CorpusBuildOptions([SNN], ray, executor="ray"))
    assert_same_store(local, ray)


def test_ray_is_not_loaded_unless_asked_for():
    code = (
        "import sys, akhbar.cli.main, akhbar.corpus.pipeline, akhbar.corpus.store; "
        "assert 'ray' not in sys.modules, 'ray imported'"
    )
    subprocess.run([sys.executable, "-c", code], check=True)


def test_ray_executor_without_ray_installed_is_one_line_fault_injected(monkeypatch, tmp_path):
    # a stand-in for an installation without Ray: the import fails
    monkeypatch.setitem(sys.modules, "ray", None)
    monkeypatch.delitem(sys.modules, "akhbar.corpus.runtime.executor_ray", raising=False)
    monkeypatch.delitem(sys.modules, "akhbar.corpus.build_ray", raising=False)
    with pytest.raises(UsageError, match=r"pip install 'akhbar\[ray\]'"):
        build_corpus(CorpusBuildOptions([SAMPLE], tmp_path / "out", CorpusConfig(), executor="ray"))
    assert not (tmp_path / "out").exists()


def test_ray_address_without_the_ray_executor_is_refused(tmp_path):
    code, _, err = run_akhbar(
        "corpus", "build", SAMPLE, "--out", tmp_path / "o", "--ray-address", "h:1"
    )
    assert code != 0 and "--executor ray" in err
