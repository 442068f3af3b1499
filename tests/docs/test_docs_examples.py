"""Every shell example of the documentation runs, and prints what the page shows.

Each page's ``sh`` blocks are run in order, as a reader would type them, from the root of a
fresh copy of the repository (its folders linked, ``build/`` empty), offline: no Label Studio
URL or key in the environment, the Hugging Face Hub off, caches in a temporary folder. A block
marked ``# not run: REASON`` (a live server, the Hub, a cluster) is listed, not run
(``tests/docs/doc_blocks.py`` has the convention).
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests.docs.doc_blocks import REPO, Block, output_pattern, page_path, pages, read_blocks

# Pages whose examples start a Ray cluster: run with the other `ray` tests.
MARKS = {"howto/ray.md": [pytest.mark.ray, pytest.mark.slow]}
# Examples that cannot run here (a live server, the Hub, a cluster) stay few.
MAX_NOT_RUN = 16
LEFT_OUT = {"build", ".git", ".akhbar", ".labelstudio", ".pytest_cache", ".ruff_cache"}


def all_blocks() -> dict[str, list[Block]]:
    return {name: read_blocks(page_path(name), name) for name in pages()}


BLOCKS = all_blocks()
RUN_PAGES = [name for name, blocks in BLOCKS.items() if any(b.lang == "sh" for b in blocks)]


def workspace(tmp_path: Path) -> tuple[Path, dict[str, str]]:
    """A copy of the repository's root with nothing built, and the environment to run in."""
    root = tmp_path / "repo"
    root.mkdir()
    for entry in REPO.iterdir():
        if entry.name not in LEFT_OUT:
            (root / entry.name).symlink_to(entry)
    env = {k: v for k, v in os.environ.items() if not k.startswith(("LABEL_STUDIO_", "HF_"))}
    env.update(
        PATH=f"{Path(sys.executable).parent}{os.pathsep}{env.get('PATH', '')}",
        HF_HUB_OFFLINE="1",
        HF_DATASETS_OFFLINE="1",
        HF_HOME=str(tmp_path / "hf"),
        XDG_CACHE_HOME=str(tmp_path / "cache"),
        NO_COLOR="1",
    )
    return root, env


def check_output(block: Block, printed: str) -> list[str]:
    """The lines of the block's shown output that are not in what it printed."""
    if block.output is None:
        return []
    return [
        line
        for line in block.output.split("\n")
        if line.strip() and not output_pattern(line).search(printed)
    ]


@pytest.mark.parametrize(
    "page", [pytest.param(p, marks=MARKS.get(p, []), id=p) for p in RUN_PAGES]
)
def test_page_examples_run(page, tmp_path):
    root, env = workspace(tmp_path)
    ran = 0
    for block in BLOCKS[page]:
        if block.lang != "sh" or block.not_run_reason:
            continue
        done = subprocess.run(
            ["bash", "-e", "-o", "pipefail", "-c", block.code],
            cwd=root,
            env=env,
            capture_output=True,
            text=True,
            timeout=900,
        )
        printed = done.stdout + done.stderr
        assert done.returncode == 0, (
            f"{block.where}: exit {done.returncode}\n{block.code}\n--- printed:\n{printed[-3000:]}"
        )
        missing = check_output(block, printed)
        assert not missing, (
            f"{block.where}: shown output not printed: {missing}\n--- printed:\n{printed[-3000:]}"
        )
        ran += 1
    assert ran, f"{page}: no example ran"


def test_examples_not_run_say_why_and_are_few():
    not_run = [
        (b.where, b.not_run_reason)
        for blocks in BLOCKS.values()
        for b in blocks
        if b.lang == "sh" and b.not_run_reason
    ]
    run = [b for blocks in BLOCKS.values() for b in blocks if b.lang == "sh" and not b.not_run_reason]
    assert len(not_run) <= MAX_NOT_RUN, not_run
    assert len(run) > 2 * len(not_run), (len(run), not_run)


def test_shell_examples_are_fenced_sh():
    """An example fenced as bash, shell or console would escape the test: only `sh` runs."""
    other = [
        b.where for blocks in BLOCKS.values() for b in blocks if b.lang in ("bash", "shell", "console", "zsh")
    ]
    assert not other, other


def test_output_blocks_are_checked(tmp_path):
    """The output check is no formality: a line that was not printed is reported."""
    block = Block("x.md", 1, "sh", "echo", output="built build/releases/v… (first release)\nnope")
    assert check_output(block, "built build/releases/v1.0.0 (first release)\n") == ["nope"]
