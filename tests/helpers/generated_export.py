"""A generated Label Studio export and its corpus store, the way Label Studio and
``akhbar corpus build`` write them: N tasks, each an Arabic news text of about 2,000 characters
with 40 labelled spans (5 event triggers, 35 entity mentions) and 5 relations; about 0.5 % of
the tasks carry a span whose ``value.text`` disagrees with its offsets and 0.2 % a float offset.

Shared by the validation benchmarks (``benchmarks/bench_validate.py``, ``bench_span_edges.py``)
and the fault tests, which need an export large enough for a run to be interrupted.
"""

from __future__ import annotations

import random
from pathlib import Path

import orjson
import pyarrow as pa
import pyarrow.parquet as pq

from akhbar.corpus.records import article_id
from akhbar.corpus.store import text_digests

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
            "text_sha256": pa.array(text_digests(pa.array(cols["text"], pa.string()))),
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
