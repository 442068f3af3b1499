"""The suggestion loop in a real Label Studio: release v1 -> train -> suggestions for the
articles not yet annotated -> pushed as predictions -> annotators start from them and submit
-> pull, validate -> release v1.1.0, whose manifest records which documents were annotated from
which model's suggestions."""

from __future__ import annotations

import json

import orjson
import pytest

from akhbar.annotation.labelstudio.to_results import document_to_results
from akhbar.corpus.release.manifest import load_manifest
from tests.helpers import REPO, run_akhbar

pytestmark = pytest.mark.labelstudio

SAMPLE = REPO / "corpus" / "sample"


def _ok(*argv):
    code, out, err = run_akhbar(*argv)
    assert code == 0, (argv, out, err)
    return out


def test_release_train_suggest_annotate_release(labelstudio, ls_project, tmp_path):
    corpus, releases = tmp_path / "corpus", tmp_path / "releases"
    _ok("corpus", "build", SAMPLE / "raw", "--out", corpus, "--workers", "1")
    hand = [orjson.loads(x) for x in (SAMPLE / "annotations.jsonl").read_bytes().splitlines()]
    first, later = hand[:14], hand[14:]  # annotated before v1, and the next batch
    (tmp_path / "first.jsonl").write_bytes(b"".join(orjson.dumps(d) + b"\n" for d in first))
    _ok(
        "annotate",
        "validate",
        tmp_path / "first.jsonl",
        "--corpus",
        corpus,
        "--out",
        tmp_path / "v1docs",
    )
    _ok("release", "build", "--version", "1.0.0", "--corpus", corpus, "--documents",
        tmp_path / "v1docs", "--out", releases, "--workers", "1")  # fmt: skip
    _ok("suggest", "train", releases / "v1.0.0", "--out", tmp_path / "model",
        "--unlabelled", corpus)  # fmt: skip
    pre = tmp_path / "pre.jsonl"
    _ok("suggest", "predict", tmp_path / "model", "--corpus", corpus, "--out", pre,
        "--skip", tmp_path / "v1docs" / "documents.jsonl")  # fmt: skip
    suggestions = {d["article_id"]: d for d in map(orjson.loads, pre.read_bytes().splitlines())}
    assert set(suggestions) == {d["article_id"] for d in later}
    version = next(iter(suggestions.values()))["model_version"]

    # The annotated articles go in with their annotations, the others with suggestions.
    out = _ok("annotate", "push", corpus, "--project", ls_project, "--no-progress",
              "--annotations", tmp_path / "first.jsonl", "--predictions", pre,
              "--order", "uncertain", *labelstudio.cli_args())  # fmt: skip
    assert f"{len(later)} predictions and {len(first)} annotations imported" in out

    # Annotators open the suggested tasks and submit their corrected version (the hand
    # annotation); Label Studio records the prediction each one started from.
    with labelstudio.client() as c:
        pid = c.find_project(ls_project)["id"]
        tasks = {t["data"]["article_id"]: t["id"] for t in c.iter_tasks(pid)}
        prediction_of = {p["task"]: p["id"] for p in c.predictions(pid)}
        for doc in later:
            task = tasks[doc["article_id"]]
            c.create_annotation(
                task, document_to_results(doc), parent_prediction=prediction_of[task], project=pid
            )

    _ok("annotate", "pull", "--project", ls_project, "--out", tmp_path / "snap",
        *labelstudio.cli_args())  # fmt: skip
    (snap,) = [p for p in (tmp_path / "snap").glob("snapshot-*.json") if "manifest" not in p.name]
    _ok("annotate", "validate", snap, "--corpus", corpus, "--out", tmp_path / "v2docs")
    docs = [
        orjson.loads(x) for x in (tmp_path / "v2docs" / "documents.jsonl").read_bytes().splitlines()
    ]
    assert len(docs) == len(hand)
    by_id = {d["article_id"]: d for d in docs}
    for d in later:  # the submitted annotation, not the suggestion, and where it came from
        got = by_id[d["article_id"]]
        assert got["suggested_by"] == version
        assert sorted((e["start"], e["end"], e["label"]) for e in got["entities"]) == sorted(
            (e["start"], e["end"], e["label"]) for e in d["entities"]
        )
    assert all("suggested_by" not in by_id[d["article_id"]] for d in first)

    _ok("release", "build", "--version", "1.1.0", "--corpus", corpus, "--documents",
        tmp_path / "v2docs", "--out", releases, "--workers", "1")  # fmt: skip
    manifest = load_manifest(releases / "v1.1.0")
    per_split = {s: v.get("suggested_by", {}) for s, v in manifest["labels"].items()}
    assert sum(n.get(version, 0) for n in per_split.values()) == len(later)
    assert all(set(n) <= {version} for n in per_split.values())
    assert "suggested_by" not in json.dumps(load_manifest(releases / "v1.0.0")["labels"])
