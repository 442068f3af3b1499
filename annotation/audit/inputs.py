"""The documents an audit reads: validated documents, a snapshot, or a built release.

- a ``documents.jsonl`` (or the folder of ``annotate validate`` holding one): read as is;
- a Label Studio snapshot: validated first (``annotate validate`` into a temporary folder),
  so the audit sees exactly the documents a release would be built from;
- a release folder (its ``manifest.json``): the ``documents`` config's Parquet files, labels
  decoded with the names the files' Features declare (no annotator is known there).
"""

from __future__ import annotations

import json
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import orjson

from akhbar.annotation.validate.documents import DOCUMENTS_INPUT, input_kind
from akhbar.schemas.errors import InputError
from akhbar.schemas.taxonomy import Taxonomy

MANIFEST = "manifest.json"
DOCUMENTS = "documents.jsonl"


def _jsonl(path: Path) -> Iterator[dict[str, Any]]:
    try:
        with path.open("rb") as f:
            for n, line in enumerate(f, 1):
                if not line.strip():
                    continue
                try:
                    doc = orjson.loads(line)
                except orjson.JSONDecodeError as e:
                    raise InputError(
                        f"{path}: line {n} is not JSON ({e}); give the documents.jsonl of "
                        "akhbar annotate validate"
                    ) from e
                if not (
                    isinstance(doc, dict)
                    and isinstance(doc.get("text"), str)
                    and isinstance(doc.get("entities"), list)
                    and isinstance(doc.get("events"), list)
                    and isinstance(doc.get("article_id"), str)
                ):
                    raise InputError(
                        f"{path}: line {n} is not an annotated document (article_id, text, "
                        "entities, events); give the documents.jsonl of akhbar annotate validate"
                    )
                yield doc
    except OSError as e:
        raise InputError(f"{path}: cannot read ({e.strerror})") from e


def _names(feature: Any, name: str) -> list[str]:
    """The class names of ``name`` in a list-of-structs feature (``List`` or ``[...]``)."""
    inner = feature.feature if hasattr(feature, "feature") else feature[0]
    return inner[name].names


def _release(root: Path) -> Iterator[dict[str, Any]]:
    import pyarrow.parquet as pq
    from datasets import Features

    try:
        manifest = json.loads((root / MANIFEST).read_text(encoding="utf-8"))
        splits = manifest["configs"]["documents"]
    except (OSError, ValueError, KeyError, TypeError) as e:
        raise InputError(
            f"{root / MANIFEST}: no documents config can be read ({e}); give a release built "
            "by akhbar release build"
        ) from e
    for split, entry in splits.items():
        for rel in entry["files"]:
            path = root / rel
            features = Features.from_arrow_schema(pq.read_schema(path))
            labels = _names(features["entities"], "label")
            types = _names(features["events"], "type")
            for row in pq.read_table(
                path, columns=["id", "text", "entities", "events"]
            ).to_pylist():
                yield {
                    "article_id": row["id"],
                    "text": row["text"],
                    "annotator": None,
                    "split": split,
                    "entities": [{**e, "label": labels[e["label"]]} for e in row["entities"]],
                    "events": [{**v, "type": types[v["type"]]} for v in row["events"]],
                }


def read_documents(
    path: Path, corpus: Path, taxonomy: Taxonomy | Path | None
) -> tuple[str, list[dict[str, Any]]]:
    """(what the input was, its documents)."""
    path = Path(path)
    if path.is_dir():
        if (path / MANIFEST).is_file():
            return "release", list(_release(path))
        if (path / DOCUMENTS).is_file():
            return "documents", list(_jsonl(path / DOCUMENTS))
        raise InputError(
            f"{path}: neither a release ({MANIFEST}) nor validated documents ({DOCUMENTS}); "
            "give the --out of akhbar annotate validate, a snapshot or a release"
        )
    if not path.is_file():
        raise InputError(f"{path}: no such file or folder; give documents, a snapshot or a release")
    if path.suffix == ".jsonl" or input_kind(path) == DOCUMENTS_INPUT:
        return "documents", list(_jsonl(path))
    from akhbar.annotation.validate.run import ValidateOptions, validate_snapshot

    with tempfile.TemporaryDirectory(prefix="akhbar-audit-") as tmp:
        validate_snapshot(ValidateOptions(path, corpus, Path(tmp) / "validated", taxonomy))
        return "snapshot", list(_jsonl(Path(tmp) / "validated" / DOCUMENTS))
