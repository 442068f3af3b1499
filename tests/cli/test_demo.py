"""`akhbar demo`: the whole pipeline on the bundled sample, offline and against a real server.

Offline, the demo validates the bundled export ``corpus/sample/labelstudio_export.json`` (a
snapshot pulled from a real Label Studio by the demo's own online path); online, it pushes the
sample with its annotations to the session's real server and pulls them back. Either way the
release must load with ``datasets``, pass ``akhbar release verify``, and hold exactly the
bundled annotations.
"""

from __future__ import annotations

import re
import subprocess
import sys
from collections import Counter
from pathlib import Path

import orjson
import pyarrow.parquet as pq
import pytest

from akhbar.annotation.labelstudio import server
from akhbar.cli import demo
from akhbar.cli.demo import SAMPLE_ANNOTATIONS, SAMPLE_EXPORT, run_demo
from akhbar.cli.main import main
from tests.helpers import REPO

ROOT = REPO
AKHBAR = Path(sys.executable).parent / "akhbar"


@pytest.fixture(scope="module")
def akhbar(tmp_path_factory):
    """Run the installed ``akhbar``; a home of its own, so caches land nowhere else."""
    home = tmp_path_factory.mktemp("home")

    def run(*args) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [str(AKHBAR), *map(str, args)],
            capture_output=True,
            text=True,
            env={"PATH": "/usr/bin:/bin", "CI": "true", "HOME": str(home)},
            timeout=600,
        )

    return run


def bundled() -> dict[str, dict]:
    return {
        d["article_id"]: d for d in map(orjson.loads, SAMPLE_ANNOTATIONS.read_bytes().splitlines())
    }


def _entities(doc: dict) -> Counter:
    return Counter((e["start"], e["end"], e["text"], e["label"]) for e in doc["entities"])


def _events(doc: dict) -> Counter:
    """Events with their arguments as (role, entity span), independent of region ids."""
    spans = {e["id"]: (e["start"], e["end"], e["label"]) for e in doc["entities"]}
    return Counter(
        (
            ev["type"],
            ev["trigger"]["start"],
            ev["trigger"]["end"],
            tuple(sorted((a["role"], spans[a["entity_id"]]) for a in ev["arguments"])),
        )
        for ev in doc["events"]
    )


def assert_documents_are_the_bundled_annotations(validated: Path) -> None:
    """Every validated document holds exactly the sample's own annotation of its article."""
    want = bundled()
    got = {
        d["article_id"]: d
        for d in map(orjson.loads, (validated / "documents.jsonl").read_bytes().splitlines())
    }
    assert set(got) == set(want)
    for aid, doc in got.items():
        assert doc["text"] == want[aid]["text"], aid
        assert _entities(doc) == _entities(want[aid]), aid
        assert _events(doc) == _events(want[aid]), aid


def released_documents(release: Path) -> dict[str, dict]:
    rows = {}
    for path in sorted((release / "data" / "documents").rglob("*.parquet")):
        for row in pq.read_table(path).to_pylist():
            rows[row["id"]] = row
    return rows


# --- offline, through the real command line ------------------------------------------------------


@pytest.fixture(scope="module")
def offline_run(tmp_path_factory, akhbar):
    out = tmp_path_factory.mktemp("demo") / "out"
    (out / "stale").mkdir(parents=True)  # an earlier demo's leftovers: emptied first
    (out / demo.MARKER).write_text("")
    r = akhbar("demo", "--out", out, "--offline")
    return out, r


def test_offline_demo_ends_with_a_loaded_release(offline_run):
    out, r = offline_run
    assert r.returncode == 0, r.stderr
    assert "Traceback" not in r.stderr
    lines = r.stdout.splitlines()
    assert lines[0] == f"akhbar demo: the whole pipeline on the bundled sample, in {out}"
    assert f"  corpus    33 inputs: 22 kept, 7 rejected, 4 duplicates -> {out / 'corpus'}" in lines
    assert "  studio    skipped (--offline)" in lines
    assert any(line.startswith("  publish   skipped (the demo stays offline)") for line in lines)
    assert f"  snapshot  bundled export {SAMPLE_EXPORT}: 22 tasks, 28 annotations" in lines
    # the second annotator's six articles: agreement, adjudication, the card's section
    assert (
        "  agreement 6 documents annotated by two or more of 2 annotators (22 tasks read, 0 "
        f"invalid annotations not scored) -> {out / 'agreement'}"
    ) in lines
    assert any(line.startswith("      entities  exact F1 0.9") for line in lines)
    assert any(
        line.startswith("  adjudicate 6 proposals (majority), 5 with conflicts") for line in lines
    )
    audit = orjson.loads((out / "audit" / "audit.json").read_bytes())
    assert audit["suspects"] > 0
    assert any(
        line.startswith(f"  audit     {audit['suspects']} suspects (") and "audit.md" in line
        for line in lines
    )
    assert "## Known issues" in (out / "releases" / "v1.0.0" / "README.md").read_text("utf-8")
    assert any(line.startswith("  review    skipped (needs Label Studio)") for line in lines)
    f = orjson.loads((out / "agreement" / "agreement.json").read_bytes())
    assert f["documents"] == 6 and f["annotators"] == ["1", "2"]
    assert 0.9 < f["entities"]["exact"]["f1"] < 1 and f["events"]["argument"]["f1"] < 1
    card = (out / "releases" / "v1.0.0" / "README.md").read_text(encoding="utf-8")
    assert "## Annotation quality" in card and "6 articles were annotated independently" in card
    assert (
        f"  validate  22 documents, 0 quarantined, 0 errors, 0 warnings -> {out / 'validated'}"
        in lines
    )
    release = out / "releases" / "v1.0.0"
    assert any(line.startswith(f"  release   v1.0.0 at {release} (verified: ") for line in lines)
    # every config was loaded by datasets, with every split it has
    for config in ("ner", "ner_nested", "events", "documents"):
        row = next(line for line in lines if line.startswith(f"    {config} "))
        assert "train " in row and "validation " in row and "test " in row, row
    docs_row = next(line for line in lines if line.startswith("    documents "))
    assert sum(map(int, re.findall(r"\d+", docs_row))) == 22, docs_row
    assert any(line.startswith("  example ner row (") for line in lines)
    assert any(line.startswith("    tagged tokens: ") and "B-" in line for line in lines)
    assert any(line.startswith("  example events row (") for line in lines)
    assert "Label Studio was not used" in r.stdout
    assert not (out / "stale").exists()
    # stage progress goes to stderr, one line each
    assert "… validate: " in r.stderr and "… load: " in r.stderr


def test_offline_release_verifies_and_holds_the_bundled_annotations(offline_run, akhbar):
    out, r = offline_run
    assert r.returncode == 0, r.stderr
    release = out / "releases" / "v1.0.0"
    v = akhbar("release", "verify", release)
    assert v.returncode == 0, v.stdout + v.stderr
    assert v.stdout.startswith(f"ok: {release}: ")
    assert_documents_are_the_bundled_annotations(out / "validated")
    docs = released_documents(release)
    want = bundled()
    assert set(docs) == set(want)
    for aid, row in docs.items():
        assert len(row["entities"]) == len(want[aid]["entities"]), aid
        assert sum(len(ev["arguments"]) for ev in row["events"]) == sum(
            len(ev["arguments"]) for ev in want[aid]["events"]
        ), aid


def test_demo_refuses_an_out_dir_it_did_not_make(tmp_path, akhbar):
    (tmp_path / "keep.txt").write_text("not the demo's")
    r = akhbar("demo", "--out", tmp_path, "--offline")
    assert r.returncode == 2
    assert r.stderr.strip().splitlines() == [
        f"akhbar: error: --out {tmp_path}: not empty and not made by `akhbar demo` (no "
        f"{demo.MARKER} in it); choose another --out or remove it yourself"
    ]
    assert (tmp_path / "keep.txt").read_text() == "not the demo's"


def test_demo_goes_on_offline_when_label_studio_cannot_start(tmp_path):
    """A Label Studio environment of the wrong version cannot start: the bundled export is used."""
    venv = tmp_path / "venv"
    (venv / "bin").mkdir(parents=True)
    (venv / "bin" / "label-studio").write_text("")
    (venv / "lib" / "python3.11" / "site-packages" / "label_studio-0.0.1.dist-info").mkdir(
        parents=True
    )
    paths = server.Paths(tmp_path / "data", tmp_path / "settings.json", venv)
    said: list[str] = []
    summary = run_demo(tmp_path / "out", paths=paths, echo=said.append)
    assert summary.push is None
    assert summary.studio.skipped.startswith("Label Studio could not start: ")
    assert "label-studio 0.0.1, expected 1.23.2" in summary.studio.skipped
    assert any("going on offline with the bundled export" in line for line in said)
    assert summary.snapshot == SAMPLE_EXPORT
    assert summary.validation == {"documents": 22, "quarantined": 0, "errors": 0, "warnings": 0}
    assert sum(summary.rows["documents"].values()) == 22
    assert not (tmp_path / "data" / server.PID_FILE).exists()


def test_bundled_export_fits_the_current_sample_build(tmp_path, akhbar):
    """The bundled export: task texts are the built articles, and it validates clean."""
    corpus = tmp_path / "corpus"
    r = akhbar("corpus", "build", ROOT / "corpus" / "sample" / "raw", "--out", corpus)
    assert r.returncode == 0, r.stderr
    built = {
        row["id"]: row["text"]
        for row in pq.read_table(corpus / "articles.parquet", columns=["id", "text"]).to_pylist()
    }
    tasks = orjson.loads(SAMPLE_EXPORT.read_bytes())
    assert {t["data"]["article_id"]: t["data"]["text"] for t in tasks} == built
    assert len(tasks) == len(built) == 22
    v = akhbar("annotate", "validate", SAMPLE_EXPORT, "--corpus", corpus, "--out", tmp_path / "v")
    assert v.returncode == 0, v.stdout + v.stderr
    summary = orjson.loads((tmp_path / "v" / "validation.json").read_bytes())
    assert summary["counts"]["documents"] == 22
    assert summary["counts"]["quarantine_records"] == 0
    assert summary["counts"]["issues"] == {"errors": 0, "warnings": 0}
    # made from the bundled annotations: a change to them needs a new export (see README)
    assert_documents_are_the_bundled_annotations(tmp_path / "v")


# --- online, against the session's real Label Studio ---------------------------------------------


@pytest.mark.labelstudio
def test_online_demo_pushes_pulls_and_is_idempotent(labelstudio, ls_project, tmp_path, capsys):
    out = tmp_path / "out"
    args = ["demo", "--out", str(out), "--project", ls_project, *labelstudio.cli_args()]
    with pytest.raises(SystemExit) as e:
        main(args)
        raise SystemExit(0)
    printed = capsys.readouterr()
    assert e.value.code == 0, printed.err
    lines = printed.out.splitlines()
    push_line = next(line for line in lines if line.startswith("  push      "))
    assert push_line.startswith(f"  push      {labelstudio.url}, project {ls_project!r} (id ")
    assert push_line.endswith("created): 22 tasks imported with 22 annotations, 0 already there")
    assert any(
        line.startswith("  snapshot  pulled ") and line.endswith(": 22 tasks, 28 annotations")
        for line in lines
    )
    assert f"Open {labelstudio.url} in a browser to see project {ls_project!r}." in lines
    review = next(line for line in lines if line.startswith("  review    "))
    assert f"tabs in project {ls_project!r}'s Data Manager" in review, review
    # the sample's planted disagreements and audit suspects are in tabs; each annotator has a
    # feedback report
    with labelstudio.client() as c:
        pid = c.find_project(ls_project)["id"]
        views = c.raw("GET", "/api/dm/views", retry=True, params={"project": pid})
    titles = {(v.get("data") or {}).get("title") for v in views}
    assert any(str(t).startswith("akhbar review: audit ") for t in titles), titles
    assert len(list((out / "feedback").glob("*.md"))) == 2
    assert_documents_are_the_bundled_annotations(out / "validated")
    snapshots = [p for p in (out / "snapshots").glob("snapshot-*.json") if "manifest" not in p.name]
    assert len(snapshots) == 1

    # again: the project is reused, nothing is imported twice
    again = run_demo(out, url=labelstudio.url, api_key=labelstudio.api_key, project=ls_project)
    assert not again.push.created_project
    assert (again.push.imported, again.push.existing, again.push.annotations) == (0, 22, 0)
    assert again.snapshot_counts["tasks"] == 22 and again.snapshot_counts["annotations"] == 28
    # the second annotator's versions are not posted twice; the proposals were posted once
    assert again.adjudication["already_proposed"] == 6 and again.proposals_pushed == 0
    assert_documents_are_the_bundled_annotations(out / "validated")

    # --fresh: deleted and made again from the bundled annotations
    fresh = run_demo(
        out, url=labelstudio.url, api_key=labelstudio.api_key, project=ls_project, fresh=True
    )
    assert fresh.push.created_project and fresh.push.imported == 22
    assert fresh.push.project_id != again.push.project_id
    assert fresh.snapshot_counts["tasks"] == 22
    with labelstudio.client() as c:
        assert len(list(c.iter_tasks(fresh.push.project_id))) == 22
