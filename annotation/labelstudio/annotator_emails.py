"""Who the annotators of a snapshot are: user id -> e-mail, as ``akhbar annotate pull``
recorded them in the manifest beside it (``annotators``; ``schemas/snapshot_manifest``).

A Label Studio export names an annotation's maker by user id (``completed_by``); reports and
documents name people by e-mail, which is what a team knows them by.
"""

from __future__ import annotations

from pathlib import Path

import orjson


def manifest_of(snapshot: Path) -> Path:
    return snapshot.with_name(snapshot.name.removesuffix(".json") + ".manifest.json")


def annotator_emails(snapshot: Path) -> dict[str, str]:
    """User id -> e-mail from the manifest beside ``snapshot``; empty for an export without
    one (annotators are then named by id)."""
    try:
        found = orjson.loads(manifest_of(Path(snapshot)).read_bytes()).get("annotators")
    except (OSError, orjson.JSONDecodeError, AttributeError):
        return {}
    if not isinstance(found, dict):
        return {}
    return {str(k): v for k, v in found.items() if isinstance(v, str) and v}
