"""The record types that flow through the corpus stage.

``RawRecord`` is what a reader yields: undecoded-by-rules text plus where it came from.
``Article`` is a cleaned, kept record; ``Rejection`` is a record dropped with a reason;
``Duplicate`` marks a cleaned record that repeats another one.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from typing import Any


@dataclass(slots=True)
class Provenance:
    """Where a record came from and what was done to it."""

    input_file: str  # path as given on the command line, or relative to an input dir
    record: str  # position inside the file: "0", "member.json#12", "line 7"
    reader: str  # the reader that produced it, e.g. "txt_v1", "json_v1", "html_v1"
    encoding: str | None = None  # detected encoding of the file, if decoded from bytes
    rules: dict[str, int] = field(default_factory=dict)  # cleaning rule name -> times applied

    def to_dict(self) -> dict[str, Any]:
        return {
            "input_file": self.input_file,
            "record": self.record,
            "reader": self.reader,
            "encoding": self.encoding,
            "rules": dict(self.rules),
        }


@dataclass(slots=True)
class RawRecord:
    """One article as a reader found it, before any cleaning rule ran."""

    title: str
    text: str
    provenance: Provenance
    source: str | None = None
    url: str | None = None
    published: str | None = None  # ISO 8601 date or datetime when known
    retrieved: str | None = None
    author: str | None = None
    metadata: dict[str, Any] = field(default_factory=dict)


@dataclass(slots=True)
class Article:
    """A cleaned article. ``text`` never changes once the article is imported for annotation."""

    id: str
    title: str
    text: str
    provenance: Provenance
    source: str | None = None
    url: str | None = None
    published: str | None = None
    retrieved: str | None = None
    author: str | None = None
    language: str = "ar"
    truncated: bool = False
    metadata: dict[str, Any] = field(default_factory=dict)
    cluster_id: str | None = None  # de-duplication cluster; set by the dedup step

    def to_dict(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "title": self.title,
            "text": self.text,
            "source": self.source,
            "url": self.url,
            "published": self.published,
            "retrieved": self.retrieved,
            "author": self.author,
            "language": self.language,
            "truncated": self.truncated,
            "metadata": dict(self.metadata),
            "cluster_id": self.cluster_id,
            "provenance": self.provenance.to_dict(),
        }


@dataclass(slots=True)
class Rejection:
    """A record that was dropped, with a stable reason code and enough to find it again."""

    reason: str  # e.g. "empty", "too_short", "wrong_script", "undecodable", "unparsable"
    detail: str  # one line for a person
    provenance: Provenance
    title: str | None = None
    excerpt: str | None = None  # first characters of the input, to recognise it

    def to_dict(self) -> dict[str, Any]:
        return {
            "reason": self.reason,
            "detail": self.detail,
            "title": self.title,
            "excerpt": self.excerpt,
            "provenance": self.provenance.to_dict(),
        }


@dataclass(slots=True)
class Duplicate:
    """A cleaned article that repeats a kept one."""

    article: Article
    duplicate_of: str  # id of the kept article
    kind: str  # "exact" or "near"
    similarity: float  # 1.0 for exact; estimated Jaccard for near


def article_id(source: str | None, url: str | None, title: str, text: str) -> str:
    """A stable id from an article's content: same input, same id, on any machine.

    The id hashes the cleaned title and text with the source and URL, so two different
    articles never share an id by accident and a re-run of the same build gives the same ids.
    """
    h = hashlib.sha256()
    for part in (source or "", url or "", title, text):
        h.update(part.encode("utf-8"))
        h.update(b"\x1f")
    return "art_" + h.hexdigest()[:20]
