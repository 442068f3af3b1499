"""Release integrity (issue 10, case 4): ``release verify`` checks the manifest's claims against
the data and the manifest against the digest kept in ``index.json``; ``release load`` verifies
first; no released file records a local path."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from akhbar.corpus.file_digest import sha256_file
from akhbar.corpus.release.index import INDEX, read_index
from tests.helpers import REPO, run_akhbar
from tests.helpers.releases import build_small_release, write_inputs


@pytest.fixture(scope="module")
def built(tmp_path_factory) -> Path:
    return build_small_release(tmp_path_factory.mktemp("integrity"))


@pytest.fixture
def copy(built, tmp_path) -> Path:
    """The release and its index, copied so that a test may damage them."""
    shutil.copytree(built, tmp_path / "releases" / "v1.0.0")
    shutil.copy(built.parent / INDEX, tmp_path / "releases" / INDEX)
    return tmp_path / "releases" / "v1.0.0"


def edit_manifest(release: Path, change) -> None:
    path = release / "manifest.json"
    manifest = json.loads(path.read_text(encoding="utf-8"))
    change(manifest)
    path.write_text(json.dumps(manifest, ensure_ascii=False, indent=2), encoding="utf-8")


def verify(release: Path, *extra) -> tuple[int, list[str], str]:
    code, out, err = run_akhbar("release", "verify", release, *extra)
    return code, out.strip().splitlines(), err


def test_the_index_holds_the_manifest_digest_and_a_fresh_release_verifies(built):
    entry = read_index(built.parent / INDEX)["1.0.0"]
    assert entry["manifest_sha256"] == sha256_file(built / "manifest.json")[0]
    code, lines, err = verify(built)
    assert code == 0, [*lines, err]
    assert lines == [f"ok: {built}: every file and claim matches the manifest"]


def test_case4_an_edited_licence_fails_against_the_index_and_the_card(copy):
    edit_manifest(copy, lambda m: m.update(license="mit"))
    code, lines, _ = verify(copy)
    assert code == 1  # before: "ok"
    assert any("the manifest was changed after the build" in line for line in lines)
    assert any("licence 'other', the manifest says 'mit'" in line for line in lines)
    code, lines, _ = verify(copy, "--no-index")
    assert code == 1 and len(lines) == 1 and "licence" in lines[0]


def test_case4_edited_counts_and_an_edited_split_are_found_in_the_data(copy):
    def change(m):
        m["counts"]["released_articles"] += 1
        _aid, entry = next(iter(m["articles"].items()))
        entry["split"] = "validation" if entry["split"] != "validation" else "test"

    edit_manifest(copy, change)
    code, lines, _ = verify(copy, "--no-index")
    assert code == 1
    assert any("counts.released_articles is 9, it lists 8" in line for line in lines)
    assert any("the documents data has it in" in line for line in lines)


def test_case4_an_edited_checksum_is_found(copy):
    def change(m):
        m["inputs"]["articles"]["sha256"] = "0" * 64  # checked by nothing but the index

    edit_manifest(copy, change)
    code, lines, _ = verify(copy)
    assert code == 1 and any("changed after the build" in line for line in lines)


def test_case4_a_manifest_without_a_key_is_a_problem_line_not_a_traceback(copy):
    edit_manifest(copy, lambda m: m.pop("files"))
    code, lines, err = verify(copy, "--no-index")
    assert code == 1 and not err
    assert lines == [
        f"{copy / 'manifest.json'}: key 'files' is missing or not dict; the manifest is damaged, "
        "rebuild the release"
    ]


def test_a_truncated_manifest_is_a_one_line_error(copy):
    path = copy / "manifest.json"
    path.write_bytes(path.read_bytes()[:300])
    code, lines, err = verify(copy)
    assert code == 2 and not lines
    assert err.count("\n") == 1 and "not valid JSON (truncated or edited" in err


def test_verify_without_an_index_says_how_to_go_on(copy):
    (copy.parent / INDEX).unlink()
    code, lines, _ = verify(copy)
    assert code == 1 and "--no-index" in lines[0]
    assert verify(copy, "--no-index")[0] == 0


def test_case4_release_load_verifies_first(copy):
    edit_manifest(copy, lambda m: m.update(license="mit"))
    code, out, err = run_akhbar("release", "load", copy)
    assert code == 1 and not out  # before: loaded without a word
    assert err.strip().splitlines()[-1].startswith(f"akhbar: error: {copy} does not verify")
    code, out, err = run_akhbar("release", "load", copy, "--no-verify")
    assert code == 0, err
    assert out.startswith("ner: train ")


def test_case4_no_released_file_records_a_local_path(built):
    root = str(built.parents[1])
    for path in built.rglob("*"):
        if path.is_file() and path.suffix in (".json", ".md", ".jsonl"):
            text = path.read_text(encoding="utf-8")
            assert root not in text, path  # before: manifest.json held the input paths
            assert str(REPO) not in text, path  # and the taxonomy's path in the checkout


def test_release_build_with_negative_workers_is_a_usage_error(tmp_path):
    corpus, documents = write_inputs(tmp_path / "in")
    code, _, err = run_akhbar(
        "release", "build", "--version", "1.0.0", "--corpus", corpus, "--documents", documents,
        "--out", tmp_path / "releases", "--workers", "-3",
    )  # fmt: skip
    assert code == 2 and "Traceback" not in err  # before: a traceback
    assert "Invalid value for '--workers': -3 is not in the range" in err
    assert not (tmp_path / "releases").exists()
