"""``annotate validate`` on annotated documents (documents.jsonl), without a server: the same
checks and outputs as for an export, and the chain import-conll -> validate -> release build."""

from __future__ import annotations

import json
from pathlib import Path

import pyarrow.parquet as pq

from akhbar.schemas.taxonomy import TAXONOMY_DIR
from tests.helpers import TEST_DATA, run_akhbar, write_fixture_corpus

WOJOOD = TAXONOMY_DIR / "wojood.yaml"

# A CoNLL file as real ones are: no blank lines (sentences end at "." / "؟" / "!"), nested tags,
# and malformed lines (marked BAD), which the import skips and lists.
CONLL_LINES = [
    ("قال", "O"),
    ("المتحدث", "B-OCC"),
    ("باسم", "I-OCC"),
    ("وزارة", "I-OCC B-ORG"),
    ("الخارجية", "I-OCC I-ORG"),
    (None, " O"),  # BAD: empty token
    ("إن", "O"),
    ("الوفد", "O"),
    ("وصل", "O"),
    ("إلى", "O"),
    ("دمشق", "B-GPE"),
    (".", "O"),
    (None, "نيو يورك B-GPE"),  # BAD: a token with a space inside
    ("التقى", "O"),
    ("أحمد", "B-PERS"),
    ("حسن", "I-PERS"),
    ("في", "O"),
    ("بغداد", "B-GPE"),
    (None, "مساء X-DATE"),  # BAD: not an IOB tag
    ("يوم", "B-DATE"),
    ("الخميس", "I-DATE"),
    ("؟", "O"),
    (None, "الموصل B-TOWN"),  # BAD: a type wojood does not declare
    ("وعاد", "O"),
    ("الوفد", "O"),
    ("!", "O"),
]


def conll_text() -> str:
    return "".join(
        (f"{tok} {tags}" if tok is not None else tags) + "\n" for tok, tags in CONLL_LINES
    )


def ok(*argv) -> str:
    code, out, err = run_akhbar(*argv)
    assert code == 0, f"akhbar {' '.join(map(str, argv))} exited {code}:\n{out}\n{err}"
    return out


def load(release: Path, config: str, monkeypatch):
    import datasets

    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    monkeypatch.setenv("HF_DATASETS_OFFLINE", "1")
    return [row for split in datasets.load_dataset(str(release), config).values() for row in split]


def test_import_validate_release_without_a_server(tmp_path, monkeypatch):
    src = tmp_path / "flat.conll"
    src.write_text(conll_text(), encoding="utf-8")
    ok("annotate", "import-conll", src, "--taxonomy", WOJOOD, "--out", tmp_path / "imp",
       "--article-size", "2")  # fmt: skip
    out = ok("annotate", "validate", tmp_path / "imp" / "documents.jsonl", "--corpus",
             tmp_path / "imp" / "corpus", "--taxonomy", WOJOOD, "--out", tmp_path / "val")  # fmt: skip
    assert "documents 2: 2 valid, 0 quarantined" in out
    ok("release", "build", "--version", "1.0.0", "--corpus", tmp_path / "imp" / "corpus",
       "--documents", tmp_path / "val", "--out", tmp_path / "rel", "--taxonomy", WOJOOD)  # fmt: skip
    release = tmp_path / "rel" / "v1.0.0"
    ok("release", "verify", release)

    good = [(tok, tags.split()) for tok, tags in CONLL_LINES if tok is not None]
    # ner: one row per sentence; every well-formed token, and its outermost tag, in file order
    ner = load(release, "ner", monkeypatch)
    import datasets

    names = datasets.load_dataset_builder(str(release), "ner").info.features["ner_tags"]
    tag_names = names.feature.names
    # in file order: articles by the line they start at, sentences by their index
    articles = pq.read_table(tmp_path / "imp" / "corpus" / "articles.parquet").to_pylist()
    first_line = {a["id"]: json.loads(a["metadata"])["conll_line"] for a in articles}
    ner.sort(key=lambda r: (first_line[r["article_id"]], r["sentence"]))
    tokens = [t for r in ner for t in r["tokens"]]
    tags = [tag_names[t] for r in ner for t in r["ner_tags"]]
    assert list(zip(tokens, tags, strict=True)) == [(tok, t[0]) for tok, t in good]
    assert len(ner) == 3  # sentences split at ".", "؟" and "!"
    # documents: as many entities as the well-formed lines open (nested ones included)
    docs = load(release, "documents", monkeypatch)
    opened = sum(t.startswith("B-") for _, ts in good for t in ts)
    assert sum(len(d["entities"]) for d in docs) == opened == 6


ACE = TAXONOMY_DIR / "ace_ar_conflict.yaml"


def _corpus(tmp_path) -> tuple[Path, dict]:
    """A one-article corpus (by import-conll) and that article's imported document."""
    src = tmp_path / "one.conll"
    src.write_text("قتل O\nجندي B-PER\nفي O\nبغداد B-GPE\n", encoding="utf-8")
    ok("annotate", "import-conll", src, "--taxonomy", ACE, "--out", tmp_path / "imp")
    (doc,) = [
        json.loads(x) for x in (tmp_path / "imp" / "documents.jsonl").read_text().splitlines()
    ]
    return tmp_path / "imp" / "corpus", doc


def test_broken_documents_are_quarantined_with_codes_pointing_into_the_file(tmp_path):
    corpus, doc = _corpus(tmp_path)
    event = {
        "id": "t1",
        "type": "Die",
        "trigger": {"start": 0, "end": 3, "text": "قتل"},
        "arguments": [{"role": "Victim", "entity_id": "e1"}, {"role": "Place", "entity_id": "e9"}],
    }
    ent0 = doc["entities"][0]
    lines = [
        json.dumps({**doc, "events": [{**event, "arguments": event["arguments"][:1]}]}),  # valid
        "{not json",
        json.dumps({k: v for k, v in doc.items() if k != "text"}),  # schema: no text
        json.dumps({**doc, "entities": [{**ent0, "text": "جنود"}]}),  # span text mismatch
        json.dumps({**doc, "entities": [{**ent0, "label": "PERSON"}]}),  # unknown label
        json.dumps({**doc, "article_id": "art_00000000000000000000"}),  # not in the corpus
        json.dumps({**doc, "events": [event]}),  # an argument to no entity (and a 2nd document)
    ]
    src = tmp_path / "docs.jsonl"
    src.write_text("\n".join(lines) + "\n", encoding="utf-8")
    code, out, err = run_akhbar(
        "annotate", "validate", src, "--corpus", corpus, "--taxonomy", ACE, "--out", tmp_path / "v"
    )
    assert code == 1, out + err
    assert "documents 7: 1 valid, 6 quarantined" in out
    issues = [json.loads(x) for x in (tmp_path / "v" / "issues.jsonl").read_text().splitlines()]
    found = {(i["code"], i["pointer"]) for i in issues}
    assert {
        ("AK001", "/1"),
        ("AK002", "/2"),
        ("AK103", "/3/entities/0/text"),
        ("AK110", "/4/entities/0/label"),
        ("AK150", "/5/article_id"),
        ("AK120", "/6/events/0/arguments/1"),
    } <= found
    (missing,) = [i for i in issues if i["code"] == "AK002"]
    assert missing["message"] == "the document lacks the required field 'text'"  # not "task"
    quarantine = [
        json.loads(x) for x in (tmp_path / "v" / "quarantine.jsonl").read_text().splitlines()
    ]
    assert [q["pointer"] for q in quarantine] == ["/1", "/2", "/3", "/4", "/5", "/6"]
    assert quarantine[0]["task"] == "{not json"  # kept exactly as read
    assert quarantine[3]["task"] == json.loads(lines[4])
    assert all(q["errors"] for q in quarantine)
    (kept,) = [json.loads(x) for x in (tmp_path / "v" / "documents.jsonl").read_text().splitlines()]
    assert kept == {**json.loads(lines[0]), "taxonomy": kept["taxonomy"]}
    assert kept["annotation_id"] == "one.conll#1" and kept["selection"] == "imported"
    report = json.loads((tmp_path / "v" / "validation.json").read_text())
    assert report["input"] == "documents"
    assert report["counts"]["documents"] == 1 and report["counts"]["quarantine_records"] == 6


def test_two_documents_of_one_article_keep_the_first(tmp_path):
    corpus, doc = _corpus(tmp_path)
    src = tmp_path / "docs.jsonl"
    src.write_text(json.dumps(doc) + "\n" + json.dumps(doc) + "\n", encoding="utf-8")
    code, out, _ = run_akhbar(
        "annotate", "validate", src, "--corpus", corpus, "--taxonomy", ACE, "--out", tmp_path / "v"
    )
    assert code == 1
    assert "documents 2: 1 valid, 1 quarantined" in out
    issues = [json.loads(x) for x in (tmp_path / "v" / "issues.jsonl").read_text().splitlines()]
    assert [(i["code"], i["pointer"]) for i in issues] == [("AK152", "/1/article_id")]
    # An imported document has no task: the message names the first document instead.
    assert doc["task_id"] is None
    assert issues[0]["message"] == (
        f"article {doc['article_id']} already has a document from the document at /0; "
        "keep one document per article"
    )


def test_validated_documents_validate_again_to_themselves(tmp_path):
    """The documents of a validated export, given back to validate, come out unchanged."""
    from akhbar.annotation.validate.run import ValidateOptions, validate_snapshot

    clean = TEST_DATA / "labelstudio" / "clean.json"
    corpus = write_fixture_corpus(tmp_path / "corpus")
    first = validate_snapshot(ValidateOptions(clean, corpus, tmp_path / "v1"))
    again = validate_snapshot(
        ValidateOptions(tmp_path / "v1" / "documents.jsonl", corpus, tmp_path / "v2")
    )
    assert first.counts["documents"] > 0
    assert again.summary["input"] == "documents" and again.exit_code == 0
    assert again.counts["documents"] == first.counts["documents"]
    assert (tmp_path / "v2" / "documents.jsonl").read_bytes() == (
        tmp_path / "v1" / "documents.jsonl"
    ).read_bytes()
