"""Label Studio's own virtual environment (``.venv-labelstudio``), so that its pins never
constrain ours: what is installed there, and installing the pinned version when it is missing.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from akhbar.schemas.errors import OutputError, UsageError

LABEL_STUDIO_VERSION = "1.23.2"  # the Makefile's LS_VERSION must match (tests check it)


def executable(venv: Path) -> Path:
    return venv / "bin" / "label-studio"


def installed_version(venv: Path) -> str | None:
    """The label-studio version installed in ``venv``, from its dist-info (no import needed)."""
    for d in sorted(venv.glob("lib/python*/site-packages/label_studio-*.dist-info")):
        return d.name.removeprefix("label_studio-").removesuffix(".dist-info")
    return None


def ensure_venv(venv: Path, version: str = LABEL_STUDIO_VERSION, echo=print) -> Path:
    """Create ``venv`` with ``label-studio==version`` unless it already has that version."""
    exe = executable(venv)
    have = installed_version(venv)
    if exe.exists() and have == version:
        return exe
    if have and have != version:
        raise UsageError(
            f"{venv} has label-studio {have}, expected {version}; remove {venv} and run again"
        )
    echo(f"installing label-studio=={version} into {venv} (once; takes a few minutes)")
    try:
        if not (venv / "bin" / "python").exists():
            subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True)
        pip = [str(venv / "bin" / "python"), "-m", "pip", "install", "--quiet"]
        subprocess.run([*pip, "--upgrade", "pip"], check=True)
        subprocess.run([*pip, f"label-studio=={version}"], check=True)
    except (OSError, subprocess.CalledProcessError) as e:
        raise OutputError(
            f"{venv}: could not install label-studio=={version} ({e}); check network access "
            f"to PyPI, or install it with `make labelstudio`"
        ) from e
    (venv / ".installed").touch()  # the Makefile's marker, so `make labelstudio` agrees
    return exe
