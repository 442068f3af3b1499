"""Suggestions in a real Label Studio: pushed with the model's predictions, the project shows
them pre-filled (its model version selected) and, with ``--order uncertain``, the label stream
hands out the least certain article first."""

from __future__ import annotations

import orjson
import pytest

from tests.helpers import run_akhbar

pytestmark = pytest.mark.labelstudio


@pytest.fixture(scope="module")
def built(sample_model):
    return sample_model


def test_pushed_suggestions_are_shown_least_certain_first(labelstudio, ls_project, built, tmp_path):
    pre = tmp_path / "pre.jsonl"
    code, _, err = run_akhbar(
        "suggest", "predict", built["model"], "--corpus", built["corpus"], "--out", pre
    )
    assert code == 0, err
    docs = [orjson.loads(x) for x in pre.read_bytes().splitlines()]
    version = docs[0]["model_version"]
    args = ["annotate", "push", built["corpus"], "--project", ls_project, "--no-progress"]
    code, out, err = run_akhbar(
        *args, "--predictions", pre, "--order", "uncertain", *labelstudio.cli_args()
    )
    assert code == 0, err
    assert f"{len(docs)} predictions and 0 annotations imported" in out
    assert f"annotators see the predictions of {version} pre-filled, least certain first" in out
    with labelstudio.client() as c:
        project = c.find_project(ls_project)
        assert project["show_collab_predictions"] is True
        assert project["model_version"] == version
        assert project["sampling"] == "Uncertainty sampling"
        stored = c.predictions(project["id"])
        assert len(stored) == len(docs)
        assert {p["model_version"] for p in stored} == {version}
        # The label stream: the task it hands out first is the least certain article's.
        first = c.raw("GET", f"/api/projects/{project['id']}/next", retry=False)
    lowest = min(docs, key=lambda d: d["score"])
    assert first["data"]["article_id"] in {
        d["article_id"] for d in docs if d["score"] == lowest["score"]
    }
    # The task as the labelling view gets it carries the suggestion as a prediction.
    shown = [p for p in first.get("predictions", []) if p.get("model_version") == version]
    assert shown and len(shown[0]["result"]) == len(lowest["entities"]) + len(lowest["events"])


def test_order_uncertain_without_predictions_is_refused_before_a_push(
    labelstudio, ls_project, built
):
    code, _, err = run_akhbar(
        "annotate", "push", built["corpus"], "--project", ls_project, "--order", "uncertain",
        *labelstudio.cli_args(),
    )  # fmt: skip
    assert code == 2 and "--order uncertain needs predictions" in err
    with labelstudio.client() as c:
        assert c.find_project(ls_project) is None
