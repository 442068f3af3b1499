"""The audit a release was given: its counts in the manifest, a "Known issues" card section.

``akhbar release build --audit DIR`` reads ``DIR/audit.json`` as written by ``akhbar annotate
audit``, as a plain file checked against ``schemas/audit_summary.schema.json`` (releases never import
the annotation layer), records its counts in the manifest and says in the card how many
suspects of each kind remain and how the audit finds them.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import orjson

from akhbar.corpus.file_digest import sha256_file
from akhbar.schemas.errors import InputError
from akhbar.schemas.shape import check_shape

FILE = "audit.json"
SUSPECTS = "audit.jsonl"


def read_audit(directory: Path) -> dict[str, Any]:
    """The summary of ``DIR/audit.json``, checked against its schema."""
    path = Path(directory) / FILE
    if not path.is_file():
        raise InputError(
            f"--audit {directory}: no {FILE} there; give the --out of akhbar annotate audit"
        )
    try:
        data = orjson.loads(path.read_bytes())
    except orjson.JSONDecodeError as e:
        raise InputError(f"{path}: not valid JSON ({e}); run akhbar annotate audit again") from e
    check_shape(data, "audit_summary", str(path), InputError)
    return {**data, "articles": _suspect_articles(Path(directory) / SUSPECTS)}


def _suspect_articles(path: Path) -> dict[str, list[str]]:
    """Article id -> the kinds of suspect in it, from ``audit.jsonl`` (so that ``release diff``
    can say which changed articles were suspects); each line checked against its schema."""
    if not path.is_file():
        raise InputError(
            f"{path}: missing; give the whole --out of akhbar annotate audit (audit.json and "
            "audit.jsonl)"
        )
    out: dict[str, set[str]] = {}
    with path.open("rb") as f:
        for n, line in enumerate(f, 1):
            if not line.strip():
                continue
            try:
                s = orjson.loads(line)
            except orjson.JSONDecodeError as e:
                raise InputError(f"{path}: line {n} is not JSON ({e}); run the audit again") from e
            check_shape(s, "audit_suspect", f"{path} line {n}", InputError)
            for aid in s["article_ids"]:
                out.setdefault(aid, set()).add(s["kind"])
    return {aid: sorted(kinds) for aid, kinds in sorted(out.items())}


def manifest_entry(data: dict[str, Any], directory: Path) -> dict[str, Any]:
    """What the manifest records of the audit: its counts, and the file it came from (named,
    not located)."""
    sha, size = sha256_file(Path(directory) / FILE)
    return {
        "source": {"path": FILE, "sha256": sha, "bytes": size},
        "input_kind": data["input"]["kind"],
        "documents": data["documents"],
        "suspects": data["suspects"],
        "min_score": data["min_score"],
        "by_kind": data["by_kind"],
        "articles": data["articles"],  # article id -> kinds of suspect: for release diff
    }


def section(data: dict[str, Any], entry: dict[str, Any]) -> str:
    """The card's "Known issues" section."""
    kinds = [(k, n) for k, n in data["by_kind"].items() if n]
    rows = "\n".join(f"| {k} | {n:,} | {data['method'].get(k, '')} |" for k, n in kinds)
    table = "| kind | suspects | how it is found |\n|---|---|---|\n" + rows + "\n" if kinds else ""
    return "\n".join(
        [
            "## Known issues\n",
            f"A consistency audit of {data['documents']:,} annotated documents "
            "(`akhbar annotate audit`) compared each annotation with the rest of the corpus "
            "and left "
            f"{data['suspects']:,} suspect(s) scored at least {data['min_score']} unresolved: "
            "annotations (or missing ones) that the corpus's own counts say are likely "
            "errors. They are suspects, not confirmed errors; each is scored by how often the "
            "same string is annotated otherwise elsewhere.\n",
            table,
            f"The audit's counts are in the manifest (`audit`; its `audit.json` had sha256 "
            f"`{entry['source']['sha256'][:16]}…`).\n",
        ]
    )
