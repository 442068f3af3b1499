"""`akhbar corpus build` and `akhbar corpus stats` end to end, through the real command line.

Builds run the installed ``akhbar`` entry point in a subprocess, so exit codes, stderr and the
absence of tracebacks are what a user sees. SaudiNewsNet is built once per session (slow).
"""

from __future__ import annotations

import contextlib
import json
import subprocess
import sys
import unicodedata
import zipfile
from collections import defaultdict
from pathlib import Path

import orjson
import pandas as pd
import pyarrow.parquet as pq
import pytest

from akhbar import schemas
from akhbar.corpus.cleaning.text import fold_for_dedup
from akhbar.corpus.store import ARTICLE_SCHEMA, DUPLICATE_SCHEMA, load_corpus
from tests.helpers import REPO, run_akhbar

ROOT = REPO
SAMPLE = ROOT / "corpus" / "sample" / "raw"
SHARED = ROOT.parent / "shared" / "data"
SEED = SHARED / "seed"
SNN = SHARED / "saudinewsnet"
GOLDEN_SEED = ROOT / "tests" / "data" / "expected" / "seed_clean.txt"
AKHBAR = Path(sys.executable).parent / "akhbar"
FILES = {"articles.parquet", "duplicates.parquet", "rejected.jsonl", "report.json"}


def akhbar(*args: str | Path, cwd: Path | None = None) -> subprocess.CompletedProcess[str]:
    """The one in-process runner (tests/helpers), its result shaped like a process's."""
    with contextlib.chdir(cwd) if cwd else contextlib.nullcontext():
        code, out, err = run_akhbar(*args)
    return subprocess.CompletedProcess([str(AKHBAR), *map(str, args)], code, out, err)


def assert_one_line_error(result: subprocess.CompletedProcess[str], *needles: str) -> None:
    assert result.returncode != 0
    assert "Traceback" not in result.stderr
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    for needle in needles:
        assert needle in lines[0], lines[0]


def assert_adds_up(report: dict) -> None:
    assert report["input"] == report["kept"] + report["rejected"] + report["duplicates"]
    assert report["rejected"] == sum(report["by_reason"].values())
    assert report["duplicates"] == sum(report["duplicates_by_kind"].values())
    for field in ("input", "kept", "rejected", "duplicates"):
        assert report[field] == sum(s[field] for s in report["by_source"].values())


def decoded_rows(path: Path) -> list[dict]:
    rows = pq.read_table(path).to_pylist()
    for r in rows:
        r["metadata"] = json.loads(r["metadata"])
        r["provenance"] = json.loads(r["provenance"])
    return rows


# --- the bundled sample ----------------------------------------------------------------------


@pytest.fixture(scope="module")
def sample_build(tmp_path_factory):
    out = tmp_path_factory.mktemp("sample") / "corpus"
    result = akhbar("corpus", "build", SAMPLE, "--out", out)
    return out, result


def test_sample_build_succeeds_and_prints_a_summary(sample_build):
    out, result = sample_build
    assert result.returncode == 0, result.stderr
    assert "Traceback" not in result.stderr
    assert {p.name for p in out.iterdir()} == {*FILES, ".akhbar-output"}
    report = json.loads((out / "report.json").read_text())
    head = result.stdout.splitlines()
    assert head[0] == f"corpus at {out}"
    assert head[1].split() == ["input", "kept", "rejected", "duplicates"]
    numbers = [report[k] for k in ("input", "kept", "rejected", "duplicates")]
    assert [int(x) for x in head[2].split()] == numbers
    assert "per source:" in result.stdout


def test_sample_report_adds_up_and_has_every_kind_of_outcome(sample_build):
    out, _ = sample_build
    report = json.loads((out / "report.json").read_text())
    assert_adds_up(report)
    assert 20 <= report["input"] <= 60
    assert report["kept"] > 0 and report["rejected"] > 0
    assert report["duplicates_by_kind"]["exact"] > 0 and report["duplicates_by_kind"]["near"] > 0
    assert "empty" in report["by_reason"]
    assert report["rules"] and all(r in report["rules"] for r in report["by_rule"])
    assert report["tool_version"] and report["elapsed_s"] >= 0
    assert report["config"]["dedup"]["threshold"] == 0.8
    rejected = [json.loads(line) for line in (out / "rejected.jsonl").read_text().splitlines()]
    assert len(rejected) == report["rejected"]
    for r in rejected:
        assert r["reason"] and r["detail"] and r["provenance"]["input_file"]
        assert r["provenance"]["record"]


def test_sample_parquet_reads_back_with_pyarrow_and_pandas(sample_build):
    out, _ = sample_build
    report = json.loads((out / "report.json").read_text())
    articles = pq.read_table(out / "articles.parquet")
    duplicates = pq.read_table(out / "duplicates.parquet")
    assert articles.schema.equals(ARTICLE_SCHEMA) and duplicates.schema.equals(DUPLICATE_SCHEMA)
    assert articles.num_rows == report["kept"] and duplicates.num_rows == report["duplicates"]
    df = pd.read_parquet(out / "articles.parquet")
    assert df["id"].is_unique
    assert set(df.columns) >= {"id", "text", "cluster_id", "metadata", "provenance"}
    dups = pd.read_parquet(out / "duplicates.parquet")
    assert set(dups["duplicate_of"]) <= set(df["id"])
    kept_cluster = dict(zip(df["id"], df["cluster_id"], strict=True))
    for _, d in dups.iterrows():
        assert d["cluster_id"] == kept_cluster[d["duplicate_of"]]
        assert d["kind"] in ("exact", "near")
        assert (d["similarity"] == 1.0) if d["kind"] == "exact" else (0 < d["similarity"] < 1)
    assert not set(dups["id"]) & set(df["id"])
    assert load_corpus(out).articles.num_rows == report["kept"]


def test_every_stored_row_validates_against_the_article_schema(sample_build):
    import jsonschema

    out, _ = sample_build
    validator = jsonschema.Draft202012Validator(schemas.load("article"))
    rows = decoded_rows(out / "articles.parquet")
    assert rows
    for row in rows:
        errors = [e.message for e in validator.iter_errors(row)]
        assert not errors, (row["id"], errors)


def test_stats_summarises_an_existing_store(sample_build):
    out, build = sample_build
    result = akhbar("corpus", "stats", out)
    assert result.returncode == 0, result.stderr
    assert result.stdout.splitlines()[:3] == build.stdout.splitlines()[:3]


def test_two_builds_are_identical_whatever_the_workers(tmp_path):
    a, b = tmp_path / "a", tmp_path / "b"
    assert akhbar("corpus", "build", SAMPLE, "--out", a, "--workers", "1").returncode == 0
    assert akhbar("corpus", "build", SAMPLE, "--out", b, "--workers", "2").returncode == 0
    for name in ("articles.parquet", "duplicates.parquet", "rejected.jsonl"):
        assert (a / name).read_bytes() == (b / name).read_bytes(), name

    def report(d: Path) -> dict:
        r = json.loads((d / "report.json").read_text())
        del r["elapsed_s"], r["config"]["workers"]
        return r

    assert report(a) == report(b)


def test_existing_output_needs_force(tmp_path, sample_build):
    out = tmp_path / "corpus"
    assert akhbar("corpus", "build", SAMPLE, "--out", out).returncode == 0
    again = akhbar("corpus", "build", SAMPLE, "--out", out)
    assert_one_line_error(again, "already exists", "--force")
    forced = akhbar("corpus", "build", SAMPLE, "--out", out, "--force", "--no-near-dup")
    assert forced.returncode == 0, forced.stderr
    report = json.loads((out / "report.json").read_text())
    assert report["duplicates_by_kind"]["near"] == 0
    assert sorted(p.name for p in tmp_path.iterdir()) == ["corpus"]


# --- garbage in: one line, non-zero exit, nothing half-written --------------------------------


def test_a_directory_of_nothing(tmp_path):
    (tmp_path / "empty").mkdir()
    result = akhbar("corpus", "build", tmp_path / "empty", "--out", tmp_path / "out")
    assert_one_line_error(result, str(tmp_path / "empty"))
    assert sorted(p.name for p in tmp_path.iterdir()) == ["empty"]


def test_an_output_location_that_cannot_be_written(tmp_path):
    (tmp_path / "a-file").write_text("not a directory")
    result = akhbar("corpus", "build", SAMPLE, "--out", tmp_path / "a-file" / "corpus")
    assert_one_line_error(result, "cannot write the corpus")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["a-file"]


def test_a_nonexistent_input(tmp_path):
    result = akhbar("corpus", "build", tmp_path / "missing", "--out", tmp_path / "out")
    assert_one_line_error(result, "missing", "no such file or directory")
    assert list(tmp_path.iterdir()) == []


def test_an_output_inside_an_input_directory(tmp_path):
    (tmp_path / "in").mkdir()
    (tmp_path / "in" / "wire.jsonl").write_bytes((SAMPLE / "feeds" / "wire.jsonl").read_bytes())
    result = akhbar("corpus", "build", tmp_path / "in", "--out", tmp_path / "in" / "corpus")
    assert_one_line_error(result, "inside the input directory")
    assert [p.name for p in (tmp_path / "in").iterdir()] == ["wire.jsonl"]


def test_no_input_at_all_is_a_usage_error(tmp_path):
    result = akhbar("corpus", "build", "--out", tmp_path / "out")
    assert result.returncode == 2
    assert "Traceback" not in result.stderr and "INPUT" in result.stderr


def test_a_bad_config_file(tmp_path):
    config = tmp_path / "build.yaml"
    config.write_text("dedup:\n  treshold: 0.9\n")
    result = akhbar("corpus", "build", SAMPLE, "--out", tmp_path / "out", "--config", config)
    assert_one_line_error(result, "treshold", "known keys")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["build.yaml"]


def test_stats_on_something_that_is_not_a_store(tmp_path):
    assert_one_line_error(akhbar("corpus", "stats", tmp_path), "is not a corpus store")


# --- the seed article (../shared/data) -------------------------------------------------------

needs_seed = pytest.mark.skipif(not SEED.is_dir(), reason=f"{SEED} is absent (shared data)")


@pytest.mark.shared_data
@needs_seed
def test_seed_keeps_one_article_with_the_golden_text(tmp_path):
    out = tmp_path / "seed"
    result = akhbar("corpus", "build", SEED, "--out", out)
    assert result.returncode == 0, result.stderr
    report = json.loads((out / "report.json").read_text())
    assert (report["input"], report["kept"]) == (1, 1)
    (row,) = decoded_rows(out / "articles.parquet")
    text = row["text"]
    assert text == GOLDEN_SEED.read_text(encoding="utf-8").rstrip("\n")
    assert "[ad_" not in text
    assert not text.startswith(row["title"])
    assert not text.splitlines()[-1].lstrip().startswith("المصدر")


# --- SaudiNewsNet (../shared/data, slow: one build per session) ------------------------------

needs_snn = pytest.mark.skipif(not SNN.is_dir(), reason=f"{SNN} is absent (shared data)")


@pytest.fixture(scope="session")
def snn_build(tmp_path_factory):
    out = tmp_path_factory.mktemp("snn") / "corpus"
    result = akhbar("corpus", "build", SNN, "--out", out)
    assert result.returncode == 0, result.stderr
    raw = {}  # (zip name, record index) -> content
    for path in sorted(SNN.glob("*.zip")):
        with zipfile.ZipFile(path) as z:
            for member in z.namelist():
                for i, row in enumerate(orjson.loads(z.read(member))):
                    raw[(path.name, member, i)] = row.get("content") or ""
    return out, raw


def outcome_by_record(out: Path) -> dict[tuple[str, str], tuple[str, dict]]:
    """(input file, record) -> ("kept" | "duplicate" | "rejected", row)."""
    outcome = {}
    for kind, rows in (
        ("kept", decoded_rows(out / "articles.parquet")),
        ("duplicate", decoded_rows(out / "duplicates.parquet")),
        ("rejected", [json.loads(x) for x in (out / "rejected.jsonl").read_text().splitlines()]),
    ):
        for row in rows:
            p = row["provenance"]
            key = (Path(p["input_file"]).name, p["record"])
            assert key not in outcome, f"{key} comes out twice"
            outcome[key] = (kind, row)
    return outcome


def raw_key(zip_name: str, member: str, index: int) -> tuple[str, str]:
    """How the JSON reader names a record of a zip member in provenance."""
    return (zip_name, f"{member}#{index}")


@pytest.mark.shared_data
@pytest.mark.slow
@needs_snn
def test_snn_report_adds_up_and_nothing_is_lost(snn_build):
    out, raw = snn_build
    report = json.loads((out / "report.json").read_text())
    assert_adds_up(report)
    assert report["input"] == len(raw) == 31030
    assert len(report["by_source"]) == 14
    outcome = outcome_by_record(out)
    assert set(outcome) == {raw_key(*k) for k in raw}


@pytest.mark.shared_data
@pytest.mark.slow
@needs_snn
def test_snn_empty_bodies_are_rejected_as_empty(snn_build):
    out, raw = snn_build
    outcome = outcome_by_record(out)
    empty = [k for k, content in raw.items() if not content.strip()]
    assert len(empty) == 354
    for k in empty:
        kind, row = outcome[raw_key(*k)]
        assert (kind, row["reason"]) == ("rejected", "empty"), k


@pytest.mark.shared_data
@pytest.mark.slow
@needs_snn
def test_snn_every_exact_duplicate_body_is_a_duplicate(snn_build):
    out, raw = snn_build
    outcome = outcome_by_record(out)
    # Independently of the dedup code: group the records by their stored cleaned text.
    by_text: dict[str, list[tuple[str, dict]]] = defaultdict(list)
    for kind, row in outcome.values():
        if kind != "rejected":
            by_text[row["text"]].append((kind, row))
    copies = 0
    for group in by_text.values():
        if len(group) == 1:
            continue
        kinds = [kind for kind, _ in group]
        assert kinds.count("kept") <= 1, group[0][1]["text"][:80]
        assert len({row["cluster_id"] for _, row in group}) == 1
        if "kept" in kinds:  # the others are exact duplicates of it
            kept_id = next(row["id"] for kind, row in group if kind == "kept")
            expected = {(kept_id, "exact")}
        else:  # the cluster keeps a longer near duplicate: all copies point to it
            expected = {(group[0][1]["duplicate_of"], group[0][1]["kind"])}
        assert {(r["duplicate_of"], r["kind"]) for k, r in group if k != "kept"} == expected
        copies += len(group) - 1
    # And from the raw input: every repeated non-empty body has all but one copy out.
    by_raw: dict[str, list[tuple]] = defaultdict(list)
    for k, content in raw.items():
        if content.strip():
            by_raw[content].append(k)
    repeated = [keys for keys in by_raw.values() if len(keys) > 1]
    assert sum(len(keys) - 1 for keys in repeated) == 552
    for keys in repeated:
        kinds = [outcome[raw_key(*k)][0] for k in keys]
        assert kinds.count("kept") <= 1
        if "kept" in kinds:
            assert kinds.count("duplicate") == len(kinds) - 1
    assert copies >= 552
    # No two kept articles share the folded key either.
    kept_keys = [fold_for_dedup(r["text"]) for k, r in outcome.values() if k == "kept"]
    assert len(set(kept_keys)) == len(kept_keys)


@pytest.mark.shared_data
@pytest.mark.slow
@needs_snn
def test_snn_kept_text_is_clean(snn_build):
    out, _ = snn_build
    # Listed here, not taken from the cleaning code, so that the check is independent of it.
    invisible = [*range(0x200B, 0x2010), *range(0x202A, 0x202F), *range(0x2060, 0x2065)]
    invisible += [*range(0x2066, 0x206A), 0x061C, 0xFEFF]
    forbidden = {"\u0640", "\x00", "\u00a0", "\u202f", *map(chr, invisible)}
    texts = pq.read_table(out / "articles.parquet", columns=["text"]).column("text").to_pylist()
    assert len(texts) > 25000
    for text in texts:
        bad = forbidden.intersection(text)
        assert not bad, [f"U+{ord(c):04X}" for c in bad]
        assert unicodedata.is_normalized("NFC", text)
