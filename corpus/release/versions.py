"""Semantic versions of releases and where releases live: ``<out>/v<X.Y.Z>/``."""

from __future__ import annotations

import re
from pathlib import Path

from akhbar.schemas.errors import UsageError

_SEMVER = re.compile(r"v?(0|[1-9]\d*)\.(0|[1-9]\d*)\.(0|[1-9]\d*)")


def parse_version(value: str) -> tuple[int, int, int]:
    """``"1.2.3"`` or ``"v1.2.3"`` -> (1, 2, 3); anything else is a usage error."""
    m = _SEMVER.fullmatch(value.strip())
    if not m:
        raise UsageError(
            f"version {value!r} is not a semantic version MAJOR.MINOR.PATCH, e.g. 1.0.0"
        )
    return int(m.group(1)), int(m.group(2)), int(m.group(3))


def version_name(version: tuple[int, int, int]) -> str:
    return "{}.{}.{}".format(*version)


def release_dir(out: Path, version: tuple[int, int, int]) -> Path:
    return out / f"v{version_name(version)}"


def existing_releases(out: Path) -> dict[tuple[int, int, int], Path]:
    """Finished releases in ``out`` (directories ``vX.Y.Z`` with a manifest), by version."""
    found = {}
    if out.is_dir():
        for p in out.iterdir():
            m = _SEMVER.fullmatch(p.name)
            if m and p.name.startswith("v") and (p / "manifest.json").is_file():
                found[(int(m.group(1)), int(m.group(2)), int(m.group(3)))] = p
    return dict(sorted(found.items()))


def resolve_release(ref: str, releases: Path) -> Path:
    """A release given as a path, or as a version name looked up in ``releases``."""
    p = Path(ref)
    if (p / "manifest.json").is_file():
        return p
    if _SEMVER.fullmatch(ref.strip()):
        q = release_dir(releases, parse_version(ref))
        if (q / "manifest.json").is_file():
            return q
    raise UsageError(
        f"{ref}: no release there (no manifest.json); give a release directory or a version "
        f"built in {releases}"
    )
