"""The options every stage shares, declared once: ``--taxonomy``, ``--workers``, ``--out`` and
``--force`` mean the same in every command that has them.

- ``--taxonomy FILE``: a taxonomy file or a bundled taxonomy's name (``wojood``; default: the
  bundled ace-ar-conflict);
- ``--workers N``: processes; 0 = one per core (small inputs are then done in this process),
  1 = this process only; a negative number is refused;
- ``--out DIR``: where the command's output is published, whole or not at all;
- ``--force``: replace an earlier output of the same command at ``--out`` (never anything else).
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar

import click

F = TypeVar("F", bound=Callable[..., Any])


def taxonomy_option(*, required: bool = False, help: str | None = None) -> Callable[[F], F]:
    return click.option(
        "--taxonomy",
        type=click.Path(path_type=Path),  # an unreadable file: the library's one-line error
        default=None,
        required=required,
        metavar="FILE|NAME",
        help=help or "Taxonomy file or bundled name (default: the bundled ace-ar-conflict).",
    )


def workers_option(what: str, *, default: int | None = 0) -> Callable[[F], F]:
    """``what``: what the processes do (e.g. "checking the export")."""
    return click.option(
        "--workers",
        type=click.IntRange(min=0),
        default=default,
        metavar="N",
        help=f"Processes {what} (0: one per core, 1: this process only).",
    )


def out_option(
    help: str, *, dest: str = "out_dir", required: bool = True, default: Path | None = None
) -> Callable[[F], F]:
    return click.option(
        "--out",
        dest,
        required=required and default is None,
        default=default,
        show_default=default is not None,
        metavar="DIR",
        type=click.Path(path_type=Path),  # a file there: the publish helper's one-line error
        help=help,
    )


def force_option(what: str) -> Callable[[F], F]:
    return click.option(
        "--force",
        is_flag=True,
        help=f"Replace an earlier {what} at --out (never a directory akhbar did not write).",
    )
