"""The fenced code blocks of the documentation's pages, as the example tests read them.

The convention (docs/develop/docs.md says it to writers):

- a ```` ```sh ```` block is an example, run by ``tests/docs/test_docs_examples.py`` from the
  root of a copy of the repository, in the page's order, each block with ``bash -e``;
- a ```` ```text ```` block right after it (blank lines between at most) is its output: each line
  must appear in what the block printed, ``…`` standing for anything within the line;
- a ``sh`` block whose first line is ``# not run: REASON`` is shown, not run: it starts a
  server, or needs the Hugging Face Hub or a cluster; the reason says which;
- a page whose front matter says ``needs: label-studio`` is run against the test session's real
  Label Studio server (``LABEL_STUDIO_URL`` and ``LABEL_STUDIO_API_KEY`` set); the others run
  with no server at all.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
DOCS = REPO / "docs"
FENCE = re.compile(r"^(?P<indent> *)(?P<fence>`{3,})(?P<lang>[\w-]*)[^\n`]*$")
NOT_RUN = re.compile(r"^#\s*not run:\s*(?P<reason>\S.*)$")


@dataclass
class Block:
    page: str
    line: int  # 1-based line of the opening fence
    lang: str
    code: str
    output: str | None = None  # the text block shown as this block's output

    @property
    def not_run_reason(self) -> str | None:
        first = self.code.lstrip("\n").split("\n", 1)[0].strip()
        m = NOT_RUN.match(first)
        return m.group("reason") if m else None

    @property
    def where(self) -> str:
        return f"{self.page}:{self.line}"


def read_blocks(path: Path, name: str) -> list[Block]:
    """The fenced blocks of one Markdown file; a ``text`` block right after a ``sh`` block
    becomes that block's output."""
    lines = path.read_text(encoding="utf-8").split("\n")
    blocks: list[Block] = []
    last_end = -10
    i = 0
    while i < len(lines):
        m = FENCE.match(lines[i])
        if not m:
            i += 1
            continue
        indent, fence, lang = len(m.group("indent")), m.group("fence"), m.group("lang")
        body: list[str] = []
        j = i + 1
        while j < len(lines) and lines[j].strip() != fence:
            body.append(lines[j][indent:] if lines[j][:indent].strip() == "" else lines[j])
            j += 1
        code = "\n".join(body)
        between = lines[last_end + 1 : i] if last_end >= 0 else ["x"]
        follows_sh = blocks and blocks[-1].lang == "sh" and all(not s.strip() for s in between)
        if lang == "text" and follows_sh and blocks[-1].output is None:
            blocks[-1].output = code
        else:
            blocks.append(Block(name, i + 1, lang, code))
        last_end = j
        i = j + 1
    return blocks


def pages() -> list[str]:
    """The hand-written pages (the reference is generated, with no examples to run), the
    README first."""
    found = sorted(str(p.relative_to(DOCS)) for p in DOCS.rglob("*.md") if "hooks" not in p.parts)
    return ["README.md", *found]


def page_path(name: str) -> Path:
    return REPO / name if name == "README.md" else DOCS / name


def page_needs(name: str) -> set[str]:
    """What the page's front matter says it ``needs`` (``label-studio``), if anything."""
    text = page_path(name).read_text(encoding="utf-8")
    if not text.startswith("---\n"):
        return set()
    head = text[4 : text.find("\n---", 4)]
    needs: Iterable[str] = []
    for line in head.splitlines():
        key, _, value = line.partition(":")
        if key.strip() == "needs":
            needs = value.replace(",", " ").split()
    return set(needs)


def output_pattern(line: str) -> re.Pattern[str]:
    """A shown output line as a pattern: ``…`` matches anything within a line, and any run of
    spaces matches any run of spaces."""
    parts = [re.escape(p) for p in line.strip().split("…")]
    body = "[^\n]*".join(parts)
    return re.compile(re.sub(r"(\\ )+", "[ \t]+", body))
