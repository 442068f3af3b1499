"""A small Label Studio REST client over httpx: the calls akhbar needs and nothing else.

Plain httpx against the documented REST API rather than ``label-studio-sdk``: the SDK pins
pydantic, numpy, pandas, opencv and more, which would constrain our own environment (Label
Studio itself lives in a separate one), while we need only a dozen endpoints, explicit
timeouts, retries only where a repeat is harmless, streamed downloads, and an injectable
transport for fault tests.

Either kind of token works, told apart by shape:
- a legacy token (40 hex characters) is sent as ``Authorization: Token <key>``;
- a personal access token is a JWT refresh token: it is exchanged at ``/api/token/refresh/``
  for a short-lived access token (five minutes in 1.23), sent as ``Authorization: Bearer``,
  and exchanged again when it expires or the server answers 401.

Idempotent calls (GET, PATCH, validation) are retried on connection errors and 502/503/504
with backoff; creating things (projects, task imports, annotations) is never retried here,
because a request the server committed but whose answer was lost would be applied twice.
The caller re-reads the server's state instead (see ``annotation.push``).
"""

from __future__ import annotations

import base64
import json
import os
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any

import httpx
import orjson

from akhbar.schemas.errors import OutputError, UsageError

URL_ENV = "LABEL_STUDIO_URL"
KEY_ENV = "LABEL_STUDIO_API_KEY"
# Exports and bulk imports of thousands of articles take minutes on a small server.
TIMEOUT = httpx.Timeout(connect=15.0, read=900.0, write=900.0, pool=60.0)
RETRY_STATUS = {502, 503, 504}


class ServerError(OutputError):
    """Label Studio answered with an error status; ``status`` and ``detail`` say which."""

    def __init__(self, message: str, status: int, detail: str):
        super().__init__(message)
        self.status = status
        self.detail = detail


class Unreachable(OutputError):
    """The server did not answer (connection refused, reset, timed out)."""


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
    from akhbar.annotation.server import DEFAULT_SETTINGS, read_settings

    path = Path(settings) if settings else DEFAULT_SETTINGS
    data = read_settings(path)
    if not data.get("url") or not data.get("api_key"):
        raise UsageError(
            f"no Label Studio server configured ({path} has no URL and token); start one with "
            f"`akhbar studio up`, or pass --url and --api-key"
        )
    return Connection(data["url"].rstrip("/"), data["api_key"], str(path))


def _jwt_claims(token: str) -> dict[str, Any] | None:
    parts = token.split(".")
    if len(parts) != 3 or not token.startswith("eyJ"):
        return None
    try:
        payload = parts[1] + "=" * (-len(parts[1]) % 4)
        return json.loads(base64.urlsafe_b64decode(payload))
    except ValueError:
        return None


def token_kind(api_key: str) -> str:
    """``"personal"`` for a personal access token (a JWT), else ``"legacy"``."""
    return "personal" if _jwt_claims(api_key) is not None else "legacy"


def _detail(r: httpx.Response) -> str:
    try:
        body = r.json()
    except ValueError:
        return r.text[:300].strip()
    if isinstance(body, dict):
        for key in ("validation_errors", "detail", "error"):
            if body.get(key):
                v = body[key]
                return v if isinstance(v, str) else json.dumps(v, ensure_ascii=False)[:500]
    return json.dumps(body, ensure_ascii=False)[:500]


class Client:
    """One Label Studio server, one user. Use as a context manager or call ``close``."""

    def __init__(
        self,
        url: str,
        api_key: str,
        *,
        transport: httpx.BaseTransport | None = None,
        timeout: httpx.Timeout = TIMEOUT,
        retries: int = 4,
        backoff: float = 0.5,
    ):
        self.url = url.rstrip("/")
        self._key = api_key
        self._kind = token_kind(api_key)
        self._access: str | None = None
        self._access_exp = 0.0
        self.retries = retries
        self.backoff = backoff
        self._http = httpx.Client(
            base_url=self.url,
            timeout=timeout,
            transport=transport,
            headers={"Accept": "application/json"},
        )

    @classmethod
    def connect(cls, conn: Connection, **kwargs: Any) -> Client:
        return cls(conn.url, conn.api_key, **kwargs)

    def close(self) -> None:
        self._http.close()

    def __enter__(self) -> Client:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # --- transport ----------------------------------------------------------------------------

    def _refresh_access(self) -> None:
        try:
            r = self._http.post("/api/token/refresh/", json={"refresh": self._key})
        except httpx.TransportError as e:
            raise Unreachable(f"{self.url}: no answer while refreshing the token ({e})") from e
        if r.status_code != 200:
            raise UsageError(
                f"{self.url} refused the personal access token (HTTP {r.status_code}: "
                f"{_detail(r)}); create a new one in Account & Settings"
            )
        self._access = r.json()["access"]
        claims = _jwt_claims(self._access) or {}
        # Renew a little before the server would refuse it.
        self._access_exp = float(claims.get("exp", time.time() + 240)) - 30

    def auth_headers(self) -> dict[str, str]:
        if self._kind == "legacy":
            return {"Authorization": f"Token {self._key}"}
        if self._access is None or time.time() >= self._access_exp:
            self._refresh_access()
        return {"Authorization": f"Bearer {self._access}"}

    def request(
        self, method: str, path: str, *, retry: bool, stream: bool = False, **kw: Any
    ) -> httpx.Response:
        """One call; retried with backoff only if ``retry`` (the call is idempotent)."""
        refreshed = False
        attempt = 0
        extra_headers = kw.pop("headers", {})
        while True:
            headers = {**extra_headers, **self.auth_headers()}
            try:
                req = self._http.build_request(method, path, headers=headers, **kw)
                r = self._http.send(req, stream=stream)
            except httpx.TransportError as e:
                if not retry or attempt >= self.retries:
                    raise Unreachable(
                        f"{self.url}: no answer to {method} {path} ({type(e).__name__}: {e})"
                    ) from e
                time.sleep(self.backoff * 2**attempt)
                attempt += 1
                continue
            if r.status_code == 401 and self._kind == "personal" and not refreshed:
                r.close()
                self._access = None
                refreshed = True
                continue
            if r.status_code in RETRY_STATUS and retry and attempt < self.retries:
                r.close()
                time.sleep(self.backoff * 2**attempt)
                attempt += 1
                continue
            if r.status_code >= 400:
                if stream:
                    r.read()
                    r.close()
                self._raise(method, path, r)
            return r

    def _raise(self, method: str, path: str, r: httpx.Response) -> None:
        detail = _detail(r)
        if r.status_code in (401, 403):
            raise UsageError(
                f"{self.url} refused the API key for {method} {path} (HTTP {r.status_code}: "
                f"{detail}); check --api-key / LABEL_STUDIO_API_KEY or run `akhbar studio up`"
            )
        raise ServerError(
            f"{self.url}: {method} {path} failed with HTTP {r.status_code}: {detail}",
            r.status_code,
            detail,
        )

    def get_json(self, path: str, **kw: Any) -> Any:
        return self.request("GET", path, retry=True, **kw).json()

    # --- server ------------------------------------------------------------------------------

    def version(self) -> str | None:
        try:
            return self.get_json("/api/version").get("release")
        except (ServerError, ValueError):
            return None

    def whoami(self) -> dict[str, Any]:
        return self.get_json("/api/current-user/whoami")

    # --- projects ----------------------------------------------------------------------------

    def projects(self, title: str | None = None) -> Iterator[dict[str, Any]]:
        page = 1
        while True:
            params: dict[str, Any] = {"page": page, "page_size": 100}
            if title:
                params["title"] = title  # a substring filter on the server; callers match exactly
            body = self.get_json("/api/projects", params=params)
            yield from body.get("results", [])
            if not body.get("next"):
                return
            page += 1

    def find_project(self, title: str) -> dict[str, Any] | None:
        """The project with exactly this title, or None; two of them is an error."""
        found = [p for p in self.projects(title) if p.get("title") == title]
        if len(found) > 1:
            ids = [p["id"] for p in found]
            raise UsageError(
                f"{self.url} has {len(found)} projects titled {title!r} (ids {ids}); "
                f"rename or delete the extra ones so that the title names one project"
            )
        return found[0] if found else None

    def project(self, project_id: int) -> dict[str, Any]:
        return self.get_json(f"/api/projects/{project_id}")

    def create_project(self, **fields: Any) -> dict[str, Any]:
        return self.request("POST", "/api/projects", retry=False, json=fields).json()

    def update_project(self, project_id: int, **fields: Any) -> dict[str, Any]:
        return self.request("PATCH", f"/api/projects/{project_id}", retry=True, json=fields).json()

    def delete_project(self, project_id: int) -> None:
        self.request("DELETE", f"/api/projects/{project_id}", retry=True)

    def validate_config(self, label_config: str) -> None:
        """Ask the server to validate a labeling config; ServerError (400) says why not."""
        self.request(
            "POST", "/api/projects/validate", retry=True, json={"label_config": label_config}
        )

    # --- tasks -------------------------------------------------------------------------------

    def iter_tasks(
        self, project_id: int, page_size: int = 1000, include: str = "id,data"
    ) -> Iterator[dict[str, Any]]:
        """Every task of a project, paginated, with only the ``include`` fields."""
        page = 1
        seen = 0
        while True:
            params = {"project": project_id, "page": page, "page_size": page_size}
            if include:
                params["include"] = include
            body = self.get_json("/api/tasks", params=params)
            tasks = body.get("tasks", [])
            yield from tasks
            seen += len(tasks)
            if not tasks or seen >= body.get("total", 0):
                return
            page += 1

    def import_tasks(self, project_id: int, tasks: list[dict[str, Any]]) -> dict[str, Any]:
        """Bulk import (tasks may carry ``annotations`` and ``predictions``). Not retried."""
        return self.request(
            "POST",
            f"/api/projects/{project_id}/import",
            retry=False,
            content=orjson.dumps(tasks),
            headers={"Content-Type": "application/json"},
        ).json()

    def create_annotation(self, task_id: int, result: list[dict], **extra: Any) -> dict[str, Any]:
        body = {"result": result, **extra}
        return self.request(
            "POST", f"/api/tasks/{task_id}/annotations", retry=False, json=body
        ).json()

    # --- exports -----------------------------------------------------------------------------

    def create_export(self, project_id: int, **body: Any) -> dict[str, Any]:
        return self.request(
            "POST", f"/api/projects/{project_id}/exports", retry=False, json=body
        ).json()

    def export_info(self, project_id: int, export_id: int) -> dict[str, Any]:
        return self.get_json(f"/api/projects/{project_id}/exports/{export_id}")

    def delete_export(self, project_id: int, export_id: int) -> None:
        self.request("DELETE", f"/api/projects/{project_id}/exports/{export_id}", retry=True)

    def download(self, path: str, out: IO[bytes], params: dict[str, Any] | None = None) -> int:
        """Stream a GET into ``out`` (restarted from the start on a retryable failure)."""
        attempt = 0
        while True:
            out.seek(0)
            out.truncate()
            try:
                r = self.request("GET", path, retry=True, stream=True, params=params or {})
                try:
                    for chunk in r.iter_bytes(1 << 20):
                        out.write(chunk)
                finally:
                    r.close()
                return out.tell()
            except httpx.TransportError as e:  # the stream broke after the headers
                if attempt >= self.retries:
                    raise Unreachable(f"{self.url}: download of {path} broke off ({e})") from e
                time.sleep(self.backoff * 2**attempt)
                attempt += 1
