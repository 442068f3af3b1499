"""An annotator corrects suggestions in a real browser: Chromium on Label Studio 1.23.2.

The task opens with the suggestions pushed as predictions already drawn as regions (the push
selected their model version); the annotator deletes a wrong one, fixes a boundary (deletes
the region and draws the right span), adds a missing entity and submits. ``annotate pull`` and
``validate`` then give exactly the corrected set, recorded as made from that model's
suggestions; the prediction itself stays a prediction.
"""

from __future__ import annotations

import uuid

import orjson
import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from akhbar.schemas import taxonomy
from tests.helpers import run_akhbar, sample_articles

pytestmark = [pytest.mark.browser, pytest.mark.labelstudio]

TEXT = "قال المتحدث باسم الشرطة إن مسلحين هاجموا حاجزا في الموصل صباح الخميس."
MODEL = "akhbar-test@1.0.0+crf-0123456789ab"


def at(word: str) -> tuple[int, int]:
    s = TEXT.index(word)
    return s, s + len(word)


def test_an_annotator_corrects_suggestions(labeling_page, labelstudio, tmp_path):
    (row,) = sample_articles(1, "art_suggest_ui")
    row["text"] = TEXT
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    pq.write_table(pa.Table.from_pylist([row]), corpus / "articles.parquet")
    suggested = [
        ("PER", *at("المتحدث")),  # wrong: to delete
        ("ORG", *at("باسم الشرطة")),  # one word too many: to re-bound to الشرطة
        ("GPE", *at("الموصل")),  # right: kept
    ]  # الخميس (TIME) is missing: to add
    doc = {
        "article_id": row["id"], "text": TEXT, "task_id": None, "annotation_id": None,
        "model_version": MODEL, "score": 0.4, "events": [],
        "entities": [
            {"id": f"e{i}", "start": s, "end": e, "text": TEXT[s:e], "label": label}
            for i, (label, s, e) in enumerate(suggested, 1)
        ],
    }  # fmt: skip
    pre = tmp_path / "pre.jsonl"
    pre.write_bytes(orjson.dumps(doc) + b"\n")
    title = f"suggest {uuid.uuid4().hex[:8]}"
    code, _, err = run_akhbar(
        "annotate", "push", corpus, "--project", title, "--predictions", pre,
        "--order", "uncertain", *labelstudio.cli_args(),
    )  # fmt: skip
    assert code == 0, err
    with labelstudio.client() as c:
        pid = c.find_project(title)["id"]
        (task,) = [t["id"] for t in c.iter_tasks(pid)]
    try:
        ui = labeling_page
        ui.open_task(pid, task)
        ui.wait_regions(3)  # the suggestions, drawn as regions before anyone touches them

        def delete_region(s: int, e: int) -> None:
            before = ui.regions()
            ui.page.mouse.click(*ui.center(s, e))
            ui.page.wait_for_selector("span.htx-highlight.__active, .lsf-outliner-item_selected")
            ui.page.keyboard.press("Backspace")
            ui.wait_regions(before - 1)

        keys = {e.name: e.hotkey for e in taxonomy.load().entities}
        delete_region(*at("المتحدث"))
        delete_region(*at("باسم الشرطة"))
        ui.clear_selection()
        ui.label(keys["ORG"], *at("الشرطة"))
        ui.label(keys["TIME"], *at("الخميس"))
        ui.submit()

        snaps = tmp_path / "snapshots"
        code, _, err = run_akhbar(
            "annotate", "pull", "--project", title, "--out", snaps, *labelstudio.cli_args()
        )
        assert code == 0, err
        (snap,) = [p for p in snaps.glob("snapshot-*.json") if ".manifest" not in p.name]
        code, report, err = run_akhbar(
            "annotate", "validate", snap, "--corpus", corpus, "--out", tmp_path / "validated"
        )
        assert code == 0, report + err
        (got,) = [
            orjson.loads(x)
            for x in (tmp_path / "validated" / "documents.jsonl").read_bytes().splitlines()
        ]
        assert sorted((e["label"], e["start"], e["end"]) for e in got["entities"]) == sorted(
            [("ORG", *at("الشرطة")), ("GPE", *at("الموصل")), ("TIME", *at("الخميس"))]
        )
        assert got["suggested_by"] == MODEL
        with labelstudio.client() as c:  # the suggestion is still there, as it was pushed
            (p,) = c.predictions(pid)
        assert p["model_version"] == MODEL and len(p["result"]) == 3
    finally:
        with labelstudio.client() as c:
            c.delete_project(pid)
