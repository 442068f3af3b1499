"""Benchmark of the incremental ``akhbar annotate pull`` against a full one, on one project.

``--n`` tasks (default 100,000; SaudiNewsNet articles, each with one annotation, made by bulk
imports as in ``bench_push.py``) are pulled whole by ``akhbar annotate pull`` in a child process
(its wall time, and its peak RSS from the kernel's accounting: VmHWM). Then ``--changed`` of the
tasks (default 1%) are changed through the API, as annotators would: an annotation's result
edited (half of them), a second annotation submitted (a quarter), an annotation cancelled or
made the ground truth (the rest); the ids come from the first snapshot. The same command then
pulls incrementally into the same directory: its wall time and peak RSS, and the ratio of the
two times (goal: at most 0.1x; peak RSS under 500 MB). Last, unless ``--no-check``, a
``--full`` pull of the same state, whose snapshot must have the incremental one's sha256.

    .venv/bin/python benchmarks/bench_pull.py [--n 100000] [--changed 0.01]
        [--data ../shared/data/saudinewsnet] [--url URL --api-key KEY] [--no-check]

Without --url/--api-key (or LABEL_STUDIO_URL/LABEL_STUDIO_API_KEY) a fresh Label Studio is
started in a temporary directory and stopped at the end. The machine's load average is printed
with the figures: other work on it slows the server.
"""

from __future__ import annotations

import argparse
import os
import random
import subprocess
import sys
import tempfile
import time
import uuid
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import orjson
from bench_push import CHILD, DEFAULT_DATA, ROOT, annotated_task, articles_from_zips, load

from akhbar.annotation.labelstudio import client, server, snapshot_canon
from akhbar.annotation.push import corpus_push
from akhbar.schemas import taxonomy


def make_project(c: client.Client, title: str, n: int, data: Path) -> int:
    articles = articles_from_zips(sorted(data.glob("*.zip")), min(n, 10_000))
    project, _, _ = corpus_push.ensure_project(c, title, taxonomy.load())
    pid = project["id"]
    t, made = time.perf_counter(), 0
    while made < n:
        tasks = [
            annotated_task(articles[k % len(articles)], k // len(articles))
            for k in range(made, min(made + 10_000, n))
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
        print(f"{made} tasks imported", file=sys.stderr)
    print(
        f"project: {made} tasks with one annotation each, imported in {time.perf_counter() - t:.1f} s"
    )
    return pid


def pull_child(c: client.Client, title: str, out: Path, *extra: str) -> tuple[float, float, dict]:
    """``akhbar annotate pull`` in a child process: (seconds, peak RSS MB, manifest)."""
    env = {**os.environ, client.URL_ENV: c.url, client.KEY_ENV: c.api_key}
    cmd = [sys.executable, "-c", CHILD, "annotate", "pull", "--project", title]
    cmd += ["--out", str(out), "--no-progress", *extra]
    t = time.perf_counter()
    done = subprocess.run(cmd, env=env, capture_output=True, text=True)
    took = time.perf_counter() - t
    assert done.returncode == 0, done.stderr[-2000:]
    peak_kb = int(done.stderr.rsplit("VmHWM", 1)[1].split()[0])
    path = Path(done.stdout.split("snapshot ", 1)[1].split(" (", 1)[0])
    manifest = orjson.loads(
        path.with_name(path.name.removesuffix(".json") + ".manifest.json").read_bytes()
    )
    return took, peak_kb / 1024, manifest


def change(c: client.Client, snapshot: Path, share: float, seed: int = 7) -> dict[str, int]:
    """Change ``share`` of the snapshot's tasks through the API (see the module doc)."""
    idx = snapshot_canon.index(snapshot)
    rng = random.Random(seed)
    picked = sorted(rng.sample(range(len(idx.ids)), max(1, round(len(idx.ids) * share))))
    lines = snapshot_canon.read_lines(
        snapshot, [idx.starts[k] for k in picked], [idx.lengths[k] for k in picked]
    )
    tasks = [orjson.loads(line) for line in lines]
    kinds = {"edited": 0, "submitted": 0, "cancelled": 0, "ground_truth": 0}

    def one(i_task: tuple[int, dict]) -> str:
        i, task = i_task
        ann = task["annotations"][0]
        region = dict(ann["result"][0], id=f"x{i}")
        if i % 4 in (0, 1):
            body = {"result": [dict(region, value=dict(region["value"], labels=["PER"]))]}
            c.raw("PATCH", f"/api/annotations/{ann['id']}", retry=True, json_body=body)
            return "edited"
        if i % 4 == 2:
            c.create_annotation(task["id"], [region])
            return "submitted"
        if i % 8 == 3:
            body = {"was_cancelled": True, "result": []}
            c.raw("PATCH", f"/api/annotations/{ann['id']}", retry=True, json_body=body)
            return "cancelled"
        body = {"ground_truth": True}
        c.raw("PATCH", f"/api/annotations/{ann['id']}", retry=True, json_body=body)
        return "ground_truth"

    t = time.perf_counter()
    one_by_one = tasks[: len(tasks) // 4]
    with ThreadPoolExecutor(4) as pool:
        for kind in pool.map(one, enumerate(one_by_one)):
            kinds[kind] += 1
    bulk = [task["id"] for task in tasks[len(one_by_one) :]]
    if bulk:
        pid = tasks[0]["project"]
        selected = {"selectedItems": {"all": False, "included": bulk}, "project": pid}
        c.raw(
            "POST",
            "/api/dm/actions",
            retry=False,
            params={"id": "delete_tasks_annotations", "project": pid},
            json_body=selected,
            deadline=3600,
        )
        kinds["annotations_deleted_in_bulk"] = len(bulk)
    print(f"changed {len(tasks)} tasks through the API in {time.perf_counter() - t:.1f} s: {kinds}")
    return kinds


def main(argv: list[str] | None = None) -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--n", type=int, default=100_000)
    ap.add_argument("--changed", type=float, default=0.01)
    ap.add_argument("--data", type=Path, default=DEFAULT_DATA)
    ap.add_argument("--url", default=None)
    ap.add_argument("--api-key", default=None)
    ap.add_argument("--no-check", action="store_true", help="skip the --full pull at the end")
    ap.add_argument("--keep", action="store_true", help="keep the project afterwards")
    args = ap.parse_args(argv)
    if not sorted(args.data.glob("*.zip")):
        sys.exit(f"{args.data}: no SaudiNewsNet zips; pass --data")

    work = Path(tempfile.mkdtemp(prefix="bench-pull-"))
    started: server.Paths | None = None
    if args.url or args.api_key or os.environ.get(client.URL_ENV):
        conn = client.resolve(args.url, args.api_key)
    else:
        started = server.Paths(work / "ls-data", work / "ls.json", ROOT / server.DEFAULT_VENV)
        st = server.up(started, port=server.free_port())
        print(f"server: fresh Label Studio {st.version} at {st.url}")
        conn = client.Connection(st.url, st.api_key, "bench")
    title = f"bench pull {uuid.uuid4().hex[:6]}"
    try:
        with client.Client.connect(conn) as c:
            pid = make_project(c, title, args.n, args.data)
            snaps = work / "snapshots"
            print(load())
            full_s, full_mb, m1 = pull_child(c, title, snaps)
            print(
                f"full pull of {m1['counts']['tasks']} tasks: {full_s:.1f} s, "
                f"{m1['bytes'] / 1e6:.0f} MB, peak RSS {full_mb:.0f} MB"
            )
            change(c, snaps / m1["snapshot"], args.changed)
            print(load())
            inc_s, inc_mb, m2 = pull_child(c, title, snaps)
            assert m2["method"] == "incremental", m2.get("fallback")
            d = m2["delta"]
            print(
                f"incremental pull: {inc_s:.1f} s, peak RSS {inc_mb:.0f} MB; delta: tasks "
                f"{d['tasks']}, annotations {d['annotations']}; sample of "
                f"{m2['verified']['sample']} unchanged tasks checked; seconds by step inside the "
                f"command: {m2['seconds_by_step']} of {m2['seconds']}"
            )
            print(
                f"ratio incremental / full: {inc_s / full_s:.3f}x (goal <= 0.1x); peak RSS "
                f"full {full_mb:.0f} MB, incremental {inc_mb:.0f} MB (goal < 500 MB)"
            )
            print(load())
            if not args.no_check:
                check_s, _, m3 = pull_child(c, title, work / "full", "--full")
                same = m3["sha256"] == m2["sha256"]
                print(
                    f"--full pull of the same state: {check_s:.1f} s; the same snapshot as the "
                    f"incremental one (sha256): {same}"
                )
                assert same
            if not args.keep:  # deleting 100,000 tasks takes the server minutes
                c.raw("DELETE", f"/api/projects/{pid}", retry=True, deadline=3600)
    finally:
        if started is not None:
            server.down(started)


if __name__ == "__main__":
    main()
