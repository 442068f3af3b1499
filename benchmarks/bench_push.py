"""Benchmark of ``akhbar annotate push`` and ``pull`` on 10,000 SaudiNewsNet articles.

Against a floor measured in the same run on the same server: one raw bulk import POST of the
same tasks to another fresh project (what any push must do at least). Our push also creates
the project, lists the project's tasks first (idempotence) and sends batches with a progress
bar. Floor and push alternate for ``--rounds`` rounds, each into a fresh project (the floor
first, so each push meets the larger database), and the medians are compared. Then a second
push of the same articles (nothing to send) and a pull of the project are timed.

The articles come from the real corpus pipeline (``corpus.pipeline.build_corpus``) when it is
available, otherwise straight from the zips (title and content, empty bodies skipped).

    .venv/bin/python benchmarks/bench_push.py [--data ../shared/data/saudinewsnet] [--n 10000]
        [--batch-size 1000] [--url URL --api-key KEY]

Without --url/--api-key (or LABEL_STUDIO_URL/LABEL_STUDIO_API_KEY) a fresh Label Studio is
started in a temporary directory and stopped at the end. Goal of issue 3: ratio at most 1.3.
"""

from __future__ import annotations

import argparse
import os
import resource
import statistics
import sys
import tempfile
import time
import uuid
import zipfile
from pathlib import Path

import orjson

from akhbar.annotation import client, pull, push, server
from akhbar.annotation.push import TaskArticle
from akhbar.corpus.records import article_id
from akhbar.schemas import taxonomy

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_DATA = ROOT.parent / "shared" / "data" / "saudinewsnet"


def peak_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def articles_from_pipeline(zips: list[Path], n: int, work: Path) -> list[TaskArticle] | None:
    try:
        from akhbar.corpus.pipeline import build_corpus
    except ImportError:
        return None
    build_corpus(zips, work / "corpus", progress=False)
    return push.read_articles(work / "corpus", limit=n)


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


def main(argv: list[str] | None = None) -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--data", type=Path, default=DEFAULT_DATA)
    ap.add_argument("--n", type=int, default=10_000)
    ap.add_argument("--batch-size", type=int, default=push.DEFAULT_BATCH_SIZE)
    ap.add_argument("--url", default=None)
    ap.add_argument("--api-key", default=None)
    ap.add_argument("--rounds", type=int, default=3, help="floor/push pairs; medians printed")
    ap.add_argument("--keep", action="store_true", help="keep the projects afterwards")
    args = ap.parse_args(argv)

    zips = sorted(args.data.glob("*.zip"))
    if not zips:
        sys.exit(f"{args.data}: no SaudiNewsNet zips; pass --data")
    work = Path(tempfile.mkdtemp(prefix="bench-push-"))
    t0 = time.perf_counter()
    articles = articles_from_pipeline(zips, args.n, work)
    origin = "corpus pipeline"
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

    tax = taxonomy.load()
    run = uuid.uuid4().hex[:6]
    titles: list[str] = []
    n = len(articles)
    try:
        with client.Client.connect(conn) as c:
            floors, pushes = [], []
            for i in range(args.rounds):
                # Floor: one raw POST of the same tasks into a fresh project, nothing else.
                floor_title = f"bench floor {run}-{i}"
                titles.append(floor_title)
                project, _, _ = push.ensure_project(c, floor_title, tax)
                body = orjson.dumps([{"data": a.data()} for a in articles])
                t = time.perf_counter()
                answer = c.raw(
                    "POST",
                    f"/api/projects/{project['id']}/import",
                    retry=False,
                    content=body,
                    headers={"Content-Type": "application/json"},
                )
                floors.append(time.perf_counter() - t)
                assert answer["task_count"] == n, answer
                del body

                # Ours: project creation, listing, batches, progress bar: the whole push.
                ours = f"bench push {run}-{i}"
                titles.append(ours)
                t = time.perf_counter()
                report = push.push(c, articles, ours, tax, batch_size=args.batch_size)
                pushes.append(time.perf_counter() - t)
                assert report.imported == n
                print(
                    f"round {i + 1}: floor {floors[-1]:.2f} s, push {pushes[-1]:.2f} s "
                    f"({report.batches} batches)",
                    file=sys.stderr,
                )

            t = time.perf_counter()
            again = push.push(c, articles, ours, tax, batch_size=args.batch_size, progress=False)
            again_s = time.perf_counter() - t
            assert again.imported == 0 and again.existing == n

            t = time.perf_counter()
            snap = pull.pull(c, ours, work / "snapshots", tax)
            pull_s = time.perf_counter() - t
            assert snap.manifest["counts"]["tasks"] == n

            floor_s, push_s = statistics.median(floors), statistics.median(pushes)
            print(
                f"floor (one raw bulk POST), median of {args.rounds}: {floor_s:.2f} s, "
                f"{n / floor_s:,.0f} tasks/s"
            )
            print(
                f"akhbar push (batch {args.batch_size}), median of {args.rounds}: "
                f"{push_s:.2f} s, {n / push_s:,.0f} tasks/s"
            )
            print(f"ratio push / floor: {push_s / floor_s:.2f}x (goal <= 1.3x)")
            print(f"second push (all {n} already there, nothing sent): {again_s:.2f} s")
            print(
                f"pull (export snapshot + download + checks): {pull_s:.2f} s, "
                f"{snap.manifest['bytes'] / 1e6:.1f} MB"
            )
            print(f"peak RSS of this process: {peak_rss_mb():.0f} MB")
            if not args.keep:
                for title in titles:
                    p = c.find_project(title)
                    if p:
                        c.delete_project(p["id"])
    finally:
        if started is not None:
            server.down(started)


if __name__ == "__main__":
    main()
