"""The snapshot manifest that the next pull starts from is checked for its shape: one of the
wrong shape is never a traceback, the pull takes a full export and says why."""

from __future__ import annotations

import json

import pytest

from akhbar.annotation import pull_delta
from akhbar.annotation.labelstudio import snapshot_canon

SNAPSHOT = "snapshot-20261207T101500Z-" + "a" * 12 + ".json"


def _manifest(**changes):
    m = {
        "snapshot": SNAPSHOT,
        "sha256": "a" * 64,
        "bytes": 12,
        "created": "2026-12-07T10:15:00Z",
        "format": "label-studio JSON export",
        "canonical": snapshot_canon.CANONICAL,
        "method": "snapshot",
        "project": {"id": 7, "title": "news"},
        "label_config_sha256": "b" * 64,
        "label_studio_version": "1.20.0",
        "server_time": "2026-12-07T10:14:59.123456Z",
        "counts": {"tasks": 1, "annotations": 0},
    }
    m.update(changes)
    return m


def _write(tmp_path, manifest):
    (tmp_path / SNAPSHOT).write_text("[]\n", encoding="utf-8")
    name = SNAPSHOT.removesuffix(".json") + ".manifest.json"
    (tmp_path / name).write_text(json.dumps(manifest), encoding="utf-8")


def test_a_manifest_as_pull_writes_it_is_a_base(tmp_path):
    _write(tmp_path, _manifest())
    base, why = pull_delta.find_base(tmp_path, 7)
    assert why == "" and base is not None and base.path.name == SNAPSHOT
    assert base.started.year == 2026
    assert pull_delta.find_base(tmp_path, 8) == (None, "")  # another project's: not a base


@pytest.mark.parametrize(
    ("changes", "said"),
    [
        ({"counts": {"tasks": "many"}}, "counts.tasks: expected a count"),
        ({"sha256": 5}, "sha256: expected a sha256"),
        ({"snapshot": "../../etc/passwd"}, "snapshot: expected the snapshot's file name"),
        ({"server_time": "yesterday"}, "server_time 'yesterday' is not a time"),
        ({"project": {"id": 7, "title": 3}}, "project.title: expected the project's title"),
    ],
)
def test_a_manifest_of_the_wrong_shape_means_a_full_export_and_says_why(tmp_path, changes, said):
    _write(tmp_path, _manifest(**changes))
    base, why = pull_delta.find_base(tmp_path, 7)
    assert base is None and said in why, why


def test_a_manifest_whose_project_is_not_a_mapping_is_not_taken_for_one(tmp_path):
    _write(tmp_path, _manifest(project=[7]))
    assert pull_delta.find_base(tmp_path, 7) == (None, "")
