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
  turned into results with ``annotation.ls_results``; if it has a ``text``, that text must be
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

from akhbar.annotation.labelconfig import ENTITY_CONTROL, TEXT_OBJECT, TRIGGER_CONTROL
from akhbar.annotation.ls_results import document_to_results
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


def _is_int(v: Any) -> bool:
    return isinstance(v, int) and not isinstance(v, bool)


def check_result(result: Any, text: str, tax: Taxonomy) -> list[str]:
    """Problems of one Label Studio ``result`` list against the taxonomy and the text."""
    if not isinstance(result, list):
        return ["result must be a list of Label Studio results"]
    problems: list[str] = []
    regions: dict[str, tuple[str, str]] = {}  # region id -> (control, label)
    allowed = {ENTITY_CONTROL: set(tax.entity_names)}
    if tax.events:
        allowed[TRIGGER_CONTROL] = set(tax.event_names)
    relations = []
    for i, r in enumerate(result):
        at = f"result[{i}]"
        if not isinstance(r, dict):
            problems.append(f"{at} is not an object")
            continue
        kind = r.get("type")
        if kind == "relation":
            relations.append((at, r))
            continue
        if kind != "labels":
            problems.append(f"{at} has type {kind!r}; the config has only labels and relations")
            continue
        control = r.get("from_name")
        if control not in allowed:
            problems.append(f"{at} comes from {control!r}; labels come from {sorted(allowed)} only")
            continue
        if r.get("to_name") != TEXT_OBJECT:
            problems.append(f"{at} points to {r.get('to_name')!r}, expected {TEXT_OBJECT!r}")
        rid = r.get("id")
        if not isinstance(rid, str) or not rid:
            problems.append(f"{at} has no region id (relations need one)")
        elif rid in regions:
            problems.append(f"{at} repeats region id {rid!r}")
        value = r.get("value")
        if not isinstance(value, dict):
            problems.append(f"{at} has no value object")
            continue
        labels = value.get("labels")
        if not isinstance(labels, list) or len(labels) != 1:
            problems.append(f"{at} must carry exactly one label, has {labels!r}")
            continue
        label = labels[0]
        if label not in allowed[control]:
            problems.append(
                f"{at}: label {label!r} is not a {control} label of {tax.name}@{tax.version} "
                f"(known: {', '.join(sorted(allowed[control]))})"
            )
        start, end = value.get("start"), value.get("end")
        if not (_is_int(start) and _is_int(end)):
            problems.append(f"{at}: start/end must be integers, got {start!r}/{end!r}")
        elif not 0 <= start < end <= len(text):
            problems.append(
                f"{at}: span [{start}, {end}) is outside the text (0..{len(text)}) or empty"
            )
        elif value.get("text") != text[start:end]:
            problems.append(
                f"{at}: value.text {value.get('text')!r} is not the text at [{start}, {end}), "
                f"which is {text[start:end]!r}"
            )
        if isinstance(rid, str) and rid:
            regions.setdefault(rid, (control, label))
    seen = set()
    for at, r in relations:
        src, dst, direction = r.get("from_id"), r.get("to_id"), r.get("direction", "right")
        if direction not in DIRECTIONS:
            problems.append(f"{at}: direction {direction!r} is not one of {DIRECTIONS}")
            continue
        if direction == "left":
            src, dst = dst, src
        missing = [x for x in (src, dst) if x not in regions]
        if missing:
            problems.append(f"{at}: relation points at unknown region ids {missing}")
            continue
        (c1, trig), (c2, ent) = regions[src], regions[dst]
        if c1 != TRIGGER_CONTROL or c2 != ENTITY_CONTROL:
            problems.append(
                f"{at}: a relation goes from a trigger to an entity, this one from {c1} "
                f"{src!r} to {c2} {dst!r}"
            )
            continue
        labels = r.get("labels")
        if not isinstance(labels, list) or len(labels) != 1:
            problems.append(f"{at}: a relation carries exactly one role, has {labels!r}")
            continue
        role = labels[0]
        event = tax.event(trig)
        if event is None:
            continue  # the trigger's own label problem is reported above
        if role not in event.roles:
            problems.append(f"{at}: {trig} has no role {role!r} (roles: {', '.join(event.roles)})")
        elif ent in allowed[ENTITY_CONTROL] and ent not in event.roles[role]:
            problems.append(f"{at}: {trig}.{role} takes {', '.join(event.roles[role])}, not {ent}")
        if (src, dst, role) in seen:
            problems.append(f"{at}: repeats the relation {src!r} -> {dst!r} ({role})")
        seen.add((src, dst, role))
    return problems


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
            msgs.append("the document's text differs from the article's text")
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
