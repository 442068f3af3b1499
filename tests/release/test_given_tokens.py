"""Articles that bring their own tokenisation (imported CoNLL) keep it in the ner config."""

import json

import numpy as np
import pytest

from akhbar.corpus.release.segment import parse_given_tokens, segment, with_given_tokens
from akhbar.schemas.errors import IntegrityError


def test_given_tokens_replace_only_their_article():
    first = "قال الوزير: وصل 9.50 مساء."
    second = "$#$ زار 1الى نابلس . ثم عاد"
    big = first + "\n" + second
    seg = segment(big)
    toks = second.split(" ")
    offs, pos = [], 0
    for t in toks:
        offs.append([pos, pos + len(t)])
        pos += len(t) + 1
    meta = json.dumps({"token_offsets": offs, "sentence_offsets": [[0, len(second)]]})
    given = parse_given_tokens(meta, second, "here")
    # "." is not a sentence end for this article: its sentences are given
    out = with_given_tokens(seg, [(0, len(first)), (len(first) + 1, len(big))], {1: given})
    got = [big[a:b] for a, b in zip(out.starts.tolist(), out.ends.tolist(), strict=True)]
    first_tokens = [big[a:b] for a, b in zip(seg.starts.tolist(), seg.ends.tolist(), strict=True)]
    n_first = first_tokens.index("$")
    assert got[:n_first] == first_tokens[:n_first]  # the other article is untouched
    assert got[n_first:] == toks
    sentence_firsts = [got[i] for i in out.sentence_starts.tolist()]
    assert sentence_firsts == ["قال", "$#$"]


def test_articles_without_given_tokens_are_left_alone():
    assert parse_given_tokens('{"source_id": 3}', "نص", "here") is None
    assert parse_given_tokens(None, "نص", "here") is None


@pytest.mark.parametrize(
    "meta",
    [
        '{"token_offsets": [[0, 3], [2, 5]]}',  # overlapping
        '{"token_offsets": [[0, 3], [4, 99]]}',  # past the end
        '{"token_offsets": [[0, 3]], "sentence_offsets": [[1, 3]]}',  # sentence not at a token
        '{"token_offsets": "0-3"}',
    ],
)
def test_bad_given_tokens_are_refused(meta):
    with pytest.raises(IntegrityError, match="article x"):
        parse_given_tokens(meta, "قتل جندي", "article x")


def test_given_tokens_arrays_are_relative_to_the_article():
    starts, ends, sent = parse_given_tokens('{"token_offsets": [[0, 3], [4, 8]]}', "قتل جندي", "x")
    assert starts.tolist() == [0, 4] and ends.tolist() == [3, 8] and sent.tolist() == [0]
    assert isinstance(starts, np.ndarray)
