"""Where a release's texts and annotations came from, counted from its inputs for the manifest:
texts read by the CoNLL importer (imported from an existing corpus) or by the corpus readers
(scraped and cleaned), annotations imported with them or made in Label Studio. The card's
provenance, method and annotation sections are written from these counts, so it never claims
scraping or Label Studio work that did not happen.
"""

from __future__ import annotations

import re
from collections import Counter
from pathlib import Path
from typing import Any

from akhbar.corpus.store import iter_article_batches

IMPORT_READERS = frozenset({"conll_v1"})  # readers of already-annotated corpora
_IMPORTED = re.compile(rb'"selection"\s*:\s*"imported"')
_READER = re.compile(r'"reader"\s*:\s*"([^"]+)"')


def count_origin(documents: Path, corpus: Path, released: dict[str, Any]) -> dict[str, Any]:
    """Counts over the released articles (``released``: their ids): documents imported with
    their annotations vs annotated in Label Studio, and the reader of each text."""
    imported = annotated = 0
    with documents.open("rb") as f:
        for line in f:
            if not line.strip():
                continue
            if _IMPORTED.search(line):
                imported += 1
            else:
                annotated += 1
    readers: Counter[str] = Counter()
    for batch in iter_article_batches(corpus, ("id", "provenance"), 65536):
        ids = batch.column(0).to_pylist()
        for aid, prov in zip(ids, batch.column(1).to_pylist(), strict=True):
            if aid in released:
                m = _READER.search(prov or "")
                readers[m.group(1) if m else "unknown"] += 1
    texts_imported = sum(n for r, n in readers.items() if r in IMPORT_READERS)
    return {
        "documents_imported": imported,
        "documents_annotated": annotated,
        "texts_imported": texts_imported,
        "texts_scraped": sum(readers.values()) - texts_imported,
        "readers": dict(sorted(readers.items())),
    }
