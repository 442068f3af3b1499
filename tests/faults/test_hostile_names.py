"""Hardening, second round (issue 19, case 3): input file names that are not valid UTF-8 (an
Arabic name saved in Windows-1256, ``été.txt`` in Latin-1) are read as usual and recorded
reversibly (the escaped form of the bytes) in provenance, ``rejected.jsonl`` and the report."""

from __future__ import annotations

import os
import shutil

import orjson
import pytest

from akhbar.corpus.readers.names import name_bytes, recorded_name
from akhbar.corpus.store import load_corpus
from tests.helpers import REPO, run_akhbar

SCRAPED = REPO / "corpus" / "sample" / "raw" / "scraped"
NAMES = {
    "checkpoint": "عاجل-هجوم.txt".encode("cp1256"),  # Windows-1256
    "weapons": "été.txt".encode("latin-1"),  # Latin-1
    "plain": "خبر.txt".encode(),  # UTF-8, recorded as it is
}


@pytest.mark.parametrize("workers", ["1", "2"])
def test_case3_names_that_are_not_utf8_are_read_and_recorded_reversibly(tmp_path, workers):
    raw = os.fsencode(tmp_path / "in")
    os.mkdir(raw)
    bodies = sorted(SCRAPED.glob("*.txt"))[:3]
    for name, body in zip(NAMES.values(), bodies, strict=True):
        shutil.copyfile(body, raw + b"/" + name)
    with open(raw + b"/" + b"vide\xe9.txt", "wb"):  # empty: a rejection, named
        pass
    code, _, err = run_akhbar(
        "corpus", "build", tmp_path / "in", "--out", tmp_path / "C", "--workers", workers
    )
    assert code == 0, err  # before: TypeError: str is not valid UTF-8, no corpus
    corpus = load_corpus(tmp_path / "C")
    recorded = {a["provenance"]["input_file"]: a for a in corpus.iter_articles()}
    prefix = (tmp_path / "in").as_posix() + "/"
    assert {name_bytes(r) for r in recorded} == {os.fsencode(prefix) + n for n in NAMES.values()}
    assert prefix + "\\xe9t\\xe9.txt" in recorded and prefix + "خبر.txt" in recorded
    for name, body in zip(NAMES.values(), bodies, strict=True):  # each read as usual
        article = recorded[recorded_name(os.fsdecode(os.fsencode(prefix) + name))]
        first_line = body.read_text(encoding="utf-8").splitlines()[0].strip()
        assert article["title"] and article["title"] in first_line
    [rejected] = list(corpus.rejected())
    assert rejected["provenance"]["input_file"] == prefix + "vide\\xe9.txt"
    assert rejected["reason"] == "empty_input"
    report = orjson.loads((tmp_path / "C" / "report.json").read_bytes())
    assert report["input"] == 4 and report["kept"] == 3


def test_case3_recorded_names_round_trip_any_bytes():
    for raw in (b"\xe9t\xe9.txt", b"a\\xe9\\\\b\xff", b"\\", b"x\\x4", "خبر".encode(), b"\x80" * 3):
        text = recorded_name(os.fsdecode(raw))
        text.encode("utf-8")  # valid UTF-8 text, whatever the bytes
        assert name_bytes(text) == raw
