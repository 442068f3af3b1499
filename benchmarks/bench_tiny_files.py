"""Memory and time of ``akhbar corpus build`` on many tiny input files (one article each).

Memory must stay flat per input file: a build holds, per article, only what de-duplication
needs (~0.6 KB), never something per file. For each size, that many one-article ``.txt`` files
(distinct Arabic texts of ~40 words, made from a fixed random vocabulary, so nothing is a
duplicate) are built by the command line in a fresh process, while a sampler reads /proc every
0.2 s for the peak RSS of the command and all its worker processes together (as
``bench_scale.py`` does), and for their summed PSS (pages shared by forked workers counted
once). Printed per size: wall time, files/s, peak RSS of all processes, and
the growth exponents of time and memory against the count between the smallest and the largest
size (1.0: linear; 0: flat), and the cost of each further file. The goal (issue 19): 100,000
files under 600 MB, time linear; ``make bench-tiny-files`` runs 10,000 and 100,000 files (about
five minutes; figures in docs/scaling.md, "Many small input files").

    .venv/bin/python benchmarks/bench_tiny_files.py [--sizes 10000,100000] [--workers 0]
"""

from __future__ import annotations

import argparse
import math
import random
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

import orjson
from bench_scale import _descendants, _rss_kb

LETTERS = "ابتثجحخدذرزسشصضطظعغفقكلمنهوي"
WORDS_PER_ARTICLE = 40
PER_DIR = 1000  # files per directory, as a scraper's dated folders would hold them


def write_files(root: Path, count: int, seed: int = 19) -> None:
    rng = random.Random(seed)
    vocabulary = [
        "".join(rng.choice(LETTERS) for _ in range(rng.randint(3, 7))) for _ in range(5000)
    ]
    for i in range(count):
        directory = root / f"d{i // PER_DIR:04d}"
        if i % PER_DIR == 0:
            directory.mkdir(parents=True)
        words = rng.choices(vocabulary, k=WORDS_PER_ARTICLE)
        title = " ".join(words[:6])
        body = " ".join(words[6:]) + "."
        (directory / f"{i:07d}.txt").write_text(f"{title}\n{body}\n", encoding="utf-8")


def _pss_kb(pid: int) -> int:
    """Proportional set size: a page shared by n processes counts 1/n in each, so that the sum
    over processes is the memory they use together (summed RSS counts the pages a forked
    worker shares with the command once per process)."""
    try:
        with open(f"/proc/{pid}/smaps_rollup", "rb") as f:
            for line in f:
                if line.startswith(b"Pss:"):
                    return int(line.split()[1])
    except OSError:
        pass
    return 0


def run_build(inputs: Path, out: Path, workers: int) -> dict[str, float]:
    """Build through the command line; wall time and the peak RSS (MB) of all its processes."""
    cmd = [str(Path(sys.executable).parent / "akhbar"), "corpus", "build", str(inputs)]
    cmd += ["--out", str(out), "--workers", str(workers)]
    t0 = time.perf_counter()
    proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    peak = {"driver": 0, "total": 0, "pss": 0}
    done = threading.Event()

    def sample() -> None:
        while not done.is_set():
            driver = _rss_kb(proc.pid)
            pids = [proc.pid, *_descendants(proc.pid)]
            total = driver + sum(_rss_kb(p) for p in pids[1:])
            peak["driver"] = max(peak["driver"], driver)
            peak["total"] = max(peak["total"], total)
            peak["pss"] = max(peak["pss"], sum(_pss_kb(p) for p in pids))
            done.wait(0.2)

    sampler = threading.Thread(target=sample, daemon=True)
    sampler.start()
    _, err = proc.communicate()
    wall = time.perf_counter() - t0
    done.set()
    sampler.join()
    if proc.returncode != 0:
        sys.exit(f"bench_tiny_files: the build failed: {err.decode()[-2000:]}")
    report = orjson.loads((out / "report.json").read_bytes())
    return {
        "wall": wall,
        "input": report["input"],
        "kept": report["kept"],
        "driver_mb": peak["driver"] / 1024,
        "total_mb": peak["total"] / 1024,
        "pss_mb": peak["pss"] / 1024,
    }


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--sizes", default="10000,100000", help="numbers of files, comma-separated")
    ap.add_argument("--workers", type=int, default=0, help="0: one per core")
    args = ap.parse_args()
    sizes = sorted(int(s) for s in args.sizes.split(","))
    results = []
    print(
        f"{'files':>9} {'wall s':>8} {'files/s':>9} {'driver RSS MB':>14} {'all RSS MB':>11} "
        f"{'all PSS MB':>11}"
    )
    for size in sizes:
        with tempfile.TemporaryDirectory(prefix="akhbar-tiny-") as tmp:
            write_files(Path(tmp) / "in", size)
            r = run_build(Path(tmp) / "in", Path(tmp) / "out", args.workers)
        assert r["input"] == size, r
        results.append(r)
        print(
            f"{size:>9,} {r['wall']:>8.1f} {size / r['wall']:>9,.0f} "
            f"{r['driver_mb']:>14.0f} {r['total_mb']:>11.0f} {r['pss_mb']:>11.0f}",
            flush=True,
        )
    if len(sizes) > 1:
        ratio = math.log(sizes[-1] / sizes[0])
        t = math.log(results[-1]["wall"] / results[0]["wall"]) / ratio
        m = math.log(results[-1]["total_mb"] / results[0]["total_mb"]) / ratio
        print(f"growth exponents ({sizes[0]:,} -> {sizes[-1]:,}): time {t:.2f}, memory {m:.2f}")
        extra = sizes[-1] - sizes[0]
        per_ms = 1000 * (results[-1]["wall"] - results[0]["wall"]) / extra
        per_kb = 1024 * (results[-1]["total_mb"] - results[0]["total_mb"]) / extra
        print(f"each further file: {per_ms:.2f} ms, {per_kb:.2f} KB of RSS (all processes)")
    print(
        f"peak memory of all processes at {sizes[-1]:,} files: RSS summed "
        f"{results[-1]['total_mb']:.0f} MB, PSS summed {results[-1]['pss_mb']:.0f} MB (goal: under "
        f"600 MB); time {results[-1]['wall']:.1f} s"
    )


if __name__ == "__main__":
    main()
