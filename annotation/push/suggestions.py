"""Suggestions shown to annotators: the project settings that make pushed predictions appear
pre-filled when a task is opened, and the order of the label stream.

Label Studio 1.23 shows a task's predictions in the labelling view only when the project has
``show_collab_predictions`` on and its ``model_version`` names the predictions' model version
(``Task.get_predictions_for_prediction_validation`` filters on it; without a model version set
nothing is shown). With ``sampling`` set to "Uncertainty sampling", the label stream hands out
the tasks with predictions of that model version lowest ``score`` first
(``projects/functions/next_task.py``): a suggestion's score is the model's confidence, so the
least certain articles come first. ``evaluate_predictions_automatically`` stays off: it asks an
ML backend for predictions, and there is none; the predictions are already in the tasks.

An annotator's submitted work is an annotation like any other; the prediction stays recorded
as a prediction, and ``validate`` reads annotations only.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from typing import Any

from akhbar.annotation.labelstudio.client import Client
from akhbar.schemas.errors import UsageError

ORDERS = ("sequential", "uncertain")
SAMPLING = {"sequential": "Sequential sampling", "uncertain": "Uncertainty sampling"}


def shown_version(versions: Iterable[str | None], given: str | None = None) -> str | None:
    """The model version to show: the one given, else that of most pushed predictions."""
    if given:
        return given
    counts = Counter(v for v in versions if v)
    return max(sorted(counts), key=counts.__getitem__) if counts else None


def check_order(order: str | None, predictions: object) -> None:
    """Refuse an order that cannot be, before anything is pushed."""
    if order is not None and order not in ORDERS:
        raise UsageError(f"--order {order!r}: choose one of {', '.join(ORDERS)}")
    if order == "uncertain" and not predictions:
        raise UsageError(
            "--order uncertain needs predictions with a model_version (--predictions FILE, "
            "as `akhbar suggest predict` writes it)"
        )


def show_predictions(
    client: Client, project_id: int, model_version: str | None, order: str | None
) -> dict[str, Any]:
    """Set the project so that annotators see ``model_version``'s predictions pre-filled, in
    the ``order`` asked (None: the project's order is left as it is)."""
    check_order(order, model_version)
    if model_version is None:
        return {}
    fields: dict[str, Any] = {"show_collab_predictions": True, "model_version": model_version}
    if order is not None:
        fields["sampling"] = SAMPLING[order]
    return client.update_project(project_id, **fields)
