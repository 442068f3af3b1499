"""Review tabs against a real Label Studio: a project with planned problems.

Four articles, each naming حلب: on the first, annotators A and B disagree (entity F1 8/12, low
agreement), both marking حلب GPE; on the second, A's span is one letter late (quarantined,
AK103); on the third, A marks حلب LOC, a planted suspect that ``annotate audit`` (run for real
on the validated documents) must find, since the others say GPE; A annotates the fourth
cleanly. ``annotate review`` must make one tab per reason holding exactly those task ids, and
a second run must change nothing.
"""

from __future__ import annotations

import pytest

from akhbar.annotation.labelstudio import team_calls
from akhbar.annotation.labelstudio.client import plain
from akhbar.annotation.labelstudio.to_results import document_to_results
from akhbar.annotation.push.corpus_push import existing_tasks
from akhbar.annotation.team.review_tabs import view_task_ids
from akhbar.annotation.validate.report import isolate
from tests.helpers import run_akhbar, sample_articles
from tests.helpers.audit import audit
from tests.helpers.team_versions import entity, versions

pytestmark = pytest.mark.labelstudio


def tabs(c, pid) -> dict[str, tuple[int, list[int] | None]]:
    return {
        v["data"]["title"]: (v["id"], view_task_ids(v))
        for v in map(plain, c.sdk.views.list(project=pid))
    }


def test_review_tabs_hold_exactly_the_tasks_to_look_at(
    labelstudio, ls_project, write_corpus, tmp_path
):
    rows = sample_articles(4, prefix="art_review")
    corpus = write_corpus(rows)
    server = labelstudio.cli_args()
    code, _, err = run_akhbar(
        "annotate", "push", corpus, "--project", ls_project, "--overlap", "2", "--no-progress",
        *server,
    )  # fmt: skip
    assert code == 0, err
    docs = versions(rows[0]["text"])
    with labelstudio.client() as c:
        pid = c.find_project(ls_project)["id"]
        tasks = existing_tasks(c, pid)
        t = [tasks[r["id"]].task_id for r in rows]
        a = team_calls.ensure_user(c, "reviewed-a@example.org")
        b = team_calls.ensure_user(c, "reviewed-b@example.org")
        team_calls.annotate_as(c, t[0], a["id"], document_to_results(docs["a"]))
        team_calls.annotate_as(c, t[0], b["id"], document_to_results(docs["b"]))
        late = document_to_results(
            {"entities": [entity(rows[1]["text"], "e1", "GPE", "حلب")], "events": []}
        )
        late[0]["value"]["start"] += 1  # one letter late: text[start:end] is no longer حلب
        team_calls.annotate_as(c, t[1], a["id"], late)
        for k, label in ((2, "LOC"), (3, "GPE")):  # the third: the planted suspect
            one = {"entities": [entity(rows[k]["text"], "e1", label, "حلب")], "events": []}
            team_calls.annotate_as(c, t[k], a["id"], document_to_results(one))
        # a tab of the team's own, which review never touches
        c.sdk.views.create(data={"title": "mine", "type": "list"}, project=pid)

    snaps = tmp_path / "snaps"
    code, _, err = run_akhbar("annotate", "pull", "--project", ls_project, "--out", snaps, *server)
    assert code == 0, err
    snap = next(p for p in snaps.glob("snapshot-*.json") if "manifest" not in p.name)
    code, _, _ = run_akhbar(
        "annotate", "validate", snap, "--corpus", corpus, "--out", tmp_path / "v"
    )
    assert code == 1  # the late span is quarantined
    code, _, err = run_akhbar(
        "annotate", "agreement", snap, "--corpus", corpus, "--out", tmp_path / "agr"
    )
    assert code == 0, err
    audited = audit(tmp_path / "v", corpus, tmp_path / "audit")
    assert [(x["kind"], x["article_ids"], x["label"], x["expected"]) for x in audited.suspects] == [
        ("entity_type", [rows[2]["id"]], "LOC", "GPE")
    ]
    audit_dir = audited.out
    args = ["annotate", "review", "--project", ls_project, "--validation", tmp_path / "v",
            "--agreement", tmp_path / "agr", "--audit", audit_dir, "--feedback", tmp_path / "fb",
            *server]  # fmt: skip
    code, out, err = run_akhbar(*args)
    assert code == 0, err
    assert "3 review tabs (3 created, 0 updated, 0 unchanged, 0 removed)" in out
    assert "audit suspects name articles that are no task" not in out
    with labelstudio.client() as c:
        first = tabs(c, pid)
    assert {k: ids for k, (_, ids) in first.items()} == {
        "mine": None,
        "akhbar review: quarantined AK103": [t[1]],
        "akhbar review: low agreement": [t[0]],
        "akhbar review: audit entity_type": [t[2]],
    }

    # one feedback report per annotator, each naming their own problems only
    fa = (tmp_path / "fb" / "reviewed-a@example.org.md").read_text(encoding="utf-8")
    fb = (tmp_path / "fb" / "reviewed-b@example.org.md").read_text(encoding="utf-8")
    assert sorted(p.name for p in (tmp_path / "fb").glob("*.md")) == [
        "reviewed-a@example.org.md",
        "reviewed-b@example.org.md",
    ]
    assert f"- task {t[1]} (article {rows[1]['id']}): **AK103** span-text-mismatch" in fa
    assert "Where spans go wrong" in fa and "excerpt:" in fa
    # the audit's suspect, with its score (GPE in 2 of 3 mentions: 2/4) and excerpt
    assert f"- entity_type (score 0.500): articles {rows[2]['id']}" in fa
    assert f"  - {isolate(audited.suspects[0]['evidence']['excerpts'][0])}" in fa
    assert "entity_type: " in fa and "the entity label table" in fa
    assert "AK103" not in fb and "entity_type" not in fb
    assert "None: every annotation of yours that was validated passed." in fb
    # their agreement with each other: entities 8 alike of 6 + 6
    assert f"| reviewed-b@example.org | 1 | {8 / 12:.3f} |" in fa
    assert f"| reviewed-a@example.org | 1 | {8 / 12:.3f} |" in fb
    # and per label (agreement's by_annotator): A's two FAC, B's narrower one, none alike
    # exactly, one overlapping; B's LOC A did not mark; the Attack's Target moved with B
    assert "| FAC | 0.000 | 0.667 | 2 | 1 |" in fa and "| FAC | 0.000 | 0.667 | 1 | 2 |" in fb
    assert "| LOC | 0.000 | 0.000 | 1 | 0 |" in fb and "| LOC | 0.000 | 0.000 | 0 | 1 |" in fa
    assert "| GPE | 1.000 | 1.000 | 1 | 1 |" in fa and "| Attack | 1.000 | 0.750 |" in fb
    assert fa.index("| FAC |") < fa.index("| GPE |")  # the lowest first

    code, out, err = run_akhbar(*args)
    assert code == 0, err
    assert "3 review tabs (0 created, 0 updated, 3 unchanged, 0 removed)" in out
    with labelstudio.client() as c:
        assert tabs(c, pid) == first  # the same tabs, the same ids, nothing duplicated
        # the Data Manager shows exactly those tasks in each tab
        for title, (view_id, ids) in first.items():
            if ids is None:
                continue
            shown = c.raw("GET", "/api/tasks", retry=True,
                          params={"view": view_id, "project": pid, "fields": "task_only"})  # fmt: skip
            assert sorted(x["id"] for x in shown["tasks"]) == ids, title

    # the problem is fixed: the next validation has no quarantine, so its tab goes
    clean = tmp_path / "v2"
    clean.mkdir()
    (clean / "quarantine.jsonl").write_bytes(b"")
    (clean / "issues.jsonl").write_bytes(b"")
    code, out, err = run_akhbar(
        "annotate", "review", "--project", ls_project, "--validation", clean, *server
    )
    assert code == 0, err
    assert "0 review tabs (0 created, 0 updated, 0 unchanged, 1 removed)" in out
    with labelstudio.client() as c:
        left = tabs(c, pid)
    assert "akhbar review: quarantined AK103" not in left
    assert left["akhbar review: low agreement"] == first["akhbar review: low agreement"]
