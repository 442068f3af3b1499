"""Every akhbar command has help text with an example of itself (walks the whole click tree)."""

from __future__ import annotations

import click
import pytest
from click.testing import CliRunner

from akhbar.cli.main import cli


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
    result = CliRunner().invoke(cli, [*path, "--help"], prog_name="akhbar")
    assert result.exit_code == 0, result.output
    assert command.help and command.help.strip(), f"akhbar {' '.join(path)} has no help text"
    assert "Example" in result.output, f"akhbar {' '.join(path)} --help shows no example"
    # the example runs this very command
    assert " ".join(("akhbar", *path)) in result.output.split("Example", 1)[1]
