"""The one check of an annotated document against its text and taxonomy (akhbar.schemas)."""

from __future__ import annotations

import copy

import pytest

from akhbar import schemas
from akhbar.schemas import taxonomy
from akhbar.schemas.checks import CHECKS
from akhbar.schemas.document import check_document, errors, matches_schema

TAX = taxonomy.load()
DOC = schemas.load("document")["examples"][0]
TEXT = DOC["text"]


def codes(doc, text=TEXT):
    return [i.code for i in check_document(doc, text, TAX)]


def changed(change):
    doc = copy.deepcopy(DOC)
    change(doc)
    return doc


def test_the_schema_example_is_a_valid_document():
    assert matches_schema(DOC) and check_document(DOC, TEXT, TAX) == []


@pytest.mark.parametrize(
    ("change", "code"),
    [
        (lambda d: d.pop("task_id"), "AK002"),
        (lambda d: d["entities"][0].update(label=7), "AK003"),
        (lambda d: d.update(extra=1), "AK001"),
        (lambda d: d["entities"][0].update(start=5.0), "AK101"),
        (lambda d: d["entities"][0].update(start="5"), "AK101"),
        (lambda d: d["entities"][0].update(end=99), "AK102"),
        (lambda d: d["entities"][0].update(text="رجلٌ"), "AK103"),
        (lambda d: d["entities"][0].update(start=8), "AK105"),
        (lambda d: d["entities"][0].update(label="PERSON"), "AK110"),
        (lambda d: d["events"][0].update(type="Explode"), "AK110"),
        (lambda d: d["events"][0]["arguments"][0].update(entity_id="e9"), "AK120"),
        (lambda d: d["events"][0]["arguments"][0].update(role="Attacker"), "AK122"),
        (lambda d: d["events"][0]["arguments"][1].update(role="Victim"), "AK123"),
        (lambda d: d["entities"][1].update(id="e1"), "AK130"),
        (lambda d: d["entities"].append({**d["entities"][0], "id": "e3"}), "AK144"),
        (lambda d: d["entities"].append({**d["entities"][0], "id": "e3", "label": "ORG"}), "AK141"),
        (lambda d: d["events"][0]["arguments"].append(d["events"][0]["arguments"][0]), "AK143"),
    ],
)
def test_each_problem_has_its_code(change, code):
    found = codes(changed(change))
    assert code in found, found


def test_whitespace_at_a_span_edge_is_a_warning_not_an_error():
    doc = changed(lambda d: d["entities"][0].update(end=9, text="رجل "))  # over the space
    issues = check_document(doc, TEXT, TAX)
    assert [i.code for i in issues] == ["AK142"] and errors(issues) == []


def test_a_document_of_another_text_is_one_drift_issue():
    issues = check_document(DOC, TEXT + " وأصيب آخر.", TAX)
    assert [i.code for i in issues] == ["AK104"]
    assert "from code point 18" in issues[0].message


def test_every_code_named_in_a_message_is_a_known_code():
    doc = changed(lambda d: d["entities"][0].update(label="PERSON", end=99))
    assert all(i.code in CHECKS for i in check_document(doc, TEXT, TAX))
