"""The checks' codes, their one message each, and the checks of an annotated document.

Every stage reports a problem of an annotation with one of these codes (tests, reports and
quarantine files refer to them), grouped by what they look at:

- ``AK00x`` the object does not match its JSON Schema;
- ``AK10x`` spans and offsets (code points into the text);
- ``AK11x`` labels against the taxonomy (and Label Studio's labelling config);
- ``AK12x`` relations (event arguments);
- ``AK13x`` ids and timestamps;
- ``AK14x`` warnings: the annotation is kept, but someone should look;
- ``AK15x`` the task or document against the corpus and the rest of the input.

The message of each code is built here, by one function per kind of finding, and used by every
stage: :mod:`akhbar.schemas.document` checks a document with them, the Label Studio checks
(``akhbar.annotation.labelstudio.result_checks``) check regions and relations with them. A check never raises on
bad data: it returns :class:`Issue` records.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable, Mapping
from dataclasses import dataclass
from typing import Any

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
        Check(
            "AK001",
            "schema-violation",
            ERROR,
            "A task or document does not match its JSON Schema.",
        ),
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
            "The text of a task or document differs from the corpus article with that id.",
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
            "A span starts or ends with whitespace; validation writes it trimmed.",
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
            "A span started or ended with punctuation; validation wrote it trimmed "
            "(with --trim-punctuation only).",
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
        Check(
            "AK150",
            "unknown-article",
            ERROR,
            "The article_id of a task or document is not in the corpus.",
        ),
        Check(
            "AK151",
            "duplicate-task-id",
            ERROR,
            "A task id occurs twice in the input; the first occurrence is kept.",
        ),
        Check(
            "AK152",
            "article-annotated-twice",
            ERROR,
            "Two tasks or documents carry the same article; the first one's document is kept.",
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


def schema_issue(error: Any, what: str = "the task") -> Issue:
    """One ``jsonschema`` error as an Issue with a code; the path is relative to the checked
    object, which messages call ``what`` (the task, the document) when the error is at its
    top."""
    parts = list(error.absolute_path)
    path = pointer_of(parts)
    kw = error.validator
    inst = error.instance
    where = path or what
    is_offset = bool(parts) and parts[-1] in ("start", "end")
    if is_offset and kw == "type":
        return Issue("AK101", offset_type_message(parts[-1], inst), path)
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


# --- one message per finding -------------------------------------------------------------------


def offset_type_message(which: str, value: Any) -> str:
    """AK101: the ``start``/``end`` offset ``value`` is not an integer."""
    kind = "float" if isinstance(value, float) else json_type(value)
    return f"{which} offset {short(value)} is a {kind}, not an integer (offsets count code points)"


def span_problem(
    text: str, s: Any, e: Any, value: Any, name: str = "text"
) -> tuple[str, str, str] | None:
    """(code, message, field) of what is wrong with a span ``[s, e)`` whose member ``name``
    says it reads ``value`` in ``text``, or None; ``field`` names the offending member (start,
    end, text or none)."""
    if type(s) is not int or type(e) is not int:  # a bool is not an offset either
        which, v = ("start", s) if type(s) is not int else ("end", e)
        return "AK101", offset_type_message(which, v), which
    if s >= e:
        return "AK105", f"start {s} >= end {e}: a span must cover at least one character", ""
    if s < 0:
        return "AK102", f"start offset {s} is negative", "start"
    if e > len(text):
        return "AK102", f"end {e} is past the end of the text ({len(text)} code points)", "end"
    if text[s:e] != value:
        got = short(text[s:e], 40)
        return "AK103", f"{name} {short(value, 40)} != text[{s}:{e}] {got}", "text"
    return None


def label_problem(label: Any, known: Collection[str], what: str, tag: str) -> str | None:
    """AK110: ``label`` is not among the ``known`` labels of ``what`` (``entity``, ``event``,
    ``control 'entity'``) in taxonomy ``tag``."""
    if isinstance(label, str) and label in known:
        return None
    known_list = ", ".join(sorted(known))
    return f"label {short(label)} is not a label of {what} in {tag} (known: {known_list})"


def role_problem(
    event: str, role: Any, entity: str, event_roles: Mapping[str, Mapping[str, Collection[str]]]
) -> tuple[str, str] | None:
    """AK122/AK123: ``role`` is not a role of ``event``, or an ``entity`` may not fill it."""
    roles = event_roles.get(event)
    if roles is None:
        return None  # the event type itself is reported (AK110)
    types = roles.get(role) if isinstance(role, str) else None
    if types is None:
        allowed = ", ".join(roles) or "none"
        return "AK122", f"role {short(role)} is not a role of event {event} (allowed: {allowed})"
    if entity not in types:
        allowed = ", ".join(sorted(types))
        return "AK123", f"a {entity} cannot be the {role} of {event} (allowed: {allowed})"
    return None


def trimmed_message(span: str, s: int, e: int, what: str, ns: int, ne: int, new: str) -> str:
    """AK142/AK145: ``what`` (whitespace, punctuation) was trimmed from the edges of the span
    ``[s, e)``, which is now ``[ns, ne)``."""
    return (
        f"span {short(span, 40)} [{s}, {e}) had {what} at its edges: trimmed to "
        f"{short(new, 40)} [{ns}, {ne})"
    )


def cut_message(text: str, span: str, s: int, e: int, what: str, at: int) -> str:
    """AK146/AK147: an edge of the span ``[s, e)``, at ``at``, falls inside a number or word."""
    around = short(text[max(0, at - 6) : at + 6], 20)
    return f"span {short(span, 40)} [{s}, {e}) ends inside a {what} at {at}: {around}; check where it should end"


def whitespace_problem(text: str, s: int, e: int, span: str) -> str | None:
    """AK142: a (valid) span starts or ends with whitespace."""
    if text[s].isspace() or text[e - 1].isspace():
        return f"span {short(span, 40)} starts or ends with whitespace"
    return None


def same_span_message(
    what: str, s: int, e: int, first: tuple[str, Any], second: tuple[str, Any], kind: str
) -> tuple[str, str]:
    """AK144 (the same label twice) or AK141 (two labels) on one ``what`` span; ``first`` and
    ``second`` are (label, id) of its two annotations, each a ``kind`` (region, entity)."""
    (l1, id1), (l2, id2) = first, second
    if l1 == l2:
        msg = f"{what} span [{s}, {e}) is labelled {l2!r} twice ({kind}s {id1!r} and {id2!r})"
        return "AK144", msg
    return "AK141", f"{what} span [{s}, {e}) is labelled both {l1!r} ({kind} {id1!r}) and {l2!r}"
