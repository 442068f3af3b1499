"""Every akhbar command has help text with an example of itself (walks the whole click tree)."""

from __future__ import annotations

import click
import pytest

from akhbar.cli.main import cli
from tests.conftest import run_akhbar


def walk(command: click.Command, path: tuple[str, ...] = ()):
    """Every command with its path; groups without commands yet (stage stubs) are skipped."""
    if isinstance(command, click.Group):
        if not command.commands:
            return
        yield path, command
        for name, sub in sorted(command.commands.items()):
            yield from walk(sub, (*path, name))
    else:
        yield path, command


COMMANDS = list(walk(cli))


def test_the_tree_has_the_corpus_commands():
    paths = {" ".join(p) for p, _ in COMMANDS}
    assert {"", "corpus", "corpus build", "corpus stats"} <= paths


@pytest.mark.parametrize(
    ("path", "command"), COMMANDS, ids=[" ".join(p) or "akhbar" for p, _ in COMMANDS]
)
def test_help_has_an_example(path, command):
    code, output, err = run_akhbar(*path, "--help")
    assert code == 0, err
    assert command.help and command.help.strip(), f"akhbar {' '.join(path)} has no help text"
    assert "Example" in output, f"akhbar {' '.join(path)} --help shows no example"
    # the example runs this very command
    assert " ".join(("akhbar", *path)) in output.split("Example", 1)[1]
