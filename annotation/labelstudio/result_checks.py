"""The checks of a Label Studio annotation: regions, relations, ids, times.

The codes and their messages are the project's one set (:mod:`akhbar.schemas.checks`): a span,
a label or an argument role is judged by the same function here as in a document check
(:mod:`akhbar.schemas.document`) or a release. What only Label Studio has is checked here:
region ids, ``from_name``/``to_name`` against the labelling config, relation direction, one
label per region, the export schema's ``anyOf`` of results; spans' edges are trimmed here
(:mod:`akhbar.annotation.labelstudio.span_edges`).

The checks of one annotation run in one pass over its results and hand back what they parsed
(regions and arguments), so that conversion does not read the results a second time.

This is the one checker of Label Studio results: validation calls :func:`check_annotation` on
each annotation of a schema-valid task, and push calls :func:`check_results` on each
pre-annotation's result list before it is imported (the export schema's ``result``
definition first, then the same checks).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from functools import cache
from typing import Any

import jsonschema
import jsonschema_rs

from akhbar import schemas
from akhbar.annotation.labelstudio import span_edges
from akhbar.annotation.labelstudio.labelconfig import ENTITY_CONTROL, TEXT_OBJECT, TRIGGER_CONTROL
from akhbar.annotation.labelstudio.mismatch import diagnose_mismatch
from akhbar.schemas.checks import (
    CHECKS,
    ERROR,
    Issue,
    context,
    cut_message,
    label_problem,
    role_problem,
    same_span_message,
    schema_issue,
    short,
    span_problem,
    trimmed_message,
)
from akhbar.schemas.taxonomy import Taxonomy


class Rules:
    """The taxonomy as lookups for the hot path."""

    __slots__ = ("allowed", "event_roles", "roles", "tag", "taxonomy", "trim_punctuation")

    def __init__(self, taxonomy: Taxonomy, trim_punctuation: bool = False) -> None:
        self.taxonomy = taxonomy
        self.trim_punctuation = trim_punctuation
        self.tag = f"{taxonomy.name}@{taxonomy.version}"
        # a taxonomy without events has no trigger control in its labelling config
        self.allowed: dict[str, frozenset[str]] = {ENTITY_CONTROL: frozenset(taxonomy.entity_names)}
        if taxonomy.events:
            self.allowed[TRIGGER_CONTROL] = frozenset(taxonomy.event_names)
        self.event_roles: dict[str, dict[str, frozenset[str]]] = {
            ev.name: {role: frozenset(types) for role, types in ev.roles.items()}
            for ev in taxonomy.events
        }
        self.roles = frozenset(taxonomy.role_names)


# --- JSON Schema errors -> codes ---------------------------------------------------------------


def export_schema(definition: str = "task") -> dict[str, Any]:
    """``$defs/<definition>`` of the export schema as a schema of its own (same document, root
    ``$ref``): ``task`` by default, ``result`` for one result."""
    full = schemas.load("labelstudio_export")
    sub = {k: v for k, v in full.items() if k not in ("type", "items", "examples")}
    sub["$ref"] = f"#/$defs/{definition}"
    return sub


@cache
def result_validators() -> tuple[Any, jsonschema.Draft202012Validator]:
    """The compiled validator of one result (fast, yes or no) and jsonschema's (to explain)."""
    schema = export_schema("result")
    return jsonschema_rs.validator_for(schema), jsonschema.Draft202012Validator(schema)


_BRANCH = {"labels": 0, "relation": 1}  # position in the result schema's anyOf


def schema_issues(error: Any) -> list[Issue]:
    """Issues for one ``jsonschema`` error. A result that matches neither the region nor the
    relation schema is explained by the errors of the one its ``type`` names; when ``type``
    itself is wrong or missing, that is reported on its own and the anyOf adds nothing."""
    if error.validator == "anyOf":
        inst = error.instance
        kind = inst.get("type") if isinstance(inst, dict) else None
        branch = _BRANCH.get(kind) if isinstance(kind, str) else None
        if branch is None:
            return []
        subs = [e for e in error.context if e.relative_schema_path[0] == branch]
        return [i for e in subs for i in schema_issues(e)]
    return [schema_issue(error)]


# --- spans -------------------------------------------------------------------------------------


@dataclass(slots=True)
class Checked:
    """What checking one annotation found, and the document parts it built on the way.

    ``entities`` and ``events`` are already in the document's shape (built while checking, so
    the results are read once); they are only meaningful when the annotation has no errors.
    """

    issues: list[Issue] = field(default_factory=list)
    entities: list[dict[str, Any]] = field(default_factory=list)
    events: dict[str, dict[str, Any]] = field(default_factory=dict)  # trigger region id -> event
    span_edits: list[dict[str, Any]] = field(default_factory=list)  # spans trimmed at the edges

    @property
    def errors(self) -> int:
        return sum(1 for i in self.issues if CHECKS[i.code].severity == ERROR)


def parse_time(value: str) -> datetime | None:
    """ISO 8601 as Label Studio writes it (``...Z``); None when unreadable."""
    try:
        return datetime.fromisoformat(value[:-1] + "+00:00" if value.endswith("Z") else value)
    except ValueError:
        return None


def check_annotation(
    ann: dict[str, Any],
    k: int,
    text: str,
    rules: Rules,
    corpus_text: str | None = None,
) -> Checked:
    """Check one schema-valid annotation (the ``k``-th of its task) against its task's text.

    Offsets are code points. The issues' paths are relative to the task and carry no task
    context; the caller fills it in.
    """
    out = Checked()
    issues = out.issues
    base = f"/annotations/{k}"
    result = ann["result"]
    created = ann["created_at"]
    created_ok = parse_time(created) is not None
    for key in ("created_at", "updated_at"):
        # most often both times are one string, read once
        value = ann[key]
        if not (created_ok if value == created else parse_time(value) is not None):
            issues.append(
                Issue("AK131", f"{key} {short(ann[key])} is not an ISO 8601 time", f"{base}/{key}")
            )
    if not result:
        issues.append(
            Issue("AK140", "the annotation was submitted with no regions and no relations", base)
        )
        return out
    _check_results(out, result, base, text, rules, corpus_text)
    return out


def check_results(result: Any, text: str, rules: Rules) -> Checked:
    """Check a result list that no schema has looked at yet (a pre-annotation's) against the
    text: the export schema's ``result`` definition first (a list with schema errors is
    judged no further, as an annotation with schema errors is quarantined as it is), then
    the checks of :func:`check_annotation`. Paths start at ``/result``."""
    out = Checked()
    if not isinstance(result, list):
        out.issues.append(
            Issue("AK003", "result must be a list of Label Studio results", "/result")
        )
        return out
    fast, detail = result_validators()
    for j, r in enumerate(result):
        if fast.is_valid(r):
            continue
        for e in detail.iter_errors(r):
            e.path.extendleft(reversed(("result", j)))
            out.issues.extend(schema_issues(e))
    if not out.issues:
        _check_results(out, result, "", text, rules, None)
    return out


def _check_results(
    out: Checked,
    result: list[dict[str, Any]],
    base: str,
    text: str,
    rules: Rules,
    corpus_text: str | None,
) -> None:
    """The regions and relations of a schema-valid result list, into ``out``."""
    issues = out.issues
    n = len(text)
    allowed_get = rules.allowed.get
    edges_clean = span_edges.clean
    regions: dict[str, dict[str, Any]] = {}  # region id -> its result (the first, if reused)
    bad: set[str] = set()  # ids of regions with errors
    spans: dict[tuple[str, int, int], dict[str, Any]] = {}  # (control, s, e) -> first region
    first_span = spans.setdefault
    add_entity = out.entities.append
    events = out.events
    relations = []
    nothing: frozenset[str] = frozenset()
    for r in result:
        if r["type"] != "labels":
            relations.append(r)
            continue
        rid = r["id"]
        v = r["value"]
        s = v["start"]
        e = v["end"]
        span = v["text"]
        labels = v["labels"]
        ctl = r["from_name"]
        # the common case in as few steps as possible; anything odd is looked at in detail
        if (
            type(s) is int
            and type(e) is int
            and s < e <= n
            and rid not in regions
            and text[s:e] == span
            and len(labels) == 1
            and labels[0] in allowed_get(ctl, nothing)
            and r["to_name"] == TEXT_OBJECT
        ):
            regions[rid] = r
            # span == text[s:e] is not empty: strip() hands back the very same string unless
            # it starts or ends with whitespace (the same characters as str.isspace)
            other = first_span((ctl, s, e), r)
            if other is not r:
                _region_warnings(issues, other, ctl, r, f"{base}/result/{_at(result, r)}", text)
            if not edges_clean(text, s, e):
                s, e, span = _edges(out, r, f"{base}/result/{_at(result, r)}", text, rules)
            if ctl == ENTITY_CONTROL:
                add_entity({"id": rid, "start": s, "end": e, "text": span, "label": labels[0]})
            else:
                events[rid] = {
                    "id": rid,
                    "type": labels[0],
                    "trigger": {"start": s, "end": e, "text": span},
                    "arguments": [],
                }
        else:
            _region_errors(result, r, base, text, rules, corpus_text, regions, bad, issues)
    if relations:
        _check_relations(result, relations, base, regions, bad, rules, out, text)


def _at(result: list[Any], r: Any) -> int:
    """The position of a result in its list (looked up only to report an issue)."""
    return next(i for i, x in enumerate(result) if x is r)


def _region_warnings(
    issues: list[Issue],
    other: dict[str, Any],
    ctl: str,
    r: dict[str, Any],
    rpath: str,
    text: str,
) -> None:
    """A valid region's span was labelled before, by ``other``."""
    rid = r["id"]
    v = r["value"]
    s, e, span, label = v["start"], v["end"], v["text"], v["labels"][0]
    code, message = same_span_message(
        ctl, s, e, (other["value"]["labels"][0], other["id"]), (label, rid), "region"
    )
    issues.append(
        Issue(code, message, rpath, region_id=rid, span=span, context=context(text, s, e))
    )


_EDGE_CODES = {span_edges.WHITESPACE: "AK142", span_edges.PUNCTUATION: "AK145"}
_CUT_CODES = {span_edges.NUMBER: "AK146", span_edges.WORD: "AK147"}


def _edges(out: Checked, r: dict[str, Any], rpath: str, text: str, rules: Rules) -> tuple:
    """A valid region whose edges are not clean: trimmed (recorded in ``out.span_edits``,
    one warning per kind of character removed), then any cut number or word warned about.
    Returns the span's (start, end, text) for the document."""
    rid = r["id"]
    v = r["value"]
    s, e, span = v["start"], v["end"], v["text"]
    t = span_edges.trim(text, s, e, rules.trim_punctuation)
    if t is not None:
        new = text[t.start : t.end]
        out.span_edits.append(
            {
                "region_id": rid,
                "exported": {"start": s, "end": e, "text": span},
                "start": t.start,
                "end": t.end,
                "removed": list(t.removed),
            }
        )
        for what in t.removed:
            out.issues.append(
                Issue(
                    _EDGE_CODES[what],
                    trimmed_message(span, s, e, what, t.start, t.end, new),
                    f"{rpath}/value",
                    region_id=rid,
                    span=span,
                    context=context(text, s, e),
                )
            )
        s, e, span = t.start, t.end, new
    for what, at in span_edges.cuts(text, s, e):
        out.issues.append(
            Issue(
                _CUT_CODES[what],
                cut_message(text, span, s, e, what, at),
                f"{rpath}/value",
                region_id=rid,
                span=span,
                context=context(text, s, e),
            )
        )
    return s, e, span


def _region_errors(
    result: list[dict[str, Any]],
    r: dict[str, Any],
    base: str,
    text: str,
    rules: Rules,
    corpus_text: str | None,
    regions: dict[str, dict[str, Any]],
    bad: set[str],
    issues: list[Issue],
) -> None:
    """Every error of a region that failed the quick test (it is then left out of the document)."""
    rid = r["id"]
    ctl = r["from_name"]
    v = r["value"]
    s, e, labels, span = v["start"], v["end"], v["labels"], v["text"]
    rpath = f"{base}/result/{_at(result, r)}"
    if rid in regions:
        issues.append(
            Issue(
                "AK130",
                f"region id {rid!r} is used again (first by result {_at(result, regions[rid])}); "
                "relations to it are ambiguous",
                f"{rpath}/id",
                region_id=rid,
                span=span,
            )
        )
    else:
        regions[rid] = r
    bad.add(rid)
    ctl_labels = rules.allowed.get(ctl)
    if ctl_labels is None or r["to_name"] != TEXT_OBJECT:
        what = f"from_name {ctl!r}" if ctl_labels is None else f"to_name {r['to_name']!r}"
        issues.append(
            Issue(
                "AK111",
                f"{what}: regions come from {sorted(rules.allowed)} and target {TEXT_OBJECT!r}",
                rpath,
                region_id=rid,
                span=span,
            )
        )
    problem = span_problem(text, s, e, span, "value.text")
    if problem is not None:
        # (the schema lets 12.0 through as an integer; the release must not)
        code, message, member = problem
        diagnosis = None
        if code == "AK103":
            diagnosis, why = diagnose_mismatch(text, s, e, span, corpus_text)
            message = f"{message}: {why}"
        valid = type(s) is int and type(e) is int
        issues.append(
            Issue(
                code,
                message,
                f"{rpath}/value/{member}" if member else f"{rpath}/value",
                region_id=rid,
                span=span,
                context=context(text, s, s if code == "AK105" else e) if valid else None,
                diagnosis=diagnosis,
            )
        )
    ctx = context(text, s, e) if type(s) is int and type(e) is int else None
    if len(labels) != 1:
        issues.append(
            Issue(
                "AK112",
                f"the region carries {len(labels)} labels {short(labels)}; exactly one is expected",
                f"{rpath}/value/labels",
                region_id=rid,
                span=span,
                context=ctx,
            )
        )
    elif ctl_labels is not None and labels[0] not in ctl_labels:
        issues.append(
            Issue(
                "AK110",
                label_problem(labels[0], ctl_labels, f"control {ctl!r}", rules.tag) or "",
                f"{rpath}/value/labels/0",
                region_id=rid,
                span=span,
                context=ctx,
            )
        )


def _check_relations(
    result: list[dict[str, Any]],
    relations: list[dict[str, Any]],
    base: str,
    regions: dict[str, dict[str, Any]],
    bad: set[str],
    rules: Rules,
    out: Checked,
    text: str,
) -> None:
    issues = out.issues
    events = out.events
    allowed = rules.allowed
    event_roles = rules.event_roles
    drawn: set[tuple[str, str, str]] = set()
    for r in relations:
        a, b = r["from_id"], r["to_id"]
        ra, rb = regions.get(a), regions.get(b)
        if ra is None or rb is None:
            missing = ", ".join(repr(x) for x, y in ((a, ra), (b, rb)) if y is None)
            issues.append(
                Issue(
                    "AK120",
                    f"relation {a!r} -> {b!r} points at no region {missing} (deleted region?)",
                    f"{base}/result/{_at(result, r)}",
                )
            )
            continue
        direction = r["direction"]
        # (control, label) of both ends, the label None unless it is one of its control's
        ca, la = ra["from_name"], ra["value"]["labels"]
        la = la[0] if len(la) == 1 and la[0] in allowed.get(ca, ()) else None
        cb, lb = rb["from_name"], rb["value"]["labels"]
        lb = lb[0] if len(lb) == 1 and lb[0] in allowed.get(cb, ()) else None
        if direction == "left" or (direction == "bi" and ca != TRIGGER_CONTROL):
            a, b, ra, rb, ca, la, cb, lb = b, a, rb, ra, cb, lb, ca, la
        if ca != TRIGGER_CONTROL or cb != ENTITY_CONTROL:
            if ca not in allowed or cb not in allowed:
                continue  # a region of an unknown control: reported as AK111
            issues.append(
                Issue(
                    "AK121",
                    f"relation runs from {ca} {a!r} ({la}) to {cb} {b!r} ({lb}) with "
                    f"direction {direction!r}; an argument runs from a trigger to an entity",
                    f"{base}/result/{_at(result, r)}",
                )
            )
            continue
        roles = r.get("labels") or ()
        if len(roles) != 1:
            issues.append(
                Issue(
                    "AK124",
                    f"relation {a!r} -> {b!r} carries {len(roles)} roles {short(list(roles))}; "
                    "exactly one argument role is expected",
                    f"{base}/result/{_at(result, r)}",
                )
            )
            continue
        role = roles[0]
        if la not in event_roles or lb is None:
            continue  # the region itself is reported (unknown or missing label)
        problem = role_problem(la, role, lb, event_roles)
        if problem is not None:
            code, message = problem
            end, rid = (ra, a) if code == "AK122" else (rb, b)
            issues.append(
                Issue(
                    code,
                    message,
                    f"{base}/result/{_at(result, r)}/labels/0",
                    region_id=rid,
                    context=_region_context(end, text, rid in bad),
                )
            )
            continue
        if a in bad or b in bad:
            continue  # an endpoint has errors of its own
        key = (a, b, role)
        if key in drawn:
            issues.append(
                Issue(
                    "AK143",
                    f"argument {role} from {a!r} to {b!r} is drawn twice; it is kept once",
                    f"{base}/result/{_at(result, r)}",
                )
            )
            continue
        drawn.add(key)
        events[a]["arguments"].append({"role": role, "entity_id": b})


def _region_context(r: dict[str, Any], text: str, broken: bool) -> str | None:
    v = r["value"]
    return None if broken else context(text, v["start"], v["end"])
