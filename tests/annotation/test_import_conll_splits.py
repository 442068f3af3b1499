"""``import-conll`` of several files, each with its split, and ``release build`` keeping those
splits: the source's test sentences are exactly the release's test split."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pyarrow.parquet as pq
import pytest

from akhbar.annotation.conll.importer import split_from_name
from akhbar.annotation.conll.reader import read_conll
from akhbar.corpus.release.splits import parse_ratios
from akhbar.schemas.errors import UsageError
from tests.helpers import SHARED_DATA, run_akhbar

# ../shared/data beside the checkout; AKHBAR_SHARED_DATA points elsewhere (a git worktree).
SHARED = Path(os.environ.get("AKHBAR_SHARED_DATA") or SHARED_DATA)
WOJOOD = SHARED / "wojood"

# Three small files, none ending with a blank line: concatenated, the last sentence of one would
# run into the first of the next.
FILES = {
    "train.txt": "قال O\nالوزير B-OCC\n\nزار O\nبغداد B-GPE",
    "val.txt": "وصل O\nالوفد O\nإلى O\nدمشق B-GPE",
    "test.txt": "التقى O\nأحمد B-PERS\nحسن I-PERS\n\nعاد O\nإلى O\nعمان B-GPE\n\nانتهى O",
}


def ok(*argv) -> str:
    code, out, err = run_akhbar(*argv)
    assert code == 0, f"akhbar {' '.join(map(str, argv))} exited {code}:\n{out}\n{err}"
    return out


def write_files(tmp_path: Path) -> dict[str, Path]:
    paths = {}
    for name, text in FILES.items():
        paths[name] = tmp_path / "src" / name
        paths[name].parent.mkdir(exist_ok=True)
        paths[name].write_text(text, encoding="utf-8")
    return paths


def articles(corpus: Path) -> list[dict]:
    return pq.read_table(corpus / "articles.parquet").to_pylist()


def test_each_file_is_read_on_its_own_and_records_its_split(tmp_path):
    p = write_files(tmp_path)
    out = ok("annotate", "import-conll", "--split", f"train={p['train.txt']}",
             "--split", f"validation={p['val.txt']}", "--split", f"test={p['test.txt']}",
             "--taxonomy", "wojood", "--out", tmp_path / "imp")  # fmt: skip
    assert "6 articles, 6 sentences" in out
    assert "train.txt: train: 2 articles, 2 sentences" in out
    assert "test.txt: test: 3 articles, 3 sentences" in out
    rows = articles(tmp_path / "imp" / "corpus")
    got = [(json.loads(r["metadata"])["split"], r["text"]) for r in rows]
    assert got == [
        ("train", "قال الوزير"),
        ("train", "زار بغداد"),  # not merged with the first sentence of val.txt
        ("validation", "وصل الوفد إلى دمشق"),
        ("test", "التقى أحمد حسن"),
        ("test", "عاد إلى عمان"),
        ("test", "انتهى"),
    ]
    # the source is the taxonomy's name, not a file's stem
    assert {r["source"] for r in rows} == {"wojood"}
    assert rows[3]["title"] == "wojood test #1"
    report = json.loads((tmp_path / "imp" / "corpus" / "report.json").read_text())
    assert [(f["file"].rsplit("/", 1)[-1], f["split"]) for f in report["imported_from"]] == [
        ("train.txt", "train"),
        ("val.txt", "validation"),
        ("test.txt", "test"),
    ]


def test_file_names_give_the_split_and_other_files_have_none(tmp_path):
    p = write_files(tmp_path)
    other = tmp_path / "src" / "extra.conll"
    other.write_text("قصف O\nالجيش B-ORG\n", encoding="utf-8")
    out = ok("annotate", "import-conll", p["test.txt"], other, "--taxonomy", "wojood",
             "--out", tmp_path / "imp")  # fmt: skip
    assert "extra.conll: no split" in out
    splits = [json.loads(r["metadata"]).get("split") for r in articles(tmp_path / "imp" / "corpus")]
    assert splits == ["test", "test", "test", None]


@pytest.mark.parametrize(
    ("name", "split"),
    [
        ("train.txt", "train"),
        ("ANERcorp-dev.conll", "validation"),
        ("val.txt", "validation"),
        ("wojood_test.txt", "test"),
        ("all.txt", None),
        ("train_test.txt", None),  # names two splits: none is guessed
    ],
)
def test_split_from_name(name, split):
    assert split_from_name(Path(name)) == split


def test_a_bad_split_option_is_one_line(tmp_path):
    p = write_files(tmp_path)
    code, _out, err = run_akhbar("annotate", "import-conll", "--split", f"holdout={p['test.txt']}",
                                 "--taxonomy", "wojood", "--out", tmp_path / "imp")  # fmt: skip
    assert code == 2
    assert err.strip().splitlines() == [
        f"akhbar: error: --split 'holdout={p['test.txt']}': give SPLIT=FILE with SPLIT one of "
        "train, validation, test, e.g. --split train=wojood/train.txt"
    ]


@pytest.mark.parametrize("value", ["0,0,1", "0,1,0", "1,0,0", "0.5,0,0.5"])
def test_zero_shares_are_accepted(value):
    assert sum(parse_ratios(value)) == pytest.approx(1)


@pytest.mark.parametrize("value", ["nan,0,1", "inf,-inf,1", "0.5,0.5", "-0.1,0.1,1", "0,0,0.9"])
def test_bad_ratios_are_refused(value):
    with pytest.raises(UsageError, match="finite, non-negative"):
        parse_ratios(value)


def _release(tmp_path: Path, imp: Path, *extra) -> Path:
    ok("annotate", "validate", imp / "documents.jsonl", "--corpus", imp / "corpus",
       "--taxonomy", "wojood", "--out", tmp_path / "val")  # fmt: skip
    ok("release", "build", "--version", "1.0.0", "--corpus", imp / "corpus", "--documents",
       tmp_path / "val", "--out", tmp_path / "rel", "--taxonomy", "wojood", *extra)  # fmt: skip
    release = tmp_path / "rel" / "v1.0.0"
    ok("release", "verify", release)
    return release


def test_release_keeps_recorded_splits_and_hashes_the_others(tmp_path):
    p = write_files(tmp_path)
    other = tmp_path / "src" / "extra.conll"
    other.write_text("قصف O\nالجيش B-ORG\n\nهدأ O\nالقتال O\n", encoding="utf-8")
    ok("annotate", "import-conll", p["train.txt"], p["test.txt"], other, "--taxonomy", "wojood",
       "--out", tmp_path / "imp")  # fmt: skip
    # every article without a recorded split goes to validation: a zero share is allowed
    release = _release(tmp_path, tmp_path / "imp", "--ratios", "0,1,0")
    m = json.loads((release / "manifest.json").read_text())
    by_split: dict[str, int] = {}
    for a in m["articles"].values():
        by_split[a["split"]] = by_split.get(a["split"], 0) + 1
    assert by_split == {"train": 2, "test": 3, "validation": 2}
    assert m["splits"]["from_source"] == {"train": 2, "validation": 0, "test": 3}
    card = (release / "README.md").read_text(encoding="utf-8")
    assert "train 2, test 3 article(s) are in the split their source gave them" in card


@pytest.mark.shared_data
@pytest.mark.skipif(not WOJOOD.is_dir(), reason=f"{WOJOOD} is absent")
def test_wojood_release_test_split_is_the_official_test_split(tmp_path):
    imp = tmp_path / "imp"
    ok("annotate", "import-conll", "--split", f"train={WOJOOD / 'train.txt'}",
       "--split", f"validation={WOJOOD / 'val.txt'}", "--split", f"test={WOJOOD / 'test.txt'}",
       "--taxonomy", "wojood", "--out", imp)  # fmt: skip
    release = _release(tmp_path, imp)
    for split, name in (("train", "train"), ("validation", "val"), ("test", "test")):
        official = [(s.tokens, s.tags) for s in read_conll(WOJOOD / f"{name}.txt")]
        rows = pq.read_table(release / "data" / "ner" / f"{split}-00000-of-00001.parquet")
        assert rows.column("tokens").to_pylist() == [t for t, _ in official], split
        if split == "test":
            assert len(official) == 357
    m = json.loads((release / "manifest.json").read_text())
    assert m["splits"]["from_source"] == {"train": 1114, "validation": 158, "test": 357}
