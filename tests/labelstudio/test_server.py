"""The real Label Studio server: config validation and rendering, the studio CLI, tokens."""

from __future__ import annotations

import os
import secrets
import stat
import subprocess
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

from akhbar.annotation.labelstudio import client, labelconfig, server, server_settings, server_venv
from akhbar.annotation.push import corpus_push
from akhbar.schemas import taxonomy
from akhbar.schemas.errors import UsageError
from tests.helpers import run_akhbar

pytestmark = pytest.mark.labelstudio


def _local(labelstudio):
    if labelstudio.paths is None:
        pytest.skip("AKHBAR_TEST_LS_URL names an external server; this test needs our own")
    return labelstudio.paths


def _paths_args(paths) -> list[str]:
    return ["--data-dir", str(paths.data_dir), "--settings", str(paths.settings)]


@pytest.mark.parametrize("tax_file", ["ace_ar_conflict.yaml", "wojood.yaml"])
def test_server_accepts_the_generated_config(labelstudio, tax_file):
    tax = taxonomy.load(taxonomy.TAXONOMY_DIR / tax_file)
    with labelstudio.client() as c:
        c.validate_config(labelconfig.label_config(tax))  # raises on HTTP 400
        with pytest.raises(client.ServerError) as e:
            c.validate_config(labelconfig.label_config(tax).replace('toName="text"', 'toName="x"'))
        assert e.value.status == 400


def test_project_renders_entity_labels_trigger_labels_and_role_relations(labelstudio, ls_project):
    tax = taxonomy.load()
    with labelstudio.client() as c:
        project, created, _ = corpus_push.ensure_project(c, ls_project, tax)
        assert created
        stored = c.project(project["id"])
    parsed = stored["parsed_label_config"]
    assert parsed["entity"]["type"] == "Labels" and parsed["entity"]["to_name"] == ["text"]
    assert parsed["entity"]["labels"] == tax.entity_names
    assert parsed["trigger"]["labels"] == tax.event_names
    assert parsed["entity"]["labels_attrs"]["GPE"]["hotkey"] == "3"
    # Relations are not a control with a toName, so the parsed config omits them: read the
    # config as the server stored it (the one the labeling UI loads).
    root = ET.fromstring(stored["label_config"])
    assert [r.get("value") for r in root.iter("Relation")] == tax.role_names
    assert stored["show_instruction"] is True
    assert "<h3>Argument roles of each event</h3>" in stored["expert_instruction"]
    assert stored["expert_instruction"] == labelconfig.instructions_html(tax)


class _Result:
    """What a command printed, as the assertions below read it."""

    def __init__(self, code: int, out: str, err: str) -> None:
        self.exit_code, self.output = code, out + err  # both streams, as a terminal shows them


def test_studio_status_down_and_up_again(labelstudio):
    paths = _local(labelstudio)
    r = _Result(*run_akhbar("studio", "status", *_paths_args(paths)))
    assert r.exit_code == 0, r.output
    assert f"url:      {labelstudio.url}" in r.output
    assert (
        "health:   ok" in r.output and f"version:  {server_venv.LABEL_STUDIO_VERSION}" in r.output
    )
    assert (
        labelstudio.api_key not in r.output
        and server_settings.mask(labelstudio.api_key) in r.output
    )
    assert stat.S_IMODE(paths.settings.stat().st_mode) == 0o600
    assert stat.S_IMODE(paths.settings.parent.stat().st_mode) == 0o700
    old_pid = int(paths.pid_file.read_text())

    r = _Result(*run_akhbar("studio", "down", *_paths_args(paths)))
    assert r.exit_code == 0 and f"stopped Label Studio (pid {old_pid})" in r.output
    assert not paths.pid_file.exists() and not server.health(labelstudio.url)
    with pytest.raises(ProcessLookupError):
        os.kill(old_pid, 0)
    r = _Result(*run_akhbar("studio", "down", *_paths_args(paths)))
    assert r.output.strip() == "Label Studio was not running"

    # A warm start: same port, same token (read back from the settings file).
    r = _Result(*run_akhbar("studio", "up", *_paths_args(paths), "--venv", str(paths.venv)))
    assert r.exit_code == 0, r.output
    assert "health:   ok" in r.output and labelstudio.api_key not in r.output
    assert server_settings.read_settings(paths.settings)["api_key"] == labelstudio.api_key
    assert int(paths.pid_file.read_text()) != old_pid
    with labelstudio.client() as c:
        assert c.whoami()["email"] == server.DEFAULT_USERNAME

    # `up` on a running server finds it instead of starting a second one.
    pid = int(paths.pid_file.read_text())
    r = _Result(*run_akhbar("studio", "up", *_paths_args(paths), "--venv", str(paths.venv)))
    assert r.exit_code == 0 and f"pid:      {pid}" in r.output


def test_up_refuses_a_port_in_use(labelstudio, tmp_path):
    paths = _local(labelstudio)
    other = server.Paths(data_dir=tmp_path / "d", settings=tmp_path / "s.json", venv=paths.venv)
    port = int(labelstudio.url.rsplit(":", 1)[1])
    with pytest.raises(UsageError, match=f"port {port} on 127.0.0.1 is in use"):
        server.up(other, port=port)
    assert not other.pid_file.exists()


def test_down_never_stops_a_server_of_another_data_dir(labelstudio, tmp_path):
    paths = _local(labelstudio)
    other = server.Paths(data_dir=tmp_path / "d", settings=tmp_path / "s.json", venv=paths.venv)
    other.data_dir.mkdir()
    other.pid_file.write_text(paths.pid_file.read_text())  # a stale or copied pid file
    assert server.down(other) is None
    assert not other.pid_file.exists() and server.health(labelstudio.url)


def test_a_personal_access_token_works_too(labelstudio):
    paths = _local(labelstudio)
    settings = server_settings.read_settings(paths.settings)
    # Create one the way a user would: log in, then POST /api/token/ with the CSRF cookie.
    with client.http_client(60, base_url=labelstudio.url) as s:  # a browser login, not the API
        s.get("/user/login/")
        s.post(
            "/user/login/",
            data={
                "csrfmiddlewaretoken": s.cookies["csrftoken"],
                "email": settings["username"],
                "password": settings["password"],
            },
        )
        r = s.post("/api/token/", headers={"X-CSRFToken": s.cookies["csrftoken"]})
        if r.status_code == 400 and "exist" in r.text.lower():
            pytest.skip("this user already has a personal access token")
        r.raise_for_status()
        pat = r.json()["token"]
    assert client.token_kind(pat) == "personal"
    assert client.token_kind(labelstudio.api_key) == "legacy"
    with client.Client(labelstudio.url, pat) as c:
        assert c.whoami()["email"] == settings["username"]
        tokens = c.sdk._client_wrapper._tokens_client  # the SDK's cache of the access token
        tokens._access_token = None  # as if the five-minute access token had expired
        assert c.whoami()["email"] == settings["username"]
        # a refused access token (the signature is wrong, the clock says valid) is renewed
        tokens._access_token = "eyJhbGciOiJIUzI1NiJ9.eyJleHAiOjk5OTk5OTk5OTl9.invalid"
        assert c.whoami()["email"] == settings["username"]


def test_a_wrong_key_is_a_one_line_usage_error(labelstudio):
    with (
        client.Client(labelstudio.url, "0" * 40) as c,
        pytest.raises(UsageError, match="refused the API key"),
    ):
        c.whoami()


def test_connection_comes_from_options_then_environment_then_settings(tmp_path, monkeypatch):
    monkeypatch.delenv(client.URL_ENV, raising=False)
    monkeypatch.delenv(client.KEY_ENV, raising=False)
    settings = tmp_path / "ls.json"
    with pytest.raises(UsageError, match="akhbar studio up"):
        client.resolve(settings=settings)
    server_settings.write_settings(settings, {"url": "http://127.0.0.1:1/", "api_key": "k" * 40})
    assert client.resolve(settings=settings).url == "http://127.0.0.1:1"
    monkeypatch.setenv(client.URL_ENV, "http://team.example:8080")
    with pytest.raises(UsageError, match="add --api-key"):
        client.resolve(settings=settings)
    monkeypatch.setenv(client.KEY_ENV, "team-key")
    conn = client.resolve(settings=settings)
    assert (conn.url, conn.api_key) == ("http://team.example:8080", "team-key")
    conn = client.resolve("http://other:1", "opt-key", settings=settings)
    assert (conn.url, conn.api_key) == ("http://other:1", "opt-key")


def test_the_data_dir_and_database_are_private_and_no_secret_is_on_a_command_line(
    labelstudio, monkeypatch
):
    paths = _local(labelstudio)
    assert stat.S_IMODE(paths.data_dir.stat().st_mode) == 0o700
    assert stat.S_IMODE((paths.data_dir / server.DB_FILE).stat().st_mode) == 0o600
    settings = server_settings.read_settings(paths.settings)
    cmdline = Path(f"/proc/{paths.pid_file.read_text().strip()}/cmdline").read_bytes()
    assert settings["password"].encode() not in cmdline
    assert settings["api_key"].encode() not in cmdline

    # A data dir whose settings file was lost: its password is reset through standard input.
    spawned: list[list[str]] = []
    real_run = subprocess.run

    def spy(argv, *args, **kwargs):
        spawned.append([str(a) for a in argv])
        return real_run(argv, *args, **kwargs)

    monkeypatch.setattr(server.subprocess, "run", spy)
    exe, user = server_venv.executable(paths.venv), settings["username"]
    new = f"reset-{secrets.token_urlsafe(12)}"
    try:
        server._reset_password(exe, paths, user, new)
        assert spawned and not any(new in " ".join(argv) for argv in spawned)
        assert server.provision_token(labelstudio.url, user, new) == labelstudio.api_key
    finally:
        server._reset_password(exe, paths, user, settings["password"])
    assert server.provision_token(labelstudio.url, user, settings["password"])


def test_an_existing_directory_keeps_its_mode(tmp_path):
    shared = tmp_path / "shared"
    shared.mkdir()
    shared.chmod(0o755)
    server_settings.write_settings(shared / "x.json", {"url": "http://127.0.0.1:1"})
    assert stat.S_IMODE(shared.stat().st_mode) == 0o755  # the user's directory, untouched
    assert stat.S_IMODE((shared / "x.json").stat().st_mode) == 0o600
    server_settings.write_settings(tmp_path / "new" / "deeper" / "x.json", {})
    for made in (tmp_path / "new", tmp_path / "new" / "deeper"):
        assert stat.S_IMODE(made.stat().st_mode) == 0o700

    # An existing, open data dir: left as it is, with a note; its database made private.
    data = tmp_path / "data"
    data.mkdir()
    data.chmod(0o755)
    (data / server.DB_FILE).write_bytes(b"")
    (data / server.DB_FILE).chmod(0o644)
    said: list[str] = []
    server._private_data_dir(server.Paths(data, tmp_path / "s.json"), said.append)
    assert stat.S_IMODE(data.stat().st_mode) == 0o755
    assert stat.S_IMODE((data / server.DB_FILE).stat().st_mode) == 0o600
    assert len(said) == 1 and "can be read by other users (mode 755)" in said[0]
    server._private_data_dir(server.Paths(tmp_path / "fresh", tmp_path / "s.json"), said.append)
    assert stat.S_IMODE((tmp_path / "fresh").stat().st_mode) == 0o700 and len(said) == 1
