"""`akhbar annotate pull` into a directory holding an earlier snapshot: only what changed is
fetched, and the merged snapshot equals a full export of the same state, task for task."""

from __future__ import annotations

import json
import time
from datetime import UTC, datetime, timedelta
from email.utils import format_datetime
from pathlib import Path

import httpx
import pytest

from akhbar.annotation import pull, pull_delta
from akhbar.annotation.push import corpus_push as push
from akhbar.schemas.shape import check_shape
from tests.helpers import run_akhbar, sample_articles

pytestmark = pytest.mark.labelstudio


def _region(text: str, word: str, label: str, rid: str) -> dict:
    start = text.index(word)
    return {
        "id": rid,
        "from_name": "entity",
        "to_name": "text",
        "type": "labels",
        "value": {"start": start, "end": start + len(word), "text": word, "labels": [label]},
    }


def _tasks(path) -> list[bytes]:
    """The snapshot's tasks, one canonical JSON line each."""
    data = path.read_bytes()
    assert data.startswith(b"[\n") and data.endswith(b"]\n")
    return [line.rstrip(b",") for line in data[2:-2].split(b"\n") if line]


def _pull(labelstudio, project, out, *extra):
    code, stdout, err = run_akhbar(
        "annotate", "pull", "--project", project, "--out", out, "--no-progress",
        *extra, *labelstudio.cli_args(),
    )  # fmt: skip
    assert code == 0, stdout + err
    path = Path(stdout.split("snapshot ", 1)[1].split(" (", 1)[0])
    manifest_path = path.with_name(path.name.removesuffix(".json") + ".manifest.json")
    manifest = json.loads(manifest_path.read_text(encoding="utf-8"))
    check_shape(manifest, "snapshot_manifest", manifest_path.name)  # as the next pull reads it
    return path, manifest, stdout


def test_incremental_pull_equals_a_full_pull_after_every_kind_of_change(
    labelstudio, ls_project, write_corpus, tmp_path, monkeypatch
):
    # No margin before the earlier pull's start (changes in flight then, re-listed in use):
    # here all happens within a minute, and an unchanged task must stay unchanged.
    monkeypatch.setattr(pull_delta, "MARGIN", timedelta(0))
    rows = sample_articles(10, prefix="art_delta")
    push.push_corpus(
        labelstudio.conn, push.PushOptions(write_corpus(rows[:8]), ls_project, progress=False)
    )
    with labelstudio.client() as c:
        pid = c.find_project(ls_project)["id"]
        tasks = sorted(c.iter_tasks(pid), key=lambda t: t["id"])
        text = [t["data"]["text"] for t in tasks]
        ids = [t["id"] for t in tasks]
        kept = c.create_annotation(ids[0], [_region(text[0], text[0].split()[0], "GPE", "a1")])
        edited = c.create_annotation(ids[1], [_region(text[1], text[1].split()[0], "PER", "b1")])
        doomed = c.create_annotation(ids[2], [_region(text[2], text[2].split()[0], "ORG", "c1")])
        to_gt = c.create_annotation(ids[3], [_region(text[3], text[3].split()[0], "LOC", "d1")])
        to_cancel = c.create_annotation(ids[4], [_region(text[4], text[4].split()[1], "FAC", "e1")])
        c.create_prediction(ids[5], result=[_region(text[5], text[5].split()[0], "GPE", "p1")])
    time.sleep(1.1)  # the server's clock (HTTP Date) counts whole seconds

    out = tmp_path / "snapshots"
    first, m1, _ = _pull(labelstudio, ls_project, out)
    assert m1["method"] == "snapshot" and "fallback" not in m1 and m1["counts"]["tasks"] == 8

    # Every kind of change: new tasks, a submitted, an updated, a deleted annotation, a ground
    # truth, a cancelled one, a deleted task (with its annotation), a new prediction.
    push.push_corpus(
        labelstudio.conn, push.PushOptions(write_corpus(rows), ls_project, progress=False)
    )
    with labelstudio.client() as c:
        tasks = sorted(c.iter_tasks(pid), key=lambda t: t["id"])
        new_ids = [t["id"] for t in tasks if t["id"] not in ids]
        assert len(new_ids) == 2
        c.create_annotation(new_ids[0], [_region(tasks[-2]["data"]["text"], "في", "LOC", "n1")])
        c.create_annotation(ids[6], [_region(text[6], text[6].split()[0], "PER", "s1")])
        c.raw(
            "PATCH",
            f"/api/annotations/{edited['id']}",
            retry=True,
            json_body={"result": [_region(text[1], text[1].split()[1], "ORG", "b2")]},
        )
        c.raw("DELETE", f"/api/annotations/{doomed['id']}", retry=True)
        c.raw(
            "PATCH", f"/api/annotations/{to_gt['id']}", retry=True, json_body={"ground_truth": True}
        )
        c.raw(
            "PATCH",
            f"/api/annotations/{to_cancel['id']}",
            retry=True,
            json_body={"was_cancelled": True, "result": []},
        )
        c.create_annotation(ids[7], [], was_cancelled=True)
        c.raw("DELETE", f"/api/tasks/{ids[0]}", retry=True)  # with its annotation `kept`
        c.create_prediction(ids[2], result=[_region(text[2], text[2].split()[0], "GPE", "p2")])

    second, m2, printed = _pull(labelstudio, ls_project, out)
    full, m3, _ = _pull(labelstudio, ls_project, tmp_path / "full", "--full")
    assert m2["method"] == "incremental" and "fallback" not in m2, m2
    assert m3["method"] == "snapshot"
    assert m2["base"] == {"snapshot": first.name, "sha256": m1["sha256"]}
    assert m2["delta"] == {
        # added: 2 new tasks; changed: tasks 2-8 except the untouched prediction task 6;
        # removed: task 1
        "tasks": {"added": 2, "changed": 6, "removed": 1},
        "annotations": {"added": 3, "changed": 3, "removed": 2},
    }
    assert "tasks +2 ~6 -1, annotations +3 ~3 -2" in printed
    assert m2["verified"]["counts"] is True and m2["verified"]["sample"] == 1  # task 6
    # The same snapshot, byte for byte, task for task, as a full export of this state.
    assert _tasks(second) == _tasks(full)
    assert m2["sha256"] == m3["sha256"] and m2["counts"] == m3["counts"]
    snap = [json.loads(line) for line in _tasks(second)]
    assert [t["id"] for t in snap] == ids[1:] + new_ids
    anns = {a["id"]: a for t in snap for a in t["annotations"]}
    assert kept["id"] not in anns and doomed["id"] not in anns
    assert anns[to_gt["id"]]["ground_truth"] is True
    assert anns[to_cancel["id"]]["was_cancelled"] is True
    assert anns[edited["id"]]["result"][0]["id"] == "b2"
    assert "drafts" not in snap[0] and list(snap[0])[:2] == ["id", "annotations"]

    # Nothing changed since: the next pull lists nothing and gives the same tasks.
    third, m4, _ = _pull(labelstudio, ls_project, out)
    assert m4["method"] == "incremental" and m4["base"]["sha256"] == m2["sha256"]
    assert m4["delta"]["tasks"]["added"] == m4["delta"]["tasks"]["removed"] == 0
    assert m4["delta"]["tasks"]["changed"] == 0 and _tasks(third) == _tasks(second)


class ClockSetBack(httpx.BaseTransport):
    """Fault injection: the server's clock (its HTTP Date) says a day earlier than it is."""

    def __init__(self):
        self.inner = httpx.HTTPTransport()

    def handle_request(self, request):
        response = self.inner.handle_request(request)
        if request.url.path.startswith("/api/version"):
            response.read()
            date = format_datetime(datetime(2000, 1, 1, tzinfo=UTC), usegmt=True)
            drop = {"date", "content-encoding", "content-length"}
            headers = [(k, v) for k, v in response.headers.items() if k.lower() not in drop]
            return httpx.Response(
                response.status_code,
                headers=[*headers, ("date", date)],
                content=response.content,
                request=request,
            )
        return response


class ChangesHidden(httpx.BaseTransport):
    """Fault injection: the task listing answers that nothing changed, whatever the query."""

    def __init__(self):
        self.inner = httpx.HTTPTransport()

    def handle_request(self, request):
        query = request.url.params.get("query", "")
        if (
            request.url.path.startswith("/api/tasks")
            and "updated_at" in query
            and "greater" in query
        ):
            return httpx.Response(200, json={"tasks": [], "total": 0}, request=request)
        return self.inner.handle_request(request)


@pytest.mark.parametrize(
    ("transport", "reason"),
    [(ClockSetBack, "clock"), (ChangesHidden, "does not add up")],
    ids=["clock-set-back", "changes-hidden"],
)
def test_pull_falls_back_to_a_full_export_when_fault_injected_server_cannot_say(
    labelstudio, ls_project, write_corpus, tmp_path, transport, reason
):
    rows = sample_articles(3, prefix="art_fallback")
    push.push_corpus(
        labelstudio.conn, push.PushOptions(write_corpus(rows), ls_project, progress=False)
    )
    out = tmp_path / "out"
    with labelstudio.client() as c:
        first = pull.pull(c, ls_project, out)
        task = min(c.iter_tasks(first.manifest["project"]["id"]), key=lambda t: t["id"])
        c.create_annotation(task["id"], [], was_cancelled=True)
    with labelstudio.client(transport=transport()) as c:
        snap = pull_delta.pull_latest(c, ls_project, out)
    assert snap.manifest["method"] == "snapshot" and reason in snap.manifest["fallback"]
    assert (first.manifest["counts"]["annotations"], snap.manifest["counts"]["annotations"]) == (
        0,
        1,
    )
    (line,) = [x for x in snap.lines() if x.startswith("full export: ")]
    assert reason in line
