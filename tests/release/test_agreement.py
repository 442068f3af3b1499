"""`release build --agreement DIR`: the agreement is copied, recorded and shown in the card."""

from __future__ import annotations

import ast

import orjson
import pytest

from tests.helpers import REPO, run_akhbar
from tests.helpers.agreement_sample import make_sample

ROOT = REPO


@pytest.fixture(scope="module")
def released(tmp_path_factory):
    root = tmp_path_factory.mktemp("release_agreement")
    root, snap, _, _ = make_sample(root)
    corpus = root / "corpus"
    assert (
        run_akhbar("annotate", "agreement", snap, "--corpus", corpus, "--out", root / "agr")[0] == 0
    )
    run_akhbar("annotate", "validate", snap, "--corpus", corpus, "--out", root / "val")
    code, _, err = run_akhbar(
        "release", "build", "--version", "1.0.0", "--corpus", corpus, "--documents",
        root / "val", "--out", root / "rel", "--agreement", root / "agr", "--workers", "1",
    )  # fmt: skip
    assert code == 0, err
    return root, root / "rel" / "v1.0.0"


def test_agreement_is_copied_recorded_and_verified(released):
    root, rel = released
    source = orjson.loads((root / "agr" / "agreement.json").read_bytes())
    source["snapshot"]["path"] = "snapshot.json"  # named, not located (issue 19, case 17)
    assert (rel / "agreement.json").read_bytes() == orjson.dumps(
        source, option=orjson.OPT_INDENT_2
    ) + b"\n"
    m = orjson.loads((rel / "manifest.json").read_bytes())
    a = m["agreement"]
    assert a["file"] == "agreement.json" and a["documents"] == 3 and a["annotators"] == 2
    assert a["same_snapshot"] is True
    assert "agreement.json" in m["files"]
    code, out, _ = run_akhbar("release", "verify", rel)
    assert code == 0, out


def test_card_has_the_annotation_quality_section(released):
    root, rel = released
    card = (rel / "README.md").read_text(encoding="utf-8")
    f = orjson.loads((root / "agr" / "agreement.json").read_bytes())
    section = card[card.index("## Annotation quality") :]
    lo, hi = f["intervals"]["entities.exact.f1"]
    assert (
        f"| entities, exact: F1 | {f['entities']['exact']['f1']:.3f} ({lo:.3f}–{hi:.3f}) |"
        in section
    )
    assert "3 articles were annotated independently by two or more of 2 annotators" in section
    assert "19 were annotated by one person" in section
    assert "### Per entity label" in section and "| PER |" in section
    assert "### How disagreements were resolved" in section
    assert "Krippendorff's alpha (nominal)" in section  # the definitions


def test_a_release_without_agreement_has_no_section(tmp_path):
    root, snap, _, _ = make_sample(tmp_path)
    run_akhbar("annotate", "validate", snap, "--corpus", root / "corpus", "--out", root / "val")
    code, _, err = run_akhbar(
        "release", "build", "--version", "1.0.0", "--corpus", root / "corpus", "--documents",
        root / "val", "--out", root / "rel", "--workers", "1",
    )  # fmt: skip
    assert code == 0, err
    assert "## Annotation quality" not in (root / "rel" / "v1.0.0" / "README.md").read_text()
    assert not (root / "rel" / "v1.0.0" / "agreement.json").exists()
    (root / "bad").mkdir()
    code, _, err = run_akhbar(
        "release", "build", "--version", "1.0.1", "--corpus", root / "corpus", "--documents",
        root / "val", "--out", root / "rel", "--agreement", root / "bad",
    )  # fmt: skip
    assert code != 0 and "no agreement.json there" in err and "Traceback" not in err
    assert not (root / "rel" / "v1.0.1").exists()


def test_corpus_never_imports_annotation():
    for path in (ROOT / "corpus").rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.ImportFrom) and node.module:
                assert not node.module.startswith("akhbar.annotation"), path
            if isinstance(node, ast.Import):
                assert not any(a.name.startswith("akhbar.annotation") for a in node.names), path


@pytest.mark.parametrize(
    ("edit", "said"),
    [
        (lambda d: d.pop("pairs"), "(top level): 'pairs' is a required property"),
        (lambda d: d.update(documents="six"), "documents: expected the number of documents"),
        (lambda d: d.update(annotators=[1, 2]), "annotators.0: expected string"),
        (lambda d: d["snapshot"].update(sha256="abc"), "snapshot.sha256: expected a sha256"),
    ],
)
def test_an_agreement_json_of_the_wrong_shape_is_one_line_naming_the_key(
    released, tmp_path, edit, said
):
    root, _ = released
    data = orjson.loads((root / "agr" / "agreement.json").read_bytes())
    edit(data)
    (tmp_path / "agr").mkdir()
    (tmp_path / "agr" / "agreement.json").write_bytes(orjson.dumps(data))
    code, _, err = run_akhbar(
        "release", "build", "--version", "2.0.0", "--corpus", root / "corpus", "--documents",
        root / "val", "--out", tmp_path / "rel", "--agreement", tmp_path / "agr",
    )  # fmt: skip
    assert code == 2, err
    assert err.count("\n") == 1 and said in err and "agreement.json" in err, err
    assert not (tmp_path / "rel" / "v2.0.0").exists()


@pytest.mark.parametrize(
    ("edit", "said"),
    [
        (lambda d: d.update(snapshot=7), "snapshot: expected a mapping with the snapshot's"),
        (lambda d: d["taxonomy"].update(sha256=12), "taxonomy.sha256: expected a sha256"),
        (lambda d: d.update(outputs=["documents.jsonl"]), "outputs: expected a mapping of output"),
    ],
)
def test_a_validation_json_of_the_wrong_shape_is_one_line_naming_the_key(
    released, tmp_path, edit, said
):
    root, _ = released
    documents = tmp_path / "val"
    documents.mkdir()
    for f in (root / "val").iterdir():
        (documents / f.name).write_bytes(f.read_bytes())
    data = orjson.loads((documents / "validation.json").read_bytes())
    edit(data)
    (documents / "validation.json").write_bytes(orjson.dumps(data))
    code, _, err = run_akhbar(
        "release", "build", "--version", "2.0.0", "--corpus", root / "corpus", "--documents",
        documents, "--out", tmp_path / "rel",
    )  # fmt: skip
    assert code == 2, err
    assert err.count("\n") == 1 and said in err and "validation.json" in err, err
    assert not (tmp_path / "rel" / "v2.0.0").exists()
