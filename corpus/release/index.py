"""``<out>/index.json``: the versions built in a directory of releases, each with the sha256 of
its manifest. It is kept outside the releases on purpose: a manifest checks every file of its
release, and this digest checks the manifest, so an edited manifest (a licence, a count, an
article's split, a checksum) no longer passes ``release verify``."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import orjson

from akhbar.corpus.file_digest import sha256_file
from akhbar.corpus.runtime.publish import publishing
from akhbar.schemas.errors import InputError, OutputError

INDEX = "index.json"
FORMAT = "akhbar-release-index/1"


def index_path(release: Path) -> Path:
    """Where the index of a release directory ``<out>/vX.Y.Z`` lives: ``<out>/index.json``."""
    return release.parent / INDEX


def read_index(path: Path) -> dict[str, dict[str, Any]]:
    """Version -> ``{"manifest_sha256", "created_at"}``; an absent index is empty."""
    try:
        data = orjson.loads(path.read_bytes())
    except FileNotFoundError:
        return {}
    except OSError as e:
        raise InputError(f"{path}: cannot read the release index ({e.strerror})") from e
    except orjson.JSONDecodeError as e:
        raise InputError(f"{path}: the release index is not valid JSON ({e})") from e
    releases = data.get("releases") if isinstance(data, dict) else None
    if data.get("format") != FORMAT or not isinstance(releases, dict):
        raise InputError(f"{path}: not an akhbar release index (format {FORMAT} expected)")
    return releases


def record_release(out: Path, version: str, manifest: Path, created_at: str) -> None:
    """Add (or replace) ``version`` in ``out/index.json`` with the digest of ``manifest``.

    Called with the build's output lock held, before the release is renamed into place: a build
    killed in between leaves an entry for a version that is absent, which its next build
    replaces."""
    path = out / INDEX
    digest, _ = sha256_file(manifest)
    try:
        # Read and rewritten under the index's lock: builds of two versions into one directory
        # take turns (the second waits a little) rather than lose each other's entry.
        with publishing(
            path, directory=False, replace=True, what="release index", wait=60
        ) as output:
            releases = read_index(path)
            releases[version] = {"manifest_sha256": digest, "created_at": created_at}
            body = {"format": FORMAT, "releases": dict(sorted(releases.items()))}
            output.path.write_bytes(orjson.dumps(body, option=orjson.OPT_INDENT_2) + b"\n")
    except OSError as e:
        raise OutputError(f"{path}: cannot update the release index ({e.strerror})") from e


def check_manifest_digest(release: Path, version: str, path: Path) -> list[str]:
    """Problems found comparing the release's manifest with its entry in the index at ``path``."""
    if not path.is_file():
        return [
            f"{path}: no release index, so the manifest itself cannot be checked; give the "
            "index with --index FILE, or pass --no-index to skip this check"
        ]
    entry = read_index(path).get(version)
    if not isinstance(entry, dict) or "manifest_sha256" not in entry:
        return [f"{path}: version {version} is not in the release index"]
    digest, _ = sha256_file(release / "manifest.json")
    if digest != entry["manifest_sha256"]:
        return [
            f"{release / 'manifest.json'}: sha256 {digest[:12]}…, the release index {path} "
            f"says {str(entry['manifest_sha256'])[:12]}…: the manifest was changed after the build"
        ]
    return []
