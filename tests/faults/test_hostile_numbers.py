"""Hardening, second round (issue 19, case 11): integers of any width in input JSON are kept
exactly (one outside the signed 64-bit range as the string of its digits, as the article
schema says), never rounded to a float."""

from __future__ import annotations

import json

import jsonschema
import pytest
from hypothesis import given
from hypothesis import strategies as st

from akhbar import schemas
from akhbar.corpus.readers.json_numbers import loads
from akhbar.corpus.store import load_corpus
from tests.helpers import REPO, run_akhbar

SCRAPED = REPO / "corpus" / "sample" / "raw" / "scraped"
WIDE = 123456789012345678901234567


@pytest.mark.parametrize("suffix", [".jsonl", ".json"])
def test_case11_a_wide_integer_in_extra_fields_is_kept_exactly(tmp_path, suffix):
    records = []
    for i, path in enumerate(sorted(SCRAPED.glob("*.txt"))[:3]):
        title, _, body = path.read_text(encoding="utf-8").partition("\n")
        records.append({"title": title, "content": body, "source": "wire", "url": f"u{i}"})
    records[0]["tweet_id"] = WIDE
    records[0]["negative"] = -(2**64) - 1
    records[0]["in_range"] = 2**63 - 1
    records[0]["ratio"] = 0.5
    (tmp_path / "in").mkdir()
    path = tmp_path / "in" / f"feed{suffix}"
    text = (
        "\n".join(json.dumps(r, ensure_ascii=False) for r in records)
        if suffix == ".jsonl"
        else json.dumps(records, ensure_ascii=False)
    )
    path.write_text(text, encoding="utf-8")
    code, _, err = run_akhbar("corpus", "build", tmp_path / "in", "--out", tmp_path / "C")
    assert code == 0, err
    [row] = [r for r in load_corpus(tmp_path / "C").iter_articles() if "tweet_id" in r["metadata"]]
    meta = row["metadata"]
    assert meta["tweet_id"] == str(WIDE)  # before: 1.2345678901234568e+26
    assert meta["negative"] == str(-(2**64) - 1)
    assert meta["in_range"] == 2**63 - 1 and meta["ratio"] == 0.5
    validator = jsonschema.Draft202012Validator(schemas.load("article"))
    assert not list(
        validator.iter_errors(
            {
                k: v
                for k, v in row.items()
                if k != "duplicate_of" and k not in ("kind", "similarity")
            }
        )
    )


@given(st.integers())
def test_case11_every_integer_comes_back_exactly(n):
    got = loads(json.dumps({"n": n, "list": [n]}).encode())
    expected = n if -(2**63) <= n < 2**63 else str(n)
    assert got == {"n": expected, "list": [expected]}
    assert loads(json.dumps({"n": n})) == {"n": expected}  # decoded text, as from Windows-1256
