"""A snapshot pulled from a real Label Studio validates clean and converts into documents whose
events carry their arguments."""

from __future__ import annotations

import json
import secrets

import jsonschema
import pytest

from akhbar import schemas
from akhbar.annotation import pull
from akhbar.annotation.push import corpus_push
from tests.helpers import run_akhbar as run
from tests.helpers import sample_articles

pytestmark = pytest.mark.labelstudio


def region(text: str, control: str, word: str, label: str) -> dict:
    start = text.index(word)
    return {
        "value": {"start": start, "end": start + len(word), "text": word, "labels": [label]},
        "id": secrets.token_urlsafe(8)[:10],  # shaped like the labelling UI's ids
        "from_name": control,
        "to_name": "text",
        "type": "labels",
        "origin": "manual",
    }


def relation(src: dict, dst: dict, role: str, direction: str = "right") -> dict:
    return {
        "from_id": src["id"],
        "to_id": dst["id"],
        "type": "relation",
        "direction": direction,
        "labels": [role],
    }


def strike(text: str) -> tuple[list[dict], dict[str, str]]:
    """An air strike as the UI saves it; (result, region id -> what it is)."""
    attack = region(text, "trigger", "قصفت", "Attack")
    die = region(text, "trigger", "مقتل", "Die")
    weapon = region(text, "entity", "الطائرات الحربية", "WEA")
    place = region(text, "entity", text.split("قرب ")[1].split(" ")[0], "GPE")
    when = region(text, "entity", "فجر " + text.split("فجر ")[1].split("،")[0], "TIME")
    speaker = region(text, "entity", "المتحدث باسم الجيش", "PER")
    result = [attack, die, weapon, place, when, speaker]
    result += [
        relation(attack, weapon, "Instrument"),
        relation(attack, place, "Place"),
        relation(when, attack, "Time", direction="left"),  # drawn from the entity
        relation(place, die, "Place", direction="bi"),
    ]
    names = {attack["id"]: "attack", die["id"]: "die", weapon["id"]: "weapon"}
    names |= {place["id"]: "place", when["id"]: "when", speaker["id"]: "speaker"}
    return result, names


def test_pulled_snapshot_validates_clean(labelstudio, ls_project, write_corpus, tmp_path):
    rows = sample_articles(8, prefix="art_validate")
    corpus = write_corpus(rows)
    corpus_push.push_corpus(
        labelstudio.conn, corpus_push.PushOptions(corpus, ls_project, progress=False)
    )
    with labelstudio.client() as c:
        pid = c.find_project(ls_project)["id"]
        tasks = {t["data"]["article_id"]: t for t in c.iter_tasks(pid)}
        task = tasks[rows[0]["id"]]
        text = task["data"]["text"]
        first, _ = strike(text)
        c.create_annotation(task["id"], first[:3], lead_time=12.0, project=pid)
        result, names = strike(text)
        newest = c.create_annotation(task["id"], result, lead_time=40.0, project=pid)
        c.create_annotation(tasks[rows[4]["id"]]["id"], [], was_cancelled=True, project=pid)
    snapshot = pull.pull_project(
        labelstudio.conn, pull.PullOptions(ls_project, tmp_path / "snapshots")
    )

    out = tmp_path / "validated"
    code, stdout, stderr = run(
        "annotate", "validate", str(snapshot.path), "--corpus", str(corpus), "--out", str(out)
    )
    assert code == 0, stdout + stderr
    assert "issues: 0 errors, 0 warnings" in stdout
    summary = json.loads((out / "validation.json").read_text(encoding="utf-8"))
    assert summary["snapshot"]["sha256"] == snapshot.manifest["sha256"]
    c = summary["counts"]
    assert c["tasks"] == {
        "total": 8,
        "documented": 1,
        "quarantined": 0,
        "all_cancelled": 1,
        "unannotated": 6,
    }
    assert c["annotations"] == {"total": 3, "valid": 2, "quarantined": 0, "cancelled": 1}

    (line,) = (out / "documents.jsonl").read_bytes().splitlines()
    doc = json.loads(line)
    jsonschema.Draft202012Validator(schemas.load("document")).validate(doc)
    assert doc["article_id"] == rows[0]["id"] and doc["text"] == rows[0]["text"]
    assert doc["task_id"] == task["id"] and doc["annotation_id"] == newest["id"]
    assert doc["selection"] == "latest"
    events = {names[e["id"]]: e for e in doc["events"]}
    args = {
        k: [(a["role"], names[a["entity_id"]]) for a in e["arguments"]] for k, e in events.items()
    }
    assert args == {
        "attack": [("Instrument", "weapon"), ("Place", "place"), ("Time", "when")],
        "die": [("Place", "place")],
    }
    assert {names[e["id"]] for e in doc["entities"]} == {"weapon", "place", "when", "speaker"}
