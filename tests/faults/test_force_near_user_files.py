"""Hardening, second round (issue 19, case 2): ``--force`` replaces only what an earlier run of
the same command wrote (the files its marker lists). A folder that also holds the user's files
(notes, snapshots, even a release) is refused with the file named; nothing is deleted."""

from __future__ import annotations

import json

import pytest

from akhbar.corpus.runtime.publish import MARKER, Output, publishing
from akhbar.schemas.errors import OutputError
from tests.helpers import REPO, run_akhbar

SAMPLE = REPO / "corpus" / "sample" / "raw"
EXPORT = REPO / "corpus" / "sample" / "labelstudio_export.json"


def tree(root) -> dict[str, bytes]:
    return {p.relative_to(root).as_posix(): p.read_bytes() for p in root.rglob("*") if p.is_file()}


@pytest.fixture
def store(tmp_path):
    out = tmp_path / "C"
    code, _, err = run_akhbar("corpus", "build", SAMPLE, "--out", out, "--workers", "1")
    assert code == 0, err
    return out


@pytest.mark.parametrize(
    "user_file", ["notes.txt", "snapshots/snapshot-1.json", "releases/v1.0.0/manifest.json"]
)
def test_case2_corpus_build_force_refuses_naming_a_file_it_did_not_write(store, user_file):
    (store / user_file).parent.mkdir(parents=True, exist_ok=True)
    (store / user_file).write_text("the user's own work\n", encoding="utf-8")
    before = tree(store)
    code, out, err = run_akhbar("corpus", "build", SAMPLE, "--out", store, "--force")
    assert not out
    assert code == 2 and "Traceback" not in err, err  # before: 0, and the file was gone
    assert len(err.strip().splitlines()) == 1, err
    assert f"holds {user_file!r}" in err and "which akhbar did not write" in err
    assert tree(store) == before  # the store and the user's file, untouched
    assert sorted(p.name for p in store.parent.iterdir()) == ["C"]  # no temporary left


def test_case2_force_replaces_an_output_that_holds_only_what_it_wrote(store):
    mark = json.loads((store / MARKER).read_text(encoding="utf-8"))
    assert mark["kind"] == "corpus store"
    assert sorted(mark["files"]) == sorted(p for p in tree(store) if p != MARKER)
    code, _, err = run_akhbar("corpus", "build", SAMPLE, "--out", store, "--force")
    assert code == 0, err


def test_case2_agreement_output_near_a_user_file_is_refused(tmp_path, store):
    out = tmp_path / "agr"
    assert run_akhbar("annotate", "agreement", EXPORT, "--corpus", store, "--out", out)[0] == 0
    (out / "my-notes.md").write_text("notes", encoding="utf-8")
    code, _, err = run_akhbar("annotate", "agreement", EXPORT, "--corpus", store, "--out", out)
    assert code == 2 and "'my-notes.md'" in err, err
    assert (out / "my-notes.md").read_text(encoding="utf-8") == "notes"


def test_case2_validate_output_near_a_user_file_is_refused(tmp_path, store):
    out = tmp_path / "val"
    run_akhbar("annotate", "validate", EXPORT, "--corpus", store, "--out", out)
    assert (out / "validation.json").is_file()
    (out / "keep").mkdir()
    (out / "keep" / "a.json").write_text("{}", encoding="utf-8")
    code, _, err = run_akhbar("annotate", "validate", EXPORT, "--corpus", store, "--out", out)
    assert code == 2 and "'keep/a.json'" in err, err
    assert (out / "keep" / "a.json").is_file()


def test_case2_a_file_put_there_while_the_run_writes_is_found_at_publish_time(tmp_path):
    target = tmp_path / "out"
    with publishing(target, marker="r", what="store") as out:
        (out.path / "r").write_text("old", encoding="utf-8")
    output = Output(target, replace=True, marker="r", what="store")
    (output.path / "r").write_text("new", encoding="utf-8")
    (target / "late.txt").write_text("mine", encoding="utf-8")  # after the start's check
    with pytest.raises(OutputError, match=r"holds 'late\.txt'"):
        output.commit()
    output.abort()
    assert (target / "late.txt").read_text(encoding="utf-8") == "mine"
    assert (target / "r").read_text(encoding="utf-8") == "old"


def test_case2_a_marker_that_lists_no_files_is_not_enough_to_replace(tmp_path):
    target = tmp_path / "out"
    target.mkdir()
    (target / MARKER).write_text('{"tool": "akhbar", "kind": "store"}', encoding="utf-8")
    (target / "thesis.tex").write_text("keep", encoding="utf-8")
    with pytest.raises(OutputError, match="does not list the files akhbar wrote"):
        Output(target, replace=True, marker="r", what="store")
    assert (target / "thesis.tex").read_text(encoding="utf-8") == "keep"
