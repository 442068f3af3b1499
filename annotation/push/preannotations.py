"""Pre-annotations (predictions or annotations to import with tasks), checked before import.

Label Studio stores whatever results it is given: a label that is not in the config, an
offset past the end of the text, a ``value.text`` that is not the text at those offsets, or
a relation to a region that does not exist would all be accepted and then break the
annotator's view or the export. So every result is checked here first, against the
taxonomy and the article's text, by the checker validation uses
(:mod:`akhbar.annotation.labelstudio.result_checks`, the codes of
:mod:`akhbar.schemas.checks`); a pre-annotation with any problem is reported and not
imported.

A pre-annotation file is JSON Lines; each line is one of:

- Label Studio results: ``{"article_id": ..., "model_version": ..., "score": 0.9,
  "result": [...]}``, the ``result`` list written the way the labeling UI writes it
  (``labels`` regions from ``entity`` or ``trigger`` to ``text``, with an ``id``;
  ``relation`` results from a trigger region to an entity region, labelled with the role);
- an annotated document (``schemas/document.schema.json``): its entities and events are
  turned into results with ``annotation.labelstudio.to_results``; if it has a ``text``, that text must be
  the article's text.

``model_version`` is required for predictions (from the line, or the caller's default) and
ignored for annotations.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import orjson

from akhbar.annotation.labelstudio.result_checks import Rules, check_results
from akhbar.annotation.labelstudio.to_results import document_to_results
from akhbar.schemas.checks import ERROR, Issue
from akhbar.schemas.document import check_document, errors
from akhbar.schemas.errors import InputError
from akhbar.schemas.taxonomy import Taxonomy

PREDICTION = "prediction"
ANNOTATION = "annotation"


@dataclass
class PreAnnotation:
    article_id: str
    kind: str  # PREDICTION or ANNOTATION
    result: list[dict[str, Any]]
    where: str  # "FILE line N", for messages
    model_version: str | None = None
    score: float | None = None

    def payload(self) -> dict[str, Any]:
        """The object Label Studio's import expects under ``predictions``/``annotations``."""
        if self.kind == PREDICTION:
            out: dict[str, Any] = {"model_version": self.model_version, "result": self.result}
            if self.score is not None:
                out["score"] = self.score
            return out
        return {"result": self.result}


@dataclass(frozen=True)
class Problem:
    where: str
    article_id: str | None
    message: str
    kind: str = PREDICTION

    def __str__(self) -> str:
        who = f"article {self.article_id}: " if self.article_id else ""
        return f"{self.where}: {who}{self.message}"


@dataclass
class Checked:
    """Pre-annotations that passed, by article id, and the problems of those that did not."""

    by_article: dict[str, list[PreAnnotation]] = field(default_factory=dict)
    problems: list[Problem] = field(default_factory=list)

    @property
    def count(self) -> int:
        return sum(len(v) for v in self.by_article.values())


def result_problems(result: Any, text: str, rules: Rules) -> list[Issue]:
    """What refuses one Label Studio ``result`` list: its errors against the taxonomy and the
    text, found by the one checker of results (:func:`result_checks.check_results`, as
    validation finds them), and the warnings of something that would be imported twice (a
    span labelled twice, an argument drawn twice). Paths start at ``/result``."""
    issues = check_results(result, text, rules).issues
    return [i for i in issues if i.code in _REFUSED or i.severity == ERROR]


_REFUSED = frozenset({"AK143", "AK144"})


def _message(issues: Iterable[Issue]) -> str:
    return "; ".join(f"{i.path}: {i.code} {i.message}" for i in issues)


def _parse_line(obj: Any, where: str, kind: str, model_version: str | None) -> PreAnnotation:
    if not isinstance(obj, dict) or not isinstance(obj.get("article_id"), str):
        raise ValueError("each line must be an object with an article_id")
    if "result" in obj:
        result = obj["result"]
    elif "entities" in obj or "events" in obj:
        result = document_to_results(obj)
    else:
        raise ValueError("a line needs a result list or document entities/events")
    pre = PreAnnotation(obj["article_id"], kind, result, where)
    if kind == PREDICTION:
        pre.model_version = obj.get("model_version") or model_version
        score = obj.get("score")
        if score is not None and (not isinstance(score, int | float) or isinstance(score, bool)):
            raise ValueError(f"score must be a number, got {score!r}")
        pre.score = score
    return pre


def load(
    path: str | Path, kind: str, model_version: str | None = None
) -> tuple[list[tuple[PreAnnotation, str | None]], list[Problem]]:
    """Read a pre-annotation file: (pre-annotation, document text if given) pairs, problems."""
    p = Path(path)
    try:
        raw = p.read_bytes()
    except OSError as e:
        raise InputError(f"{p}: cannot read ({e.strerror}); pass an existing JSONL file") from e
    out: list[tuple[PreAnnotation, str | None]] = []
    problems: list[Problem] = []
    for n, line in enumerate(raw.splitlines(), 1):
        if not line.strip():
            continue
        where = f"{p} line {n}"
        obj: Any = None
        try:
            obj = orjson.loads(line)
            pre = _parse_line(obj, where, kind, model_version)
        except (orjson.JSONDecodeError, ValueError, KeyError, TypeError) as e:
            aid = obj.get("article_id") if isinstance(obj, dict) else None
            problems.append(Problem(where, aid, f"unreadable {kind}: {e}", kind))
            continue
        out.append((pre, obj.get("text") if "result" not in obj else None))
    return out, problems


def check(
    items: Iterable[tuple[PreAnnotation, str | None]],
    texts: Mapping[str, str],
    tax: Taxonomy,
) -> Checked:
    """Keep the pre-annotations that fit their article's text and the taxonomy."""
    checked = Checked()
    rules = Rules(tax)
    for pre, doc_text in items:
        text = texts.get(pre.article_id)
        if text is None:
            checked.problems.append(
                Problem(
                    pre.where, pre.article_id, "no article with this id in the corpus", pre.kind
                )
            )
            continue
        msgs = []
        if doc_text is not None and doc_text != text:
            given = {"article_id": pre.article_id, "text": doc_text, "entities": [], "events": []}
            given.update(task_id=None, annotation_id=None)
            msgs.append(_message(errors(check_document(given, text, tax))))
        if pre.kind == PREDICTION and not (
            isinstance(pre.model_version, str) and pre.model_version
        ):
            msgs.append("a prediction needs a model_version (in the line or --model-version)")
        found = result_problems(pre.result, text, rules)
        if found:
            msgs.append(_message(found))
        if msgs:
            checked.problems.append(Problem(pre.where, pre.article_id, "; ".join(msgs), pre.kind))
        else:
            checked.by_article.setdefault(pre.article_id, []).append(pre)
    return checked
