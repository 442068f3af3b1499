"""End to end through a real Label Studio: real annotations in, the same annotations out.

- The seed article, cleaned and annotated by hand (tests/data/seed_annotation.json), is pushed
  with its annotation, pulled, validated and released; the released ``documents`` and
  ``events`` configs hold its events with their arguments.
- Wojood's test split (nested CoNLL) is imported, pushed as annotations, pulled, validated and
  released; the ``ner`` config reproduces Wojood's outermost tags token for token and the
  ``documents`` config holds every nested entity with its span: zero differences.

Both read ../shared/data and skip when it is absent.
"""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

import pytest

from akhbar.annotation.conll.reader import read_conll
from tests.helpers import REPO
from tests.helpers import run_akhbar as run

SHARED = REPO.parent / "shared" / "data"
SEED = SHARED / "seed"
WOJOOD_TEST = SHARED / "wojood" / "test.txt"
WOJOOD_TAXONOMY = REPO / "schemas" / "taxonomies" / "wojood.yaml"

pytestmark = [pytest.mark.labelstudio, pytest.mark.shared_data]


def ok(*argv: str) -> str:
    code, out, err = run(*argv)
    assert code == 0, f"akhbar {' '.join(map(str, argv))} exited {code}:\n{out}\n{err}"
    return out


def through_labelstudio(labelstudio, project, corpus, documents, work, taxonomy=None):
    """push (with annotations) -> pull -> validate -> release; returns the release dir."""
    tax = ["--taxonomy", str(taxonomy)] if taxonomy else []
    ok(
        "annotate",
        "push",
        corpus,
        "--project",
        project,
        "--annotations",
        documents,
        "--no-progress",
        *tax,
        *labelstudio.cli_args(),
    )
    ok(
        "annotate",
        "pull",
        "--project",
        project,
        "--out",
        work / "snapshots",
        *tax,
        *labelstudio.cli_args(),
    )
    (snapshot,) = [
        p for p in (work / "snapshots").glob("snapshot-*.json") if "manifest" not in p.name
    ]
    ok("annotate", "validate", snapshot, "--corpus", corpus, "--out", work / "validated", *tax)
    report = json.loads((work / "validated" / "validation.json").read_text(encoding="utf-8"))
    ok(
        "release",
        "build",
        "--version",
        "1.0.0",
        "--corpus",
        corpus,
        "--documents",
        work / "validated",
        "--out",
        work / "releases",
        *tax,
    )
    release = work / "releases" / "v1.0.0"
    ok("release", "verify", release)
    return release, report


def load(release: Path, config: str, monkeypatch):
    import datasets

    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    monkeypatch.setenv("HF_DATASETS_OFFLINE", "1")
    return datasets.load_dataset(str(release), config)


def rows(dd) -> list[dict]:
    return [row for split in dd.values() for row in split]


@pytest.mark.skipif(not SEED.is_dir(), reason="../shared/data/seed is absent")
def test_seed_article_events_survive_the_pipeline(labelstudio, ls_project, tmp_path, monkeypatch):
    ok("corpus", "build", SEED, "--out", tmp_path / "corpus")
    import pyarrow.parquet as pq

    (article,) = pq.read_table(tmp_path / "corpus" / "articles.parquet").to_pylist()
    gold = json.loads((REPO / "tests" / "data" / "seed_annotation.json").read_text("utf-8"))
    text = article["text"]
    assert hashlib.sha256(text.encode()).hexdigest() == gold["text_sha256"], (
        "the cleaned seed text changed: the hand annotation's offsets no longer apply"
    )
    for e in gold["entities"]:
        assert text[e["start"] : e["end"]] == e["text"], e
    doc = {
        "article_id": article["id"],
        "text": text,
        "task_id": None,
        "annotation_id": "seed-hand-1",
        "annotator": "akhbar-team",
        "selection": "imported",
        "taxonomy": gold["taxonomy"],
        "entities": gold["entities"],
        "events": gold["events"],
    }
    documents = tmp_path / "seed_annotation.jsonl"
    documents.write_text(json.dumps(doc, ensure_ascii=False) + "\n", encoding="utf-8")

    release, report = through_labelstudio(
        labelstudio, ls_project, tmp_path / "corpus", documents, tmp_path
    )
    assert report["counts"]["annotations"] == {
        "total": 1,
        "valid": 1,
        "quarantined": 0,
        "cancelled": 0,
    }
    assert report["counts"]["documents"] == 1

    ents_by_id = {e["id"]: e for e in gold["entities"]}
    expected_events = {
        (ev["type"], ev["trigger"]["start"], ev["trigger"]["end"]): sorted(
            (a["role"], ents_by_id[a["entity_id"]]["start"], ents_by_id[a["entity_id"]]["end"])
            for a in ev["arguments"]
        )
        for ev in gold["events"]
    }

    docs = load(release, "documents", monkeypatch)
    (row,) = rows(docs)
    features = next(iter(docs.values())).features
    ent_label = features["entities"].feature["label"]
    ev_type = features["events"].feature["type"]
    role = features["events"].feature["arguments"].feature["role"]
    assert row["text"] == text
    got_entities = sorted(
        (e["start"], e["end"], ent_label.int2str(e["label"])) for e in row["entities"]
    )
    assert got_entities == sorted((e["start"], e["end"], e["label"]) for e in gold["entities"])
    got_events = {
        (ev_type.int2str(ev["type"]), ev["trigger"]["start"], ev["trigger"]["end"]): sorted(
            (role.int2str(a["role"]), a["start"], a["end"]) for a in ev["arguments"]
        )
        for ev in row["events"]
    }
    assert got_events == expected_events

    events = load(release, "events", monkeypatch)
    event_rows = rows(events)  # one per sentence, each with the events triggered in it
    ev_feature = next(iter(events.values())).features["events"].feature
    got = sorted(
        (
            ev_feature["type"].int2str(ev["type"]),
            ev["trigger"]["text"],
            sorted(
                (ev_feature["arguments"].feature["role"].int2str(a["role"]), a["text"])
                for a in ev["arguments"]
            ),
        )
        for r in event_rows
        for ev in r["events"]
    )
    want = sorted(
        (
            ev["type"],
            ev["trigger"]["text"],
            sorted((a["role"], ents_by_id[a["entity_id"]]["text"]) for a in ev["arguments"]),
        )
        for ev in gold["events"]
    )
    assert got == want
    attack = next(g for g in got if g[1] == "استهداف")
    assert [r for r, _ in attack[2]] == ["Attacker", "Instrument", "Place", "Target", "Time"]


@pytest.mark.skipif(not WOJOOD_TEST.is_file(), reason="../shared/data/wojood is absent")
def test_wojood_round_trip_has_zero_differences(labelstudio, ls_project, tmp_path, monkeypatch):
    work = tmp_path
    out = ok(
        "annotate",
        "import-conll",
        WOJOOD_TEST,
        "--taxonomy",
        WOJOOD_TAXONOMY,
        "--out",
        work / "wojood",
    )
    release, report = through_labelstudio(
        labelstudio,
        ls_project,
        work / "wojood" / "corpus",
        work / "wojood" / "documents.jsonl",
        work,
        taxonomy=WOJOOD_TAXONOMY,
    )
    sentences = list(read_conll(WOJOOD_TEST))
    assert report["counts"]["annotations"]["quarantined"] == 0
    assert report["counts"]["documents"] == len(sentences)
    by_text_id = {}
    import pyarrow.parquet as pq

    articles = pq.read_table(work / "wojood" / "corpus" / "articles.parquet").to_pylist()
    by_url = {a["url"]: a["id"] for a in articles}
    for s in sentences:
        by_text_id[by_url[f"conll:{WOJOOD_TEST.name}#{s.index + 1}"]] = s

    # ner: one row per sentence, Wojood's tokens and outermost tags, token for token
    ner = load(release, "ner", monkeypatch)
    tag_names = next(iter(ner.values())).features["ner_tags"].feature.names
    ner_rows = rows(ner)
    assert len(ner_rows) == len(sentences)
    token_diffs = tag_diffs = 0
    for r in ner_rows:
        s = by_text_id[r["article_id"]]
        token_diffs += sum(a != b for a, b in zip(r["tokens"], s.tokens, strict=True))
        tag_diffs += sum(
            tag_names[t] != tags[0] for t, tags in zip(r["ner_tags"], s.tags, strict=True)
        )
    assert (token_diffs, tag_diffs) == (0, 0)

    # documents: every entity, nested ones included, with the right span
    docs = load(release, "documents", monkeypatch)
    ent_names = next(iter(docs.values())).features["entities"].feature["label"].names
    doc_rows = rows(docs)
    assert len(doc_rows) == len(sentences)
    missing = extra = 0
    for r in doc_rows:
        s = by_text_id[r["id"]]
        offs = s.token_offsets()
        want = sorted((offs[sp.start][0], offs[sp.end - 1][1], sp.label) for sp in s.spans)
        got = sorted((e["start"], e["end"], ent_names[e["label"]]) for e in r["entities"])
        missing += len(set(want) - set(got))
        extra += len(set(got) - set(want))
        assert r["text"] == s.text
    assert (missing, extra) == (0, 0)
    print(f"\nwojood round trip: {out.strip().splitlines()[1].strip()}; 0 differences")
