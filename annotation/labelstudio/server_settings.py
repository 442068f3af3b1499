"""The local server's settings file (URL, user, password, token): private to the user.

The file and the folders created for it are readable by the user only; an existing folder keeps
its mode. A token is never printed in full (``mask``).
"""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

from akhbar.corpus.runtime.publish import publishing
from akhbar.schemas.errors import UsageError


def mask(token: str | None) -> str:
    """A token shown safely: its first four characters and its length."""
    if not token:
        return "(none)"
    return f"{token[:4]}…({len(token)} chars)"


def read_settings(path: Path) -> dict[str, Any]:
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        return {}
    except (OSError, ValueError) as e:
        raise UsageError(f"{path}: unreadable settings ({e}); delete it and run `studio up`") from e


def make_private_dir(path: Path) -> bool:
    """Create ``path`` and its missing parents, each readable by the user only (0700).

    A directory that exists already is left as it is (its mode is the user's choice): True
    if ``path`` was created here.
    """
    if path.is_dir():
        return False
    make_private_dir(path.parent)
    try:
        path.mkdir(mode=0o700)
    except FileExistsError:
        return False
    path.chmod(0o700)  # whatever the umask let through
    return True


def write_settings(path: Path, data: dict[str, Any]) -> None:
    """Write the settings atomically, readable and writable by the user only."""
    make_private_dir(path.parent)
    with publishing(path, directory=False, replace=True, mode=0o600, what="settings") as out:
        fd = os.open(out.path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(fd, "w", encoding="utf-8") as f:
            json.dump(data, f, indent=2, sort_keys=True)
            f.write("\n")
