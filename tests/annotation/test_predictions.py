"""Pre-annotations are checked against the taxonomy and the article text before import."""

from __future__ import annotations

import copy

import orjson
import pytest

from akhbar.annotation.labelstudio.result_checks import Rules
from akhbar.annotation.push import preannotations
from akhbar.annotation.validate.tasks import TaskChecker
from akhbar.corpus.store import text_digest
from akhbar.schemas import taxonomy

TAX = taxonomy.load()
TEXT = "قصفت الطائرات مواقع المسلحين قرب حلب فجر الخميس."


def _span(rid, control, word, label, text=TEXT):
    start = text.index(word)
    return {
        "id": rid,
        "from_name": control,
        "to_name": "text",
        "type": "labels",
        "origin": "prediction",
        "value": {"start": start, "end": start + len(word), "text": word, "labels": [label]},
    }


def _rel(src, dst, role, direction="right"):
    return {
        "from_id": src,
        "to_id": dst,
        "type": "relation",
        "direction": direction,
        "labels": [role],
    }


GOOD = [
    _span("t1", "trigger", "قصفت", "Attack"),
    _span("e1", "entity", "الطائرات", "WEA"),
    _span("e2", "entity", "حلب", "GPE"),
    _span("e3", "entity", "فجر الخميس", "TIME"),
    _rel("t1", "e1", "Instrument"),
    _rel("t1", "e2", "Place"),
    _rel("e3", "t1", "Time", direction="left"),  # drawn from the entity: normalised by swapping
]


RULES = Rules(TAX)


def _problems(result, rules=RULES):
    """What the one checker of results refuses, as push reports it: ``path: CODE message``."""
    return [
        f"{i.path}: {i.code} {i.message}"
        for i in preannotations.result_problems(result, TEXT, rules)
    ]


def test_a_good_result_has_no_problems():
    assert _problems(GOOD) == []


def _with(change):
    result = copy.deepcopy(GOOD)
    change(result)
    return _problems(result)


CASES = [
    (
        lambda r: r[1]["value"].update(labels=["WEAPON"]),
        "/result/1/value/labels/0: AK110 label 'WEAPON' is not a label of control 'entity'",
    ),
    (
        lambda r: r[1]["value"].update(labels=["Attack"]),
        "/result/1/value/labels/0: AK110 label 'Attack' is not a label of control 'entity'",
    ),
    (
        lambda r: r[0]["value"].update(labels=["PER"]),
        "/result/0/value/labels/0: AK110 label 'PER' is not a label of control 'trigger'",
    ),
    (
        lambda r: r[1]["value"].update(labels=["WEA", "VEH"]),
        "/result/1/value/labels: AK112 the region carries 2 labels",
    ),
    (lambda r: r[1].update(from_name="label"), "/result/1: AK111 from_name 'label'"),
    (lambda r: r[1].update(to_name="body"), "/result/1: AK111 to_name 'body'"),
    (
        lambda r: r[1]["value"].update(end=500),
        "/result/1/value/end: AK102 end 500 is past the end of the text",
    ),
    (
        lambda r: r[1]["value"].update(start=-1),
        "/result/1/value/start: AK102 start offset -1 is negative",
    ),
    (lambda r: r[1]["value"].update(start=3, end=3), "/result/1/value: AK105 start 3 >= end 3"),
    (
        lambda r: r[1]["value"].update(start="5"),
        "/result/1/value/start: AK101 start offset '5' is a string",
    ),
    (
        lambda r: r[1]["value"].update(start=True),
        "/result/1/value/start: AK101 start offset True is a boolean",
    ),
    (
        lambda r: r[1]["value"].update(text="الطائرة"),
        "/result/1/value/text: AK103 value.text 'الطائرة' != text[5:13] 'الطائرات'",
    ),
    (lambda r: r[2].update(id="e1"), "/result/2/id: AK130 region id 'e1' is used again"),
    (lambda r: r[2].pop("id"), "/result/2: AK002 /result/2 lacks the required field 'id'"),
    (
        lambda r: r[4].update(to_id="e9"),
        "/result/4: AK120 relation 't1' -> 'e9' points at no region 'e9'",
    ),
    (
        lambda r: r[4].update(labels=["Victim"]),
        "/result/4/labels/0: AK122 role 'Victim' is not a role of event Attack",
    ),
    (
        lambda r: r[5].update(labels=["Instrument"]),
        "/result/5/labels/0: AK123 a GPE cannot be the Instrument of Attack",
    ),
    (lambda r: r[4].update(labels=[]), "/result/4: AK124 relation 't1' -> 'e1' carries 0 roles"),
    (
        lambda r: r[4].update(direction="up"),
        "/result/4/direction: AK004 /result/4/direction is 'up'",
    ),
    (
        lambda r: r[4].update(from_id="e2", to_id="e1"),
        "/result/4: AK121 relation runs from entity 'e2' (GPE) to entity 'e1' (WEA)",
    ),
    (
        lambda r: r.append(copy.deepcopy(r[4])),
        "/result/7: AK143 argument Instrument from 't1' to 'e1' is drawn twice",
    ),
    (
        lambda r: r.append({"type": "choices", "value": {}}),
        "/result/7/type: AK004 /result/7/type is 'choices'",
    ),
]


@pytest.mark.parametrize(("change", "expected"), CASES)
def test_each_kind_of_bad_result_is_reported(change, expected):
    problems = _with(change)
    assert any(p.startswith(expected) for p in problems), problems


def _task(result):
    annotation = {
        "id": 1,
        "result": result,
        "was_cancelled": False,
        "ground_truth": False,
        "created_at": "2026-11-20T09:00:00Z",
        "updated_at": "2026-11-20T09:00:00Z",
        "completed_by": 1,
    }
    return {"id": 1, "data": {"text": TEXT, "article_id": "a1"}, "annotations": [annotation]}


@pytest.mark.parametrize("change", [c[0] for c in CASES])
def test_validation_and_push_find_the_same_problems(change):
    """One checker: what push refuses in a pre-annotation is what validation quarantines in
    an annotation with the same results, code for code and result for result."""
    result = copy.deepcopy(GOOD)
    change(result)
    checker = TaskChecker(RULES, {"a1": text_digest(TEXT)}, lambda _: TEXT)
    outcome = checker.check(_task(result))
    prefix = "/annotations/0"
    validated = sorted(
        (i.path.removeprefix(prefix), i.code)
        for i in outcome.issues
        if i.severity == "error" or i.code in ("AK143", "AK144")
    )
    pushed = sorted((i.path, i.code) for i in preannotations.result_problems(result, TEXT, RULES))
    assert validated and validated == pushed


def test_a_relation_with_bi_direction_is_read_from_trigger_to_entity():
    result = [*GOOD[:4], _rel("t1", "e2", "Place", direction="bi")]
    assert _problems(result) == []


def test_a_taxonomy_without_events_refuses_triggers():
    wojood = taxonomy.load(taxonomy.TAXONOMY_DIR / "wojood.yaml")
    problems = _problems([GOOD[0]], Rules(wojood))
    assert problems == [
        "/result/0: AK111 from_name 'trigger': regions come from ['entity'] and target 'text'"
    ]


def _write(tmp_path, lines):
    p = tmp_path / "pre.jsonl"
    p.write_bytes(
        b"".join(orjson.dumps(x) + b"\n" if not isinstance(x, bytes) else x for x in lines)
    )
    return p


def test_loading_and_checking_a_file_keeps_good_lines_and_reports_bad_ones(tmp_path):
    doc = {
        "article_id": "a2",
        "text": TEXT,
        "entities": [{"id": "e1", "start": 33, "end": 36, "text": "حلب", "label": "GPE"}],
        "events": [
            {
                "id": "t1",
                "type": "Attack",
                "trigger": {"start": 0, "end": 4, "text": "قصفت"},
                "arguments": [{"role": "Place", "entity_id": "e1"}],
            }
        ],
    }
    path = _write(
        tmp_path,
        [
            {"article_id": "a1", "model_version": "m1", "score": 0.5, "result": GOOD},
            doc,
            b"{not json\n",
            {"article_id": "a1", "result": GOOD},  # no model_version
            {"article_id": "a9", "model_version": "m1", "result": GOOD},  # unknown article
            {**doc, "text": TEXT + " "},  # a document for another text
            {"article_id": "a1", "model_version": "m1", "score": "high", "result": GOOD},
        ],
    )
    loaded, problems = preannotations.load(path, preannotations.PREDICTION, model_version=None)
    checked = preannotations.check(loaded, {"a1": TEXT, "a2": TEXT}, TAX)
    assert checked.count == 1 and [p.model_version for p in checked.by_article["a1"]] == ["m1"]
    assert checked.by_article["a1"][0].payload() == {
        "model_version": "m1",
        "result": GOOD,
        "score": 0.5,
    }
    messages = [str(p) for p in problems + checked.problems]
    assert messages[0].startswith(f"{path} line 3: unreadable prediction")
    assert "line 7: article a1: unreadable prediction: score must be a number" in messages[1]
    assert any("line 2: article a2: a prediction needs a model_version" in m for m in messages)
    assert any("line 4: article a1: a prediction needs a model_version" in m for m in messages)
    assert any("line 5: article a9: no article with this id" in m for m in messages)
    assert any(
        "line 6: article a2: /text: AK104 the document's text differs" in m for m in messages
    )
    assert len(messages) == 6


def test_a_document_becomes_results_and_a_default_model_version_applies(tmp_path):
    path = _write(
        tmp_path,
        [
            {
                "article_id": "a1",
                "entities": [{"id": "e1", "start": 33, "end": 36, "text": "حلب", "label": "GPE"}],
                "events": [],
            }
        ],
    )
    loaded, problems = preannotations.load(path, preannotations.PREDICTION, model_version="rules-1")
    checked = preannotations.check(loaded, {"a1": TEXT}, TAX)
    assert problems == [] and checked.problems == []
    (pre,) = checked.by_article["a1"]
    assert pre.model_version == "rules-1"
    assert pre.result[0]["value"] == {"start": 33, "end": 36, "text": "حلب", "labels": ["GPE"]}


def test_annotations_need_no_model_version(tmp_path):
    path = _write(tmp_path, [{"article_id": "a1", "result": GOOD}])
    loaded, _ = preannotations.load(path, preannotations.ANNOTATION)
    checked = preannotations.check(loaded, {"a1": TEXT}, TAX)
    assert checked.by_article["a1"][0].payload() == {"result": GOOD}
