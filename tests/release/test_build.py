"""`akhbar release build / verify / diff` through the real command line, read back by datasets,
pandas, pyarrow and mlcroissant."""

from __future__ import annotations

import hashlib
import json
import shutil
from pathlib import Path

import pandas as pd
import pyarrow.parquet as pq
import pytest
import yaml

from akhbar.corpus.release.splits import split_of
from akhbar.corpus.runtime.publish import TMP_TAG
from tests.helpers import run_akhbar
from tests.helpers.releases import ARTICLES, MORE_ARTICLES, write_documents, write_inputs

RATIOS = "0.4,0.3,0.3"  # every split gets rows in every config with the fixture articles
CONFIGS = ("ner", "ner_nested", "events", "documents")
SPLITS = ("train", "validation", "test")


def akhbar(capsys, *args: str) -> tuple[int, str, str]:
    """(exit code, stdout, stderr) from the one in-process runner (tests/helpers)."""
    return run_akhbar(*args)


def build(capsys, version, corpus, documents, out, *extra, workers=1):
    return akhbar(
        capsys,
        "release", "build", "--version", version, "--corpus", corpus,
        "--documents", documents, "--out", out, "--workers", str(workers), *extra,
    )  # fmt: skip


def load(release: Path, config: str, monkeypatch, tmp_path: Path):
    import datasets

    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    monkeypatch.setattr(datasets.config, "HF_HUB_OFFLINE", True)
    return datasets.load_dataset(str(release), config, cache_dir=str(tmp_path / "hf-cache"))


def sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


@pytest.fixture(scope="module")
def v1(tmp_path_factory):
    """v1.0.0 built once from the hand-written articles, with two worker processes."""
    root = tmp_path_factory.mktemp("release")
    corpus, documents = write_inputs(root / "in")
    out = root / "releases"
    code, _, err = run_akhbar(
        "release", "build", "--version", "1.0.0", "--corpus", corpus,
        "--documents", documents, "--out", out, "--ratios", RATIOS, "--workers", "2",
    )  # fmt: skip
    assert code == 0, err
    return {
        "root": root,
        "corpus": corpus,
        "documents": documents,
        "out": out,
        "dir": out / "v1.0.0",
    }


def docs_by_id() -> dict[str, dict]:
    return {a.id: a.document() for a in ARTICLES if a.annotated}


# --- layout and loading -------------------------------------------------------------------------


def test_layout_is_a_hub_dataset_repository(v1):
    d = v1["dir"]
    for name in ("README.md", "manifest.json", "croissant.json", "CHANGELOG.md"):
        assert (d / name).is_file(), name
    assert (d / "images" / "label_distribution.png").read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    for config in CONFIGS:
        names = sorted(p.name for p in (d / "data" / config).iterdir())
        assert names == [f"{s}-00000-of-00001.parquet" for s in ("test", "train", "validation")]
    assert not list(v1["out"].glob(f"*{TMP_TAG}*")), "the temporary build directory was left behind"


def test_documents_config_loads_with_label_names_and_equals_the_input(v1, monkeypatch, tmp_path):
    ds = load(v1["dir"], "documents", monkeypatch, tmp_path)
    assert set(ds) == set(SPLITS)
    features = ds["train"].features
    assert features["entities"].feature["label"].names == [
        "PER", "ORG", "GPE", "LOC", "FAC", "WEA", "VEH", "TIME",
    ]  # fmt: skip
    ev = features["events"].feature
    assert "Attack" in ev["type"].names and "Victim" in ev["arguments"].feature["role"].names
    expected = docs_by_id()
    arts = {a.id: a for a in ARTICLES}
    seen = set()
    ent_names = features["entities"].feature["label"].names
    type_names, role_names = ev["type"].names, ev["arguments"].feature["role"].names
    for split in SPLITS:
        for row in ds[split]:
            doc = expected[row["id"]]
            art = arts[row["id"]]
            seen.add(row["id"])
            assert row["text"] == doc["text"] and row["title"] == art.title
            assert row["source"] == art.source and row["url"] == art.url
            assert row["published"] == art.published and row["truncated"] == art.truncated
            assert [{**e, "label": ent_names[e["label"]]} for e in row["entities"]] == doc[
                "entities"
            ]
            spans = {e["id"]: e for e in doc["entities"]}
            want_events = [
                {
                    "id": e["id"],
                    "type": e["type"],
                    "trigger": e["trigger"],
                    "arguments": [
                        {
                            "role": a["role"],
                            "entity_id": a["entity_id"],
                            "start": spans[a["entity_id"]]["start"],
                            "end": spans[a["entity_id"]]["end"],
                            "text": spans[a["entity_id"]]["text"],
                        }
                        for a in e["arguments"]
                    ],
                }
                for e in doc["events"]
            ]
            got_events = [
                {
                    **e,
                    "type": type_names[e["type"]],
                    "arguments": [{**a, "role": role_names[a["role"]]} for a in e["arguments"]],
                }
                for e in row["events"]
            ]
            assert got_events == want_events
    assert seen == set(expected), "every annotated article is released, once"


def _ner_spans(rows, names):
    """Entity spans (article offsets, label) decoded from BIO rows of one article."""
    spans = []
    for row in rows:
        cur = None
        for tok, s, e, tag in zip(
            row["tokens"], row["token_starts"], row["token_ends"], row["ner_tags"], strict=True
        ):
            assert row["text"][s:e] == tok
            name = names[tag]
            if name.startswith("B-"):
                cur = [row["start"] + s, row["start"] + e, name[2:]]
                spans.append(cur)
            elif name.startswith("I-"):
                assert cur is not None and cur[2] == name[2:], "I- tag without its B-"
                cur[1] = row["start"] + e
            else:
                cur = None
    return [tuple(s) for s in spans]


def test_ner_config_tags_every_outermost_entity(v1, monkeypatch, tmp_path):
    ds = load(v1["dir"], "ner", monkeypatch, tmp_path)
    names = ds["train"].features["ner_tags"].feature.names
    assert names[:3] == ["O", "B-PER", "I-PER"] and len(names) == 17
    by_article: dict[str, list] = {}
    for split in SPLITS:
        for row in ds[split]:
            by_article.setdefault(row["article_id"], []).append(row)
    for aid, doc in docs_by_id().items():
        rows = sorted(by_article[aid], key=lambda r: r["sentence"])
        assert [r["sentence"] for r in rows] == list(range(len(rows)))
        for r in rows:
            assert doc["text"][r["start"] : r["end"]] == r["text"]
        got = _ner_spans(rows, names)
        ents = doc["entities"]
        outer = [
            e
            for e in ents
            if not any(
                o is not e and o["start"] <= e["start"] and e["end"] <= o["end"] for o in ents
            )
        ]
        assert len(got) == len(outer), (aid, got, outer)
        for e in outer:  # kept exactly, split off a clitic, or widened to whole tokens
            assert any(s <= e["start"] and e["end"] <= t and lab == e["label"] for s, t, lab in got)


def test_ner_keeps_a_clitic_on_its_name(v1, monkeypatch, tmp_path):
    ds = load(v1["dir"], "ner", monkeypatch, tmp_path)
    names = ds["train"].features["ner_tags"].feature.names
    aid = ARTICLES[0].id
    rows = [r for s in SPLITS for r in ds[s] if r["article_id"] == aid]
    pairs = [(t, names[g]) for r in rows for t, g in zip(r["tokens"], r["ner_tags"], strict=True)]
    assert ("ببغداد", "B-GPE") in pairs  # the entity is on بغداد; the token is not split
    assert ("ب", "O") not in pairs
    # the nested ORG stays in documents but ner keeps the outer PER
    j = pairs.index(("المتحدث", "B-PER"))
    assert [p[1] for p in pairs[j + 1 : j + 4]] == ["I-PER", "I-PER", "I-PER"]


def test_events_config_rows_carry_trigger_and_arguments(v1, monkeypatch, tmp_path):
    ds = load(v1["dir"], "events", monkeypatch, tmp_path)
    event = ds["train"].features["events"].feature
    type_names = event["type"].names
    role_names = event["arguments"].feature["role"].names
    ent_names = event["arguments"].feature["entity_label"].names
    # one row per sentence; each event in the sentence that holds its trigger
    found = {
        (r["article_id"], ev["id"]): (r, ev) for s in SPLITS for r in ds[s] for ev in r["events"]
    }
    n = 0
    for aid, doc in docs_by_id().items():
        ents = {e["id"]: e for e in doc["entities"]}
        for ev in doc["events"]:
            n += 1
            row, got_ev = found[(aid, ev["id"])]
            assert type_names[got_ev["type"]] == ev["type"]
            assert doc["text"][row["start"] : row["end"]] == row["text"]
            t = got_ev["trigger"]
            assert row["text"][t["char_start"] : t["char_end"]] == ev["trigger"]["text"]
            assert row["start"] + t["char_start"] == ev["trigger"]["start"]
            assert row["token_starts"][t["start"]] <= t["char_start"]
            assert t["char_end"] <= row["token_ends"][t["end"] - 1]
            got = [
                (role_names[a["role"]], a["entity_id"], ent_names[a["entity_label"]], a["text"])
                for a in got_ev["arguments"]
            ]
            want = [
                (
                    a["role"],
                    a["entity_id"],
                    ents[a["entity_id"]]["label"],
                    ents[a["entity_id"]]["text"],
                )
                for a in ev["arguments"]
            ]
            assert got == want
            for a in got_ev["arguments"]:
                assert row["text"][a["char_start"] : a["char_end"]] == a["text"]
                assert " ".join(row["tokens"][a["start"] : a["end"]]).count(a["text"].split()[0])
    assert n == len(found)


def test_pandas_and_pyarrow_read_every_file(v1):
    manifest = json.loads((v1["dir"] / "manifest.json").read_text(encoding="utf-8"))
    for config in CONFIGS:
        for split in SPLITS:
            for rel in manifest["configs"][config][split]["files"]:
                path = v1["dir"] / rel
                table = pq.read_table(path)
                frame = pd.read_parquet(path)
                assert table.num_rows == len(frame) == manifest["files"][rel]["rows"]
                meta = json.loads(table.schema.metadata[b"huggingface"])
                assert "features" in meta["info"]


# --- card, manifest, croissant --------------------------------------------------------------------


def card_yaml(release: Path) -> dict:
    text = (release / "README.md").read_text(encoding="utf-8")
    assert text.startswith("---\n")
    return yaml.safe_load(text.split("\n---\n", 1)[0][4:])


def test_card_yaml_matches_the_files(v1):
    meta = card_yaml(v1["dir"])
    assert meta["language"] == ["ar"] and "token-classification" in meta["task_categories"]
    assert meta["pretty_name"] and meta["size_categories"] == ["n<1K"] and meta["license"]
    sizes = {}
    for info in meta["dataset_info"]:
        for s in info["splits"]:
            sizes[(info["config_name"], s["name"])] = s["num_examples"]
    for entry in meta["configs"]:
        for df in entry["data_files"]:
            rows = 0
            for rel in df["path"]:
                assert (v1["dir"] / rel).is_file(), rel
                rows += pq.read_metadata(v1["dir"] / rel).num_rows
            assert sizes[(entry["config_name"], df["split"])] == rows
    assert {c["config_name"] for c in meta["configs"]} == set(CONFIGS)
    body = (v1["dir"] / "README.md").read_text(encoding="utf-8")
    for heading in ("## Sources", "## Structure", "## Label distribution", "## Annotation",
                    "## Known limitations", "## Citation", "images/label_distribution.png",
                    "```bibtex", "ner_expanded_start", "akhbar.corpus.tokenizer"):  # fmt: skip
        assert heading in body, heading


def test_manifest_records_inputs_files_and_splits(v1):
    d = v1["dir"]
    m = json.loads((d / "manifest.json").read_text(encoding="utf-8"))
    assert m["version"] == "1.0.0" and m["previous"] is None
    assert m["taxonomy"]["name"] == "ace-ar-conflict" and len(m["taxonomy"]["sha256"]) == 64
    assert m["schemas"]["document"] and m["schemas"]["taxonomy"]
    assert m["git_commit"] is None or len(m["git_commit"]) == 40
    assert m["inputs"]["articles"]["sha256"] == sha256(v1["corpus"] / "articles.parquet")
    assert m["inputs"]["documents"]["sha256"] == sha256(v1["documents"] / "documents.jsonl")
    validation = json.loads((v1["documents"] / "validation.json").read_text(encoding="utf-8"))
    assert m["inputs"]["snapshot"]["sha256"] == validation["snapshot"]["sha256"]
    listed = set(m["files"])
    on_disk = {p.relative_to(d).as_posix() for p in d.rglob("*") if p.is_file()}
    assert listed == on_disk - {"manifest.json"}
    for rel, info in m["files"].items():
        assert info["sha256"] == sha256(d / rel) and info["bytes"] == (d / rel).stat().st_size
    annotated = [a for a in ARTICLES if a.annotated]
    assert m["counts"]["released_articles"] == len(annotated)
    assert m["counts"]["articles_without_document"] == 1
    by_title = {a.title: a for a in ARTICLES}
    for a in annotated:
        cluster = by_title[a.cluster_of].id if a.cluster_of else a.id
        entry = m["articles"][a.id]
        assert entry["cluster_id"] == cluster
        assert entry["split"] == SPLITS[split_of(cluster, (0.4, 0.3, 0.3))]
    # the near-duplicate shares its original's cluster and therefore its split
    dup = next(a for a in ARTICLES if a.cluster_of)
    assert m["articles"][dup.id]["split"] == m["articles"][by_title[dup.cluster_of].id]["split"]
    per = m["labels"]
    assert sum(per[s]["entities"].get("PER", 0) for s in SPLITS) == sum(
        1 for a in annotated for e in a.document()["entities"] if e["label"] == "PER"
    )
    assert m["adjustments"]["ner_expanded_start"] >= 3
    assert m["adjustments"]["ner_nested_dropped"] == 1
    assert m["tokenization"]["clitic_segmentation"] is False
    assert m["tokenization"]["articles_with_source_tokens"] == 0


def test_croissant_validates_and_reads(v1):
    import mlcroissant as mlc

    path = v1["dir"] / "croissant.json"
    ds = mlc.Dataset(jsonld=str(path))
    meta = json.loads(path.read_text(encoding="utf-8"))
    for obj in meta["distribution"]:
        if obj["@type"] == "cr:FileObject":
            assert obj["sha256"] == sha256(v1["dir"] / obj["contentUrl"])
    m = json.loads((v1["dir"] / "manifest.json").read_text(encoding="utf-8"))
    for config in CONFIGS:
        records = list(ds.records(config))
        assert len(records) == sum(m["configs"][config][s]["rows"] for s in SPLITS)
        splits = {r[f"{config}/split"].decode() for r in records}
        assert splits == set(SPLITS)
    labels = [r["entity_labels/name"] for r in ds.records("entity_labels")]
    assert next(x.decode() if isinstance(x, bytes) else x for x in labels) == "PER"


def test_verify_passes_on_a_fresh_release(v1, capsys):
    code, out, err = akhbar(capsys, "release", "verify", v1["dir"])
    assert code == 0, err
    assert out.startswith("ok: ")


def test_verify_reports_a_tampered_release(v1, capsys, tmp_path):
    copy = tmp_path / "v1.0.0"
    shutil.copytree(v1["dir"], copy)
    parquet = copy / "data" / "ner" / "train-00000-of-00001.parquet"
    data = bytearray(parquet.read_bytes())
    data[100] ^= 0xFF
    parquet.write_bytes(bytes(data))
    card = copy / "README.md"
    text = card.read_text(encoding="utf-8")
    n = json.loads((copy / "manifest.json").read_text())["configs"]["documents"]["train"]["rows"]
    card.write_text(text.replace(f"num_examples: {n}\n", f"num_examples: {n + 5}\n", 1))
    (copy / "data" / "events" / "extra.parquet").write_bytes(b"PAR1")
    code, out, _ = akhbar(capsys, "release", "verify", copy)
    assert code == 1
    lines = out.strip().splitlines()
    assert any("ner/train-00000-of-00001.parquet: sha256" in line for line in lines)
    assert any("README.md: documents/train num_examples" in line for line in lines)
    assert any("extra.parquet: not listed" in line for line in lines)
    assert all("\n" not in line for line in lines)


# --- versions, splits, changelog -------------------------------------------------------------------


def test_rebuilding_a_version_is_refused(v1, capsys):
    before = sha256(v1["dir"] / "manifest.json")
    code, _, err = build(capsys, "1.0.0", v1["corpus"], v1["documents"], v1["out"])
    assert code == 2
    assert err.count("\n") == 1 and "immutable" in err and "v1.0.0" in err
    assert sha256(v1["dir"] / "manifest.json") == before


@pytest.mark.parametrize("version", ["1.0", "v1.2.3.4", "latest", "01.0.0"])
def test_a_version_must_be_semantic(tmp_path, capsys, version):
    corpus, documents = write_inputs(tmp_path / "in")
    code, _, err = build(capsys, version, corpus, documents, tmp_path / "out")
    assert code == 2 and "semantic version" in err and err.count("\n") == 1


def test_second_release_keeps_splits_and_lists_additions(v1, capsys, tmp_path):
    out = tmp_path / "releases"
    shutil.copytree(v1["dir"], out / "v1.0.0")
    corpus, documents = write_inputs(tmp_path / "in2", ARTICLES + MORE_ARTICLES)
    code, stdout, err = build(capsys, "1.1.0", corpus, documents, out)
    assert code == 0, err
    assert "previous: v1.0.0" in stdout
    old = json.loads((out / "v1.0.0" / "manifest.json").read_text(encoding="utf-8"))
    new = json.loads((out / "v1.1.0" / "manifest.json").read_text(encoding="utf-8"))
    assert new["previous"] == "1.0.0"
    assert new["splits"]["ratios"] == old["splits"]["ratios"]  # taken from the previous release
    for aid, entry in old["articles"].items():
        assert new["articles"][aid]["split"] == entry["split"]
    log = (out / "v1.1.0" / "CHANGELOG.md").read_text(encoding="utf-8")
    assert "2 articles added, 0 removed" in log
    for a in MORE_ARTICLES:
        assert f"`{a.id}` ({new['articles'][a.id]['split']})" in log
    assert "## v1.0.0" in log and "Initial release" in log  # history kept
    assert "| `PER` |" in log
    code, diff_out, _ = akhbar(capsys, "release", "diff", "1.0.0", "v1.1.0", "--releases", out)
    assert code == 0 and diff_out.startswith("# Changes from v1.0.0 to v1.1.0")
    assert all(a.id in diff_out for a in MORE_ARTICLES)
    code, diff_dirs, _ = akhbar(capsys, "release", "diff", out / "v1.0.0", out / "v1.1.0")
    assert diff_dirs == diff_out
    code, _, err = build(capsys, "1.0.5", corpus, documents, out)
    assert code == 2 and "not above the latest release v1.1.0" in err


def test_changed_annotations_are_listed(v1, capsys, tmp_path):
    out = tmp_path / "releases"
    shutil.copytree(v1["dir"], out / "v1.0.0")
    arts = list(ARTICLES)
    changed = arts[1]
    documents = write_documents(tmp_path / "validated", arts)
    lines = (documents / "documents.jsonl").read_text(encoding="utf-8").splitlines()
    docs = [json.loads(x) for x in lines]
    target = next(d for d in docs if d["article_id"] == changed.id)
    target["entities"][0]["label"] = "WEA"  # VEH -> WEA: still an allowed Instrument of Attack
    (documents / "documents.jsonl").write_text(
        "".join(json.dumps(d, ensure_ascii=False) + "\n" for d in docs), encoding="utf-8"
    )
    code, _, err = build(capsys, "1.0.1", v1["corpus"], documents, out)
    assert code == 0, err
    log = (out / "v1.0.1" / "CHANGELOG.md").read_text(encoding="utf-8")
    assert "1 with changed annotations" in log and f"`{changed.id}`" in log


def test_a_build_that_moves_an_article_is_refused_unless_resplit(v1, capsys, tmp_path):
    out = tmp_path / "releases"
    shutil.copytree(v1["dir"], out / "v1.0.0")
    args = ("1.1.0", v1["corpus"], v1["documents"], out, "--ratios", "0.8,0.1,0.1")
    code, _, err = build(capsys, *args)
    assert code == 2 and err.count("\n") == 1
    assert "would change split since v1.0.0" in err and "--resplit" in err and "art_" in err
    assert not (out / "v1.1.0").exists() and not list(out.glob(f"*{TMP_TAG}*"))
    code, _, err = build(capsys, *args, "--resplit")
    assert code == 0, err
    m = json.loads((out / "v1.1.0" / "manifest.json").read_text(encoding="utf-8"))
    assert m["splits"]["resplit"] and m["splits"]["moved"] > 0
    assert "moved to another split" in (out / "v1.1.0" / "CHANGELOG.md").read_text()


def test_empty_splits_are_left_out_and_the_rest_loads(tmp_path, capsys, monkeypatch):
    corpus, documents = write_inputs(tmp_path / "in")
    out = tmp_path / "releases"
    code, _stdout, err = build(capsys, "0.1.0", corpus, documents, out)  # default 0.8/0.1/0.1
    assert code == 0, err
    release = out / "v0.1.0"
    m = json.loads((release / "manifest.json").read_text(encoding="utf-8"))
    assert m["configs"]["documents"]["validation"]["rows"] == 0  # no article hashes there
    meta = card_yaml(release)
    for config in CONFIGS:  # every config is there, with the splits that have rows
        entry = next(c for c in meta["configs"] if c["config_name"] == config)
        assert [df["split"] for df in entry["data_files"]] == [
            s for s in SPLITS if m["configs"]["documents"][s]["rows"]
        ]
    assert "left out of its `data_files`" in (release / "README.md").read_text(encoding="utf-8")
    for config in CONFIGS:
        ds = load(release, config, monkeypatch, tmp_path)
        want = [s for s in SPLITS if m["configs"][config][s]["rows"]]
        assert sorted(ds) == sorted(want)
        assert {s: ds[s].num_rows for s in ds} == {s: m["configs"][config][s]["rows"] for s in want}
    assert akhbar(capsys, "release", "verify", release)[0] == 0


def test_an_interrupted_build_leaves_nothing(tmp_path, capsys, monkeypatch):
    """Fault injection: the card step raises halfway through the build."""
    from akhbar.corpus.release import card

    corpus, documents = write_inputs(tmp_path / "in")
    out = tmp_path / "releases"

    def fail(*args, **kwargs):
        raise KeyboardInterrupt

    monkeypatch.setattr(card, "render", fail)
    code, _, err = build(capsys, "1.0.0", corpus, documents, out)
    assert code == 130 and ("interrupted" in err or "aborted" in err)
    assert list(out.iterdir()) == []


def test_a_stale_temporary_directory_is_removed(tmp_path, capsys):
    corpus, documents = write_inputs(tmp_path / "in")
    out = tmp_path / "releases"
    stale = out / ".v0.9.0.akhbar-tmp-999999999-dead"  # no such process
    (stale / "data").mkdir(parents=True)
    code, _, err = build(capsys, "1.0.0", corpus, documents, out)
    assert code == 0, err
    assert sorted(p.name for p in out.iterdir()) == ["index.json", "v1.0.0"]


def test_one_worker_and_two_give_the_same_files(v1, capsys, tmp_path):
    code, _, err = build(
        capsys, "1.0.0", v1["corpus"], v1["documents"], tmp_path, "--ratios", RATIOS, workers=1
    )
    assert code == 0, err
    a = json.loads((v1["dir"] / "manifest.json").read_text(encoding="utf-8"))["files"]
    b = json.loads((tmp_path / "v1.0.0" / "manifest.json").read_text(encoding="utf-8"))["files"]
    data = [rel for rel in a if rel.startswith("data/")]
    assert data and all(a[rel]["sha256"] == b[rel]["sha256"] for rel in data)


# --- bad input ----------------------------------------------------------------------------------


def _rewrite_docs(documents: Path, change) -> None:
    path = documents / "documents.jsonl"
    docs = [json.loads(x) for x in path.read_text(encoding="utf-8").splitlines()]
    docs = change(docs)
    path.write_text("".join(json.dumps(d, ensure_ascii=False) + "\n" for d in docs), "utf-8")


def test_a_document_whose_text_differs_is_an_integrity_error(tmp_path, capsys):
    corpus, documents = write_inputs(tmp_path / "in")
    victim = ARTICLES[2].id

    def change(docs):
        for d in docs:
            if d["article_id"] == victim:
                d["text"] = d["text"].replace("المحادثات", "المفاوضات")
        return docs

    _rewrite_docs(documents, change)
    code, _, err = build(capsys, "1.0.0", corpus, documents, tmp_path / "out")
    assert code == 2 and err.count("\n") == 1
    assert victim in err and "differs from the corpus article's text" in err
    assert "line 3" in err
    assert not (tmp_path / "out" / "v1.0.0").exists()
    assert not list((tmp_path / "out").glob(f"*{TMP_TAG}*"))


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (lambda docs: [*docs, {**docs[0], "article_id": "art_nowhere"}], "art_nowhere is not in"),
        (lambda docs: [*docs, docs[1]], "a second document for article"),
        (
            lambda docs: [{**docs[0], "entities": [{**docs[0]["entities"][0], "label": "ALIEN"}]}],
            "AK110 label 'ALIEN' is not a label of entity in",
        ),
        (
            lambda docs: [{**docs[0], "entities": [{**docs[0]["entities"][0], "end": 10_000}]}],
            "AK102 end 10000 is past the end of the text",
        ),
    ],
    ids=["orphan", "duplicate", "unknown-label", "bad-offset"],
)
def test_bad_documents_are_refused_in_one_line(tmp_path, capsys, change, message):
    corpus, documents = write_inputs(tmp_path / "in")
    _rewrite_docs(documents, change)
    code, _, err = build(capsys, "1.0.0", corpus, documents, tmp_path / "out")
    assert code == 2 and err.count("\n") == 1 and message in err, err
    assert "Traceback" not in err


def test_missing_inputs_name_the_file(tmp_path, capsys):
    corpus, documents = write_inputs(tmp_path / "in")
    code, _, err = build(capsys, "1.0.0", tmp_path / "nope", documents, tmp_path / "out")
    assert code == 2 and "articles.parquet: no such file" in err
    (documents / "validation.json").unlink()
    code, _, err = build(capsys, "1.0.0", corpus, documents, tmp_path / "out")
    assert code == 2 and "validation.json: no such file" in err


def test_a_taxonomy_other_than_the_validated_one_is_refused(tmp_path, capsys):
    corpus, _ = write_inputs(tmp_path / "in")
    documents = write_documents(tmp_path / "validated2", ARTICLES, taxonomy_sha256="0" * 64)
    code, _, err = build(capsys, "1.0.0", corpus, documents, tmp_path / "out")
    assert code == 2 and "--taxonomy" in err and err.count("\n") == 1


def test_parts_become_numbered_shards_that_load(tmp_path, capsys, monkeypatch):
    corpus, documents = write_inputs(tmp_path / "in")
    out = tmp_path / "releases"
    code, _, err = build(
        capsys, "1.0.0", corpus, documents, out, "--ratios", RATIOS, "--part-size", "2", workers=2
    )
    assert code == 0, err
    release = out / "v1.0.0"
    m = json.loads((release / "manifest.json").read_text(encoding="utf-8"))
    files = m["configs"]["documents"]["train"]["files"]
    n = len(files)
    assert n >= 2
    assert files == [f"data/documents/train-{i:05d}-of-{n:05d}.parquet" for i in range(n)]
    ds = load(release, "documents", monkeypatch, tmp_path)
    assert ds["train"].num_rows == m["configs"]["documents"]["train"]["rows"]
    # the same rows, in the same order, as a build in one part
    code, _, err = build(capsys, "1.0.0", corpus, documents, tmp_path / "one", "--ratios", RATIOS)
    assert code == 0, err
    one = load(tmp_path / "one" / "v1.0.0", "documents", monkeypatch, tmp_path)
    assert ds["train"]["id"] == one["train"]["id"]
    assert akhbar(capsys, "release", "verify", release)[0] == 0


def test_load_command_prints_each_config_as_datasets_reads_it(v1, capsys):
    code, out, err = akhbar(capsys, "release", "load", v1["dir"])
    assert code == 0, err
    m = json.loads((v1["dir"] / "manifest.json").read_text(encoding="utf-8"))
    lines = out.strip().splitlines()
    counts = [line for line in lines if not line.startswith(" ")]
    assert [line.split(":")[0] for line in counts] == list(CONFIGS)
    for line in counts:
        config = line.split(":")[0]
        want = ", ".join(f"{s} {m['configs'][config][s]['rows']}" for s in SPLITS)
        assert line == f"{config}: {want}"
        # the line after it is Python that loads the config, and does
        code = lines[lines.index(line) + 1].strip()
        assert code == (
            f"from datasets import load_dataset; ds = load_dataset({str(v1['dir'].resolve())!r}, "
            f"{config!r})"
        )


def test_previous_can_be_named_in_another_directory(v1, capsys, tmp_path):
    corpus, documents = write_inputs(tmp_path / "in2", ARTICLES + MORE_ARTICLES)
    code, _, err = build(
        capsys, "2.0.0", corpus, documents, tmp_path / "elsewhere", "--previous", v1["dir"]
    )
    assert code == 0, err
    new = tmp_path / "elsewhere" / "v2.0.0"
    m = json.loads((new / "manifest.json").read_text(encoding="utf-8"))
    assert m["previous"] == "1.0.0"
    assert "2 articles added" in (new / "CHANGELOG.md").read_text(encoding="utf-8")
    code, _, err = build(
        capsys, "0.9.0", corpus, documents, tmp_path / "other", "--previous", v1["dir"]
    )
    assert code == 2 and "must be above the previous release v1.0.0" in err


def test_a_write_error_is_one_line_and_leaves_nothing(tmp_path, capsys, monkeypatch):
    """Fault injection: the disk fills up while the Croissant file is written."""
    from akhbar.corpus.release import croissant

    corpus, documents = write_inputs(tmp_path / "in")
    out = tmp_path / "releases"

    def full(*args, **kwargs):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(croissant, "write", full)
    code, _, err = build(capsys, "1.0.0", corpus, documents, out)
    assert code == 2 and err.count("\n") == 1
    assert "No space left on device" in err and "nothing was written" in err
    assert list(out.iterdir()) == []
