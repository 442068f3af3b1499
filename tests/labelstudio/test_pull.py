"""`akhbar annotate pull` against a real server: full JSON snapshots that keep relations."""

from __future__ import annotations

import hashlib
import json
import re
import secrets
import stat

import httpx
import pytest

from akhbar.annotation import pull
from akhbar.annotation.push import corpus_push
from akhbar.schemas import taxonomy
from akhbar.schemas.errors import OutputError
from tests.helpers import run_akhbar, sample_articles

pytestmark = pytest.mark.labelstudio
SNAPSHOT = re.compile(r"^snapshot-\d{8}T\d{6}Z-[0-9a-f]{12}\.json$")


def _run(args, capsys):
    return run_akhbar(*args)  # the one in-process runner (tests/helpers)


def _region_id() -> str:
    """An id shaped like the labeling UI's (ten URL-safe characters)."""
    return secrets.token_urlsafe(8)[:10]


def _region(text, control, word, label, nth=0):
    start = -1
    for _ in range(nth + 1):
        start = text.index(word, start + 1)
    return {
        "value": {"start": start, "end": start + len(word), "text": word, "labels": [label]},
        "id": _region_id(),
        "from_name": control,
        "to_name": "text",
        "type": "labels",
        "origin": "manual",
    }


def _relation(src, dst, role, direction="right"):
    return {
        "from_id": src["id"],
        "to_id": dst["id"],
        "type": "relation",
        "direction": direction,
        "labels": [role],
    }


def ui_annotation(text):
    """What the labeling UI saves for an air-strike article: entities, triggers, arguments."""
    attack = _region(text, "trigger", "قصفت", "Attack")
    die = _region(text, "trigger", "مقتل", "Die")
    weapon = _region(text, "entity", "الطائرات الحربية", "WEA")
    place = _region(text, "entity", text.split("قرب ")[1].split(" ")[0], "GPE")
    time = _region(text, "entity", "فجر " + text.split("فجر ")[1].split("،")[0], "TIME")
    victims = _region(text, "entity", "مسلحين", "PER", nth=1)
    speaker = _region(text, "entity", "المتحدث باسم الجيش", "PER")
    regions = [attack, die, weapon, place, time, victims, speaker]
    relations = [
        _relation(attack, weapon, "Instrument"),
        _relation(attack, place, "Place"),
        _relation(time, attack, "Time", direction="left"),  # drawn from the entity
        _relation(die, victims, "Victim"),
        _relation(die, weapon, "Instrument"),
    ]
    return regions + relations


def test_ui_annotations_come_back_in_the_snapshot_with_their_relations(
    labelstudio, ls_project, write_corpus, tmp_path, capsys
):
    rows = sample_articles(8, prefix="art_pull")
    corpus = write_corpus(rows)
    corpus_push.push_corpus(
        labelstudio.conn, corpus_push.PushOptions(corpus, ls_project, progress=False)
    )
    with labelstudio.client() as c:
        pid = c.find_project(ls_project)["id"]
        tasks = {t["data"]["article_id"]: t for t in c.iter_tasks(pid)}
        task = tasks[rows[4]["id"]]
        result = ui_annotation(task["data"]["text"])
        created = c.create_annotation(task["id"], result, lead_time=42.5, project=pid)
        skipped = c.create_annotation(tasks[rows[1]["id"]]["id"], [], was_cancelled=True)
    assert skipped["was_cancelled"] is True

    out_dir = tmp_path / "snapshots"
    code, out, err = _run(
        ["annotate", "pull", "--project", ls_project, "--out", str(out_dir), *labelstudio.cli_args()],
        capsys,
    )  # fmt: skip
    assert code == 0, err
    (snap,) = [p for p in out_dir.iterdir() if SNAPSHOT.match(p.name)]
    manifest_path = snap.with_name(snap.name.removesuffix(".json") + ".manifest.json")
    assert sorted(p.name for p in out_dir.iterdir()) == sorted([snap.name, manifest_path.name])
    assert f"snapshot {snap} (" in out and "8 tasks, 2 annotations (1 skipped)" in out
    assert stat.S_IMODE(snap.stat().st_mode) == 0o444

    data = snap.read_bytes()
    manifest = json.loads(manifest_path.read_text(encoding="utf-8"))
    assert manifest["sha256"] == hashlib.sha256(data).hexdigest() and snap.name.endswith(
        f"-{manifest['sha256'][:12]}.json"
    )
    tax = taxonomy.load()
    assert manifest["project"] == {"id": pid, "title": ls_project}
    assert manifest["taxonomy"] == {
        "name": tax.name,
        "version": tax.version,
        "sha256": tax.sha256,
        "config_matches": True,
    }
    assert manifest["counts"] == {
        "tasks": 8,
        "tasks_with_annotations": 2,
        "annotations": 2,
        "cancelled_annotations": 1,
        "predictions": 0,
    }
    assert manifest["label_studio_version"] == "1.23.2" and manifest["method"] == "snapshot"
    assert labelstudio.api_key not in data.decode("utf-8") + manifest_path.read_text()

    export = json.loads(data)
    (got,) = [t for t in export if t["id"] == task["id"]]
    assert got["data"] == task["data"]
    (ann,) = got["annotations"]
    assert ann["id"] == created["id"] and ann["was_cancelled"] is False
    by_id = {r["id"]: r for r in ann["result"] if r["type"] == "labels"}
    assert by_id == {r["id"]: r for r in result if r["type"] == "labels"}
    relations = [r for r in ann["result"] if r["type"] == "relation"]
    assert relations == [r for r in result if r["type"] == "relation"]
    text = got["data"]["text"]
    for r in by_id.values():
        assert text[r["value"]["start"] : r["value"]["end"]] == r["value"]["text"]

    # The snapshot validates clean and converts into documents whose events keep arguments.
    code, out, err = _run(
        ["annotate", "validate", str(snap), "--corpus", str(corpus), "--out",
         str(tmp_path / "validated"), "--taxonomy", str(taxonomy.DEFAULT_TAXONOMY)],
        capsys,
    )  # fmt: skip
    assert code == 0, out + err
    validated = tmp_path / "validated"
    assert (validated / "quarantine.jsonl").read_bytes() == b""
    summary = json.loads((validated / "validation.json").read_text(encoding="utf-8"))
    assert summary["snapshot"]["sha256"] == manifest["sha256"]
    (doc,) = [json.loads(line) for line in (validated / "documents.jsonl").read_text().splitlines()]
    assert (doc["article_id"], doc["task_id"], doc["annotation_id"]) == (
        rows[4]["id"],
        task["id"],
        created["id"],
    )
    labels = {r["id"]: r["value"]["labels"][0] for r in by_id.values()}
    entity_of = {e["id"]: e["label"] for e in doc["entities"]}
    assert sorted(entity_of.values()) == ["GPE", "PER", "PER", "TIME", "WEA"]
    args = {
        ev["type"]: sorted((a["role"], entity_of[a["entity_id"]]) for a in ev["arguments"])
        for ev in doc["events"]
    }
    assert args == {
        "Attack": [("Instrument", "WEA"), ("Place", "GPE"), ("Time", "TIME")],
        "Die": [("Instrument", "WEA"), ("Victim", "PER")],
    }
    assert all(labels[ev["id"]] == ev["type"] for ev in doc["events"])


def test_predictions_are_expanded_in_the_snapshot(labelstudio, ls_project, write_corpus, tmp_path):
    rows = sample_articles(4, prefix="art_pull_pred")
    result = [r for r in ui_annotation(rows[0]["text"]) if r["type"] == "labels"][:3]
    pre = tmp_path / "pre.jsonl"
    line = {"article_id": rows[0]["id"], "model_version": "rules-1", "score": 0.7, "result": result}
    pre.write_text(json.dumps(line, ensure_ascii=False) + "\n", encoding="utf-8")
    report = corpus_push.push_corpus(
        labelstudio.conn,
        corpus_push.PushOptions(write_corpus(rows), ls_project, predictions=pre, progress=False),
    )
    assert report.predictions == 1 and not report.rejected
    with labelstudio.client() as c:
        snap = pull.pull(c, ls_project, tmp_path / "out", taxonomy.load())
    export = json.loads(snap.path.read_bytes())
    (pred,) = [p for t in export for p in t["predictions"]]
    assert isinstance(pred, dict) and pred["model_version"] == "rules-1" and pred["score"] == 0.7
    assert [r["value"] for r in pred["result"]] == [r["value"] for r in result]
    assert snap.manifest["counts"]["predictions"] == 1


def test_pulls_never_overwrite_a_snapshot(
    labelstudio, ls_project, write_corpus, tmp_path, monkeypatch
):
    corpus_push.push_corpus(
        labelstudio.conn,
        corpus_push.PushOptions(
            write_corpus(sample_articles(3, "art_twice")), ls_project, progress=False
        ),
    )
    out = tmp_path / "out"
    with labelstudio.client() as c:
        first = pull.pull(c, ls_project, out)
        before = first.path.read_bytes()
        more = write_corpus(sample_articles(5, "art_twice"), "c2")
        corpus_push.push_corpus(
            labelstudio.conn, corpus_push.PushOptions(more, ls_project, progress=False)
        )
        second = pull.pull(c, ls_project, out)
        assert second.path != first.path and first.path.read_bytes() == before
        assert (first.manifest["counts"]["tasks"], second.manifest["counts"]["tasks"]) == (3, 5)

        # The same export twice within one second gets the same name: the file there is kept.
        monkeypatch.setattr(pull, "_utc_stamp", lambda now: "20261123T000000Z")
        third = pull.pull(c, ls_project, out / "same")
        inode = third.path.stat().st_ino
        fourth = pull.pull(c, ls_project, out / "same")
        assert fourth.path == third.path and third.path.stat().st_ino == inode
        assert fourth.manifest == third.manifest

        # Other content under a snapshot's name is never replaced.
        third.path.chmod(0o644)
        third.path.write_text("[]")
        with pytest.raises(OutputError, match="exists with other content"):
            pull.pull(c, ls_project, out / "same")
        assert third.path.read_text() == "[]"
        assert sorted(p.name for p in (out / "same").iterdir()) == sorted(
            [third.path.name, third.manifest_path.name]
        )  # no temporary file left behind


class SnapshotExportFails(httpx.BaseTransport):
    """Fault injection: the server refuses to make export snapshots (an older server)."""

    def __init__(self):
        self.inner = httpx.HTTPTransport()

    def handle_request(self, request):
        if request.method == "POST" and request.url.path.rstrip("/").endswith("/exports"):
            return httpx.Response(405, json={"detail": "Method not allowed"}, request=request)
        return self.inner.handle_request(request)


def test_pull_falls_back_to_the_direct_export_when_fault_injected_snapshots_fail(
    labelstudio, ls_project, write_corpus, tmp_path
):
    rows = sample_articles(5, prefix="art_direct")
    corpus_push.push_corpus(
        labelstudio.conn, corpus_push.PushOptions(write_corpus(rows), ls_project, progress=False)
    )
    with labelstudio.client(transport=SnapshotExportFails()) as c:
        snap = pull.pull(c, ls_project, tmp_path)
    assert snap.manifest["method"] == "direct" and snap.manifest["counts"]["tasks"] == 5
    assert sorted(t["data"]["article_id"] for t in json.loads(snap.path.read_bytes())) == [
        r["id"] for r in rows
    ]


@pytest.mark.slow
def test_thousands_of_tasks_pull_without_timing_out(
    labelstudio, ls_project, write_corpus, tmp_path
):
    rows = sample_articles(2000, prefix="art_many")
    report = corpus_push.push_corpus(
        labelstudio.conn,
        corpus_push.PushOptions(write_corpus(rows), ls_project, batch_size=1000, progress=False),
    )
    assert report.imported == 2000 and report.batches == 2
    with labelstudio.client() as c:
        snap = pull.pull(c, ls_project, tmp_path)
    assert snap.manifest["counts"]["tasks"] == 2000
    assert len({t["data"]["article_id"] for t in json.loads(snap.path.read_bytes())}) == 2000
