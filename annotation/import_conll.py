"""``akhbar annotate import-conll``: existing CoNLL annotations -> a corpus store + documents.

Each sentence of the file becomes an article (text: its tokens joined by single spaces, kept
exactly as written) and an annotated document holding every entity, nested ones included. The
article records its tokenisation in ``metadata`` (``token_offsets``, ``sentence_offsets``), so a
release's ``ner`` config reproduces the file's tokens and sentences instead of re-tokenising.

The documents can then be pushed to Label Studio as annotations (``annotate push
--annotations``) or as predictions, validated and released like any other.
"""

from __future__ import annotations

import hashlib
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import orjson

from akhbar.annotation.conll import SPECIAL_TOKENS, Sentence, iob_repairs, read_conll
from akhbar.annotation.taxonomy import Taxonomy
from akhbar.corpus import __version__
from akhbar.corpus.dedup.cluster import cluster_id
from akhbar.corpus.errors import InputError, OutputError
from akhbar.corpus.publish import Output
from akhbar.corpus.records import Article, Provenance, article_id
from akhbar.corpus.store import DUPLICATE_SCHEMA, CorpusWriter, articles_table

DOCUMENTS = "documents.jsonl"


@dataclass
class ImportResult:
    corpus_dir: Path
    documents_path: Path
    sentences: int = 0
    tokens: int = 0
    entities: int = 0
    nested: int = 0  # entities lying inside another entity
    by_label: Counter[str] = field(default_factory=Counter)
    special_tokens: Counter[str] = field(default_factory=Counter)  # kept verbatim, see conll
    iob_repairs: int = 0  # I- tags that opened an entity (read as B-)

    def summary(self) -> dict[str, Any]:
        return {
            "sentences": self.sentences,
            "tokens": self.tokens,
            "entities": self.entities,
            "nested_entities": self.nested,
            "by_label": dict(sorted(self.by_label.items())),
            "special_tokens_kept": dict(sorted(self.special_tokens.items())),
            "iob_repairs": self.iob_repairs,
        }


def _nested_count(s: Sentence) -> int:
    return sum(
        any(
            o is not a
            and o.start <= a.start
            and a.end <= o.end
            and (o.end - o.start) > (a.end - a.start)
            for o in s.spans
        )
        for a in s.spans
    )


def _article(s: Sentence, path: Path, source: str) -> Article:
    text = s.text
    url = f"conll:{path.name}#{s.index + 1}"
    offsets = s.token_offsets()
    aid = article_id(source, url, "", text)
    return Article(
        id=aid,
        title=f"{path.stem} #{s.index + 1}",
        text=text,
        source=source,
        url=url,
        language="ar",
        metadata={
            "token_offsets": [list(t) for t in offsets],
            "sentence_offsets": [[0, len(text)]],
            "conll_line": s.line,
        },
        provenance=Provenance(
            input_file=str(path), record=f"line {s.line}", reader="conll_v1", encoding="utf-8"
        ),
        cluster_id=cluster_id(aid),
    )


def _document(s: Sentence, article: Article, path: Path, tax: Taxonomy) -> dict[str, Any]:
    offsets = s.token_offsets()
    entities = []
    for n, span in enumerate(s.spans, start=1):
        start, end = offsets[span.start][0], offsets[span.end - 1][1]
        entities.append(
            {
                "id": f"e{n}",
                "start": start,
                "end": end,
                "text": s.text[start:end],
                "label": span.label,
            }
        )
    return {
        "article_id": article.id,
        "text": article.text,
        "task_id": None,
        "annotation_id": f"{path.name}#{s.index + 1}",
        "annotator": None,
        "created_at": None,
        "updated_at": None,
        "selection": "imported",
        "taxonomy": f"{tax.name}@{tax.version}",
        "entities": entities,
        "events": [],
    }


def import_conll(
    path: str | Path,
    tax: Taxonomy,
    out_dir: str | Path,
    source: str | None = None,
    force: bool = False,
) -> ImportResult:
    """Write ``OUT/corpus/`` (a corpus store) and ``OUT/documents.jsonl`` from a CoNLL file."""
    path, out = Path(path), Path(out_dir)
    source = source or path.stem
    known = set(tax.entity_names)
    result = ImportResult(corpus_dir=out / "corpus", documents_path=out / DOCUMENTS)
    articles: list[Article] = []
    lines: list[bytes] = []
    for s in read_conll(path):
        unknown = sorted({sp.label for sp in s.spans} - known)
        if unknown:
            raise InputError(
                f"{path}:{s.line}: entity types {unknown} are not in taxonomy {tax.name} "
                f"({tax.source}); pass --taxonomy with a file that declares them"
            )
        article = _article(s, path, source)
        articles.append(article)
        lines.append(orjson.dumps(_document(s, article, path, tax)) + b"\n")
        result.sentences += 1
        result.tokens += len(s.tokens)
        result.entities += len(s.spans)
        result.nested += _nested_count(s)
        result.by_label.update(sp.label for sp in s.spans)
        result.special_tokens.update(t for t in s.tokens if t in SPECIAL_TOKENS)
        result.iob_repairs += iob_repairs(s.tags)
    if not articles:
        raise InputError(f"{path}: no sentences found; is this a CoNLL file (token TAG per line)?")
    ids = Counter(a.id for a in articles)
    if max(ids.values()) > 1:
        raise InputError(f"{path}: two sentences share an id ({ids.most_common(1)[0][0]})")
    if (out / DOCUMENTS).exists() and not force:
        raise OutputError(
            f"{out / DOCUMENTS} already exists: pass --force, or choose another --out"
        )
    report = {
        "input": len(articles),
        "kept": len(articles),
        "rejected": 0,
        "duplicates": 0,
        "by_reason": {},
        "by_rule": {},
        "by_source": {
            source: {"input": len(articles), "kept": len(articles), "rejected": 0, "duplicates": 0}
        },
        "duplicates_by_kind": {"exact": 0, "near": 0},
        "imported_from": {
            "file": str(path),
            "sha256": hashlib.sha256(path.read_bytes()).hexdigest(),
        },
        "conll": result.summary(),
        "tool_version": __version__,
    }
    with (
        CorpusWriter(result.corpus_dir, force=force) as writer,
        Output(out / DOCUMENTS, directory=False, replace=True, what="documents file") as docs,
    ):
        writer.write_articles(articles_table(articles))
        writer.write_duplicates(DUPLICATE_SCHEMA.empty_table())
        docs.path.write_bytes(b"".join(lines))
        writer.commit(report)
        docs.commit()
    return result
