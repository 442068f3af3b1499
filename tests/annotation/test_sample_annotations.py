"""The bundled sample's own annotations (``corpus/sample/annotations.jsonl``) fit the sample.

The sample is built with the real command line; every kept article must have exactly one
annotation line, over exactly the built text, with every span's text at its offsets, valid
against ``schemas/document.schema.json`` and allowed by the default taxonomy (labels, roles
and the entity types a role takes), so that ``akhbar annotate push --annotations`` imports all
of them and nothing is held back.
"""

from __future__ import annotations

import subprocess
import sys
from collections import Counter
from pathlib import Path

import jsonschema
import orjson
import pyarrow.parquet as pq
import pytest

from akhbar import schemas
from akhbar.annotation.labelstudio.result_checks import Rules
from akhbar.annotation.labelstudio.to_results import document_to_results
from akhbar.annotation.push import preannotations
from akhbar.corpus.release.align import is_proclitic
from akhbar.schemas import taxonomy
from tests.helpers import REPO

ROOT = REPO
SAMPLE = ROOT / "corpus" / "sample"
ANNOTATIONS = SAMPLE / "annotations.jsonl"
AKHBAR = Path(sys.executable).parent / "akhbar"


@pytest.fixture(scope="module")
def built(tmp_path_factory) -> dict[str, str]:
    """article id -> text of the bundled sample, built by the real ``akhbar corpus build``."""
    out = tmp_path_factory.mktemp("sample") / "corpus"
    r = subprocess.run(
        [str(AKHBAR), "corpus", "build", str(SAMPLE / "raw"), "--out", str(out)],
        capture_output=True,
        text=True,
        env={"PATH": "/usr/bin:/bin", "CI": "true"},
        timeout=300,
    )
    assert r.returncode == 0, r.stderr
    rows = pq.read_table(out / "articles.parquet", columns=["id", "text"]).to_pylist()
    return {row["id"]: row["text"] for row in rows}


@pytest.fixture(scope="module")
def docs() -> list[dict]:
    return [orjson.loads(line) for line in ANNOTATIONS.read_bytes().splitlines() if line.strip()]


def test_every_kept_article_has_exactly_one_annotation(built, docs):
    counts = Counter(d["article_id"] for d in docs)
    assert [a for a, n in counts.items() if n > 1] == []
    assert set(counts) == set(built)
    assert len(docs) == len(built) == 22


def test_text_is_the_built_text_and_spans_are_at_their_offsets(built, docs):
    for d in docs:
        text = d["text"]
        assert text == built[d["article_id"]], d["article_id"]
        for e in d["entities"]:
            assert 0 <= e["start"] < e["end"] <= len(text)
            assert text[e["start"] : e["end"]] == e["text"], (d["article_id"], e)
            assert e["text"] == e["text"].strip(), (d["article_id"], e)
        for ev in d["events"]:
            t = ev["trigger"]
            assert text[t["start"] : t["end"]] == t["text"], (d["article_id"], ev)


def test_every_line_is_a_valid_document(docs):
    validator = jsonschema.Draft202012Validator(schemas.load("document"))
    for d in docs:
        errors = [f"{list(e.absolute_path)}: {e.message}" for e in validator.iter_errors(d)]
        assert errors == [], (d["article_id"], errors)
        assert d["task_id"] is None
        assert d["annotator"] == "akhbar-team"
        assert d["selection"] == "imported"
        assert d["taxonomy"] == "ace-ar-conflict@1.0.0"
    ids = [d["annotation_id"] for d in docs]
    assert len(set(ids)) == len(ids)


def test_labels_roles_and_argument_types_are_allowed_by_the_taxonomy(built, docs):
    tax = taxonomy.load(None)
    assert docs[0]["taxonomy"] == f"{tax.name}@{tax.version}"
    for d in docs:
        problems = preannotations.result_problems(
            document_to_results(d), built[d["article_id"]], Rules(tax)
        )
        assert problems == [], (d["article_id"], problems)
        region_ids = [e["id"] for e in d["entities"]] + [ev["id"] for ev in d["events"]]
        assert len(set(region_ids)) == len(region_ids), d["article_id"]


def test_push_would_import_every_annotation(built):
    """The same load and check ``akhbar annotate push --annotations`` runs: nothing rejected."""
    items, unreadable = preannotations.load(ANNOTATIONS, preannotations.ANNOTATION)
    checked = preannotations.check(items, built, taxonomy.load(None))
    assert unreadable == [] and checked.problems == []
    assert checked.count == len(built)


def test_the_annotations_cover_what_the_taxonomy_has(docs):
    """All entity and event types, nested entities and entities after a clitic all occur."""
    tax = taxonomy.load(None)
    labels = Counter(e["label"] for d in docs for e in d["entities"])
    types = Counter(ev["type"] for d in docs for ev in d["events"])
    assert set(labels) == set(tax.entity_names)
    assert set(types) == set(tax.event_names)
    nested = clitic = 0
    for d in docs:
        spans = [(e["start"], e["end"]) for e in d["entities"]]
        nested += sum(
            any(s <= s2 and e2 <= e and (s, e) != (s2, e2) for s, e in spans) for s2, e2 in spans
        )
        text = d["text"]
        for e in d["entities"]:
            word_start = e["start"]
            while word_start > 0 and not text[word_start - 1].isspace():
                word_start -= 1
            clitic += word_start < e["start"] and is_proclitic(text[word_start : e["start"]])
    assert nested >= 20 and clitic >= 10, (nested, clitic)
    with_args = sum(bool(ev["arguments"]) for d in docs for ev in d["events"])
    assert with_args >= 0.9 * sum(types.values())


SECOND = SAMPLE / "annotations_second.jsonl"


def test_the_second_annotator_disagrees_in_each_way_and_is_valid(built, docs):
    """Six articles annotated again: a boundary, a label, a missed entity, a wrong role."""
    first = {d["article_id"]: d for d in docs}
    second = [orjson.loads(line) for line in SECOND.read_bytes().splitlines()]
    assert len(second) == 6 and len({d["article_id"] for d in second}) == 6
    items, problems = preannotations.load(SECOND, preannotations.ANNOTATION)
    checked = preannotations.check(items, built, taxonomy.load(None))
    assert problems == [] and checked.problems == []
    kinds = Counter()
    for d in second:
        a, b = first[d["article_id"]], d
        assert b["text"] == a["text"] == built[d["article_id"]]
        ea = {(e["start"], e["end"]): e["label"] for e in a["entities"]}
        eb = {(e["start"], e["end"]): e["label"] for e in b["entities"]}
        kinds["label"] += sum(1 for k in ea.keys() & eb.keys() if ea[k] != eb[k])
        only_a = ea.keys() - eb.keys()
        only_b = eb.keys() - ea.keys()
        bounds = {(x, y) for x in only_a for y in only_b if x[0] < y[1] and y[0] < x[1]}
        kinds["boundary"] += len(bounds)
        kinds["missed"] += len(only_a - {x for x, _ in bounds})
        spans_a = {e["id"]: (e["start"], e["end"]) for e in a["entities"]}
        spans_b = {e["id"]: (e["start"], e["end"]) for e in b["entities"]}
        for va, vb in zip(a["events"], b["events"], strict=True):
            ra = {(spans_a[x["entity_id"]], x["role"]) for x in va["arguments"]}
            rb = {(spans_b[x["entity_id"]], x["role"]) for x in vb["arguments"]}
            sa = {s for s, _ in ra}
            kinds["role"] += sum(1 for s, _ in rb - ra if s in sa)
    assert all(kinds[k] >= 1 for k in ("label", "boundary", "missed", "role")), kinds
