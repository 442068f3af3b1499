"""What the incremental pull asks Label Studio's task listing (``GET /api/tasks``).

The listing takes the Data Manager's query (``filters``, ``ordering``, ``selectedItems``) and
pages; its answer also carries the number of tasks, of annotations that are not cancelled and
of predictions that the query selects, which makes "how many tasks have ids in this range"
a one-task request. Pages are followed by id (``id > last``), not by page number, so that a
task deleted or changed while we page cannot shift a page and be skipped.

Through the SDK's HTTP layer (``Client.raw``): the generated ``tasks.list`` parses each task
into a model and cannot pass the query as the server reads it.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime
from typing import Any

from akhbar.annotation.labelstudio.client import Client, need

TIME_FORMAT = "%Y-%m-%dT%H:%M:%S.%fZ"  # the Data Manager's Datetime filter format


def iso(t: datetime) -> str:
    return t.astimezone(UTC).strftime(TIME_FORMAT)


def parse_time(value: str) -> datetime:
    return datetime.fromisoformat(value.replace("Z", "+00:00"))


def _filter(name: str, operator: str, kind: str, value: Any) -> dict[str, Any]:
    return {"filter": f"filter:tasks:{name}", "operator": operator, "type": kind, "value": value}


def _page(
    client: Client,
    project_id: int,
    query: dict[str, Any],
    page_size: int,
    fields: str = "task_only",
    include: str | None = "id",
) -> dict[str, Any]:
    params: dict[str, Any] = {
        "project": project_id,
        "page": 1,
        "page_size": page_size,
        "fields": fields,
        "query": json.dumps(query),
    }
    if include:
        params["include"] = include
    body = client.raw("GET", "/api/tasks", retry=True, params=params)
    return need(body, "the task list", tasks=list, total=int)


def server_time(client: Client) -> datetime | None:
    """The server's clock (its HTTP ``Date``, to the second), or None if it sends none."""
    http = client.sdk._client_wrapper.httpx_client  # as Client.raw: the SDK's auth and base URL

    def go(options: dict[str, Any]) -> Any:
        return http.request("api/version", method="GET", request_options=options)

    response = client.call("GET /api/version", go, retry=True)
    date = response.headers.get("date")
    if response.status_code >= 400 or not date:
        return None
    try:
        return parsedate_to_datetime(date).astimezone(UTC)
    except (TypeError, ValueError):
        return None


def newest_update(client: Client, project_id: int) -> datetime | None:
    """The latest task ``updated_at`` of the project (None for an empty project)."""
    body = _page(
        client, project_id, {"ordering": ["-tasks:updated_at"]}, 1, include="id,updated_at"
    )
    if not body["tasks"]:
        return None
    return parse_time(need(body["tasks"][0], "a task", updated_at=str)["updated_at"])


def count_between(client: Client, project_id: int, lo: int, hi: int) -> int:
    """How many tasks of the project have ids in ``[lo, hi]``."""
    query = {
        "filters": {
            "conjunction": "and",
            "items": [_filter("id", "in", "Number", {"min": lo, "max": hi})],
        }
    }
    return _page(client, project_id, query, 1)["total"]


def ids_between(client: Client, project_id: int, lo: int, hi: int) -> list[int]:
    """The ids of the project's tasks in ``[lo, hi]`` (for a small range)."""
    found: list[int] = []
    last = lo - 1
    while True:
        query = {
            "filters": {
                "conjunction": "and",
                "items": [
                    _filter("id", "greater", "Number", last),
                    _filter("id", "less_or_equal", "Number", hi),
                ],
            },
            "ordering": ["tasks:id"],
        }
        tasks = _page(client, project_id, query, 500)["tasks"]
        found.extend(need(t, "a task", id=int)["id"] for t in tasks)
        if len(tasks) < 500:
            return found
        last = found[-1]


def changed_since(
    client: Client, project_id: int, since: datetime, page_size: int = 500
) -> Iterator[dict[str, Any]]:
    """Every task updated after ``since``, in full (annotations and predictions), by id."""
    last = None
    while True:
        items = [_filter("updated_at", "greater", "Datetime", iso(since))]
        if last is not None:
            items.append(_filter("id", "greater", "Number", last))
        query = {"filters": {"conjunction": "and", "items": items}, "ordering": ["tasks:id"]}
        tasks = _page(client, project_id, query, page_size, fields="all", include=None)["tasks"]
        if not tasks:
            return
        for t in tasks:
            need(t, "a task", id=int)
        yield from tasks
        last = tasks[-1]["id"]


def tasks_by_id(client: Client, project_id: int, ids: list[int]) -> list[dict[str, Any]]:
    """These tasks in full (those that still exist), by id."""
    if not ids:
        return []
    query = {"selectedItems": {"all": False, "included": ids}, "ordering": ["tasks:id"]}
    body = _page(client, project_id, query, len(ids), fields="all", include=None)
    return [need(t, "a task", id=int) for t in body["tasks"]]
