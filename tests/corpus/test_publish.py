"""Atomic publishing: whole outputs or none, nothing overwritten that is not ours."""

from __future__ import annotations

import os
import stat

import pytest

from akhbar.corpus.runtime.publish import TMP_TAG, Output, publishing, remove_stale, temporary_name
from akhbar.schemas.errors import OutputError


def test_a_directory_appears_only_when_committed(tmp_path):
    target = tmp_path / "out"
    with Output(target, marker="report.json") as out:
        (out.path / "report.json").write_text("{}")
        assert not target.exists() and out.path.parent == tmp_path
        assert TMP_TAG in out.path.name
        out.commit()
    assert (target / "report.json").read_text() == "{}"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["out"]


def test_an_error_in_the_block_leaves_nothing(tmp_path):
    with pytest.raises(KeyboardInterrupt), publishing(tmp_path / "out") as out:
        (out.path / "half.txt").write_text("half")
        raise KeyboardInterrupt
    assert list(tmp_path.iterdir()) == []


def test_replace_swaps_in_the_new_output_and_removes_the_old(tmp_path):
    target = tmp_path / "out"
    with publishing(target, marker="report.json") as out:  # an earlier output, marked
        (out.path / "report.json").write_text("old")
        (out.path / "stale.txt").write_text("old")
    with publishing(target, replace=True, marker="report.json") as out:
        (out.path / "report.json").write_text("new")
    assert sorted(p.name for p in target.iterdir()) == [".akhbar-output", "report.json"]
    assert (target / "report.json").read_text() == "new"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["out"]


def test_without_replace_an_existing_output_is_refused(tmp_path):
    target = tmp_path / "out"
    target.mkdir()
    with pytest.raises(OutputError, match="already exists: pass --force"):
        Output(target)


def test_replace_never_touches_a_directory_without_the_marker(tmp_path):
    target = tmp_path / "thesis"
    target.mkdir()
    (target / "chapter1.tex").write_text("keep")
    with pytest.raises(
        OutputError, match=r"not written by akhbar as a corpus store \(no \.akhbar-output marker\)"
    ):
        Output(target, replace=True, marker="report.json", what="corpus store")
    assert (target / "chapter1.tex").read_text() == "keep"


def test_a_new_file_is_never_overwritten_even_if_it_appears_meanwhile(tmp_path):
    target = tmp_path / "snapshot.json"
    out = Output(target, directory=False, mode=0o444)
    out.path.write_text("ours")
    target.write_text("theirs")  # appears while we write
    with pytest.raises(OutputError, match="never overwritten"), out:
        out.commit()
    assert target.read_text() == "theirs"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["snapshot.json"]


def test_a_file_gets_its_mode_before_it_is_published(tmp_path):
    target = tmp_path / "settings.json"
    with publishing(target, directory=False, replace=True, mode=0o600) as out:
        out.path.write_text("{}")
    assert stat.S_IMODE(target.stat().st_mode) == 0o600


def test_stale_temporaries_of_dead_runs_are_removed_and_live_ones_kept(tmp_path):
    dead = tmp_path / f".out{TMP_TAG}999999999-dead"  # no such process
    (dead / "data").mkdir(parents=True)
    live = tmp_path / f".out{TMP_TAG}{os.getppid()}-live"  # a running process (our parent)
    live.mkdir()
    other = tmp_path / ".out.tmp-999999999"  # not named by us: never touched
    other.mkdir()
    assert remove_stale(tmp_path) == [dead]
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted([live.name, other.name])


def test_a_new_output_clears_what_dead_runs_left_beside_it(tmp_path):
    dead = tmp_path / f".v0.9.0{TMP_TAG}999999999-dead"
    dead.mkdir()
    with publishing(tmp_path / "v1.0.0"):
        pass
    assert sorted(p.name for p in tmp_path.iterdir()) == ["v1.0.0"]


def test_temporary_names_are_fresh_siblings(tmp_path):
    a, b = temporary_name(tmp_path / "x"), temporary_name(tmp_path / "x")
    assert a != b and a.parent == tmp_path and a.name.startswith(f".x{TMP_TAG}{os.getpid()}-")
