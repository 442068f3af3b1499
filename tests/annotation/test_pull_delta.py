"""The incremental pull's parts without a server: the canonical form, snapshot lines and their
index, the merge, finding deleted tasks by counting ranges (against an httpx.MockTransport
that answers the task listing's queries from a set of ids), and choosing the base snapshot."""

from __future__ import annotations

import bisect
import json
from pathlib import Path

import httpx
import orjson
import pytest
from hypothesis import given
from hypothesis import strategies as st

from akhbar.annotation import pull_delta
from akhbar.annotation.labelstudio import export_reader, snapshot_canon
from akhbar.annotation.labelstudio.client import Client

# One task as Label Studio 1.23.2 gives it in a JSON export and in the task listing
# (``GET /api/tasks?fields=all``), shapes as read from the two serializers and a real server.
ANN = {
    "id": 7,
    "completed_by": 1,
    "result": [{"id": "r1", "type": "labels", "value": {"start": 0, "end": 4, "labels": ["GPE"]}}],
    "was_cancelled": False,
    "ground_truth": True,
    "created_at": "2026-12-07T10:24:27.093239Z",
    "updated_at": "2026-12-07T10:24:28.000001Z",
    "draft_created_at": None,
    "lead_time": 3.5,
    "import_id": None,
    "last_action": None,
    "bulk_created": False,
    "task": 3,
    "project": 1,
    "updated_by": 1,
    "parent_prediction": None,
    "parent_annotation": None,
    "last_created_by": None,
}
SKIP = {
    **ANN,
    "id": 5,
    "result": [],
    "was_cancelled": True,
    "ground_truth": False,
    "lead_time": None,
}
PRED = {
    "id": 2,
    "result": [],
    "model_version": "m1",
    "created_ago": "3\u00a0minutes",
    "score": 0.5,
    "cluster": None,
    "neighbors": None,
    "mislabeling": 0.0,
    "created_at": "2026-12-07T10:24:29.5Z",
    "updated_at": "2026-12-07T10:24:29.5Z",
    "model": None,
    "model_run": None,
    "task": 3,
    "project": 1,
}
COMMON = {
    "data": {"text": "قصفت الطائرات\nمواقع", "article_id": "art_1"},
    "meta": {"sha256": "ab"},
    "created_at": "2026-12-07T10:20:00.1Z",
    "updated_at": "2026-12-07T10:24:28.000002Z",
    "inner_id": 3,
    "total_annotations": 1,
    "cancelled_annotations": 1,
    "total_predictions": 1,
    "comment_count": 0,
    "unresolved_comment_count": 0,
    "last_comment_updated_at": None,
    "project": 1,
    "comment_authors": [],
}
EXPORTED = {
    "id": 3,
    "annotations": [
        {**ANN, "prediction": {}, "result_count": 1, "unique_id": "53a0"},
        {**SKIP, "prediction": {}, "result_count": 0, "unique_id": "9d23"},
    ],
    "drafts": [11],
    "predictions": [PRED],
    **{k: COMMON[k] for k in ("data", "meta", "created_at", "updated_at")},
    "allow_skip": True,
    **{k: v for k, v in COMMON.items() if k not in ("data", "meta", "created_at", "updated_at")},
    "updated_by": 1,
}
LISTED = {
    "id": 3,
    "predictions": [{**PRED, "created_ago": "1\u00a0hour"}],
    "annotations": [
        {"created_username": " admin@localhost, 1", "created_ago": "0\u00a0minutes", **a}
        for a in (SKIP, ANN)  # another order
    ],
    "drafts": [{"id": 11, "user": "admin@localhost", "result": []}],
    "annotators": [1],
    "completed_at": "2026-12-07T10:24:27Z",
    "annotations_results": "",
    "file_upload": None,
    "storage_filename": None,
    "draft_exists": True,
    "updated_by": [{"user_id": 1}],
    "is_labeled": True,
    "overlap": 1,
    **COMMON,
}


def test_an_exported_and_a_listed_task_have_one_canonical_form():
    line = snapshot_canon.dumps(EXPORTED)
    assert line == snapshot_canon.dumps(LISTED)
    task = orjson.loads(line)
    assert list(task) == list(snapshot_canon.TASK_KEYS)
    assert [a["id"] for a in task["annotations"]] == [5, 7]
    assert list(task["annotations"][1]) == list(snapshot_canon.ANNOTATION_KEYS)
    assert "created_ago" not in task["predictions"][0] and task["updated_by"] == 1
    assert line.startswith(b'{"id":3,"annotations":[') and b"\n" not in line
    assert task["data"]["text"] == COMMON["data"]["text"]  # a newline in a text stays escaped


def _task(tid: int, text: str, n_ann: int = 1, cancelled: bool = False) -> dict:
    anns = [
        {**ANN, "id": tid * 10 + k, "task": tid, "was_cancelled": cancelled and k == 0}
        for k in range(n_ann)
    ]
    return {**COMMON, "id": tid, "data": {"text": text}, "annotations": anns, "predictions": []}


def _write(path: Path, tasks: list[dict]) -> snapshot_canon.Writer:
    with path.open("wb") as f:
        w = snapshot_canon.Writer(f)
        for t in tasks:
            w.write_task(t)
        w.finish()
    return w


texts = st.text(st.characters(codec="utf-8", exclude_categories=["Cs"]), max_size=40)


@given(st.dictionaries(st.integers(1, 10**9), texts, max_size=30))
def test_a_written_snapshot_indexes_back_line_for_line_and_reads_as_an_export(
    tmp_path_factory, by_id
):
    path = tmp_path_factory.mktemp("snap") / "s.json"
    tasks = [_task(tid, by_id[tid]) for tid in sorted(by_id)]
    w = _write(path, tasks)
    idx = snapshot_canon.index(path)
    assert list(idx.ids) == sorted(by_id) and idx.sha256 == w.sha.hexdigest()
    lines = list(snapshot_canon.read_lines(path, list(idx.starts), list(idx.lengths)))
    assert lines == [snapshot_canon.dumps(t) for t in tasks]
    assert json.loads(path.read_bytes()) == [json.loads(x) for x in lines]
    start = export_reader.first_element(path)
    assert [t["id"] for t in export_reader.exact_tasks(path, start)] == sorted(by_id)


def test_an_unsorted_or_foreign_file_is_not_taken_as_a_base(tmp_path):
    path = tmp_path / "s.json"
    path.write_bytes(
        b"[\n"
        + snapshot_canon.dumps(_task(2, "b"))
        + b",\n"
        + snapshot_canon.dumps(_task(1, "a"))
        + b"\n]\n"
    )
    with pytest.raises(pull_delta.InputError, match="not a canonical task after task 2"):
        snapshot_canon.index(path)
    path.write_text(json.dumps([_task(1, "a")], indent=2))
    with pytest.raises(pull_delta.InputError, match="canonical form"):
        snapshot_canon.index(path)


def test_the_merge_applies_changes_additions_and_deletions(tmp_path):
    base = [_task(i, f"text {i}") for i in (1, 2, 3, 5, 8, 11, 12, 13)]
    base_path = tmp_path / "base.json"
    w = _write(base_path, base)
    manifest = {"counts": w.counts.as_dict()}
    idx = snapshot_canon.index(base_path)
    # 2: an annotation more; 3: deleted; 5: its annotation cancelled; 6 and 9 new; 8 same.
    changed = {
        2: _task(2, "text 2", n_ann=2),
        5: _task(5, "text 5", cancelled=True),
        6: _task(6, "six", n_ann=0),
        8: base[4],
        9: _task(9, "nine"),
    }
    with (tmp_path / "delta").open("w+b") as df:
        delta = pull_delta.Delta(df)
        for tid, t in changed.items():
            delta.add(snapshot_canon.dumps(t), tid)
        union = pull_delta._merge_sorted(idx.ids, [6, 9])
        writer, stats = pull_delta._write_merged(
            tmp_path / "merged.json", idx, delta, union, {3}, manifest
        )
    want = [base[0], changed[2], changed[5], changed[6], base[4], changed[9], *base[5:]]
    expected = _write(tmp_path / "expected.json", want)
    assert (tmp_path / "merged.json").read_bytes() == (tmp_path / "expected.json").read_bytes()
    assert writer.counts == expected.counts and writer.sha.hexdigest() == expected.sha.hexdigest()
    assert stats == {
        "tasks": {"added": 2, "changed": 2, "removed": 1},
        "annotations": {"added": 2, "changed": 1, "removed": 1},
    }


class ListingStandIn:
    """Stand-in for the task listing's answers, from a set of task ids (no server needed for
    the counting logic): ``id`` range counts and id lists, as Label Studio's Data Manager
    answers them. Counts the requests."""

    def __init__(self, ids: set[int]) -> None:
        self.ids = sorted(ids)
        self.requests = 0

    def __call__(self, request: httpx.Request) -> httpx.Response:
        self.requests += 1
        query = json.loads(request.url.params["query"])
        size = int(request.url.params["page_size"])
        found = self.ids
        for item in query["filters"]["items"]:
            op, v = item["operator"], item["value"]
            if op == "in":
                found = found[
                    bisect.bisect_left(found, v["min"]) : bisect.bisect_right(found, v["max"])
                ]
            elif op == "greater":
                found = [i for i in found if i > v]
            elif op == "less_or_equal":
                found = [i for i in found if i <= v]
        body = {"tasks": [{"id": i} for i in found[:size]], "total": len(found)}
        return httpx.Response(200, json=body)


def test_deleted_tasks_are_found_by_counting_ranges_of_ids():
    ours = list(range(1, 5001, 2))  # 2500 tasks
    gone = {1, 777, 2999, 3001, 4999}
    server = ListingStandIn(set(ours) - gone)
    with Client("http://ls.test", "0" * 40, transport=httpx.MockTransport(server)) as c:
        found, queries = pull_delta._deleted(c, 1, ours, len(ours) - len(gone))
        assert found == gone and queries == server.requests
        assert queries < 12 * len(gone)  # about log2(2500 / 64) requests per deleted task
        nothing, n = pull_delta._deleted(c, 1, [i for i in ours if i not in gone], len(server.ids))
        assert nothing == set() and n == 0
        many = list(range(1, 200_001, 2))  # 100,000 tasks, every 50th deleted: 2000 ranges
        server.ids = [i for k, i in enumerate(many) if k % 50]
        with pytest.raises(pull_delta.Fallback, match="too many to find one by one"):
            pull_delta._deleted(c, 1, many, len(server.ids))


def test_the_base_is_the_latest_canonical_snapshot_of_the_same_project(tmp_path):
    def manifest(name: str, pid: int, created: str, **extra) -> None:
        (tmp_path / f"{name}.json").write_text("[\n]\n")
        body = {  # as pull writes it (schemas/snapshot_manifest.schema.json)
            "snapshot": f"{name}.json",
            "sha256": "0" * 64,
            "bytes": 4,
            "method": "snapshot",
            "counts": {"tasks": 0},
            "project": {"id": pid},
            "created": created,
            "canonical": snapshot_canon.CANONICAL,
            "server_time": created,
            **extra,
        }
        (tmp_path / f"{name}.manifest.json").write_text(json.dumps(body))

    assert pull_delta.find_base(tmp_path, 4) == (None, "")
    manifest("snapshot-a", 4, "2026-12-01T00:00:00Z")
    manifest("snapshot-b", 4, "2026-12-03T00:00:00Z")
    manifest("snapshot-c", 9, "2026-12-05T00:00:00Z")
    base, _ = pull_delta.find_base(tmp_path, 4)
    assert base.path.name == "snapshot-b.json" and base.started.isoformat().startswith("2026-12-03")
    manifest("snapshot-d", 4, "2026-12-04T00:00:00Z", canonical=None)
    base, why = pull_delta.find_base(tmp_path, 4)
    assert base is None and "older akhbar" in why
