"""Arabic right to left on every page (an MkDocs hook).

Each run of Arabic in a page's prose (paragraphs, lists, tables), with the numbers on its edges,
and each inline code that holds Arabic, is wrapped in ``<span dir="rtl" lang="ar">``, unless it is already inside a right-to-left element, so that the
browser isolates it and lays it out right to left with its punctuation and brackets, whatever
the English around it. Code blocks are left alone: the stylesheet lays out each of their lines
in the direction of its first letter (``unicode-bidi: plaintext``). Writing the spans by hand
in every page would be forgotten; ``tests/docs/test_docs_site.py`` checks no Arabic is left
outside one.
"""

from __future__ import annotations

import re
from typing import Any

ARABIC = "\u0600-\u06ff\u0750-\u077f\u08a0-\u08ff\ufb50-\ufdff\ufe70-\ufeff"
# Arabic letters, with what may sit between two of them in one phrase (spaces, digits,
# punctuation, brackets) taken along.
# A number just before or after belongs to the phrase too: "12 مارس 2024" reads as one.
NUMBER = r"\d[\d.,:]*"
RUN = re.compile(
    rf"(?:{NUMBER} ?)?[{ARABIC}](?:[{ARABIC}\s\d.,:;!?،؛؟«»()\[\]\-–…/]*[{ARABIC}])?(?: ?{NUMBER}(?<![.,:]))?"
)
ARABIC_CHAR = re.compile(f"[{ARABIC}]")
PAIRS = {"[": "]", "(": ")", "«": "»"}
CLOSERS = {v: k for k, v in PAIRS.items()}
TAG = re.compile(r"(<!--.*?-->|<[^>]*>)", re.S)
NAME = re.compile(r"<\s*(/?)\s*([a-zA-Z][a-zA-Z0-9-]*)")
VOID = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source", "wbr"}
SKIP = {"pre", "script", "style", "svg", "textarea", "title"}
RTL_ATTR = re.compile(r"""\bdir\s*=\s*["']?rtl\b""")


def _unbalanced(run: str) -> tuple[int, int]:
    """How many openers are left unclosed, and closers unopened, in ``run``."""
    opened = unopened = 0
    for ch in run:
        if ch in PAIRS:
            opened += 1
        elif ch in CLOSERS:
            if opened:
                opened -= 1
            else:
                unopened += 1
    return opened, unopened


def wrap_runs(text: str) -> str:
    """``text`` (HTML-escaped text, no tags) with each Arabic run in a right-to-left span; a
    bracket around or inside the run that pairs with one in it is taken along."""
    out: list[str] = []
    pos = 0
    for m in RUN.finditer(text):
        start, end = m.span()
        if start < pos:
            continue
        opened, unopened = _unbalanced(text[start:end])
        while opened and end < len(text) and text[end] in CLOSERS:
            end += 1
            opened -= 1
        while unopened and start > pos and text[start - 1] in PAIRS:
            start -= 1
            unopened -= 1
        out.append(text[pos:start])
        out.append(f'<span dir="rtl" lang="ar">{text[start:end]}</span>')
        pos = end
    out.append(text[pos:])
    return "".join(out)


def rtl_html(html: str) -> str:
    """``html`` with every Arabic run outside code blocks and right-to-left elements wrapped."""
    stack: list[tuple[str, bool]] = []  # (tag, leaves text alone)
    out: list[str] = []
    for piece in TAG.split(html):
        if not piece:
            continue
        if piece.startswith("<"):
            out.append(piece)
            m = NAME.match(piece)
            if not m or piece.startswith("<!"):
                continue
            closing, name = m.group(1) == "/", m.group(2).lower()
            if closing:
                while stack:
                    if stack.pop()[0] == name:
                        break
            elif name not in VOID and not piece.rstrip(">").endswith("/"):
                alone = name in SKIP or bool(RTL_ATTR.search(piece))
                stack.append((name, alone or (bool(stack) and stack[-1][1])))
            continue
        if stack and stack[-1][1]:
            out.append(piece)
        elif stack and stack[-1][0] == "code" and ARABIC_CHAR.search(piece):
            # inline code with Arabic is one phrase (صواريخ Grad): all of it right to left
            out.append(f'<span dir="rtl" lang="ar">{piece}</span>')
        else:
            out.append(wrap_runs(piece))
    return "".join(out)


def on_page_content(html: str, page: Any, config: Any, files: Any) -> str:
    return rtl_html(html)
