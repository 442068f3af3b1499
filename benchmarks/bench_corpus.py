"""Benchmark of ``akhbar corpus build`` on SaudiNewsNet, against a floor measured in the same run.

The build is the real pipeline (read, clean, fingerprint, de-duplicate with near-dup, write).
The floor is what any build must do at least: decode the same JSON with orjson and write the same
rows to Parquet with pyarrow (same compression). Also printed: the MinHash stage alone against
datasketch's default MinHash (128 permutations, sha1) on a sample, for reference.

    .venv/bin/python benchmarks/bench_corpus.py [--data ../shared/data/saudinewsnet] [--workers 0]

Goal of issue 2: at most 10 s wall and at most 6x the floor on a 2-core machine.
"""

from __future__ import annotations

import argparse
import os
import resource
import subprocess
import sys
import tempfile
import time
import zipfile
from pathlib import Path

import orjson
import pyarrow as pa
import pyarrow.parquet as pq

from akhbar.corpus.cleaning.text import fold_for_dedup
from akhbar.corpus.config import CorpusConfig, load_config
from akhbar.corpus.dedup.near import MinHasher
from akhbar.corpus.pipeline import CorpusBuildOptions, build_corpus
from akhbar.corpus.runtime.executor import available_cores
from akhbar.corpus.store import PARQUET_OPTIONS

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_DATA = ROOT.parent / "shared" / "data" / "saudinewsnet"
DEFAULT_CONFIG = ROOT / "corpus" / "configs" / "saudinewsnet.yaml"


def import_s() -> float:
    """What the command line pays before building: importing akhbar in a fresh interpreter."""
    code = "import time; t = time.perf_counter(); import akhbar.cli.main, akhbar.corpus.pipeline; "
    code += "print(time.perf_counter() - t)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT)
    return float(out.stdout)


def cpu_s(who: int) -> float:
    r = resource.getrusage(who)
    return r.ru_utime + r.ru_stime


def peak_rss_mb(who: int) -> float:
    return resource.getrusage(who).ru_maxrss / 1024  # kilobytes on Linux


def read_rows(zips: list[Path]) -> tuple[list[dict], int]:
    rows: list[dict] = []
    size = 0
    for path in zips:
        with zipfile.ZipFile(path) as z:
            for name in z.namelist():
                data = z.read(name)
                size += len(data)
                rows.extend(orjson.loads(data))
    return rows, size


def floor(zips: list[Path], out: Path) -> tuple[float, float, float, int, int]:
    """Decode the JSON and write the same rows to Parquet; (decode s, write s, total s, n, bytes)."""
    t0 = time.perf_counter()
    rows, size = read_rows(zips)
    t1 = time.perf_counter()
    names = sorted({k for r in rows for k in r})
    table = pa.table({k: pa.array([r.get(k) for r in rows], pa.string()) for k in names})
    pq.write_table(table, out, **PARQUET_OPTIONS)
    t2 = time.perf_counter()
    return t1 - t0, t2 - t1, t2 - t0, len(rows), size


def minhash_reference(texts: list[str], sample: int, config: CorpusConfig) -> None:
    """Our vectorised MinHash over every text vs datasketch's default on ``sample`` texts."""
    from datasketch import MinHash

    d = config.dedup
    t0 = time.perf_counter()
    keys = [fold_for_dedup(t) for t in texts]
    t1 = time.perf_counter()
    hasher = MinHasher(d.num_perm, d.ngram, d.seed)
    for i in range(0, len(keys), 256):
        hasher.signatures(keys[i : i + 256])
    t2 = time.perf_counter()
    part = keys[:sample]
    t3 = time.perf_counter()
    for k in part:
        words = k.split(" ")
        m = MinHash(num_perm=d.num_perm, seed=d.seed)
        m.update_batch(
            [" ".join(words[i : i + d.ngram]).encode() for i in range(len(words) - d.ngram + 1)]
        )
    t4 = time.perf_counter()
    full = (t4 - t3) * len(keys) / max(1, len(part))
    print(f"fold_for_dedup alone       {t1 - t0:6.2f} s  ({len(keys)} texts, one core)")
    print(f"MinHash, ours (vectorised) {t2 - t1:6.2f} s  ({len(keys)} texts, one core)")
    print(
        f"MinHash, datasketch sha1   {t4 - t3:6.2f} s  on {len(part)} texts "
        f"-> {full:.1f} s for all ({full / max(t2 - t1, 1e-9):.0f}x ours)"
    )


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--data", type=Path, default=DEFAULT_DATA, help="SaudiNewsNet directory")
    ap.add_argument("--config", type=Path, default=DEFAULT_CONFIG, help="build configuration")
    ap.add_argument("--workers", type=int, default=0, help="0: one per core")
    ap.add_argument("--no-near-dup", action="store_true")
    ap.add_argument("--sample", type=int, default=1000, help="texts for datasketch's MinHash")
    args = ap.parse_args()
    zips = sorted(args.data.glob("*.zip"))
    if not zips:
        sys.exit(f"bench_corpus: no .zip files in {args.data}; pass --data DIR")
    for z in zips:  # warm the page cache so that neither measurement pays for the disk
        z.read_bytes()

    config = load_config(args.config if args.config.is_file() else None)
    print(
        f"SaudiNewsNet: {len(zips)} zip files in {args.data}; {available_cores()} cores, "
        f"load average {os.getloadavg()[0]:.2f} (other work on the machine slows both sides)"
    )
    print(f"config: {args.config if args.config.is_file() else 'defaults'}")
    with tempfile.TemporaryDirectory(prefix="bench-corpus-") as tmp:
        out = Path(tmp) / "corpus"
        cpu_main, cpu_workers = cpu_s(resource.RUSAGE_SELF), cpu_s(resource.RUSAGE_CHILDREN)
        t0 = time.perf_counter()
        report = build_corpus(
            CorpusBuildOptions(
                [args.data],
                out,
                config,
                workers=args.workers,
                near=not args.no_near_dup,
                progress=False,
            )
        )
        wall = time.perf_counter() - t0
        cpu_main = cpu_s(resource.RUSAGE_SELF) - cpu_main
        cpu_workers = cpu_s(resource.RUSAGE_CHILDREN) - cpu_workers
        rss_main = peak_rss_mb(resource.RUSAGE_SELF)
        rss_child = peak_rss_mb(resource.RUSAGE_CHILDREN)
        decode, write, floor_s, n, size = floor(zips, Path(tmp) / "floor.parquet")

    mb = size / 1e6
    print(
        f"build: input {report['input']}, kept {report['kept']}, rejected {report['rejected']}, "
        f"duplicates {report['duplicates']} {report['duplicates_by_kind']}"
    )
    print(
        f"build wall                 {wall:6.2f} s   (+ {import_s():.2f} s of imports on the command line)"
    )
    print(f"  articles/s               {report['input'] / wall:8.0f}")
    print(f"  MB/s (JSON)              {mb / wall:8.1f}   ({mb:.1f} MB of JSON)")
    print(f"  CPU main / workers       {cpu_main:6.2f} s / {cpu_workers:.2f} s")
    print(f"  peak RSS main / worker   {rss_main:6.0f} MB / {rss_child:.0f} MB")
    print(
        f"floor (orjson + Parquet)   {floor_s:6.2f} s  "
        f"(decode {decode:.2f} s, Arrow + Parquet {write:.2f} s, {n} rows)"
    )
    print(f"ratio build / floor        {wall / floor_s:6.2f}x   (goal <= 6x, <= 10 s wall)")
    texts = [r.get("content") or "" for r in read_rows(zips)[0]]
    minhash_reference(texts, args.sample, config)


if __name__ == "__main__":
    main()
