"""The one export reader: ranges first, the rest exactly from the first range that fails."""

from __future__ import annotations

import json

import orjson

from akhbar.annotation.labelstudio import export_reader
from akhbar.corpus.runtime.executor import LocalExecutor


def _export(tmp_path, n, trap_at=None):
    """n tasks as Label Studio writes them; task ``trap_at`` holds, nested in its data, what
    looks like the gap between two tasks (a cut there is wrong, and must be noticed)."""
    tasks = []
    for i in range(n):
        data = {"text": f"نص المقال {i} " * 5, "article_id": f"a{i}"}
        if i == trap_at:
            data["nested"] = [{"a": 1}, {"id": 7, "annotations": [], "b": "x" * 700}]
        tasks.append({"id": i, "annotations": [], "data": data})
    path = tmp_path / "export.json"
    path.write_text(json.dumps(tasks, ensure_ascii=False, indent=1), encoding="utf-8")
    return path, tasks


def _ids(batch, seq=None):
    return [t["id"] for t in batch]


def _range_ids(path, r):
    return _ids(export_reader.parse_range(path, r.start, r.end))


def test_every_task_comes_once_in_order_by_ranges(tmp_path):
    path, _ = _export(tmp_path, 60)
    parts = list(
        export_reader.read(path, lambda r: _range_ids(path, r), _ids, LocalExecutor(), 600)
    )
    assert len(parts) > 3 and all(p.range is not None and p.tasks is None for p in parts)
    assert [i for p in parts for i in p.result] == list(range(60))


def test_a_wrong_cut_hands_the_rest_to_exact_reading(tmp_path):
    path, _ = _export(tmp_path, 60, trap_at=30)
    calls = []

    def on_tasks(batch, seq):
        calls.append(seq)
        return _ids(batch)

    parts = list(
        export_reader.read(path, lambda r: _range_ids(path, r), on_tasks, LocalExecutor(), 600)
    )
    exact = [p for p in parts if p.range is None]
    assert exact and parts[-1].range is None and calls[0] == 1 << 30
    assert all(p.tasks is not None and _ids(p.tasks) == p.result for p in exact)
    assert [i for p in parts for i in p.result] == list(range(60))
    assert list(export_reader.iter_tasks(path)) == orjson.loads(path.read_bytes())
