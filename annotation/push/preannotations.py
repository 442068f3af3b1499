"""Pre-annotations (predictions or annotations to import with tasks), checked before import.

Label Studio stores whatever results it is given: a label that is not in the config, an
offset past the end of the text, a ``value.text`` that is not the text at those offsets, or
a relation to a region that does not exist would all be accepted and then break the
annotator's view or the export. So every result is checked here first, against the
taxonomy and the article's text; a pre-annotation with any problem is reported and not
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

from akhbar.annotation.labelstudio.labelconfig import ENTITY_CONTROL, TEXT_OBJECT, TRIGGER_CONTROL
from akhbar.annotation.labelstudio.to_results import document_to_results
from akhbar.schemas.document import check_document, errors
from akhbar.schemas.errors import InputError
from akhbar.schemas.taxonomy import Taxonomy

PREDICTION = "prediction"
ANNOTATION = "annotation"
DIRECTIONS = ("right", "left", "bi")


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


def check_result(result: Any, text: str, tax: Taxonomy) -> list[str]:
    """Problems of one Label Studio ``result`` list against the taxonomy and the text, each
    ``result[i]: CODE message``.

    What only Label Studio has (result types, controls, region ids, one label per region,
    relation direction and ends) is checked here; the regions and relations are then read as
    a document and judged by the one document check (:mod:`akhbar.schemas.document`).
    """
    if not isinstance(result, list):
        return ["result: AK003 result must be a list of Label Studio results"]
    problems: list[str] = []
    controls = {ENTITY_CONTROL: "entity"}
    if tax.events:
        controls[TRIGGER_CONTROL] = "event"
    where: dict[str, str] = {}  # region id -> "result[i]"
    doc: dict[str, Any] = {"entities": [], "events": []}
    events: dict[str, dict[str, Any]] = {}
    relations = []
    for i, r in enumerate(result):
        at = f"result[{i}]"
        if not isinstance(r, dict):
            problems.append(f"{at}: AK003 is not an object")
            continue
        kind = r.get("type")
        if kind == "relation":
            relations.append((at, r))
            continue
        if kind != "labels":
            problems.append(f"{at}: AK004 type {kind!r}; the config has only labels and relations")
            continue
        control = r.get("from_name")
        if control not in controls or r.get("to_name") != TEXT_OBJECT:
            what = (
                f"from_name {control!r}"
                if control not in controls
                else f"to_name {r.get('to_name')!r}"
            )
            problems.append(
                f"{at}: AK111 {what}: regions come from {sorted(controls)} and target {TEXT_OBJECT!r}"
            )
            continue
        rid = r.get("id")
        if not isinstance(rid, str) or not rid:
            problems.append(f"{at}: AK002 has no region id (relations need one)")
            continue
        if rid in where:
            problems.append(f"{at}: AK130 region id {rid!r} is used again (first by {where[rid]})")
            continue
        value = r.get("value")
        labels = value.get("labels") if isinstance(value, dict) else None
        if not isinstance(labels, list) or len(labels) != 1:
            problems.append(f"{at}: AK112 a region carries exactly one label, this one {labels!r}")
            continue
        where[rid] = at
        span = {"start": value.get("start"), "end": value.get("end"), "text": value.get("text")}
        if control == ENTITY_CONTROL:
            doc["entities"].append({"id": rid, **span, "label": labels[0]})
        else:
            events[rid] = {"id": rid, "type": labels[0], "trigger": span, "arguments": []}
            doc["events"].append(events[rid])
    for at, r in relations:
        src, dst, direction = r.get("from_id"), r.get("to_id"), r.get("direction", "right")
        if direction not in DIRECTIONS:
            problems.append(f"{at}: AK004 direction {direction!r} is not one of {DIRECTIONS}")
            continue
        if direction == "left" or (direction == "bi" and src not in events):
            src, dst = dst, src
        missing = [x for x in (src, dst) if x not in where]
        if missing:
            problems.append(f"{at}: AK120 relation points at unknown region ids {missing}")
            continue
        if src not in events or dst in events:
            kinds = ["trigger" if x in events else "entity" for x in (src, dst)]
            problems.append(
                f"{at}: AK121 a relation goes from a trigger to an entity, this one from "
                f"{kinds[0]} {src!r} to {kinds[1]} {dst!r}"
            )
            continue
        roles = r.get("labels")
        if not isinstance(roles, list) or len(roles) != 1:
            problems.append(f"{at}: AK124 a relation carries exactly one role, has {roles!r}")
            continue
        where[f"{src}->{dst}:{roles[0]}"] = at
        events[src]["arguments"].append({"role": roles[0], "entity_id": dst})
    doc.update(article_id="-", text=text, task_id=None, annotation_id=None)
    # The duplicates, warnings in an annotation, would be imported twice: refused here too.
    found = [i for i in check_document(doc, text, tax) if i.code in _REFUSED or i in errors([i])]
    for issue in found:
        problems.append(f"{_where_in_result(issue.path, doc, where)}: {issue.code} {issue.message}")
    return problems


_REFUSED = frozenset({"AK143", "AK144"})


def _where_in_result(path: str, doc: dict[str, Any], where: dict[str, str]) -> str:
    """The ``result[i]`` an issue of the document read from a result list comes from."""
    parts = path.strip("/").split("/")
    try:
        if parts[0] == "entities":
            return where[doc["entities"][int(parts[1])]["id"]]
        if parts[0] == "events":
            ev = doc["events"][int(parts[1])]
            if len(parts) > 3 and parts[2] == "arguments":
                arg = ev["arguments"][int(parts[3])]
                return where[f"{ev['id']}->{arg['entity_id']}:{arg['role']}"]
            return where[ev["id"]]
    except (KeyError, IndexError, ValueError, TypeError):
        pass
    return "result"


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
            msgs += [f"{i.code} {i.message}" for i in errors(check_document(given, text, tax))]
        if pre.kind == PREDICTION and not (
            isinstance(pre.model_version, str) and pre.model_version
        ):
            msgs.append("a prediction needs a model_version (in the line or --model-version)")
        msgs += check_result(pre.result, text, tax)
        if msgs:
            checked.problems.append(Problem(pre.where, pre.article_id, "; ".join(msgs), pre.kind))
        else:
            checked.by_article.setdefault(pre.article_id, []).append(pre)
    return checked
