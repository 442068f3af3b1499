"""A trained suggestion model as it lies on disk, and tagging with it.

``MODEL_DIR`` holds:

- ``crf.model``: the CRF (CRFsuite's own format);
- ``gazetteer.json`` and ``triggers.json``: the release's entity strings and trigger lexicon;
- ``clusters.json``: word clusters learned from unannotated text (empty when there was too
  little of it);
- ``taxonomy.json``: the taxonomy the release was built with (so predictions are checked
  against the same labels without the release at hand);
- ``model.json``: the card's facts (model version, release version and manifest sha256,
  features, training settings and time, validation scores per label), and ``README.md``, the
  card for people.

The model version is ``<release name>@<release version>+crf-<hash>``, the hash being the sha256
of the CRF, gazetteer, clusters and lexicon files: two models that would tag differently never share one.
"""

from __future__ import annotations

import hashlib
import itertools
import json
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pycrfsuite

from akhbar.annotation.suggest.clusters import WordClusters
from akhbar.annotation.suggest.decode import FastCRF
from akhbar.annotation.suggest.features import ArabicFeatures, featurizer
from akhbar.annotation.suggest.gazetteer import Gazetteer
from akhbar.annotation.suggest.triggers import TriggerLexicon
from akhbar.schemas import taxonomy as taxonomy_mod
from akhbar.schemas.errors import InputError
from akhbar.schemas.taxonomy import Taxonomy

CRF = "crf.model"
GAZETTEER = "gazetteer.json"
CLUSTERS = "clusters.json"
TRIGGERS = "triggers.json"
TAXONOMY = "taxonomy.json"
CARD = "model.json"
README = "README.md"
KIND = "suggestion model"  # the publish marker's kind
FORMAT = "akhbar-suggest/3"


def model_hash(directory: Path) -> str:
    """sha256 over the files that decide what the model predicts."""
    h = hashlib.sha256()
    for name in (CRF, GAZETTEER, CLUSTERS, TRIGGERS):
        data = (directory / name).read_bytes()
        h.update(name.encode() + b"\0" + str(len(data)).encode() + b"\0" + data)
    return h.hexdigest()


@dataclass
class Tagged:
    tags: list[str]
    probability: float  # of the whole tag sequence, given the tokens


class SuggestModel:
    """An opened model directory."""

    def __init__(self, directory: str | Path) -> None:
        d = Path(directory)
        names = (CRF, GAZETTEER, CLUSTERS, TRIGGERS, TAXONOMY, CARD)
        missing = [n for n in names if not (d / n).is_file()]
        if missing:
            raise InputError(
                f"{d}: not a suggestion model (missing {', '.join(missing)}); train one with "
                "`akhbar suggest train RELEASE_DIR --out MODEL_DIR`"
            )
        try:
            self.card: dict[str, Any] = json.loads((d / CARD).read_text(encoding="utf-8"))
            self.gazetteer = Gazetteer.from_json(
                json.loads((d / GAZETTEER).read_text(encoding="utf-8"))
            )
            clusters = WordClusters.from_json(
                json.loads((d / CLUSTERS).read_text(encoding="utf-8"))
            )
            self.lexicon = TriggerLexicon.from_json(
                json.loads((d / TRIGGERS).read_text(encoding="utf-8"))
            )
            tax_data = json.loads((d / TAXONOMY).read_text(encoding="utf-8"))
        except (OSError, ValueError, KeyError, TypeError) as e:
            raise InputError(
                f"{d}: a model file cannot be read ({e}); train the model again"
            ) from e
        if self.card.get("format") != FORMAT:
            raise InputError(
                f"{d / CARD}: format {self.card.get('format')!r}, expected {FORMAT!r}; train "
                "the model again with this version of akhbar"
            )
        self.directory = d
        self.taxonomy: Taxonomy = taxonomy_mod.parse(tax_data, str(d / TAXONOMY))
        try:
            self.features = featurizer(self.card["features"]["name"], self.gazetteer, clusters)
        except (ValueError, KeyError, TypeError) as e:
            raise InputError(
                f"{d / CARD}: no feature set akhbar knows ({e}); train the model again with "
                "this version of akhbar"
            ) from e
        self.tagger = pycrfsuite.Tagger()
        self.tagger.open(str(d / CRF))
        self.version: str = self.card["model_version"]
        self.labels: list[str] = list(self.tagger.labels())
        self._fast: FastCRF | None = None

    def tag(self, tokens: Sequence[str]) -> Tagged:
        """With CRFsuite's own tagger (one sentence)."""
        if not tokens:
            return Tagged([], 1.0)
        self.tagger.set(self.features.sentence(tokens))
        tags = self.tagger.tag()
        return Tagged(tags, self.tagger.probability(tags))

    def _fast_crf(self) -> FastCRF:
        if self._fast is None:
            self._fast = FastCRF(self.tagger, self.features)
        return self._fast

    def tag_many(self, sentences: Sequence[Sequence[str]]) -> list[Tagged]:
        """Tag many sentences: with the fast decoder for our features, else one by one."""
        if isinstance(self.features, ArabicFeatures):
            return [Tagged(t, p) for t, p in self._fast_crf().tag_many(sentences)]
        return [self.tag(s) for s in sentences]

    def tag_flat(self, tokens: list[str], bounds: np.ndarray) -> tuple[np.ndarray, list[float]]:
        """The tags (indices of :attr:`labels`) of the tokens of many sentences one after the
        other (sentence ``k`` is ``tokens[bounds[k]:bounds[k + 1]]``), and the probability of
        each sentence's tagging: :meth:`tag_many` without a list of strings per sentence."""
        if isinstance(self.features, ArabicFeatures):
            return self._fast_crf().tag_flat(tokens, bounds)
        index = {label: k for k, label in enumerate(self.labels)}
        tags: list[int] = []
        probs: list[float] = []
        for a, b in itertools.pairwise(np.asarray(bounds).tolist()):
            tagged = self.tag(tokens[a:b])
            tags += [index[t] for t in tagged.tags]
            probs.append(tagged.probability)
        return np.array(tags, dtype=np.int64), probs


def confidence(probabilities: Sequence[float]) -> float:
    """A document's score: the probability of the model's tagging of its least certain
    sentence (1.0 for an article without tokens). Low means unsure: those are the articles
    worth an annotator's eyes first."""
    return round(min(probabilities, default=1.0), 6) if probabilities else 1.0
