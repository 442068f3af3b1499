"""Benchmark of the span-edge review (trimming, cut numbers and words) in validation's hot path.

Checks the annotations of N generated tasks (the generator of ``bench_validate.py``: about
2,000 characters, 40 spans and 5 relations each) with ``check_annotation`` three ways in one
run: without the edge review (``span_edges.clean`` answering "clean" for every span: the hot
path as it was before the review existed; the baseline), with it on clean spans, and with it
when one span in ten was dragged one space too far on each side (each is trimmed and recorded).
The three take turns for three rounds and each keeps its best time (the machine is shared).

    .venv/bin/python benchmarks/bench_span_edges.py [--tasks 3000]
"""

from __future__ import annotations

import argparse
import random
import sys
import time
from pathlib import Path
from unittest import mock

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))  # the generator is shared

from akhbar.annotation.labelstudio import span_edges
from akhbar.annotation.labelstudio.result_checks import Rules, check_annotation
from akhbar.schemas.taxonomy import load
from tests.helpers.generated_export import make_task


def sloppy(task: dict, rng: random.Random) -> dict:
    """One span in ten widened by the spaces around it (as a drag across digits does)."""
    text = task["data"]["text"]
    for r in task["annotations"][0]["result"]:
        v = r.get("value")
        if v and isinstance(v["start"], int) and rng.random() < 0.1:
            s, e = v["start"], v["end"]
            if s > 0 and e < len(text) and text[s - 1] == " " and text[e] == " ":
                v.update(start=s - 1, end=e + 1, text=text[s - 1 : e + 1])
    return task


def run(tasks: list[dict], rules: Rules) -> tuple[float, int]:
    t0 = time.perf_counter()
    edits = 0
    for task in tasks:
        c = check_annotation(task["annotations"][0], 0, task["data"]["text"], rules)
        edits += len(c.span_edits)
    return time.perf_counter() - t0, edits


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--tasks", type=int, default=3000)
    args = ap.parse_args()
    rng = random.Random(12)
    tasks = [make_task(i, rng)[1] for i in range(args.tasks)]
    messy = [sloppy(make_task(i, rng)[1], rng) for i in range(args.tasks)]
    regions = sum(len(t["annotations"][0]["result"]) - 5 for t in tasks)
    rules = Rules(load(None))
    run(tasks[:200], rules)  # warm up
    # the machine is shared: the variants take turns, and each keeps its best of 3 rounds
    base = clean = dirty = float("inf")
    for _ in range(3):
        with mock.patch.object(span_edges, "clean", lambda text, s, e: True):
            base = min(base, run(tasks, rules)[0])
        clean = min(clean, run(tasks, rules)[0])
        t, edits = run(messy, rules)
        dirty = min(dirty, t)
    print(f"{args.tasks:,} tasks, {regions:,} regions; check_annotation per task:")
    for name, t in (("no edge review (baseline)", base), ("edge review, clean spans", clean)):
        print(f"  {name}: {t / args.tasks * 1e6:.0f} us/task, {args.tasks / t:,.0f} tasks/s")
    print(
        f"  edge review, 1 span in 10 sloppy: {dirty / args.tasks * 1e6:.0f} us/task, "
        f"{args.tasks / dirty:,.0f} tasks/s ({edits:,} spans trimmed)"
    )
    print(
        f"cost of the review: {(clean - base) / regions * 1e9:.0f} ns per region, "
        f"{clean / base:.2f}x the baseline on clean spans, {dirty / base:.2f}x on sloppy ones"
    )


if __name__ == "__main__":
    main()
