"""A click group whose commands are imported when one is run, not when ``akhbar`` starts.

Each command group's module imports its stage's library (pyarrow, the taxonomy's schemas, the
export reader...): importing them all made every command, ``akhbar annotate push`` run on an
unchanged corpus included, pay for all of them at start-up. A :class:`LazyGroup` names its
commands as ``"module:attribute"`` and imports one on first use; listing them (``--help``, the
reference of the documentation site, reading ``commands``) imports them all.
"""

from __future__ import annotations

import importlib
from typing import Any

import click


class LazyGroup(click.Group):
    """A group with commands given as ``{name: "module:attribute"}`` in ``lazy``."""

    def __init__(self, *args: Any, lazy: dict[str, str] | None = None, **kwargs: Any) -> None:
        self._lazy = dict(lazy or {})
        super().__init__(*args, **kwargs)

    @property  # type: ignore[override]
    def commands(self) -> dict[str, click.Command]:
        for name in list(self._lazy):
            self._load(name)
        return self._commands

    @commands.setter
    def commands(self, value: dict[str, click.Command]) -> None:
        self._commands = value

    def _load(self, name: str) -> click.Command:
        module, _, attribute = self._lazy.pop(name).partition(":")
        command = getattr(importlib.import_module(module), attribute)
        self._commands[name] = command
        return command

    def add_command(self, cmd: click.Command, name: str | None = None) -> None:
        self._commands[name or cmd.name or ""] = cmd

    def list_commands(self, ctx: click.Context) -> list[str]:
        return sorted({*self._commands, *self._lazy})

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        if cmd_name in self._lazy:
            return self._load(cmd_name)
        return self._commands.get(cmd_name)
