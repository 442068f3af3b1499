"""akhbar.schemas: the contract at the bottom: JSON Schemas, the taxonomy model, the annotated
document and its one check (``document.check_document``, and ``document.DocumentCheck`` with
the quick path a release takes), the check codes, the exception tree.
May import no other akhbar package (every other layer imports it)."""

from __future__ import annotations

import json
from functools import cache
from pathlib import Path
from typing import Any

SCHEMA_DIR = Path(__file__).resolve().parent


@cache
def load(name: str) -> dict[str, Any]:
    """Load ``schemas/<name>.schema.json``; an unknown name lists the known ones."""
    path = SCHEMA_DIR / f"{name}.schema.json"
    if not path.is_file():
        known = sorted(
            p.name.removesuffix(".schema.json") for p in SCHEMA_DIR.glob("*.schema.json")
        )
        raise KeyError(f"no schema named {name!r}; known schemas: {', '.join(known)}")
    return json.loads(path.read_text(encoding="utf-8"))


def version(name: str) -> str:
    """The version at the end of a schema's ``$id`` (``.../article/1.0.0`` -> ``1.0.0``)."""
    return load(name)["$id"].rstrip("/").rsplit("/", 1)[-1]


def all_versions() -> dict[str, str]:
    """Every schema's name and version, for manifests."""
    names = sorted(p.name.removesuffix(".schema.json") for p in SCHEMA_DIR.glob("*.schema.json"))
    return {n: version(n) for n in names}
