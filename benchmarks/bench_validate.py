"""Benchmark of ``akhbar annotate validate`` on a generated export, against plain jsonschema.

Generates a corpus store and a Label Studio JSON export of N tasks (default 100,000), each an
Arabic news text of about 2,000 characters with 40 labelled spans (5 event triggers and 35
entity mentions) and 5 relations (arguments), written the way Label Studio writes them; about
0.5 % of the tasks carry a span whose value.text disagrees with its offsets and 0.2 % a float
offset, so the quarantine and the detailed-explanation paths run too. Then it runs the full
validation (schema + semantic checks + conversion + writing the outputs) and, in the same run,
plain ``jsonschema`` (Draft202012Validator, schema only) on a 2,000-task sample.

    .venv/bin/python benchmarks/bench_validate.py [--tasks 100000] [--workers N] [--keep DIR]

Goal of issue 4: at least 20,000 tasks/s for the full validation and at least 50x plain
jsonschema, on a 2-core machine.
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

import jsonschema

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))  # the generator is shared

from akhbar.annotation.labelstudio import export_reader
from akhbar.annotation.labelstudio.result_checks import export_schema
from akhbar.annotation.validate.run import ValidateOptions, validate_snapshot
from tests.helpers.generated_export import generate


def _cpu(who: int) -> float:
    u = resource.getrusage(who)
    return u.ru_utime + u.ru_stime


def peak_rss_mb(who: int) -> float:
    return resource.getrusage(who).ru_maxrss / 1024  # kilobytes on Linux


def sample_tasks(export: Path, n: int) -> list[dict]:
    """The first ``n`` tasks of the export."""
    out: list[dict] = []
    for r in export_reader.ranges(export, export_reader.first_element(export)):
        out.extend(export_reader.parse_range(export, r.start, r.end))
        if len(out) >= n:
            break
    return out[:n]


def child(export: Path, corpus_dir: Path, out: Path, workers: int | None) -> None:
    """The validation on its own, in a fresh process: its time, counts and peak memory."""
    t0 = time.perf_counter()
    result = validate_snapshot(ValidateOptions(export, corpus_dir, out, workers=workers or 0))
    seconds = time.perf_counter() - t0
    print(
        json.dumps(
            {
                "seconds": seconds,
                "counts": result.counts,
                "rss_main_mb": peak_rss_mb(resource.RUSAGE_SELF),
                "rss_worker_mb": peak_rss_mb(resource.RUSAGE_CHILDREN),
                "cpu_main_s": _cpu(resource.RUSAGE_SELF),
                "cpu_workers_s": _cpu(resource.RUSAGE_CHILDREN),
            }
        )
    )


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--tasks", type=int, default=100_000)
    ap.add_argument("--workers", type=int, default=None, help="default: one per CPU")
    ap.add_argument("--sample", type=int, default=2000, help="tasks for plain jsonschema")
    ap.add_argument("--keep", type=Path, default=None, help="write here and keep the files")
    ap.add_argument("--child", nargs=3, type=Path, help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.child:
        child(*args.child, args.workers)
        return

    root = args.keep or Path(tempfile.mkdtemp(prefix="akhbar-bench-validate-"))
    try:
        export, corpus_dir = root / "export.json", root / "corpus"
        if not (export.is_file() and (corpus_dir / "articles.parquet").is_file()):
            t0 = time.perf_counter()
            generate(args.tasks, root)
            print(f"generated {args.tasks:,} tasks in {time.perf_counter() - t0:.1f} s")
        size = export.stat().st_size
        cmd = [sys.executable, __file__, "--child", str(export), str(corpus_dir)]
        cmd += [str(root / "validated")]
        if args.workers:
            cmd += ["--workers", str(args.workers)]
        shutil.rmtree(root / "validated", ignore_errors=True)
        done = subprocess.run(cmd, check=True, capture_output=True, text=True)
        r = json.loads(done.stdout)
        c = r["counts"]
        n_tasks = c["tasks"]["total"]
        rate = n_tasks / r["seconds"]
        print(
            f"export: {n_tasks:,} tasks, 40 spans and 5 relations each, {size / 1e6:,.0f} MB; "
            f"{os.cpu_count()} CPUs, workers {args.workers or 'default'}"
        )
        print(
            f"full validation (schema + semantic + conversion + outputs): {r['seconds']:.2f} s, "
            f"{rate:,.0f} tasks/s, {size / r['seconds'] / 1e6:,.0f} MB/s"
        )
        print(
            f"  {c['tasks']['documented']:,} documented, {c['tasks']['quarantined']:,} "
            f"quarantined; issues by code { {k: v['count'] for k, v in c['by_code'].items()} }"
        )
        print(
            f"  CPU time: main process {r['cpu_main_s']:.1f} s, workers {r['cpu_workers_s']:.1f} s"
            f" ({(r['cpu_main_s'] + r['cpu_workers_s']) / n_tasks * 1e6:.0f} us per task)"
        )
        print(
            f"  peak RSS: main process {r['rss_main_mb']:,.0f} MB, largest worker "
            f"{r['rss_worker_mb']:,.0f} MB (export {size / 1e6:,.0f} MB)"
        )

        sample = sample_tasks(export, args.sample)
        validator = jsonschema.Draft202012Validator(export_schema())
        t0 = time.perf_counter()
        valid = sum(1 for t in sample if validator.is_valid(t))
        base_s = time.perf_counter() - t0
        base_rate = len(sample) / base_s
        print(
            f"plain jsonschema Draft202012Validator (schema only) on {len(sample):,} tasks: "
            f"{base_s:.2f} s, {base_rate:,.0f} tasks/s ({valid:,} valid)"
        )
        print(f"ratio: {rate / base_rate:,.0f}x (goal >= 50x); goal >= 20,000 tasks/s")
    finally:
        if args.keep is None:
            shutil.rmtree(root, ignore_errors=True)


if __name__ == "__main__":
    main()
