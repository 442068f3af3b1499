"""`akhbar annotate validate` through the real entry point: exit codes 0/1/2, the report."""

from __future__ import annotations

import json
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from akhbar.annotation.validate.report import FSI, PDI, isolate, isolate_quoted, visible
from tests.helpers import TEST_DATA
from tests.helpers import run_akhbar as run

DATA = TEST_DATA / "labelstudio"
CLEAN = DATA / "clean.json"
CHECKS = DATA / "checks"


@pytest.fixture(scope="module")
def corpus(tmp_path_factory) -> Path:
    d = tmp_path_factory.mktemp("corpus")
    rows = json.loads((DATA / "corpus.json").read_text(encoding="utf-8"))
    pq.write_table(pa.Table.from_pylist(rows), d / "articles.parquet")
    return d


def validate(snapshot: Path, corpus: Path, out: Path, *extra: str) -> tuple[int, str, str]:
    return run("annotate", "validate", str(snapshot), "--corpus", str(corpus), "--out", str(out), *extra)  # fmt: skip


def test_clean_snapshot_exits_0(corpus, tmp_path):
    code, out, err = validate(CLEAN, corpus, tmp_path / "out")
    assert code == 0, err
    assert err == ""
    assert "tasks 5: 3 documented, 0 quarantined, 1 all cancelled, 1 unannotated" in out
    assert "annotations 7: 5 valid (3 selected, 2 superseded), 0 quarantined, 2 cancelled" in out
    assert "issues: 0 errors, 0 warnings" in out
    assert f"wrote {tmp_path / 'out' / 'documents.jsonl'} (3 documents)" in out
    assert (tmp_path / "out" / "validation.json").is_file()


def test_quarantine_exits_1_with_a_report_grouped_by_code(corpus, tmp_path):
    code, out, err = validate(CHECKS / "AK103_utf16.json", corpus, tmp_path / "out")
    assert code == 1
    (line,) = err.splitlines()
    assert line == (
        f"akhbar: 1 annotation(s) in 1 task(s) quarantined with 1 error(s); see "
        f"{tmp_path / 'out' / 'quarantine.jsonl'}"
    )
    lines = out.splitlines()
    head = lines.index(
        "AK103 span-text-mismatch · error · 1 — value.text differs from text[start:end]."
    )
    assert lines[head + 1] == (
        "  task 3 · annotation 301 · region Em3 · /0/annotations/0/result/2/value/text"
    )
    # Arabic excerpts are isolated so that a terminal lays them out on their own
    assert lines[head + 2] == (
        f"    value.text {FSI}'الموصل'{PDI} != text[32:38] {FSI}'موصل 😢'{PDI}: the offsets "
        "count UTF-16 code units (2 character(s) outside the BMP, e.g. emoji, come before the "
        "span); in code points it is [30, 36)"
    )
    assert lines[head + 3] == (
        f"    {FSI}…يب جنديان 🇮🇶 بجروح طفيفة في ال[موصل 😢] فجر اليوم، وفق ما أفاد مصدر أ…{PDI}"
    )
    assert "Traceback" not in out + err


def test_warnings_alone_exit_0(corpus, tmp_path):
    code, out, err = validate(CHECKS / "AK142_span_edge_whitespace.json", corpus, tmp_path / "out")
    assert code == 0 and err == ""
    assert "AK142 span-edge-whitespace · warning · 1" in out


def test_json_report(corpus, tmp_path):
    code, out, err = validate(CHECKS / "AK123_entity_type_not_allowed_for_role.json", corpus, tmp_path / "out", "--json")  # fmt: skip
    assert code == 1 and len(err.splitlines()) == 1
    report = json.loads(out)
    assert report["exit_code"] == 1
    assert report["counts"]["by_code"] == {
        "AK123": {"name": "entity-type-not-allowed-for-role", "severity": "error", "count": 1}
    }
    (issue,) = report["examples"]["AK123"]
    assert issue["task_id"] == 7 and issue["annotation_id"] == 707
    assert issue["pointer"] == "/0/annotations/0/result/10/labels/0"
    assert issue["context"] == "قُتل [رجل] في بغداد صباح اليوم بانفجار ع…"
    on_disk = json.loads((tmp_path / "out" / "validation.json").read_text(encoding="utf-8"))
    assert {k: v for k, v in report.items() if k not in ("examples", "exit_code")} == on_disk


def test_many_issues_of_a_code_are_summarised(corpus, tmp_path):
    export = json.loads((CHECKS / "AK110_unknown_label.json").read_text(encoding="utf-8"))
    (task,) = export
    tasks = []
    for i in range(25):
        t = json.loads(json.dumps(task))
        t["id"] = 100 + i
        tasks.append(t)
    snap = tmp_path / "many.json"
    snap.write_text(json.dumps(tasks, ensure_ascii=False), encoding="utf-8")
    code, out, _ = validate(snap, corpus, tmp_path / "out")
    assert code == 1
    assert "AK110 unknown-label · error · 25" in out
    assert "  … and 5 more in issues.jsonl" in out
    assert "AK152 article-annotated-twice" not in out  # no document was written for any of them


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["{bad}", "--corpus", "{corpus}", "--out", "{out}"], "not valid JSON"),
        (["{clean}", "--corpus", "{tmp}/none", "--out", "{out}"], "articles.parquet: no such file"),
        (["{clean}", "--corpus", "{corpus}", "--out", "{out}", "--taxonomy", "{tmp}/t.yaml"], "cannot read taxonomy"),
        (["{clean}", "--corpus", "{corpus}", "--out", "{bad}"], "is a file"),
        (["{tmp}/none.json", "--corpus", "{corpus}", "--out", "{out}"], "none.json: no such file"),
    ],
)  # fmt: skip
def test_unusable_input_exits_2_with_one_line(args, message, corpus, tmp_path):
    bad = tmp_path / "bad.json"
    bad.write_bytes(CLEAN.read_bytes()[:3000])
    fill = {"bad": bad, "corpus": corpus, "out": tmp_path / "out", "clean": CLEAN, "tmp": tmp_path}
    code, out, err = run("annotate", "validate", *(a.format(**fill) for a in args))
    assert code == 2
    assert out == ""
    (line,) = err.splitlines()
    assert line.startswith("akhbar: error: ") and message in line
    assert not (tmp_path / "out").exists()


def test_bad_usage_exits_2(corpus, tmp_path):
    code, _, err = run("annotate", "validate", str(CLEAN), "--out", str(tmp_path / "o"))
    assert code == 2 and "Missing option '--corpus'" in err and "Traceback" not in err
    code, _, err = run("annotate", "validate", str(CLEAN), "--corpus", str(corpus), "--out", str(tmp_path / "o"), "--workers", "-1")  # fmt: skip
    assert code == 2 and "--workers" in err


def test_visible_and_isolated_text():
    assert visible("سطر\r\nثان\tثالث") == "سطر␍⏎ثان⇥ثالث"
    assert visible("قبل\u202e" + "بعد") == "قبل<U+202E>بعد"  # an override cannot flip the line
    assert isolate("قتل [رجل]") == f"{FSI}قتل [رجل]{PDI}"
    assert isolate_quoted("label 'PERSON' on 'رجل'") == f"label 'PERSON' on {FSI}'رجل'{PDI}"
