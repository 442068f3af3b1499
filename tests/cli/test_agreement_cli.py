"""`akhbar annotate agreement` on the bundled sample, with a second annotator made in the test.

The second annotator's version of three articles differs by one missed entity (the first that
no event uses) and one relabelled entity (PER -> ORG, again one no event uses), so every change
is valid and the figures are known; a fourth annotation breaks an offset and must be reported,
not scored.
"""

from __future__ import annotations

import json

import orjson
import pytest

from tests.helpers import run_akhbar
from tests.helpers.agreement_sample import make_sample


@pytest.fixture(scope="module")
def sample(tmp_path_factory):
    return make_sample(tmp_path_factory.mktemp("agreement"))


def test_agreement_writes_figures_report_and_plot(sample):
    root, snap, tasks, changed = sample
    out = root / "agreement"
    code, stdout, stderr = run_akhbar(
        "annotate", "agreement", snap, "--corpus", root / "corpus", "--out", out
    )
    assert code == 0, stderr
    assert "3 documents annotated by two or more of 2 annotators" in stdout
    f = orjson.loads((out / "agreement.json").read_bytes())
    assert f["documents"] == 3 and f["annotators"] == ["1", "77"]
    n = sum(
        sum(1 for r in t["annotations"][0]["result"] if r.get("from_name") == "entity")
        for t in tasks[:3]
    )
    # the first annotator has n entities, the second n - 3; 3 + changed of them differ
    tp = n - 3 - changed
    assert f["entities"]["exact"]["f1"] == pytest.approx(2 * tp / (n + n - 3))
    assert f["entities"]["exact"]["precision"] == pytest.approx(tp / n)
    assert f["events"]["trigger"]["f1"] == 1.0 and f["events"]["argument"]["f1"] == 1.0
    lo, hi = f["intervals"]["entities.exact.f1"]
    assert lo <= f["entities"]["exact"]["f1"] <= hi
    assert f["read"]["invalid_annotations"] == 1 and f["read"]["single"] == 19
    invalid = [orjson.loads(x) for x in (out / "invalid.jsonl").read_bytes().splitlines()]
    assert [i["annotation_id"] for i in invalid] == [9999]
    report = (out / "agreement.md").read_text(encoding="utf-8")
    assert "## Documents with the lowest agreement" in report
    assert "not by 77" in report and "\u2068" in report  # Arabic in isolates
    # per annotator: each one's row holds their figures from agreement.json, label by label
    assert "## Per annotator" in report
    labels = list(f["entities"]["by_label"])
    for who in ("1", "77"):
        section = report.split("## Per annotator")[1].split("\n## ")[0].splitlines()
        row = next(x for x in section if x.startswith(f"| {who} |"))
        cells = [c.strip() for c in row.strip("|").split("|")][1:]
        for label, cell in zip(labels, cells, strict=True):
            x = f["by_annotator"][who]["entities"].get(label)
            if x is None:
                assert cell == "–"
                continue
            f1 = "–" if x["exact_f1"] is None else f"{x['exact_f1']:.3f}"
            assert cell == f"{f1} ({x['mine']}/{x['theirs']})", (who, label, cell)
    # the second annotator dropped three entities: the first made more mentions than they
    mine = {
        w: sum(x["mine"] for x in f["by_annotator"][w]["entities"].values()) for w in ["1", "77"]
    }
    assert mine["1"] == mine["77"] + 3
    assert (out / "agreement.png").read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


def test_agreement_json_option_and_refused_out(sample, tmp_path):
    root, snap, _, _ = sample
    code, stdout, _ = run_akhbar(
        "annotate",
        "agreement",
        snap,
        "--corpus",
        root / "corpus",
        "--out",
        tmp_path / "a",
        "--json",
    )
    assert code == 0 and json.loads(stdout)["documents"] == 3
    (tmp_path / "b").mkdir()
    (tmp_path / "b" / "precious.txt").write_text("x")
    code, _, stderr = run_akhbar(
        "annotate", "agreement", snap, "--corpus", root / "corpus", "--out", tmp_path / "b"
    )
    assert code != 0 and "not written by akhbar" in stderr and "Traceback" not in stderr
    assert (tmp_path / "b" / "precious.txt").exists()


def test_worker_processes_give_the_same_figures_and_proposals(sample, tmp_path):
    """Ranges of the export read, checked and scored in two worker processes, merged in
    export order: the same agreement and adjudication as in one process."""
    import functools

    from akhbar.annotation.team.adjudicate import adjudicate_batch
    from akhbar.annotation.team.agreement import Agreement, score_batch
    from akhbar.annotation.team.annotator_versions import SnapshotTally, VersionReader
    from akhbar.schemas import taxonomy

    root, snap, _, _ = sample
    tax = taxonomy.load(None)
    reader = VersionReader(root / "corpus", tax)
    results = []
    for workers, range_bytes in ((1, 1 << 22), (2, 1 << 14)):
        agr = Agreement(tax.entity_names, tax.event_names)
        tally = SnapshotTally()
        step = functools.partial(score_batch, index=agr.index)
        for scores in reader.batches(snap, tally, step, workers, range_bytes):
            for sc in scores:
                agr.add_score(sc)
        adj_step = functools.partial(adjudicate_batch, strategy="majority", tax=tax)
        adjs = [
            (a.document, a.conflicts)
            for batch in reader.batches(snap, SnapshotTally(), adj_step, workers, range_bytes)
            for a in batch
        ]
        results.append((agr.result(), tally.to_dict(), adjs))
    assert results[0] == results[1]
    assert results[0][0]["documents"] == 3 and results[0][1]["tasks"] == 22


def test_a_snapshot_with_nothing_annotated_twice(sample, tmp_path):
    import warnings

    root, _, _, _ = sample
    snap = tmp_path / "empty.json"
    snap.write_text("[]")
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # the plot of nothing must not warn either
        code, out, err = run_akhbar(
            "annotate", "agreement", snap, "--corpus", root / "corpus", "--out", tmp_path / "a"
        )
    assert code == 0, err
    assert "nothing to compare" in err and "0 documents annotated" in out
    f = orjson.loads((tmp_path / "a" / "agreement.json").read_bytes())
    assert f["documents"] == 0 and f["entities"]["exact"]["f1"] is None and f["intervals"] == {}
