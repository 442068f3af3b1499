"""An offline check of a dataset card's YAML against the Hub's card specification.

The Hub validates card metadata only when a card is pushed, so a bad ``license`` or
``task_categories`` would be found at publish time, after the release was built. This module
checks, without a network, the fields akhbar writes: their types, and for the fields whose
values the specification enumerates, that each value is one of them. ``release build`` refuses
a card with a problem and ``release verify`` reports one.

The allowed values are written here from the Hub's dataset card specification (the licence
identifiers, task categories and ids, creator kinds, size categories and multilinguality kinds
it lists); a value the Hub added later can be added to these lists.
"""

from __future__ import annotations

import re
from typing import Any

LICENSES = frozenset(
    """
    apache-2.0 mit openrail bigscience-openrail-m creativeml-openrail-m bigscience-bloom-rail-1.0
    bigcode-openrail-m afl-3.0 artistic-2.0 bsl-1.0 bsd bsd-2-clause bsd-3-clause
    bsd-3-clause-clear c-uda cc cc0-1.0 cc-by-2.0 cc-by-2.5 cc-by-3.0 cc-by-4.0 cc-by-sa-3.0
    cc-by-sa-4.0 cc-by-nc-2.0 cc-by-nc-3.0 cc-by-nc-4.0 cc-by-nd-4.0 cc-by-nc-nd-3.0
    cc-by-nc-nd-4.0 cc-by-nc-sa-2.0 cc-by-nc-sa-3.0 cc-by-nc-sa-4.0 cdla-sharing-1.0
    cdla-permissive-1.0 cdla-permissive-2.0 wtfpl ecl-2.0 epl-1.0 epl-2.0 etalab-2.0 eupl-1.1
    eupl-1.2 agpl-3.0 gfdl gpl gpl-2.0 gpl-3.0 lgpl lgpl-2.1 lgpl-3.0 isc h-research intel-research
    lppl-1.3c ms-pl apple-ascl apple-amlr mpl-2.0 odc-by odbl openmdw-1.0 openrail++ osl-3.0
    postgresql ofl-1.1 ncsa unlicense zlib pddl lgpl-lr deepfloyd-if-license fair-noncommercial-research-license
    llama2 llama3 llama3.1 llama3.2 llama3.3 llama4 gemma unknown other
    """.split()  # noqa: SIM905 - one word list per line reads better here
)

TASK_CATEGORIES = frozenset(
    """
    text-classification token-classification table-question-answering question-answering
    zero-shot-classification translation summarization feature-extraction text-generation
    fill-mask sentence-similarity text-to-speech text-to-audio automatic-speech-recognition
    audio-to-audio audio-classification audio-text-to-text voice-activity-detection
    depth-estimation image-classification object-detection image-segmentation text-to-image
    image-to-text image-to-image image-to-video unconditional-image-generation
    video-classification reinforcement-learning robotics tabular-classification
    tabular-regression tabular-to-text table-to-text multiple-choice text-ranking
    text-retrieval time-series-forecasting text-to-video image-text-to-text
    visual-question-answering document-question-answering zero-shot-image-classification
    graph-ml mask-generation zero-shot-object-detection text-to-3d image-to-3d
    image-feature-extraction video-text-to-text keypoint-detection visual-document-retrieval
    any-to-any video-to-video other
    """.split()  # noqa: SIM905 - one word list per line reads better here
)

TASK_IDS = frozenset(
    """
    acceptability-classification entity-linking-classification fact-checking
    intent-classification language-identification multi-class-classification
    multi-label-classification multi-input-text-classification natural-language-inference
    semantic-similarity-classification sentiment-classification topic-classification
    semantic-similarity-scoring sentiment-scoring sentiment-analysis hate-speech-detection
    text-scoring named-entity-recognition part-of-speech parsing lemmatization
    word-sense-disambiguation coreference-resolution extractive-qa open-domain-qa
    closed-domain-qa news-articles-summarization news-articles-headline-generation
    dialogue-modeling dialogue-generation conversational language-modeling text-simplification
    explanation-generation abstractive-qa open-domain-abstractive-qa closed-domain-qa
    open-book-qa closed-book-qa text2text-generation slot-filling masked-language-modeling
    keyword-spotting speaker-identification audio-intent-classification audio-emotion-recognition
    audio-language-identification multi-label-image-classification multi-class-image-classification
    face-detection vehicle-detection instance-segmentation semantic-segmentation
    panoptic-segmentation image-captioning image-inpainting image-colorization
    super-resolution grasping task-planning tabular-multi-class-classification
    tabular-multi-label-classification tabular-single-column-regression rdf-to-text
    multiple-choice-qa multiple-choice-coreference-resolution document-retrieval
    utterance-retrieval entity-linking-retrieval fact-checking-retrieval
    univariate-time-series-forecasting multivariate-time-series-forecasting
    visual-question-answering document-question-answering pose-estimation
    """.split()  # noqa: SIM905 - one word list per line reads better here
)

ANNOTATIONS_CREATORS = frozenset(
    ("found", "crowdsourced", "expert-generated", "machine-generated", "no-annotation", "other")
)
LANGUAGE_CREATORS = frozenset(
    ("found", "crowdsourced", "expert-generated", "machine-generated", "other")
)
MULTILINGUALITY = frozenset(("monolingual", "multilingual", "translation", "other"))
SIZE_CATEGORIES = frozenset(
    (
        "n<1K",
        "1K<n<10K",
        "10K<n<100K",
        "100K<n<1M",
        "1M<n<10M",
        "10M<n<100M",
        "100M<n<1B",
        "1B<n<10B",
        "10B<n<100B",
        "100B<n<1T",
        "n>1T",
    )
)
# ISO 639-1/3 language codes as the Hub takes them in ``language``; BCP-47 tags (language,
# optional script, region or variant subtags) in ``language_details``.
_LANGUAGE = re.compile(r"[a-z]{2,3}")
_BCP47 = re.compile(r"[a-z]{2,3}(-[a-z]{3})?(-[A-Z][a-z]{3})?(-([A-Z]{2}|\d{3}))?(-[0-9a-z]{5,8})*")
_SOURCE = re.compile(r"original|extended|(extended\|)?[A-Za-z0-9][\w.\-/]*")
_CONFIG_NAME = re.compile(r"[\w][\w.\-]*")

# Every field akhbar writes, the Hub's own names.
REQUIRED = (
    "license",
    "language",
    "language_details",
    "task_categories",
    "task_ids",
    "annotations_creators",
    "language_creators",
    "source_datasets",
    "size_categories",
    "pretty_name",
    "multilinguality",
    "configs",
    "dataset_info",
)


def _examples(allowed: frozenset[str]) -> str:
    common = [
        v for v in ("mit", "apache-2.0", "cc-by-4.0", "cc-by-sa-4.0", "other") if v in allowed
    ]
    return ", ".join(common or sorted(allowed)[:5])


def _str_list(meta: dict[str, Any], key: str) -> tuple[list[str], list[str]]:
    """(the values, problems): a string or a list of non-empty strings."""
    value = meta.get(key)
    if isinstance(value, str):
        value = [value]
    if not isinstance(value, list) or not value:
        return [], [f"field `{key}`: expected a non-empty list of strings, found {value!r}"]
    bad = [v for v in value if not isinstance(v, str) or not v.strip()]
    if bad:
        return [], [f"field `{key}`: {bad[0]!r} is not a non-empty string"]
    return value, []


def _enum(meta: dict[str, Any], key: str, allowed: frozenset[str]) -> list[str]:
    values, problems = _str_list(meta, key)
    for v in values:
        if v not in allowed:
            problems.append(
                f"field `{key}`: {v!r} is not in the Hub's card specification "
                f"(e.g. {', '.join(sorted(allowed)[:6])})"
            )
    return problems


def check_card_metadata(meta: Any) -> list[str]:
    """One line per problem in a card's YAML metadata; empty when the Hub would take it."""
    if not isinstance(meta, dict):
        return ["the card's YAML header is not a mapping"]
    problems = [f"field `{k}` is missing" for k in REQUIRED if k not in meta]
    if "license" in meta:
        lic = meta["license"]
        if not isinstance(lic, str) or lic not in LICENSES:
            problems.append(
                f"field `license`: {lic!r} is not a Hub licence id (e.g. {_examples(LICENSES)}; "
                "`other` with license_name and license_link for any other licence)"
            )
        elif lic == "other":
            for k in ("license_name", "license_link"):
                if k in meta and not (isinstance(meta[k], str) and meta[k].strip()):
                    problems.append(f"field `{k}`: expected a non-empty string")
    if "task_categories" in meta:
        problems += _enum(meta, "task_categories", TASK_CATEGORIES)
    if "task_ids" in meta:
        problems += _enum(meta, "task_ids", TASK_IDS)
    if "annotations_creators" in meta:
        problems += _enum(meta, "annotations_creators", ANNOTATIONS_CREATORS)
    if "language_creators" in meta:
        problems += _enum(meta, "language_creators", LANGUAGE_CREATORS)
    if "multilinguality" in meta:
        problems += _enum(meta, "multilinguality", MULTILINGUALITY)
    if "size_categories" in meta:
        problems += _enum(meta, "size_categories", SIZE_CATEGORIES)
    for key, pattern, what in (
        ("language", _LANGUAGE, "an ISO 639 code such as ar"),
        ("language_details", _BCP47, "a BCP-47 tag such as arb-Arab or ar-SA"),
        ("source_datasets", _SOURCE, "original, extended, or extended|NAME"),
    ):
        if key in meta:
            values, more = _str_list(meta, key)
            problems += more
            problems += [
                f"field `{key}`: {v!r} is not {what}" for v in values if not pattern.fullmatch(v)
            ]
    if "pretty_name" in meta and not (
        isinstance(meta["pretty_name"], str) and meta["pretty_name"].strip()
    ):
        problems.append("field `pretty_name`: expected a non-empty string")
    names: list[str] = []
    if "configs" in meta:
        problems += _check_configs(meta["configs"], names)
    if "dataset_info" in meta:
        problems += _check_infos(meta["dataset_info"], set(names))
    return problems


def _check_configs(configs: Any, names: list[str]) -> list[str]:
    if not isinstance(configs, list) or not configs:
        return ["field `configs`: expected a non-empty list"]
    problems = []
    for i, c in enumerate(configs):
        name = c.get("config_name") if isinstance(c, dict) else None
        if not isinstance(name, str) or not _CONFIG_NAME.fullmatch(name):
            problems.append(f"field `configs[{i}].config_name`: {name!r} is not a config name")
            continue
        names.append(name)
        files = c.get("data_files")
        if not isinstance(files, list) or not files:
            problems.append(f"field `configs[{i}].data_files` ({name}): expected a list per split")
            continue
        for df in files:
            ok = isinstance(df, dict) and isinstance(df.get("split"), str)
            paths = df.get("path") if ok else None
            if isinstance(paths, str):
                paths = [paths]
            if not ok or not isinstance(paths, list) or not all(isinstance(p, str) for p in paths):
                problems.append(
                    f"field `configs[{i}].data_files` ({name}): each entry needs a split and "
                    "its path(s)"
                )
    if len(set(names)) != len(names):
        problems.append("field `configs`: a config_name is repeated")
    return problems


def _check_infos(infos: Any, names: set[str]) -> list[str]:
    if isinstance(infos, dict):
        infos = [infos]
    if not isinstance(infos, list):
        return ["field `dataset_info`: expected a list, one entry per config"]
    problems = []
    seen = set()
    for i, info in enumerate(infos):
        name = info.get("config_name") if isinstance(info, dict) else None
        where = f"field `dataset_info[{i}]`" + (f" ({name})" if name else "")
        if not isinstance(info, dict):
            problems.append(f"{where}: expected a mapping")
            continue
        seen.add(name)
        if not isinstance(info.get("features"), list) or not info["features"]:
            problems.append(f"{where}.features: expected the list of features")
        splits = info.get("splits")
        if not isinstance(splits, list) or not splits:
            problems.append(f"{where}.splits: expected a list of splits")
            continue
        for s in splits:
            ok = isinstance(s, dict) and isinstance(s.get("name"), str)
            ok = ok and all(
                isinstance(s.get(k), int) and s[k] >= 0 for k in ("num_examples", "num_bytes")
            )
            if not ok:
                problems.append(
                    f"{where}.splits: each split needs a name, num_examples and num_bytes "
                    f"(found {s!r})"[:200]
                )
    missing = sorted(names - seen)
    if missing:
        problems.append(f"field `dataset_info`: no entry for config(s) {', '.join(missing)}")
    return problems
