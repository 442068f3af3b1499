"""Adjudication a Community Edition team can finish, against a real Label Studio.

Two articles pushed with ``--overlap 2``. On the first, annotator A (an account of its own) and
annotator B disagree (B narrows a boundary, and with it a Target argument, and relabels an
entity). On the second, the admin who also annotates and B disagree on one entity. ``adjudicate
--push`` proposes both, scored by agreement, with what the majority could not decide as a
second prediction. Then, as Community Edition allows: the adjudicator (an account of its own,
signed up through the invite link) duplicates the first proposal, adds the entity it had
dropped and submits, posting exactly what the browser posts (session cookie and CSRF token,
``parent_prediction`` set); the admin does the same on the second task. Pull, validate and
agreement must select both resolutions, count them under adjudications and never as a version
of their maker; ``annotate resolve`` marks them ground truth, once.
"""

from __future__ import annotations

import orjson
import pytest

from akhbar.annotation.labelstudio import team_calls
from akhbar.annotation.labelstudio.calls import http_client
from akhbar.annotation.labelstudio.to_results import document_to_results
from akhbar.annotation.push.corpus_push import existing_tasks
from tests.helpers import run_akhbar, sample_articles
from tests.helpers.team_versions import entity, versions

pytestmark = pytest.mark.labelstudio

ADJUDICATOR = "adjudicator@example.org"


def sign_up_and_log_in(url: str, invite: str, email: str, password: str):
    """A browser session of a new teammate: the invite link's sign-up form, as a browser
    fills it in (the session stays logged in)."""
    s = http_client(60.0, base_url=url, follow_redirects=False)
    s.get(invite)
    r = s.post(
        invite,
        data={
            "csrfmiddlewaretoken": s.cookies.get("csrftoken"),
            "email": email,
            "password": password,
        },
        headers={"Referer": invite},
    )
    assert r.status_code == 302, r.text[:300]
    assert s.get("/api/current-user/whoami").json()["email"] == email
    return s


def submit_from_prediction(session, project_id: int, task_id: int, prediction: dict, result):
    """What Label Studio's editor posts on Submit after ⋮ → "Duplicate Annotation" of a
    prediction: the (edited) result with the prediction as ``parent_prediction``."""
    r = session.post(
        f"/api/tasks/{task_id}/annotations/?project={project_id}",
        json={
            "lead_time": 42.5,
            "result": result,
            "draft_id": 0,
            "parent_prediction": prediction["id"],
            "parent_annotation": None,
            "started_at": "2026-01-01T10:00:00.000Z",
            "project": str(project_id),
        },
        headers={"X-CSRFToken": session.cookies.get("csrftoken"), "Referer": str(session.base_url)},
    )
    assert r.status_code == 201, r.text[:300]
    return r.json()


def pull(ls_project, server, out):
    code, _, err = run_akhbar("annotate", "pull", "--project", ls_project, "--out", out, *server)
    assert code == 0, err
    return next(p for p in out.glob("snapshot-*.json") if "manifest" not in p.name)


def jsonl(path):
    return [orjson.loads(line) for line in path.read_bytes().splitlines()]


def test_adjudicator_account_duplicates_the_proposal_and_the_resolution_is_no_version(
    labelstudio, ls_project, write_corpus, tmp_path
):
    rows = sample_articles(2, prefix="art_adj")
    corpus = write_corpus(rows)
    text, text2 = rows[0]["text"], rows[1]["text"]
    server = labelstudio.cli_args()
    code, _, err = run_akhbar(
        "annotate", "push", corpus, "--project", ls_project, "--overlap", "2", "--no-progress",
        *server,
    )  # fmt: skip
    assert code == 0, err
    code, out, err = run_akhbar("studio", "invite", *server)
    assert code == 0
    assert "no annotator role" in err and "Label All Tasks" in err and "task lock" in err
    assert "an account of its own" in err
    invite = out.strip()

    docs = versions(text)
    police = {"entities": [entity(text2, "e1", "ORG", "الشرطة")], "events": []}
    both = {
        "entities": [
            entity(text2, "e1", "ORG", "الشرطة"),
            entity(text2, "e2", "ORG", "وزارة الداخلية"),
        ],
        "events": [],
    }
    with labelstudio.client() as c:
        project = c.find_project(ls_project)
        pid = project["id"]
        tasks = existing_tasks(c, pid)
        t1, t2 = tasks[rows[0]["id"]].task_id, tasks[rows[1]["id"]].task_id
        a = team_calls.ensure_user(c, "annotator-a@example.org")
        b = team_calls.ensure_user(c, "annotator-b@example.org")
        admin = c.whoami()
        team_calls.annotate_as(c, t1, a["id"], document_to_results(docs["a"]))
        team_calls.annotate_as(c, t1, b["id"], document_to_results(docs["b"]))
        mine = c.create_annotation(t2, document_to_results(police))  # the admin annotates too
        team_calls.annotate_as(c, t2, b["id"], document_to_results(both))

    snap = pull(ls_project, server, tmp_path / "snap1")
    code, out, _ = run_akhbar(
        "annotate", "validate", snap, "--corpus", corpus, "--out", tmp_path / "val1"
    )
    assert code == 0
    assert "2 tasks annotated by several people are released unresolved" in out
    assert f"tasks {min(t1, t2)}, {max(t1, t2)}" in out
    v1 = orjson.loads((tmp_path / "val1" / "validation.json").read_bytes())
    assert v1["counts"]["unresolved"] == {"tasks": 2, "task_ids": sorted([t1, t2])}
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
    assert "proposed  2 tasks to the adjudicator" in out
    proposals = {d["task_id"]: d for d in jsonl(tmp_path / "adj" / "documents.jsonl")}
    # A and B: 11 items each (6 entities, 1 trigger, 4 arguments), 8 alike, 14 in all
    assert proposals[t1]["score"] == pytest.approx(8 / 14, abs=1e-4)
    assert proposals[t2]["score"] == pytest.approx(1 / 2)

    with labelstudio.client() as c:
        preds = {}
        for p in c.predictions(pid):
            preds.setdefault(p["task"], {})[p["model_version"]] = p
    proposal = preds[t1]["akhbar-adjudication-majority"]
    assert proposal["score"] == pytest.approx(8 / 14, abs=1e-4)  # the Data Manager sorts by it
    undecided = preds[t1]["akhbar-adjudication-conflicts"]
    dropped = {
        (r["value"]["text"], r["value"]["labels"][0]): r["meta"]["text"]
        for r in undecided["result"]
        if r["from_name"] == "entity"
    }
    # each dropped span, who marked it and who did not, every annotator's version of the place
    assert set(dropped) == {
        ("مواقع للمسلحين", "FAC"),
        ("مواقع", "FAC"),
        ("مخازن للأسلحة والذخيرة", "FAC"),
        ("مخازن للأسلحة والذخيرة", "LOC"),
    }
    na, nb = a["email"], b["email"]  # reports name annotators by e-mail
    assert dropped[("مواقع", "FAC")][0] == f"dropped: marked by {nb}, not by {na}"
    assert f"{na}: FAC «مواقع للمسلحين»" in dropped[("مواقع", "FAC")]
    assert f"{nb}: FAC «مواقع»" in dropped[("مواقع", "FAC")]
    triggers = [r for r in undecided["result"] if r["from_name"] == "trigger"]
    assert [r["value"]["text"] for r in triggers] == ["قصفت"]  # its Target argument differs
    assert triggers[0]["meta"]["text"][0] == "arguments:"

    # the adjudicator's own account: duplicates the proposal, adds A's FAC it dropped, submits
    session = sign_up_and_log_in(labelstudio.url, invite, ADJUDICATOR, "a-Long-pass-2026")
    try:
        result = [*proposal["result"]]
        result.append(next(r for r in undecided["result"] if r["id"] in _ids(undecided)))
        for r in result:
            r.pop("meta", None)
        resolution = submit_from_prediction(session, pid, t1, proposal, result)
    finally:
        session.close()
    # the admin, who annotated the second task, resolves it likewise (B was right)
    with labelstudio.client() as c:
        admin_resolution = c.create_annotation(
            t2,
            document_to_results(both),
            parent_prediction=preds[t2]["akhbar-adjudication-majority"]["id"],
        )
        assert admin_resolution["completed_by"] == admin["id"]
        assert admin_resolution["ground_truth"] is False  # Community Edition: nobody marks it

    snap2 = pull(ls_project, server, tmp_path / "snap2")
    code, out, err = run_akhbar(
        "annotate", "validate", snap2, "--corpus", corpus, "--out", tmp_path / "val2"
    )
    assert code == 0, err
    assert "released unresolved" not in out
    selected = {d["task_id"]: d for d in jsonl(tmp_path / "val2" / "documents.jsonl")}
    assert (selected[t1]["annotation_id"], selected[t1]["selection"]) == (
        resolution["id"],
        "adjudication",
    )
    adjudicator = resolution["completed_by"]
    assert selected[t1]["annotator_id"] == adjudicator
    assert adjudicator not in (a["id"], b["id"], admin["id"])
    assert (selected[t2]["annotation_id"], selected[t2]["selection"]) == (
        admin_resolution["id"],
        "adjudication",
    )
    labels = {(e["text"], e["label"]) for e in selected[t1]["entities"]}
    assert ("مخازن للأسلحة والذخيرة", "FAC") in labels  # the adjudicator's edit

    code, _, err = run_akhbar(
        "annotate", "agreement", snap2, "--corpus", corpus, "--out", tmp_path / "agr2"
    )
    assert code == 0, err
    after = orjson.loads((tmp_path / "agr2" / "agreement.json").read_bytes())
    assert after["read"]["adjudications"] == 2 and after["resolution"]["adjudicated"] == 2
    # the resolutions are no versions: the same annotators, the admin's own annotation still
    # theirs, the same figures
    assert sorted(after["annotators"]) == sorted(before["annotators"])
    assert sorted(before["annotators"]) == sorted([na, nb, admin["email"]])
    assert after["entities"]["exact"]["f1"] == before["entities"]["exact"]["f1"]
    assert after["events"]["argument"]["f1"] == before["events"]["argument"]["f1"]
    assert after["read"]["replaced_annotations"] == 0
    assert mine["id"] != admin_resolution["id"]

    # Label Studio is told too: the resolutions become ground truth, once
    code, out, err = run_akhbar("annotate", "resolve", "--project", ls_project, *server)
    assert code == 0, err
    assert "2 resolutions marked ground truth, 0 already were" in out
    code, out, _ = run_akhbar("annotate", "resolve", "--project", ls_project, *server)
    assert code == 0 and "0 resolutions marked ground truth, 2 already were" in out
    with labelstudio.client() as c:
        gt = {x["id"]: x["ground_truth"] for t in (t1, t2) for x in team_calls.annotations(c, t)}
    assert gt[resolution["id"]] and gt[admin_resolution["id"]]
    assert not gt[mine["id"]]
    snap3 = pull(ls_project, server, tmp_path / "snap3")
    code, _, err = run_akhbar(
        "annotate", "validate", snap3, "--corpus", corpus, "--out", tmp_path / "val3"
    )
    assert code == 0, err
    selected = {d["task_id"]: d for d in jsonl(tmp_path / "val3" / "documents.jsonl")}
    assert selected[t1]["annotation_id"] == resolution["id"]
    assert selected[t1]["selection"] == "ground_truth"


def _ids(undecided) -> set[str]:
    """The id of the conflicts region holding A's FAC on the arms depots."""
    return {
        r["id"]
        for r in undecided["result"]
        if r["from_name"] == "entity"
        and (r["value"]["text"], r["value"]["labels"][0]) == ("مخازن للأسلحة والذخيرة", "FAC")
    }
