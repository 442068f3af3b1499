"""The options of ``akhbar suggest train``, ``predict`` and ``evaluate``, declared once as
fields (``akhbar.cli.options`` generates the command lines from them).

A module of its own and light: the command line imports it at start-up, while the tagger's
modules (pycrfsuite, numba, pyarrow) are imported only when a suggest command runs.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from akhbar.annotation.suggest.features import ARABIC
from akhbar.corpus.runtime.option_fields import opt


@dataclass
class TrainOptions:
    """What ``akhbar suggest train`` is asked to do (see ``train.train_model``)."""

    release: Path = opt("The release to learn from.", argument=True, metavar="RELEASE_DIR")
    out_dir: Path = opt(
        "Model directory to write (published whole or not at all).", flag="--out", metavar="DIR"
    )
    split: str = opt("Split to learn from.", "train")
    taxonomy: Path | None = opt(
        "Taxonomy the release was built with (default: the bundled one it names).", None
    )
    force: bool = opt(
        "Replace an earlier model at --out (never a directory akhbar did not write).", False
    )
    unlabelled: Sequence[Path] = opt(
        "A corpus (the --out of akhbar corpus build) whose articles' text, unannotated, the "
        "word clusters are learned from, with the split's own; repeat for more. The corpus "
        "about to be annotated is the natural choice.",
        (),
        multiple=True,
        exists=True,
        file_okay=False,
        metavar="CORPUS_DIR",
    )
    features: str = ARABIC
    fraction: float = 1.0  # of the split's sentences (a learning curve), a seeded sample
    seed: int = 13
    validation_split: str | None = "validation"
    crf_params: dict[str, Any] | None = None  # None: train.CRF_PARAMS


@dataclass
class PredictOptions:
    """What ``akhbar suggest predict`` is asked to do (see ``predict.predict_corpus``)."""

    model_dir: Path = opt("A suggestion model (the --out of akhbar suggest train).", argument=True)
    corpus: Path = opt()
    out: Path = opt(
        "Predictions to write (JSON Lines, one annotated document per article).", metavar="FILE"
    )
    skip: Path | None = opt(
        "Leave out the articles annotated here (documents.jsonl or a pulled snapshot).",
        None,
        metavar="DOCUMENTS_OR_SNAPSHOT",
    )
    force: bool = opt(
        "Replace an earlier predictions file at --out (never a directory akhbar did not write).",
        False,
    )
    limit: int | None = None  # at most this many articles (a sample)


@dataclass
class EvaluateOptions:
    """What ``akhbar suggest evaluate`` is asked to do (see ``evaluate.evaluate_model``)."""

    model_dir: Path = opt("A suggestion model (the --out of akhbar suggest train).", argument=True)
    release: Path = opt("The release to score on.", argument=True, metavar="RELEASE_DIR")
    split: str = opt("Split to score on.", "test")
