"""Semantic checks of exported annotations, each with a stable code.

A check never raises on bad data: it returns :class:`Issue` records. Codes are stable (tests,
reports and quarantine files refer to them) and grouped by what they look at:

- ``AK00x`` the export does not match ``schemas/labelstudio_export.schema.json``;
- ``AK10x`` spans and offsets (code points into the task text);
- ``AK11x`` labels against the taxonomy and the labelling config;
- ``AK12x`` relations (event arguments);
- ``AK13x`` ids and timestamps;
- ``AK14x`` warnings: the annotation is kept, but someone should look;
- ``AK15x`` the task against the corpus and the rest of the export.

The checks of one annotation run in one pass over its results and hand back what they parsed
(regions and arguments), so that conversion does not read the results a second time.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from akhbar.annotation import span_edges
from akhbar.annotation.taxonomy import Taxonomy

TEXT_OBJECT = "text"
ENTITY_CONTROL = "entity"
TRIGGER_CONTROL = "trigger"

ERROR = "error"
WARNING = "warning"


@dataclass(frozen=True, slots=True)
class Check:
    code: str
    name: str
    severity: str
    explanation: str


CHECKS: dict[str, Check] = {
    c.code: c
    for c in (
        Check("AK001", "schema-violation", ERROR, "The task does not match the export schema."),
        Check("AK002", "missing-field", ERROR, "A field the pipeline needs is absent."),
        Check("AK003", "wrong-type", ERROR, "A field has the wrong JSON type."),
        Check("AK004", "unexpected-value", ERROR, "A field has a value outside the allowed set."),
        Check("AK101", "offset-not-integer", ERROR, "An offset is a float or a string."),
        Check("AK102", "offset-out-of-range", ERROR, "An offset lies outside the text."),
        Check("AK103", "span-text-mismatch", ERROR, "value.text differs from text[start:end]."),
        Check(
            "AK104",
            "task-text-drift",
            ERROR,
            "The task text differs from the corpus article with that id.",
        ),
        Check("AK105", "span-empty", ERROR, "A region has start >= end."),
        Check("AK110", "unknown-label", ERROR, "A label is not in that control of the taxonomy."),
        Check(
            "AK111",
            "unknown-control",
            ERROR,
            "A region comes from a control or targets an object the config does not have.",
        ),
        Check("AK112", "label-count", ERROR, "A region carries no label or several labels."),
        Check("AK120", "relation-endpoint-missing", ERROR, "A relation points at no region."),
        Check(
            "AK121",
            "relation-not-trigger-to-entity",
            ERROR,
            "A relation does not run from a trigger to an entity.",
        ),
        Check(
            "AK122",
            "role-not-allowed-for-event",
            ERROR,
            "The role is not an argument role of that event type.",
        ),
        Check(
            "AK123",
            "entity-type-not-allowed-for-role",
            ERROR,
            "The entity's type may not fill that role.",
        ),
        Check("AK124", "relation-role-count", ERROR, "A relation carries no role or several."),
        Check("AK130", "duplicate-region-id", ERROR, "Two regions share one id."),
        Check("AK131", "bad-timestamp", ERROR, "created_at/updated_at is not an ISO 8601 time."),
        Check("AK140", "empty-annotation", WARNING, "A submitted annotation has no results."),
        Check(
            "AK141",
            "conflicting-labels-same-span",
            WARNING,
            "One span carries different labels of the same control.",
        ),
        Check(
            "AK142",
            "span-edge-whitespace",
            WARNING,
            "A span started or ended with whitespace; the document has it trimmed.",
        ),
        Check("AK143", "duplicate-relation", WARNING, "The same argument is drawn twice."),
        Check(
            "AK144",
            "duplicate-span",
            WARNING,
            "The same span carries the same label twice.",
        ),
        Check(
            "AK145",
            "span-edge-punctuation",
            WARNING,
            "A span started or ended with punctuation; the document has it trimmed "
            "(only with punctuation trimming on).",
        ),
        Check(
            "AK146",
            "span-cuts-number",
            WARNING,
            "A span's edge falls inside a number (12 مارس 2 of 12 مارس 2024).",
        ),
        Check(
            "AK147",
            "span-cuts-word",
            WARNING,
            "A span's edge falls inside a word, not after a proclitic or before an enclitic.",
        ),
        Check("AK150", "unknown-article", ERROR, "The task's article_id is not in the corpus."),
        Check(
            "AK151",
            "duplicate-task-id",
            ERROR,
            "A task id occurs twice in the export; the first occurrence is kept.",
        ),
        Check(
            "AK152",
            "article-annotated-twice",
            ERROR,
            "Two tasks carry the same article; the first one's document is kept.",
        ),
    )
}

CONTEXT = 30  # characters of text shown on each side of a span
_SHORT = 60


def short(value: Any, limit: int = _SHORT) -> str:
    """A one-line, bounded repr for messages."""
    r = repr(value)
    r = r.replace("\n", "\\n").replace("\r", "\\r")
    return r if len(r) <= limit else r[: limit - 1] + "…"


def context(text: str, start: int, end: int, width: int = CONTEXT) -> str:
    """The text around ``[start, end)`` with the span in brackets (clamped to the text)."""
    n = len(text)
    s = min(max(start, 0), n)
    e = min(max(end, s), n)
    before = text[max(0, s - width) : s]
    after = text[e : e + width]
    return (
        ("…" if s > width else "")
        + before
        + "["
        + text[s:e]
        + "]"
        + after
        + ("…" if e + width < n else "")
    )


@dataclass(slots=True)
class Issue:
    """One finding. ``path`` is a JSON pointer relative to the task; :meth:`pointer` is absolute."""

    code: str
    message: str
    path: str
    task_index: int | None = None
    task_id: Any = None
    annotation_id: Any = None
    article_id: str | None = None
    region_id: str | None = None
    span: str | None = None
    context: str | None = None
    diagnosis: str | None = None

    @property
    def check(self) -> Check:
        return CHECKS[self.code]

    @property
    def severity(self) -> str:
        return CHECKS[self.code].severity

    @property
    def pointer(self) -> str:
        """JSON pointer into the export (the task's position in the top-level array first)."""
        return f"/{self.task_index}{self.path}" if self.task_index is not None else self.path

    def to_dict(self) -> dict[str, Any]:
        c = CHECKS[self.code]
        d: dict[str, Any] = {
            "code": c.code,
            "name": c.name,
            "severity": c.severity,
            "message": self.message,
            "pointer": self.pointer,
            "task_id": self.task_id,
            "annotation_id": self.annotation_id,
            "article_id": self.article_id,
        }
        for k in ("region_id", "span", "context", "diagnosis"):
            v = getattr(self, k)
            if v is not None:
                d[k] = v
        return d


class Rules:
    """The taxonomy as lookups for the hot path."""

    __slots__ = ("allowed", "event_roles", "roles", "tag", "taxonomy", "trim_punctuation")

    def __init__(self, taxonomy: Taxonomy, trim_punctuation: bool = False) -> None:
        self.taxonomy = taxonomy
        self.trim_punctuation = trim_punctuation
        self.tag = f"{taxonomy.name}@{taxonomy.version}"
        self.allowed: dict[str, frozenset[str]] = {
            ENTITY_CONTROL: frozenset(taxonomy.entity_names),
            TRIGGER_CONTROL: frozenset(taxonomy.event_names),
        }
        self.event_roles: dict[str, dict[str, frozenset[str]]] = {
            ev.name: {role: frozenset(types) for role, types in ev.roles.items()}
            for ev in taxonomy.events
        }
        self.roles = frozenset(taxonomy.role_names)


# --- JSON Schema errors -> codes ---------------------------------------------------------------

_PY_TO_JSON = {
    bool: "boolean",
    int: "integer",
    float: "number",
    str: "string",
    list: "array",
    dict: "object",
    type(None): "null",
}


def json_type(value: Any) -> str:
    return _PY_TO_JSON.get(type(value), type(value).__name__)


def pointer_of(parts: Iterable[Any]) -> str:
    """A JSON pointer (RFC 6901) from path parts."""
    out = []
    for p in parts:
        out.append("/" + str(p).replace("~", "~0").replace("/", "~1"))
    return "".join(out)


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


def schema_issue(error: Any) -> Issue:
    """One ``jsonschema`` error as an Issue with a code; the path is relative to the task."""
    parts = list(error.absolute_path)
    path = pointer_of(parts)
    kw = error.validator
    inst = error.instance
    where = path or "the task"
    is_offset = len(parts) >= 2 and parts[-2] == "value" and parts[-1] in ("start", "end")
    if is_offset and kw == "type":
        return Issue(
            "AK101",
            f"{parts[-1]} offset {short(inst)} is a {json_type(inst)}, not an integer "
            "(offsets are integer code point indices)",
            path,
        )
    if is_offset and kw == "minimum":
        return Issue("AK102", f"{parts[-1]} offset {inst} is negative", path)
    if kw == "required":
        missing = [k for k in error.validator_value if isinstance(inst, dict) and k not in inst]
        name = missing[0] if missing else error.validator_value
        return Issue("AK002", f"{where} lacks the required field {name!r}", pointer_of([*parts]))
    if kw == "type":
        want = error.validator_value
        want = " or ".join(want) if isinstance(want, list) else want
        return Issue(
            "AK003", f"{where} is a {json_type(inst)} ({short(inst, 40)}), expected {want}", path
        )
    if kw in ("enum", "const"):
        allowed = error.validator_value if kw == "enum" else [error.validator_value]
        return Issue(
            "AK004",
            f"{where} is {short(inst, 40)}; expected one of {', '.join(map(str, allowed))}",
            path,
        )
    if kw == "oneOf" and parts and parts[-1] == "completed_by":
        return Issue(
            "AK003",
            f"{where} is a {json_type(inst)} ({short(inst, 40)}), expected a user id, a user "
            "object with an integer id, or null",
            path,
        )
    detail = error.message if len(error.message) <= 120 else error.message[:119] + "…"
    return Issue("AK001", f"{where}: {kw}: {detail}".replace("\n", " "), path)


# --- spans -------------------------------------------------------------------------------------

_WS_RUN = re.compile(r"\s+")


def _utf16_to_cp(text: str, units: int) -> int | None:
    """The code point index at a UTF-16 code unit offset (None inside a surrogate pair)."""
    u = 0
    for i, ch in enumerate(text):
        if u == units:
            return i
        if u > units:
            return None
        u += 2 if ord(ch) > 0xFFFF else 1
    return len(text) if u == units else None


def diagnose_mismatch(
    text: str, start: int, end: int, span: str, corpus_text: str | None
) -> tuple[str, str]:
    """Why ``text[start:end] != span``: (diagnosis, explanation for the message)."""
    if any(ord(ch) > 0xFFFF for ch in text):
        a, b = _utf16_to_cp(text, start), _utf16_to_cp(text, end)
        if a is not None and b is not None and text[a:b] == span:
            astral = sum(1 for ch in text[:a] if ord(ch) > 0xFFFF)
            return (
                "utf16",
                f"the offsets count UTF-16 code units ({astral} character(s) outside the BMP, "
                f"e.g. emoji, come before the span); in code points it is [{a}, {b})",
            )
    for name, norm in (
        ("crlf", text.replace("\r\n", "\n")),
        ("whitespace", _WS_RUN.sub(" ", text)),
    ):
        if norm != text and norm[start:end] == span:
            how = "\\r\\n counted as one character" if name == "crlf" else "whitespace collapsed"
            return (
                "whitespace",
                f"the offsets were counted on the text with {how}; value.text matches there",
            )
    if _WS_RUN.sub(" ", text[start:end]).strip() == _WS_RUN.sub(" ", span).strip():
        return ("whitespace", "they differ only in whitespace (collapsed whitespace or CRLF)")
    if corpus_text is not None and corpus_text != text and corpus_text[start:end] == span:
        return (
            "text_drift",
            "the task text differs from the corpus article, and value.text matches the corpus "
            "text at these offsets: the task text was changed after annotation",
        )
    found = text.find(span) if span else -1
    if found >= 0:
        return (
            "shifted",
            f"value.text occurs at [{found}, {found + len(span)}) instead "
            f"(shift {found - start:+d})",
        )
    return ("unknown", "value.text does not occur in the task text")


# --- one annotation ----------------------------------------------------------------------------


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
    return out


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
    other_label, other_id = other["value"]["labels"][0], other["id"]
    same = other_label == label
    issues.append(
        Issue(
            "AK144" if same else "AK141",
            (
                f"{ctl} span [{s}, {e}) is labelled {label!r} twice (regions "
                f"{other_id!r} and {rid!r})"
                if same
                else f"{ctl} span [{s}, {e}) is labelled both {other_label!r} (region "
                f"{other_id!r}) and {label!r}"
            ),
            rpath,
            region_id=rid,
            span=span,
            context=context(text, s, e),
        )
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
                    f"span {short(span, 40)} [{s}, {e}) had {what} at its edges: trimmed to "
                    f"{short(new, 40)} [{t.start}, {t.end})",
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
                f"span {short(span, 40)} [{s}, {e}) ends inside a {what} at {at}: "
                f"{short(text[max(0, at - 6) : at + 6], 20)}; check where it should end",
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
    n = len(text)
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
                f"{what}: regions must come from 'entity' or 'trigger' and target 'text'",
                rpath,
                region_id=rid,
                span=span,
            )
        )
    if type(s) is not int or type(e) is not int:
        # the schema lets 12.0 through as an integer; the release must not
        which = "start" if type(s) is not int else "end"
        issues.append(
            Issue(
                "AK101",
                f"{which} offset {short(v[which])} is a float, not an integer",
                f"{rpath}/value/{which}",
                region_id=rid,
                span=span,
            )
        )
    elif s >= e:
        issues.append(
            Issue(
                "AK105",
                f"start {s} >= end {e}: a region must cover at least one character",
                f"{rpath}/value",
                region_id=rid,
                span=span,
                context=context(text, s, s),
            )
        )
    elif e > n:
        issues.append(
            Issue(
                "AK102",
                f"end {e} is past the end of the text ({n} code points)",
                f"{rpath}/value/end",
                region_id=rid,
                span=span,
                context=context(text, s, e),
            )
        )
    elif text[s:e] != span:
        diagnosis, why = diagnose_mismatch(text, s, e, span, corpus_text)
        issues.append(
            Issue(
                "AK103",
                f"value.text {short(span, 40)} != text[{s}:{e}] {short(text[s:e], 40)}: {why}",
                f"{rpath}/value/text",
                region_id=rid,
                span=span,
                context=context(text, s, e),
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
                f"label {labels[0]!r} is not a label of control {ctl!r} in {rules.tag} "
                f"(known: {', '.join(sorted(ctl_labels))})",
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
        roles_of_event = event_roles.get(la)
        if roles_of_event is None or lb is None:
            continue  # the region itself is reported (unknown or missing label)
        types = roles_of_event.get(role)
        if types is None:
            issues.append(
                Issue(
                    "AK122",
                    f"role {role!r} is not a role of event {la} (allowed: "
                    f"{', '.join(roles_of_event) or 'none'})",
                    f"{base}/result/{_at(result, r)}/labels/0",
                    region_id=a,
                    context=_region_context(ra, text, a in bad),
                )
            )
            continue
        if lb not in types:
            issues.append(
                Issue(
                    "AK123",
                    f"a {lb} cannot be the {role} of {la} (allowed: {', '.join(sorted(types))})",
                    f"{base}/result/{_at(result, r)}/labels/0",
                    region_id=b,
                    context=_region_context(rb, text, b in bad),
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
