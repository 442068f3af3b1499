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
import random
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

# Words of Arabic news prose, and names per entity type; the text is generated, not real news.
_VOCAB_TEXT = (
    "قال أكد أعلن أشار أضاف أوضح ذكر نقل مصدر مسؤول رسمي الحكومة الوزارة المدينة العاصمة "
    "المنطقة البلاد الشعب القوات الجيش الأمن الشرطة الأهالي السكان المواطنين العملية الهجوم "
    "الانفجار الحادث الاشتباكات المعارك الضحايا الجرحى القتلى المستشفى الطريق الحدود الشمالية "
    "الجنوبية الشرقية الغربية صباح مساء اليوم أمس الأسبوع الماضي المقبل خلال بعد قبل منذ حتى "
    "عن على في من إلى مع بين حول ضد دون عند لدى أن إن كان كانت يكون تم جرى وقد لقد لم لن ما "
    "التي الذي الذين هذا هذه ذلك تلك هناك هنا كما أيضا وفق بحسب نحو أكثر أقل عدد كبير صغير "
    "جديد الجديدة الأولى الثانية الأخيرة مختلف عدة بعض جميع كل المحلية الدولية العربية "
    "السياسية الاقتصادية الإنسانية الأمنية العسكرية المساعدات الغذائية الطبية اللاجئين النازحين "
    "المفاوضات المحادثات الاتفاق الهدنة وقف إطلاق النار التصعيد الاستقرار الأوضاع الأزمة "
    "التحقيقات اللجنة البرلمان المجلس الرئيس الوزير المتحدث البيان المؤتمر الصحفي التقرير"
)
VOCAB = _VOCAB_TEXT.split()

NAMES = {
    "PER": ["محمد علي", "أحمد حسن", "المتحدث باسم الجيش", "وزير الخارجية", "ثلاثة مدنيين",
            "جنديان", "المسلحون", "عبد الله سالم", "الرئيس", "الأهالي", "طفلان", "شخصين"],
    "ORG": ["وزارة الداخلية", "الأمم المتحدة", "الصليب الأحمر", "الجيش", "الشرطة",
            "منظمة الصحة العالمية", "مجلس الأمن", "البرلمان", "وزارة الدفاع"],
    "GPE": ["بغداد", "الموصل", "دمشق", "بيروت", "عمّان", "القاهرة", "الرياض", "صنعاء",
            "الخرطوم", "طرابلس", "العراق", "سوريا", "اليمن", "ليبيا"],
    "LOC": ["الحدود الشمالية", "الصحراء الغربية", "نهر الفرات", "وادي حضرموت", "الساحل"],
    "FAC": ["مطار المدينة", "مبنى البرلمان", "المستشفى العام", "جسر الجمهورية", "القاعدة الجوية"],
    "WEA": ["صواريخ", "قذائف هاون", "عبوة ناسفة", "طائرة مسيرة", "أسلحة خفيفة"],
    "VEH": ["سيارة مفخخة", "شاحنة", "سيارات الإسعاف", "طائرة خاصة", "زورق"],
    "TIME": ["مساء الخميس", "صباح اليوم", "فجر الجمعة", "يوم الأحد", "الأسبوع الماضي", "ليلة السبت"],
}  # fmt: skip
TRIGGERS = {
    "Attack": ["قصفت", "هاجم", "استهدفت", "أطلقت"],
    "Die": ["قُتل", "لقي", "توفي"],
    "Injure": ["أصيب", "جُرح"],
    "Arrest": ["اعتقلت", "أوقفت"],
    "Transport": ["نُقل", "وصل", "توجه"],
    "Meet": ["التقى", "اجتمع"],
    "Demonstrate": ["تظاهر", "احتج"],
}
CLITICS = ["و", "ب", "ل", "وب"]
SOURCES = ["okaz", "alriyadh", "alwatan", "sabq", "aleqtisadiya", "almadina"]
TYPES = list(NAMES)


def generate_doc(rng: random.Random, n: int, event_roles: dict) -> tuple[dict, dict]:
    """One (article row, document) pair: ~300-600 words, ~20 entities, 2 events."""
    from akhbar.corpus.records import article_id

    parts: list[str] = []
    pos = 0
    entities: list[dict] = []
    triggers: list[tuple[str, int, int, str]] = []
    words_target = rng.randint(300, 600)
    words = 0
    sentence = 0
    trigger_sentences = set(rng.sample(range(3, 25), 2))
    while words < words_target:
        m = rng.randint(8, 20)
        k_ent = 1 if rng.random() < 0.45 else 0
        k_ent += 1 if rng.random() < 0.2 else 0
        pieces: list[tuple[str, str | None]] = [(w, None) for w in rng.choices(VOCAB, k=m)]
        for _ in range(k_ent):
            pieces.insert(rng.randint(0, len(pieces)), ("", rng.choice(TYPES)))
        if sentence in trigger_sentences:
            etype = rng.choice(list(TRIGGERS))
            pieces.insert(0, (rng.choice(TRIGGERS[etype]), "EVENT:" + etype))
        if rng.random() < 0.1:
            pieces.insert(
                rng.randint(0, len(pieces)), (rng.choice(["9.50", "1,200", "٣٫٥", "2015"]), None)
            )
        for j, (w, kind) in enumerate(pieces):
            if j:
                parts.append(" ")
                pos += 1
            if kind is None:
                parts.append(w)
                pos += len(w)
            elif kind.startswith("EVENT:"):
                triggers.append((kind[6:], pos, pos + len(w), w))
                parts.append(w)
                pos += len(w)
            else:
                name = rng.choice(NAMES[kind])
                clitic = rng.choice(CLITICS) if rng.random() < 0.15 else ""
                parts.append(clitic + name)
                start = pos + len(clitic)
                pos += len(clitic) + len(name)
                entities.append(
                    {"id": f"e{len(entities) + 1}", "start": start, "end": pos, "text": name,
                     "label": kind}
                )  # fmt: skip
            if rng.random() < 0.04:
                parts.append("،")
                pos += 1
        end = "." if rng.random() < 0.9 else rng.choice(["؟", "!"])
        parts.append(end)
        pos += 1
        sep = "\n\n" if rng.random() < 0.2 else " "
        parts.append(sep)
        pos += len(sep)
        words += len(pieces)
        sentence += 1
    text = "".join(parts).rstrip()
    events = []
    for k, (etype, s, e, w) in enumerate(triggers, start=1):
        args = []
        used = set()
        for role, allowed in event_roles[etype].items():
            cands = [x for x in entities if x["label"] in allowed and x["id"] not in used]
            if cands and len(args) < 3:
                ent = rng.choice(cands)
                used.add(ent["id"])
                args.append({"role": role, "entity_id": ent["id"]})
        events.append(
            {"id": f"t{k}", "type": etype, "trigger": {"start": s, "end": e, "text": w},
             "arguments": args}
        )  # fmt: skip
    source = SOURCES[n % len(SOURCES)]
    url = f"https://{source}.example/{n}"
    title = " ".join(rng.choices(VOCAB, k=rng.randint(5, 10)))
    aid = article_id(source, url, title, text)
    article = {
        "id": aid, "title": title, "text": text, "source": source, "url": url,
        "published": "2015-07-21", "retrieved": "2015-08-01T12:00:00Z", "author": None,
        "language": "ar", "truncated": False, "cluster_id": aid,
        "metadata": "{}", "provenance": json.dumps({"input_file": f"{source}.json", "record": str(n)}),
    }  # fmt: skip
    doc = {
        "article_id": aid, "text": text, "entities": entities, "events": events, "task_id": n,
        "annotation_id": n, "annotator": "bench@example.org", "created_at": None,
        "updated_at": None, "selection": "only", "taxonomy": "ace-ar-conflict@1.0.0",
    }  # fmt: skip
    return article, doc


def generate(n: int, root: Path, seed: int = 5) -> tuple[Path, Path, dict]:
    """Stream ``n`` articles and documents to ``root``; nothing is held for more than a batch."""
    import orjson
    import pyarrow as pa
    import pyarrow.parquet as pq

    from akhbar.schemas.taxonomy import load

    labels = load()
    rng = random.Random(seed)
    corpus, validated = root / "corpus", root / "validated"
    corpus.mkdir(parents=True)
    validated.mkdir(parents=True)
    schema = pa.schema(
        [(c, pa.string()) for c in ("id", "title", "text", "source", "url", "published",
                                    "retrieved", "author", "language")]
        + [("truncated", pa.bool_()), ("cluster_id", pa.string()), ("metadata", pa.string()),
           ("provenance", pa.string())]
    )  # fmt: skip
    stats = {"entities": 0, "events": 0, "chars": 0}
    rows: list[dict] = []
    prev_id = None
    with (
        pq.ParquetWriter(corpus / "articles.parquet", schema, compression="zstd") as writer,
        (validated / "documents.jsonl").open("wb") as docs,
    ):
        for i in range(n):
            art, doc = generate_doc(rng, i, labels.event_roles)
            if prev_id and rng.random() < 0.05:  # a near-duplicate joins the previous cluster
                art["cluster_id"] = prev_id
            prev_id = art["id"]
            rows.append(art)
            docs.write(orjson.dumps(doc) + b"\n")
            stats["entities"] += len(doc["entities"])
            stats["events"] += len(doc["events"])
            stats["chars"] += len(doc["text"])
            if len(rows) == 8192:
                writer.write_table(pa.Table.from_pylist(rows, schema=schema))
                rows.clear()
        if rows:
            writer.write_table(pa.Table.from_pylist(rows, schema=schema))
    snapshot = {"path": "generated", "sha256": "0" * 64}
    (validated / "validation.json").write_text(
        json.dumps({"snapshot": snapshot, "taxonomy": {"sha256": labels.sha256}}), "utf-8"
    )
    return corpus, validated, stats


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
