"""Hardening, second round (issue 19), releases: no released file records a local path with
every option of ``release build``; a release index or manifest of the wrong shape is one line;
``release load --no-verify`` on a damaged release is one line naming the file; concurrent
builds into one ``--out`` take turns on the releases root (subprocess tests in
``test_concurrent_releases.py``)."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import orjson
import pytest

from tests.helpers import REPO, run_akhbar
from tests.helpers.agreement_sample import make_sample
from tests.helpers.releases import build_small_release, write_inputs

TAXONOMY = REPO / "schemas" / "taxonomies" / "ace_ar_conflict.yaml"
# An absolute path of the kinds a build machine has; a released file names, never locates.
LOCAL = re.compile(rb"(?<![\w.:/])/(?:tmp|home|root|work|Users|var|private|mnt|srv|opt)/")


# --- case 17: no released file records a local path, with every option -----------------------


@pytest.fixture(scope="module")
def every_option(tmp_path_factory) -> tuple[Path, Path]:
    """A release built with every option of ``release build`` that can carry a path, each
    given as an absolute path: --corpus, --documents, --taxonomy, --agreement, --previous
    (a release in another directory), --out."""
    root = tmp_path_factory.mktemp("every_option")
    root, snap, _, _ = make_sample(root)
    corpus = root / "corpus"
    taxonomy = root / "my-taxonomy.yaml"
    shutil.copy(TAXONOMY, taxonomy)
    for argv in (
        ["annotate", "agreement", snap, "--corpus", corpus, "--out", root / "agr",
         "--taxonomy", taxonomy],
        ["annotate", "validate", snap, "--corpus", corpus, "--out", root / "val",
         "--taxonomy", taxonomy],
        ["release", "build", "--version", "1.0.0", "--corpus", corpus, "--documents",
         root / "val", "--out", root / "old", "--taxonomy", taxonomy, "--workers", "1"],
        ["release", "build", "--version", "1.1.0", "--corpus", corpus, "--documents",
         root / "val", "--out", root / "rel", "--taxonomy", taxonomy, "--agreement",
         root / "agr", "--previous", root / "old" / "v1.0.0", "--ratios", "0.5,0.25,0.25",
         "--resplit", "--license", "cc-by-4.0", "--part-size", "5", "--workers", "1"],
    ):  # fmt: skip
        code, _, err = run_akhbar(*argv)
        assert code in (0, 1), (argv[:2], err)  # validate: 1 when something was quarantined
    return root, root / "rel" / "v1.1.0"


def test_case17_no_released_file_records_a_local_path_with_every_option(every_option):
    root, release = every_option
    needles = {str(root).encode(), str(Path.home()).encode(), str(REPO).encode()}
    files = sorted(p for p in release.rglob("*") if p.is_file())
    assert {"agreement.json", "manifest.json", "README.md", "CHANGELOG.md", "croissant.json"} <= {
        p.name for p in files
    }
    for path in files:
        data = path.read_bytes()
        for needle in needles:
            assert needle not in data, (path, needle)
        found = LOCAL.search(data)
        assert found is None, (path, data[max(found.start() - 60, 0) : found.end() + 60])


def test_case17_the_agreement_is_recorded_by_name_and_otherwise_unchanged(every_option):
    root, release = every_option
    source = orjson.loads((root / "agr" / "agreement.json").read_bytes())
    copied = orjson.loads((release / "agreement.json").read_bytes())
    assert source["snapshot"]["path"] == str(root / "snapshot.json")  # local to the machine
    assert copied["snapshot"] == {**source["snapshot"], "path": "snapshot.json"}
    assert {k: v for k, v in copied.items() if k != "snapshot"} == {
        k: v for k, v in source.items() if k != "snapshot"
    }
    entry = orjson.loads((release / "manifest.json").read_bytes())["agreement"]
    assert entry["source"]["path"] == "agreement.json"
    code, out, err = run_akhbar("release", "verify", release)
    assert code == 0, out + err


# --- case 10: the JSON files the tool reads back are checked for their shape -----------------


@pytest.fixture(scope="module")
def built(tmp_path_factory) -> Path:
    return build_small_release(tmp_path_factory.mktemp("built"))


@pytest.fixture
def copy(built, tmp_path) -> Path:
    shutil.copytree(built.parent, tmp_path / "releases")
    return tmp_path / "releases" / "v1.0.0"


def one_line(code: int, err: str, *needles: str) -> str:
    assert code == 2, err
    assert "Traceback" not in err
    lines = err.strip().splitlines()
    assert len(lines) == 1, err
    for needle in needles:
        assert needle in lines[0], lines[0]
    return lines[0]


@pytest.mark.parametrize(
    ("index", "needles"),
    [
        (b"[]", ["expected a mapping at the top level", "got a list"]),
        (b'"x"', ["expected a mapping at the top level", "got a string"]),
        (b'{"format": "akhbar-release-index/1", "releases": []}', ["releases: expected"]),
        (b'{"format": "other", "releases": {}}', ["format: expected the string akhbar-release"]),
        (
            b'{"format": "akhbar-release-index/1", "releases": {"1.0.0": {"manifest_sha256": 7,'
            b' "created_at": "2026-01-01T00:00:00Z"}}}',
            ["releases.1.0.0.manifest_sha256", "64 hex digits", "got 7"],
        ),
    ],
)
def test_case10_an_index_of_the_wrong_shape_is_one_line_in_verify_and_build(copy, index, needles):
    (copy.parent / "index.json").write_bytes(index)
    code, _, err = run_akhbar("release", "verify", copy)
    one_line(code, err, "index.json", *needles)
    corpus, documents = write_inputs(copy.parents[1] / "in")
    code, _, err = run_akhbar(
        "release", "build", "--version", "1.0.1", "--corpus", corpus, "--documents", documents,
        "--out", copy.parent, "--workers", "1",
    )  # fmt: skip
    one_line(code, err, "index.json", *needles)
    assert not (copy.parent / "v1.0.1").exists()


def test_case10_a_previous_manifest_of_the_wrong_shape_is_one_line_in_build(copy):
    path = copy / "manifest.json"
    manifest = orjson.loads(path.read_bytes())
    manifest["splits"]["ratios"] = [0.4, 0.3, 0.3]
    path.write_bytes(orjson.dumps(manifest))
    corpus, documents = write_inputs(copy.parents[1] / "in")
    code, _, err = run_akhbar(
        "release", "build", "--version", "1.0.1", "--corpus", corpus, "--documents", documents,
        "--out", copy.parent, "--workers", "1",
    )  # fmt: skip
    one_line(code, err, "manifest.json", "splits.ratios", "train, validation and test")


@pytest.mark.parametrize(
    ("report", "needles"),
    [
        (b"[]", ["got a list"]),
        (
            b'{"input": 3, "kept": "2", "rejected": 1, "duplicates": 0}',
            ["kept: expected a count", "'2'"],
        ),
    ],
)
def test_case10_a_corpus_report_of_the_wrong_shape_is_one_line(tmp_path, report, needles):
    corpus = tmp_path / "corpus"
    code, _, err = run_akhbar(
        "corpus", "build", REPO / "corpus" / "sample" / "raw", "--out", corpus, "--workers", "1"
    )
    assert code == 0, err
    (corpus / "report.json").write_bytes(report)
    code, _, err = run_akhbar("corpus", "stats", corpus)
    one_line(code, err, "report.json", *needles)


# --- case 12: release load --no-verify on a damaged release ----------------------------------


def test_case12_load_without_verify_on_a_truncated_parquet_is_one_line_exit_1(copy):
    damaged = sorted((copy / "data" / "ner").glob("train-*.parquet"))[0]
    data = damaged.read_bytes()
    damaged.write_bytes(data[: len(data) // 2])
    code, out, err = run_akhbar("release", "load", copy, "--no-verify")
    assert code == 1 and not out, err
    assert "Traceback" not in err
    lines = err.strip().splitlines()
    assert len(lines) == 1, err
    assert str(damaged) in lines[0] and "not a readable Parquet file" in lines[0]
    assert "release verify" in lines[0]
