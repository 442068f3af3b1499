"""Benchmark of ``akhbar annotate push`` and ``pull``: 10,000 articles, then 100,000 tasks.

On 10,000 SaudiNewsNet articles, against a floor measured in the same run on the same server:
one raw bulk import POST (orjson body made beforehand, not timed) of the same tasks our push
sends (``data`` and the ``meta`` with the text digest) into an already-created project: what
any push must do at least. A second floor sends ``data`` only (what a push without the
digests for cheap re-pushes would send). Our corpus_push, timed whole as ``corpus_push.push`` with a client
already connected: finds the project by title and creates it, makes the tasks (digests, JSON)
and sends them in batches (``--batch-size``), and writes its ledger (no request). The floors
and the push alternate for ``--rounds`` rounds, each into a fresh project (the floors first,
so each push meets the larger database), and the medians are compared. Then a second push of the same articles (nothing to send) against the first,
once as a user runs it (the ledger of the first push says the project is unchanged) and once
with the ledger removed (the project's ids and digests are listed), the whole command
``akhbar annotate push`` in a child process (start-up, SDK import, corpus read included), and
a pull of the project. ``akhbar --help`` and ``akhbar annotate push --help`` are timed (median
of 5 child processes), with a check that neither imports the SDK.

``--sweep 1000,2500,5000,10000`` times pushes at those batch sizes against the floor instead
(how ``task_batches.DEFAULT_BATCH_SIZE`` was chosen).

Then ``--big`` tasks (default 100,000; 0 skips it), each with one annotation, made with bulk
imports, are pulled by ``akhbar annotate pull`` in a child process: its time and peak RSS
(from the kernel's accounting of that process), against the server's part measured in the same
run: making an export snapshot of the project and streaming it to a file, with no checks.

The articles come from the real corpus pipeline (``corpus.pipeline.build_corpus``) when it is
available, otherwise straight from the zips (title and content, empty bodies skipped).

    .venv/bin/python benchmarks/bench_push.py [--data ../shared/data/saudinewsnet] [--n 10000]
        [--batch-size 5000] [--rounds 3] [--big 100000] [--sweep SIZES] [--url URL --api-key KEY]

Without --url/--api-key (or LABEL_STUDIO_URL/LABEL_STUDIO_API_KEY) a fresh Label Studio is
started in a temporary directory and stopped at the end. Goals (issue 11): push / floor at
most 1.3x, second push / first at most 0.2x, the big pull without a time-out in under 500 MB.
The machine's load average is printed with the figures: other work on it slows the server.
"""

from __future__ import annotations

import argparse
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
import zipfile
from pathlib import Path

import orjson

from akhbar.annotation import pull
from akhbar.annotation.labelstudio import client, server
from akhbar.annotation.push import corpus_push, task_batches
from akhbar.annotation.push import ledger as push_ledger
from akhbar.annotation.push.corpus_push import TaskArticle
from akhbar.corpus.records import article_id
from akhbar.schemas import taxonomy

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_DATA = ROOT.parent / "shared" / "data" / "saudinewsnet"


CHILD = """
import atexit, sys
def hwm():
    status = open("/proc/self/status").read()
    print("VmHWM", status.split("VmHWM:")[1].split()[0], file=sys.stderr)
atexit.register(hwm)
from akhbar.cli.main import main
main()
"""


def peak_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def articles_from_pipeline(zips: list[Path], n: int, work: Path) -> list[TaskArticle] | None:
    try:
        from akhbar.corpus.pipeline import CorpusBuildOptions, build_corpus
    except ImportError:
        return None
    build_corpus(CorpusBuildOptions(zips, work / "corpus", progress=False))
    return corpus_push.read_task_articles(work / "corpus", limit=n)


def articles_from_zips(zips: list[Path], n: int) -> list[TaskArticle]:
    out: list[TaskArticle] = []
    seen: set[str] = set()
    for path in zips:
        with zipfile.ZipFile(path) as z:
            for name in z.namelist():
                for rec in orjson.loads(z.read(name)):
                    text = (rec.get("content") or "").strip()
                    if not text:
                        continue
                    title = (rec.get("title") or "").strip()
                    aid = article_id(rec.get("source"), rec.get("url"), title, text)
                    if aid in seen:
                        continue
                    seen.add(aid)
                    out.append(TaskArticle(aid, title, text, rec.get("source"), rec.get("url")))
                    if len(out) == n:
                        return out
    return out


def annotated_task(a: TaskArticle, copy: int) -> dict:
    """A task of article ``a`` (its ``copy``-th one) with one annotation: its first word."""
    word = a.text.split()[0]
    start = a.text.index(word)
    region = {
        "id": "e1",
        "from_name": "entity",
        "to_name": "text",
        "type": "labels",
        "value": {"start": start, "end": start + len(word), "text": word, "labels": ["GPE"]},
    }
    aid = f"{a.article_id}-{copy}"
    data = {**a.data(), "article_id": aid}
    return {"data": data, "annotations": [{"result": [region], "lead_time": 12.5}]}


def server_part(c: client.Client, pid: int, work: Path) -> tuple[float, float, int]:
    """The server's part of a pull: make an export snapshot, stream it to a file unchecked."""
    t = time.perf_counter()
    info = c.create_export(pid, deadline=3600, title="bench raw", **pull.EXPORT_OPTIONS)
    while info.get("status") not in ("completed", "failed"):
        time.sleep(0.2)
        info = c.export_info(pid, info["id"])
    export_s = time.perf_counter() - t
    t = time.perf_counter()
    with open(work / "raw.json", "wb") as f:
        size = c.download_export(pid, f, info["id"])
    download_s = time.perf_counter() - t
    c.delete_export(pid, info["id"])
    (work / "raw.json").unlink()
    return export_s, download_s, size


def floor_post(c: client.Client, tax, title: str, body: bytes, n: int) -> float:
    """One raw bulk POST of ``body`` into a project created beforehand: its seconds."""
    project, _, _ = corpus_push.ensure_project(c, title, tax)
    t = time.perf_counter()
    answer = c.raw(
        "POST",
        f"/api/projects/{project['id']}/import",
        retry=False,
        content=body,
        headers={"Content-Type": "application/json"},
    )
    took = time.perf_counter() - t
    assert answer["task_count"] == n, answer
    return took


def floor_bodies(articles: list[TaskArticle]) -> tuple[bytes, bytes]:
    """The floors' bodies: the tasks our push sends (data and meta), and data only."""
    same = orjson.dumps([{"data": a.data(), "meta": a.meta()} for a in articles])
    return same, orjson.dumps([{"data": a.data()} for a in articles])


def load() -> str:
    return "load average " + " ".join(f"{x:.2f}" for x in os.getloadavg())


def sweep(c: client.Client, articles: list[TaskArticle], args, run: str) -> None:
    """Pushes at several batch sizes against the floor, alternating, medians compared."""
    tax = taxonomy.load()
    n = len(articles)
    body, _ = floor_bodies(articles)
    sizes = [int(x) for x in args.sweep.split(",")]
    times: dict[int, list[float]] = {size: [] for size in sizes}
    floors: list[float] = []
    print(f"sweep of batch sizes on {n} articles, {args.rounds} rounds; {load()}")
    for i in range(args.rounds):
        for size in sizes:
            floors.append(floor_post(c, tax, f"bench floor {run}-{i}-{size}", body, n))
            t = time.perf_counter()
            report = corpus_push.push(
                c, articles, f"bench push {run}-{i}-{size}", tax, None, size, False
            )
            times[size].append(time.perf_counter() - t)
            assert report.imported == n
            print(
                f"round {i + 1}, batch {size}: floor {floors[-1]:.2f} s, push {times[size][-1]:.2f} s",
                file=sys.stderr,
            )
    floor_s = statistics.median(floors)
    print(f"floor (one raw bulk POST of the same tasks), median of {len(floors)}: {floor_s:.2f} s")
    for size in sizes:
        sent = [len(task_batches.prepare(b, {}).body) for b in task_batches.batches(articles, size)]
        push_s = statistics.median(times[size])
        print(
            f"batch {size:>6}: push {push_s:.2f} s = {push_s / floor_s:.2f}x the floor, "
            f"{len(sent)} requests, largest {max(sent) / 1e6:.1f} MB"
        )
    print(load())


def timed_child(argv: list[str], env: dict[str, str] | None = None) -> float:
    t = time.perf_counter()
    done = subprocess.run(argv, env=env, capture_output=True, text=True)
    took = time.perf_counter() - t
    assert done.returncode == 0, done.stderr[-2000:]
    return took


def startup() -> None:
    """``akhbar --help`` and ``akhbar annotate push --help``: median wall time of 5 runs, and a
    check that neither imports the SDK (nor httpx)."""
    script = Path(sys.executable).with_name("akhbar")
    base = [str(script)] if script.exists() else [sys.executable, "-m", "akhbar.cli.main"]
    check = (
        "import sys\nfrom akhbar.cli.main import main\ntry:\n    main()\nexcept SystemExit:\n"
        "    pass\nassert not {'label_studio_sdk', 'httpx'} & set(sys.modules), 'SDK imported'"
    )
    for args in (["--help"], ["annotate", "push", "--help"]):
        timed_child([sys.executable, "-c", check, *args])
        runs = sorted(timed_child(base + args) for _ in range(5))
        print(
            f"start-up: akhbar {' '.join(args)}: {statistics.median(runs):.2f} s (median of 5, "
            f"{runs[0]:.2f}-{runs[-1]:.2f}); label_studio_sdk and httpx not imported"
        )


def bench_10k(
    c: client.Client, articles: list[TaskArticle], args, run: str, work: Path, corpus: Path | None
) -> None:
    tax = taxonomy.load()
    n = len(articles)
    same, data_only = floor_bodies(articles)
    floors, floors_data, pushes = [], [], []
    print(f"{load()} (before the 10k rounds)")
    for i in range(args.rounds):
        floors.append(floor_post(c, tax, f"bench floor {run}-{i}", same, n))
        floors_data.append(floor_post(c, tax, f"bench floor data {run}-{i}", data_only, n))
        # Ours: find and create the project, make and send the batches, the ledger.
        ours = f"bench push {run}-{i}"
        t = time.perf_counter()
        report = corpus_push.push(c, articles, ours, tax, batch_size=args.batch_size)
        pushes.append(time.perf_counter() - t)
        assert report.imported == n
        print(
            f"round {i + 1}: floor {floors[-1]:.2f} s (data only {floors_data[-1]:.2f} s), "
            f"push {pushes[-1]:.2f} s",
            file=sys.stderr,
        )
    print(load())
    del same, data_only

    t = time.perf_counter()
    again = corpus_push.push(c, articles, ours, tax, batch_size=args.batch_size, progress=False)
    again_s = time.perf_counter() - t
    assert again.imported == 0 and again.existing == n and again.from_ledger

    push_ledger.forget(push_ledger.ledger_path(c.url, c.find_project(ours)))
    t = time.perf_counter()
    listed = corpus_push.push(c, articles, ours, tax, batch_size=args.batch_size, progress=False)
    listed_s = time.perf_counter() - t
    assert listed.imported == 0 and listed.existing == n and not listed.from_ledger

    command_s = None
    if corpus is not None:
        env = {**os.environ, client.URL_ENV: c.url, client.KEY_ENV: c.api_key}
        cmd = [sys.executable, "-c", "from akhbar.cli.main import main; main()", "annotate"]
        cmd += ["push", str(corpus), "--project", f"bench command {run}", "--limit", str(n)]
        command_s = timed_child([*cmd, "--no-progress"], env)
        # the same command again on the unchanged corpus: nothing to send (issue 18's figure)
        command_again_s = timed_child([*cmd, "--no-progress"], env)

    t = time.perf_counter()
    snap = pull.pull(c, ours, work / "snapshots", tax)
    pull_s = time.perf_counter() - t
    assert snap.manifest["counts"]["tasks"] == n

    export_s, download_s, _ = server_part(c, c.find_project(ours)["id"], work)
    floor_s, floor_data_s = statistics.median(floors), statistics.median(floors_data)
    push_s = statistics.median(pushes)
    print(
        f"floor: one raw bulk POST of the same {n} tasks (data + meta, "
        f"{len(orjson.dumps([{'data': a.data(), 'meta': a.meta()} for a in articles])) / 1e6:.1f}"
        f" MB), median of {args.rounds}: {floor_s:.2f} s; of their data only: {floor_data_s:.2f} s"
    )
    print(
        f"akhbar push (batch {args.batch_size}: {report.batches} requests; project found and "
        f"created, tasks made, ledger), median of {args.rounds}: {push_s:.2f} s"
    )
    print(
        f"ratio push / floor: {push_s / floor_s:.2f}x (goal <= 1.3x); against the data-only "
        f"floor: {push_s / floor_data_s:.2f}x"
    )
    print(
        f"second corpus_push, nothing to send: {again_s:.2f} s = {again_s / push_s:.2f}x the first "
        f"(goal <= 0.2x); with the ledger removed (ids and digests listed): {listed_s:.2f} s = "
        f"{listed_s / push_s:.2f}x"
    )
    if command_s is not None:
        print(
            f"the whole command `akhbar annotate push --limit {n}` (child process: start-up, "
            f"SDK import, corpus read, corpus_push): {command_s:.2f} s = {command_s / floor_s:.2f}x "
            f"the floor"
        )
        print(
            f"the same whole command a second time, nothing to send: {command_again_s:.2f} s = "
            f"{command_again_s / command_s:.2f}x the first (goal <= 0.2x)"
        )
    print(
        f"pull of {n} tasks (export snapshot + streamed download + checks): {pull_s:.2f} s, "
        f"{snap.manifest['bytes'] / 1e6:.1f} MB; the server's part: export snapshot "
        f"{export_s:.2f} s + raw streamed download {download_s:.2f} s"
    )


def bench_big(c: client.Client, articles: list[TaskArticle], args, run: str, work: Path) -> None:
    tax = taxonomy.load()
    title = f"bench big {run}"
    project, _, _ = corpus_push.ensure_project(c, title, tax)
    pid = project["id"]
    t = time.perf_counter()
    made, batch = 0, 10_000
    while made < args.big:
        tasks = [
            annotated_task(articles[k % len(articles)], k // len(articles))
            for k in range(made, min(made + batch, args.big))
        ]
        answer = c.raw(
            "POST",
            f"/api/projects/{pid}/import",
            retry=False,
            content=orjson.dumps(tasks),
            headers={"Content-Type": "application/json"},
            deadline=3600,
        )
        assert answer["task_count"] == len(tasks), answer
        made += len(tasks)
        print(f"big: {made} tasks imported", file=sys.stderr)
    print(
        f"big project: {made} tasks with one annotation each, made by bulk imports in "
        f"{time.perf_counter() - t:.1f} s"
    )

    # Ours: the real command in a child process, which reports its own peak RSS (VmHWM: the
    # kernel's high-water mark of its memory since exec; ru_maxrss would also count the pages
    # it shared with this big process before exec).
    env = {**os.environ, client.URL_ENV: c.url, client.KEY_ENV: c.api_key}
    cmd = [sys.executable, "-c", CHILD]
    cmd += ["annotate", "pull", "--project", title, "--out", str(work / "big"), "--no-progress"]
    t = time.perf_counter()
    done = subprocess.run(cmd, env=env, capture_output=True, text=True)
    pull_s = time.perf_counter() - t
    assert done.returncode == 0, done.stderr[-2000:]
    peak_kb = int(done.stderr.rsplit("VmHWM", 1)[1].split()[0])
    manifest = orjson.loads(next((work / "big").glob("*.manifest.json")).read_bytes())
    assert manifest["counts"]["tasks"] == made and manifest["counts"]["annotations"] == made

    export_s, download_s, size = server_part(c, pid, work)
    print(
        f"pull of {made} tasks (akhbar annotate pull, child process): {pull_s:.1f} s, "
        f"{manifest['bytes'] / 1e6:.0f} MB, peak RSS {peak_kb / 1024:.0f} MB "
        f"(goal: no time-out, < 500 MB)"
    )
    print(
        f"server's part, same project: export snapshot {export_s:.1f} s + raw streamed "
        f"download {download_s:.1f} s ({size / 1e6:.0f} MB) = {export_s + download_s:.1f} s"
    )


def main(argv: list[str] | None = None) -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--data", type=Path, default=DEFAULT_DATA)
    ap.add_argument("--n", type=int, default=10_000)
    ap.add_argument("--batch-size", type=int, default=corpus_push.DEFAULT_BATCH_SIZE)
    ap.add_argument("--url", default=None)
    ap.add_argument("--api-key", default=None)
    ap.add_argument("--rounds", type=int, default=3, help="floor/push pairs; medians printed")
    ap.add_argument("--big", type=int, default=100_000, help="tasks of the big pull; 0 skips")
    ap.add_argument("--keep", action="store_true", help="keep the projects afterwards")
    ap.add_argument("--corpus", type=Path, default=None, help="a corpus store built already")
    ap.add_argument("--sweep", default=None, help="batch sizes to compare, e.g. 1000,5000")
    args = ap.parse_args(argv)

    zips = sorted(args.data.glob("*.zip"))
    if not zips:
        sys.exit(f"{args.data}: no SaudiNewsNet zips; pass --data")
    work = Path(tempfile.mkdtemp(prefix="bench-push-"))
    os.environ["XDG_CACHE_HOME"] = str(work / "cache")  # push ledgers of this run only
    t0 = time.perf_counter()
    if args.corpus:
        articles, origin = (
            corpus_push.read_task_articles(args.corpus, limit=args.n),
            "corpus pipeline",
        )
    else:
        articles, origin = articles_from_pipeline(zips, args.n, work), "corpus pipeline"
    if articles is None:
        articles, origin = articles_from_zips(zips, args.n), "zips (no pipeline)"
    chars = sum(len(a.text) for a in articles)
    print(
        f"articles: {len(articles)} from {origin} ({chars / 1e6:.1f} M characters), "
        f"prepared in {time.perf_counter() - t0:.1f} s"
    )

    started: server.Paths | None = None
    if args.url or args.api_key or os.environ.get(client.URL_ENV):
        conn = client.resolve(args.url, args.api_key)
    else:
        started = server.Paths(work / "ls-data", work / "ls.json", ROOT / server.DEFAULT_VENV)
        t = time.perf_counter()
        st = server.up(started, port=server.free_port())
        print(
            f"server: fresh Label Studio {st.version} at {st.url} in {time.perf_counter() - t:.1f} s"
        )
        conn = client.Connection(st.url, st.api_key, "bench")

    run = uuid.uuid4().hex[:6]
    try:
        with client.Client.connect(conn) as c:
            if args.sweep:
                sweep(c, articles, args, run)
                args.big = 0
            else:
                corpus = (args.corpus or work / "corpus") if origin == "corpus pipeline" else None
                bench_10k(c, articles, args, run, work, corpus)
                startup()
            if args.big:
                bench_big(c, articles, args, run, work)
            print(f"peak RSS of the benchmark process itself: {peak_rss_mb():.0f} MB")
            if not args.keep:
                for p in list(c.projects("bench ")):
                    if run in p["title"]:
                        c.delete_project(p["id"])
    finally:
        if started is not None:
            server.down(started)


if __name__ == "__main__":
    main()
