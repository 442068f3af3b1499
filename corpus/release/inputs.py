"""Reading a release's inputs without holding them in memory.

- the corpus store's articles are read in batches through :mod:`akhbar.corpus.store`, first only
  their ids and clusters (to assign splits), then with every column while the rows are built;
- ``documents.jsonl`` is scanned once, line by line, to index each article's document by byte
  offset (the text stays on disk until a worker reads it) and to hash the file;
- ``validation.json`` gives the snapshot the documents came from and the taxonomy they were
  validated with.
"""

from __future__ import annotations

import hashlib
import json
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import orjson

from akhbar.corpus.store import TEXT_DIGEST
from akhbar.schemas.errors import InputError, IntegrityError
from akhbar.schemas.shape import check_shape

ARTICLE_COLUMNS = (
    "id",
    "title",
    TEXT_DIGEST,  # the text comes from the documents, checked against it; never read here
    "source",
    "url",
    "published",
    "retrieved",
    "truncated",
    "cluster_id",
    "metadata",  # read for a tokenisation given with the article (see segment.given_tokens)
)

# In valid JSON an unescaped '"article_id":' can only be a key; the value of our ids never needs
# escapes. Anything else falls back to a full parse.
_ARTICLE_ID = re.compile(rb'(?<!\\)"article_id"\s*:\s*"([^"\\]*)"')


def pack_location(offset: int, length: int, line: int, ordinal: int) -> int:
    """One int for where a document is: a dict of 100,000 of these stays small."""
    return (offset << 96) | (length << 64) | (line << 32) | ordinal


def unpack_location(packed: int) -> tuple[int, int, int, int]:
    """(byte offset, byte length, line number, ordinal among the documents)."""
    mask = (1 << 32) - 1
    return packed >> 96, (packed >> 64) & mask, (packed >> 32) & mask, packed & mask


@dataclass(slots=True)
class DocumentIndex:
    """Where each article's document lies in ``documents.jsonl``."""

    path: Path
    locations: dict[str, int] = field(default_factory=dict)  # article id -> packed location
    sha256: str = ""
    bytes: int = 0
    lines: int = 0  # documents, which are numbered 0..lines-1 in file order (their ordinal)


def index_documents(path: Path) -> DocumentIndex:
    """Scan ``documents.jsonl`` once: article id -> packed location, and the file's sha256."""
    if not path.is_file():
        raise InputError(
            f"{path}: no such file; --documents must be the output directory of "
            "akhbar annotate validate"
        )
    index = DocumentIndex(path)
    h = hashlib.sha256()
    offset = 0
    with path.open("rb") as f:
        for number, line in enumerate(f, start=1):
            h.update(line)
            length = len(line)
            if line.strip():
                m = _ARTICLE_ID.search(line)
                if m:
                    aid = m.group(1).decode("utf-8")
                else:
                    try:
                        aid = orjson.loads(line).get("article_id")
                    except (orjson.JSONDecodeError, AttributeError):
                        raise InputError(
                            f"{path} line {number}: not a JSON document; re-run akhbar annotate "
                            "validate"
                        ) from None
                    if not isinstance(aid, str):
                        raise InputError(f"{path} line {number}: no article_id")
                if aid in index.locations:
                    first = unpack_location(index.locations[aid])[2]
                    raise IntegrityError(
                        f"{path} line {number}: a second document for article {aid} (first on "
                        f"line {first}); keep one annotation per article"
                    )
                index.locations[aid] = pack_location(offset, length, number, index.lines)
                index.lines += 1
            offset += length
    index.sha256 = h.hexdigest()
    index.bytes = offset
    return index


def read_validation(path: Path) -> dict[str, Any]:
    """What the release records from ``validation.json``: the snapshot and the taxonomy."""
    if not path.is_file():
        raise InputError(
            f"{path}: no such file; --documents must be the output directory of "
            "akhbar annotate validate"
        )
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as e:
        raise InputError(f"{path}: not readable JSON ({e}); re-run akhbar annotate validate") from e
    check_shape(data, "validation_summary", str(path), InputError)
    snap = data.get("snapshot")
    snapshot = {"path": None, "sha256": None}
    if isinstance(snap, dict):
        snapshot = {"path": snap.get("path"), "sha256": snap.get("sha256")}
    elif isinstance(snap, str):
        snapshot = {"path": snap, "sha256": data.get("snapshot_sha256")}
    else:
        snapshot = {"path": data.get("snapshot_path"), "sha256": data.get("snapshot_sha256")}
    tax = data.get("taxonomy")
    taxonomy = tax if isinstance(tax, dict) else None
    return {"snapshot": snapshot, "taxonomy": taxonomy}
