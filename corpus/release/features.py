"""The declared ``datasets.Features`` of each config: nothing is inferred from the data.

Label columns are ``ClassLabel`` with the taxonomy's names, so ``load_dataset`` gives users the
real label names. The Parquet files are written with the Arrow schema these Features resolve to,
which carries the Features in its ``huggingface`` metadata.

The Features are *written* in the form every ``datasets`` since 2.x reads alike
(:func:`portable_features`): datasets 4 names a list ``List`` (YAML ``list:``), which datasets 3
reads as a plain Python list, so ``features["ner_tags"].feature`` fails there. A list of
values is written as the older ``Sequence`` (read as ``List`` by datasets 4 and later, with
``.feature`` in both), a list of structs as the older plain list (a list of dicts in both).
"""

from __future__ import annotations

import json
from typing import Any

import pyarrow as pa
from datasets import ClassLabel, Features, List, Value

from akhbar.corpus.release.splits import SPLITS
from akhbar.schemas.taxonomy import Taxonomy

# Every release has all of these, in this order; ``ner`` is the default config.
CONFIGS = ("ner", "ner_nested", "events", "documents")
DEFAULT_CONFIG = "ner"
__all__ = [
    "CONFIGS",
    "DEFAULT_CONFIG",
    "SPLITS",
    "all_features",
    "arrow_schema",
    "arrow_schemas",
    "portable_features",
    "portable_yaml",
]


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


def _sentence() -> dict:
    """The columns every sentence-level config shares (``ner``, ``ner_nested``, ``events``)."""
    return {
        "id": Value("string"),
        "article_id": Value("string"),
        "sentence": Value("int32"),
        "start": Value("int32"),
        "end": Value("int32"),
        "text": Value("string"),
        "tokens": List(Value("string")),
        "token_starts": List(Value("int32")),
        "token_ends": List(Value("int32")),
    }


def _token_span() -> dict:
    """A span as token indices (``end`` exclusive: ``tokens[start:end]``) and as code points
    into the sentence text (``text[char_start:char_end]``, as annotated)."""
    return {
        "start": Value("int32"),
        "end": Value("int32"),
        "char_start": Value("int32"),
        "char_end": Value("int32"),
        "text": Value("string"),
    }


def ner_features(labels: Taxonomy) -> Features:
    return Features({**_sentence(), "ner_tags": List(ClassLabel(names=labels.ner_tags))})


def ner_nested_features(labels: Taxonomy) -> Features:
    """Every entity, nested ones too, as token-index spans with a label: the shape nested-NER
    corpora are shared in (ACE 2004/2005 and GENIA as span-based models read them: ``tokens``
    and ``entities`` of ``start``, ``end`` exclusive, type). Chosen over one BIO column per
    nesting level, which caps the depth, must decide which level an entity goes to, and cannot
    keep apart two nested entities of one type."""
    return Features(
        {
            **_sentence(),
            "entities": List(
                {
                    "id": Value("string"),
                    **_token_span(),
                    "label": ClassLabel(names=labels.entity_names),
                }
            ),
        }
    )


def events_features(labels: Taxonomy) -> Features:
    """One row per sentence (event-free ones too), in the shape of sentence-level event
    extraction (ACE, MAVEN): each event's type, trigger and arguments as token spans."""
    return Features(
        {
            **_sentence(),
            "events": List(
                {
                    "id": Value("string"),
                    "type": ClassLabel(names=labels.event_names),
                    "trigger": _token_span(),
                    "arguments": List(
                        {
                            "entity_id": Value("string"),
                            "role": ClassLabel(names=labels.role_names),
                            "entity_label": ClassLabel(names=labels.entity_names),
                            **_token_span(),
                        }
                    ),
                }
            ),
        }
    )


def all_features(labels: Taxonomy) -> dict[str, Features]:
    made = {
        "documents": documents_features(labels),
        "ner": ner_features(labels),
        "ner_nested": ner_nested_features(labels),
        "events": events_features(labels),
    }
    return {c: made[c] for c in CONFIGS}


def portable_features(d: Any) -> Any:
    """``Features.to_dict()`` with every ``List`` in the form all ``datasets`` versions read the
    same way (see the module's docstring)."""
    if isinstance(d, list):
        return [portable_features(x) for x in d]
    if not isinstance(d, dict):
        return d
    if d.get("_type") == "List" and d.get("length", -1) == -1:
        inner = d["feature"]
        if isinstance(inner, dict) and "_type" not in inner:  # a struct
            return [portable_features(inner)]
        return {"_type": "Sequence", "feature": portable_features(inner)}
    return {k: portable_features(v) for k, v in d.items()}


def portable_yaml(fields: list[dict]) -> list[dict]:
    """The card's ``dataset_info.features`` (YAML) with ``list:`` of a value as ``sequence:``."""
    out = []
    for f in fields:
        f = dict(f)
        inner = f.pop("list", None)
        if isinstance(inner, list):  # a list of structs
            f["list"] = portable_yaml(inner)
        elif isinstance(inner, dict):  # a list of a type: class_label, a nested list
            f["sequence"] = _portable_yaml_type(inner)
        elif inner is not None:  # a list of a value type, written as its name: list: string
            f["sequence"] = inner
        for key in ("struct",):
            if isinstance(f.get(key), list):
                f[key] = portable_yaml(f[key])
        out.append(f)
    return out


def _portable_yaml_type(t: dict) -> dict:
    if "list" in t or "struct" in t:
        return portable_yaml([t])[0]
    return t


def arrow_schema(features: Features) -> pa.Schema:
    """The Arrow schema of ``features``, its ``huggingface`` metadata in the portable form."""
    schema = features.arrow_schema
    meta = json.loads(schema.metadata[b"huggingface"])
    meta["info"]["features"] = portable_features(meta["info"]["features"])
    return schema.with_metadata({b"huggingface": json.dumps(meta)})


def arrow_schemas(labels: Taxonomy) -> dict[str, pa.Schema]:
    """Arrow schemas with the Features embedded as ``huggingface`` schema metadata."""
    return {name: arrow_schema(f) for name, f in all_features(labels).items()}


_SENTENCE = {
    "id": "Sentence id: article id and sentence number.",
    "article_id": "The article the sentence comes from.",
    "sentence": "Position of the sentence in the article, from 0.",
    "start": "Code-point offset of the sentence in the article text.",
    "end": "Code-point end offset of the sentence in the article text.",
    "text": "The sentence.",
    "tokens": "Tokens: the source's own, or akhbar.corpus.tokenizer's (no clitic segmentation).",
    "token_starts": "Code-point start of each token in the sentence text.",
    "token_ends": "Code-point end of each token in the sentence text.",
}

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
        **_SENTENCE,
        "ner_tags": "BIO tag per token (ClassLabel) of the outermost entities.",
    },
    "ner_nested": {
        **_SENTENCE,
        "entities": "Every entity, nested ones too: id, token span (start, end exclusive), "
        "code-point span in the sentence (char_start, char_end), surface text, label "
        "(ClassLabel).",
    },
    "events": {
        **_SENTENCE,
        "events": "Events whose trigger is in the sentence: id, type (ClassLabel), trigger and "
        "arguments (entity id, role, entity label) as token spans (start, end exclusive) and "
        "code-point spans in the sentence.",
    },
}
