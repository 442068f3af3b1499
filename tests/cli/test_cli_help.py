"""Every akhbar command has help text with an example of itself (walks the whole click tree)."""

from __future__ import annotations

import subprocess
import sys

import click
import pytest

from akhbar.cli.main import cli
from tests.helpers import run_akhbar


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


CHECK_NO_SDK = """
import sys
from akhbar.cli.main import main
try:
    main()
except SystemExit as e:
    assert e.code in (0, None), e.code
loaded = {"label_studio_sdk", "httpx"} & set(sys.modules)
assert not loaded, f"imported for help: {sorted(loaded)}"
"""


@pytest.mark.parametrize("path", [(), ("annotate", "push"), ("annotate", "pull")])
def test_help_does_not_import_the_label_studio_sdk(path):
    """Only commands that talk to a server pay for the SDK (a fresh interpreter each)."""
    done = subprocess.run(
        [sys.executable, "-c", CHECK_NO_SDK, *path, "--help"], capture_output=True, text=True
    )
    assert done.returncode == 0, done.stderr[-2000:]
    assert "Usage:" in done.stdout
