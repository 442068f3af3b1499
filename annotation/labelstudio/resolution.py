"""Which annotations of a task are an adjudicator's resolution, not an annotator's version.

``akhbar annotate adjudicate --push`` posts its proposal to a task as a prediction whose
``model_version`` starts with :data:`ADJUDICATION_MODEL` (and, where the annotators differ, a
second one holding their conflicting versions). Label Studio's Community Edition has no
ground-truth control; an adjudicator accepts a proposal by duplicating it ("Duplicate
Annotation" in the prediction's menu), editing and submitting it, and Label Studio records the
prediction as the new annotation's ``parent_prediction``. So an annotation is a *resolution*
when its parent prediction is an akhbar proposal, or when it is marked ground truth and was
made after the task's first proposal (``akhbar annotate resolve`` marks them; Label Studio
marks every annotation imported with a task ground truth, so the mark alone says nothing
about adjudication), whoever made it (the admin who also annotates included): agreement never
compares it as a version and validation selects it.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from akhbar.annotation.labelstudio.result_checks import parse_time

ADJUDICATION_MODEL = "akhbar-adjudication"
CONFLICTS_MODEL = f"{ADJUDICATION_MODEL}-conflicts"


def is_proposal(prediction: Any) -> bool:
    """Whether a prediction was posted by ``akhbar annotate adjudicate --push``."""
    return isinstance(prediction, dict) and str(prediction.get("model_version") or "").startswith(
        ADJUDICATION_MODEL
    )


@dataclass(frozen=True, slots=True)
class Proposals:
    """A task's akhbar adjudication predictions: their ids and when the first was posted."""

    ids: frozenset[int] = frozenset()
    since: datetime | None = None


NONE = Proposals()


def proposals(task: Any) -> Proposals:
    """The task's akhbar adjudication predictions (exported with their ids and times)."""
    if not isinstance(task, dict):
        return NONE
    found = [p for p in task.get("predictions") or () if is_proposal(p)]
    if not found:
        return NONE
    times = [t for p in found if (t := parse_time(str(p.get("created_at") or ""))) is not None]
    ids = frozenset(p["id"] for p in found if type(p.get("id")) is int)
    return Proposals(ids, min(times) if times else None)


def from_proposal(ann: Any, proposals: frozenset[int]) -> bool:
    """Whether the annotation started from one of the task's akhbar proposals."""
    return isinstance(ann, dict) and ann.get("parent_prediction") in proposals


def is_resolution(ann: Any, found: Proposals) -> bool:
    """Started from an akhbar proposal, or ground truth made after one: a resolution."""
    if not isinstance(ann, dict) or not found.ids:
        return False
    if from_proposal(ann, found.ids):
        return True
    if ann.get("ground_truth") is not True or found.since is None:
        return False
    made = parse_time(str(ann.get("created_at") or ""))
    return made is not None and made >= found.since
