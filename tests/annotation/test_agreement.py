"""Agreement figures against independent computations on generated annotation sets.

Every figure of ``agreement.json`` is recomputed here by a second, plain implementation (loops
over lists, brute-force matching), and alpha by the ``krippendorff`` package on the same
reliability matrix; the edge cases (no shared documents, one annotator, all agree, all
disagree, empty annotations) are generated on purpose as well as by chance.
"""

from __future__ import annotations

import re

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from akhbar.annotation.team.agreement import Agreement
from akhbar.annotation.team.annotator_versions import TaskVersions
from akhbar.annotation.team.intervals import intervals
from tests.helpers.agreement_oracle import (
    LABELS,
    TEXT,
    TYPES,
    WORDS,
    _doc,
    check_all,
    expected,
    measured,
    task_sets,
)


@given(task_sets())
def test_every_figure_matches_an_independent_computation(case):
    tasks, _ = case
    check_all(tasks)


@settings(max_examples=30)
@given(task_sets(max_docs=5))
def test_intervals_hold_the_estimate_when_defined(case):
    tasks, _ = case
    agr, got = check_all(tasks)
    ci = intervals(agr, replicates=200)
    for name, value in (
        ("entities.exact.f1", got["entities"]["exact"]["f1"]),
        ("events.trigger.f1", got["events"]["trigger"]["f1"]),
    ):
        if value is None:
            assert ci.get(name) is None
        else:
            lo, hi = ci[name]
            assert 0 <= lo <= hi <= 1


# --- the edge cases, on purpose ----------------------------------------------------------------


def test_no_shared_documents():
    tasks = [
        TaskVersions(1, "a1", TEXT, {"x": _doc(TEXT, [("PER", 4, 7)])}),
        TaskVersions(2, "a2", TEXT, {"y": _doc(TEXT, [("GPE", 11, 16)])}),
    ]
    agr, got = check_all(tasks)
    assert got["documents"] == 0 and got["pairs"] == []
    assert got["entities"]["exact"]["f1"] is None and got["entities"]["token_alpha"] is None
    assert intervals(agr) == {}


def test_one_annotator():
    _, got = check_all([TaskVersions(1, "a1", TEXT, {"x": _doc(TEXT, [("PER", 4, 7)])})])
    assert got["documents"] == 0 and got["annotators"] == []


def test_all_agree():
    d = _doc(TEXT, [("PER", 4, 7), ("GPE", 11, 16)])
    _, got = check_all([TaskVersions(1, "a1", TEXT, {"x": d, "y": d, "z": d})])
    assert got["entities"]["exact"]["f1"] == 1.0
    assert got["entities"]["token_alpha"] == pytest.approx(1.0)
    assert got["entities"]["token_kappa_mean"] == pytest.approx(1.0)


def test_all_disagree():
    a = _doc(TEXT, [("PER", 4, 7)])
    b = _doc(TEXT, [("GPE", 11, 16)])
    _, got = check_all([TaskVersions(1, "a1", TEXT, {"x": a, "y": b})])
    assert got["entities"]["exact"]["f1"] == 0.0
    assert got["entities"]["overlap"]["f1"] == 0.0
    assert got["entities"]["token_alpha"] < 0


def test_empty_annotations():
    _, got = check_all([TaskVersions(1, "a1", TEXT, {"x": _doc(TEXT), "y": _doc(TEXT)})])
    assert got["documents"] == 1
    assert got["entities"]["exact"]["f1"] is None  # nothing to agree or disagree on
    assert got["entities"]["token_alpha"] is None  # every token O: alpha undefined
    assert got["pairs"][0]["token_kappa"] is None


def test_overlap_matching_is_maximum_not_greedy():
    # exact-first or greedy matching would pair the two long spans and leave one unmatched
    a = _doc(TEXT, [("PER", 0, 16), ("PER", 0, 3)])
    b = _doc(TEXT, [("PER", 0, 16), ("PER", 12, 14)])
    _, got = check_all([TaskVersions(1, "a1", TEXT, {"x": a, "y": b})])
    assert got["entities"]["overlap"]["f1"] == 1.0
    assert got["entities"]["exact"]["f1"] == 0.5


@settings(max_examples=60)
@given(task_sets(max_docs=14, max_annotators=3), st.integers(1, 5))
def test_batches_of_any_size_give_the_same_figures(case, size):
    """Workers score runs of tasks; however the runs are cut, the figures and the lowest
    documents are those of scoring one task at a time."""
    from akhbar.annotation.team.agreement import score_batch

    tasks, _ = case
    whole, _ = measured(tasks)
    cut = Agreement(LABELS, TYPES)
    for i in range(0, len(tasks), size):
        for sc in score_batch(tasks[i : i + size], cut.index):
            cut.add_score(sc)
    assert cut.result() == whole.result()


def test_intervals_match_a_plain_bootstrap():
    """The 95% intervals against a second bootstrap written plainly here: documents drawn with
    replacement by another generator, each figure recomputed from the drawn documents (F1 and
    kappa with the plain functions above, alpha with the krippendorff package). Two bootstraps
    of 1,000 replicates agree on the percentiles to about a hundredth."""
    import random

    rng = random.Random(7)
    tasks = []
    for t in range(30):
        text = " ".join(rng.choice(WORDS) for _ in range(12))
        base = []
        for m in re.finditer(r"\S+", text):
            if rng.random() < 0.5:
                base.append((rng.choice(LABELS), m.start(), m.end()))
        versions = {}
        for name in ("x", "y", "z"):
            mine = [e for e in base if rng.random() > 0.15]
            mine = [
                (rng.choice(LABELS), s, e) if rng.random() < 0.1 else (lab, s, e)
                for lab, s, e in mine
            ]
            versions[name] = _doc(text, mine)
        tasks.append(TaskVersions(t, f"a{t}", text, versions))
    agr, got = measured(tasks)
    ci = intervals(agr, replicates=1000)
    draws = np.random.default_rng(99)
    f1s, kappas, alphas = [], [], []
    for _ in range(1000):
        pick = [tasks[i] for i in draws.integers(0, len(tasks), len(tasks))]
        want = expected(pick)
        f1s.append(want["exact"])
        kappas.append(want["kappa_mean"])
        alphas.append(want["alpha"])
    assert got["documents"] == 30
    for name, samples in (
        ("entities.exact.f1", f1s),
        ("entities.token_kappa_mean", kappas),
        ("entities.token_alpha", alphas),
    ):
        lo, hi = np.percentile([s for s in samples if s is not None], [2.5, 97.5])
        assert ci[name][0] == pytest.approx(lo, abs=0.015), name
        assert ci[name][1] == pytest.approx(hi, abs=0.015), name
