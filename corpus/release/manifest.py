"""The release manifest: what went in, what came out, and a checksum for every file."""

from __future__ import annotations

import subprocess
from collections.abc import Iterable, Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import ijson
import orjson
import pyarrow.parquet as pq
from ijson.common import ObjectBuilder

from akhbar.corpus.file_digest import sha256_file
from akhbar.schemas.errors import InputError

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
    return datetime.now(UTC).replace(microsecond=0).isoformat().replace("+00:00", "Z")


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


def _open_manifest(release: Path):
    path = release / MANIFEST
    try:
        return path, path.open("rb")
    except OSError as e:
        raise InputError(f"{path}: cannot read the release manifest ({e.strerror})") from e


def load_manifest(release: Path) -> dict[str, Any]:
    """The manifest without its per-article section (read with :func:`iter_articles`).

    The file is streamed, so reading the manifest of a large release costs no more memory
    than its summary.
    """
    path, f = _open_manifest(release)
    data: dict[str, Any] = {}
    builder: ObjectBuilder | None = None
    key = None
    depth = 0
    try:
        with f:
            for prefix, event, value in ijson.parse(f, use_float=True):
                if prefix == "" and depth == 0:
                    if event == "map_key":
                        key = value
                        builder = None if key == "articles" else ObjectBuilder()
                    continue
                if event in ("start_map", "start_array"):
                    depth += 1
                elif event in ("end_map", "end_array"):
                    depth -= 1
                if builder is None:
                    continue
                builder.event(event, value)
                if depth == 0:  # the value of a top-level key is complete
                    data[key] = builder.value
                    builder = None
    except ijson.JSONError as e:
        raise _not_json(path, e) from e
    if data.get("format") != FORMAT:
        raise InputError(f"{path}: not an akhbar release manifest (format {FORMAT} expected)")
    return data


def iter_articles(release: Path) -> Iterator[tuple[str, dict[str, Any]]]:
    """(article id, {split, cluster_id, annotation}) for every article of a release."""
    path, f = _open_manifest(release)
    try:
        with f:
            yield from ijson.kvitems(f, "articles")
    except ijson.JSONError as e:
        raise _not_json(path, e) from e


def _not_json(path: Path, error: Exception) -> InputError:
    """One line, whatever the parser's message looks like (some quote the text over lines)."""
    reason = " ".join(str(error).split())[:160] or type(error).__name__
    return InputError(
        f"{path}: the release manifest is not valid JSON (truncated or edited: {reason}); "
        "restore it or rebuild the release"
    )


def article_map(release: Path) -> dict[str, tuple[str, str]]:
    """Article id -> (split, annotation hash), compact enough for a large release."""
    try:
        return {aid: (a["split"], a["annotation"]) for aid, a in iter_articles(release)}
    except (KeyError, TypeError) as e:
        raise InputError(
            f"{release / MANIFEST}: an article entry lacks its split or annotation hash ({e}); "
            "the manifest is damaged, restore it"
        ) from None


def write_manifest(
    path: Path, head: dict[str, Any], articles: Iterable[tuple[str, str, str, str]]
) -> None:
    """The manifest: ``head``, then ``articles`` (id, split, cluster id, annotation hash),
    streamed one per line so a large release never holds them as JSON objects."""
    body = orjson.dumps(head, option=orjson.OPT_INDENT_2)
    with path.open("wb") as f:
        f.write(body[: body.rindex(b"}")].rstrip() + b',\n  "articles": {')
        sep = b"\n    "
        for aid, split, cluster, h in articles:
            entry = {"split": split, "cluster_id": cluster, "annotation": h}
            f.write(sep + orjson.dumps(aid) + b": " + orjson.dumps(entry))
            sep = b",\n    "
        f.write(b"\n  }\n}\n")
