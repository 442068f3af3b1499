"""Benchmark of ``akhbar release build`` on generated annotated news, against a floor measured
in the same run.

For each size (default 25,000 and 100,000 documents) it streams to a temporary directory a
corpus store (``articles.parquet``) and validated documents (``documents.jsonl``): news-length
Arabic text (300-600 words from a vocabulary of Arabic news words, with numbers, punctuation,
paragraphs and clitics attached to names), about 20 entity mentions and 2 events with arguments
per document. Then, each in its own process so that peak RSS is its own:

- the build: the real ``build_release`` (all three configs, card, manifest, Croissant, hashes);
- the floor: what any release of these documents must do at least: read the same inputs
  (articles metadata with pyarrow, documents with orjson) and write the same ``documents``
  config rows with pyarrow alone, in one process, same schema and compression.

    .venv/bin/python benchmarks/bench_release.py [--sizes 25000,100000] [--workers 0] [--keep DIR]

Goal of issue 5: build at most 3x the floor, peak RSS at most 1.5 GB and not growing with the
number of documents.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))  # the generator is shared with the tests

from tests.helpers.generated_release import generate  # noqa: E402


# Words of Arabic news prose, and names per entity type; the text is generated, not real news.
def child_build(corpus: str, documents: str, out: str, workers: int) -> None:
    from akhbar.corpus.release.build import BuildOptions, build_release

    t0 = time.perf_counter()
    result = build_release(
        BuildOptions(
            version="1.0.0",
            corpus=Path(corpus),
            documents=Path(documents),
            out=Path(out),
            workers=workers,
        )
    )
    wall = time.perf_counter() - t0
    report(wall, result.rows)


def child_floor(corpus: str, documents: str, out: str) -> None:
    """Read the same inputs and write the documents config rows with pyarrow alone."""
    import orjson
    import pyarrow as pa
    import pyarrow.parquet as pq

    from akhbar.corpus.release.features import documents_features
    from akhbar.schemas.taxonomy import load

    t0 = time.perf_counter()
    labels = load()
    schema = documents_features(labels).arrow_schema
    ent = {n: i for i, n in enumerate(labels.entity_names)}
    evt = {n: i for i, n in enumerate(labels.event_names)}
    rol = {n: i for i, n in enumerate(labels.role_names)}
    meta = {}
    cols = ["id", "title", "source", "url", "published", "retrieved", "truncated", "cluster_id"]
    for batch in pq.ParquetFile(Path(corpus) / "articles.parquet").iter_batches(columns=cols):
        for row in batch.to_pylist():
            meta[row["id"]] = row
    Path(out).mkdir(parents=True, exist_ok=True)
    n = 0
    rows: list[dict] = []
    with (
        pq.ParquetWriter(Path(out) / "documents.parquet", schema, compression="snappy") as w,
        (Path(documents) / "documents.jsonl").open("rb") as f,
    ):
        for line in f:
            doc = orjson.loads(line)
            m = meta[doc["article_id"]]
            by_id = {e["id"]: e for e in doc["entities"]}
            rows.append(
                {
                    **m,
                    "text": doc["text"],
                    "entities": [{**e, "label": ent[e["label"]]} for e in doc["entities"]],
                    "events": [
                        {
                            "id": ev["id"],
                            "type": evt[ev["type"]],
                            "trigger": ev["trigger"],
                            "arguments": [
                                {
                                    "role": rol[a["role"]],
                                    "entity_id": a["entity_id"],
                                    "start": by_id[a["entity_id"]]["start"],
                                    "end": by_id[a["entity_id"]]["end"],
                                    "text": by_id[a["entity_id"]]["text"],
                                }
                                for a in ev["arguments"]
                            ],
                        }
                        for ev in doc["events"]
                    ],
                }
            )
            n += 1
            if len(rows) == 2048:
                w.write_table(pa.Table.from_pylist(rows, schema=schema))
                rows.clear()
        if rows:
            w.write_table(pa.Table.from_pylist(rows, schema=schema))
    report(time.perf_counter() - t0, {"documents": {"all": n}})


def cpu(who: int) -> float:
    r = resource.getrusage(who)
    return r.ru_utime + r.ru_stime


def report(wall: float, rows: dict) -> None:
    print(
        json.dumps(
            {
                "wall": wall,
                "cpu_self": cpu(resource.RUSAGE_SELF),
                "cpu_workers": cpu(resource.RUSAGE_CHILDREN),
                "rows": rows,
            }
        )
    )


def _descendants(pid: int) -> list[int]:
    """The process and all its descendants, from /proc."""
    children: dict[int, list[int]] = {}
    for d in os.listdir("/proc"):
        if d.isdigit():
            try:
                with open(f"/proc/{d}/stat", "rb") as f:
                    ppid = int(f.read().rsplit(b")", 1)[1].split()[1])
            except (OSError, ValueError, IndexError):
                continue
            children.setdefault(ppid, []).append(int(d))
    out, todo = [], [pid]
    while todo:
        p = todo.pop()
        out.append(p)
        todo.extend(children.get(p, []))
    return out


def _hwm_mb(pid: int) -> float:
    """Peak resident set of a live process (VmHWM: its own, not inherited through fork)."""
    try:
        with open(f"/proc/{pid}/status") as f:
            for line in f:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1]) / 1024
    except OSError:
        pass
    return 0.0


def run_child(*args: str) -> dict:
    """Run a child, sampling the peak RSS of it and of every process it starts."""
    proc = subprocess.Popen(
        [sys.executable, __file__, *args], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
    )
    peaks: dict[int, float] = {}
    while proc.poll() is None:
        for pid in _descendants(proc.pid):
            peaks[pid] = max(peaks.get(pid, 0.0), _hwm_mb(pid))
        time.sleep(0.2)
    out, err = proc.communicate()
    if proc.returncode != 0:
        sys.exit(f"bench child {args[1]} failed:\n{err[-3000:]}")
    result = json.loads(out.strip().splitlines()[-1])
    others = [v for p, v in peaks.items() if p != proc.pid]
    result["hwm_main_mb"] = peaks.get(proc.pid, 0.0)
    result["hwm_worker_mb"] = max(others, default=0.0)
    result["hwm_total_mb"] = sum(peaks.values())
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="25000,100000")
    parser.add_argument("--workers", type=int, default=0)
    parser.add_argument("--keep", type=Path, default=None, help="keep the data in this dir")
    parser.add_argument("--child", nargs="*", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        kind, *rest = args.child
        if kind == "build":
            child_build(rest[0], rest[1], rest[2], int(rest[3]))
        else:
            child_floor(rest[0], rest[1], rest[2])
        return

    sizes = [int(s) for s in args.sizes.split(",")]
    base = Path(args.keep or tempfile.mkdtemp(prefix="akhbar-bench-release-"))
    results = []
    try:
        for n in sizes:
            root = base / f"n{n}"
            stats_file = root / "generated.json"
            if args.keep and stats_file.is_file():  # reuse what an earlier --keep run generated
                corpus, documents = root / "corpus", root / "validated"
                stats = json.loads(stats_file.read_text())
                gen = 0.0
                for old in ("releases", "floor"):
                    shutil.rmtree(root / old, ignore_errors=True)
            else:
                shutil.rmtree(root, ignore_errors=True)
                t0 = time.perf_counter()
                corpus, documents, stats = generate(n, root)
                gen = time.perf_counter() - t0
                stats_file.write_text(json.dumps(stats))
            size_mb = (documents / "documents.jsonl").stat().st_size / 2**20
            made = f"generated in {gen:.1f} s" if gen else f"reused from {root}"
            print(
                f"{n:,} documents {made}: {stats['chars'] / n:,.0f} chars, "
                f"{stats['entities'] / n:.1f} entities, {stats['events'] / n:.1f} events per "
                f"document; documents.jsonl {size_mb:,.0f} MiB",
                flush=True,
            )
            load0 = os.getloadavg()[0]
            b = run_child("--child", "build", str(corpus), str(documents), str(root / "releases"),
                          str(args.workers))  # fmt: skip
            f = run_child("--child", "floor", str(corpus), str(documents), str(root / "floor"))
            load1 = os.getloadavg()[0]
            rel = root / "releases" / "v1.0.0"
            rel_mb = sum(p.stat().st_size for p in rel.rglob("*") if p.is_file()) / 2**20
            b_cpu = b["cpu_self"] + b["cpu_workers"]
            f_cpu = f["cpu_self"] + f["cpu_workers"]
            print(
                f"  build: {b['wall']:.1f} s wall ({n / b['wall']:,.0f} docs/s), "
                f"{b_cpu:.1f} s CPU; peak RSS main {b['hwm_main_mb']:,.0f} MB, largest worker "
                f"{b['hwm_worker_mb']:,.0f} MB, all processes together "
                f"{b['hwm_total_mb']:,.0f} MB; release {rel_mb:,.0f} MiB; rows: "
                + "; ".join(f"{c} {sum(s.values()):,}" for c, s in b["rows"].items()),
                flush=True,
            )
            print(
                f"  floor (read the same inputs, write the documents rows with pyarrow alone, "
                f"1 process): {f['wall']:.1f} s wall, {f_cpu:.1f} s CPU, peak RSS "
                f"{f['hwm_main_mb']:,.0f} MB",
                flush=True,
            )
            print(
                f"  ratio build/floor: {b['wall'] / f['wall']:.2f}x wall (goal <= 3x), "
                f"{b_cpu / f_cpu:.2f}x CPU; load average {load0:.1f} -> {load1:.1f} "
                f"on {os.cpu_count()} cores",
                flush=True,
            )
            results.append((n, b, f))
            if not args.keep:
                shutil.rmtree(root, ignore_errors=True)
        if len(results) > 1:
            print("peak RSS of the build by size (goal <= 1.5 GB, not growing):")
            for n, b, _ in results:
                print(
                    f"  {n:>9,} documents: main {b['hwm_main_mb']:,.0f} MB, largest worker "
                    f"{b['hwm_worker_mb']:,.0f} MB, all together {b['hwm_total_mb']:,.0f} MB"
                )
    finally:
        if not args.keep:
            shutil.rmtree(base, ignore_errors=True)


if __name__ == "__main__":
    os.environ.setdefault("PYTHONHASHSEED", "0")
    main()
