"""Nested CoNLL reading: hand-made cases, and Wojood's files when ../shared/data is present."""

import pytest
from hypothesis import given
from hypothesis import strategies as st

from akhbar.annotation.conll.reader import (
    ConllReader,
    Span,
    decode_nested,
    iob_repairs,
    nested_count,
    read_conll,
)
from akhbar.schemas.errors import InputError
from tests.helpers import REPO

WOJOOD = REPO.parent / "shared" / "data" / "wojood"


def spans(tags):
    return [(s.start, s.end, s.label) for s in decode_nested(tags)]


def test_flat_bio():
    tags = [["B-PERS"], ["I-PERS"], ["O"], ["B-GPE"]]
    assert spans(tags) == [(0, 2, "PERS"), (3, 4, "GPE")]


def test_nested_different_types():
    # المندوب الدائم للمغرب : an occupation with a country inside it
    tags = [["B-OCC"], ["I-OCC"], ["I-OCC", "B-GPE"], ["O"]]
    assert spans(tags) == [(0, 3, "OCC"), (2, 3, "GPE")]


def test_nested_same_type_outer_outlives_inner():
    # حكومة فلسطين : ORG inside ORG; then the outer ORG goes on one more token
    tags = [["B-ORG"], ["I-ORG", "B-ORG"], ["I-ORG", "I-ORG"], ["I-ORG"], ["O"]]
    assert spans(tags) == [(0, 4, "ORG"), (1, 3, "ORG")]


def test_adjacent_b_tags_make_two_entities():
    tags = [["B-GPE"], ["B-GPE"]]
    assert spans(tags) == [(0, 1, "GPE"), (1, 2, "GPE")]


def test_dangling_inside_tag_is_read_as_begin_and_counted():
    tags = [["O"], ["I-ORG"], ["I-ORG"]]
    assert spans(tags) == [(1, 3, "ORG")]
    assert iob_repairs(tags) == 1


def test_text_offsets_match_tokens(tmp_path):
    p = tmp_path / "s.txt"
    p.write_text("قتل O\nجندي B-PERS\nفي O\nبغداد B-GPE\n\n$#$ O\nنابلس B-GPE\n", encoding="utf-8")
    sents = list(read_conll(p))
    assert [s.text for s in sents] == ["قتل جندي في بغداد", "$#$ نابلس"]
    for s in sents:
        for tok, (a, b) in zip(s.tokens, s.token_offsets(), strict=True):
            assert s.text[a:b] == tok
    assert [(x.start, x.end, x.label) for x in sents[0].spans] == [(1, 2, "PERS"), (3, 4, "GPE")]


def test_strict_stops_at_the_first_malformed_line_naming_file_and_line(tmp_path):
    p = tmp_path / "bad.txt"
    p.write_text("قتل O\nجندي X-PERS\n", encoding="utf-8")
    with pytest.raises(InputError, match=r"bad\.txt:2: not an IOB tag"):
        list(read_conll(p, strict=True))


MALFORMED = (
    "قتل O\n"  # 1 kept
    " O\n"  # 2 empty token
    "جندي B-PERS\n"  # 3 kept
    "في\n"  # 4 missing tag
    "نيو يورك B-GPE\n"  # 5 a token with a space inside
    "بغداد X-GPE\n"  # 6 not IOB
    "دمشق B-FOO\n"  # 7 a type the taxonomy does not declare
    "حسن I-GPE\n"  # 8 kept, repaired: I- continues nothing
    "\n"
    "نابلس B-GPE\n"  # 10 kept
)


def test_malformed_lines_are_skipped_counted_and_listed(tmp_path):
    p = tmp_path / "bad.txt"
    p.write_text(MALFORMED, encoding="utf-8")
    reader = ConllReader(types=frozenset({"PERS", "GPE"}))
    sents = list(reader.read(p))
    assert [s.tokens for s in sents] == [["قتل", "جندي", "حسن"], ["نابلس"]]
    assert [[(x.start, x.end, x.label) for x in s.spans] for s in sents] == [
        [(1, 2, "PERS"), (2, 3, "GPE")],
        [(0, 1, "GPE")],
    ]
    t = reader.tally
    assert [(i.line, i.reason) for i in t.issues] == [
        (2, "empty_token"),
        (4, "missing_tag"),
        (5, "extra_fields"),
        (6, "bad_tag"),
        (7, "unknown_type"),
    ]
    assert t.summary() == {
        "token_lines": 9,
        "kept": 3,
        "repaired": 1,
        "skipped": 5,
        "skipped_by_reason": {
            "bad_tag": 1,
            "empty_token": 1,
            "extra_fields": 1,
            "missing_tag": 1,
            "unknown_type": 1,
        },
    }
    assert t.issues[4].text == "دمشق B-FOO"


def test_a_file_without_blank_lines_is_split_after_sentence_final_tokens(tmp_path):
    p = tmp_path / "flat.txt"
    # the "." inside the entity (tagged I-ORG) must not end a sentence
    p.write_text(
        "قال O\nأ B-ORG\n. I-ORG\nم I-ORG\n. O\nهل O\nوصل O\n؟ O\nنعم O\n",
        encoding="utf-8",
    )
    sents = list(read_conll(p))
    assert [s.text for s in sents] == ["قال أ . م .", "هل وصل ؟", "نعم"]
    assert [s.line for s in sents] == [1, 6, 9]
    assert [(x.start, x.end, x.label) for x in sents[0].spans] == [(1, 4, "ORG")]


def test_blank_lines_rule_unless_sentence_end_is_given(tmp_path):
    p = tmp_path / "blank.txt"
    p.write_text("أ O\n. O\nب O\n\nج O\n! O\nد O\n", encoding="utf-8")
    assert [s.text for s in read_conll(p)] == ["أ . ب", "ج ! د"]
    assert [s.text for s in read_conll(p, sentence_end=["!"])] == ["أ . ب", "ج !", "د"]
    flat = tmp_path / "flat.txt"
    flat.write_text("أ O\n. O\nب O\n", encoding="utf-8")
    assert [s.text for s in read_conll(flat, sentence_end=())] == ["أ . ب"]


def test_a_very_long_sentence_decodes_like_a_short_one():
    # 50,000 tokens in one sentence: linear decoding (this was quadratic)
    tags = [["B-PERS"], ["I-PERS"], ["O"], ["B-OCC"], ["I-OCC", "B-ORG"]] * 10_000
    spans = decode_nested(tags)
    assert len(spans) == 30_000
    assert nested_count(spans) == 10_000


_spans = st.lists(
    st.tuples(st.integers(0, 8), st.integers(1, 4), st.sampled_from("AB")), max_size=12
).map(lambda xs: [Span(a, a + n, lab) for a, n, lab in xs])


@given(_spans)
def test_nested_count_matches_the_pairwise_definition(spans):
    def inside(a, o):
        return (
            o is not a
            and o.start <= a.start
            and a.end <= o.end
            and o.end - o.start > a.end - a.start
        )

    assert nested_count(spans) == sum(any(inside(a, o) for o in spans) for a in spans)


@pytest.mark.shared_data
@pytest.mark.skipif(not WOJOOD.is_dir(), reason="../shared/data/wojood is absent")
def test_wojood_test_split_reads_whole():
    sents = list(read_conll(WOJOOD / "test.txt"))
    # 356 blank lines separate 357 sentences (the file does not end with a blank line)
    assert len(sents) == 357
    lines = [ln for ln in (WOJOOD / "test.txt").read_text(encoding="utf-8").splitlines() if ln]
    assert sum(len(s.tokens) for s in sents) == len(lines)
    # every B- tag in the file opens exactly one decoded entity
    b_tags = sum(t.startswith("B-") for ln in lines for t in ln.split()[1:])
    assert sum(len(s.spans) for s in sents) == b_tags


_good_line = st.tuples(
    st.sampled_from(["قتل", "جندي", "بغداد", ".", "؟", "$#$", "و"]),
    st.sampled_from(["O", "B-PERS", "I-PERS", "B-GPE", "I-GPE", "I-PERS B-GPE"]),
).map(lambda t: (f"{t[0]} {t[1]}", True))
_bad_line = st.sampled_from([" O", "قتل", "نيو يورك B-GPE", "بغداد X-GPE", "دمشق B-CITY"]).map(
    lambda x: (x, False)
)
_blank = st.just(("", None))


@given(st.lists(st.one_of(_good_line, _good_line, _bad_line, _blank), max_size=60))
def test_every_token_line_is_kept_repaired_or_skipped(tmp_path_factory, lines):
    p = tmp_path_factory.mktemp("conll") / "x.txt"
    p.write_text("".join(text + "\n" for text, _ in lines), encoding="utf-8")
    reader = ConllReader(types=frozenset({"PERS", "GPE"}))
    sents = list(reader.read(p))
    t = reader.tally
    good = [text.split() for text, ok in lines if ok]
    assert t.token_lines == sum(ok is not None for _, ok in lines)
    assert t.token_lines == t.kept + t.repaired + sum(t.skipped.values())
    assert sum(t.skipped.values()) == len(t.issues) == sum(ok is False for _, ok in lines)
    # the kept tokens are the well-formed lines, in order, with their tags as written
    assert [(tok, tags) for s in sents for tok, tags in zip(s.tokens, s.tags, strict=True)] == [
        (g[0], g[1:]) for g in good
    ]
