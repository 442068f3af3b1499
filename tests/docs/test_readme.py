"""The README stays what a newcomer needs first; the detail lives in the documentation site."""

from __future__ import annotations

import re

from tests.docs.doc_blocks import REPO

README = REPO / "README.md"
MAX_LINES = 120


def test_readme_is_short():
    lines = README.read_text(encoding="utf-8").splitlines()
    assert len(lines) < MAX_LINES, f"README.md has {len(lines)} lines; move detail into docs/"


def test_readme_has_the_two_commands_and_links_into_the_site():
    text = README.read_text(encoding="utf-8")
    assert "make demo" in text and "make test" in text
    assert "docs/annotator.png" in text
    links = re.findall(r"\]\(([^)#\s]+)(?:#[^)]*)?\)", text)
    local = [link for link in links if "://" not in link]
    assert sum(link.startswith("docs/") for link in local) >= 10, local
    missing = [link for link in local if not (REPO / link).exists()]
    assert not missing, missing
    assert "docs/tutorial.md" in local
