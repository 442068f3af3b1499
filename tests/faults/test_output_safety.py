"""The safety rules of every output (``akhbar.corpus.runtime.publish``): one run per output at a time,
checked again at publish time, and ``--force`` only on what akhbar wrote, never on an input."""

from __future__ import annotations

import json
import os

import pytest

from akhbar.corpus.runtime.publish import MARKER, Output, lock_path, publishing
from akhbar.schemas.errors import OutputError


def test_a_second_writer_of_the_same_output_fails_at_once(tmp_path):
    with Output(tmp_path / "out", marker="x", what="store") as first:
        with pytest.raises(OutputError, match=f"another akhbar run \\(pid {os.getpid()}\\)"):
            Output(tmp_path / "out", marker="x", what="store")
        first.commit()
    assert not lock_path(tmp_path / "out").exists()  # released and removed with the commit
    with publishing(tmp_path / "out", replace=True, marker="x", what="store"):
        pass  # and free again


def test_the_lock_is_checked_again_at_publish_time(tmp_path):
    first = Output(tmp_path / "out", what="store")
    lock_path(tmp_path / "out").unlink()  # e.g. removed by hand while the run went on
    with Output(tmp_path / "out", what="store") as second:  # takes a fresh lock
        with pytest.raises(OutputError, match=r"lock .* was removed while writing"):
            first.commit()
        second.commit()
    first.abort()
    assert (tmp_path / "out").is_dir() and not (tmp_path / "out").is_symlink()


def test_a_replaceable_output_carries_a_marker_naming_what_wrote_it(tmp_path):
    with publishing(tmp_path / "out", marker="report.json", what="corpus store") as out:
        (out.path / "report.json").write_text("{}", encoding="utf-8")
    mark = json.loads((tmp_path / "out" / MARKER).read_text(encoding="utf-8"))
    assert mark == {"tool": "akhbar", "kind": "corpus store"}
    with publishing(tmp_path / "out", replace=True, marker="report.json", what="corpus store"):
        pass
    with pytest.raises(OutputError, match="not written by akhbar as a validation output"):
        Output(tmp_path / "out", replace=True, marker="report.json", what="validation output")


def test_force_never_replaces_a_directory_without_the_marker(tmp_path):
    (tmp_path / "out" / "src").mkdir(parents=True)
    (tmp_path / "out" / "report.json").write_text("{}", encoding="utf-8")  # not enough
    with pytest.raises(OutputError, match=r"no \.akhbar-output marker"):
        Output(tmp_path / "out", replace=True, marker="report.json", what="corpus store")
    assert (tmp_path / "out" / "src").is_dir()


@pytest.mark.parametrize("where", ["holds", "inside"])
def test_force_never_replaces_an_input_or_what_holds_one(tmp_path, where):
    with publishing(tmp_path / "out", marker="m", what="store"):
        pass
    given = tmp_path / "out" / "in.jsonl" if where == "holds" else tmp_path
    given.touch()
    with pytest.raises(OutputError, match="holds or lies inside the input"):
        Output(tmp_path / "out", replace=True, marker="m", what="store", inputs=[given])
