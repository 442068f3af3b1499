"""How-to pages missing from ``nav:`` are added to the How-to section (an MkDocs hook).

A feature's how-to (``docs/howto/<topic>.md``) lands with the feature, from its own branch; the
page appears in the site with the feature, under its first heading, after the pages that
``mkdocs.yml`` lists in order. Any other page left out of the nav still fails the strict build.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

SECTION = "How-to guides"
FOLDER = "howto"


def listed(nav: Any) -> set[str]:
    """Every page path the nav names."""
    if isinstance(nav, str):
        return {nav}
    if isinstance(nav, list):
        return set().union(*(listed(item) for item in nav)) if nav else set()
    if isinstance(nav, dict):
        return set().union(*(listed(v) for v in nav.values())) if nav else set()
    return set()


def title_of(path: Path) -> str:
    m = re.search(r"^# (.+)$", path.read_text(encoding="utf-8"), re.M)
    return m.group(1).strip() if m else path.stem.replace("-", " ").capitalize()


def on_config(config: Any) -> Any:
    nav = config["nav"]
    docs = Path(config["docs_dir"])
    named = listed(nav)
    extra = [
        {title_of(p): f"{FOLDER}/{p.name}"}
        for p in sorted((docs / FOLDER).glob("*.md"))
        if f"{FOLDER}/{p.name}" not in named
    ]
    if extra:
        section = next(item for item in nav if isinstance(item, dict) and SECTION in item)
        section[SECTION].extend(extra)
    return config
