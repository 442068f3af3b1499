"""Pushes of one corpus started together, as separate processes, against the real server:
one project, one task per article, and every push exits 0 saying what it did."""

from __future__ import annotations

import os
import re
import subprocess
import sys
import time
from collections import Counter

import pytest

from tests.helpers import REPO, sample_articles

pytestmark = pytest.mark.labelstudio

# Each process imports akhbar and the SDK first, then waits for a common start time, so that
# the pushes really run at once rather than one Python start-up apart.
_AT_ONCE = """
import sys, time
import label_studio_sdk.base_client  # noqa: F401
from akhbar.cli.main import main
time.sleep(max(0.0, float(sys.argv[1]) - time.time()))
main(sys.argv[2:])
"""


def _push_together(labelstudio, corpus, title, n, *extra):
    start = time.time() + 8.0  # time for every process to import what it needs
    procs = [
        subprocess.Popen(
            [
                sys.executable,
                "-c",
                _AT_ONCE,
                str(start),
                "annotate",
                "push",
                str(corpus),
                "--project",
                title,
                "--batch-size",
                "10",
                "--no-progress",
                *extra,
                *labelstudio.cli_args(),
            ],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
            cwd=REPO,
            env={**os.environ, "PYTHONUNBUFFERED": "1"},
        )
        for _ in range(n)
    ]
    results = []
    for p in procs:
        out, err = p.communicate(timeout=600)
        results.append((p.returncode, out, err))
    return results


def _state(labelstudio, title):
    """(ids of the projects titled ``title``, Counter of article ids over their tasks)."""
    with labelstudio.client() as c:
        projects = [p for p in c.projects(title) if p["title"] == title]
        tasks = Counter()
        for p in projects:
            for t in c.iter_tasks(p["id"], include="id,data"):
                tasks[t["data"]["article_id"]] += 1
        ids = [p["id"] for p in projects]
        for extra in ids[1:]:  # leave one project for the fixture to delete
            c.delete_project(extra)
    return ids, tasks


def _check(results, labelstudio, title, rows, there=0):
    for code, _, err in results:
        assert code == 0, err
        assert "Traceback" not in err
    ids, tasks = _state(labelstudio, title)
    assert len(ids) == 1, f"{len(ids)} projects titled {title!r}: {ids}"
    assert tasks == Counter({r["id"]: 1 for r in rows}), (
        f"{sum(tasks.values())} tasks for {len(rows)} articles; "
        f"{sum(1 for v in tasks.values() if v > 1)} articles with several"
    )
    imported = sum(
        int(out.split("articles ")[1].split(": ")[1].split(" imported")[0]) for _, out, _ in results
    )
    removed = sum(
        int(m[1]) for _, out, _ in results for m in re.finditer(r"removed the (\d+) duplicate", out)
    )
    # every task made is accounted for: kept, or removed by the push that made it and said so
    assert imported - removed == len(rows) - there, [r[1] for r in results]
    return results


@pytest.mark.parametrize("pushes", [2, 4])
def test_pushes_to_a_new_project_started_together_make_one_project(
    labelstudio, ls_project, write_corpus, pushes
):
    rows = sample_articles(120, prefix=f"race_new{pushes}")
    corpus = write_corpus(rows)
    results = _push_together(labelstudio, corpus, ls_project, pushes)
    _check(results, labelstudio, ls_project, rows)
    # Pushes on one machine find or create the project under a lock: one creates it, the
    # others find it (an extra project the server made by re-running a create is removed and
    # said by the push that created one).
    made = [out for _, out, _ in results if ", created)" in out]
    assert len(made) == 1, [out for _, out, _ in results]
    for _, out, _ in results:
        if "new projects titled" in out:
            assert ", created)" in out


@pytest.mark.parametrize("pushes", [2, 4])
def test_pushes_into_one_existing_project_started_together_give_one_task_per_article(
    labelstudio, ls_project, write_corpus, pushes
):
    rows = sample_articles(150, prefix=f"race_old{pushes}")
    first = write_corpus(rows[:5], name="first")
    corpus = write_corpus(rows)
    for code, _, err in _push_together(labelstudio, first, ls_project, 1):
        assert code == 0, err
    results = _push_together(labelstudio, corpus, ls_project, pushes)
    _check(results, labelstudio, ls_project, rows, there=5)
    # a push after them all finds everything there, and its ledger (written from what the
    # server holds) is what the server holds
    ((code, out, err),) = _push_together(labelstudio, corpus, ls_project, 1)
    assert code == 0, err
    assert f"articles {len(rows)}: 0 imported, {len(rows)} already there" in out
