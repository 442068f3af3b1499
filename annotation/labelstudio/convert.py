"""Label Studio export task -> annotated document (``schemas/document.schema.json``).

One document per task. Entity mentions come from the ``entity`` regions; an event is a
``trigger`` region plus the relations leaving it, each relation's label being the argument's
role. Relation directions are normalised by :mod:`annotation.labelstudio.result_checks` (``right``: from -> to,
``left``: to -> from, ``bi``: from the trigger end).

Selection policy, when a task has several annotations: cancelled (skipped) annotations are
never chosen; among the others a ground-truth annotation comes first, then an adjudicator's
resolution (started from an akhbar adjudication proposal:
:mod:`annotation.labelstudio.resolution`), then the most recently updated one (ties: the
higher annotation id). Errors play no part in the choice: when the
chosen annotation has errors, the task is quarantined rather than an older or unreviewed
annotation released in its place. The document records the reason in ``selection``:
``only`` (one candidate), ``ground_truth``, ``adjudication`` (a resolution not yet marked
ground truth) or ``latest``.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import UTC, datetime
from types import MappingProxyType
from typing import Any

from akhbar.annotation.labelstudio.resolution import from_proposal
from akhbar.annotation.labelstudio.result_checks import Checked, parse_time

POLICY = (
    "one document per task from its non-cancelled annotations: ground truth first, then an "
    "adjudicator's resolution (started from an akhbar adjudication proposal), then the "
    "most recently updated (ties: higher annotation id); when the chosen one has errors the "
    "task is quarantined; cancelled (skipped) annotations are counted, never converted"
)

_EPOCH = datetime(1, 1, 1, tzinfo=UTC)


def _when(ann: Any) -> datetime:
    """When an annotation was last updated; unreadable times sort first (oldest)."""
    value = ann.get("updated_at") if isinstance(ann, dict) else None
    t = parse_time(value) if isinstance(value, str) else None
    if t is None:
        return _EPOCH
    return t if t.tzinfo else t.replace(tzinfo=UTC)


def _ground_truth(ann: Any) -> bool:
    return isinstance(ann, dict) and ann.get("ground_truth") is True


def select(
    candidates: list[tuple[int, Any]], proposals: frozenset[int] = frozenset()
) -> tuple[int, str]:
    """Pick one of ``(position, annotation)`` (all non-cancelled, at least one): (position,
    selection). ``proposals``: the ids of the task's akhbar adjudication predictions (an
    annotation started from one is a resolution). Validity plays no part: when the pick has
    errors the task is quarantined rather than an older or unreviewed annotation released in
    its place."""
    if len(candidates) == 1:
        return candidates[0][0], "only"
    gt = [c for c in candidates if _ground_truth(c[1])]
    adjudicated = [c for c in candidates if from_proposal(c[1], proposals)]
    pool = gt or adjudicated or candidates

    def key(c: tuple[int, Any]) -> tuple[datetime, int]:
        aid = c[1].get("id") if isinstance(c[1], dict) else None
        return _when(c[1]), aid if type(aid) is int else -1

    best = max(pool, key=key)
    return best[0], "ground_truth" if gt else "adjudication" if adjudicated else "latest"


def annotator(completed_by: Any) -> tuple[str | None, int | None]:
    """(annotator, annotator_id) from ``completed_by``: an id, or a user when expanded."""
    if isinstance(completed_by, dict):
        uid = completed_by.get("id")
        email = completed_by.get("email")
        uid = uid if type(uid) is int else None
        return (email or (str(uid) if uid is not None else None)), uid
    if type(completed_by) is int:
        return str(completed_by), completed_by
    return None, None


def annotator_email(completed_by: Any, emails: Mapping[str, str]) -> str | None:
    """The e-mail of ``completed_by``: the expanded user's, else the one ``emails`` (user id
    -> e-mail, from the snapshot's manifest) gives its id; None when neither knows it."""
    if isinstance(completed_by, dict):
        if isinstance(completed_by.get("email"), str) and completed_by["email"]:
            return completed_by["email"]
        completed_by = completed_by.get("id")
    return emails.get(str(completed_by)) if type(completed_by) is int else None


def _int(x: Any) -> Any:
    # ``1.0`` passes the schema as an integer; the document says 1
    return int(x) if type(x) is float and x.is_integer() else x


def to_document(
    task: dict[str, Any],
    ann: dict[str, Any],
    checked: Checked,
    selection: str,
    taxonomy_tag: str,
    emails: Mapping[str, str] = MappingProxyType({}),
) -> dict[str, Any]:
    """The annotated document of one task from its selected, error-free annotation;
    ``emails`` (user id -> e-mail) names its annotator's e-mail beside the id.

    The entity and event dicts were built by the checks; ``value.text`` was checked to equal
    the text at the offsets, so it stands for the span's text. Spans trimmed at their edges
    (:mod:`annotation.labelstudio.span_edges`) are listed in ``span_edits`` with what was exported.
    """
    data = task["data"]
    who, who_id = annotator(ann.get("completed_by"))
    doc = {
        "article_id": data["article_id"],
        "text": data["text"],
        "task_id": _int(task["id"]),
        "annotation_id": _int(ann["id"]),
        "annotator": who,
        "annotator_id": who_id,
        "annotator_email": annotator_email(ann.get("completed_by"), emails),
        "created_at": ann.get("created_at"),
        "updated_at": ann.get("updated_at"),
        "selection": selection,
        "taxonomy": taxonomy_tag,
        "entities": checked.entities,
        "events": list(checked.events.values()),
    }
    if checked.span_edits:
        doc["span_edits"] = checked.span_edits
    model = suggested_by(task, ann)
    if model:
        doc["suggested_by"] = model
    return doc


def suggested_by(task: dict[str, Any], ann: dict[str, Any]) -> str | None:
    """The model version of the prediction the annotation started from (Label Studio records
    it as the annotation's ``parent_prediction``), or None."""
    parent = ann.get("parent_prediction")
    if parent is None:
        return None
    for p in task.get("predictions") or []:
        if isinstance(p, dict) and p.get("id") == parent:
            mv = p.get("model_version")
            return mv if isinstance(mv, str) and mv else None
    return None
