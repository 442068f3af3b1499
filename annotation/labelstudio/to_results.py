"""Annotated documents -> Label Studio results, the inverse of converting an export.

Used to load existing annotations (imported CoNLL, our own hand annotations) into Label Studio
as annotations or predictions, written the way the UI writes them: one ``labels`` region per
entity mention (from ``entity``) and per trigger (from ``trigger``), and one ``relation`` result
from each trigger to each of its arguments, labelled with the role.
"""

from __future__ import annotations

from typing import Any

from akhbar.annotation.labelstudio.labelconfig import ENTITY_CONTROL, TEXT_OBJECT, TRIGGER_CONTROL


def _region(region_id: str, control: str, start: int, end: int, text: str, label: str) -> dict:
    return {
        "id": region_id,
        "from_name": control,
        "to_name": TEXT_OBJECT,
        "type": "labels",
        "origin": "manual",
        "value": {"start": start, "end": end, "text": text, "labels": [label]},
    }


def document_to_results(doc: dict[str, Any]) -> list[dict[str, Any]]:
    """The Label Studio ``result`` list for one annotated document."""
    results = [
        _region(e["id"], ENTITY_CONTROL, e["start"], e["end"], e["text"], e["label"])
        for e in doc.get("entities", [])
    ]
    for ev in doc.get("events", []):
        t = ev["trigger"]
        results.append(
            _region(ev["id"], TRIGGER_CONTROL, t["start"], t["end"], t["text"], ev["type"])
        )
        results.extend(
            {
                "from_id": ev["id"],
                "to_id": arg["entity_id"],
                "type": "relation",
                "direction": "right",
                "labels": [arg["role"]],
            }
            for arg in ev.get("arguments", [])
        )
    return results
