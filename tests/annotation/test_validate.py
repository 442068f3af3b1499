"""validate_snapshot: outputs and their counts, reading large exports in pieces and in parallel,
the exact fallback, unreadable inputs, atomic output."""

from __future__ import annotations

import copy
import hashlib
import json
from pathlib import Path

import jsonschema
import jsonschema_rs
import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from akhbar import schemas
from akhbar.annotation.labelstudio import export_reader
from akhbar.annotation.labelstudio.result_checks import export_schema
from akhbar.annotation.validate.run import ValidateOptions, validate_snapshot
from akhbar.schemas import taxonomy
from akhbar.schemas.document import matches_schema
from akhbar.schemas.errors import InputError, IntegrityError, OutputError
from tests.helpers import TEST_DATA

DATA = TEST_DATA / "labelstudio"
CLEAN = DATA / "clean.json"
CORPUS = json.loads((DATA / "corpus.json").read_text(encoding="utf-8"))
FIXTURES = sorted([CLEAN, *(DATA / "checks").glob("AK*.json")])


def write_corpus(d: Path, rows: list[dict] = CORPUS) -> Path:
    d.mkdir(parents=True, exist_ok=True)
    pq.write_table(pa.Table.from_pylist(rows), d / "articles.parquet")
    return d


def read_jsonl(path: Path) -> list[dict]:
    return [json.loads(line) for line in path.read_bytes().splitlines()]


def outputs(out: Path) -> dict[str, bytes]:
    return {
        n: (out / n).read_bytes() for n in ("documents.jsonl", "quarantine.jsonl", "issues.jsonl")
    }


@pytest.fixture(scope="module")
def corpus(tmp_path_factory) -> Path:
    return write_corpus(tmp_path_factory.mktemp("corpus"))


def assert_counts_add_up(counts: dict) -> None:
    t, a, v = counts["tasks"], counts["annotations"], counts["valid_annotations"]
    assert t["total"] == t["documented"] + t["quarantined"] + t["all_cancelled"] + t["unannotated"]
    assert a["total"] == a["valid"] + a["quarantined"] + a["cancelled"]
    assert a["valid"] == v["selected"] + v["superseded"]
    assert v["selected"] == counts["documents"] == t["documented"]


@pytest.mark.parametrize("snapshot", FIXTURES, ids=[p.stem for p in FIXTURES])
def test_every_input_accounts_for_every_annotation(snapshot, corpus, tmp_path):
    """On every fixture: counts add up, they match the export, documents match the schema."""
    out = tmp_path / "out"
    result = validate_snapshot(ValidateOptions(snapshot, corpus, out))
    summary = json.loads((out / "validation.json").read_text(encoding="utf-8"))
    assert summary == result.summary
    counts = summary["counts"]
    assert_counts_add_up(counts)

    export = json.loads(snapshot.read_text(encoding="utf-8"))
    assert counts["tasks"]["total"] == len(export)
    annotations = [a for t in export for a in t.get("annotations", [])]
    assert counts["annotations"]["total"] == len(annotations)
    assert counts["annotations"]["cancelled"] == sum(
        a.get("was_cancelled") is True for a in annotations
    )

    validator = jsonschema.Draft202012Validator(schemas.load("document"))
    docs = read_jsonl(out / "documents.jsonl")
    assert len(docs) == counts["documents"]
    for doc in docs:
        validator.validate(doc)
        for e in doc["entities"]:
            assert doc["text"][e["start"] : e["end"]] == e["text"]
        for ev in doc["events"]:
            t = ev["trigger"]
            assert doc["text"][t["start"] : t["end"]] == t["text"]

    quarantine = read_jsonl(out / "quarantine.jsonl")
    assert len(quarantine) == counts["quarantine_records"]
    assert (
        sum(len(q["quarantined_annotation_ids"]) for q in quarantine)
        == counts["annotations"]["quarantined"]
    )
    for q in quarantine:
        assert q["task"] == export[q["task_index"]] and q["errors"]
    issues = read_jsonl(out / "issues.jsonl")
    assert len(issues) == sum(c["count"] for c in counts["by_code"].values())
    assert result.exit_code == (1 if quarantine else 0)


def test_validation_json_names_its_inputs(corpus, tmp_path):
    result = validate_snapshot(ValidateOptions(CLEAN, corpus, tmp_path / "out"))
    s = result.summary
    assert s["snapshot"] == {
        "path": str(CLEAN),
        "sha256": hashlib.sha256(CLEAN.read_bytes()).hexdigest(),
        "bytes": CLEAN.stat().st_size,
    }
    tax = taxonomy.load()
    assert s["taxonomy"]["name"] == tax.name and s["taxonomy"]["version"] == tax.version
    assert s["taxonomy"]["sha256"] == tax.sha256
    assert s["corpus"] == {"path": str(corpus / "articles.parquet"), "articles": len(CORPUS)}
    assert s["schemas"] == {
        "labelstudio_export": schemas.version("labelstudio_export"),
        "document": schemas.version("document"),
    }
    assert "ground truth first" in s["policy"]


# --- the compiled validator and jsonschema agree ------------------------------------------------


def _variants(task: dict) -> list:
    """The task, and broken copies of it: each mutation on its own."""
    out = [task]
    ann = task["annotations"][0] if task.get("annotations") else None
    if ann is None:
        return out
    for mutate in (
        lambda t: t["annotations"][0]["result"][0]["value"].update(start=1.0),
        lambda t: t["annotations"][0]["result"][0]["value"].update(end=2.5),
        lambda t: t["annotations"][0]["result"][0]["value"].update(start="3"),
        lambda t: t["annotations"][0]["result"][0]["value"].update(start=-2),
        lambda t: t["annotations"][0]["result"][0]["value"].update(start=True),
        lambda t: t["annotations"][0]["result"][0].pop("value"),
        lambda t: t["annotations"][0]["result"][0].update(type="choices"),
        lambda t: t["annotations"][0]["result"][0].pop("type"),
        lambda t: t["annotations"][0].update(completed_by="me"),
        lambda t: t["annotations"][0].update(completed_by={"email": "a@b"}),
        lambda t: t["annotations"][0].pop("id"),
        lambda t: t.update(id="7"),
        lambda t: t.update(data=[]),
        lambda t: t["data"].pop("text"),
        lambda t: t.update(annotations={}),
        lambda t: t["annotations"].append(None),
    ):
        t = copy.deepcopy(task)
        try:
            mutate(t)
        except (IndexError, KeyError):
            continue
        out.append(t)
    rel = [r for r in ann["result"] if r.get("type") == "relation"]
    if rel:
        t = copy.deepcopy(task)
        next(r for r in t["annotations"][0]["result"] if r.get("type") == "relation").update(
            direction="both"
        )
        out.append(t)
    return out


def test_compiled_and_python_validators_agree_on_every_fixture():
    schema = export_schema()
    fast = jsonschema_rs.validator_for(schema)
    slow = jsonschema.Draft202012Validator(schema)
    seen = {True: 0, False: 0}
    for path in FIXTURES:
        for task in json.loads(path.read_text(encoding="utf-8")):
            for t in _variants(task):
                verdict = fast.is_valid(t)
                assert verdict == slow.is_valid(t), (path.name, t)
                seen[verdict] += 1
    assert seen[True] > 30 and seen[False] > 300


# --- reading in pieces, in parallel, and exactly ------------------------------------------------


def big_export(n_copies: int) -> tuple[list[dict], list[dict]]:
    """Copies of every fixture task under new ids and articles; (export, corpus rows)."""
    base = [t for p in FIXTURES for t in json.loads(p.read_text(encoding="utf-8"))]
    texts = {r["id"]: r for r in CORPUS}
    tasks, rows = [], []
    for c in range(n_copies):
        for i, t in enumerate(base):
            t = copy.deepcopy(t)
            t["id"] = 10_000 * (c + 1) + i
            data = t["data"]
            if data["article_id"] in texts:
                data["article_id"] = f"{data['article_id']}_{c}_{i}"
                rows.append(
                    {**texts[t["data"]["article_id"].rsplit("_", 2)[0]], "id": data["article_id"]}
                )
            tasks.append(t)
    return tasks, rows


@pytest.fixture(scope="module")
def big(tmp_path_factory) -> tuple[Path, Path]:
    d = tmp_path_factory.mktemp("big")
    tasks, rows = big_export(6)
    snap = d / "export.json"
    snap.write_text(json.dumps(tasks, ensure_ascii=False), encoding="utf-8")
    return snap, write_corpus(d / "corpus", rows)


def test_pieces_and_workers_give_the_same_outputs(big, tmp_path, monkeypatch):
    snap, corpus = big
    one = validate_snapshot(
        ValidateOptions(snap, corpus, tmp_path / "one", workers=1, range_bytes=1 << 30)
    )
    monkeypatch.setattr(export_reader, "PIECE", 2048)  # several pieces per range
    many = validate_snapshot(
        ValidateOptions(snap, corpus, tmp_path / "many", workers=2, range_bytes=20_000)
    )
    assert outputs(tmp_path / "one") == outputs(tmp_path / "many")
    assert one.summary["counts"] == many.summary["counts"]
    assert one.counts["tasks"]["total"] == len(json.loads(snap.read_text(encoding="utf-8")))
    assert one.counts["quarantine_records"] > 100  # the broken fixtures, six times over


def test_ranges_cut_only_between_tasks(big):
    snap, _ = big
    first = export_reader.first_element(snap)
    tasks = []
    for r in export_reader.ranges(snap, first, target=5000):
        assert isinstance(r, export_reader.Range)
        got = export_reader.parse_range(snap, r.start, r.end)
        assert got and all("annotations" in t for t in got)
        tasks.extend(got)
    assert tasks == json.loads(snap.read_text(encoding="utf-8"))


def test_export_in_another_key_order_is_read_exactly(corpus, tmp_path, monkeypatch):
    """No cut is found (``annotations`` does not follow ``id``): the exact reader takes over."""
    export = json.loads(CLEAN.read_text(encoding="utf-8"))
    reordered = [{"data": t["data"], **{k: v for k, v in t.items() if k != "data"}} for t in export]
    reordered = [dict(sorted(t.items())) for t in reordered]
    snap = tmp_path / "sorted.json"
    snap.write_text(json.dumps(reordered, ensure_ascii=False, indent=4), encoding="utf-8")
    monkeypatch.setattr(export_reader, "MAX_RANGE", 4096)
    first = export_reader.first_element(snap)
    assert list(export_reader.ranges(snap, first, target=1000)) == [export_reader.Exact(first)]
    validate_snapshot(ValidateOptions(CLEAN, corpus, tmp_path / "a"))
    validate_snapshot(ValidateOptions(snap, corpus, tmp_path / "b", range_bytes=1000))
    assert (tmp_path / "a" / "documents.jsonl").read_bytes() == (
        tmp_path / "b" / "documents.jsonl"
    ).read_bytes()


def test_a_wrong_cut_is_caught_and_read_exactly(corpus, tmp_path):
    """A nested object that looks like the start of a task makes a wrong cut: the piece does
    not parse, and the rest is read exactly, with the same result."""
    export = json.loads(CLEAN.read_text(encoding="utf-8"))
    for t in export:
        t["meta"] = {"history": [{"note": "أول"}, {"id": 5, "annotations": [], "note": "ثان"}]}
    snap = tmp_path / "nested.json"
    snap.write_text(json.dumps(export, ensure_ascii=False), encoding="utf-8")
    first = export_reader.first_element(snap)
    r = next(export_reader.ranges(snap, first, target=10))
    with pytest.raises(export_reader.ParseFailure):
        export_reader.parse_range(snap, r.start, r.end)
    a = validate_snapshot(ValidateOptions(snap, corpus, tmp_path / "a", range_bytes=10))
    b = validate_snapshot(ValidateOptions(snap, corpus, tmp_path / "b", range_bytes=1 << 30))
    assert outputs(tmp_path / "a") == outputs(tmp_path / "b")
    assert a.counts == b.counts and a.counts["documents"] == 3


def test_byte_order_mark_and_empty_array(corpus, tmp_path):
    bom = tmp_path / "bom.json"
    bom.write_bytes(b"\xef\xbb\xbf" + CLEAN.read_bytes())
    assert validate_snapshot(ValidateOptions(bom, corpus, tmp_path / "a")).counts["documents"] == 3
    spaced = tmp_path / "spaced.json"
    spaced.write_bytes(b" \n" * 5000 + CLEAN.read_bytes())
    assert (
        validate_snapshot(ValidateOptions(spaced, corpus, tmp_path / "c")).counts["documents"] == 3
    )
    empty = tmp_path / "empty.json"
    empty.write_text("[ ]\n", encoding="utf-8")
    r = validate_snapshot(ValidateOptions(empty, corpus, tmp_path / "b"))
    assert r.exit_code == 0 and r.counts["tasks"]["total"] == 0


# --- unreadable inputs: one line, nothing written -----------------------------------------------


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"", "the snapshot is empty"),
        (b'{"id": 1}', "the file starts with a JSON object"),
        (None, "not valid JSON"),  # truncated in the middle of a task
        (b"[" + b'{"id": 1, "annotations": []},' + b"]", "not valid JSON"),
        (b"[]  trailing", "not valid JSON"),
        (b"[\xff\xfe]", "not valid JSON"),
    ],
)
def test_unreadable_snapshot(content, message, corpus, tmp_path):
    snap = tmp_path / "bad.json"
    snap.write_bytes(CLEAN.read_bytes()[:5000] if content is None else content)
    out = tmp_path / "out"
    with pytest.raises(InputError, match=message) as e:
        validate_snapshot(ValidateOptions(snap, corpus, out))
    assert str(snap) in str(e.value) and "\n" not in str(e.value)
    assert not out.exists()
    assert [p.name for p in tmp_path.iterdir()] == ["bad.json"]  # no temporary left behind


def test_missing_snapshot_and_corpus(corpus, tmp_path):
    with pytest.raises(InputError, match="no such file"):
        validate_snapshot(ValidateOptions(tmp_path / "nope.json", corpus, tmp_path / "out"))
    with pytest.raises(InputError, match=r"articles\.parquet: no such file"):
        validate_snapshot(ValidateOptions(CLEAN, tmp_path / "nocorpus", tmp_path / "out"))
    d = tmp_path / "badcorpus"
    d.mkdir()
    pq.write_table(pa.table({"id": ["a"]}), d / "articles.parquet")
    with pytest.raises(IntegrityError, match=r"missing columns \['text'\]; rebuild the store"):
        validate_snapshot(ValidateOptions(CLEAN, d, tmp_path / "out"))
    assert not (tmp_path / "out").exists()


def test_output_is_replaced_whole_and_never_mixed(corpus, tmp_path):
    out = tmp_path / "out"
    validate_snapshot(ValidateOptions(DATA / "checks" / "AK110_unknown_label.json", corpus, out))
    assert (out / "quarantine.jsonl").read_text(encoding="utf-8")
    validate_snapshot(ValidateOptions(CLEAN, corpus, out))  # an earlier output is replaced
    assert (out / "quarantine.jsonl").read_text(encoding="utf-8") == ""
    assert sorted(p.name for p in out.iterdir()) == [
        ".akhbar-output",
        "documents.jsonl",
        "issues.jsonl",
        "quarantine.jsonl",
        "validation.json",
    ]
    assert sorted(p.name for p in tmp_path.iterdir()) == ["out"]
    other = tmp_path / "other"
    other.mkdir()
    (other / "notes.txt").write_text("keep me", encoding="utf-8")
    with pytest.raises(OutputError, match="not written by akhbar as a validation output"):
        validate_snapshot(ValidateOptions(CLEAN, corpus, other))
    assert (other / "notes.txt").read_text(encoding="utf-8") == "keep me"


def test_duplicates_found_across_pieces(corpus, tmp_path):
    """The same task again in a later piece: reported against its first position."""
    export = json.loads(CLEAN.read_text(encoding="utf-8"))
    export.append(copy.deepcopy(export[0]))
    snap = tmp_path / "dup.json"
    snap.write_text(json.dumps(export, ensure_ascii=False), encoding="utf-8")
    result = validate_snapshot(ValidateOptions(snap, corpus, tmp_path / "out", range_bytes=100))
    (record,) = read_jsonl(tmp_path / "out" / "quarantine.jsonl")
    assert record["task_index"] == 5 and record["errors"][0]["code"] == "AK151"
    assert "task id 1 occurs again (first at /0)" in record["errors"][0]["message"]
    assert record["quarantined_annotation_ids"] == [101, 102]  # both valid ones, none lost
    assert result.counts["documents"] == 3 and result.counts["annotations"]["quarantined"] == 2


def test_documents_name_the_annotators_e_mail_from_the_manifest(big, tmp_path):
    """A pulled snapshot's manifest names its annotators (user id -> e-mail): each document
    carries the e-mail beside the id, with one worker and with several; an expanded user's
    own e-mail comes first, and an id the manifest does not know has none."""
    exported, corpus = big
    snap = tmp_path / "snapshot-20261120T100000Z-0123.json"
    snap.write_bytes(exported.read_bytes())
    manifest = snap.with_name(snap.name.removesuffix(".json") + ".manifest.json")
    manifest.write_text(json.dumps({"annotators": {"1": "first@example.org"}}), encoding="utf-8")
    by_workers = {}
    for workers, range_bytes in ((1, 1 << 30), (2, 20_000)):
        out = tmp_path / f"w{workers}"
        validate_snapshot(
            ValidateOptions(snap, corpus, out, workers=workers, range_bytes=range_bytes)
        )
        by_workers[workers] = docs = read_jsonl(out / "documents.jsonl")
        emails = {(d["annotator_id"], d["annotator_email"]) for d in docs}
        assert (1, "first@example.org") in emails and (2, "reviewer@example.org") in emails
        assert {e for i, e in emails if i not in (1, 2)} <= {None}
        assert all(d["annotator"] == str(d["annotator_id"]) or "@" in d["annotator"] for d in docs)
        assert all(matches_schema(d) for d in docs)
    assert by_workers[1] == by_workers[2]
    # an export without a manifest: the ids only, as before
    validate_snapshot(ValidateOptions(exported, corpus, tmp_path / "bare", workers=1))
    bare = read_jsonl(tmp_path / "bare" / "documents.jsonl")
    assert {d["annotator_email"] for d in bare if d["annotator_id"] == 1} == {None}
