"""A local Label Studio server: its own virtual environment, start, stop, status, and a token.

``up`` creates ``.venv-labelstudio`` with the pinned ``label-studio`` if it is missing, starts
``label-studio start`` bound to 127.0.0.1 with its SQLite data in ``.labelstudio/``, detached,
with its log in ``DATA_DIR/server.log`` and its pid in ``DATA_DIR/server.pid``. Telemetry,
error reporting and update checks are switched off through the environment.

The admin user is created by Label Studio itself from ``LABEL_STUDIO_USERNAME`` and
``LABEL_STUDIO_PASSWORD`` (environment, so the password never shows in ``ps``). The API token
is then fetched by logging in like a browser and reading the user's legacy token
(``/api/current-user/token``); the organisation is created with legacy tokens enabled.
We use the legacy token rather than a personal access token because it can be read again at
any time: Label Studio keeps one personal access token per user and shows only a truncated
copy after creation, so a lost settings file would otherwise need a manual revoke in the UI.
The client accepts either kind (``annotation.labelstudio.client``).

The server gets no ``LABEL_STUDIO_*`` variable from the calling shell (nor plain ``PORT``,
``HOST``, ``DATABASE_NAME``, which it would also read), so it is the same on every machine.

URL, user, password and token go to a settings file (``.akhbar/labelstudio.json``) that only
the user can read. The token is never printed in full (``mask``).
"""

from __future__ import annotations

import contextlib
import os
import secrets
import signal
import socket
import subprocess
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from akhbar.annotation.labelstudio.client import http_client, transport_errors
from akhbar.annotation.labelstudio.server_settings import (
    make_private_dir,
    mask,
    read_settings,
    write_settings,
)
from akhbar.annotation.labelstudio.server_venv import ensure_venv
from akhbar.schemas.errors import OutputError, UsageError

DEFAULT_VENV = Path(".venv-labelstudio")
DEFAULT_DATA_DIR = Path(".labelstudio")
DEFAULT_SETTINGS = Path(".akhbar/labelstudio.json")
DEFAULT_PORT = 8080
DEFAULT_USERNAME = "admin@localhost"
HOST = "127.0.0.1"
PID_FILE = "server.pid"
LOG_FILE = "server.log"
DB_FILE = "label_studio.sqlite3"  # Label Studio's default database name in its data dir

# Everything that would make Label Studio talk to the outside world, switched off.
QUIET_ENV = {
    "SENTRY_DSN": "",
    "FRONTEND_SENTRY_DSN": "",
    "COLLECT_ANALYTICS": "false",
    "LATEST_VERSION_CHECK": "false",
    "CONVERTER_DOWNLOAD_RESOURCES": "false",
    "FEATURE_FLAGS_OFFLINE": "true",
    "LABEL_STUDIO_ENABLE_LEGACY_API_TOKEN": "true",
    "DJANGO_DB": "sqlite",
    "DEBUG": "false",
}


# --- process -----------------------------------------------------------------------------------


@dataclass
class Paths:
    data_dir: Path = DEFAULT_DATA_DIR
    settings: Path = DEFAULT_SETTINGS
    venv: Path = DEFAULT_VENV

    def __post_init__(self) -> None:
        self.data_dir = Path(self.data_dir).absolute()
        self.settings = Path(self.settings).absolute()
        self.venv = Path(self.venv).absolute()

    @property
    def pid_file(self) -> Path:
        return self.data_dir / PID_FILE

    @property
    def log_file(self) -> Path:
        return self.data_dir / LOG_FILE


@dataclass
class Status:
    url: str | None
    pid: int | None
    running: bool
    healthy: bool
    version: str | None
    username: str | None
    api_key: str | None
    data_dir: Path
    settings: Path
    log_file: Path

    def lines(self) -> list[str]:
        """What ``studio status`` prints; the token masked."""
        return [
            f"url:      {self.url or '(none)'}",
            f"pid:      {self.pid if self.pid else '(not running)'}",
            f"running:  {'yes' if self.running else 'no'}",
            f"health:   {'ok' if self.healthy else 'down'}",
            f"version:  {self.version or '(unknown)'}",
            f"user:     {self.username or '(none)'}",
            f"token:    {mask(self.api_key)}",
            f"data:     {self.data_dir}",
            f"settings: {self.settings}",
            f"log:      {self.log_file}",
        ]


def _read_pid(paths: Paths) -> int | None:
    try:
        return int(paths.pid_file.read_text().strip())
    except (OSError, ValueError):
        return None


def _is_ours(pid: int, paths: Paths) -> bool:
    """True if ``pid`` is alive and is the Label Studio serving ``paths.data_dir``.

    Checked against the process's command line and environment, so that a stale pid file
    whose number was reused, or another data dir's server, is never taken for ours.
    """
    try:
        os.kill(pid, 0)
    except (ProcessLookupError, PermissionError):
        return False
    proc = Path(f"/proc/{pid}")
    if not proc.is_dir():
        return True  # no /proc (macOS): trust the pid file
    try:
        cmdline = (proc / "cmdline").read_bytes()
        environ = (proc / "environ").read_bytes().split(b"\0")
    except OSError:
        return False
    want = f"LABEL_STUDIO_BASE_DATA_DIR={paths.data_dir}".encode()
    return b"label-studio" in cmdline and want in environ


def _port_free(port: int) -> bool:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            s.bind((HOST, port))
        except OSError:
            return False
    return True


def free_port() -> int:
    """A port on 127.0.0.1 that nothing listens on right now."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind((HOST, 0))
        return s.getsockname()[1]


def _get_json(url: str, timeout: float, **kw: Any) -> Any:
    """GET ``url`` and its JSON body, or None if there is no answer or no JSON."""
    try:
        with http_client(timeout) as s:
            r = s.get(url, **kw)
        return r.json() if r.status_code == 200 else None
    except (*transport_errors(), ValueError):
        return None


def health(url: str, timeout: float = 5.0) -> bool:
    body = _get_json(f"{url}/health", timeout)
    return isinstance(body, dict) and body.get("status") == "UP"


def server_version(url: str, timeout: float = 10.0) -> str | None:
    body = _get_json(f"{url}/api/version", timeout)
    return body.get("release") if isinstance(body, dict) else None


def _env(paths: Paths, username: str, password: str) -> dict[str, str]:
    # Label Studio reads LABEL_STUDIO_X, HEARTEX_X and then plain X for each setting, so a
    # shell's PORT, HOST or DATABASE_NAME would leak into it: the local server gets none.
    skip = {"PORT", "HOST", "USER_TOKEN", "DATABASE_NAME", "DJANGO_DB", "BASE_DATA_DIR"}
    env = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith(("LABEL_STUDIO_", "HEARTEX_")) and k not in skip
    }
    env.update(QUIET_ENV)
    env.update(
        LABEL_STUDIO_BASE_DATA_DIR=str(paths.data_dir),
        LABEL_STUDIO_USERNAME=username,
        LABEL_STUDIO_PASSWORD=password,
        LABEL_STUDIO_HOST="",
    )
    return env


def _tail(path: Path, n: int = 5) -> str:
    try:
        lines = path.read_text(encoding="utf-8", errors="replace").splitlines()
    except OSError:
        return ""
    return " | ".join(line.strip() for line in lines[-n:] if line.strip())


def _reset_password(exe: Path, paths: Paths, username: str, password: str) -> None:
    """Set the admin password of an existing data dir whose settings file was lost.

    The password goes to the command's standard input, never its command line (where ``ps``
    shows it): without ``--password`` Label Studio asks with ``getpass``, which reads standard
    input when the process has no terminal (``start_new_session``).
    """
    r = subprocess.run(
        [str(exe), "reset_password", "--username", username],
        env=_env(paths, username, password),
        cwd=paths.data_dir,
        input=password + "\n",
        capture_output=True,
        text=True,
        timeout=600,
        start_new_session=True,
        umask=0o077,
    )
    # "not found" is fine: Label Studio creates the user from the environment when it starts.
    if r.returncode != 0:
        raise OutputError(
            f"{paths.data_dir}: could not set the password of {username} "
            f"({(r.stdout + r.stderr).strip()[-200:]}); remove {paths.data_dir} to start afresh"
        )


def provision_token(url: str, username: str, password: str, timeout: float = 60.0) -> str:
    """Log in like a browser and return the user's legacy API token.

    Enables legacy tokens for the organisation first if they are off (a data dir created
    without ``LABEL_STUDIO_ENABLE_LEGACY_API_TOKEN``).
    """
    # A browser's login (session cookie and CSRF token): not an API call, so not the SDK's.
    with http_client(timeout, base_url=url, follow_redirects=False) as s:
        s.get("/user/login/")
        csrf = s.cookies.get("csrftoken")
        if not csrf:
            raise OutputError(f"{url}: the login page set no CSRF cookie; is it Label Studio?")
        r = s.post(
            "/user/login/",
            data={"csrfmiddlewaretoken": csrf, "email": username, "password": password},
            headers={"Referer": f"{url}/user/login/"},
        )
        if r.status_code != 302:
            raise OutputError(
                f"{url}: login as {username} failed (HTTP {r.status_code}); the password in "
                f"the settings file does not match the server's data dir"
            )
        headers = {"X-CSRFToken": s.cookies.get("csrftoken") or csrf, "Referer": f"{url}/"}
        jwt = s.get("/api/jwt/settings")
        if jwt.status_code == 200 and not jwt.json().get("legacy_api_tokens_enabled"):
            body = {**jwt.json(), "legacy_api_tokens_enabled": True}
            s.post("/api/jwt/settings", json=body, headers=headers).raise_for_status()
        r = s.get("/api/current-user/token")
        r.raise_for_status()
        return r.json()["token"]


def status(paths: Paths) -> Status:
    settings = read_settings(paths.settings)
    url = settings.get("url")
    pid = _read_pid(paths)
    running = pid is not None and _is_ours(pid, paths)
    healthy = bool(url) and health(url)
    return Status(
        url=url,
        pid=pid if running else None,
        running=running,
        healthy=healthy,
        version=server_version(url) if healthy else None,
        username=settings.get("username"),
        api_key=settings.get("api_key"),
        data_dir=paths.data_dir,
        settings=paths.settings,
        log_file=paths.log_file,
    )


def _wait_healthy(url: str, proc: subprocess.Popen | None, paths: Paths, timeout: float) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if health(url, timeout=3):
            return
        if proc is not None and proc.poll() is not None:
            raise OutputError(
                f"Label Studio exited with code {proc.returncode} before it was ready; "
                f"see {paths.log_file}: {_tail(paths.log_file)}"
            )
        time.sleep(0.5)
    raise OutputError(
        f"Label Studio did not answer {url}/health within {timeout:.0f} s; see {paths.log_file}"
    )


def _private_data_dir(paths: Paths, echo) -> None:
    """The data dir (it holds the API token in its database) and the database: the user's."""
    created = make_private_dir(paths.data_dir)
    mode = paths.data_dir.stat().st_mode & 0o777
    if not created and mode & 0o077:
        echo(
            f"note: {paths.data_dir} can be read by other users (mode {mode:o}); it holds the "
            f"API token: `chmod 700 {paths.data_dir}` to keep it private"
        )
    for name in (DB_FILE, f"{DB_FILE}-wal", f"{DB_FILE}-shm", f"{DB_FILE}-journal"):
        with contextlib.suppress(FileNotFoundError):
            (paths.data_dir / name).chmod(0o600)


def up(
    paths: Paths | None = None,
    port: int | None = None,
    username: str | None = None,
    timeout: float = 600.0,
    echo=print,
) -> Status:
    """Start the local server (or find it running), make sure a token exists, save settings."""
    paths = paths or Paths()
    settings = read_settings(paths.settings)
    exe = ensure_venv(paths.venv, echo=echo)
    _private_data_dir(paths, echo)
    username = username or settings.get("username") or DEFAULT_USERNAME
    password = settings.get("password") if settings.get("username") == username else None

    pid = _read_pid(paths)
    if pid is not None and _is_ours(pid, paths):
        url = settings.get("url")
        if not url or not password:
            raise UsageError(
                f"a Label Studio (pid {pid}) runs on {paths.data_dir} but {paths.settings} does "
                f"not describe it; stop it with `akhbar studio down` and run `studio up` again"
            )
        if port is not None and url != f"http://{HOST}:{port}":
            raise UsageError(f"Label Studio already runs at {url}; stop it first to change port")
        _wait_healthy(url, None, paths, timeout)
        proc = None
    else:
        paths.pid_file.unlink(missing_ok=True)
        port = port or settings.get("port") or DEFAULT_PORT
        if not _port_free(port):
            raise UsageError(f"port {port} on {HOST} is in use; pass --port with a free one")
        url = f"http://{HOST}:{port}"
        if password is None:
            password = secrets.token_urlsafe(18)
            if (paths.data_dir / DB_FILE).exists():
                _reset_password(exe, paths, username, password)
        fd = os.open(paths.log_file, os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o600)
        with os.fdopen(fd, "ab") as log:
            proc = subprocess.Popen(
                [str(exe), "start", "--no-browser", "--internal-host", HOST, "--port", str(port)],
                env=_env(paths, username, password),
                cwd=paths.data_dir,
                stdin=subprocess.DEVNULL,
                stdout=log,
                stderr=subprocess.STDOUT,
                start_new_session=True,  # detached: survives the shell that started it
                umask=0o077,  # the database and anything else it writes: the user's only
            )
        paths.pid_file.write_text(f"{proc.pid}\n")
        try:
            _wait_healthy(url, proc, paths, timeout)
        except BaseException:
            _stop(proc.pid, paths, 20)
            raise
        pid = proc.pid
        # Save what is known now, so that `down` and a later `up` find the server even if
        # getting a token fails below.
        settings.update(url=url, port=port, username=username, password=password)
        write_settings(paths.settings, settings)

    api_key = settings.get("api_key")
    if not api_key or not _token_works(url, api_key):
        api_key = provision_token(url, username, password)
    settings.update(
        url=url,
        port=int(url.rsplit(":", 1)[1]),
        username=username,
        password=password,
        api_key=api_key,
        token_kind="legacy",
        data_dir=str(paths.data_dir),
    )
    write_settings(paths.settings, settings)
    return status(paths)


def _token_works(url: str, api_key: str) -> bool:
    me = _get_json(
        f"{url}/api/current-user/whoami", 30.0, headers={"Authorization": f"Token {api_key}"}
    )
    return isinstance(me, dict)


def _stop(pid: int, paths: Paths, timeout: float) -> None:
    with contextlib.suppress(ProcessLookupError):
        os.kill(pid, signal.SIGTERM)
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline and _alive(pid):
        time.sleep(0.2)
    if _alive(pid):
        with contextlib.suppress(ProcessLookupError):
            os.kill(pid, signal.SIGKILL)
        while _alive(pid):
            time.sleep(0.1)
    paths.pid_file.unlink(missing_ok=True)


def _alive(pid: int) -> bool:
    # Reap it if it is our child (started in this process), so it does not linger as a zombie.
    with contextlib.suppress(ChildProcessError):
        done, _ = os.waitpid(pid, os.WNOHANG)
        if done == pid:
            return False
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def down(paths: Paths | None = None, timeout: float = 30.0) -> int | None:
    """Stop the server that ``up`` started, by the pid it recorded; the pid, or None."""
    paths = paths or Paths()
    pid = _read_pid(paths)
    if pid is None:
        return None
    if not _is_ours(pid, paths):
        paths.pid_file.unlink(missing_ok=True)  # stale: that process is gone
        return None
    _stop(pid, paths, timeout)
    return pid
