"""``croissant.json``: Croissant 1.0 metadata for the release's files and fields.

Each Parquet file is a ``FileObject`` with its sha256; each config is a ``FileSet`` and a
``RecordSet`` whose fields mirror the declared Features (lists are ``repeated`` fields, structs
have ``subField``s). Label columns reference small inline record sets holding the label names.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from datasets import ClassLabel, Features, List

from akhbar.corpus.release import card_facts
from akhbar.corpus.release.card import nonempty_splits, pretty_name
from akhbar.corpus.release.features import CONFIGS, DESCRIPTIONS, SPLITS
from akhbar.schemas.taxonomy import Taxonomy

CONTEXT = {
    "@language": "en",
    "@vocab": "https://schema.org/",
    "citeAs": "cr:citeAs",
    "column": "cr:column",
    "conformsTo": "dct:conformsTo",
    "cr": "http://mlcommons.org/croissant/",
    "rai": "http://mlcommons.org/croissant/RAI/",
    "data": {"@id": "cr:data", "@type": "@json"},
    "dataType": {"@id": "cr:dataType", "@type": "@vocab"},
    "dct": "http://purl.org/dc/terms/",
    "equivalentProperty": "cr:equivalentProperty",
    "examples": {"@id": "cr:examples", "@type": "@json"},
    "extract": "cr:extract",
    "field": "cr:field",
    "fileProperty": "cr:fileProperty",
    "fileObject": "cr:fileObject",
    "fileSet": "cr:fileSet",
    "format": "cr:format",
    "includes": "cr:includes",
    "isLiveDataset": "cr:isLiveDataset",
    "jsonPath": "cr:jsonPath",
    "key": "cr:key",
    "md5": "cr:md5",
    "parentField": "cr:parentField",
    "path": "cr:path",
    "recordSet": "cr:recordSet",
    "references": "cr:references",
    "regex": "cr:regex",
    "repeated": "cr:repeated",
    "replace": "cr:replace",
    "samplingRate": "cr:samplingRate",
    "sc": "https://schema.org/",
    "separator": "cr:separator",
    "source": "cr:source",
    "subField": "cr:subField",
    "transform": "cr:transform",
}

PARQUET = "application/x-parquet"

LICENSES = {
    "cc-by-4.0": "https://creativecommons.org/licenses/by/4.0/",
    "cc-by-sa-4.0": "https://creativecommons.org/licenses/by-sa/4.0/",
    "cc-by-nc-4.0": "https://creativecommons.org/licenses/by-nc/4.0/",
    "cc-by-nc-sa-4.0": "https://creativecommons.org/licenses/by-nc-sa/4.0/",
    "cc0-1.0": "https://creativecommons.org/publicdomain/zero/1.0/",
    "apache-2.0": "https://www.apache.org/licenses/LICENSE-2.0",
    "mit": "https://opensource.org/licenses/MIT",
}


def _label_sets(labels: Taxonomy) -> dict[str, tuple[str, list[str]]]:
    """Record set id -> (description, names) for every ClassLabel in the release."""
    return {
        "entity_labels": ("Entity types", labels.entity_names),
        "event_types": ("Event types", labels.event_names),
        "roles": ("Argument roles", labels.role_names),
        "ner_tags": ("BIO tags of the ner config", labels.ner_tags),
    }


def _which_labels(feature: ClassLabel, labels: Taxonomy) -> str:
    for rs, (_, names) in _label_sets(labels).items():
        if feature.names == names:
            return rs
    raise ValueError(f"no label record set for {feature.names}")  # programming error


def _leaf(
    config: str,
    fid: str,
    name: str,
    column: str,
    json_path: str | None,
    feature: Any,
    labels: Taxonomy,
    description: str,
    repeated: bool,
) -> dict[str, Any]:
    field: dict[str, Any] = {"@type": "cr:Field", "@id": fid, "name": name}
    if repeated:
        field["repeated"] = True
    if isinstance(feature, ClassLabel):
        # Not a `references` join: mlcroissant cannot join on repeated fields. The names are in
        # the label record set and in the description.
        field["dataType"] = "sc:Integer"
        names = ", ".join(f"{i}={n}" for i, n in enumerate(feature.names))
        description = (
            f"{description + ' ' if description else ''}Label index into record set "
            f"{_which_labels(feature, labels)}: {names}."
        )
    else:
        field["dataType"] = {"string": "sc:Text", "bool": "sc:Boolean"}.get(
            feature.dtype, "sc:Integer"
        )
    if description:
        field["description"] = description
    source: dict[str, Any] = {"fileSet": {"@id": f"{config}-files"}, "extract": {"column": column}}
    if json_path:
        source["transform"] = {"jsonPath": json_path}
    field["source"] = source
    return field


def _field(
    config: str, name: str, feature: Any, labels: Taxonomy, description: str
) -> dict[str, Any]:
    """A top-level column as a Croissant field.

    mlcroissant reads one level of nesting: a struct or a list of structs becomes subFields.
    Inside a list element, a struct is flattened (``trigger_start`` from ``trigger.start``) and
    a list (an event's arguments in ``documents``) is left out; the ``events`` record set has
    the arguments.
    """
    fid = f"{config}/{name}"
    repeated = isinstance(feature, List)
    inner = feature.feature if repeated else feature
    if not isinstance(inner, dict):
        return _leaf(config, fid, name, name, None, inner, labels, description, repeated)
    subs = []
    for sub_name, sub in inner.items():
        if isinstance(sub, List):
            # mlcroissant reads one level of nesting: a list inside a list item is left out
            description += f" ({sub_name} of each item: see the events record set.)"
            continue
        if isinstance(sub, dict):
            for leaf_name, leaf in sub.items():
                subs.append(
                    _leaf(
                        config,
                        f"{fid}/{sub_name}_{leaf_name}",
                        f"{sub_name}_{leaf_name}",
                        name,
                        f"{sub_name}.{leaf_name}",
                        leaf,
                        labels,
                        "",
                        False,
                    )
                )
        else:
            subs.append(
                _leaf(config, f"{fid}/{sub_name}", sub_name, name, sub_name, sub, labels, "", False)
            )
    field: dict[str, Any] = {"@type": "cr:Field", "@id": fid, "name": name}
    if repeated:
        field["repeated"] = True
    if description:
        field["description"] = description
    field["subField"] = subs
    return field


def build(
    manifest: dict[str, Any],
    sha256: dict[str, str],
    labels: Taxonomy,
    features: dict[str, Features],
) -> dict[str, Any]:
    """The Croissant document; ``sha256`` maps each data file's relative path to its hash."""
    distribution: list[dict[str, Any]] = []
    record_sets: list[dict[str, Any]] = []
    for rs, (desc, names) in _label_sets(labels).items():
        record_sets.append(
            {
                "@type": "cr:RecordSet",
                "@id": rs,
                "name": rs,
                "description": desc,
                "key": {"@id": f"{rs}/index"},
                "field": [
                    {
                        "@type": "cr:Field",
                        "@id": f"{rs}/index",
                        "name": "index",
                        "dataType": "sc:Integer",
                    },
                    {
                        "@type": "cr:Field",
                        "@id": f"{rs}/name",
                        "name": "name",
                        "dataType": "sc:Text",
                    },
                ],
                "data": [{f"{rs}/index": i, f"{rs}/name": n} for i, n in enumerate(names)],
            }
        )
    for config in CONFIGS:
        splits = nonempty_splits(manifest, config)
        if not splits:
            continue
        for s in SPLITS:
            for rel in manifest["configs"][config][s]["files"]:
                distribution.append(
                    {
                        "@type": "cr:FileObject",
                        "@id": rel,
                        "name": rel,
                        "contentUrl": rel,
                        "encodingFormat": PARQUET,
                        "sha256": sha256[rel],
                    }
                )
        distribution.append(
            {
                "@type": "cr:FileSet",
                "@id": f"{config}-files",
                "name": f"{config}-files",
                "description": f"Parquet files of the {config} config, all splits.",
                "encodingFormat": PARQUET,
                "includes": f"data/{config}/*.parquet",
            }
        )
        fields = [
            _field(config, name, f, labels, DESCRIPTIONS[config].get(name, ""))
            for name, f in features[config].items()
        ]
        fields.append(
            {
                "@type": "cr:Field",
                "@id": f"{config}/split",
                "name": "split",
                "description": "The split the row belongs to, from its file name.",
                "dataType": "sc:Text",
                "source": {
                    "fileSet": {"@id": f"{config}-files"},
                    "extract": {"fileProperty": "fullpath"},
                    "transform": {
                        "regex": r"^(?:.*/)?(train|validation|test)-\d+-of-\d+\.parquet$"
                    },
                },
            }
        )
        record_sets.append(
            {
                "@type": "cr:RecordSet",
                "@id": config,
                "name": config,
                "description": f"Rows of the {config} config.",
                "field": fields,
            }
        )
    license_ = manifest["license"]
    return {
        "@context": CONTEXT,
        "@type": "sc:Dataset",
        "conformsTo": "http://mlcommons.org/croissant/1.0",
        "name": manifest["name"],
        "alternateName": pretty_name(labels),
        "description": (
            f"Arabic news articles annotated with entities and events ({labels.name} "
            f"{labels.version}): documents, ner and events configs."
        ),
        "license": LICENSES.get(license_, license_),
        "version": manifest["version"],
        "datePublished": manifest["created_at"],
        "inLanguage": "ar",
        "keywords": ["Arabic", "news", "named entity recognition", "event extraction"],
        # the curator's citation and maintainer (card-info file), else the tool's defaults
        "citeAs": card_facts.citation(
            manifest, f"akhbar contributors. {pretty_name(labels)}, version {manifest['version']}."
        ),
        "creator": {
            "@type": "sc:Organization",
            "name": card_facts.maintainer(manifest) or "akhbar contributors",
        },
        "distribution": distribution,
        "recordSet": record_sets,
    }


def write(
    path: Path,
    manifest: dict[str, Any],
    sha256: dict[str, str],
    labels: Taxonomy,
    features: dict[str, Features],
) -> None:
    data = build(manifest, sha256, labels, features)
    path.write_text(json.dumps(data, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
