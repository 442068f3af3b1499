"""`akhbar annotate audit` on the bundled sample: errors planted by the test are found, with
the kind and evidence expected; the outputs match their schemas; every input kind (documents,
the validate folder, a snapshot, a release) is read; bad input is one line."""

from __future__ import annotations

import json

import orjson
import pytest

from akhbar.schemas.shape import check_shape
from tests.helpers import run_akhbar
from tests.helpers.audit import at, audit, plant, write_docs
from tests.helpers.corrupt import corrupt, score

EXPORT = "corpus/sample/labelstudio_export.json"


@pytest.fixture(scope="module")
def sample(tmp_path_factory):
    root = tmp_path_factory.mktemp("audit")
    code, _, err = run_akhbar("corpus", "build", "corpus/sample/raw", "--out", root / "corpus")
    assert code == 0, err
    code, _, err = run_akhbar(
        "annotate", "validate", EXPORT, "--corpus", root / "corpus", "--out", root / "validated"
    )
    assert code == 0, err
    docs = [
        orjson.loads(x) for x in (root / "validated" / "documents.jsonl").read_bytes().splitlines()
    ]
    return root, docs


def test_planted_errors_are_found_and_were_not_there_before(sample, tmp_path):
    root, docs = sample
    bad, planted = plant(docs)
    clean = audit(docs, root / "corpus", tmp_path / "a0")
    found = audit(bad, root / "corpus", tmp_path / "a1")
    assert "22 documents (documents)" in found.stdout
    suspects = found.suspects
    for kind, aid, start in planted:
        got = at(suspects, kind, aid, start)
        assert got, f"{kind} in {aid} at {start} not found"
        assert not at(clean.suspects, kind, aid, start), f"{kind} was there before the plant"
        s = got[0]
        assert s["annotator"] == "1" and s["task_ids"] and s["evidence"]["excerpts"]
        assert s["rank"] <= 15, (kind, s["rank"], s["why"])
    relabelled = at(suspects, "entity_type", planted[0][1], planted[0][2])[0]
    assert relabelled["expected"] != relabelled["label"]
    assert relabelled["evidence"]["documents"], "the articles that say otherwise are named"
    summary = found.summary
    assert summary["suspects"] == len(suspects) == sum(summary["by_kind"].values())
    assert sum(
        c for a in summary["by_annotator"].values() for k, c in a.items() if k != "documents"
    ) == len(suspects)
    md = (found.out / "audit.md").read_text(encoding="utf-8")
    assert "\u2068" in md and "## entity_type" in md  # Arabic in isolates
    assert all(s["annotator_email"] is None for s in suspects)  # the export names none


def test_suspects_name_the_annotator_s_e_mail_where_the_documents_do(sample, tmp_path):
    """Validated documents of a pulled snapshot carry the annotator's e-mail: the suspects,
    the summary and the report show it beside the user id."""
    root, docs = sample
    bad, _ = plant(docs)
    email = "salma@newsroom.example"
    named = [{**d, "annotator_email": email} if d.get("annotator") == "1" else d for d in bad]
    found = audit(named, root / "corpus", tmp_path / "a")
    assert {s["annotator_email"] for s in found.suspects} == {email}
    assert found.summary["annotator_emails"] == {"1": email}
    md = (found.out / "audit.md").read_text(encoding="utf-8")
    assert f"| {email} (1) |" in md and f", {email}: " in md


def test_outputs_match_their_schemas(sample, tmp_path):
    root, docs = sample
    bad, _ = corrupt(docs, 0.1, seed=3)
    assert audit(bad, root / "corpus", tmp_path / "a").suspects
    lines = (tmp_path / "a" / "audit.jsonl").read_bytes().splitlines()
    for n, line in enumerate(lines):
        check_shape(orjson.loads(line), "audit_suspect", f"audit.jsonl line {n + 1}")
    check_shape(
        json.loads((tmp_path / "a" / "audit.json").read_text()), "audit_summary", "audit.json"
    )
    assert [orjson.loads(x)["rank"] for x in lines] == list(range(1, len(lines) + 1))
    scores = [orjson.loads(x)["score"] for x in lines]
    assert scores == sorted(scores, reverse=True)


def test_seeded_corruptions_are_ranked_above_chance(sample, tmp_path):
    """Not the benchmark's goals (make bench-audit): only that the ranking is far from random
    on the sample, whose planted errors are a few among hundreds of annotations."""
    root, docs = sample
    bad, corruptions = corrupt(docs, 0.05, seed=0)
    fig = score(audit(bad, root / "corpus", tmp_path / "a").suspects, corruptions)
    n_items = sum(len(d["entities"]) + len(d["events"]) for d in bad)
    assert fig["precision"] > 5 * len(corruptions) / n_items


def test_every_input_kind(sample, tmp_path):
    root, _ = sample
    code, out, err = run_akhbar(
        "annotate",
        "audit",
        root / "validated",
        "--corpus",
        root / "corpus",
        "--out",
        tmp_path / "v",
    )
    assert code == 0 and "22 documents (documents)" in out, err
    code, out, err = run_akhbar(
        "annotate", "audit", EXPORT, "--corpus", root / "corpus", "--out", tmp_path / "s"
    )
    assert code == 0 and "22 documents (snapshot)" in out, err
    code, _, err = run_akhbar(
        "release",
        "build",
        "--version",
        "1.0.0",
        "--corpus",
        root / "corpus",
        "--documents",
        root / "validated",
        "--out",
        tmp_path / "releases",
    )
    assert code == 0, err
    code, out, err = run_akhbar(
        "annotate",
        "audit",
        tmp_path / "releases" / "v1.0.0",
        "--corpus",
        root / "corpus",
        "--out",
        tmp_path / "r",
    )
    assert code == 0 and "22 documents (release)" in out, err
    a = orjson.loads((tmp_path / "v" / "audit.jsonl").read_bytes().splitlines()[0])
    r = [orjson.loads(x) for x in (tmp_path / "r" / "audit.jsonl").read_bytes().splitlines()]
    assert any(x["span"] == a["span"] and x["kind"] == a["kind"] for x in r)  # same findings


@pytest.mark.parametrize(
    "content, needle",
    [
        (
            b'{"article_id": "a", "text": "x", "entities": [], "events": []}\nnot json\n',
            "line 2 is not JSON",
        ),
        (b'{"article_id": "a", "text": "x"}\n', "line 1 is not an annotated document"),
        (None, "no such file or folder"),
    ],
)
def test_bad_input_is_one_line(sample, tmp_path, content, needle):
    root, _ = sample
    src = tmp_path / "in.jsonl"
    if content is not None:
        src.write_bytes(content)
    code, _, err = run_akhbar(
        "annotate", "audit", src, "--corpus", root / "corpus", "--out", tmp_path / "o"
    )
    assert code != 0 and needle in err and len(err.strip().splitlines()) == 1, err
    assert not (tmp_path / "o").exists()


def test_a_folder_that_is_not_a_corpus_is_one_line(sample, tmp_path):
    root, _ = sample
    code, _, err = run_akhbar(
        "annotate", "audit", root / "validated", "--corpus", tmp_path, "--out", tmp_path / "o"
    )
    assert code != 0 and "not a corpus store" in err and len(err.strip().splitlines()) == 1


def test_release_build_records_the_audit(sample, tmp_path):
    root, _ = sample
    code, _, err = run_akhbar(
        "annotate",
        "audit",
        root / "validated",
        "--corpus",
        root / "corpus",
        "--out",
        tmp_path / "a",
    )
    assert code == 0, err
    summary = json.loads((tmp_path / "a" / "audit.json").read_text(encoding="utf-8"))
    code, _, err = run_akhbar(
        "release",
        "build",
        "--version",
        "1.0.0",
        "--corpus",
        root / "corpus",
        "--documents",
        root / "validated",
        "--audit",
        tmp_path / "a",
        "--out",
        tmp_path / "releases",
    )
    assert code == 0, err
    release = tmp_path / "releases" / "v1.0.0"
    manifest = json.loads((release / "manifest.json").read_text(encoding="utf-8"))
    assert manifest["audit"]["by_kind"] == summary["by_kind"]
    assert manifest["audit"]["suspects"] == summary["suspects"] > 0
    card = (release / "README.md").read_text(encoding="utf-8")
    assert "## Known issues" in card and f"left {summary['suspects']} suspect(s)" in card
    kind, n = next((k, n) for k, n in summary["by_kind"].items() if n)
    assert f"| {kind} | {n} |" in card


def test_release_build_refuses_an_audit_of_the_wrong_shape(sample, tmp_path):
    root, _ = sample
    (tmp_path / "a").mkdir()
    (tmp_path / "a" / "audit.json").write_text('{"documents": "many"}', encoding="utf-8")
    code, _, err = run_akhbar(
        "release",
        "build",
        "--version",
        "1.0.0",
        "--corpus",
        root / "corpus",
        "--documents",
        root / "validated",
        "--audit",
        tmp_path / "a",
        "--out",
        tmp_path / "releases",
    )
    assert code != 0 and "audit.json" in err and len(err.strip().splitlines()) == 1, err
    assert not (tmp_path / "releases" / "v1.0.0").exists()


def test_a_suggestion_model_points_at_planted_errors(sample_model, tmp_path):
    """A model trained on the sample's release (tests/helpers/suggest.py) disagrees with a
    relabelled and a dropped entity in each article where it is sure of the sentence."""
    b = sample_model
    docs = [orjson.loads(x) for x in b["documents"].read_bytes().splitlines()]
    planted = []
    for d in docs:
        e = d["entities"][0]
        e["label"] = "ORG" if e["label"] != "ORG" else "GPE"
        planted.append(("model_type", d["article_id"], e["start"]))
        e = d["entities"][1]
        d["entities"].remove(e)
        for ev in d["events"]:
            ev["arguments"] = [a for a in ev["arguments"] if a["entity_id"] != e["id"]]
        planted.append(("model_missed", d["article_id"], e["start"]))
    audited = audit(docs, b["corpus"], tmp_path / "a", "--model", b["model"])
    model = [s for s in audited.suspects if s["kind"].startswith("model_")]
    found = [p for p in planted if at(model, *p)]
    assert len(found) >= 4, (found, [(s["kind"], s["span"]) for s in model])
    hits = [s for s in model if any(at([s], *p) for p in planted)]
    assert len(hits) >= len(model) / 2  # the model mostly points at what was planted
    assert all(s["score"] >= 0.5 and "sure of the sentence" in s["why"] for s in model)
    assert audited.summary["model"]["min_confidence"] == 0.5


@pytest.mark.shared_data
def test_frequent_type_swaps_in_wojood_are_found(tmp_path):
    """On Wojood whole, relabelled mentions of strings seen at least five times are nearly all
    among the top suspects (the benchmark, make bench-audit, prints every figure)."""
    import os
    from pathlib import Path

    from akhbar.annotation.conll.importer import ImportOptions, import_conll
    from akhbar.schemas.taxonomy import TAXONOMY_DIR
    from tests.helpers import SHARED_DATA

    wojood = Path(os.environ.get("AKHBAR_SHARED_DATA") or SHARED_DATA) / "wojood"
    if not (wojood / "train.txt").is_file():
        pytest.skip(f"{wojood} is absent (the shared data)")
    files = [wojood / n for n in ("train.txt", "val.txt", "test.txt")]
    import_conll(ImportOptions(files, TAXONOMY_DIR / "wojood.yaml", tmp_path / "w"))
    docs = [orjson.loads(x) for x in (tmp_path / "w" / "documents.jsonl").read_bytes().splitlines()]
    bad, corruptions = corrupt(docs, 0.05, seed=7)
    fig = score(audit(bad, tmp_path / "w" / "corpus", tmp_path / "a").suspects, corruptions)
    found, frequent = fig["frequent_relabels"]
    assert frequent >= 10 and found >= 0.8 * frequent, fig
    assert fig["recall_by_way"]["entity shift"][0] >= 0.5 * fig["recall_by_way"]["entity shift"][1]


def test_release_diff_says_which_changed_articles_were_audit_suspects(sample, tmp_path):
    """v1.0.0 is released with a planted error and its audit; v1.1.0 with the error corrected:
    the diff lists the article as changed, a suspect of v1.0.0's audit corrected after review."""
    root, docs = sample
    bad, planted = plant(docs)
    kind, aid, _ = planted[0]  # the relabelled entity
    bad = [d if d["article_id"] == aid else docs[i] for i, d in enumerate(bad)]
    doc = next(d for d in bad if d["article_id"] == aid)
    ids = {e["id"] for e in doc["entities"] if e["start"] == planted[0][2]}
    for ev in doc["events"]:  # the new label may not fill the roles the old one did
        ev["arguments"] = [a for a in ev["arguments"] if a["entity_id"] not in ids]
    code, _, err = run_akhbar(
        "annotate", "validate", write_docs(tmp_path / "bad.jsonl", bad), "--corpus",
        root / "corpus", "--out", tmp_path / "vbad",
    )  # fmt: skip
    assert code == 0, err
    audit(tmp_path / "vbad", root / "corpus", tmp_path / "audit")
    for argv in (
        ("release", "build", "--version", "1.0.0", "--corpus", root / "corpus", "--documents",
         tmp_path / "vbad", "--audit", tmp_path / "audit", "--out", tmp_path / "releases"),
        ("release", "build", "--version", "1.1.0", "--corpus", root / "corpus", "--documents",
         root / "validated", "--out", tmp_path / "releases"),
    ):  # fmt: skip
        code, out, err = run_akhbar(*argv)
        assert code == 0, (argv, out, err)
    code, out, err = run_akhbar(
        "release", "diff", "1.0.0", "1.1.0", "--releases", tmp_path / "releases"
    )
    assert code == 0, err
    changed = [line for line in out.splitlines() if line.startswith("- `")]
    assert len(changed) == 1 and aid in changed[0], out
    assert f"audit suspect in v1.0.0 ({kind}" in changed[0] and "corrected after review" in out
    log = (tmp_path / "releases" / "v1.1.0" / "CHANGELOG.md").read_text(encoding="utf-8")
    assert "corrected after review" in log
