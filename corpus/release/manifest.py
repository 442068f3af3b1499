"""The release manifest: what went in, what came out, and a checksum for every file."""

from __future__ import annotations

import json
import subprocess
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

import orjson
import pyarrow.parquet as pq

from corpus.errors import InputError
from corpus.release.inputs import sha256_file

FORMAT = "akhbar-release/1"
MANIFEST = "manifest.json"


def git_commit() -> str | None:
    """The commit of the akhbar checkout that builds the release, when it is a git checkout."""
    root = Path(__file__).resolve().parents[2]
    try:
        out = subprocess.run(
            ["git", "rev-parse", "HEAD"],
            cwd=root,
            capture_output=True,
            text=True,
            timeout=10,
            check=True,
        )
    except (OSError, subprocess.SubprocessError):
        return None
    commit = out.stdout.strip()
    return commit if len(commit) == 40 else None


def now_utc() -> str:
    return datetime.now(timezone.utc).replace(microsecond=0).isoformat().replace("+00:00", "Z")


def file_info(root: Path, path: Path) -> dict[str, Any]:
    """sha256, byte size, and for Parquet the row count, of one release file."""
    digest, size = sha256_file(path)
    info: dict[str, Any] = {"sha256": digest, "bytes": size}
    if path.suffix == ".parquet":
        info["rows"] = pq.read_metadata(path).num_rows
    return info


def list_files(root: Path) -> list[Path]:
    """Every file of a release except the manifest itself, in a stable order."""
    return sorted(
        p for p in root.rglob("*") if p.is_file() and p.relative_to(root).as_posix() != MANIFEST
    )


def load_manifest(release: Path) -> dict[str, Any]:
    path = release / MANIFEST
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except OSError as e:
        raise InputError(f"{path}: cannot read the release manifest ({e.strerror})") from e
    except ValueError as e:
        raise InputError(f"{path}: the release manifest is not valid JSON ({e})") from e
    if not isinstance(data, dict) or data.get("format") != FORMAT:
        raise InputError(f"{path}: not an akhbar release manifest (format {FORMAT} expected)")
    return data


def write_json(path: Path, data: Any) -> None:
    # orjson: the manifest lists every article, and the stdlib encoder is slow on 100k of them.
    path.write_bytes(orjson.dumps(data, option=orjson.OPT_INDENT_2) + b"\n")
