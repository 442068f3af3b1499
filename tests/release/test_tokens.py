"""The tokens of a release's ``ner`` config are what the exported tokeniser gives on the raw
text, whether or not the text is annotated: no token boundary depends on a label."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pyarrow.parquet as pq

from akhbar.corpus.tokenizer import RULES, sentences, token_spans, tokenize
from tests.helpers import run_akhbar
from tests.helpers.releases import ARTICLES, write_inputs


def _build(corpus: Path, documents: Path, out: Path) -> Path:
    code, _out, err = run_akhbar(
        "release", "build", "--version", "1.0.0", "--corpus", corpus, "--documents", documents,
        "--out", out, "--workers", "1", "--ratios", "0.4,0.3,0.3",
    )  # fmt: skip
    assert code == 0, err
    return out / "v1.0.0"


def _ner_tokens(release: Path) -> dict[str, list[str]]:
    """article id -> its ner tokens, sentence after sentence."""
    by_article: dict[str, list[tuple[int, list[str]]]] = {}
    for f in sorted((release / "data" / "ner").glob("*.parquet")):
        for r in pq.read_table(f, columns=["article_id", "sentence", "tokens"]).to_pylist():
            by_article.setdefault(r["article_id"], []).append((r["sentence"], r["tokens"]))
    return {a: [t for _, ts in sorted(rows) for t in ts] for a, rows in by_article.items()}


def test_ner_tokens_are_the_tokenizers_annotated_or_not(tmp_path):
    corpus, documents = write_inputs(tmp_path / "in")
    # The same documents with every entity and event removed.
    bare = tmp_path / "bare"
    bare.mkdir()
    shutil.copy(documents / "validation.json", bare / "validation.json")
    with (
        (documents / "documents.jsonl").open(encoding="utf-8") as src,
        (bare / "documents.jsonl").open("w", encoding="utf-8") as dst,
    ):
        for line in src:
            doc = json.loads(line)
            doc["entities"], doc["events"] = [], []
            dst.write(json.dumps(doc, ensure_ascii=False) + "\n")
    annotated = _ner_tokens(_build(corpus, documents, tmp_path / "rel-annotated"))
    plain = _ner_tokens(_build(corpus, bare, tmp_path / "rel-bare"))
    texts = {a.id: a.text for a in ARTICLES if a.annotated}
    assert set(annotated) == set(plain) == set(texts)
    for aid, text in texts.items():
        assert annotated[aid] == tokenize(text), aid
        assert plain[aid] == tokenize(text), aid
    # the fixture's entity on بغداد inside ببغداد did not split the token
    assert "ببغداد" in annotated[ARTICLES[0].id]
    manifest = json.loads((tmp_path / "rel-annotated" / "v1.0.0" / "manifest.json").read_text())
    assert manifest["tokenization"]["rules"] == RULES


def test_the_tokenizer_on_raw_text():
    text = "وصل الوفد وبغداد في 9.50 صباحاً، ثم غادر. قال د. أحمد: نعم"
    assert tokenize(text) == [
        "وصل", "الوفد", "وبغداد", "في", "9.50", "صباحاً", "،", "ثم", "غادر", ".",
        "قال", "د", ".", "أحمد", ":", "نعم",
    ]  # fmt: skip
    assert [text[a:b] for a, b in token_spans(text)] == tokenize(text)
    assert [s[0] for s in sentences(text)] == ["وصل", "قال"]  # not after the abbreviation د.
