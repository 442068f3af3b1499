"""How ``akhbar corpus build`` scales with size, per executor (local processes, Ray).

A synthetic corpus is made from SaudiNewsNet by perturbing copies of its articles: most copies
are re-written enough to be new articles (paragraphs re-ordered, a quarter of the words swapped
for words of another article, a changed title), a few are kept verbatim or lightly edited so
that the share of exact and near duplicates stays close to the real corpus's. For each size and
executor the build runs as the command line in a fresh process; a sampler reads /proc every
0.2 s for the peak RSS of the driver (the command) and of each of its descendant processes
(pool or Ray workers, Ray's own daemons), and of all of them together, and for the CPU seconds
they used (the work, whatever the load: the last 0.2 s of a process may be missed). The baseline in the same
run is the local build of the smallest size; growth exponents are the slopes of log(time) and
log(memory) against log(size) between the smallest and the largest size of each executor. The
1-minute load average, averaged over each run, is printed next to it (the build adds about as
much as it has busy processes; the rest is other work on the machine, which slows every run).

    .venv/bin/python benchmarks/bench_scale.py [--sizes 31000,250000,1000000]
        [--executors local,ray] [--ray-up-to 250000]
"""

from __future__ import annotations

import argparse
import math
import os
import random
import subprocess
import sys
import tempfile
import threading
import time
import zipfile
from pathlib import Path

import orjson

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_DATA = ROOT.parent / "shared" / "data" / "saudinewsnet"
CONFIG = ROOT / "corpus" / "configs" / "saudinewsnet.yaml"
PER_FILE = 5000  # records per synthetic input file (one Ray task each)
TICKS = os.sysconf("SC_CLK_TCK")


def snn_rows(data: Path) -> list[dict]:
    rows: list[dict] = []
    for path in sorted(data.glob("*.zip")):
        with zipfile.ZipFile(path) as z:
            for name in z.namelist():
                rows.extend(orjson.loads(z.read(name)))
    return rows


def perturb(row: dict, copy: int, rng: random.Random, words: list[str]) -> dict:
    """A copy of ``row``: mostly a new article, sometimes an exact or near duplicate."""
    out = dict(row)
    out["url"] = f"{row.get('url', '')}#copy{copy}"
    text = row.get("content") or ""
    roll = rng.random()
    if roll < 0.02:  # verbatim under another URL: an exact duplicate
        return out
    tokens = text.split(" ")
    if roll < 0.04:  # an editor's correction: a near duplicate
        for _ in range(2):
            tokens[rng.randrange(len(tokens))] = rng.choice(words)
        out["content"] = " ".join(tokens)
        return out
    paragraphs = text.split("\n")
    rng.shuffle(paragraphs)
    tokens = "\n".join(paragraphs).split(" ")
    for i in rng.sample(range(len(tokens)), len(tokens) // 4):
        tokens[i] = rng.choice(words)
    out["content"] = " ".join(tokens)
    out["title"] = f"{row.get('title', '')} {rng.choice(words)} {copy}"
    return out


def make_corpus(rows: list[dict], size: int, out: Path) -> None:
    rng = random.Random(size)
    words = [w for r in rows[:2000] for w in (r.get("content") or "").split(" ") if w][:200000]
    out.mkdir(parents=True)
    batch: list[bytes] = []
    n_file = 0
    for i in range(size):
        copy, at = divmod(i, len(rows))
        row = rows[at] if copy == 0 else perturb(rows[at], copy, rng, words)
        batch.append(orjson.dumps(row))
        if len(batch) == PER_FILE or i == size - 1:
            (out / f"part-{n_file:04d}.jsonl").write_bytes(b"\n".join(batch) + b"\n")
            batch, n_file = [], n_file + 1


def _rss_kb(pid: int) -> int:
    try:
        with open(f"/proc/{pid}/status", "rb") as f:
            for line in f:
                if line.startswith(b"VmRSS:"):
                    return int(line.split()[1])
    except OSError:
        pass
    return 0


def _cpu_s(pid: int) -> float:
    """CPU seconds (user and system) a process has used so far; 0 once it is gone."""
    try:
        with open(f"/proc/{pid}/stat", "rb") as f:
            fields = f.read().rsplit(b")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / TICKS
    except (OSError, IndexError, ValueError):
        return 0.0


def _descendants(root: int) -> list[int]:
    children: dict[int, list[int]] = {}
    for d in os.listdir("/proc"):
        if d.isdigit():
            try:
                with open(f"/proc/{d}/stat", "rb") as f:
                    ppid = int(f.read().rsplit(b")", 1)[1].split()[1])
            except (OSError, IndexError, ValueError):
                continue
            children.setdefault(ppid, []).append(int(d))
    out, todo = [], [root]
    while todo:
        p = todo.pop()
        for c in children.get(p, []):
            out.append(c)
            todo.append(c)
    return out


def run_build(inputs: Path, out: Path, executor: str) -> dict[str, float]:
    """Run the build command; wall time and peak RSS (MB) of driver, largest other, all."""
    cmd = [str(Path(sys.executable).parent / "akhbar"), "corpus", "build", str(inputs)]
    cmd += ["--out", str(out), "--config", str(CONFIG), "--executor", executor]
    t0 = time.perf_counter()
    proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    peak = {"driver": 0, "worker": 0, "total": 0}
    loads: list[float] = []
    cpu: dict[int, float] = {}  # pid -> CPU seconds at its last sample
    done = threading.Event()

    def sample() -> None:
        while not done.is_set():
            driver = _rss_kb(proc.pid)
            pids = _descendants(proc.pid)
            others = [_rss_kb(p) for p in pids]
            for p in [proc.pid, *pids]:
                cpu[p] = max(cpu.get(p, 0.0), _cpu_s(p))
            peak["driver"] = max(peak["driver"], driver)
            peak["worker"] = max(peak["worker"], max(others, default=0))
            peak["total"] = max(peak["total"], driver + sum(others))
            loads.append(os.getloadavg()[0])
            done.wait(0.2)

    sampler = threading.Thread(target=sample, daemon=True)
    sampler.start()
    _, err = proc.communicate()
    wall = time.perf_counter() - t0
    done.set()
    sampler.join()
    if proc.returncode != 0:
        sys.exit(f"bench_scale: the {executor} build failed: {err.decode()[-2000:]}")
    report = orjson.loads((out / "report.json").read_bytes())
    return {
        "wall": wall,
        "input": report["input"],
        "dups": report["duplicates"],
        "load": sum(loads) / max(1, len(loads)),
        "cpu": sum(cpu.values()),
        **{k: v / 1024 for k, v in peak.items()},
    }


def slope(xs: list[float], ys: list[float]) -> float:
    return math.log(ys[-1] / ys[0]) / math.log(xs[-1] / xs[0])


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--data", type=Path, default=DEFAULT_DATA)
    ap.add_argument("--sizes", default="31000,250000,1000000")
    ap.add_argument("--executors", default="local,ray")
    ap.add_argument(
        "--ray-up-to", type=int, default=250000, help="largest size built with Ray (0: no limit)"
    )
    args = ap.parse_args()
    sizes = [int(s) for s in args.sizes.split(",")]
    executors = args.executors.split(",")
    rows = snn_rows(args.data)
    if not rows:
        sys.exit(f"bench_scale: no SaudiNewsNet .zip files in {args.data}; pass --data DIR")
    print(
        f"SaudiNewsNet: {len(rows)} articles; {os.cpu_count()} cores, load average "
        f"{os.getloadavg()[0]:.2f} (other work on the machine slows every run)"
    )
    head = f"{'size':>8} {'executor':>8} {'wall s':>8} {'CPU s':>7} {'art/s':>8} {'dups':>7}"
    head += f" {'driver MB':>10} {'max worker MB':>14} {'all MB':>8} {'load':>5}"
    print(head)
    results: dict[str, list[dict[str, float]]] = {e: [] for e in executors}
    with tempfile.TemporaryDirectory(prefix="bench-scale-") as tmp:
        for size in sizes:
            inputs = Path(tmp) / f"in-{size}"
            make_corpus(rows, size, inputs)
            for executor in executors:
                if executor == "ray" and 0 < args.ray_up_to < size:
                    continue
                r = run_build(inputs, Path(tmp) / f"out-{size}-{executor}", executor)
                results[executor].append(r)
                print(
                    f"{size:>8} {executor:>8} {r['wall']:>8.1f} {r['cpu']:>7.0f} "
                    f"{r['input'] / r['wall']:>8.0f} "
                    f"{r['dups']:>7.0f} {r['driver']:>10.0f} {r['worker']:>14.0f} "
                    f"{r['total']:>8.0f} {r['load']:>5.1f}",
                    flush=True,
                )
            for executor in executors:
                subprocess.run(["rm", "-rf", str(Path(tmp) / f"out-{size}-{executor}")], check=True)
            subprocess.run(["rm", "-rf", str(inputs)], check=True)
    if len(sizes) > 1:
        print("growth exponents from the smallest to the largest size built (1.0 = linear):")
        for executor, rs in results.items():
            xs = [r["input"] for r in rs]
            if len(rs) < 2:
                continue
            print(
                f"  {executor:>6} to {xs[-1]:.0f}: time {slope(xs, [r['wall'] for r in rs]):.2f}, "
                f"driver memory {slope(xs, [r['driver'] for r in rs]):.2f}, "
                f"all memory {slope(xs, [r['total'] for r in rs]):.2f}"
            )
    if "local" in results and "ray" in results:
        for local, ray in zip(results["local"], results["ray"], strict=False):
            print(f"ray / local time at {local['input']:.0f}: {ray['wall'] / local['wall']:.2f}x")


if __name__ == "__main__":
    main()
