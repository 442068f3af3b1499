"""Every shell example of the documentation runs, and prints what the page shows.

A page's ``sh`` blocks are run in order in one shell, as a reader types them into one
terminal (a variable set in one block is there in the next), from the root of a fresh copy of
the repository (its folders linked, ``build/`` empty), offline: the Hugging Face Hub off,
caches in a temporary folder, and no Label Studio server unless the page's front matter says
``needs: label-studio``, in which case the session's real server is named by the environment.
A block marked ``# not run: REASON`` is listed, not run (``tests/docs/doc_blocks.py`` has the
convention).
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

from tests.docs.doc_blocks import (
    REPO,
    Block,
    output_pattern,
    page_needs,
    page_path,
    pages,
    read_blocks,
)

# Pages whose examples start a Ray cluster: run with the other `ray` tests.
MARKS = {"howto/ray.md": [pytest.mark.ray, pytest.mark.slow]}
# Examples that cannot run here (they start a server, or need the Hub or a cluster) stay few.
MAX_NOT_RUN = 16
LEFT_OUT = {"build", ".git", ".akhbar", ".labelstudio", ".pytest_cache", ".ruff_cache"}
HOW_TO_FIX = (
    "a page's examples run from a fresh copy of the repository, offline; a page that needs a "
    "Label Studio server says `needs: label-studio` in its front matter, and a block that cannot "
    "run here starts with `# not run: REASON` (docs/develop/docs.md)"
)
MARK = "@@akhbar-docs-block {}@@"
MARK_RE = re.compile(r"^@@akhbar-docs-block (\d+)@@$", re.M)

BLOCKS = {name: read_blocks(page_path(name), name) for name in pages()}


def runnable(page: str) -> list[Block]:
    return [b for b in BLOCKS[page] if b.lang == "sh" and not b.not_run_reason]


OFFLINE = [p for p in BLOCKS if runnable(p) and "label-studio" not in page_needs(p)]
WITH_SERVER = [p for p in BLOCKS if runnable(p) and "label-studio" in page_needs(p)]


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


def run_page(page: str, tmp_path: Path, env_extra: dict[str, str] | None = None) -> None:
    """Run the page's examples in one shell; fail naming the block that failed or that did not
    print what the page shows."""
    root, env = workspace(tmp_path)
    env.update(env_extra or {})
    blocks = runnable(page)
    script = "\n".join(f"printf '\\n{MARK.format(i)}\\n'\n{b.code}" for i, b in enumerate(blocks))
    done = subprocess.run(
        ["bash", "-e", "-o", "pipefail", "-c", script],
        cwd=root,
        env=env,
        stdin=subprocess.DEVNULL,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        timeout=1800,
    )
    pieces = MARK_RE.split(done.stdout)
    printed = {int(pieces[k]): pieces[k + 1] for k in range(1, len(pieces) - 1, 2)}
    if done.returncode != 0:
        last = max(printed, default=0)
        b = blocks[last]
        pytest.fail(
            f"{b.where}: exit {done.returncode}\n{b.code}\n--- printed:\n"
            f"{printed.get(last, done.stdout)[-3000:]}\n--- {HOW_TO_FIX}"
        )
    assert len(printed) == len(blocks), f"{page}: {len(printed)} of {len(blocks)} blocks ran"
    for i, b in enumerate(blocks):
        missing = check_output(b, printed[i])
        assert not missing, (
            f"{b.where}: shown output not printed: {missing}\n--- printed:\n{printed[i][-3000:]}"
        )


@pytest.mark.parametrize("page", [pytest.param(p, marks=MARKS.get(p, []), id=p) for p in OFFLINE])
def test_page_examples_run(page, tmp_path):
    run_page(page, tmp_path)


@pytest.mark.labelstudio
@pytest.mark.parametrize("page", WITH_SERVER)
def test_page_examples_run_against_a_server(page, tmp_path, labelstudio):
    run_page(
        page,
        tmp_path,
        {"LABEL_STUDIO_URL": labelstudio.url, "LABEL_STUDIO_API_KEY": labelstudio.api_key},
    )


def test_examples_not_run_say_why_and_are_few():
    sh = [b for blocks in BLOCKS.values() for b in blocks if b.lang == "sh"]
    not_run = [(b.where, b.not_run_reason) for b in sh if b.not_run_reason]
    assert len(not_run) <= MAX_NOT_RUN, not_run
    assert len(sh) - len(not_run) > 3 * len(not_run), not_run


def test_shell_examples_are_fenced_sh():
    """An example fenced as bash, shell or console would escape the test: only `sh` runs."""
    other = [
        b.where
        for blocks in BLOCKS.values()
        for b in blocks
        if b.lang in ("bash", "shell", "console", "zsh")
    ]
    assert not other, other


def test_every_page_with_examples_is_run():
    assert "tutorial.md" in OFFLINE
    assert set(OFFLINE) | set(WITH_SERVER) == {p for p in BLOCKS if runnable(p)}


def test_output_blocks_are_checked():
    """The output check is no formality: a line that was not printed is reported."""
    block = Block("x.md", 1, "sh", "echo", output="built build/releases/v… (first release)\nnope")
    assert check_output(block, "built build/releases/v1.0.0 (first release)\n") == ["nope"]
