"""Adjudication proposals and conflicts on generated annotation sets, and the command."""

from __future__ import annotations

from collections import Counter

import jsonschema
import orjson
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from akhbar import schemas
from akhbar.annotation.team.adjudicate import adjudicate
from akhbar.annotation.team.annotator_versions import TaskVersions
from tests.helpers import run_akhbar
from tests.helpers.agreement_oracle import TEXT, _doc, args, ents, task_sets, trigs

VALIDATOR = jsonschema.Draft202012Validator(schemas.load("document"))


def holders(task, keys_of):
    c = Counter()
    for doc in task.versions.values():
        c.update(set(keys_of(doc)))
    return c


@settings(max_examples=150)
@given(task_sets(), st.sampled_from(["majority", "unanimous"]))
def test_proposal_keeps_exactly_what_enough_annotators_agree_on(case, strategy):
    tasks, _ = case
    for task in tasks:
        if len(task.versions) < 2:
            continue
        for doc in task.versions.values():
            doc.setdefault("taxonomy", "t@1")
        m = len(task.versions)
        need = m if strategy == "unanimous" else m // 2 + 1
        adj = adjudicate(task, strategy)
        doc = adj.document
        VALIDATOR.validate(doc)
        want_e = {k for k, n in holders(task, ents).items() if n >= need}
        want_t = {k for k, n in holders(task, trigs).items() if n >= need}
        assert set(ents(doc)) == want_e and len(ents(doc)) == len(want_e)
        assert set(trigs(doc)) == want_t
        spans = {(s, e) for _, s, e in want_e}
        want_a = {
            k
            for k, n in holders(task, args).items()
            if n >= need and k[:3] in want_t and k[4:] in spans
        }
        assert set(args(doc)) == want_a
        for e in doc["entities"]:
            assert e["text"] == task.text[e["start"] : e["end"]]
        # every entity that not everyone marked lies in an entity conflict
        every = holders(task, ents)
        disputed = {k for k, n in every.items() if n < m}
        covered = set()
        for c in adj.conflicts:
            if c["kind"] == "entity":
                for version in c["versions"].values():
                    covered |= {(x["label"], x["start"], x["end"]) for x in version}
        assert disputed <= covered
        if not disputed and not any(n < m for n in holders(task, trigs).values()):
            assert not [c for c in adj.conflicts if c["kind"] != "argument"]


def test_majority_of_three_and_the_conflicts_it_lists():
    a = _doc(TEXT, [("PER", 4, 7), ("GPE", 11, 16)])
    b = _doc(TEXT, [("PER", 4, 7), ("LOC", 11, 16)])  # a label
    c = _doc(TEXT, [("PER", 4, 6), ("GPE", 11, 16)])  # a boundary
    task = TaskVersions(5, "art5", TEXT, {"x": a, "y": b, "z": c})
    adj = adjudicate(task, "majority")
    assert set(ents(adj.document)) == {("GPE", 11, 16), ("PER", 4, 7)}
    assert {(k["kind"], k["start"], k["end"]) for k in adj.conflicts} == {
        ("entity", 4, 7),
        ("entity", 11, 16),
    }
    label = next(k for k in adj.conflicts if k["start"] == 11)
    assert label["versions"]["y"] == [{"label": "LOC", "start": 11, "end": 16, "text": "بغداد"}]
    assert label["kept"] == [{"label": "GPE", "start": 11, "end": 16}]
    assert ents(adjudicate(task, "unanimous").document) == []


def test_adjudicate_command_writes_proposals_and_conflicts(tmp_path):
    from tests.helpers.agreement_sample import make_sample

    root, snap, _, _ = make_sample(tmp_path)
    out = tmp_path / "adjudicated"
    code, stdout, stderr = run_akhbar(
        "annotate", "adjudicate", snap, "--corpus", root / "corpus", "--out", out
    )
    assert code == 0, stderr
    assert "3 tasks adjudicated (majority)" in stdout
    s = orjson.loads((out / "adjudication.json").read_bytes())
    assert s["tasks"] == 3 and s["model_version"] == "akhbar-adjudication-majority"
    docs = [orjson.loads(x) for x in (out / "documents.jsonl").read_bytes().splitlines()]
    for d in docs:
        VALIDATOR.validate(d)
    conflicts = [orjson.loads(x) for x in (out / "conflicts.jsonl").read_bytes().splitlines()]
    assert len(conflicts) == s["conflicts"]["entity"] >= 3
    assert all(set(c["versions"]) == {"1", "77"} for c in conflicts)
    code, _, stderr = run_akhbar(
        "annotate", "adjudicate", snap, "--corpus", root / "corpus", "--out", out, "--strategy", "x"
    )
    assert code != 0 and "Traceback" not in stderr


@pytest.mark.parametrize("strategy", ["majority", "unanimous"])
def test_all_agree_gives_the_version_back_without_conflicts(strategy):
    d = _doc(TEXT, [("PER", 4, 7), ("GPE", 11, 16)])
    adj = adjudicate(TaskVersions(1, "a", TEXT, {"x": d, "y": d}), strategy)
    assert set(ents(adj.document)) == set(ents(d)) and adj.conflicts == []
