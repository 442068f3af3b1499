"""The Label Studio calls akhbar makes, through the official SDK (see ``annotation.labelstudio.calls``).

``Client`` returns plain JSON values (dicts), checked for the fields akhbar reads, so that an
answer of another shape is a one-line ``BadReply`` rather than a traceback further on. Most
methods are one SDK call; the few that go through the SDK's HTTP layer instead say why.

Either kind of token works: a legacy token (40 hex characters, ``Authorization: Token``) or a
personal access token (a JWT refresh token, exchanged by the SDK for access tokens).
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any

from akhbar.annotation.labelstudio.calls import (
    DEFAULT_DEADLINE,
    BadReply,
    Caller,
    ServerError,
    Unreachable,
    http_client,
    need,
    plain,
    token_kind,
    transport_errors,
)
from akhbar.schemas.errors import UsageError

__all__ = [
    "DEFAULT_DEADLINE",
    "BadReply",
    "Client",
    "Connection",
    "ServerError",
    "Unreachable",
    "http_client",
    "need",
    "plain",
    "resolve",
    "token_kind",
    "transport_errors",
]

URL_ENV = "LABEL_STUDIO_URL"
KEY_ENV = "LABEL_STUDIO_API_KEY"


@dataclass(frozen=True)
class Connection:
    url: str
    api_key: str
    source: str  # where url and key came from, for messages


def resolve(
    url: str | None = None, api_key: str | None = None, settings: str | Path | None = None
) -> Connection:
    """Which server to talk to: options, then environment, then the local settings file.

    An existing server is used when a URL and key are given (``--url``/``--api-key`` or
    ``LABEL_STUDIO_URL``/``LABEL_STUDIO_API_KEY``); the local server from ``studio up`` only
    when neither is given.
    """
    url = url or os.environ.get(URL_ENV) or None
    api_key = api_key or os.environ.get(KEY_ENV) or None
    if url and api_key:
        return Connection(url.rstrip("/"), api_key, "options/environment")
    if url or api_key:
        missing = "--api-key (or LABEL_STUDIO_API_KEY)" if url else "--url (or LABEL_STUDIO_URL)"
        raise UsageError(f"a Label Studio server needs both a URL and an API key; add {missing}")
    from akhbar.annotation.labelstudio.server import DEFAULT_SETTINGS, read_settings

    path = Path(settings) if settings else DEFAULT_SETTINGS
    data = read_settings(path)
    if not data.get("url") or not data.get("api_key"):
        raise UsageError(
            f"no Label Studio server configured ({path} has no URL and token); start one with "
            f"`akhbar studio up`, or pass --url and --api-key"
        )
    return Connection(data["url"].rstrip("/"), data["api_key"], str(path))


class Client(Caller):
    """One Label Studio server, one user. Use as a context manager or call ``close``."""

    @classmethod
    def connect(cls, conn: Connection, **kwargs: Any) -> Client:
        return cls(conn.url, conn.api_key, **kwargs)

    def version(self) -> str | None:
        try:
            v = self.call(
                "GET /api/version", lambda o: self.sdk.versions.get(request_options=o), retry=True
            )
        except (ServerError, BadReply):
            return None
        return getattr(v, "release", None)

    def whoami(self) -> dict[str, Any]:
        me = self.call(
            "GET /api/current-user/whoami",
            lambda o: plain(self.sdk.users.whoami(request_options=o)),
            retry=True,
        )
        return need(me, "the current user", id=int)

    def users(self) -> list[dict[str, Any]]:
        """Every user of the organisation (id, email, names)."""
        found = self.call(
            "GET /api/users",
            lambda o: [plain(u) for u in self.sdk.users.list(request_options=o)],
            retry=True,
        )
        return [need(u, "a user", id=int) for u in found]

    # --- projects ----------------------------------------------------------------------------

    def projects(self, title: str | None = None) -> Iterator[dict[str, Any]]:
        """Every project (only those whose title contains ``title``, if given)."""
        page = 1
        while True:
            # Pages are followed by the answer's ``next``: the SDK's pager asks for one page
            # past the last, which the server answers with 404.
            def one(o: dict[str, Any], page: int = page) -> tuple[list[dict[str, Any]], bool]:
                p = self.sdk.projects.list(page=page, page_size=100, title=title, request_options=o)
                return [need(plain(x), "a project", id=int, title=str) for x in p.items], bool(
                    p.response.next
                )

            items, more = self.call("GET /api/projects", one, retry=True)
            yield from items
            if not more:
                return
            page += 1

    def find_project(self, title: str) -> dict[str, Any] | None:
        """The project titled ``title`` as the server stores it (stripped), or None.

        Two projects with that title are an error.
        """
        want = title.strip()
        found = [p for p in self.projects(want) if p["title"].strip() == want]
        if len(found) > 1:
            ids = [p["id"] for p in found]
            raise UsageError(
                f"{self.url} has {len(found)} projects titled {want!r} (ids {ids}); "
                f"rename or delete the extra ones so that the title names one project"
            )
        return found[0] if found else None

    def project(self, project_id: int) -> dict[str, Any]:
        got = self.call(
            f"GET /api/projects/{project_id}",
            lambda o: plain(self.sdk.projects.get(project_id, request_options=o)),
            retry=True,
        )
        return need(got, "the project", id=int)

    def create_project(self, **fields: Any) -> dict[str, Any]:
        made = self.call(
            "POST /api/projects",
            lambda o: plain(self.sdk.projects.create(**fields, request_options=o)),
            retry=False,
        )
        return need(made, "the new project", id=int)

    def update_project(self, project_id: int, **fields: Any) -> dict[str, Any]:
        """Change a project's fields (``label_config``, ``maximum_annotations`` for overlap, …)."""
        got = self.call(
            f"PATCH /api/projects/{project_id}",
            lambda o: plain(self.sdk.projects.update(project_id, **fields, request_options=o)),
            retry=True,
        )
        return need(got, "the project", id=int)

    def delete_project(self, project_id: int) -> None:
        self.call(
            f"DELETE /api/projects/{project_id}",
            lambda o: self.sdk.projects.delete(project_id, request_options=o),
            retry=True,
        )

    def validate_config(self, label_config: str) -> None:
        """Ask the server to validate a labeling config; ServerError (400) says why not.

        Through the SDK's HTTP layer: the SDK has only the per-project validation, and this
        one is asked before any project exists.
        """
        self.raw(
            "POST",
            "/api/projects/validate",
            retry=True,  # validation changes nothing
            json_body={"label_config": label_config},
        )

    # --- tasks -------------------------------------------------------------------------------

    def iter_tasks(
        self, project_id: int, page_size: int = 1000, include: str = "id,data"
    ) -> Iterator[dict[str, Any]]:
        """Every task of a project, paginated, with only the ``include`` fields.

        Through the SDK's HTTP layer: the generated ``tasks.list`` parses every task into a
        model (slow for 100,000 tasks) and its pager asks for a page past the last.
        """
        page = 1
        seen = 0
        while True:
            params = {"project": project_id, "page": page, "page_size": page_size}
            if include:
                params["include"] = include
            body = need(
                self.raw("GET", "/api/tasks", retry=True, params=params),
                "the task list",
                tasks=list,
                total=int,
            )
            tasks = body["tasks"]
            yield from tasks
            seen += len(tasks)
            if not tasks or seen >= body["total"]:
                return
            page += 1

    def newest_task(self, project_id: int) -> tuple[int, dict[str, Any] | None]:
        """(number of tasks, the task with the highest id with its ``id`` and ``meta``, or
        None): one cheap call, whatever the project's size."""
        body = need(
            self.raw(
                "GET",
                "/api/tasks",
                retry=True,
                params={
                    "project": project_id,
                    "page": 1,
                    "page_size": 1,
                    "include": "id,meta",
                    "query": '{"ordering": ["-tasks:id"]}',
                },
            ),
            "the task list",
            tasks=list,
            total=int,
        )
        top = [need(t, "a task", id=int) for t in body["tasks"]]
        return body["total"], (top[0] if top else None)

    def import_tasks(self, project_id: int, tasks: list[dict[str, Any]] | bytes) -> dict[str, Any]:
        """Bulk import (tasks may carry ``annotations`` and ``predictions``). Not retried.

        ``tasks``: the tasks, or their JSON list already serialized. The answer has
        ``task_ids``, in the order of ``tasks``. Through the SDK's HTTP layer: the generated
        ``projects.import_tasks`` runs every task through the SDK's JSON encoder in Python,
        several times slower than orjson, and cannot send a body made beforehand.
        """
        if isinstance(tasks, bytes):
            body: dict[str, Any] = {
                "content": tasks,
                "headers": {"Content-Type": "application/json"},
            }
        else:
            body = {"json_body": tasks}
        answer = self.raw(
            "POST",
            f"/api/projects/{project_id}/import",
            retry=False,
            params={"return_task_ids": "true"},
            **body,
        )
        return need(answer, "the import answer", task_count=int)

    def create_annotation(self, task_id: int, result: list[dict], **extra: Any) -> dict[str, Any]:
        made = self.call(
            f"POST /api/tasks/{task_id}/annotations",
            lambda o: plain(
                self.sdk.annotations.create(task_id, result=result, **extra, request_options=o)
            ),
            retry=False,
        )
        return need(made, "the new annotation", id=int)

    def annotations(self, task_id: int) -> list[dict[str, Any]]:
        """The annotations of one task."""
        found = self.call(
            f"GET /api/tasks/{task_id}/annotations",
            lambda o: [plain(a) for a in self.sdk.annotations.list(task_id, request_options=o)],
            retry=True,
        )
        return [need(a, "an annotation", id=int) for a in found]

    def predictions(self, project_id: int) -> list[dict[str, Any]]:
        """Every prediction of a project."""
        found = self.call(
            "GET /api/predictions",
            lambda o: [
                plain(p) for p in self.sdk.predictions.list(project=project_id, request_options=o)
            ],
            retry=True,
        )
        return [need(p, "a prediction", id=int, task=int) for p in found]

    def create_prediction(self, task_id: int, **payload: Any) -> dict[str, Any]:
        made = self.call(
            "POST /api/predictions",
            lambda o: plain(
                self.sdk.predictions.create(task=task_id, **payload, request_options=o)
            ),
            retry=False,
        )
        return need(made, "the new prediction", id=int)

    # --- exports -----------------------------------------------------------------------------

    def create_export(
        self, project_id: int, deadline: float | None = None, **body: Any
    ) -> dict[str, Any]:
        """Start an export snapshot. The server may build it before it answers (Label
        Studio community does), so a large project may need a ``deadline`` of its own."""
        made = self.call(
            f"POST /api/projects/{project_id}/exports",
            lambda o: plain(
                self.sdk.projects.exports.create(project_id, **body, request_options=o)
            ),
            retry=False,
            deadline=deadline,
        )
        return need(made, "the new export", id=int)

    def export_info(self, project_id: int, export_id: int) -> dict[str, Any]:
        got = self.call(
            f"GET /api/projects/{project_id}/exports/{export_id}",
            lambda o: plain(
                self.sdk.projects.exports.get(project_id, export_id, request_options=o)
            ),
            retry=True,
        )
        return need(got, "the export", id=int)

    def delete_export(self, project_id: int, export_id: int) -> None:
        self.call(
            f"DELETE /api/projects/{project_id}/exports/{export_id}",
            lambda o: self.sdk.projects.exports.delete(project_id, export_id, request_options=o),
            retry=True,
        )

    def download_export(
        self,
        project_id: int,
        out: IO[bytes],
        export_id: int | None = None,
        on_start: Callable[[], None] | None = None,
        on_chunk: Callable[[bytes], None] | None = None,
        deadline: float | None = None,
    ) -> int:
        """Stream an export snapshot (or, without ``export_id``, the direct JSON export of all
        tasks) into ``out``, 1 MiB at a time: the number of bytes written.

        Restarted from the start on a retryable failure (``on_start`` is called before each
        try); ``on_chunk`` sees each piece as it is written. The deadline holds until the
        first bytes arrive; after that the download goes on as long as bytes keep coming.
        """
        sdk_exports = self.sdk.projects.exports
        if export_id is None:
            what = f"GET /api/projects/{project_id}/export"

            def stream(o: dict[str, Any]) -> Iterator[bytes]:
                return sdk_exports.download_sync(
                    project_id, export_type="JSON", download_all_tasks=True, request_options=o
                )
        else:
            what = f"GET /api/projects/{project_id}/exports/{export_id}/download"

            def stream(o: dict[str, Any]) -> Iterator[bytes]:
                return sdk_exports.download(
                    project_id, export_id, export_type="JSON", request_options=o
                )

        def go(o: dict[str, Any]) -> int:
            out.seek(0)
            out.truncate()
            if on_start is not None:
                on_start()
            for chunk in stream({**o, "chunk_size": 1 << 20}):
                self._local.waiting.done.set()  # bytes are coming: no more "waiting" lines
                out.write(chunk)
                if on_chunk is not None:
                    on_chunk(chunk)
            return out.tell()

        return self.call(what, go, retry=True, deadline=deadline)
