"""The annotated document, and the one check of a document against its text and taxonomy.

A document (``document.schema.json``) is one validated annotation of one article: entity
mentions and events as code-point spans into the article's text. Every stage that holds
documents judges them here, with the codes and messages of :mod:`akhbar.schemas.checks`:
pre-annotations before they are pushed, documents given to ``annotate validate``, the documents
a release is built from. Label Studio results are turned into documents (or checked region by
region with the same functions) in ``akhbar.annotation``, never here.

:func:`check_document` says every problem of a document. :class:`DocumentCheck` is the same
check for a stage that holds many documents (a release): its quick path answers "no error"
in a few C-level passes and hands back the document as columns; a document it does not pass
is judged by :func:`check_document`, which names the first error. A differential test
(``tests/release/test_rows.py``) keeps the two in step.
"""

from __future__ import annotations

import operator
from dataclasses import dataclass, field
from functools import cache
from typing import Any, TypedDict

import jsonschema
import jsonschema_rs

from akhbar import schemas
from akhbar.schemas.checks import (
    CHECKS,
    ERROR,
    Issue,
    context,
    label_problem,
    role_problem,
    same_span_message,
    schema_issue,
    span_problem,
    whitespace_problem,
)
from akhbar.schemas.taxonomy import Taxonomy


class Entity(TypedDict):
    id: str
    start: int
    end: int
    text: str
    label: str


class Trigger(TypedDict):
    start: int
    end: int
    text: str


class Argument(TypedDict):
    role: str
    entity_id: str


class Event(TypedDict):
    id: str
    type: str
    trigger: Trigger
    arguments: list[Argument]


class Document(TypedDict, total=False):
    """One line of ``documents.jsonl`` (the required keys are marked in the schema)."""

    article_id: str
    text: str
    task_id: int | None
    annotation_id: int | str | None
    annotator: str | None
    annotator_id: int | None
    annotator_email: str | None
    created_at: str | None
    updated_at: str | None
    selection: str
    taxonomy: str
    model_version: str  # a prediction's model
    score: float  # a prediction's confidence
    suggested_by: str  # an annotation's: the model version of the prediction it started from
    entities: list[Entity]
    events: list[Event]


@cache
def _validator() -> jsonschema.Draft202012Validator:
    return jsonschema.Draft202012Validator(schemas.load("document"))


@cache
def _fast_validator() -> Any:
    return jsonschema_rs.validator_for(schemas.load("document"))


def matches_schema(doc: Any) -> bool:
    """Whether ``doc`` matches ``document.schema.json`` (compiled: cheap enough per document of
    a release; :func:`check_document` says what is wrong)."""
    return _fast_validator().is_valid(doc)


def schema_problems(doc: Any) -> list[Issue]:
    """The document against ``document.schema.json`` (AK00x, AK101/AK102 for offsets)."""
    if _fast_validator().is_valid(doc):  # the compiled validator: most documents are fine
        return []
    errors = sorted(_validator().iter_errors(doc), key=lambda e: list(e.absolute_path))
    return [schema_issue(e, "the document") for e in errors]


def check_document(doc: Any, text: str, tax: Taxonomy) -> list[Issue]:
    """Every problem of ``doc`` against the article's ``text`` and the taxonomy ``tax``.

    The schema first (a document that does not match it is not looked at further), then: the
    document's text is the article's (AK104), each span reads what it says (AK10x), labels,
    event types and roles are the taxonomy's (AK110, AK122, AK123), arguments point at an
    entity of the document (AK120), ids are unique (AK130); warnings for a span labelled twice
    (AK141/AK144), whitespace at a span's edge (AK142) and an argument drawn twice (AK143).
    """
    issues = schema_problems(doc)
    if issues:
        return issues
    tag = f"{tax.name}@{tax.version}"
    if doc["text"] != text:
        first = next(
            (i for i, (a, b) in enumerate(zip(doc["text"], text, strict=False)) if a != b), None
        )
        at = first if first is not None else min(len(text), len(doc["text"]))
        issues.append(
            Issue(
                "AK104",
                f"the document's text differs from the corpus article from code point {at}",
                "/text",
                context=context(text, at, at),
            )
        )
        return issues  # offsets into another text say nothing
    entity_types = set(tax.entity_names)
    by_id: dict[str, str | None] = {}  # entity id -> label if the entity is valid
    spans: dict[tuple[int, int], tuple[str, str]] = {}
    for k, ent in enumerate(doc["entities"]):
        path = f"/entities/{k}"
        label, eid = ent["label"], ent["id"]
        ok = _span(issues, text, ent, path, eid)
        if eid in by_id:
            issues.append(Issue("AK130", f"entity id {eid!r} is used again", f"{path}/id"))
        message = label_problem(label, entity_types, "entity", tag)
        if message:
            issues.append(Issue("AK110", message, f"{path}/label", region_id=eid))
            ok = False
        by_id.setdefault(eid, label if ok else None)
        if ok:
            s, e = ent["start"], ent["end"]
            if (s, e) in spans:
                code, msg = same_span_message("entity", s, e, spans[(s, e)], (label, eid), "entity")
                issues.append(Issue(code, msg, path, region_id=eid, context=context(text, s, e)))
            spans.setdefault((s, e), (label, eid))
    event_roles = tax.event_roles
    event_ids: set[str] = set()
    for k, ev in enumerate(doc["events"]):
        path = f"/events/{k}"
        if ev["id"] in event_ids or ev["id"] in by_id:
            issues.append(Issue("AK130", f"event id {ev['id']!r} is used again", f"{path}/id"))
        event_ids.add(ev["id"])
        _span(issues, text, ev["trigger"], f"{path}/trigger", ev["id"])
        message = label_problem(ev["type"], event_roles, "event", tag)
        if message:
            issues.append(Issue("AK110", message, f"{path}/type", region_id=ev["id"]))
        drawn: set[tuple[str, str]] = set()
        for j, arg in enumerate(ev["arguments"]):
            apath = f"{path}/arguments/{j}"
            role, eid = arg["role"], arg["entity_id"]
            if eid not in by_id:
                issues.append(Issue("AK120", f"argument {role} points at no entity {eid!r}", apath))
                continue
            entity = by_id[eid]
            if entity is None or message:
                continue  # the entity or the event type is reported already
            problem = role_problem(ev["type"], role, entity, event_roles)
            if problem:
                issues.append(Issue(problem[0], problem[1], f"{apath}/role", region_id=eid))
            elif (role, eid) in drawn:
                issues.append(
                    Issue(
                        "AK143", f"argument {role} of {ev['id']!r} to {eid!r} is drawn twice", apath
                    )
                )
            drawn.add((role, eid))
    return issues


def _span(issues: list[Issue], text: str, span: dict[str, Any], path: str, rid: str) -> bool:
    s, e, value = span["start"], span["end"], span["text"]
    problem = span_problem(text, s, e, value)
    if problem is not None:
        code, message, member = problem
        issues.append(
            Issue(code, message, f"{path}/{member}" if member else path, region_id=rid, span=value)
        )
        return False
    message = whitespace_problem(text, s, e, value)
    if message:
        issues.append(Issue("AK142", message, path, region_id=rid, span=value))
    return True


def errors(issues: list[Issue]) -> list[Issue]:
    """The issues that make a document invalid (not the warnings)."""
    return [i for i in issues if CHECKS[i.code].severity == ERROR]


@dataclass(slots=True)
class Columns:
    """A document that passed :meth:`DocumentCheck.columns`: its entities as columns (labels
    as indices into the taxonomy's entity names) and its events, each as (type index, the
    event, [(role index, position of the argument's entity)])."""

    ids: list[str]
    starts: list[int]
    ends: list[int]
    texts: list[str]
    labels: list[int]
    events: list[tuple[int, dict[str, Any], list[tuple[int, int]]]] = field(default_factory=list)


class DocumentCheck:
    """The one document check against one taxonomy, with a quick path for valid documents."""

    def __init__(self, tax: Taxonomy) -> None:
        self.tax = tax
        self.entity_index = {n: i for i, n in enumerate(tax.entity_names)}
        self.event_index = {n: i for i, n in enumerate(tax.event_names)}
        self.role_index = {n: i for i, n in enumerate(tax.role_names)}
        # (event type, role, entity label index) of every argument the taxonomy allows
        self.allowed_fillers = {
            (event, role, self.entity_index[t])
            for event, roles in tax.event_roles.items()
            for role, types in roles.items()
            for t in types
        }

    def issues(self, doc: Any, text: str) -> list[Issue]:
        """Every problem (:func:`check_document`)."""
        return check_document(doc, text, self.tax)

    def first_error(self, doc: Any, text: str) -> Issue | None:
        found = errors(check_document(doc, text, self.tax))
        return found[0] if found else None

    def columns(self, doc: Any, text: str) -> Columns | None:
        """The document as columns when it has no error; None when the quick checks fail
        (then :meth:`first_error` says which; a None with no error found there is a gap
        between the two paths, which the differential test is there to catch).

        The quick checks are the errors of :func:`check_document` for a document that
        matches the schema and carries the article's text: spans read what they say (AK10x),
        labels, event types and arguments are the taxonomy's (AK110, AK122, AK123), arguments
        point at an entity (AK120), ids are unique (AK130). Warnings are not looked at.
        """
        if not matches_schema(doc) or doc["text"] != text:
            return None
        ents = doc["entities"]
        try:
            ids = [e["id"] for e in ents]
            starts = [e["start"] for e in ents]
            ends = [e["end"] for e in ents]
            values = [e["text"] for e in ents]
            labels = [self.entity_index[e["label"]] for e in ents]
        except KeyError:
            return None
        # map() keeps these checks in C: they run for every entity of every article.
        if ents and not (
            set(map(type, starts)) == {int}
            and set(map(type, ends)) == {int}
            and min(starts) >= 0
            and max(ends) <= len(text)
            and all(map(operator.lt, starts, ends))
            and list(map(text.__getitem__, map(slice, starts, ends))) == values
            and len(set(ids)) == len(ids)
        ):
            return None
        out = Columns(ids, starts, ends, values, labels)
        by_id = dict(zip(ids, range(len(ids)), strict=True))
        seen: set[str] = set(by_id)
        allowed = self.allowed_fillers
        for ev in doc["events"]:
            etype = self.event_index.get(ev["type"])
            trig = ev["trigger"]
            s, e = trig["start"], trig["end"]
            if (
                etype is None
                or ev["id"] in seen
                or not (type(s) is int and type(e) is int and 0 <= s < e <= len(text))
                or text[s:e] != trig["text"]
            ):
                return None
            seen.add(ev["id"])
            args = []
            for a in ev["arguments"]:
                j = by_id.get(a["entity_id"])
                if j is None or (ev["type"], a["role"], labels[j]) not in allowed:
                    return None
                args.append((self.role_index[a["role"]], j))
            out.events.append((etype, ev, args))
        return out
