"""The Label Studio calls of team annotation, in one place.

Users (create, list), annotations made on a user's behalf (``completed_by``), ground truth,
predictions (adjudication proposals), the project's overlap settings and the organisation's
invite link, through the SDK (:mod:`annotation.labelstudio.client` runs each call: deadline, retries
for idempotent calls, one-line errors).
"""

from __future__ import annotations

from typing import Any

from akhbar.annotation.labelstudio.client import Client, need, plain
from akhbar.schemas.errors import UsageError


def users(client: Client) -> list[dict[str, Any]]:
    """The users of the organisation."""
    return client.users()


def ensure_user(client: Client, email: str, **fields: Any) -> dict[str, Any]:
    """The user with ``email``, created in the organisation if there is none."""
    for u in users(client):
        if u.get("email") == email:
            return u
    made = client.call(
        "POST /api/users",
        lambda o: plain(
            client.sdk.users.create(email=email, username=email, **fields, request_options=o)
        ),
        retry=False,
    )
    return need(made, "the new user", id=int)


def annotate_as(
    client: Client, task_id: int, user_id: int, result: list[dict[str, Any]], **extra: Any
) -> dict[str, Any]:
    """An annotation of ``task_id`` made by ``user_id`` (``completed_by``)."""
    return client.create_annotation(
        task_id, result, completed_by=user_id, was_cancelled=False, **extra
    )


def annotations(client: Client, task_id: int) -> list[dict[str, Any]]:
    """The annotations of one task (``completed_by`` as a user id)."""
    return client.annotations(task_id)


def mark_ground_truth(client: Client, annotation_id: int) -> dict[str, Any]:
    got = client.call(
        f"PATCH /api/annotations/{annotation_id}",
        lambda o: plain(
            client.sdk.annotations.update(annotation_id, ground_truth=True, request_options=o)
        ),
        retry=True,
    )
    return need(got, "the annotation", id=int)


def propose(
    client: Client,
    task_id: int,
    result: list[dict[str, Any]],
    model_version: str,
    score: float = 1.0,
) -> dict[str, Any]:
    """A prediction on ``task_id``: what an adjudicator starts from (``score``: shown as the
    prediction score, by which the Data Manager sorts)."""
    return client.create_prediction(
        task_id, result=result, model_version=model_version, score=score
    )


def check_overlap(annotators: int, share: int) -> None:
    if annotators < 1:
        raise UsageError(
            f"--overlap {annotators}: give the number of annotators per task, 1 or more"
        )
    if not 0 <= share <= 100:
        raise UsageError(f"--overlap-share {share}: give a percentage from 0 to 100")


def set_overlap(client: Client, project_id: int, annotators: int, share: int) -> dict[str, Any]:
    """Have ``share`` percent of the project's tasks annotated by ``annotators`` people."""
    check_overlap(annotators, share)
    return client.update_project(
        project_id, maximum_annotations=annotators, overlap_cohort_percentage=share
    )


def invite_link(client: Client) -> str:
    """The organisation's sign-up link for teammates (absolute URL).

    Through the SDK's HTTP layer: the SDK can reset the invite token but not read the link.
    """
    body = need(client.raw("GET", "/api/invite", retry=True), "the invite")
    link = body.get("invite_url") or ""
    return link if link.startswith("http") else client.url + link
