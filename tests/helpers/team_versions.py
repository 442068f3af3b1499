"""Annotators' versions of one composed article (``sample_articles``' first text), with one
planned disagreement of each kind, shared by the team, adjudication and review tests."""

from __future__ import annotations

import copy


def span(text: str, s: str, occurrence: int = 0) -> tuple[int, int]:
    i = -1
    for _ in range(occurrence + 1):
        i = text.index(s, i + 1)
    return i, i + len(s)


def entity(text, eid, label, s):
    a, b = span(text, s)
    return {"id": eid, "start": a, "end": b, "text": s, "label": label}


def versions(text: str) -> dict[str, dict]:
    """Annotator A's document, and B's and C's with the planned disagreements."""
    ents = [
        entity(text, "e1", "WEA", "الطائرات الحربية"),
        entity(text, "e2", "FAC", "مواقع للمسلحين"),
        entity(text, "e3", "GPE", "حلب"),
        entity(text, "e4", "TIME", "فجر الخميس"),
        entity(text, "e5", "ORG", "الجيش"),
        entity(text, "e6", "FAC", "مخازن للأسلحة والذخيرة"),
    ]
    a0, a1 = span(text, "قصفت")
    event = {
        "id": "t1",
        "type": "Attack",
        "trigger": {"start": a0, "end": a1, "text": "قصفت"},
        "arguments": [
            {"role": "Instrument", "entity_id": "e1"},
            {"role": "Target", "entity_id": "e2"},
            {"role": "Place", "entity_id": "e3"},
            {"role": "Time", "entity_id": "e4"},
        ],
    }
    a = {"entities": ents, "events": [event]}
    b = copy.deepcopy(a)
    b["entities"][1].update(entity(text, "e2", "FAC", "مواقع"))  # a boundary
    b["entities"][5]["label"] = "LOC"  # a label
    c = copy.deepcopy(a)
    del c["entities"][4]  # a missed entity
    c["events"][0]["arguments"][2]["role"] = "Target"  # a wrong role
    return {"a": a, "b": b, "c": c}
