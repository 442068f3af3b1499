"""Benchmark of ``akhbar annotate agreement`` and ``adjudicate`` on a generated team export.

Generates a corpus store and a Label Studio JSON export of N tasks (default 10,000), each an
Arabic news text of about 2,000 characters annotated by 3 annotators with 40 entity mentions
and 5 events (a trigger and 3 arguments each); the second and third annotators differ from the
first the way people do (about 8% of the entities dropped, narrowed or relabelled, a role
changed now and then). Then, each in a fresh process so that its peak memory is its own:

- **floor**: reading every task of the export in one process (the piece-by-piece reader that
  validation uses), nothing else: what any command over the snapshot pays;
- **versions**: the floor plus checking and converting every annotation (what agreement and
  adjudication read), no scoring, in one process;
- **agreement**: the whole ``run_agreement`` (scores, 1,000 bootstrap replicates, report, plot);
- **adjudication**: the whole ``run_adjudication`` (majority).

Agreement and adjudication read, check and score the export's ranges in one worker process
per core (the default); wall and CPU seconds are both printed, since other work on a shared
machine stretches the wall time.

The same is run on a quarter of the tasks: peak memory that barely moves with 4x the tasks is
what "flat" means here.

    .venv/bin/python benchmarks/bench_agreement.py [--tasks 10000] [--keep DIR]

Goal of issue 13: agreement and adjudication each under 15 s on the 2-core machine, memory flat.
"""

from __future__ import annotations

import argparse
import copy
import json
import random
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import orjson
import pyarrow as pa
import pyarrow.parquet as pq

from akhbar.annotation.labelstudio.to_results import document_to_results
from akhbar.corpus.records import article_id

POOLS = {
    "PER": ["المتحدث باسم الجيش", "وزير الداخلية", "قائد الشرطة", "ثلاثة مدنيين", "مسلحون"],
    "ORG": ["وزارة الدفاع", "الأمم المتحدة", "الهلال الأحمر", "قوات الأمن", "مجلس النواب"],
    "GPE": ["بغداد", "حلب", "صنعاء", "طرابلس", "الموصل", "غزة", "بيروت", "الخرطوم"],
    "LOC": ["الحدود الشمالية", "وادي حضرموت", "ضفاف النهر", "الصحراء الغربية"],
    "FAC": ["مطار المدينة", "مستشفى الشفاء", "الجسر الرئيسي", "مبنى البرلمان"],
    "WEA": ["صواريخ", "قذائف الهاون", "عبوة ناسفة", "طائرة مسيرة"],
    "VEH": ["شاحنة", "سيارة إسعاف", "حافلة", "مروحية"],
    "TIME": ["مساء الخميس", "فجر اليوم", "صباح الأحد", "منتصف الليل"],
}
# an Attack's roles and the entity types that fill them
ROLES = {"Attacker": "ORG", "Target": "FAC", "Place": "GPE", "Instrument": "WEA", "Time": "TIME"}
FILLER_TEXT = (
    "وقال في بيان صدر عقب الحادثة إن الأوضاع ما زالت متوترة وإن فرق الإنقاذ تواصل عملها "
    "وسط ظروف صعبة كما أكدت مصادر محلية أن السلطات فرضت طوقا أمنيا حول المنطقة"
)
FILLER = FILLER_TEXT.split(" ")


def make_document(rng: random.Random) -> dict:
    """A text with 40 entity mentions and 5 Attack events of 3 arguments each."""
    parts: list[str] = []
    pos = 0
    ents: list[dict] = []
    events: list[dict] = []

    def add(word: str) -> tuple[int, int]:
        nonlocal pos
        if parts:
            parts.append(" ")
            pos += 1
        parts.append(word)
        pos += len(word)
        return pos - len(word), pos

    def entity(label: str) -> str:
        s, e = add(rng.choice(POOLS[label]))
        ents.append({"id": f"e{len(ents) + 1}", "start": s, "end": e, "label": label})
        return ents[-1]["id"]

    for k in range(5):
        s, e = add("قصفت")
        roles = rng.sample(sorted(ROLES), 3)
        args = [{"role": r, "entity_id": entity(ROLES[r])} for r in roles]
        events.append(
            {
                "id": f"t{k + 1}",
                "type": "Attack",
                "trigger": {"start": s, "end": e},
                "arguments": args,
            }
        )
        for _ in range(5):
            for w in rng.sample(FILLER, rng.randint(3, 6)):
                add(w)
            entity(rng.choice(sorted(POOLS)))
        parts.append(".")
        pos += 1
    text = "".join(parts)
    for x in ents:
        x["text"] = text[x["start"] : x["end"]]
    for v in events:
        v["trigger"]["text"] = text[v["trigger"]["start"] : v["trigger"]["end"]]
    return {"text": text, "entities": ents, "events": events}


def perturb(doc: dict, rng: random.Random) -> dict:
    """Another annotator's version: some entities dropped, narrowed or relabelled, a role moved."""
    d = copy.deepcopy(doc)
    used = {a["entity_id"] for v in d["events"] for a in v["arguments"]}
    kept = []
    for e in d["entities"]:
        r = rng.random()
        if r < 0.03 and e["id"] not in used:
            continue  # missed
        if r < 0.06 and " " in e["text"]:  # narrowed to its last word
            cut = e["text"].rindex(" ") + 1
            e["start"] += cut
            e["text"] = e["text"][cut:]
        elif r < 0.08 and e["id"] not in used:
            e["label"] = rng.choice([x for x in POOLS if x != e["label"]])
        kept.append(e)
    d["entities"] = kept
    for v in d["events"]:
        for a in v["arguments"]:
            if a["role"] == "Place" and rng.random() < 0.1:
                a["role"] = "Target"  # a GPE may be a Target too: a valid, wrong role
    return d


def make_task(i: int, rng: random.Random) -> tuple[dict, dict]:
    doc = make_document(rng)
    title = f"تقرير إخباري رقم {i}"
    url = f"https://news.example.org/{i}"
    aid = article_id("bench-news", url, title, doc["text"])
    stamp = "2026-11-20T10:00:00.000000Z"
    anns = []
    for k, version in enumerate([doc, perturb(doc, rng), perturb(doc, rng)]):
        anns.append(
            {
                "id": 3 * i + k,
                "completed_by": k + 1,
                "was_cancelled": False,
                "ground_truth": False,
                "created_at": stamp,
                "updated_at": stamp,
                "lead_time": 60.0,
                "result": document_to_results(version),
            }
        )
    # in Label Studio's order: id, then annotations (the export reader cuts between tasks there)
    task = {"id": i, "annotations": anns, "drafts": [], "predictions": [],
            "data": {"article_id": aid, "text": doc["text"]}}  # fmt: skip
    return {"id": aid, "title": title, "text": doc["text"], "url": url}, task


def generate(n: int, root: Path, seed: int = 13) -> tuple[Path, Path]:
    rng = random.Random(seed)
    corpus = root / "corpus"
    corpus.mkdir(parents=True)
    export = root / "export.json"
    rows: dict[str, list] = {k: [] for k in ("id", "title", "text", "url")}
    with export.open("wb") as f:
        f.write(b"[")
        for i in range(1, n + 1):
            row, task = make_task(i, rng)
            f.write((b", " if i > 1 else b"") + orjson.dumps(task))
            for k, v in row.items():
                rows[k].append(v)
        f.write(b"]\n")
    m = len(rows["id"])
    prov = orjson.dumps({"input_file": "bench", "record": "0", "reader": "bench_v1"}).decode()
    table = pa.table(
        {
            **{k: pa.array(v, pa.string()) for k, v in rows.items()},
            "source": pa.array(["bench-news"] * m, pa.string()),
            "published": pa.array([None] * m, pa.string()),
            "retrieved": pa.array([None] * m, pa.string()),
            "author": pa.array([None] * m, pa.string()),
            "language": pa.array(["ar"] * m, pa.string()),
            "truncated": pa.array([False] * m, pa.bool_()),
            "cluster_id": pa.array(rows["id"], pa.string()),
            "metadata": pa.array(["{}"] * m, pa.string()),
            "provenance": pa.array([prov] * m, pa.string()),
        }
    )
    pq.write_table(table, corpus / "articles.parquet")
    return export, corpus


def child(stage: str, export: str, corpus: str, out: str) -> None:
    """One stage in this (fresh) process; prints its seconds, peak RSS and a count."""
    t0 = time.perf_counter()
    if stage == "floor":
        from akhbar.annotation.labelstudio.export_reader import iter_tasks

        count = sum(1 for _ in iter_tasks(Path(export)))
    elif stage == "versions":
        from akhbar.annotation.team.annotator_versions import SnapshotTally, VersionReader
        from akhbar.schemas import taxonomy

        tally = SnapshotTally()
        count = sum(1 for _ in VersionReader(corpus, taxonomy.load(None)).read(export, tally))
    elif stage == "agreement":
        from akhbar.annotation.team.run import AgreementOptions, run_agreement

        count = run_agreement(AgreementOptions(export, corpus, out)).figures["documents"]
    else:
        from akhbar.annotation.team.adjudicate import AdjudicateOptions, run_adjudication

        count = run_adjudication(AdjudicateOptions(export, corpus, out)).summary["tasks"]
    seconds = time.perf_counter() - t0
    me, kids = (
        resource.getrusage(resource.RUSAGE_SELF),
        resource.getrusage(resource.RUSAGE_CHILDREN),
    )
    print(
        json.dumps(
            {
                "seconds": seconds,
                "cpu_s": me.ru_utime + me.ru_stime + kids.ru_utime + kids.ru_stime,
                "rss_mb": me.ru_maxrss / 1024,
                "worker_rss_mb": kids.ru_maxrss / 1024,
                "count": count,
            }
        )
    )


def run(stage: str, export: Path, corpus: Path, out: Path) -> dict:
    r = subprocess.run(
        [sys.executable, __file__, "--child", stage, str(export), str(corpus), str(out)],
        capture_output=True,
        text=True,
        check=True,
    )
    return json.loads(r.stdout.strip().splitlines()[-1])


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--tasks", type=int, default=10_000)
    ap.add_argument("--keep", type=Path, default=None, help="Keep the generated data here.")
    ap.add_argument("--child", nargs=4, default=None, help=argparse.SUPPRESS)
    a = ap.parse_args()
    if a.child:
        child(*a.child)
        return
    root = Path(a.keep) if a.keep else Path(tempfile.mkdtemp(prefix="akhbar-bench-agreement-"))
    try:
        results = {}
        for n in (a.tasks // 4, a.tasks):
            work = root / f"n{n}"
            shutil.rmtree(work, ignore_errors=True)
            t0 = time.perf_counter()
            export, corpus = generate(n, work)
            mb = export.stat().st_size / 2**20
            print(f"{n:,} tasks x 3 annotators x (40 entities + 5 events): export {mb:,.0f} MiB, "
                  f"generated in {time.perf_counter() - t0:.1f} s")  # fmt: skip
            for stage in ("floor", "versions", "agreement", "adjudication"):
                r = run(stage, export, corpus, work / f"out-{stage}")
                results[(n, stage)] = r
                print(f"  {stage:<12} {r['seconds']:6.1f} s wall {r['cpu_s']:6.1f} s CPU  "
                      f"{n / r['seconds']:7,.0f} tasks/s  peak RSS {r['rss_mb']:5.0f} MB "
                      f"(workers {r['worker_rss_mb']:4.0f} MB)  ({r['count']:,})")  # fmt: skip
        n = a.tasks
        base = results[(n, "versions")]
        for stage in ("agreement", "adjudication"):
            r = results[(n, stage)]
            grow = r["rss_mb"] / results[(n // 4, stage)]["rss_mb"]
            print(f"{stage}: {r['seconds']:.1f} s wall, {r['cpu_s']:.1f} s CPU for {n:,} tasks "
                  f"(goal < 15 s); reading and checking the versions alone: {base['cpu_s']:.1f} s "
                  f"CPU; peak RSS x{grow:.2f} for 4x the tasks")  # fmt: skip
    finally:
        if not a.keep:
            shutil.rmtree(root, ignore_errors=True)


if __name__ == "__main__":
    main()
