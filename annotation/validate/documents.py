"""Annotated documents (``documents.jsonl``) as the input of ``annotate validate``.

Documents written by ``annotate import-conll`` or by any other tool (one JSON object per line,
``schemas/document.schema.json``) are validated without a server: each is judged by the one
document check (:func:`akhbar.schemas.document.check_document`: the schema, then spans, labels,
roles and ids, with the codes and messages every stage uses) against its article in the corpus
(``AK150`` when the corpus has no such article) and the taxonomy, and merged into the same
outputs as an export's tasks (:class:`~annotation.validate.merge.Merger`: counts, ``AK152`` for a second
document of one article, quarantine, issues). So:

- issue pointers are JSON pointers into the input (``/<line index>/entities/3/start``), the issue
  carries the document's own ``task_id`` and ``annotation_id``;
- a quarantined document is kept exactly as read (the line itself when it is not JSON);
- a valid document is written as it was given, with the taxonomy it was checked against.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import orjson

from akhbar.annotation.validate.merge import Merger
from akhbar.annotation.validate.pieces import collect
from akhbar.annotation.validate.tasks import DOCUMENTED, QUARANTINED, TaskOutcome
from akhbar.corpus.file_digest import sha256_file
from akhbar.corpus.store import text_digest
from akhbar.schemas.checks import Issue
from akhbar.schemas.document import check_document, errors, schema_problems
from akhbar.schemas.errors import InputError
from akhbar.schemas.taxonomy import Taxonomy

DOCUMENTS_INPUT = "documents"
EXPORT_INPUT = "labelstudio_export"
BATCH = 2000  # documents checked and merged at a time


def input_kind(path: Path) -> str:
    """``documents`` for JSON Lines of documents (a ``.jsonl`` file, or a first line that is an
    object with an ``article_id``), else ``labelstudio_export`` (whose reader explains what is
    wrong with anything that is not a JSON array)."""
    try:
        with path.open("rb") as f:
            first = f.readline(1 << 24).lstrip(b"\xef\xbb\xbf \t\r\n")
    except OSError as e:
        raise InputError(f"{path}: cannot read ({e.strerror})") from e
    if not first.startswith(b"{"):
        return EXPORT_INPUT
    if path.suffix == ".jsonl":
        return DOCUMENTS_INPUT
    try:
        obj = orjson.loads(first)
    except orjson.JSONDecodeError:
        return EXPORT_INPUT
    return DOCUMENTS_INPUT if isinstance(obj, dict) and "article_id" in obj else EXPORT_INPUT


def read_documents(path: Path) -> Iterator[tuple[int, Any, bytes]]:
    """(line index, parsed object or None, raw line) for every non-blank line."""
    try:
        with path.open("rb") as f:
            for n, raw in enumerate(f):
                line = raw.strip().removeprefix(b"\xef\xbb\xbf") if n == 0 else raw.strip()
                if not line:
                    continue
                try:
                    obj = orjson.loads(line)
                except orjson.JSONDecodeError:
                    obj = None
                yield n, obj, line
    except OSError as e:
        raise InputError(f"{path}: cannot read ({e.strerror})") from e


@dataclass(frozen=True)
class Hashed:
    """The sha256 and size of the input, as ``validation.json`` records them."""

    digest: str
    size: int


def check_documents(path: Path, checker: DocumentChecker, merger: Merger) -> Hashed:
    """Check every line of ``path`` in order and merge the outcomes into ``merger``'s outputs."""
    batch: list[tuple[int, Any, bytes]] = []
    seq = 0
    for item in read_documents(path):
        batch.append(item)
        if len(batch) >= BATCH:
            _merge_batch(batch, checker, merger, seq)
            seq, batch = seq + 1, []
    _merge_batch(batch, checker, merger, seq)
    try:
        digest = sha256_file(path)
    except OSError as e:
        raise InputError(f"{path}: cannot read ({e.strerror})") from e
    return Hashed(digest.sha256, digest.size)


def _merge_batch(
    batch: list[tuple[int, Any, bytes]], checker: DocumentChecker, merger: Merger, seq: int
) -> None:
    checked = [checker.check(*item) for item in batch]
    piece = collect(checked, merger.tmp / f"part-{seq:06d}.jsonl", seq, -1)
    merger.add(piece, lambda local: checked[local][1])


class DocumentChecker:
    """Judges documents against the corpus (text digests by article id, and the texts
    themselves when a document's differs) and the taxonomy; see the module docstring."""

    def __init__(
        self, tax: Taxonomy, corpus: dict[str, str], corpus_text: Callable[[str], str | None]
    ) -> None:
        self.tax = tax
        self.tag = f"{tax.name}@{tax.version}"
        self.corpus = corpus
        self.corpus_text = corpus_text

    def check(self, index: int, doc: Any, raw: bytes) -> tuple[TaskOutcome, Any]:
        """The outcome of one document line, and what a quarantine keeps of it."""
        if doc is None:
            issue = Issue("AK001", f"line {index + 1} is not JSON; one document per line", "")
            return _outcome(None, [issue]), raw.decode("utf-8", "replace")
        issues = schema_problems(doc)
        if not issues:
            digest = self.corpus.get(doc["article_id"])
            if digest is None:
                issues = [
                    Issue(
                        "AK150",
                        f"article {doc['article_id']!r} is not in the corpus; validate against "
                        "the corpus the documents were made for",
                        "/article_id",
                    )
                ]
            else:
                same = text_digest(doc["text"]) == digest
                text = doc["text"] if same else self.corpus_text(doc["article_id"])
                issues = check_document(doc, text if text is not None else "", self.tax)
        o = _outcome(doc, issues)
        if o.status == DOCUMENTED:
            o.document = {**doc, "taxonomy": self.tag}  # the taxonomy it was checked against
        return o, doc


def _outcome(doc: Any, issues: list[Issue]) -> TaskOutcome:
    d = doc if isinstance(doc, dict) else {}
    aid = d.get("article_id") if isinstance(d.get("article_id"), str) else None
    task_id, ann_id = d.get("task_id"), d.get("annotation_id")
    for i in issues:
        i.task_id, i.article_id, i.annotation_id = task_id, aid, ann_id
    if errors(issues):
        return TaskOutcome(
            task_id, aid, QUARANTINED, quarantined=1, issues=issues, quarantined_ids=[ann_id]
        )
    return TaskOutcome(task_id, aid, DOCUMENTED, selected=1, issues=issues)
