"""``akhbar suggest``: train on a release built from the bundled sample, predict, evaluate, all
through the real command line; predictions are judged by the checker ``annotate push`` uses."""

from __future__ import annotations

import json
from pathlib import Path

import orjson
import pytest

from akhbar.annotation.push import preannotations as predictions
from akhbar.annotation.suggest.model import SuggestModel
from akhbar.annotation.suggest.release_data import read_split
from akhbar.corpus.file_digest import sha256_file
from akhbar.corpus.store import load_corpus
from akhbar.schemas.document import check_document, errors
from akhbar.schemas.taxonomy import load as load_taxonomy
from tests.helpers import REPO, run_akhbar


@pytest.fixture(scope="module")
def built(sample_model) -> dict[str, Path]:
    """The sample corpus, its validated hand annotations, release v1.0.0 and a model."""
    return sample_model


def test_model_card_names_the_release_features_and_validation_scores(built):
    card = json.loads((built["model"] / "model.json").read_text(encoding="utf-8"))
    manifest_sha, _ = sha256_file(built["release"] / "manifest.json")
    assert card["release"]["version"] == "1.0.0"
    assert card["release"]["manifest_sha256"] == manifest_sha
    assert card["model_version"].startswith("akhbar-ace-ar-conflict@1.0.0+crf-")
    assert card["model_version"].endswith(card["model_sha256"][:12])
    assert card["features"]["name"] == "akhbar-arabic-v3"
    assert card["clusters"]["unlabelled"] == ["corpus"]  # names, never paths
    assert card["clusters"]["learned_from_tokens"] > 0
    val = card["validation"]
    assert val["split"] == "validation"
    assert val["sentences"] == len(read_split(built["release"], "validation").sentences)
    assert set(val["entities"]["by_label"]) >= {"PER", "ORG"}
    assert val["edits"]["per_100_tokens_from_blank"] > 0
    readme = (built["model"] / "README.md").read_text(encoding="utf-8")
    assert manifest_sha in readme and "| PER |" in readme


def test_the_model_learned_its_training_split(built):
    """On the sentences it was trained on, a CRF with these features is nearly perfect: a
    check that labels, features and tags line up (a shuffled pairing would score near 0)."""
    code, out, err = run_akhbar(
        "suggest", "evaluate", built["model"], built["release"], "--split", "train", "--json"
    )
    assert code == 0, err
    figures = json.loads(out)
    assert figures["same_release_as_training"] is True
    assert figures["entities"]["micro"]["f1"] > 0.9
    e = figures["edits"]
    assert e["per_100_tokens_from_suggestions"] < 0.2 * e["per_100_tokens_from_blank"]


def test_evaluate_prints_scores_per_label_and_edits(built):
    code, out, err = run_akhbar("suggest", "evaluate", built["model"], built["release"])
    assert code == 0, err
    assert "split test" in out
    assert "entities (exact span): P " in out
    assert "edits per 100 tokens:" in out and "from blank" in out


def test_predictions_are_checked_documents_push_accepts(built, tmp_path):
    out = tmp_path / "pre.jsonl"
    code, stdout, err = run_akhbar(
        "suggest", "predict", built["model"], "--corpus", built["corpus"], "--out", out
    )
    assert code == 0, err
    docs = [orjson.loads(line) for line in out.read_bytes().splitlines()]
    corpus = {a["id"]: a["text"] for a in load_corpus(built["corpus"]).iter_articles()}
    assert sorted(d["article_id"] for d in docs) == sorted(corpus)
    assert f"{len(docs)} articles" in stdout
    tax = load_taxonomy()
    model = SuggestModel(built["model"])
    for d in docs:
        assert errors(check_document(d, corpus[d["article_id"]], tax)) == []
        assert d["model_version"] == model.version
        assert 0 <= d["score"] <= 1
    assert sum(len(d["entities"]) for d in docs) > 50
    assert any(d["events"] for d in docs)
    # What annotate push checks before it imports predictions: all of them pass.
    items, problems = predictions.load(out, predictions.PREDICTION)
    assert problems == []
    checked = predictions.check(items, corpus, tax)
    assert checked.problems == []
    assert checked.count == len(docs)
    pre = checked.by_article[docs[0]["article_id"]][0]
    assert pre.payload()["model_version"] == model.version
    assert pre.payload()["score"] == docs[0]["score"]


def test_predict_skips_annotated_articles(built, tmp_path):
    annotated = {
        orjson.loads(x)["article_id"] for x in built["documents"].read_bytes().splitlines()
    }
    keep = sorted(annotated)[:5]
    documents = tmp_path / "some.jsonl"
    documents.write_bytes(
        b"".join(
            line + b"\n"
            for line in built["documents"].read_bytes().splitlines()
            if orjson.loads(line)["article_id"] not in keep
        )
    )
    out = tmp_path / "pre.jsonl"
    code, stdout, err = run_akhbar(
        "suggest", "predict", built["model"], "--corpus", built["corpus"], "--out", out,
        "--skip", documents,
    )  # fmt: skip
    assert code == 0, err
    got = sorted(orjson.loads(x)["article_id"] for x in out.read_bytes().splitlines())
    assert got == keep
    assert f"{len(annotated) - len(keep)} annotated articles skipped" in stdout


def test_predict_skips_the_annotated_tasks_of_a_snapshot(built, tmp_path):
    corpus = list(load_corpus(built["corpus"]).iter_articles())
    done, cancelled, open_ = corpus[0]["id"], corpus[1]["id"], corpus[2]["id"]
    snapshot = [
        {"id": 1, "data": {"article_id": done}, "annotations": [{"was_cancelled": False}]},
        {"id": 2, "data": {"article_id": cancelled}, "annotations": [{"was_cancelled": True}]},
        {"id": 3, "data": {"article_id": open_}, "annotations": []},
    ]
    path = tmp_path / "snapshot.json"
    path.write_text(json.dumps(snapshot), encoding="utf-8")
    out = tmp_path / "pre.jsonl"
    code, _, err = run_akhbar(
        "suggest", "predict", built["model"], "--corpus", built["corpus"], "--out", out,
        "--skip", path,
    )  # fmt: skip
    assert code == 0, err
    got = {orjson.loads(x)["article_id"] for x in out.read_bytes().splitlines()}
    assert done not in got and {cancelled, open_} <= got
    assert len(got) == len(corpus) - 1


def test_outputs_are_never_overwritten_without_force(built, tmp_path):
    code, _, err = run_akhbar("suggest", "train", built["release"], "--out", built["model"])
    assert code == 2 and "already exists: pass --force" in err
    assert err.count("\n") == 1
    out = tmp_path / "pre.jsonl"
    out.write_text("mine\n")
    code, _, err = run_akhbar(
        "suggest", "predict", built["model"], "--corpus", built["corpus"], "--out", out
    )
    assert code == 2 and "already exists" in err
    assert out.read_text() == "mine\n"


def test_bad_inputs_are_one_line_errors(built, tmp_path):
    code, _, err = run_akhbar("suggest", "train", tmp_path, "--out", tmp_path / "m")
    assert code == 2 and "not a release" in err and err.count("\n") == 1
    assert not (tmp_path / "m").exists()
    code, _, err = run_akhbar(
        "suggest", "evaluate", built["model"], built["release"], "--split", "dev"
    )
    assert code == 2 and "no split 'dev'" in err
    code, _, err = run_akhbar(
        "suggest", "predict", tmp_path, "--corpus", built["corpus"], "--out", tmp_path / "p"
    )
    assert code == 2 and "not a suggestion model" in err
    wojood = REPO / "schemas" / "taxonomies" / "wojood.yaml"
    code, _, err = run_akhbar(
        "suggest", "train", built["release"], "--out", tmp_path / "m2", "--taxonomy", wojood
    )
    assert code == 2 and "not the taxonomy release 1.0.0 was built with" in err
    assert not (tmp_path / "m2").exists()


def test_a_model_from_an_older_akhbar_or_with_an_unknown_feature_set_is_a_one_line_error(
    built, tmp_path
):
    import shutil

    def predict_with(model: Path) -> tuple[int, str]:
        code, _, err = run_akhbar(
            "suggest", "predict", model, "--corpus", built["corpus"], "--out", tmp_path / "p"
        )
        return code, err

    old = tmp_path / "old"
    shutil.copytree(built["model"], old)
    (old / "clusters.json").unlink()  # format 2 had no clusters
    code, err = predict_with(old)
    assert code == 2 and "missing clusters.json" in err and err.count("\n") == 1
    odd = tmp_path / "odd"
    shutil.copytree(built["model"], odd)
    card = json.loads((odd / "model.json").read_text(encoding="utf-8"))
    card["features"]["name"] = "akhbar-arabic-v2"
    (odd / "model.json").write_text(json.dumps(card), encoding="utf-8")
    code, err = predict_with(odd)
    assert code == 2 and "no feature set akhbar knows" in err and err.count("\n") == 1
    assert not (tmp_path / "p").exists()
