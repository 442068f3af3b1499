"""Fault injection: "servers" that are not Label Studio, or that never answer.

Each stand-in is a tiny HTTP server on 127.0.0.1 started by the test (a stand-in only to inject
the fault; every other Label Studio test talks to the real server).
"""

from __future__ import annotations

import contextlib
import socket
import threading
import time
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from akhbar.annotation.labelstudio.client import Client, ServerError, Unreachable
from tests.helpers import run_akhbar, sample_articles


@contextlib.contextmanager
def fault_injected_server(
    status: int, content_type: str, body: bytes, hits: list[str] | None = None
) -> Iterator[str]:
    """An HTTP server that answers every request with the same reply (each request's method
    and path appended to ``hits``); its URL."""
    hits = [] if hits is None else hits

    class Reply(BaseHTTPRequestHandler):
        def _reply(self) -> None:
            hits.append(f"{self.command} {self.path}")
            length = int(self.headers.get("Content-Length") or 0)
            self.rfile.read(length)
            self.send_response(status)
            self.send_header("Content-Type", content_type)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        do_GET = do_POST = do_PATCH = do_DELETE = _reply

        def log_message(self, *args) -> None:
            pass

    httpd = ThreadingHTTPServer(("127.0.0.1", 0), Reply)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{httpd.server_address[1]}"
    finally:
        httpd.shutdown()
        httpd.server_close()


@contextlib.contextmanager
def fault_injected_silent_server() -> Iterator[str]:
    """A server that accepts connections and reads requests but never answers."""
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen()
    held: list[socket.socket] = []
    stop = threading.Event()

    def accept() -> None:
        listener.settimeout(0.2)
        while not stop.is_set():
            with contextlib.suppress(OSError):
                conn, _ = listener.accept()
                held.append(conn)  # kept open, never answered

    thread = threading.Thread(target=accept, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{listener.getsockname()[1]}"
    finally:
        stop.set()
        thread.join()
        for conn in held:
            conn.close()
        listener.close()


def _push(url: str, corpus) -> tuple[int, str, str]:
    return run_akhbar(
        "annotate", "push", corpus, "--project", "p", "--no-progress",
        "--url", url, "--api-key", "0" * 40,
    )  # fmt: skip


def test_a_fault_injected_html_page_with_200_is_a_one_line_error(write_corpus):
    page = b"<!DOCTYPE html><html><head><title>Sign in</title></head><body>proxy</body></html>"
    with fault_injected_server(200, "text/html; charset=utf-8", page) as url:
        code, _, err = _push(url, write_corpus(sample_articles(2)))
    assert code != 0
    assert len(err.strip().splitlines()) == 1 and "Traceback" not in err
    assert url in err and "HTTP 200 text/html" in err and "Sign in" in err
    assert "not the JSON of the Label Studio API" in err


@pytest.mark.parametrize(
    "body",
    [b'{"hello": "world"}', b"[1, 2, 3]", b'{"count": 1, "results": [{"id": "seven"}]}'],
    ids=["object", "array", "bad-id"],
)
def test_a_fault_injected_reply_of_the_wrong_shape_is_a_one_line_error(write_corpus, body):
    with fault_injected_server(200, "application/json", body) as url:
        code, _, err = _push(url, write_corpus(sample_articles(2)))
    assert code != 0
    assert len(err.strip().splitlines()) == 1 and "Traceback" not in err
    assert url in err and "HTTP 200 application/json" in err


def test_a_fault_injected_server_that_never_answers_stops_at_the_deadline_visibly():
    said: list[str] = []
    with fault_injected_silent_server() as url:
        t0 = time.monotonic()
        with (
            Client(url, "0" * 40, deadline=3.0, notice=1.0, backoff=0.1, echo=said.append) as c,
            pytest.raises(Unreachable) as e,
        ):
            c.find_project("p")  # a read: retried, but within the same deadline
        took = time.monotonic() - t0
    assert took < 8, took  # the deadline holds for the whole call, retries included
    assert f"{url}: no answer to GET /api/projects within 3 s" in str(e.value)
    assert said and said[0].startswith(f"waiting for {url} (GET /api/projects): no answer after")
    assert "gives up after 3 s" in said[0]


def test_a_fault_injected_502_is_retried_for_a_read_but_never_for_a_write():
    hits: list[str] = []
    with (
        fault_injected_server(502, "text/html", b"<html>Bad Gateway</html>", hits) as url,
        Client(url, "0" * 40, backoff=0.01, retries=2) as c,
    ):
        with pytest.raises(ServerError, match=r"POST /api/projects/7/import failed with HTTP 502"):
            c.import_tasks(7, [{"data": {"text": "x"}}])
        assert [h.split("?")[0] for h in hits] == ["POST /api/projects/7/import"]
        hits.clear()
        with pytest.raises(ServerError, match=r"GET /api/projects/7 failed with HTTP 502"):
            c.project(7)
        assert len(hits) == 3  # the first try and two retries
