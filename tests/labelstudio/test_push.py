"""`akhbar annotate push` against a real server: idempotent, resumable, drift-safe, checked."""

from __future__ import annotations

import threading
from collections import Counter

import httpx
import orjson
import pyarrow.parquet as pq
import pytest

from akhbar.annotation.push import corpus_push
from akhbar.cli.main import main
from akhbar.schemas import taxonomy
from akhbar.schemas.errors import IntegrityError, OutputError, UsageError
from tests.helpers import REPO, run_akhbar, sample_articles

pytestmark = pytest.mark.labelstudio


def _run(args, capsys):
    return run_akhbar(*args)  # the one in-process runner (tests/helpers)


def _tasks(labelstudio, title):
    with labelstudio.client() as c:
        project = c.find_project(title)
        return list(c.iter_tasks(project["id"], page_size=100)) if project else []


def _article_ids(labelstudio, title):
    return Counter(t["data"]["article_id"] for t in _tasks(labelstudio, title))


@pytest.fixture(scope="module")
def bundled_sample(tmp_path_factory):
    """The bundled sample built by the real command: a corpus store of kept articles."""
    out = tmp_path_factory.mktemp("sample") / "corpus"
    with pytest.raises(SystemExit) as e:
        main(["corpus", "build", str(REPO / "corpus" / "sample" / "raw"), "--out", str(out)])
        raise SystemExit(0)
    assert e.value.code == 0
    return out


def test_push_the_sample_then_again_adds_nothing(labelstudio, ls_project, bundled_sample, capsys):
    rows = pq.read_table(bundled_sample / "articles.parquet").to_pylist()
    n = len(rows)
    assert n >= 10
    args = ["annotate", "push", str(bundled_sample), "--project", ls_project, "--batch-size", "8"]
    code, out, err = _run([*args, *labelstudio.cli_args()], capsys)
    assert code == 0, err
    assert f"project {ls_project!r} (id " in out and ", created)" in out
    batches = -(-n // 8)
    assert f"articles {n}: {n} imported, 0 already there ({batches} batches," in out
    assert "push:" in err  # the progress bar
    tasks = _tasks(labelstudio, ls_project)
    assert sorted(t["data"]["article_id"] for t in tasks) == sorted(r["id"] for r in rows)
    by_id = {t["data"]["article_id"]: t["data"] for t in tasks}
    for r in rows:
        assert by_id[r["id"]] == {
            k: r[k if k != "article_id" else "id"] for k in corpus_push.TASK_FIELDS
        }

    code, out, err = _run([*args, *labelstudio.cli_args()], capsys)
    assert code == 0, err
    assert ", found)" in out and f"articles {n}: 0 imported, {n} already there (0 batches," in out
    assert len(_tasks(labelstudio, ls_project)) == n


class FaultInjectedTransport(httpx.BaseTransport):
    """A stand-in for a server that dies: the import after ``ok_imports`` fails.

    ``lose_answer`` makes the failing import reach the server (which commits it) and lose
    only the answer, as when the connection breaks after the server wrote the batch.
    """

    def __init__(self, ok_imports: int, lose_answer: bool = False):
        self.inner = httpx.HTTPTransport()
        self.ok_imports = ok_imports
        self.lose_answer = lose_answer
        self.imports = 0

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        if request.method == "POST" and request.url.path.rstrip("/").endswith("/import"):
            self.imports += 1
            if self.imports > self.ok_imports:
                if self.lose_answer and self.imports == self.ok_imports + 1:
                    self.inner.handle_request(request).read()
                    raise httpx.ReadError("connection reset by peer", request=request)
                raise httpx.ConnectError("connection refused", request=request)
        return self.inner.handle_request(request)

    def close(self) -> None:
        self.inner.close()


class RecordingTransport(httpx.HTTPTransport):
    """The real transport, noting each request's method and path (no fault: it only counts)."""

    def __init__(self):
        super().__init__()
        self.requests: list[str] = []

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        self.requests.append(f"{request.method} {request.url.path.rstrip('/')}")
        return super().handle_request(request)


def test_a_first_push_asks_only_what_it_needs_and_a_second_one_less(
    labelstudio, ls_project, write_corpus
):
    """A new project: looked for, created, its tasks sent; nothing else (a project just
    created is empty; the ledger's fingerprint is known from what was sent). A second push:
    the project and its fingerprint."""
    corpus = write_corpus(sample_articles(23, prefix="art_calls"))
    seen = RecordingTransport()
    report = corpus_push.push_corpus(
        labelstudio.conn,
        corpus_push.PushOptions(corpus, ls_project, batch_size=10, progress=False),
        transport=seen,
    )
    assert (report.created_project, report.imported, report.batches) == (True, 23, 3)
    imports = [f"POST /api/projects/{report.project_id}/import"] * 3
    assert seen.requests == ["GET /api/projects", "POST /api/projects", *imports]

    again = RecordingTransport()
    report = corpus_push.push_corpus(
        labelstudio.conn,
        corpus_push.PushOptions(corpus, ls_project, progress=False),
        transport=again,
    )
    assert (report.imported, report.existing, report.from_ledger) == (0, 23, True)
    assert again.requests == ["GET /api/projects", "GET /api/tasks"]


@pytest.mark.parametrize("lose_answer", [False, True], ids=["refused", "answer_lost"])
def test_push_resumes_after_fault_injected_transport_dies(
    labelstudio, ls_project, write_corpus, lose_answer
):
    rows = sample_articles(57, prefix="art_resume")
    corpus = write_corpus(rows)
    dying = FaultInjectedTransport(ok_imports=2, lose_answer=lose_answer)
    with pytest.raises(OutputError, match="run the same push again to finish") as e:
        corpus_push.push_corpus(
            labelstudio.conn,
            corpus_push.PushOptions(corpus, ls_project, batch_size=10, progress=False),
            transport=dying,
        )
    assert "20 of 57 new tasks were imported" in str(e.value)
    # the batch being made when the push stopped was waited for: no thread is left behind
    assert not [t for t in threading.enumerate() if t.name.startswith("akhbar-push")]
    landed = 30 if lose_answer else 20  # a lost answer still means a committed batch
    assert sum(_article_ids(labelstudio, ls_project).values()) == landed

    report = corpus_push.push_corpus(
        labelstudio.conn, corpus_push.PushOptions(corpus, ls_project, batch_size=10, progress=False)
    )
    assert (report.existing, report.imported) == (landed, 57 - landed)
    counts = _article_ids(labelstudio, ls_project)
    assert sorted(counts) == [r["id"] for r in rows]  # none missing
    assert set(counts.values()) == {1}  # none duplicated


def test_a_text_drift_push_is_refused(labelstudio, ls_project, write_corpus, capsys):
    rows = sample_articles(6, prefix="art_drift")
    corpus_push.push_corpus(
        labelstudio.conn, corpus_push.PushOptions(write_corpus(rows), ls_project, progress=False)
    )
    changed = [dict(r) for r in rows] + sample_articles(2, prefix="art_drift_new")
    changed[3]["text"] += " وأضاف مصدر آخر أن الاجتماع تأجل."  # an edited article
    corpus2 = write_corpus(changed, name="corpus2")

    code, _, err = _run(
        ["annotate", "push", str(corpus2), "--project", ls_project, *labelstudio.cli_args()],
        capsys,
    )
    assert code == 2
    assert len(err.strip().splitlines()) == 1
    assert rows[3]["id"] in err and "differs from the text already imported" in err
    assert "push the original corpus, or push the changed one to a new project" in err
    assert len(_tasks(labelstudio, ls_project)) == 6  # nothing pushed, not even the new ones
    with pytest.raises(IntegrityError):
        corpus_push.push_corpus(
            labelstudio.conn, corpus_push.PushOptions(corpus2, ls_project, progress=False)
        )


def _span(text, rid, control, word, label):
    start = text.index(word)
    return {
        "id": rid,
        "from_name": control,
        "to_name": "text",
        "type": "labels",
        "value": {"start": start, "end": start + len(word), "text": word, "labels": [label]},
    }


def _attack(text):
    return [
        _span(text, "t1", "trigger", "قصفت", "Attack"),
        _span(text, "e1", "entity", "الطائرات الحربية", "WEA"),
        {"from_id": "t1", "to_id": "e1", "type": "relation", "direction": "right",
         "labels": ["Instrument"]},
    ]  # fmt: skip


def _predictions(labelstudio, title):
    with labelstudio.client() as c:
        pid = c.find_project(title)["id"]
        return c.predictions(pid)


def test_bad_predictions_are_refused_before_import(
    labelstudio, ls_project, write_corpus, tmp_path, capsys
):
    rows = sample_articles(8, prefix="art_pred")
    attack = rows[0]["text"]  # every fourth sample article is an air strike
    bad_label = _attack(attack)
    bad_label[1]["value"]["labels"] = ["WEAPON"]
    bad_offset = _attack(attack)
    bad_offset[1]["value"]["end"] = len(attack) + 5
    bad_role = _attack(attack)
    bad_role[2]["labels"] = ["Victim"]
    lines = [
        {"article_id": rows[0]["id"], "model_version": "rules-1", "result": _attack(attack)},
        {"article_id": rows[4]["id"], "model_version": "rules-1", "result": bad_label},
        {"article_id": rows[4]["id"], "model_version": "rules-2", "result": bad_offset},
        {"article_id": rows[4]["id"], "model_version": "rules-3", "result": bad_role},
    ]
    pre = tmp_path / "pre.jsonl"
    pre.write_bytes(b"".join(orjson.dumps(x) + b"\n" for x in lines))
    args = ["annotate", "push", str(write_corpus(rows)), "--project", ls_project, "--no-progress"]
    code, out, err = _run([*args, "--predictions", str(pre), *labelstudio.cli_args()], capsys)
    assert code == 2
    assert "articles 8: 8 imported" in out
    assert (
        f"{pre} line 2: article {rows[4]['id']}: /result/1/value/labels/0: AK110 label 'WEAPON'"
        in err
    )
    assert f"{pre} line 3: article {rows[4]['id']}: /result/1/value/end: AK102 end " in err
    assert (
        f"{pre} line 4: article {rows[4]['id']}: /result/2/labels/0: AK122 role 'Victim' is not a role of event Attack"
        in err
    )
    assert err.strip().endswith("3 pre-annotation(s) rejected and not imported (listed above); "
                                "fix them and run the same push again")  # fmt: skip
    stored = _predictions(labelstudio, ls_project)
    assert [(p["model_version"], len(p["result"])) for p in stored] == [("rules-1", 3)]
    tasks = {t["id"]: t["data"]["article_id"] for t in _tasks(labelstudio, ls_project)}
    assert tasks[stored[0]["task"]] == rows[0]["id"]

    # The fixed file pushed again: the missing predictions are added to the existing tasks,
    # and the one already there is not added twice.
    lines[1]["result"] = _attack(rows[4]["text"])
    pre.write_bytes(b"".join(orjson.dumps(x) + b"\n" for x in lines[:2]))
    code, out, err = _run([*args, "--predictions", str(pre), *labelstudio.cli_args()], capsys)
    assert code == 0, err
    assert "1 predictions and 0 annotations imported, 1 already there or skipped" in out
    got = sorted(
        (tasks[p["task"]], p["model_version"]) for p in _predictions(labelstudio, ls_project)
    )
    assert got == [(rows[0]["id"], "rules-1"), (rows[4]["id"], "rules-1")]


def test_annotations_ride_with_new_tasks_and_a_bad_one_holds_its_article_back(
    labelstudio, ls_project, write_corpus, tmp_path
):
    rows = sample_articles(4, prefix="art_ann")
    good = {"article_id": rows[0]["id"], "result": _attack(rows[0]["text"])}
    broken = {"article_id": rows[1]["id"], "result": _attack(rows[0]["text"])}  # wrong text
    ann = tmp_path / "ann.jsonl"
    ann.write_bytes(orjson.dumps(good) + b"\n" + orjson.dumps(broken) + b"\n")
    corpus = write_corpus(rows)
    report = corpus_push.push_corpus(
        labelstudio.conn,
        corpus_push.PushOptions(corpus, ls_project, annotations=ann, progress=False),
    )
    assert (report.imported, report.annotations, report.held_back) == (3, 1, 1)
    assert [p.article_id for p in report.rejected] == [rows[1]["id"]]
    ids = _article_ids(labelstudio, ls_project)
    assert rows[1]["id"] not in ids and len(ids) == 3

    # The broken one dropped: its article follows; the good one is not imported twice.
    ann.write_bytes(orjson.dumps(good) + b"\n")
    report = corpus_push.push_corpus(
        labelstudio.conn,
        corpus_push.PushOptions(corpus, ls_project, annotations=ann, progress=False),
    )
    assert (report.imported, report.annotations, report.skipped_preannotations) == (1, 0, 1)
    with labelstudio.client() as c:
        pid = c.find_project(ls_project)["id"]
        tasks = list(c.iter_tasks(pid, include="id,data,total_annotations"))
    annotated = {t["data"]["article_id"]: t["total_annotations"] for t in tasks}
    assert annotated == {r["id"]: int(r is rows[0]) for r in rows}


def test_push_refuses_a_missing_corpus_and_a_bad_batch_size(labelstudio, tmp_path, capsys):
    code, _, err = _run(
        ["annotate", "push", str(tmp_path / "nope"), "--project", "x", *labelstudio.cli_args()],
        capsys,
    )
    assert code == 2 and "articles.parquet: no such file; build the corpus" in err
    with (
        pytest.raises(UsageError, match="--batch-size must be at least 1"),
        labelstudio.client() as c,
    ):
        corpus_push.push(c, [], "never created", taxonomy.load(), batch_size=0)


def test_the_cli_names_a_missing_server(tmp_path, monkeypatch, capsys):
    monkeypatch.delenv("LABEL_STUDIO_URL", raising=False)
    monkeypatch.delenv("LABEL_STUDIO_API_KEY", raising=False)
    settings = str(tmp_path / "none.json")
    code, _, err = _run(
        ["annotate", "pull", "--project", "p", "--out", str(tmp_path), "--settings", settings],
        capsys,
    )
    assert code == 2 and len(err.strip().splitlines()) == 1
    assert "start one with `akhbar studio up`, or pass --url and --api-key" in err


def test_a_second_push_of_an_unchanged_project_reads_only_its_fingerprint(
    labelstudio, ls_project, write_corpus
):
    rows = sample_articles(30, prefix="art_ledger")
    corpus = write_corpus(rows)
    first = corpus_push.push_corpus(
        labelstudio.conn, corpus_push.PushOptions(corpus, ls_project, batch_size=7, progress=False)
    )
    assert (first.imported, first.from_ledger) == (30, False)

    listed = []
    with labelstudio.client() as c:
        c.iter_tasks = lambda *a, **k: listed.append(a) or iter(())  # must not be called
        again = corpus_push.push(c, corpus_push.read_task_articles(corpus), ls_project, taxonomy.load(),
                          progress=False)  # fmt: skip
    assert (again.imported, again.existing, again.from_ledger) == (0, 30, True) and not listed
    assert "project unchanged since the last push" in again.lines()[1]

    # A task deleted behind akhbar's back: the fingerprint changes, the project is listed and
    # the missing article pushed again, once.
    with labelstudio.client() as c:
        pid = c.find_project(ls_project)["id"]
        victim = next(t for t in c.iter_tasks(pid) if t["data"]["article_id"] == rows[29]["id"])
        c.call("DELETE task", lambda o: c.sdk.tasks.delete(str(victim["id"]), request_options=o),
               retry=True)  # fmt: skip
    third = corpus_push.push_corpus(
        labelstudio.conn, corpus_push.PushOptions(corpus, ls_project, progress=False)
    )
    assert (third.imported, third.existing, third.from_ledger) == (1, 29, False)
    assert set(_article_ids(labelstudio, ls_project).values()) == {1}

    # A task added by someone else: listed again, nothing of ours pushed twice.
    with labelstudio.client() as c:
        c.import_tasks(pid, [{"data": {"text": "نص أضافه زميل", "article_id": "art_other"}}])
    fourth = corpus_push.push_corpus(
        labelstudio.conn, corpus_push.PushOptions(corpus, ls_project, progress=False)
    )
    assert (fourth.imported, fourth.existing, fourth.from_ledger) == (0, 30, False)
    fifth = corpus_push.push_corpus(
        labelstudio.conn, corpus_push.PushOptions(corpus, ls_project, progress=False)
    )
    assert (fifth.imported, fifth.from_ledger) == (0, True)

    # Drift is refused through the ledger too (no listing of texts involved).
    changed = [dict(r) for r in rows]
    changed[5]["text"] += " وأضاف مصدر آخر."
    changed_corpus = write_corpus(changed, "c2")
    with pytest.raises(IntegrityError, match="differs from the text already imported"):
        corpus_push.push_corpus(
            labelstudio.conn, corpus_push.PushOptions(changed_corpus, ls_project, progress=False)
        )


def test_a_newest_task_replaced_under_the_same_id_is_seen_through_the_ledger(
    labelstudio, ls_project, write_corpus
):
    """SQLite gives a task imported after the newest was deleted that task's id: the number
    of tasks and the highest id are as the ledger says, the newest task's meta is not."""
    rows = sample_articles(5, prefix="art_reused")
    corpus = write_corpus(rows)
    first = corpus_push.push_corpus(
        labelstudio.conn, corpus_push.PushOptions(corpus, ls_project, progress=False)
    )
    assert first.imported == 5
    with labelstudio.client() as c:
        pid = first.project_id
        count, top = c.newest_task(pid)
        c.call("DELETE task", lambda o: c.sdk.tasks.delete(str(top["id"]), request_options=o),
               retry=True)  # fmt: skip
        c.import_tasks(pid, [{"data": {"text": "نص أضافه زميل", "article_id": "art_other"}}])
        assert c.newest_task(pid)[0] == count and c.newest_task(pid)[1]["id"] == top["id"]
    again = corpus_push.push_corpus(
        labelstudio.conn, corpus_push.PushOptions(corpus, ls_project, progress=False)
    )
    assert (again.imported, again.existing, again.from_ledger) == (1, 4, False)
    assert sorted(_article_ids(labelstudio, ls_project)) == sorted(
        [r["id"] for r in rows] + ["art_other"]
    )


def test_tasks_pushed_without_a_digest_are_compared_by_their_text(
    labelstudio, ls_project, write_corpus
):
    """Tasks imported by an older akhbar (no digest in meta) still count and drift-check."""
    rows = sample_articles(4, prefix="art_legacy")
    tax = taxonomy.load()
    with labelstudio.client() as c:
        project, _, _ = corpus_push.ensure_project(c, ls_project, tax)
        data = [corpus_push.TaskArticle(r["id"], r["title"], r["text"], r["source"], r["url"]).data()
                for r in rows[:3]]  # fmt: skip
        c.import_tasks(project["id"], [{"data": d} for d in data])
    report = corpus_push.push_corpus(
        labelstudio.conn, corpus_push.PushOptions(write_corpus(rows), ls_project, progress=False)
    )
    assert (report.existing, report.imported) == (3, 1)
    changed = [dict(r) for r in rows]
    changed[1]["text"] += " تعديل."
    changed_corpus = write_corpus(changed, "c2")
    with pytest.raises(IntegrityError, match=rows[1]["id"]):
        corpus_push.push_corpus(
            labelstudio.conn, corpus_push.PushOptions(changed_corpus, ls_project, progress=False)
        )


def test_a_title_with_surrounding_spaces_names_the_project_the_server_stored(
    labelstudio, ls_project, write_corpus, tmp_path, capsys
):
    corpus = write_corpus(sample_articles(3, prefix="art_spaced"))
    spaced = f"  {ls_project}  "  # the server strips titles when it stores them
    for _ in range(2):
        code, out, err = _run(
            ["annotate", "push", str(corpus), "--project", spaced, *labelstudio.cli_args()],
            capsys,
        )
        assert code == 0, err
    assert ", created)" not in out and "0 imported, 3 already there" in out
    with labelstudio.client() as c:
        assert [p["title"] for p in c.projects(ls_project)] == [ls_project]  # one project
    code, out, err = _run(
        ["annotate", "pull", "--project", spaced, "--out", str(tmp_path / "s"), "--no-progress",
         *labelstudio.cli_args()],
        capsys,
    )  # fmt: skip
    assert code == 0, err
    assert "3 tasks" in out


def test_a_negative_limit_is_refused(write_corpus, capsys):
    corpus = write_corpus(sample_articles(2, prefix="art_limit"))
    args = ["annotate", "push", str(corpus), "--project", "p", "--limit", "-1"]
    code, _, err = _run([*args, "--url", "http://127.0.0.1:9", "--api-key", "k" * 40], capsys)
    assert code == 2
    assert err.strip().splitlines() == [err.strip()] and "--limit -1" in err
