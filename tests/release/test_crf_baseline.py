"""A release is trainable as it is: a CRF trained on the ``ner`` config of Wojood (imported from
its three files) scores on Wojood's official test split, as a user would do it with
``load_dataset``, CRFsuite and seqeval."""

from __future__ import annotations

import os
from pathlib import Path

import pycrfsuite
import pytest
from seqeval.metrics import classification_report, f1_score

from tests.helpers import SHARED_DATA, run_akhbar

# ../shared/data beside the checkout; AKHBAR_SHARED_DATA points elsewhere (a git worktree).
WOJOOD = Path(os.environ.get("AKHBAR_SHARED_DATA") or SHARED_DATA) / "wojood"


def word_features(tokens: list[str], i: int) -> list[str]:
    """Plain lexical features of token ``i``: the word, its affixes, its neighbours."""
    w = tokens[i]
    feats = [f"w={w}", f"p2={w[:2]}", f"s2={w[-2:]}", f"s3={w[-3:]}", f"len={min(len(w), 8)}"]
    feats.append("digit" if any(c.isdigit() for c in w) else "nodigit")
    for d in (-2, -1, 1, 2):
        j = i + d
        feats.append(f"w{d}={tokens[j]}" if 0 <= j < len(tokens) else f"w{d}=<pad>")
    return feats


@pytest.mark.shared_data
@pytest.mark.slow
@pytest.mark.skipif(not WOJOOD.is_dir(), reason=f"{WOJOOD} is absent")
def test_crf_trained_on_the_release_scores_on_the_official_test_split(tmp_path, monkeypatch):
    imp = tmp_path / "imp"
    args = [
        a
        for split, name in (("train", "train"), ("validation", "val"), ("test", "test"))
        for a in ("--split", f"{split}={WOJOOD / f'{name}.txt'}")
    ]
    for argv in (
        ("annotate", "import-conll", *args, "--taxonomy", "wojood", "--out", imp),
        ("annotate", "validate", imp / "documents.jsonl", "--corpus", imp / "corpus",
         "--taxonomy", "wojood", "--out", tmp_path / "val"),
        ("release", "build", "--version", "1.0.0", "--corpus", imp / "corpus", "--documents",
         tmp_path / "val", "--out", tmp_path / "rel", "--taxonomy", "wojood"),
    ):  # fmt: skip
        code, out, err = run_akhbar(*argv)
        assert code == 0, out + err

    import datasets

    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    monkeypatch.setattr(datasets.config, "HF_HUB_OFFLINE", True)
    ds = datasets.load_dataset(
        str(tmp_path / "rel" / "v1.0.0"), "ner", cache_dir=str(tmp_path / "cache")
    )
    names = ds["train"].features["ner_tags"].feature.names  # the card's own example
    assert (ds["train"].num_rows, ds["validation"].num_rows, ds["test"].num_rows) == (
        1114,
        158,
        357,
    )

    trainer = pycrfsuite.Trainer(verbose=False)
    for row in ds["train"]:
        tokens = row["tokens"]
        trainer.append(
            [word_features(tokens, i) for i in range(len(tokens))],
            [names[t] for t in row["ner_tags"]],
        )
    trainer.set_params({"c1": 0.1, "c2": 0.05, "max_iterations": 60})
    model = tmp_path / "wojood.crfsuite"
    trainer.train(str(model))
    tagger = pycrfsuite.Tagger()
    tagger.open(str(model))
    gold, pred = [], []
    for row in ds["test"]:
        tokens = row["tokens"]
        gold.append([names[t] for t in row["ner_tags"]])
        pred.append(tagger.tag([word_features(tokens, i) for i in range(len(tokens))]))
    f1 = f1_score(gold, pred)
    print(f"CRF baseline on Wojood's official test split: entity F1 {f1:.3f}")
    print(classification_report(gold, pred, digits=3))
    # A lexical CRF on ~1,100 training sentences: well above chance, far from perfect.
    assert 0.3 < f1 < 0.95
