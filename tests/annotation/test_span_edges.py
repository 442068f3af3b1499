"""Spans made sloppy by the mouse: trimming at the edges, numbers and words cut in two."""

from __future__ import annotations

import json

import jsonschema
import pyarrow as pa
import pyarrow.parquet as pq
from hypothesis import given
from hypothesis import strategies as st

from akhbar import schemas
from akhbar.annotation.labelstudio import span_edges
from akhbar.annotation.validate.run import ValidateOptions, validate_snapshot
from tests.helpers import CHECKS_DIR, read_jsonl

TEXT = "قُتل 15 مدنيًا في 12 مارس 2024 بصواريخ Grad، وقال (الجيش) إن حكومتها ردت."


def at(word: str) -> tuple[int, int]:
    s = TEXT.index(word)
    return s, s + len(word)


def test_whitespace_is_trimmed_and_punctuation_only_when_asked():
    s, e = at(" 12 مارس 2024 ")
    assert span_edges.trim(TEXT, s, e) == span_edges.Trim(s + 1, e - 1, ("whitespace",))
    s, e = at(" (الجيش) ")
    assert span_edges.trim(TEXT, s, e) == span_edges.Trim(s + 1, e - 1, ("whitespace",))
    # whitespace and punctuation alternate: both go, each named once
    t = span_edges.trim(TEXT, s, e, punctuation=True)
    assert TEXT[t.start : t.end] == "الجيش" and t.removed == ("whitespace", "punctuation")
    s, e = at("Grad، ")
    assert TEXT[slice(*at("Grad"))] == "Grad"
    t = span_edges.trim(TEXT, s, e, punctuation=True)
    assert (t.start, t.end) == at("Grad") and t.removed == ("whitespace", "punctuation")


def test_nothing_to_trim_or_nothing_left_is_none():
    assert span_edges.trim(TEXT, *at("مارس")) is None
    assert span_edges.trim(TEXT, *at(" ")) is None  # only whitespace: not trimmed to nothing
    assert span_edges.trim(TEXT, *at("، "), punctuation=True) is None


def test_cut_numbers_and_words_are_found_and_clitics_are_not_cuts():
    assert span_edges.cuts(TEXT, *at("12 مارس 2")) == [("number", at("12 مارس 2")[1])]
    assert span_edges.cuts(TEXT, *at("15 مدن")) == [("word", at("15 مدن")[1])]
    assert span_edges.cuts(TEXT, *at("Gra")) == [("word", at("Gra")[1])]
    # a proclitic left outside (ب of بصواريخ, و of وقال) is the guideline's own cut
    assert span_edges.cuts(TEXT, *at("صواريخ")) == []
    assert span_edges.cuts(TEXT, *at("قال")) == []
    # so is an enclitic pronoun after the span; a cut inside the stem is not
    assert span_edges.cuts(TEXT, *at("حكومت")) == []
    assert span_edges.cuts(TEXT, *at("حكوم")) == [("word", at("حكوم")[1])]
    # diacritics belong to the word: قُتل starts the text and ends before a space
    assert span_edges.cuts(TEXT, *at("قُتل")) == []
    assert span_edges.cuts(TEXT, *at("قُ")) == [("word", at("قُ")[1])]


def test_clean_is_the_quick_form_of_no_trim_and_no_cut():
    for word in ("مارس", "12 مارس 2024", "Grad", "صواريخ", "قال", "حكومت"):
        # clean spans need no look at all; a clitic split needs the slower look, which
        # finds nothing
        assert span_edges.trim(TEXT, *at(word), punctuation=True) is None
        if span_edges.clean(TEXT, *at(word)):
            assert span_edges.cuts(TEXT, *at(word)) == []
    assert not span_edges.clean(TEXT, *at(" مارس"))
    assert not span_edges.clean(TEXT, *at("Grad،"))
    assert not span_edges.clean(TEXT, *at("12 مارس 2"))


@given(st.text(alphabet=" \t\n،.()Aب1ًقُ😀", min_size=1, max_size=30), st.data())
def test_a_trimmed_span_lies_inside_the_old_one_without_edge_whitespace(text, data):
    s = data.draw(st.integers(0, len(text) - 1))
    e = data.draw(st.integers(s + 1, len(text)))
    punct = data.draw(st.booleans())
    t = span_edges.trim(text, s, e, punctuation=punct)

    def edge(ch: str) -> bool:
        return ch.isspace() or (punct and span_edges._is_punct(ch))

    if t is None:  # nothing at the edges, or nothing but edge characters
        old = text[s:e]
        assert not (edge(old[0]) or edge(old[-1])) or all(map(edge, old))
        return
    assert s <= t.start < t.end <= e and (t.start, t.end) != (s, e)
    span = text[t.start : t.end]
    assert not edge(span[0]) and not edge(span[-1])
    assert all(map(edge, text[s : t.start] + text[t.end : e]))  # only those were cut off


def test_validation_writes_the_trimmed_span_and_records_the_trim(tmp_path):
    """The whitespace fixture: the document holds رجل, its span_edits the exported 'رجل '."""
    rows = json.loads((CHECKS_DIR.parent / "corpus.json").read_text(encoding="utf-8"))
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    pq.write_table(pa.Table.from_pylist(rows), corpus / "articles.parquet")
    result = validate_snapshot(
        ValidateOptions(CHECKS_DIR / "AK142_span_edge_whitespace.json", corpus, tmp_path / "o")
    )
    (doc,) = read_jsonl(tmp_path / "o" / "documents.jsonl")
    jsonschema.Draft202012Validator(schemas.load("document")).validate(doc)
    per = next(x for x in doc["entities"] if x["id"] == "Bl2")
    assert (per["start"], per["end"], per["text"]) == (5, 8, "رجل")
    assert doc["span_edits"] == [
        {
            "region_id": "Bl2",
            "exported": {"start": 5, "end": 9, "text": "رجل "},
            "start": 5,
            "end": 8,
            "removed": ["whitespace"],
        }
    ]
    assert result.summary["span_edges"] == {
        "trim_whitespace": True,
        "trim_punctuation": False,
        "trimmed": {"whitespace": 1, "punctuation": 0},
        "cut": {"number": 0, "word": 0},
    }
