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
import random
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import jsonschema
import orjson
import pyarrow as pa
import pyarrow.parquet as pq

from akhbar.annotation.labelstudio import export_reader
from akhbar.annotation.labelstudio.result_checks import export_schema
from akhbar.annotation.validate.run import ValidateOptions, validate_snapshot
from akhbar.corpus.records import article_id

# (phrase, entity type) pools; triggers by event type with the role of their GPE argument
PER = ["المتحدث باسم الجيش", "وزير الداخلية", "قائد الشرطة", "ثلاثة مدنيين", "طفلان", "مسلحون",
       "محافظ المدينة", "شاهد عيان", "مراسل الوكالة", "رئيس الوزراء"]  # fmt: skip
ORG = ["وزارة الدفاع", "الأمم المتحدة", "الهلال الأحمر", "قوات الأمن", "مجلس النواب",
       "منظمة الصحة العالمية", "الجيش الوطني", "وكالة الأنباء الرسمية"]  # fmt: skip
GPE = ["بغداد", "حلب", "صنعاء", "طرابلس", "الموصل", "غزة", "بيروت", "الخرطوم", "دمشق", "عدن"]
LOC = ["الحدود الشمالية", "وادي حضرموت", "ضفاف النهر", "الصحراء الغربية", "سفوح الجبل"]
FAC = ["مطار المدينة", "مستشفى الشفاء", "الجسر الرئيسي", "مبنى البرلمان", "الميناء التجاري"]
WEA = ["صواريخ", "قذائف الهاون", "عبوة ناسفة", "طائرة مسيرة", "أسلحة خفيفة"]
VEH = ["شاحنة", "سيارة إسعاف", "حافلة", "مروحية", "زورق"]
TIME = ["مساء الخميس", "فجر اليوم", "صباح الأحد", "الأسبوع الماضي", "منتصف الليل"]
ENTITIES = [("PER", PER), ("ORG", ORG), ("GPE", GPE), ("LOC", LOC), ("FAC", FAC),
            ("WEA", WEA), ("VEH", VEH), ("TIME", TIME)]  # fmt: skip
TRIGGERS = [("Attack", "قصفت", "Place"), ("Die", "قُتل", "Place"), ("Injure", "أصيب", "Place"),
            ("Arrest", "اعتقلت", "Place"), ("Transport", "نُقل", "Destination"),
            ("Meet", "التقى", "Place"), ("Demonstrate", "تظاهر", "Place")]  # fmt: skip
FILLER_TEXT = (
    "وقال في بيان صدر عقب الحادثة إن الأوضاع ما زالت متوترة وإن فرق الإنقاذ تواصل عملها "
    "وسط ظروف صعبة كما أكدت مصادر محلية أن السلطات فرضت طوقا أمنيا حول المنطقة "
    "وأغلقت الطرق المؤدية إليها بينما دعت المنظمات الإنسانية إلى ضبط النفس"
)
FILLER = FILLER_TEXT.split(" ")


def make_article(rng: random.Random) -> tuple[str, list, list]:
    """A text with 5 trigger spans and 35 entity spans; (text, spans, arguments)."""
    parts: list[str] = []
    pos = 0
    spans: list[tuple[str, int, int, str]] = []  # (control, start, end, label)
    args: list[tuple[int, int, str]] = []  # (trigger span index, entity span index, role)

    def add(word: str, span: tuple[str, str] | None = None) -> int:
        nonlocal pos
        if parts:
            parts.append(" ")
            pos += 1
        parts.append(word)
        if span is not None:
            spans.append((span[0], pos, pos + len(word), span[1]))
        pos += len(word)
        return len(spans) - 1

    for sentence in range(9):
        if sentence < 5:
            event, word, role = rng.choice(TRIGGERS)
            t = add(word, ("trigger", event))
            g = add(rng.choice(GPE), ("entity", "GPE"))
            args.append((t, g, role))
        n_entities = 3 if sentence < 5 or sentence == 8 else 4  # 5 GPE + 15 + 12 + 3 = 35
        for _ in range(n_entities):
            for w in rng.sample(FILLER, rng.randint(3, 8)):
                add(w)
            label, pool = rng.choice(ENTITIES)
            add(rng.choice(pool), ("entity", label))
        for w in rng.sample(FILLER, rng.randint(3, 7)):
            add(w)
        parts.append(".")
        pos += 1
    return "".join(parts), spans, args


def make_task(i: int, rng: random.Random) -> tuple[dict, dict]:
    """(corpus row, Label Studio task) for task id ``i``."""
    text, spans, args = make_article(rng)
    title = f"تقرير إخباري رقم {i}"
    url = f"https://news.example.org/{i}"
    aid = article_id("bench-news", url, title, text)
    result = [
        {
            "id": f"r{i:07d}{k:02d}",
            "from_name": ctl,
            "to_name": "text",
            "type": "labels",
            "origin": "manual",
            "value": {"start": s, "end": e, "text": text[s:e], "labels": [label]},
        }
        for k, (ctl, s, e, label) in enumerate(spans)
    ]
    result += [
        {
            "from_id": f"r{i:07d}{t:02d}",
            "to_id": f"r{i:07d}{g:02d}",
            "type": "relation",
            "direction": "right",
            "labels": [role],
        }
        for t, g, role in args
    ]
    roll = rng.random()
    if roll < 0.005:  # value.text that disagrees with the offsets
        result[7]["value"]["text"] = result[7]["value"]["text"][::-1]
    elif roll < 0.007:  # a float offset, as some tools write them
        result[9]["value"]["start"] = float(result[9]["value"]["start"]) + 0.5
    stamp = f"2026-11-20T10:{i // 60 % 60:02d}:{i % 60:02d}.000000Z"
    task = {
        "id": i,
        "annotations": [
            {
                "id": i,
                "completed_by": 1 + i % 7,
                "result": result,
                "was_cancelled": False,
                "ground_truth": False,
                "created_at": stamp,
                "updated_at": stamp,
                "draft_created_at": None,
                "lead_time": 120.5,
                "prediction": {},
                "result_count": len(result),
                "unique_id": f"00000000-0000-4000-8000-{i:012d}",
                "import_id": None,
                "last_action": None,
                "bulk_created": False,
                "task": i,
                "project": 1,
                "updated_by": 1 + i % 7,
                "parent_prediction": None,
                "parent_annotation": None,
                "last_created_by": None,
            }
        ],
        "drafts": [],
        "predictions": [],
        "data": {
            "text": text,
            "title": title,
            "article_id": aid,
            "source": "bench-news",
            "url": url,
        },
        "meta": {},
        "created_at": stamp,
        "updated_at": stamp,
        "allow_skip": True,
        "inner_id": i,
        "total_annotations": 1,
        "cancelled_annotations": 0,
        "total_predictions": 0,
        "comment_count": 0,
        "unresolved_comment_count": 0,
        "last_comment_updated_at": None,
        "project": 1,
        "updated_by": 1,
        "comment_authors": [],
    }
    row = {"id": aid, "title": title, "text": text, "source": "bench-news", "url": url}
    return row, task


def generate(n: int, root: Path, seed: int = 4) -> tuple[Path, Path]:
    """Write the corpus store and the export, streaming; (export path, corpus dir)."""
    rng = random.Random(seed)
    corpus_dir = root / "corpus"
    corpus_dir.mkdir(parents=True)
    export = root / "export.json"
    cols: dict[str, list] = {k: [] for k in ("id", "title", "text", "source", "url")}
    writer = None
    with export.open("wb") as f:
        f.write(b"[")
        for i in range(1, n + 1):
            row, task = make_task(i, rng)
            if i > 1:
                f.write(b", ")
            f.write(orjson.dumps(task))
            for k, v in row.items():
                cols[k].append(v)
            if len(cols["id"]) >= 10000 or i == n:
                table = _corpus_table(cols)
                if writer is None:
                    writer = pq.ParquetWriter(corpus_dir / "articles.parquet", table.schema)
                writer.write_table(table)
                cols = {k: [] for k in cols}
        f.write(b"]\n")
    if writer is not None:
        writer.close()
    return export, corpus_dir


def _corpus_table(cols: dict[str, list]) -> pa.Table:
    n = len(cols["id"])
    prov = orjson.dumps({"input_file": "bench", "record": "0", "reader": "bench_v1"}).decode()
    return pa.table(
        {
            **{k: pa.array(v, pa.string()) for k, v in cols.items()},
            "published": pa.array([None] * n, pa.string()),
            "retrieved": pa.array([None] * n, pa.string()),
            "author": pa.array([None] * n, pa.string()),
            "language": pa.array(["ar"] * n, pa.string()),
            "truncated": pa.array([False] * n, pa.bool_()),
            "cluster_id": pa.array(cols["id"], pa.string()),
            "metadata": pa.array(["{}"] * n, pa.string()),
            "provenance": pa.array([prov] * n, pa.string()),
        }
    )


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
