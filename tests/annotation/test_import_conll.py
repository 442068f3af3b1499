"""``akhbar annotate import-conll`` on files as real ones are: malformed lines, no blank lines,
sentences grouped into articles."""

import json

import pyarrow.parquet as pq

from akhbar.schemas.taxonomy import TAXONOMY_DIR
from tests.helpers import run_akhbar

WOJOOD_TAXONOMY = TAXONOMY_DIR / "wojood.yaml"

# No blank lines; sentence ends are "." / "؟" tokens. Lines 3, 6 and 9 are malformed.
FLAT = (
    "قال O\n"
    "وزير B-OCC\n"
    " O\n"
    "الخارجية I-OCC\n"
    ". O\n"
    "زار\tالعاصمة B-GPE\n"
    "أحمد B-PERS\n"
    "حسن I-PERS\n"
    "بغداد B-CITY\n"
    "؟ O\n"
    "عاد O\n"
    "إلى O\n"
    "دمشق B-GPE\n"
    ". O\n"
)


def _import(tmp_path, *extra):
    src = tmp_path / "flat.txt"
    src.write_text(FLAT, encoding="utf-8")
    out = tmp_path / "out"
    code, stdout, stderr = run_akhbar(
        "annotate", "import-conll", src, "--taxonomy", WOJOOD_TAXONOMY, "--out", out, *extra
    )
    return code, stdout, stderr, out


def test_malformed_lines_are_reported_and_the_import_goes_on(tmp_path):
    code, stdout, stderr, out = _import(tmp_path)
    assert code == 0, stderr
    assert "3 articles, 3 sentences, 11 tokens, 3 entities (0 nested)" in stdout
    assert "14 token lines: 11 kept, 0 repaired, 3 skipped" in stdout
    assert "(empty_token 1, extra_fields 1, unknown_type 1)" in stdout
    assert "flat.txt:3: empty_token" in stderr
    assert "flat.txt:6: extra_fields" in stderr
    assert "flat.txt:9: unknown_type" in stderr
    issues = [json.loads(x) for x in (out / "conll_issues.jsonl").read_text().splitlines()]
    assert [(i["line"], i["reason"], i["text"]) for i in issues] == [
        (3, "empty_token", " O"),
        (6, "extra_fields", "زار\tالعاصمة B-GPE"),
        (9, "unknown_type", "بغداد B-CITY"),
    ]
    report = json.loads((out / "corpus" / "report.json").read_text())
    lines = report["conll"]["lines"]
    assert lines["token_lines"] == lines["kept"] + lines["repaired"] + lines["skipped"] == 14
    docs = [json.loads(x) for x in (out / "documents.jsonl").read_text().splitlines()]
    assert [d["text"] for d in docs] == ["قال وزير الخارجية .", "أحمد حسن ؟", "عاد إلى دمشق ."]
    assert [(e["text"], e["label"]) for d in docs for e in d["entities"]] == [
        ("وزير الخارجية", "OCC"),
        ("أحمد حسن", "PERS"),
        ("دمشق", "GPE"),
    ]


def test_strict_stops_at_the_first_malformed_line(tmp_path):
    code, _stdout, stderr, out = _import(tmp_path, "--strict")
    assert code == 2
    assert stderr.strip().splitlines() == [
        "akhbar: error: "
        + f"{tmp_path / 'flat.txt'}:3: expected a token and at least one tag, got ' O'"
    ]
    assert not out.exists() or not any(out.iterdir())


def test_article_size_groups_sentences_with_their_offsets(tmp_path):
    code, _stdout, stderr, out = _import(tmp_path, "--article-size", "2")
    assert code == 0, stderr
    rows = pq.read_table(out / "corpus" / "articles.parquet").to_pylist()
    assert [r["text"] for r in rows] == ["قال وزير الخارجية .\nأحمد حسن ؟", "عاد إلى دمشق ."]
    meta = json.loads(rows[0]["metadata"])
    text = rows[0]["text"]
    assert [text[a:b] for a, b in meta["token_offsets"]] == [
        "قال", "وزير", "الخارجية", ".", "أحمد", "حسن", "؟"
    ]  # fmt: skip
    assert [text[a:b] for a, b in meta["sentence_offsets"]] == ["قال وزير الخارجية .", "أحمد حسن ؟"]
    docs = [json.loads(x) for x in (out / "documents.jsonl").read_text().splitlines()]
    assert [d["article_id"] for d in docs] == [r["id"] for r in rows]
    for d in docs:
        for e in d["entities"]:
            assert d["text"][e["start"] : e["end"]] == e["text"]


def test_sentence_end_option_splits_at_the_given_tokens_only(tmp_path):
    code, stdout, stderr, _out = _import(tmp_path, "--sentence-end", "؟")
    assert code == 0, stderr
    assert "2 articles, 2 sentences" in stdout
