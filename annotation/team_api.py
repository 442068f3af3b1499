"""The Label Studio calls of team annotation, in one place.

Users (create, list), annotations made on a user's behalf (``completed_by``), ground truth,
predictions (adjudication proposals), the project's overlap settings and the organisation's
invite link. Everything else talks to Label Studio through :mod:`annotation.client`.
"""

from __future__ import annotations

from typing import Any

from akhbar.annotation.client import Client
from akhbar.schemas.errors import UsageError


def users(client: Client) -> list[dict[str, Any]]:
    """The users of the organisation."""
    body = client.get_json("/api/users")
    return body if isinstance(body, list) else body.get("results", [])


def ensure_user(client: Client, email: str, **fields: Any) -> dict[str, Any]:
    """The user with ``email``, created in the organisation if there is none."""
    for u in users(client):
        if u.get("email") == email:
            return u
    body = {"email": email, "username": email, **fields}
    return client.request("POST", "/api/users", retry=False, json=body).json()


def annotate_as(
    client: Client, task_id: int, user_id: int, result: list[dict[str, Any]], **extra: Any
) -> dict[str, Any]:
    """An annotation of ``task_id`` made by ``user_id`` (``completed_by``)."""
    body = {"result": result, "completed_by": user_id, "was_cancelled": False, **extra}
    return client.request(
        "POST", f"/api/tasks/{task_id}/annotations", retry=False, json=body
    ).json()


def annotations(client: Client, task_id: int) -> list[dict[str, Any]]:
    """The annotations of one task (``completed_by`` as a user id)."""
    return client.get_json(f"/api/tasks/{task_id}/annotations")


def mark_ground_truth(client: Client, annotation_id: int) -> dict[str, Any]:
    return client.request(
        "PATCH", f"/api/annotations/{annotation_id}", retry=True, json={"ground_truth": True}
    ).json()


def propose(
    client: Client, task_id: int, result: list[dict[str, Any]], model_version: str
) -> dict[str, Any]:
    """A prediction on ``task_id``: what an adjudicator starts from."""
    body = {"task": task_id, "result": result, "model_version": model_version, "score": 1.0}
    return client.request("POST", "/api/predictions", retry=False, json=body).json()


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
    """The organisation's sign-up link for teammates (absolute URL)."""
    body = client.get_json("/api/invite")
    link = body.get("invite_url") or ""
    return link if link.startswith("http") else client.url + link
