"""What the last push left in a project, remembered so that the next push need not list it.

Listing a project's tasks costs the server about 0.2 ms per task however few fields are asked
for (10,000 tasks: some 2 s, more than sending them did). So a push that succeeds writes a
ledger: for each article, its task id and text digest, and the project's fingerprint after
the push: its number of tasks, highest task id and that task's article id and text digest
(from the task's ``meta``). The push knows that fingerprint without asking: the project held
what it held before plus the tasks it sent, the newest of them the last one sent. A new task
gets an id above every id in use, so while the server reports the same fingerprint no task
was added or deleted since (an id that SQLite reuses after the newest task was deleted comes
with another task's meta, unless it is the same article with the same text), and the ledger is
the project's content: the next push asks the server for the fingerprint only. Any
difference (someone imported or deleted tasks, during the push or after it; a push was cut
short), or no ledger, and the push lists the project's ids and digests as before.

Ledgers live in ``$XDG_CACHE_HOME/akhbar/push-ledgers`` (default ``~/.cache``), one file per
server and project, readable by the user only; deleting them only makes the next push list.
A task's text changed on the server by another tool is not seen through a ledger; that is
the one thing a listing would have noticed.
"""

from __future__ import annotations

import contextlib
import hashlib
import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import orjson

from akhbar.corpus.runtime.publish import publishing
from akhbar.schemas.errors import OutputError

VERSION = 2  # 1: the fingerprint held the newest task's creation time

# (number of tasks, highest task id, "article_id:text_sha256" of that task or "")
Fingerprint = tuple[int, int, str]


EMPTY: Fingerprint = (0, 0, "")  # a project without tasks


def _key(article_id: Any, digest: Any) -> str:
    return f"{article_id}:{digest}"


def fingerprint(count: int, newest: dict[str, Any] | None, meta_key: str) -> Fingerprint:
    """The fingerprint of a project of ``count`` tasks whose newest task (with its ``id``
    and ``meta``) is ``newest``; ``meta_key`` names akhbar's part of the task's meta."""
    if newest is None:
        return count, 0, ""
    mine = (newest.get("meta") or {}).get(meta_key)
    key = _key(mine.get("article_id"), mine.get("text_sha256")) if isinstance(mine, dict) else ""
    return count, newest["id"], key


def after(
    before: Fingerprint, tasks: dict[str, Existing], new_ids: list[int]
) -> Fingerprint | None:
    """The fingerprint of a project that held ``before`` and took the tasks ``new_ids``
    (``tasks`` maps every article to its task), or None if the newest id is not among them."""
    if not new_ids:
        return before
    top = max(new_ids)
    aid = next((aid for aid, e in tasks.items() if e.task_id == top), None)
    if aid is None:
        return None
    return before[0] + len(new_ids), top, _key(aid, tasks[aid].text_sha256)


@dataclass(frozen=True, slots=True)
class Existing:
    """A task already in the project: its id and the digest of its text."""

    task_id: int
    text_sha256: str


def ledger_dir() -> Path:
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "akhbar" / "push-ledgers"


def ledger_path(url: str, project: dict[str, Any]) -> Path:
    key = f"{url.rstrip('/')}|{project['id']}|{project.get('created_at')}"
    return ledger_dir() / f"{hashlib.sha256(key.encode()).hexdigest()[:24]}.json"


def load(path: Path, fingerprint: Fingerprint) -> dict[str, Existing] | None:
    """The ledger's tasks if it was written for this fingerprint, else None."""
    try:
        data = orjson.loads(path.read_bytes())
    except (OSError, orjson.JSONDecodeError):
        return None
    if not isinstance(data, dict) or data.get("version") != VERSION:
        return None
    if tuple(data.get("fingerprint") or ()) != tuple(fingerprint):
        return None
    tasks = data.get("tasks")
    if not isinstance(tasks, dict):
        return None
    try:
        return {aid: Existing(int(tid), str(sha)) for aid, (tid, sha) in tasks.items()}
    except (TypeError, ValueError):
        return None


def save(path: Path, fingerprint: Fingerprint, tasks: dict[str, Existing]) -> None:
    """Write the ledger atomically, readable by the user only; a failure only costs speed."""
    body = orjson.dumps(
        {
            "version": VERSION,
            "fingerprint": list(fingerprint),
            "tasks": {aid: [e.task_id, e.text_sha256] for aid, e in tasks.items()},
        }
    )
    try:
        path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
        with publishing(path, directory=False, replace=True, mode=0o600, what="push ledger") as out:
            fd = os.open(out.path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
            with os.fdopen(fd, "wb") as f:
                f.write(body)
    except (OSError, OutputError):
        pass  # the next push reads the project instead


def forget(path: Path) -> None:
    with contextlib.suppress(OSError):
        path.unlink()
