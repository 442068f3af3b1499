"""The row builder on its own: odd whitespace, and broken documents that must fail in one line."""

from __future__ import annotations

import copy
import json

import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from akhbar.corpus.release.features import arrow_schemas
from akhbar.corpus.release.rows import Chunk, Converter
from akhbar.corpus.store import text_digest, text_digests
from akhbar.schemas.document import check_document, errors
from akhbar.schemas.errors import AkhbarError
from akhbar.schemas.taxonomy import load
from tests.helpers.releases import ARTICLES

LABELS = load()
CONVERTER = Converter(LABELS, arrow_schemas(LABELS))


def chunk_of(tmp_path, docs: list[dict], texts: list[str], splits: list[int]) -> Chunk:
    path = tmp_path / "documents.jsonl"
    lines = [json.dumps(d, ensure_ascii=False).encode() + b"\n" for d in docs]
    path.write_bytes(b"".join(lines))
    locations, offset = [], 0
    for n, line in enumerate(lines, start=1):
        locations.append((offset, len(line), n))
        offset += len(line)
    articles = [
        {"id": d["article_id"], "title": "t", "source": "s", "cluster_id": "c"} for d in docs
    ]
    return Chunk(str(path), articles, [text_digest(t) for t in texts], locations, splits)


def test_tokens_survive_non_ascii_whitespace(tmp_path):
    # A no-break space and an em space between words: not ASCII, still not part of a token.
    text = "وصل\u00a0الوفد إلى\u2003بغداد، ثم غادر.\nوفي القاهرة هدوء"
    start = text.index("بغداد")
    doc = {
        "article_id": "art_1",
        "text": text,
        "entities": [
            {"id": "e1", "start": start, "end": start + 5, "text": "بغداد", "label": "GPE"}
        ],
        "events": [],
        "task_id": 1,
        "annotation_id": 1,
    }
    plain = {**doc, "article_id": "art_2", "text": "قال الوزير كلمة."}
    plain["entities"] = []
    result = CONVERTER.convert(chunk_of(tmp_path, [doc, plain], [text, plain["text"]], [0, 0]))
    ner = result.batches[("ner", "train")].to_pylist()
    tokens = [r["tokens"] for r in ner]
    assert tokens == [
        ["وصل", "الوفد", "إلى", "بغداد", "،", "ثم", "غادر", "."],
        ["وفي", "القاهرة", "هدوء"],
        ["قال", "الوزير", "كلمة", "."],
    ]
    for r in ner:
        for tok, s, e in zip(r["tokens"], r["token_starts"], r["token_ends"], strict=True):
            assert r["text"][s:e] == tok
    assert ner[0]["ner_tags"][3] == LABELS.ner_tags.index("B-GPE")
    assert [r["id"] for r in ner] == ["art_1-0000", "art_1-0001", "art_2-0000"]


def _mutations():
    leaf = st.one_of(
        st.none(), st.booleans(), st.integers(-5, 10_000), st.floats(allow_nan=False, allow_infinity=False),
        st.text(max_size=5), st.lists(st.integers(), max_size=2), st.dictionaries(st.text(max_size=3), st.integers(), max_size=2),
    )  # fmt: skip
    paths = st.sampled_from(
        [
            ("entities",), ("events",), ("entities", 0), ("entities", 0, "start"),
            ("entities", 0, "end"), ("entities", 0, "label"), ("entities", 0, "id"),
            ("entities", 0, "text"), ("events", 0), ("events", 0, "type"),
            ("events", 0, "trigger"), ("events", 0, "trigger", "start"),
            ("events", 0, "trigger", "text"), ("events", 0, "arguments"),
            ("events", 0, "arguments", 0), ("events", 0, "arguments", 0, "role"),
            ("events", 0, "arguments", 0, "entity_id"), ("events", 0, "id"),
        ]
    )  # fmt: skip
    return st.lists(st.tuples(paths, leaf), min_size=1, max_size=3)


@settings(
    max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(_mutations())
@example([(("events", 0, "arguments", 0, "entity_id"), [1])])
@example([(("entities", 0, "label"), {"a": 1})])
@example([(("entities", 0, "start"), True)])
@example([(("events", 0, "trigger"), 3)])
@example([(("entities",), {"a": 1})])
def test_a_broken_document_is_an_error_never_a_crash(tmp_path, mutations):
    """Any document, however broken, is converted or refused with one line: never a crash,
    and never accepted when the document check finds an error in it. The differential test
    of the one document check's two paths (``schemas.document.DocumentCheck.columns``, the
    quick one a release takes, against ``check_document``)."""
    doc = copy.deepcopy(ARTICLES[0].document())
    for path, value in mutations:
        target = doc
        try:
            for key in path[:-1]:
                target = target[key]
            target[path[-1]] = value
        except (KeyError, IndexError, TypeError):
            continue
    chunk = chunk_of(tmp_path, [doc], [ARTICLES[0].text], [0])
    # Broken is what the one document check says: the release refuses exactly those documents,
    # in one line that names the line and the first error's code, and converts the others.
    found = errors(check_document(doc, ARTICLES[0].text, LABELS))
    if not found:
        CONVERTER.convert(chunk)
        return
    with pytest.raises(AkhbarError) as e:
        CONVERTER.convert(chunk)
    message = str(e.value)
    assert "\n" not in message and "documents.jsonl line 1" in message
    assert f" {found[0].code} " in message, (message, [i.code for i in found])


@pytest.mark.parametrize("split", [0, 1, 2])
def test_rows_go_to_the_article_split(tmp_path, split):
    doc = ARTICLES[1].document()
    result = CONVERTER.convert(chunk_of(tmp_path, [doc], [ARTICLES[1].text], [split]))
    name = ("train", "validation", "test")[split]
    assert {k for k in result.batches} == {
        (c, name) for c in ("documents", "ner", "ner_nested", "events")
    }
    assert result.stats[name].articles == 1 and result.stats[name].events["Attack"] == 2


def test_digests_of_an_arrow_column_match_the_texts():
    import pyarrow as pa

    texts = ["قُتل رجل في بغداد.", "", "😀 نص", "x" * 1000]
    for column in (pa.array(texts), pa.array(texts, pa.large_string()), pa.array(texts)[1:]):
        want = [text_digest(t) for t in column.to_pylist()]
        assert text_digests(column) == want
