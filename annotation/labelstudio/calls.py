"""How one call to Label Studio is made: the SDK's client, a deadline, retries, one-line errors.

``Caller`` holds the SDK's generated client (``LabelStudioBase``: the projects, tasks,
annotations, predictions, exports and users API of ``LabelStudio`` without the extensions that
import pandas and the label-interface parser, which cost 0.5 s and 120 MB at start-up and which
akhbar does not use) and runs every call through :meth:`Caller.call`, which adds what the SDK
leaves to callers:

- **Retries only for idempotent calls.** The SDK is built with ``max_retries=0``, because its
  own retries also repeat POSTs (a task import whose answer was lost would land twice);
  reads, updates and deletes are retried here, on connection errors and 502/503/504.
- **A deadline per request**, retries included (:data:`DEFAULT_DEADLINE`), and a line on
  stderr when an answer is slow to come, so that a server that accepts the connection but
  never answers stops a command within minutes and visibly, not silently after an hour.
- **One-line errors**: a refused key, an HTTP error, no answer, or an answer that is not the
  JSON of the API (an HTML page from a proxy, another shape) each name the URL and the call.
- **Personal access tokens** (JWT refresh tokens) are exchanged by the SDK for short-lived
  access tokens; one the server refuses before its time is renewed once here.

The SDK and httpx are imported when a ``Caller`` is made, not with this module, so commands
that never talk to a server do not pay for them. The httpx client given to the SDK is made by
:func:`http_client` (time-outs, and a transport that tests replace to inject faults).
"""

from __future__ import annotations

import base64
import json
import sys
import threading
import time
import warnings
from collections.abc import Callable
from typing import TYPE_CHECKING, Any, TypeVar

import orjson

from akhbar.schemas.errors import OutputError, UsageError

if TYPE_CHECKING:
    import httpx

# How long one request may take in all, retries included. A bulk import of a batch or an
# export snapshot's creation on a small server take seconds, not minutes.
DEFAULT_DEADLINE = 300.0
CONNECT_TIMEOUT = 15.0
WAIT_NOTICE = 10.0  # seconds without an answer before saying that we are waiting
RETRY_STATUS = {502, 503, 504}

T = TypeVar("T")


class ServerError(OutputError):
    """Label Studio answered with an error status; ``status`` and ``detail`` say which."""

    def __init__(self, message: str, status: int, detail: str):
        super().__init__(message)
        self.status = status
        self.detail = detail


class Unreachable(OutputError):
    """The server did not answer (connection refused, reset, or no answer in time)."""


class BadReply(OutputError):
    """Something answered, but not with the JSON of the Label Studio API."""


def token_kind(api_key: str) -> str:
    """``"personal"`` for a personal access token (a JWT), else ``"legacy"``."""
    parts = api_key.split(".")
    if len(parts) != 3 or not api_key.startswith("eyJ"):
        return "legacy"
    try:
        json.loads(base64.urlsafe_b64decode(parts[1] + "=" * (-len(parts[1]) % 4)))
    except ValueError:
        return "legacy"
    return "personal"


def http_client(
    deadline: float = DEFAULT_DEADLINE,
    transport: httpx.BaseTransport | None = None,
    **kwargs: Any,
) -> httpx.Client:
    """The httpx client under the SDK (and under ``studio up``'s login): time-outs, transport."""
    import httpx

    timeout = httpx.Timeout(deadline, connect=min(CONNECT_TIMEOUT, deadline))
    return httpx.Client(timeout=timeout, transport=transport, **kwargs)


def transport_errors() -> tuple[type[Exception], ...]:
    """The exceptions that mean "no answer" (for callers that must not import httpx)."""
    import httpx

    return (httpx.HTTPError,)


def _snippet(text: str, n: int = 120) -> str:
    return " ".join(text.split())[:n]


def _detail(body: Any) -> str:
    if isinstance(body, dict):
        for key in ("validation_errors", "detail", "error"):
            if body.get(key):
                v = body[key]
                return v if isinstance(v, str) else json.dumps(v, ensure_ascii=False)[:500]
    if isinstance(body, str):
        return _snippet(body, 300)
    return json.dumps(body, ensure_ascii=False, default=str)[:500]


def need(value: Any, what: str, **fields: type) -> Any:
    """``value`` if it is an object with these fields of these types; else ValueError."""
    if not isinstance(value, dict):
        raise ValueError(f"{what} is {type(value).__name__}, not an object")
    for name, kind in fields.items():
        if not isinstance(value.get(name), kind) or isinstance(value.get(name), bool):
            raise ValueError(f"{what} has no {kind.__name__} {name!r}")
    return value


def plain(model: Any) -> Any:
    """An SDK model as plain JSON values (extra fields the server sent included)."""
    if hasattr(model, "model_dump"):
        # No warnings (the SDK's serializer prints them): a field of another type is for
        # ``need`` to report, in one line.
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            return model.model_dump(mode="json", exclude_unset=True, warnings=False)
    if hasattr(model, "dict"):
        return model.dict(exclude_unset=True)
    return model


class _Waiting:
    """Say on stderr, every so often, that an answer is slow to come (a daemon thread)."""

    def __init__(self, what: str, deadline: float, notice: float, echo: Callable[[str], None]):
        self.what, self.deadline, self.notice, self.echo = what, deadline, notice, echo
        self.done = threading.Event()

    def _run(self) -> None:
        t0 = time.monotonic()
        wait = self.notice
        while not self.done.wait(wait):
            self.echo(
                f"waiting for {self.what}: no answer after {time.monotonic() - t0:.0f} s "
                f"(gives up after {self.deadline:.0f} s)"
            )
            wait = max(self.notice, 30.0)

    def __enter__(self) -> _Waiting:
        if self.notice > 0:
            threading.Thread(target=self._run, daemon=True).start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.done.set()


def _stderr(line: str) -> None:
    print(line, file=sys.stderr, flush=True)


class Caller:
    """One Label Studio server, one user, through the SDK. A context manager.

    ``sdk`` is the SDK's client; every use of it goes through :meth:`call`.
    """

    def __init__(
        self,
        url: str,
        api_key: str,
        *,
        transport: httpx.BaseTransport | None = None,
        deadline: float = DEFAULT_DEADLINE,
        retries: int = 4,
        backoff: float = 0.5,
        notice: float = WAIT_NOTICE,
        echo: Callable[[str], None] = _stderr,
    ):
        import httpx
        from label_studio_sdk.base_client import LabelStudioBase
        from label_studio_sdk.core.api_error import ApiError
        from pydantic import ValidationError

        self.url = url.rstrip("/")
        self.api_key = api_key
        self.deadline = deadline
        self.retries = retries
        self.backoff = backoff
        self.notice = notice
        self.echo = echo
        self.kind = token_kind(api_key)
        self._httpx = httpx
        self._api_error = ApiError
        self._bad_shape = (ValueError, TypeError, AttributeError, KeyError, ValidationError)
        self._local = threading.local()  # the last response, for messages about it
        self._http = http_client(
            deadline,
            transport,
            headers={"Accept": "application/json"},
            event_hooks={"response": [self._remember]},
        )
        try:
            self.sdk = LabelStudioBase(
                base_url=self.url, api_key=api_key, httpx_client=self._http, max_retries=0
            )
        except ApiError as e:  # an expired personal access token is refused right here
            self._http.close()
            raise UsageError(
                f"{self.url}: the API key cannot be used ({_detail(e.body)}); create a new "
                f"one in Account & Settings"
            ) from None

    def close(self) -> None:
        self._http.close()

    def __enter__(self) -> Caller:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # --- the one way every call is made ----------------------------------------------------

    def _remember(self, response: httpx.Response) -> None:
        self._local.last = response

    def _came_back(self) -> str:
        """What the last response was, in a few words, for a message."""
        r = getattr(self._local, "last", None)
        if r is None:
            return "nothing"
        kind = r.headers.get("content-type", "no content type").split(";")[0]
        try:
            text = r.text
        except self._httpx.ResponseNotRead:
            text = ""
        return f"HTTP {r.status_code} {kind}" + (f": {_snippet(text, 80)!r}" if text else "")

    def call(
        self,
        what: str,
        fn: Callable[[dict[str, Any]], T],
        *,
        retry: bool,
        deadline: float | None = None,
    ) -> T:
        """Run ``fn(request_options)``, one SDK call; retried only if ``retry`` (idempotent).

        ``what`` names the call in messages (``"GET /api/projects"``). The whole call,
        retries included, ends after ``deadline`` seconds (default: the client's).
        """
        deadline = deadline or self.deadline
        start = time.monotonic()
        attempt = 0
        refreshed = False
        label = f"{self.url} ({what})"
        with _Waiting(label, deadline, self.notice, self.echo) as waiting:
            self._local.waiting = waiting
            while True:
                left = deadline - (time.monotonic() - start)
                self._local.last = None
                try:
                    return fn({"timeout_in_seconds": max(left, 0.001)})
                except self._api_error as e:
                    status = e.status_code or 0
                    if status == 401 and self.kind == "personal" and not refreshed:
                        # The SDK renews the access token only when its clock says it has
                        # expired; a token the server refused earlier is renewed once here.
                        self.sdk._client_wrapper._tokens_client._access_token = None
                        refreshed = True
                        continue
                    if retry and status in RETRY_STATUS and self._again(attempt, start, deadline):
                        attempt += 1
                        continue
                    raise self._error(what, e) from None
                except self._httpx.TransportError as e:
                    if retry and self._again(attempt, start, deadline):
                        attempt += 1
                        continue
                    if isinstance(e, self._httpx.TimeoutException):
                        raise Unreachable(
                            f"{self.url}: no answer to {what} within {deadline:.0f} s "
                            f"({type(e).__name__}); is the server overloaded or stuck? try "
                            f"again later"
                        ) from None
                    raise Unreachable(
                        f"{self.url}: no answer to {what} ({type(e).__name__}: {e})"
                    ) from None
                except self._bad_shape as e:
                    if self._local.last is None:
                        raise  # nothing came back: a mistake of ours, not of the server
                    raise BadReply(
                        f"{self.url}: {what} answered {self._came_back()}, not the JSON of the "
                        f"Label Studio API ({_snippet(str(e), 100)}); is {self.url} a Label "
                        f"Studio server?"
                    ) from None

    def _again(self, attempt: int, start: float, deadline: float) -> bool:
        """Sleep before another try, if one is allowed and fits in the deadline."""
        pause = self.backoff * 2**attempt
        if attempt >= self.retries or time.monotonic() - start + pause >= deadline:
            return False
        time.sleep(pause)
        return True

    def _error(self, what: str, e: Any) -> Exception:
        status, body = e.status_code or 0, e.body
        if 200 <= status < 300:  # the SDK could not decode a success: not JSON at all
            return BadReply(
                f"{self.url}: {what} answered {self._came_back()}, not the JSON of the Label "
                f"Studio API; is {self.url} a Label Studio server?"
            )
        detail = _detail(body)
        if status in (401, 403):
            return UsageError(
                f"{self.url} refused the API key for {what} (HTTP {status}: {detail}); check "
                f"--api-key / LABEL_STUDIO_API_KEY or run `akhbar studio up`"
            )
        return ServerError(
            f"{self.url}: {what} failed with HTTP {status}: {detail}", status, detail
        )

    def raw(
        self,
        method: str,
        path: str,
        *,
        retry: bool,
        json_body: Any = None,
        deadline: float | None = None,
        **kw: Any,
    ) -> Any:
        """A call through the SDK's HTTP layer (its auth and base URL), parsed with orjson.

        For the few calls where the generated method does not fit; each caller says why.
        """
        http = self.sdk._client_wrapper.httpx_client
        if json_body is not None:
            kw["content"] = orjson.dumps(json_body)
            kw["headers"] = {**kw.get("headers", {}), "Content-Type": "application/json"}

        def go(options: dict[str, Any]) -> Any:
            r = http.request(path.lstrip("/"), method=method, request_options=options, **kw)
            if r.status_code >= 400:
                try:
                    body: Any = orjson.loads(r.content)
                except orjson.JSONDecodeError:
                    body = r.text
                raise self._api_error(status_code=r.status_code, body=body)
            return orjson.loads(r.content) if r.content else None

        return self.call(f"{method} {path}", go, retry=retry, deadline=deadline)

    # --- server ------------------------------------------------------------------------------
