"""The bundled sample made into what suggestion tests start from: a corpus store, its hand
annotations validated, release v1.0.0, and a model trained on it, all by the real command line."""

from __future__ import annotations

from pathlib import Path

from tests.helpers import REPO, run_akhbar

SAMPLE = REPO / "corpus" / "sample"


def build_sample_model(root: Path) -> dict[str, Path]:
    corpus, validated, releases = root / "corpus", root / "validated", root / "releases"
    for argv in (
        ("corpus", "build", SAMPLE / "raw", "--out", corpus, "--workers", "1"),
        ("annotate", "validate", SAMPLE / "annotations.jsonl", "--corpus", corpus, "--out", validated),
        ("release", "build", "--version", "1.0.0", "--corpus", corpus, "--documents", validated,
         "--out", releases, "--workers", "1"),
        ("suggest", "train", releases / "v1.0.0", "--out", root / "model", "--unlabelled", corpus),
    ):  # fmt: skip
        code, out, err = run_akhbar(*argv)
        assert code == 0, (argv, out, err)
    return {
        "root": root,
        "corpus": corpus,
        "documents": validated / "documents.jsonl",
        "release": releases / "v1.0.0",
        "releases": releases,
        "model": root / "model",
    }
