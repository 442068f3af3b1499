"""Shared pytest fixtures.

Label Studio: ``labelstudio`` is one real server for the whole session, started with the same
library code as ``akhbar studio up`` on a free port with a fresh temporary data dir, and
stopped at the end. Set ``AKHBAR_TEST_LS_URL`` and ``AKHBAR_TEST_LS_API_KEY`` to use a running
server instead (tests that stop and start the local server are then skipped; the browser tests
also need ``AKHBAR_TEST_LS_SETTINGS``, the settings file holding its user and password).
"""

from __future__ import annotations

import os
import threading
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from hypothesis import settings

from tests.helpers import REPO

# Shared machines are slow at times: no property test may fail on a per-example time limit.
settings.register_profile("akhbar", deadline=None)
settings.load_profile("akhbar")

# --- Label Studio ------------------------------------------------------------------------------


@dataclass
class LabelStudioServer:
    url: str
    api_key: str
    paths: object | None  # annotation.labelstudio.server.Paths of a server we started, else None

    @property
    def conn(self):
        from akhbar.annotation.labelstudio.client import Connection

        return Connection(self.url, self.api_key, "test server")

    def client(self, **kwargs):
        from akhbar.annotation.labelstudio.client import Client

        return Client(self.url, self.api_key, **kwargs)

    def cli_args(self) -> list[str]:
        return ["--url", self.url, "--api-key", self.api_key]


@pytest.fixture(scope="session", autouse=True)
def _own_cache_dir(tmp_path_factory) -> Iterator[None]:
    """Push ledgers (``annotation.push.ledger``) go to a temporary cache, not the user's."""
    old = os.environ.get("XDG_CACHE_HOME")
    os.environ["XDG_CACHE_HOME"] = str(tmp_path_factory.mktemp("cache"))
    yield
    if old is None:
        os.environ.pop("XDG_CACHE_HOME", None)
    else:
        os.environ["XDG_CACHE_HOME"] = old


class _Starting(threading.Thread):
    """``server.up`` in the background: Label Studio takes a minute or more to start, and the
    tests before the first one that needs it run meanwhile."""

    def __init__(self, paths) -> None:
        super().__init__(name="akhbar-test-labelstudio", daemon=True)
        self.paths = paths
        self.status = None
        self.error: BaseException | None = None

    def run(self) -> None:
        from akhbar.annotation.labelstudio import server

        try:
            self.status = server.up(self.paths, port=server.free_port())
        except BaseException as e:  # raised again by the fixture that waits for it
            self.error = e


def _uses_labelstudio(session: pytest.Session) -> bool:
    return any("labelstudio" in getattr(item, "fixturenames", ()) for item in session.items)


@pytest.fixture(scope="session", autouse=True)
def _labelstudio_starting(request, tmp_path_factory) -> Iterator[_Starting | None]:
    """When a collected test needs the session's server (and the environment names none), it
    starts as the session does; stopped at the end whatever happened meanwhile."""
    url, key = os.environ.get("AKHBAR_TEST_LS_URL"), os.environ.get("AKHBAR_TEST_LS_API_KEY")
    if (url and key) or not _uses_labelstudio(request.session):
        yield None
        return
    from akhbar.annotation.labelstudio import server

    root = tmp_path_factory.mktemp("labelstudio")
    paths = server.Paths(
        data_dir=root / "data",
        settings=root / "akhbar" / "labelstudio.json",
        venv=REPO / server.DEFAULT_VENV,
    )
    starting = _Starting(paths)
    starting.start()
    try:
        yield starting
    finally:
        server.down(paths)  # a server still starting dies, and up() then fails at once
        starting.join()
        server.down(paths)


@pytest.fixture(scope="session")
def labelstudio(_labelstudio_starting) -> Iterator[LabelStudioServer]:
    """One real Label Studio server for the session (or the one named by the environment),
    started in the background when the session begins (``_labelstudio_starting``)."""
    url, key = os.environ.get("AKHBAR_TEST_LS_URL"), os.environ.get("AKHBAR_TEST_LS_API_KEY")
    if url and key:
        yield LabelStudioServer(url.rstrip("/"), key, None)
        return
    from akhbar.annotation.labelstudio import server

    starting = _labelstudio_starting
    assert starting is not None, "a test that needs Label Studio was not among those collected"
    starting.join()
    if starting.error is not None:
        raise starting.error
    try:
        yield LabelStudioServer(starting.status.url, starting.status.api_key, starting.paths)
    finally:
        server.down(starting.paths)


@pytest.fixture
def ls_project(labelstudio) -> Iterator[str]:
    """A fresh project title; the project, if a test made one, is deleted afterwards."""
    title = f"test {uuid.uuid4().hex[:10]}"
    yield title
    with labelstudio.client() as c:
        project = c.find_project(title)
        if project is not None:
            c.delete_project(project["id"])


# Conflict news written for these tests. Each entry: title, text. The texts are cleaned
# already (what a corpus store holds); offsets into them are Python str indices.
@pytest.fixture
def write_corpus(tmp_path) -> Callable[..., Path]:
    """Write rows as a corpus store's ``articles.parquet``; returns the store directory."""

    def write(rows: list[dict], name: str = "corpus") -> Path:
        d = tmp_path / name
        d.mkdir(parents=True, exist_ok=True)
        pq.write_table(pa.Table.from_pylist(rows), d / "articles.parquet")
        return d

    return write


# --- the bundled sample, built once --------------------------------------------------------------


@pytest.fixture(scope="session")
def sample_model(tmp_path_factory) -> dict[str, Path]:
    """The sample's corpus, validated hand annotations, release v1.0.0 and a suggestion model
    trained on it (``tests/helpers/suggest.py``), built once by the real command line for every
    test that only reads them (a test that writes makes its own outputs elsewhere)."""
    from tests.helpers.suggest import build_sample_model

    return build_sample_model(tmp_path_factory.mktemp("sample-model"))


# --- Ray ---------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def ray_cluster() -> Iterator[None]:
    """One real local Ray cluster (two CPUs), started once (the Ray tests are one module) and
    stopped after them, so that later tests do not fork a process that runs Ray's threads;
    builds with ``--executor ray`` use it rather than start their own."""
    import ray

    ray.init(
        num_cpus=2,
        include_dashboard=False,
        object_store_memory=300 * 2**20,
        log_to_driver=False,
        configure_logging=False,
    )
    try:
        yield
    finally:
        ray.shutdown()


# --- a real browser ----------------------------------------------------------------------------


@pytest.fixture(scope="session")
def chromium_browser():
    """Debian's Chromium driven by Playwright, one for the session."""
    from playwright.sync_api import sync_playwright

    from tests.helpers.labelstudio_ui import CHROMIUM_ARGS, chromium

    exe = chromium()
    if exe is None:
        pytest.fail("chromium is not installed: `make test` installs it (apt-get install chromium)")
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=exe, args=CHROMIUM_ARGS)
        try:
            yield browser
        finally:
            browser.close()


@pytest.fixture(scope="session")
def ls_login(labelstudio) -> tuple[str, str]:
    """The user and password of the session's server (the browser logs in with them)."""
    from akhbar.annotation.labelstudio import server_settings

    given = os.environ.get("AKHBAR_TEST_LS_SETTINGS")  # with AKHBAR_TEST_LS_URL
    if labelstudio.paths is None and not given:
        pytest.skip("set AKHBAR_TEST_LS_SETTINGS to the settings file of AKHBAR_TEST_LS_URL")
    settings = server_settings.read_settings(Path(given) if given else labelstudio.paths.settings)
    return settings["username"], settings["password"]


@pytest.fixture(scope="session")
def browser_state(chromium_browser, labelstudio, ls_login, tmp_path_factory) -> Path:
    """A logged-in browser state (cookies), made once by logging in through the page."""
    from tests.helpers.labelstudio_ui import VIEWPORT, LabelingPage

    ctx = chromium_browser.new_context(viewport=VIEWPORT)
    try:
        LabelingPage(ctx.new_page(), labelstudio.url).login(*ls_login)
        state = tmp_path_factory.mktemp("browser") / "state.json"
        ctx.storage_state(path=str(state))
    finally:
        ctx.close()
    return state


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(item, call):
    report = yield
    if report.when == "call":
        item.call_failed = report.failed  # for fixtures that keep evidence of a failure
    return report


@pytest.fixture
def labeling_page(chromium_browser, browser_state, labelstudio, request, tmp_path):
    """A fresh page of a logged-in browser context; a failed test leaves a screenshot."""
    from tests.helpers.labelstudio_ui import VIEWPORT, LabelingPage

    ctx = chromium_browser.new_context(viewport=VIEWPORT, storage_state=str(browser_state))
    try:
        page = LabelingPage(ctx.new_page(), labelstudio.url)
        yield page
        if getattr(request.node, "call_failed", False):
            shot = tmp_path / "failure.png"
            page.page.screenshot(path=str(shot))
            print(f"screenshot of the failure: {shot}")
    finally:
        ctx.close()
