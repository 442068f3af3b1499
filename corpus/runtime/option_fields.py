"""Options declared once: a stage's options dataclass says how the command line offers it.

Every stage's entry point takes one options dataclass (``build_corpus(CorpusBuildOptions)``,
``push_corpus(conn, PushOptions)``, ...). Its command's options are generated from that
dataclass's fields (:func:`akhbar.cli.options.from_fields`): a field declared with :func:`opt`
is an option (or, with ``argument=True``, a positional argument) whose name, type and default
come from the field and whose help text is the field's own documentation. Options that several
commands share by name (``--corpus``, ``--taxonomy``, ``--workers``, ``--out``, ``--force``,
``--progress``) take their spelling from one table in ``akhbar.cli.options``.
"""

from __future__ import annotations

from dataclasses import MISSING, field
from typing import Any


def opt(help: str = "", default: Any = MISSING, **cli: Any) -> Any:
    """A dataclass field offered on the command line.

    ``cli`` may hold ``flag`` (the spelling, e.g. ``"--no-near-dup"``), ``metavar``,
    ``choices``, ``min``/``max`` (bounds of a number), ``argument`` (positional), ``nargs``,
    ``required`` (an argument with ``nargs=-1`` may be given no value), ``multiple`` (a
    repeatable option), ``exists``/``file_okay``/``dir_okay`` (for a path), ``negatable`` (a
    ``--x/--no-x`` switch), ``cli_default`` (where the command line's default differs),
    ``show_default`` and ``hidden``.
    """
    meta = {"cli": {"help": help, **cli}}
    if default is MISSING:
        return field(metadata=meta)
    if isinstance(default, list | dict | set):
        return field(default_factory=lambda: type(default)(default), metadata=meta)
    return field(default=default, metadata=meta)
