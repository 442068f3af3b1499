"""Export task -> document: the selection policy, relation directions, the document's fields."""

from __future__ import annotations

import copy
import json

import jsonschema
import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from akhbar import schemas
from akhbar.annotation.labelstudio.convert import annotator, select
from akhbar.annotation.labelstudio.result_checks import Rules
from akhbar.annotation.validate.run import ValidateOptions, validate_snapshot
from akhbar.annotation.validate.tasks import DOCUMENTED, QUARANTINED, TaskChecker
from akhbar.corpus.store import text_digest
from akhbar.schemas import taxonomy
from tests.helpers import TEST_DATA

DATA = TEST_DATA / "labelstudio"
CLEAN = json.loads((DATA / "clean.json").read_text(encoding="utf-8"))
CORPUS = json.loads((DATA / "corpus.json").read_text(encoding="utf-8"))


def ann(aid, updated, *, gt=False, cancelled=False):
    return {"id": aid, "updated_at": updated, "ground_truth": gt, "was_cancelled": cancelled}


def test_one_candidate_is_only():
    assert select([(0, ann(5, "2026-11-20T10:00:00Z"))]) == (0, "only")


def test_most_recently_updated_wins():
    cands = [
        (0, ann(5, "2026-11-20T10:00:00.000000Z")),
        (1, ann(6, "2026-11-21T09:00:00.000000Z")),
        (2, ann(7, "2026-11-20T23:59:59.999999Z")),
    ]
    assert select(cands) == (1, "latest")


def test_ground_truth_beats_a_newer_annotation():
    cands = [
        (0, ann(5, "2026-11-20T10:00:00Z", gt=True)),
        (1, ann(6, "2026-11-22T10:00:00Z")),
    ]
    assert select(cands) == (0, "ground_truth")


def test_newest_of_several_ground_truths():
    cands = [
        (0, ann(5, "2026-11-20T10:00:00Z", gt=True)),
        (1, ann(6, "2026-11-21T10:00:00Z", gt=True)),
        (2, ann(7, "2026-11-22T10:00:00Z")),
    ]
    assert select(cands) == (1, "ground_truth")


def test_tie_goes_to_the_higher_annotation_id():
    cands = [(0, ann(9, "2026-11-20T10:00:00Z")), (1, ann(8, "2026-11-20T10:00:00Z"))]
    assert select(cands) == (0, "latest")


def test_time_zones_are_compared_as_times():
    # 12:00+03:00 is 09:00Z, earlier than 10:00Z
    cands = [(0, ann(1, "2026-11-20T12:00:00+03:00")), (1, ann(2, "2026-11-20T10:00:00Z"))]
    assert select(cands) == (1, "latest")


def test_annotator_from_id_or_expanded_user():
    assert annotator(4) == ("4", 4)
    assert annotator({"id": 2, "email": "r@example.org", "first_name": ""}) == ("r@example.org", 2)
    assert annotator(None) == (None, None)


@pytest.fixture
def checker() -> TaskChecker:
    index = {r["id"]: text_digest(r["text"]) for r in CORPUS}
    texts = {r["id"]: r["text"] for r in CORPUS}
    return TaskChecker(Rules(taxonomy.load()), index, texts.get)


def test_latest_annotation_converted_and_cancelled_counted(checker):
    out = checker.check(copy.deepcopy(CLEAN[0]))
    assert out.status == DOCUMENTED and out.issues == []
    assert (out.selected, out.superseded, out.quarantined, out.cancelled) == (1, 1, 0, 1)
    doc = out.document
    assert doc["annotation_id"] == 102 and doc["selection"] == "latest"
    assert doc["annotator"] == "reviewer@example.org" and doc["annotator_id"] == 2
    assert doc["task_id"] == 1 and doc["taxonomy"] == "ace-ar-conflict@1.0.0"
    assert doc["created_at"] == "2026-11-20T09:00:00.000000Z"
    assert doc["updated_at"] == "2026-11-20T12:00:00.000000Z"


def test_directions_are_normalised(checker):
    """right: from -> to; left: to -> from; bi: from the trigger end, however it was drawn."""
    doc = checker.check(copy.deepcopy(CLEAN[0])).document
    events = {e["id"]: e for e in doc["events"]}
    assert events["Xa1"]["type"] == "Attack" and events["Xa1"]["trigger"] == {
        "start": 0,
        "end": 4,
        "text": "قصفت",
    }
    assert events["Xa1"]["arguments"] == [
        {"role": "Instrument", "entity_id": "Xa2"},
        {"role": "Place", "entity_id": "Xa3"},
        {"role": "Time", "entity_id": "Xa4"},  # drawn left, from the entity
    ]
    assert events["Xa5"]["arguments"] == [
        {"role": "Victim", "entity_id": "Xa6"},  # bi, drawn from the trigger
        {"role": "Place", "entity_id": "Xa3"},  # bi, drawn from the entity
    ]
    ents = {e["id"]: e for e in doc["entities"]}
    text = doc["text"]
    for e in doc["entities"]:
        assert text[e["start"] : e["end"]] == e["text"]
    assert ents["Xa4"] == {
        "id": "Xa4",
        "start": 45,
        "end": 55,
        "text": "فجر الخميس",
        "label": "TIME",
    }


def test_left_and_right_give_the_same_document(checker):
    task = copy.deepcopy(CLEAN[1])
    flipped = copy.deepcopy(task)
    for a in flipped["annotations"]:
        for r in a["result"]:
            if r["type"] == "relation":
                r["from_id"], r["to_id"], r["direction"] = r["to_id"], r["from_id"], "left"
    assert checker.check(task).document == checker.check(flipped).document


def test_ground_truth_selected(checker):
    out = checker.check(copy.deepcopy(CLEAN[1]))
    assert out.document["annotation_id"] == 201 and out.document["selection"] == "ground_truth"
    assert out.superseded == 1
    transport = next(e for e in out.document["events"] if e["type"] == "Transport")
    assert [a["role"] for a in transport["arguments"]] == ["Artifact", "Destination"]


def test_astral_characters_before_spans(checker):
    out = checker.check(copy.deepcopy(CLEAN[2]))
    assert out.status == DOCUMENTED and out.issues == []
    doc = out.document
    assert "🇮🇶" in doc["text"] and "😢" in doc["text"]
    for e in doc["entities"]:
        assert doc["text"][e["start"] : e["end"]] == e["text"]
    (injure,) = doc["events"]
    assert [a["role"] for a in injure["arguments"]] == ["Victim", "Place", "Time"]


def test_invalid_latest_annotation_quarantines_the_task(checker):
    """Errors play no part in the choice: the newer annotation is chosen, and it is broken,
    so the task gets no document rather than the older one in its place."""
    task = copy.deepcopy(CLEAN[0])
    newest = task["annotations"][1]
    newest["result"][1]["value"]["labels"] = ["WEAPON"]
    out = checker.check(task)
    assert out.status == QUARANTINED and out.document is None
    assert (out.selected, out.superseded, out.quarantined, out.cancelled) == (0, 1, 1, 1)
    assert out.quarantined_ids == [102]
    assert [i.code for i in out.issues] == ["AK110"]


def test_invalid_older_annotation_is_quarantined_but_the_document_stays(checker):
    task = copy.deepcopy(CLEAN[0])
    task["annotations"][0]["result"][0]["value"]["end"] = 999
    out = checker.check(task)
    assert out.status == DOCUMENTED and out.document["annotation_id"] == 102
    assert (out.selected, out.superseded, out.quarantined, out.cancelled) == (1, 0, 1, 1)
    assert out.quarantined_ids == [101]


def test_schema_broken_annotation_does_not_condemn_its_siblings(checker):
    task = copy.deepcopy(CLEAN[0])
    task["annotations"][0]["result"][0]["value"]["start"] = "0"
    out = checker.check(task)
    assert out.status == DOCUMENTED and out.document["annotation_id"] == 102
    assert [(i.code, i.path) for i in out.issues] == [
        ("AK101", "/annotations/0/result/0/value/start")
    ]
    assert out.issues[0].annotation_id == 101


def test_clean_export_converts(tmp_path):
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    pq.write_table(pa.Table.from_pylist(CORPUS), corpus / "articles.parquet")
    result = validate_snapshot(ValidateOptions(DATA / "clean.json", corpus, tmp_path / "out"))
    assert result.exit_code == 0
    c = result.counts
    assert c["tasks"] == {
        "total": 5,
        "documented": 3,
        "quarantined": 0,
        "all_cancelled": 1,
        "unannotated": 1,
    }
    assert c["annotations"] == {"total": 7, "valid": 5, "quarantined": 0, "cancelled": 2}
    assert c["valid_annotations"] == {"selected": 3, "superseded": 2}
    assert c["drafts"] == 1 and c["documents"] == 3 and c["by_code"] == {}
    lines = (tmp_path / "out" / "documents.jsonl").read_text(encoding="utf-8").splitlines()
    validator = jsonschema.Draft202012Validator(schemas.load("document"))
    docs = [json.loads(line) for line in lines]
    for doc in docs:
        validator.validate(doc)
    assert [d["task_id"] for d in docs] == [1, 2, 3]
    assert all(any(e["arguments"] for e in d["events"]) for d in docs)
