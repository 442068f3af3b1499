"""The declared ``datasets.Features`` of each config: nothing is inferred from the data.

Label columns are ``ClassLabel`` with the taxonomy's names, so ``load_dataset`` gives users the
real label names. The Parquet files are written with the Arrow schema these Features resolve to,
which carries the Features in its ``huggingface`` metadata.
"""

from __future__ import annotations

import pyarrow as pa
from datasets import ClassLabel, Features, List, Value

from akhbar.corpus.release.splits import SPLITS
from akhbar.schemas.taxonomy import Taxonomy

CONFIGS = ("documents", "ner", "events")
__all__ = ["CONFIGS", "SPLITS", "all_features", "arrow_schemas"]


def _span() -> dict:
    return {"start": Value("int32"), "end": Value("int32"), "text": Value("string")}


def documents_features(labels: Taxonomy) -> Features:
    return Features(
        {
            "id": Value("string"),
            "title": Value("string"),
            "text": Value("string"),
            "source": Value("string"),
            "url": Value("string"),
            "published": Value("string"),
            "retrieved": Value("string"),
            "truncated": Value("bool"),
            "cluster_id": Value("string"),
            "entities": List(
                {
                    "id": Value("string"),
                    **_span(),
                    "label": ClassLabel(names=labels.entity_names),
                }
            ),
            "events": List(
                {
                    "id": Value("string"),
                    "type": ClassLabel(names=labels.event_names),
                    "trigger": _span(),
                    "arguments": List(
                        {
                            "role": ClassLabel(names=labels.role_names),
                            "entity_id": Value("string"),
                            **_span(),
                        }
                    ),
                }
            ),
        }
    )


def ner_features(labels: Taxonomy) -> Features:
    return Features(
        {
            "id": Value("string"),
            "article_id": Value("string"),
            "sentence": Value("int32"),
            "start": Value("int32"),
            "end": Value("int32"),
            "text": Value("string"),
            "tokens": List(Value("string")),
            "token_starts": List(Value("int32")),
            "token_ends": List(Value("int32")),
            "ner_tags": List(ClassLabel(names=labels.ner_tags)),
        }
    )


def events_features(labels: Taxonomy) -> Features:
    return Features(
        {
            "id": Value("string"),
            "article_id": Value("string"),
            "event_id": Value("string"),
            "event_type": ClassLabel(names=labels.event_names),
            "text": Value("string"),
            "context_start": Value("int32"),
            "context_end": Value("int32"),
            "trigger": _span(),
            "arguments": List(
                {
                    "role": ClassLabel(names=labels.role_names),
                    "entity_id": Value("string"),
                    "entity_label": ClassLabel(names=labels.entity_names),
                    **_span(),
                }
            ),
        }
    )


def all_features(labels: Taxonomy) -> dict[str, Features]:
    return {
        "documents": documents_features(labels),
        "ner": ner_features(labels),
        "events": events_features(labels),
    }


def arrow_schemas(labels: Taxonomy) -> dict[str, pa.Schema]:
    """Arrow schemas with the Features embedded as ``huggingface`` schema metadata."""
    return {name: f.arrow_schema for name, f in all_features(labels).items()}


# What each column means, for the field tables of the dataset card and the Croissant file.
DESCRIPTIONS: dict[str, dict[str, str]] = {
    "documents": {
        "id": "Article id from the corpus (stable across releases).",
        "title": "Cleaned title.",
        "text": "Cleaned article text; every offset in this release indexes its code points.",
        "source": "Publisher or site the article came from.",
        "url": "Address of the original article, when known.",
        "published": "Publication date (ISO 8601), when known.",
        "retrieved": "When the article was scraped (ISO 8601), when known.",
        "truncated": "The scraped text was cut off by the source (a 'read more' marker).",
        "cluster_id": "De-duplication cluster; the split is a function of it.",
        "entities": "Entity mentions: id, code-point span, surface text and label (ClassLabel).",
        "events": "Events: type (ClassLabel), trigger span, and arguments with role "
        "(ClassLabel), entity id and the entity's span.",
    },
    "ner": {
        "id": "Sentence id: article id and sentence number.",
        "article_id": "The article the sentence comes from.",
        "sentence": "Position of the sentence in the article, from 0.",
        "start": "Code-point offset of the sentence in the article text.",
        "end": "Code-point end offset of the sentence in the article text.",
        "text": "The sentence.",
        "tokens": "Tokens: the source's own, or akhbar.corpus.tokenizer's (no clitic segmentation).",
        "token_starts": "Code-point start of each token in the sentence text.",
        "token_ends": "Code-point end of each token in the sentence text.",
        "ner_tags": "BIO tag per token (ClassLabel) of the outermost entities.",
    },
    "events": {
        "id": "Article id and event id.",
        "article_id": "The article the event comes from.",
        "event_id": "The event's id within its article.",
        "event_type": "Event type (ClassLabel).",
        "text": "Context: the sentences containing the trigger and all arguments.",
        "context_start": "Code-point offset of the context in the article text.",
        "context_end": "Code-point end offset of the context in the article text.",
        "trigger": "Trigger span, relative to the context.",
        "arguments": "Arguments: role (ClassLabel), entity id, entity label (ClassLabel) and "
        "span relative to the context.",
    },
}
