"""Adjudication in a real browser: Chromium on Label Studio 1.23.2, Community Edition.

A curator (the admin, through the command line) pushes one article with ``--overlap 2``; two
annotators (accounts of their own) annotate it and disagree (B narrows a boundary, and with
it a Target argument, and relabels an entity: ``tests/helpers/team_versions.py``).
``annotate adjudicate --push`` posts the proposal and what it could not decide. The
adjudicator signs up through the invite link in the browser, opens the task from the Data
Manager, sees the proposal (scored by the task's agreement) and the conflicts (a dropped
span's details name who marked it and each annotator's version), and accepts the proposal
the way the team how-to says: the proposal's tab, ⋮ → Duplicate Annotation, adds the entity
the majority dropped where annotator A was right, Submit. Then ``annotate resolve``, pull,
validate and agreement: the resolution is selected and counted under adjudications, never as
a version.
"""

from __future__ import annotations

import uuid

import orjson
import pytest

from akhbar.annotation.labelstudio import team_calls
from akhbar.annotation.labelstudio.to_results import document_to_results
from akhbar.annotation.push.corpus_push import existing_tasks
from akhbar.schemas import taxonomy
from tests.helpers import run_akhbar, sample_articles
from tests.helpers.labelstudio_ui import VIEWPORT, LabelingPage
from tests.helpers.team_versions import span, versions

pytestmark = [pytest.mark.browser, pytest.mark.labelstudio]

ADJUDICATOR = f"adjudicator-{uuid.uuid4().hex[:8]}@example.org"  # new on any server
DEPOTS = "مخازن للأسلحة والذخيرة"  # FAC for A, LOC for B: the majority keeps neither


def pull(ls_project, server, out):
    code, _, err = run_akhbar("annotate", "pull", "--project", ls_project, "--out", out, *server)
    assert code == 0, err
    return next(p for p in out.glob("snapshot-*.json") if "manifest" not in p.name)


def jsonl(path):
    return [orjson.loads(line) for line in path.read_bytes().splitlines()]


def test_the_adjudicator_accepts_a_proposal_in_the_browser(
    chromium_browser, labelstudio, ls_project, write_corpus, tmp_path
):
    (row,) = sample_articles(1, prefix="art_adj_ui")
    corpus = write_corpus([row])
    text = row["text"]
    server = labelstudio.cli_args()
    code, _, err = run_akhbar(
        "annotate", "push", corpus, "--project", ls_project, "--overlap", "2", "--no-progress",
        *server,
    )  # fmt: skip
    assert code == 0, err
    code, invite, _ = run_akhbar("studio", "invite", *server)
    assert code == 0
    docs = versions(text)
    with labelstudio.client() as c:
        pid = c.find_project(ls_project)["id"]
        task = existing_tasks(c, pid)[row["id"]].task_id
        a = team_calls.ensure_user(c, "annotator-a-ui@example.org")
        b = team_calls.ensure_user(c, "annotator-b-ui@example.org")
        admin = c.whoami()
        team_calls.annotate_as(c, task, a["id"], document_to_results(docs["a"]))
        team_calls.annotate_as(c, task, b["id"], document_to_results(docs["b"]))

    snap = pull(ls_project, server, tmp_path / "snap1")
    code, _, err = run_akhbar(
        "annotate", "agreement", snap, "--corpus", corpus, "--out", tmp_path / "agr1"
    )
    assert code == 0, err
    before = orjson.loads((tmp_path / "agr1" / "agreement.json").read_bytes())
    code, out, err = run_akhbar(
        "annotate", "adjudicate", snap, "--corpus", corpus, "--out", tmp_path / "adj", "--push",
        *server,
    )  # fmt: skip
    assert code == 0, err
    assert "proposed  1 tasks to the adjudicator" in out
    with labelstudio.client() as c:
        preds = {p["model_version"]: p for p in c.predictions(pid)}
    proposal = preds["akhbar-adjudication-majority"]
    conflicts = preds["akhbar-adjudication-conflicts"]

    ctx = chromium_browser.new_context(viewport=VIEWPORT)  # nobody logged in
    ui = LabelingPage(ctx.new_page(), labelstudio.url)
    try:
        ui.sign_up(invite.strip(), ADJUDICATOR, "a-Long-pass-2026")
        ui.open_task(pid, task, own=False)  # an annotator's work is shown first
        # the proposal's tab, with the task's agreement as its score: 8 of 14 items alike
        tab = ui.prediction_tab(proposal["id"])
        assert "57.14%" in tab.inner_text()
        # the conflicts: each dropped span, who marked it, every annotator's version
        ui.show(ui.prediction_tab(conflicts["id"]))
        ui.wait_regions(5)  # FAC مواقع, FAC مواقع للمسلحين, the depots FAC and LOC, قصفت
        ui.page.mouse.click(*ui.center(*span(text, DEPOTS)))
        details = ui.page.get_by_text("dropped: marked by", exact=False).first
        details.wait_for()
        said = details.inner_text()
        assert a["email"] in said and b["email"] in said
        assert f"FAC «{DEPOTS}»" in said and f"LOC «{DEPOTS}»" in said
        # accept it as Community Edition allows: ⋮ → Duplicate Annotation, edit, Submit
        ui.show(tab)
        ui.wait_regions(5)  # the four entities all agreed on, and the trigger
        ui.duplicate(tab)
        ui.wait_regions(5)
        keys = {e.name: e.hotkey for e in taxonomy.load().entities}
        ui.label(keys["FAC"], *span(text, DEPOTS))  # A was right about the depots
        with ui.page.expect_response(
            lambda r: r.request.method == "POST" and "/annotations" in r.url
        ) as posted:
            ui.page.get_by_role("button", name="Submit").click()
        assert posted.value.status == 201, posted.value.text()[:300]
        resolution = posted.value.json()
    except BaseException:
        ui.page.screenshot(path=str(tmp_path / "failure.png"))
        print(f"screenshot of the failure: {tmp_path / 'failure.png'}")
        raise
    finally:
        ctx.close()
    assert resolution["parent_prediction"] == proposal["id"]
    adjudicator = resolution["completed_by"]
    assert adjudicator not in (a["id"], b["id"], admin["id"])

    # Label Studio is told: the resolution becomes ground truth, once
    code, out, err = run_akhbar("annotate", "resolve", "--project", ls_project, *server)
    assert code == 0, err
    assert "1 resolutions marked ground truth, 0 already were" in out
    with labelstudio.client() as c:
        gt = {x["id"]: x["ground_truth"] for x in team_calls.annotations(c, task)}
    assert gt == {resolution["id"]: True, **{i: False for i in gt if i != resolution["id"]}}

    snap2 = pull(ls_project, server, tmp_path / "snap2")
    code, out, err = run_akhbar(
        "annotate", "validate", snap2, "--corpus", corpus, "--out", tmp_path / "val"
    )
    assert code == 0, err
    assert "released unresolved" not in out
    (doc,) = jsonl(tmp_path / "val" / "documents.jsonl")
    assert (doc["annotation_id"], doc["selection"]) == (resolution["id"], "ground_truth")
    assert (doc["annotator_id"], doc["annotator_email"]) == (adjudicator, ADJUDICATOR)
    kept = {(e["text"], e["label"]) for e in doc["entities"]}
    agreed = {(e["text"], e["label"]) for e in docs["a"]["entities"]} & {
        (e["text"], e["label"]) for e in docs["b"]["entities"]
    }
    assert kept == agreed | {(DEPOTS, "FAC")}  # the proposal and the adjudicator's edit

    code, _, err = run_akhbar(
        "annotate", "agreement", snap2, "--corpus", corpus, "--out", tmp_path / "agr2"
    )
    assert code == 0, err
    after = orjson.loads((tmp_path / "agr2" / "agreement.json").read_bytes())
    assert after["read"]["adjudications"] == 1 and after["resolution"]["adjudicated"] == 1
    # the resolution is no version: the same two annotators, the same figures
    assert after["annotators"] == before["annotators"] == sorted([a["email"], b["email"]])
    assert ADJUDICATOR not in after["by_annotator"]
    for figure in ("entities", "events", "pairs", "by_annotator"):
        assert after[figure] == before[figure], figure
