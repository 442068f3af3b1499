"""Every check has a fixture that triggers it: its code, message, severity and consequence.

The fixtures are in ``tests/data/labelstudio/checks`` (written by ``make_fixtures.py`` in the
exact shape of a Label Studio 1.23 export); ``expected.json`` says what each must produce.
"""

from __future__ import annotations

import json
from pathlib import Path

import jsonschema
import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from akhbar import schemas
from akhbar.annotation.labelstudio.mismatch import diagnose_mismatch
from akhbar.annotation.labelstudio.result_checks import Rules, check_annotation
from akhbar.annotation.validate.run import ValidateOptions, validate_snapshot
from akhbar.schemas import taxonomy
from akhbar.schemas.checks import CHECKS, ERROR, WARNING, context
from tests.helpers import CHECKS_DIR, TEST_DATA, read_jsonl

DATA = TEST_DATA / "labelstudio"
EXPECTED = json.loads((CHECKS_DIR / "expected.json").read_text(encoding="utf-8"))


@pytest.fixture(scope="module")
def corpus(tmp_path_factory) -> Path:
    d = tmp_path_factory.mktemp("corpus")
    rows = json.loads((DATA / "corpus.json").read_text(encoding="utf-8"))
    pq.write_table(pa.Table.from_pylist(rows), d / "articles.parquet")
    return d


def test_every_check_has_a_fixture():
    codes = {e["code"] for e in EXPECTED.values()}
    assert codes == set(CHECKS), sorted(set(CHECKS) ^ codes)


def test_codes_are_stable_and_explained():
    for code, check in CHECKS.items():
        assert code == check.code and code.startswith("AK") and len(code) == 5
        assert check.severity in (ERROR, WARNING)
        assert check.name and check.name == check.name.lower() and " " not in check.name
        assert check.explanation.endswith(".") and "\n" not in check.explanation
    names = [c.name for c in CHECKS.values()]
    assert len(names) == len(set(names))


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_check_fixture(name, corpus, tmp_path):
    exp = EXPECTED[name]
    code = exp["code"]
    check = CHECKS[code]
    snapshot = CHECKS_DIR / f"{name}.json"
    out = tmp_path / "out"
    result = validate_snapshot(ValidateOptions(snapshot, corpus, out, **exp.get("options", {})))

    issues = read_jsonl(out / "issues.jsonl")
    mine = [i for i in issues if i["code"] == code]
    assert mine, f"{name}: {code} not raised; got {[i['code'] for i in issues]}"
    assert any(exp["message"] in i["message"] for i in mine), [i["message"] for i in mine]
    for i in mine:
        assert i["name"] == check.name and i["severity"] == check.severity
        assert i["pointer"].startswith("/") and "\n" not in i["message"]
        # the pointer leads to something that exists in the export
        export = json.loads(snapshot.read_text(encoding="utf-8"))
        _resolve(export, i["pointer"])
    if "diagnosis" in exp:
        assert {i.get("diagnosis") for i in mine} == {exp["diagnosis"]}
    # nothing else fires than what the fixture is about
    assert {i["code"] for i in issues} == {code, *exp.get("also", [])}

    counts = result.counts
    by_code = counts["by_code"]
    assert by_code[code]["count"] == len(mine) and by_code[code]["name"] == check.name
    assert_counts_add_up(counts)
    quarantine = read_jsonl(out / "quarantine.jsonl")
    documents = read_jsonl(out / "documents.jsonl")
    export = json.loads(snapshot.read_text(encoding="utf-8"))
    if check.severity == ERROR:
        assert result.exit_code == 1
        assert quarantine, "an error must quarantine its task"
        record = quarantine[-1]
        assert any(e["code"] == code for e in record["errors"])
        assert record["task"] == export[record["task_index"]]  # the original payload, whole
    else:
        assert result.exit_code == 0 and quarantine == []
        assert len(documents) == counts["documents"] == 1
        assert any(w["code"] == code for w in issues)


def _resolve(doc, pointer: str):
    for part in pointer.lstrip("/").split("/") if pointer.strip("/") else []:
        part = part.replace("~1", "/").replace("~0", "~")
        doc = doc[int(part)] if isinstance(doc, list) else doc[part]
    return doc


def assert_counts_add_up(counts: dict) -> None:
    t, a, v = counts["tasks"], counts["annotations"], counts["valid_annotations"]
    assert t["total"] == t["documented"] + t["quarantined"] + t["all_cancelled"] + t["unannotated"]
    assert a["total"] == a["valid"] + a["quarantined"] + a["cancelled"]
    assert a["valid"] == v["selected"] + v["superseded"]
    assert v["selected"] == counts["documents"] == t["documented"]
    assert counts["issues"]["errors"] + counts["issues"]["warnings"] == sum(
        c["count"] for c in counts["by_code"].values()
    )


def test_quarantined_task_keeps_every_error(corpus, tmp_path):
    """Two different errors in one annotation are both reported, in one quarantine record."""
    export = json.loads((CHECKS_DIR / "AK110_unknown_label.json").read_text(encoding="utf-8"))
    result = export[0]["annotations"][0]["result"]
    result[8]["to_id"] = "gone"  # plus a relation to nowhere
    snap = tmp_path / "two.json"
    snap.write_text(json.dumps(export, ensure_ascii=False), encoding="utf-8")
    validate_snapshot(ValidateOptions(snap, corpus, tmp_path / "out"))
    (record,) = read_jsonl(tmp_path / "out" / "quarantine.jsonl")
    assert [e["code"] for e in record["errors"]] == ["AK110", "AK120"]
    assert record["quarantined_annotation_ids"] == [export[0]["annotations"][0]["id"]]
    e = record["errors"][0]
    assert e["task_id"] == 7 and e["annotation_id"] == 707 and e["region_id"] == "Bl2"
    assert e["pointer"] == "/0/annotations/0/result/1/value/labels/0"
    assert e["span"] == "رجل" and e["context"].startswith("قُتل [رجل] في بغداد")


def test_context_marks_the_span_and_clamps():
    text = "قُتل رجل في بغداد"
    assert context(text, 5, 8) == "قُتل [رجل] في بغداد"
    assert context(text, 12, 40) == "قُتل رجل في [بغداد]"
    long = "ا" * 100
    assert context(long, 50, 51) == "…" + "ا" * 30 + "[ا]" + "ا" * 30 + "…"


@pytest.mark.parametrize(
    ("text", "start", "end", "span", "diagnosis"),
    [
        ("👍 قتل رجل", 7, 10, "رجل", "utf16"),  # 👍 is two UTF-16 code units
        ("سطر أول\r\nقتل رجل", 12, 15, "رجل", "whitespace"),
        ("قتل  رجل", 4, 7, "رجل", "whitespace"),
        ("قتل رجل", 5, 8, "رجل", "shifted"),
        ("قتل رجل", 0, 3, "شاب", "unknown"),
    ],
)
def test_diagnose_mismatch(text, start, end, span, diagnosis):
    assert text[start:end] != span
    got, why = diagnose_mismatch(text, start, end, span, None)
    assert got == diagnosis, why


def test_diagnose_drift_against_the_corpus():
    corpus_text = "قُتل رجل في بغداد"
    task_text = "قُتل شاب في بغداد"
    got, why = diagnose_mismatch(task_text, 5, 8, "رجل", corpus_text)
    assert got == "text_drift" and "task text was changed after annotation" in why


def test_export_schema_examples_are_valid():
    schema = schemas.load("labelstudio_export")
    jsonschema.Draft202012Validator.check_schema(schema)
    assert schema["$id"] == "https://akhbar.dev/schemas/labelstudio-export/1.0.0"
    for example in schema["examples"]:
        jsonschema.Draft202012Validator(schema).validate(example)


def _region(rid, ctl, text, s, e, label):
    value = {"start": s, "end": e, "text": text[s:e], "labels": [label]}
    return {"id": rid, "from_name": ctl, "to_name": "text", "type": "labels", "value": value}


def _annotation(result, created="2026-11-20T09:00:00Z", updated="2026-11-20T09:00:00Z"):
    return {"id": 1, "result": result, "created_at": created, "updated_at": updated}


@pytest.mark.parametrize(
    ("created", "updated", "keys"),
    [
        ("أمس", "أمس", ["created_at", "updated_at"]),
        ("2026-11-20T09:00:00Z", "أمس", ["updated_at"]),
        ("أمس", "2026-11-20T09:00:00Z", ["created_at"]),
        ("2026-11-20T09:00:00Z", "2026-11-20T09:00:00Z", []),
    ],
)
def test_each_unreadable_time_is_reported(created, updated, keys):
    text = "قصفت طائرة مسيرة بلدة قرب حلب"
    ann = _annotation([_region("a", "entity", text, 26, 29, "GPE")], created, updated)
    found = check_annotation(ann, 0, text, Rules(taxonomy.load(None))).issues
    assert [(i.code, i.path) for i in found] == [("AK131", f"/annotations/0/{k}") for k in keys]


def test_warnings_of_one_region_come_in_order():
    """A span labelled again, once with the same label and once with another, and a span
    with whitespace at an edge: each warned about, in result order, the document keeps all."""
    text = "قصفت طائرة مسيرة بلدة قرب حلب "
    result = [
        _region("a", "entity", text, 26, 29, "GPE"),
        _region("b", "entity", text, 26, 29, "GPE"),
        _region("c", "entity", text, 26, 30, "LOC"),
        _region("d", "entity", text, 26, 29, "LOC"),
        _region("e", "trigger", text, 0, 4, "Attack"),
    ]
    checked = check_annotation(_annotation(result), 0, text, Rules(taxonomy.load(None)))
    assert [(i.code, i.region_id, i.path) for i in checked.issues] == [
        ("AK144", "b", "/annotations/0/result/1"),
        ("AK142", "c", "/annotations/0/result/2/value"),
        ("AK141", "d", "/annotations/0/result/3"),
    ]
    assert checked.errors == 0
    assert [x["id"] for x in checked.entities] == ["a", "b", "c", "d"]
    assert list(checked.events) == ["e"]
