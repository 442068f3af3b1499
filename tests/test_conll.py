"""Nested CoNLL reading: hand-made cases, and Wojood's files when ../shared/data is present."""

from pathlib import Path

import pytest

from akhbar.annotation.conll import decode_nested, iob_repairs, read_conll
from akhbar.corpus.errors import InputError

WOJOOD = Path(__file__).resolve().parents[1].parent / "shared" / "data" / "wojood"


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


def test_malformed_line_names_file_and_line(tmp_path):
    p = tmp_path / "bad.txt"
    p.write_text("قتل O\nجندي X-PERS\n", encoding="utf-8")
    with pytest.raises(InputError, match=r"bad\.txt:2: not an IOB tag"):
        list(read_conll(p))


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
