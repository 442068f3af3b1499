"""A stand-in for the Hugging Face Hub: a small HTTP server on 127.0.0.1 that speaks the Hub's
HTTP API for exactly the calls that ``huggingface_hub`` (``HfApi``, ``snapshot_download``,
``HfFileSystem``) and ``datasets.load_dataset`` make when akhbar publishes and loads a release.

The Hub cannot be reached from here, so the tests talk to this server with the real clients.
The shapes of requests and answers follow the client's source (``hf_api.py``,
``_commit_api.py``, ``file_download.py``, ``hf_file_system.py``): the commit is the Hub's
ndjson body with its ``parentCommit`` check (412 when the branch moved), tags point at commits,
files are served from ``/resolve/`` with the ``ETag`` and ``X-Repo-Commit`` headers the
download code reads. Every file is kept as a regular git blob (preupload answers ``regular``),
so the LFS/Xet transfers, which need a storage service of their own, are not exercised.

Faults are injected on purpose through :attr:`HubStandIn.faults` (e.g. make the next commit
fail with a 500), and :attr:`HubStandIn.requests` records every call so a test can count
commits or check that nothing was tagged.
"""

from __future__ import annotations

import base64
import hashlib
import json
import re
import threading
from dataclasses import dataclass, field
from datetime import UTC, datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, unquote, urlsplit

TYPES = {"models": "model", "datasets": "dataset", "spaces": "space"}
USER = "curator"


def git_blob_oid(data: bytes) -> str:
    return hashlib.sha1(b"blob %d\0" % len(data) + data).hexdigest()


def _now() -> str:
    return datetime.now(UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")


@dataclass
class Commit:
    oid: str
    parent: str | None
    files: dict[str, str]  # path -> blob oid
    title: str
    message: str
    date: str


@dataclass
class Repo:
    type: str
    id: str
    private: bool
    commits: dict[str, Commit] = field(default_factory=dict)
    branches: dict[str, str] = field(default_factory=dict)
    tags: dict[str, tuple[str, str]] = field(default_factory=dict)  # name -> (oid, message)
    created: str = field(default_factory=_now)

    def resolve(self, rev: str) -> Commit | None:
        rev = unquote(rev)
        oid = self.branches.get(rev) or (self.tags.get(rev) or (None,))[0]
        if oid is None and re.fullmatch(r"[0-9a-f]{7,40}", rev):
            found = [c for c in self.commits if c.startswith(rev)]
            oid = found[0] if len(found) == 1 else None
        return self.commits.get(oid) if oid else None

    def history(self, commit: Commit) -> list[Commit]:
        out = []
        c: Commit | None = commit
        while c is not None:
            out.append(c)
            c = self.commits.get(c.parent) if c.parent else None
        return out


class HttpError(Exception):
    def __init__(self, status: int, message: str, code: str | None = None):
        super().__init__(message)
        self.status, self.message, self.code = status, message, code


class HubStandIn:
    """The Hub's state (repos, commits, refs, blobs) and the server that exposes it."""

    def __init__(self, tokens: tuple[str, ...] = ("hf_standin_write_token",)):
        self.tokens = set(tokens)
        self.repos: dict[tuple[str, str], Repo] = {}
        self.blobs: dict[str, bytes] = {}
        self.lock = threading.RLock()
        self.requests: list[tuple[str, str, int]] = []  # method, path, status
        # Injected faults: {"commit": 500} answers the next commit with that status, etc.
        self.faults: dict[str, int] = {}
        # Called with (repo, branch) just before a commit is applied: lets a test race it.
        self.before_commit = None
        self.validate_yaml = None  # optional callable(content) -> list of error messages
        self.server: ThreadingHTTPServer | None = None
        self.thread: threading.Thread | None = None

    # --- lifecycle ------------------------------------------------------------------------

    @property
    def url(self) -> str:
        assert self.server is not None
        host, port = self.server.server_address[:2]
        return f"http://{host}:{port}"

    def start(self) -> HubStandIn:
        hub = self

        class Handler(_Handler):
            standin = hub

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()
        return self

    def stop(self) -> None:
        if self.server is not None:
            self.server.shutdown()
            self.server.server_close()
            self.server = None

    # --- state helpers for tests ----------------------------------------------------------

    def repo(self, repo_id: str, type_: str = "dataset") -> Repo:
        return self.repos[(type_, repo_id)]

    def file_at(self, repo_id: str, rev: str, path: str, type_: str = "dataset") -> bytes:
        commit = self.repo(repo_id, type_).resolve(rev)
        assert commit is not None, rev
        return self.blobs[commit.files[path]]

    def count(self, method: str, pattern: str) -> int:
        return sum(
            1 for m, p, s in self.requests if m == method and re.search(pattern, p) and s < 300
        )

    # --- operations -----------------------------------------------------------------------

    def _new_commit(self, repo: Repo, parent: Commit | None, files: dict[str, str], title, message):
        seed = (
            f"{repo.id}\n{parent.oid if parent else ''}\n{sorted(files.items())}\n{title}\n{_now()}"
        )
        oid = hashlib.sha1(seed.encode() + str(len(repo.commits)).encode()).hexdigest()
        commit = Commit(oid, parent.oid if parent else None, files, title, message, _now())
        repo.commits[oid] = commit
        return commit

    def create_repo(self, type_: str, repo_id: str, private: bool) -> Repo:
        with self.lock:
            if (type_, repo_id) in self.repos:
                raise HttpError(409, "You already created this repo")
            repo = Repo(type_, repo_id, private)
            attrs = b"*.parquet filter=lfs diff=lfs merge=lfs -text\n"
            oid = git_blob_oid(attrs)
            self.blobs[oid] = attrs
            first = self._new_commit(repo, None, {".gitattributes": oid}, "initial commit", "")
            repo.branches["main"] = first.oid
            self.repos[(type_, repo_id)] = repo
            return repo


class _Handler(BaseHTTPRequestHandler):
    standin: HubStandIn
    protocol_version = "HTTP/1.1"

    def log_message(self, format, *args):
        pass

    # --- plumbing -------------------------------------------------------------------------

    def _body(self) -> bytes:
        """The request body, read once (an error answer drains what a handler left)."""
        if getattr(self, "_read", None) is None:
            n = int(self.headers.get("Content-Length") or 0)
            self._read = self.rfile.read(n) if n else b""
        return self._read

    def _send(self, status: int, body: bytes = b"", headers: dict[str, str] | None = None):
        self.send_response(status)
        for k, v in (headers or {}).items():
            self.send_header(k, v)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(body)
        self.standin.requests.append((self.command, self.path, status))

    def _json(self, data: Any, status: int = 200, headers: dict[str, str] | None = None):
        h = {"Content-Type": "application/json", **(headers or {})}
        self._send(status, json.dumps(data).encode(), h)

    def _error(self, e: HttpError):
        headers = {"X-Error-Message": e.message}
        if e.code:
            headers["X-Error-Code"] = e.code
        self._json({"error": e.message}, e.status, headers)

    def _token(self) -> str | None:
        auth = self.headers.get("Authorization") or ""
        return auth[7:] if auth.startswith("Bearer ") else None

    def _check_token(self, required: bool) -> None:
        token = self._token()
        if token is None:
            if required:
                raise HttpError(401, "Invalid credentials in Authorization header")
            return
        if token not in self.standin.tokens:
            raise HttpError(401, "Invalid credentials in Authorization header")

    def _repo(self, type_: str, repo_id: str) -> Repo:
        repo = self.standin.repos.get((type_, repo_id))
        if repo is None or (repo.private and self._token() not in self.standin.tokens):
            raise HttpError(404, "Repository not found", "RepoNotFound")
        return repo

    def _commit(self, repo: Repo, rev: str) -> Commit:
        commit = repo.resolve(rev)
        if commit is None:
            raise HttpError(404, f"Invalid rev id: {unquote(rev)}", "RevisionNotFound")
        return commit

    def _fault(self, name: str) -> None:
        status = self.standin.faults.pop(name, None)
        if status is not None:
            raise HttpError(status, f"injected fault on {name}")

    def do_GET(self):
        self._dispatch("GET")

    def do_HEAD(self):
        self._dispatch("HEAD")

    def do_POST(self):
        self._dispatch("POST")

    def _dispatch(self, method: str) -> None:
        self._read = None
        url = urlsplit(self.path)
        self.query = {k: v[-1] for k, v in parse_qs(url.query).items()}
        path = url.path
        try:
            for m, pattern, handler in ROUTES:
                if m != method and not (m == "GET" and method == "HEAD"):
                    continue
                match = re.fullmatch(pattern, path)
                if match:
                    with self.standin.lock:
                        handler(self, **match.groupdict())
                    return
            raise HttpError(404, f"stand-in: no route for {method} {path}")
        except HttpError as e:
            if method == "POST":
                self._body()  # drain it, so the connection can be reused
            self._error(e)
        except Exception as e:  # a bug of the stand-in: a 400 the client does not retry
            self._error(HttpError(400, f"stand-in failed: {type(e).__name__}: {e}"))

    # --- routes ---------------------------------------------------------------------------

    def whoami(self):
        self._check_token(required=True)
        self._json(
            {
                "type": "user",
                "name": USER,
                "auth": {"type": "access_token", "accessToken": {"role": "write"}},
            }
        )

    def validate_yaml(self):
        body = json.loads(self._body() or b"{}")
        check = self.standin.validate_yaml
        errors = check(body.get("content", "")) if check else []
        if errors:
            self._json({"errors": [{"message": m} for m in errors]}, 400)
        else:
            self._json({"errors": [], "warnings": []})

    def create_repo(self):
        self._check_token(required=True)
        body = json.loads(self._body() or b"{}")
        org = body.get("organization") or USER
        repo_id = f"{org}/{body['name']}"
        type_ = body.get("type") or "model"
        self._fault("create")
        repo = self.standin.create_repo(type_, repo_id, body.get("visibility") == "private")
        prefix = "" if type_ == "model" else f"{type_}s/"
        self._json({"url": f"{self.standin.url}/{prefix}{repo.id}", "name": repo.id})

    def info(self, kind: str, repo_id: str, rev: str = "main"):
        self._check_token(required=False)
        repo = self._repo(TYPES[kind], repo_id)
        commit = self._commit(repo, rev)
        self._json(
            {
                "_id": hashlib.md5(repo.id.encode()).hexdigest()[:24],
                "id": repo.id,
                "author": repo.id.split("/")[0],
                "sha": commit.oid,
                "lastModified": commit.date,
                "createdAt": repo.created,
                "private": repo.private,
                "gated": False,
                "disabled": False,
                "downloads": 0,
                "likes": 0,
                "tags": [],
                "siblings": [{"rfilename": p} for p in sorted(commit.files)],
            }
        )

    def _entries(self, commit: Commit, paths: list[str]) -> list[dict]:
        """Tree entries (files and implied folders) for exact ``paths``."""
        out = []
        folders = {str(p) for f in commit.files for p in _parents(f)}
        for p in paths:
            if p in commit.files:
                oid = commit.files[p]
                out.append(
                    {"type": "file", "oid": oid, "size": len(self.standin.blobs[oid]), "path": p}
                )
            elif p in folders:
                out.append({"type": "directory", "oid": _tree_oid(commit, p), "size": 0, "path": p})
        return out

    def tree(self, kind: str, repo_id: str, rev: str, path: str = ""):
        self._check_token(required=False)
        commit = self._commit(self._repo(TYPES[kind], repo_id), rev)
        path = unquote(path or "").strip("/")
        recursive = self.query.get("recursive", "false").lower() == "true"
        prefix = f"{path}/" if path else ""
        names: set[str] = set()
        for f in commit.files:
            if not f.startswith(prefix):
                continue
            rest = f[len(prefix) :].split("/")
            if recursive:
                names.update(prefix + "/".join(rest[: i + 1]) for i in range(len(rest)))
            else:
                names.add(prefix + rest[0])
        if path and not names and path not in commit.files:
            raise HttpError(404, f"{path} does not exist", "EntryNotFound")
        self._json(self._entries(commit, sorted(names)))

    def paths_info(self, kind: str, repo_id: str, rev: str):
        self._check_token(required=False)
        commit = self._commit(self._repo(TYPES[kind], repo_id), rev)
        body = self._body().decode()
        ctype = self.headers.get("Content-Type", "")
        if "json" in ctype:
            paths = json.loads(body).get("paths", [])
        else:
            paths = parse_qs(body).get("paths", [])
        self._json(self._entries(commit, [p.strip("/") for p in paths]))

    def refs(self, kind: str, repo_id: str):
        self._check_token(required=False)
        repo = self._repo(TYPES[kind], repo_id)

        def ref(name, kind_, oid):
            return {"name": name, "ref": f"refs/{kind_}/{name}", "targetCommit": oid}

        self._json(
            {
                "branches": [ref(n, "heads", o) for n, o in repo.branches.items()],
                "tags": [ref(n, "tags", o) for n, (o, _) in repo.tags.items()],
                "converts": [],
                "pullRequests": [],
            }
        )

    def commits(self, kind: str, repo_id: str, rev: str):
        self._check_token(required=False)
        repo = self._repo(TYPES[kind], repo_id)
        self._json(
            [
                {
                    "id": c.oid,
                    "title": c.title,
                    "message": c.message,
                    "authors": [{"user": USER}],
                    "date": c.date,
                }
                for c in repo.history(self._commit(repo, rev))
            ]
        )

    def preupload(self, kind: str, repo_id: str, rev: str):
        self._check_token(required=True)
        commit = self._commit(self._repo(TYPES[kind], repo_id), rev)
        self._fault("preupload")
        files = json.loads(self._body())["files"]
        self._json(
            {
                "files": [
                    {
                        "path": f["path"],
                        "uploadMode": "regular",
                        "shouldIgnore": False,
                        "oid": commit.files.get(f["path"]),
                    }
                    for f in files
                ],
                "commitOid": commit.oid,
            }
        )

    def commit(self, kind: str, repo_id: str, rev: str):
        self._check_token(required=True)
        repo = self._repo(TYPES[kind], repo_id)
        lines = [json.loads(line) for line in self._body().splitlines() if line.strip()]
        branch = unquote(rev)
        if branch not in repo.branches:
            raise HttpError(404, f"Invalid rev id: {branch}", "RevisionNotFound")
        if self.standin.before_commit is not None:
            hook, self.standin.before_commit = self.standin.before_commit, None
            hook(repo, branch)
        self._fault("commit")
        head = repo.commits[repo.branches[branch]]
        header = lines[0]["value"]
        parent = header.get("parentCommit")
        if parent and not head.oid.startswith(parent):
            raise HttpError(
                412,
                "A commit has happened since. Please refresh and try again.",
                "PreconditionFailed",
            )
        files = dict(head.files)
        for item in lines[1:]:
            key, value = item["key"], item["value"]
            if key == "file":
                data = base64.b64decode(value["content"])
                oid = git_blob_oid(data)
                self.standin.blobs[oid] = data
                files[value["path"]] = oid
            elif key == "deletedFile":
                if value["path"] not in files:
                    raise HttpError(404, "A file with this name doesn't exist", "EntryNotFound")
                del files[value["path"]]
            elif key == "deletedFolder":
                prefix = value["path"].rstrip("/") + "/"
                files = {p: o for p, o in files.items() if not p.startswith(prefix)}
            else:
                raise HttpError(400, f"stand-in: unsupported commit operation {key}")
        commit = self.standin._new_commit(
            repo, head, files, header["summary"], header.get("description", "")
        )
        repo.branches[branch] = commit.oid
        prefix = "" if repo.type == "model" else f"{repo.type}s/"
        self._json(
            {
                "success": True,
                "commitOid": commit.oid,
                "commitUrl": f"{self.standin.url}/{prefix}{repo.id}/commit/{commit.oid}",
                "pullRequestUrl": None,
            }
        )

    def tag(self, kind: str, repo_id: str, rev: str):
        self._check_token(required=True)
        repo = self._repo(TYPES[kind], repo_id)
        commit = self._commit(repo, rev)
        body = json.loads(self._body())
        self._fault("tag")
        name = body["tag"]
        if name in repo.tags or name in repo.branches:
            raise HttpError(409, f"Reference {name} already exists")
        repo.tags[name] = (commit.oid, body.get("message", ""))
        self._json({})

    def branch(self, kind: str, repo_id: str, name: str):
        self._check_token(required=True)
        repo = self._repo(TYPES[kind], repo_id)
        body = json.loads(self._body() or b"{}")
        name = unquote(name)
        if name in repo.branches or name in repo.tags:
            raise HttpError(409, f"Reference {name} already exists")
        start = body.get("startingPoint") or "main"
        repo.branches[name] = self._commit(repo, start).oid
        self._json({})

    def resolve(self, repo_id: str, rev: str, path: str, kind: str = "models"):
        self._check_token(required=False)
        repo = self._repo(TYPES[kind], repo_id)
        commit = self._commit(repo, rev)
        path = unquote(path)
        if path not in commit.files:
            raise HttpError(404, f"{path} does not exist at {unquote(rev)}", "EntryNotFound")
        oid = commit.files[path]
        data = self.standin.blobs[oid]
        headers = {
            "ETag": f'"{oid}"',
            "X-Repo-Commit": commit.oid,
            "Accept-Ranges": "bytes",
            "Content-Type": "application/octet-stream",
        }
        rng = self.headers.get("Range")
        m = re.fullmatch(r"bytes=(\d*)-(\d*)", rng or "")
        if m and data:
            if m.group(1):
                start = int(m.group(1))
                end = min(int(m.group(2)) if m.group(2) else len(data) - 1, len(data) - 1)
            else:  # a suffix: the last N bytes
                start, end = max(0, len(data) - int(m.group(2))), len(data) - 1
            if start >= len(data):
                self._send(416, b"", {"Content-Range": f"bytes */{len(data)}"})
                return
            headers["Content-Range"] = f"bytes {start}-{end}/{len(data)}"
            self._send(206, data[start : end + 1], headers)
            return
        self._send(200, data, headers)


def _parents(path: str):
    parts = path.split("/")[:-1]
    return ["/".join(parts[: i + 1]) for i in range(len(parts))]


def _tree_oid(commit: Commit, folder: str) -> str:
    inside = sorted((p, o) for p, o in commit.files.items() if p.startswith(folder + "/"))
    return hashlib.sha1(json.dumps(inside).encode()).hexdigest()


_KIND = r"(?P<kind>models|datasets|spaces)"
_REPO = r"(?P<repo_id>[^/]+/[^/]+)"
ROUTES = [
    ("GET", r"/api/whoami-v2", _Handler.whoami),
    ("POST", r"/api/validate-yaml", _Handler.validate_yaml),
    ("POST", r"/api/repos/create", _Handler.create_repo),
    ("GET", rf"/api/{_KIND}/{_REPO}", _Handler.info),
    ("GET", rf"/api/{_KIND}/{_REPO}/revision/(?P<rev>[^/]+)", _Handler.info),
    ("GET", rf"/api/{_KIND}/{_REPO}/tree/(?P<rev>[^/]+)(?:/(?P<path>.*))?", _Handler.tree),
    ("POST", rf"/api/{_KIND}/{_REPO}/paths-info/(?P<rev>[^/]+)", _Handler.paths_info),
    ("GET", rf"/api/{_KIND}/{_REPO}/refs", _Handler.refs),
    ("GET", rf"/api/{_KIND}/{_REPO}/commits/(?P<rev>[^/]+)", _Handler.commits),
    ("POST", rf"/api/{_KIND}/{_REPO}/preupload/(?P<rev>[^/]+)", _Handler.preupload),
    ("POST", rf"/api/{_KIND}/{_REPO}/commit/(?P<rev>[^/]+)", _Handler.commit),
    ("POST", rf"/api/{_KIND}/{_REPO}/tag/(?P<rev>[^/]+)", _Handler.tag),
    ("POST", rf"/api/{_KIND}/{_REPO}/branch/(?P<name>[^/]+)", _Handler.branch),
    ("GET", rf"/{_KIND}/{_REPO}/resolve/(?P<rev>[^/]+)/(?P<path>.+)", _Handler.resolve),
    ("GET", rf"/{_REPO}/resolve/(?P<rev>[^/]+)/(?P<path>.+)", _Handler.resolve),
]
