"""Team annotation against a real Label Studio: three annotators, agreement, adjudication.

Two articles are pushed with ``--overlap 3``; three annotator accounts are created through the
API and annotate the first article (posted as them, ``completed_by``) with one planned
disagreement of each kind: annotator B narrows a boundary (``مواقع`` for ``مواقع للمسلحين``,
so the Target argument moves with it) and relabels an entity (FAC -> LOC); annotator C misses
an entity (``الجيش``) and gives ``حلب`` the wrong role (Target instead of Place). Only A
annotates the second article. The figures are computed by hand below. Then ``adjudicate
--push`` posts the majority proposal, the adjudicator submits it and marks it ground truth, and the next
pull, validate, agreement and release see exactly that.
"""

from __future__ import annotations

import orjson
import pytest

from akhbar.annotation.labelstudio import team_calls
from akhbar.annotation.labelstudio.to_results import document_to_results
from akhbar.annotation.push.corpus_push import existing_tasks
from akhbar.annotation.team.annotator_versions import TaskVersions
from tests.helpers import run_akhbar, sample_articles
from tests.helpers.agreement_oracle import expected
from tests.helpers.team_versions import entity, versions

pytestmark = pytest.mark.labelstudio


def test_three_annotators_agreement_adjudication_and_release(
    labelstudio, ls_project, write_corpus, tmp_path
):
    rows = sample_articles(2, prefix="art_team")
    corpus = write_corpus(rows)
    text = rows[0]["text"]
    server = labelstudio.cli_args()
    code, out, err = run_akhbar(
        "annotate", "push", corpus, "--project", ls_project, "--overlap", "3",
        "--overlap-share", "100", "--no-progress", *server,
    )  # fmt: skip
    assert code == 0, err
    assert "overlap: 100% of the tasks are to be annotated by 3 people each" in out

    code, out, _ = run_akhbar("studio", "invite", *server)
    assert code == 0 and out.startswith(labelstudio.url) and "/user/signup/?token=" in out

    docs = versions(text)
    with labelstudio.client() as c:
        project = c.find_project(ls_project)
        assert (project["maximum_annotations"], project["overlap_cohort_percentage"]) == (3, 100)
        tasks = existing_tasks(c, project["id"])
        t1, t2 = tasks[rows[0]["id"]].task_id, tasks[rows[1]["id"]].task_id
        users = {k: team_calls.ensure_user(c, f"annotator-{k}@example.org") for k in "abc"}
        assert len({u["id"] for u in users.values()}) == 3
        assert team_calls.ensure_user(c, "annotator-a@example.org")["id"] == users["a"]["id"]
        for k, doc in docs.items():
            team_calls.annotate_as(c, t1, users[k]["id"], document_to_results(doc))
        only = {"entities": [entity(rows[1]["text"], "e1", "ORG", "الشرطة")], "events": []}
        team_calls.annotate_as(c, t2, users["a"]["id"], document_to_results(only))
        made = team_calls.annotations(c, t1)
        assert sorted(a["completed_by"] for a in made) == sorted(u["id"] for u in users.values())

    snaps = tmp_path / "snapshots"
    assert run_akhbar("annotate", "pull", "--project", ls_project, "--out", snaps, *server)[0] == 0
    snap = next(p for p in snaps.glob("snapshot-*.json") if "manifest" not in p.name)

    # --- agreement: the figures by hand -----------------------------------------------------
    code, _, err = run_akhbar(
        "annotate", "agreement", snap, "--corpus", corpus, "--out", tmp_path / "agr"
    )
    assert code == 0, err
    f = orjson.loads((tmp_path / "agr" / "agreement.json").read_bytes())
    names = {users[k]["email"]: k for k in "abc"}  # by e-mail, as the manifest has them
    assert f["documents"] == 1 and sorted(f["annotators"]) == sorted(names)
    assert f["read"]["single"] == 1
    # entities (A 6, B 6, C 5): exact TP A-B 4, A-C 5, B-C 3 over 12 + 11 + 11 mentions
    assert f["entities"]["exact"]["f1"] == pytest.approx(2 * 12 / 34)
    # overlap also matches B's narrower span: TP 5, 5, 4
    assert f["entities"]["overlap"]["f1"] == pytest.approx(2 * 14 / 34)
    # FAC: A 2, B 1 (its narrower span; the other became LOC), C 2: TP A-C 2 over 3 + 4 + 3
    assert f["entities"]["by_label"]["FAC"]["exact_f1"] == pytest.approx(2 * 2 / 10)
    assert f["entities"]["by_label"]["LOC"]["exact_f1"] == 0.0
    assert f["events"]["trigger"]["f1"] == 1.0
    # arguments (4 each): TP A-B 3, A-C 3, B-C 2
    assert f["events"]["argument"]["f1"] == pytest.approx(2 * 8 / 24)
    pair_f1 = {
        frozenset((names[p["a"]], names[p["b"]])): p["entities_exact_f1"] for p in f["pairs"]
    }
    assert pair_f1 == pytest.approx(
        {frozenset("ab"): 8 / 12, frozenset("ac"): 10 / 11, frozenset("bc"): 6 / 11}
    )
    # each annotator against the others per label: FAC of A, 2 of theirs (once per pair)
    # against B's 1 and C's 2, alike exactly with C's 2 only; C's missing ORG
    mine = {names[n]: f["by_annotator"][n] for n in f["by_annotator"]}
    assert mine["a"]["entities"]["FAC"] == {
        "exact_f1": pytest.approx(2 * 2 / 7), "overlap_f1": pytest.approx(2 * 3 / 7),
        "mine": 4, "theirs": 3,
    }  # fmt: skip
    assert mine["c"]["entities"]["ORG"] == {
        "exact_f1": 0.0, "overlap_f1": 0.0, "mine": 0, "theirs": 2
    }  # fmt: skip
    assert mine["b"]["entities"]["LOC"]["exact_f1"] == 0.0
    # arguments of the Attack: C's wrong role agrees with neither (3 of 4 with A, 2 with B)
    assert mine["c"]["events"]["Attack"]["argument_f1"] == pytest.approx(2 * 5 / 16)
    first = sorted(names)[0]  # precision takes each pair's first annotator as the prediction
    n = {"a": 6, "b": 6, "c": 5}
    predicted = sum(n[names[p["a"]]] for p in f["pairs"])
    assert f["entities"]["exact"]["precision"] == pytest.approx(12 / predicted), first
    # tokens: the plain implementation and the krippendorff package on the same versions
    plain = expected(
        [TaskVersions(t1, rows[0]["id"], text, {str(users[k]["id"]): d for k, d in docs.items()})],
        label_names=["WEA", "FAC", "GPE", "TIME", "ORG", "LOC"],
        types=["Attack"],
        # words (letters with their harakat) and single punctuation marks, as the release
        token_pattern=r"[\w\u064b-\u065f\u0670]+|[^\w\s]",
    )
    assert plain["exact"] == pytest.approx(f["entities"]["exact"]["f1"])
    assert f["entities"]["token_alpha"] == pytest.approx(plain["alpha"])
    assert f["entities"]["token_kappa_mean"] == pytest.approx(plain["kappa_mean"])

    # --- adjudication, pushed as a prediction -------------------------------------------------
    code, out, err = run_akhbar(
        "annotate", "adjudicate", snap, "--corpus", corpus, "--out", tmp_path / "adj", "--push",
        *server,
    )  # fmt: skip
    assert code == 0, err
    assert (
        "proposed  1 tasks to the adjudicator as predictions (akhbar-adjudication-majority" in out
    )
    s = orjson.loads((tmp_path / "adj" / "adjudication.json").read_bytes())
    assert s["conflicts"] == {"entity": 3, "trigger": 0, "argument": 1}
    proposal = orjson.loads((tmp_path / "adj" / "documents.jsonl").read_bytes().splitlines()[0])
    # the majority (two of three) keeps exactly A's version
    key = lambda d: sorted((e["label"], e["start"], e["end"]) for e in d["entities"])  # noqa: E731
    assert key(proposal) == key(docs["a"])
    with labelstudio.client() as c:
        preds = [p for p in c.predictions(project["id"]) if p["task"] == t1]
        assert sorted(p["model_version"] for p in preds) == [
            "akhbar-adjudication-conflicts",  # what the majority could not decide
            "akhbar-adjudication-majority",
        ]
        preds = [p for p in preds if p["model_version"] == "akhbar-adjudication-majority"]
        # the adjudicator reviews it and submits it as ground truth
        ann = c.create_annotation(t1, preds[0]["result"])
        team_calls.mark_ground_truth(c, ann["id"])

    snaps2 = tmp_path / "snapshots2"
    assert run_akhbar("annotate", "pull", "--project", ls_project, "--out", snaps2, *server)[0] == 0
    snap2 = next(p for p in snaps2.glob("snapshot-*.json") if "manifest" not in p.name)
    code, _, err = run_akhbar(
        "annotate", "validate", snap2, "--corpus", corpus, "--out", tmp_path / "val"
    )
    assert code == 0, err
    selected = {
        d["task_id"]: d
        for d in map(orjson.loads, (tmp_path / "val" / "documents.jsonl").read_bytes().splitlines())
    }
    assert selected[t1]["annotation_id"] == ann["id"]
    assert selected[t1]["selection"] == "ground_truth"
    # the resolution is counted, not compared as a fourth annotator
    code, _, err = run_akhbar(
        "annotate", "agreement", snap2, "--corpus", corpus, "--out", tmp_path / "agr2"
    )
    assert code == 0, err
    f2 = orjson.loads((tmp_path / "agr2" / "agreement.json").read_bytes())
    assert f2["resolution"]["adjudicated"] == 1 and f2["read"]["adjudications"] == 1
    assert f2["entities"]["exact"]["f1"] == f["entities"]["exact"]["f1"]
    assert len(f2["annotators"]) == 3
    # a second adjudication run proposes nothing new
    code, out, _ = run_akhbar(
        "annotate", "adjudicate", snap2, "--corpus", corpus, "--out", tmp_path / "adj2", "--push",
        *server,
    )  # fmt: skip
    assert code == 0 and "proposed  0 tasks" in out and "1 already resolved" in out

    # --- the release states its quality --------------------------------------------------------
    code, _, err = run_akhbar(
        "release", "build", "--version", "1.0.0", "--corpus", corpus, "--documents",
        tmp_path / "val", "--out", tmp_path / "rel", "--agreement", tmp_path / "agr2",
        "--workers", "1",
    )  # fmt: skip
    assert code == 0, err
    card = (tmp_path / "rel" / "v1.0.0" / "README.md").read_text(encoding="utf-8")
    section = card[card.index("## Annotation quality") :]
    assert (
        "1 articles were annotated independently by two or more of 3 annotators (1 by 3)" in section
    )
    assert f"| entities, exact: F1 | {24 / 34:.3f} (" in section
    assert (
        "Of the 1 articles annotated more than once, 1 were resolved by an adjudicator" in section
    )
