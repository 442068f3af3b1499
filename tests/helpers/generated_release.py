"""Generated annotated news for releases: a corpus store (``articles.parquet``) and validated
documents (``documents.jsonl``), streamed to disk: news-length Arabic text (300-600 words from
a vocabulary of Arabic news words, with numbers, punctuation, paragraphs and clitics attached
to names), about 20 entity mentions and 2 events with arguments per document.

Shared by the release benchmarks (``benchmarks/bench_release.py``, ``bench_publish.py``) and
the fault tests, which need a build long enough to be killed.
"""

from __future__ import annotations

import json
import random
from pathlib import Path

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

    from akhbar.corpus.store import text_digest
    from akhbar.schemas.taxonomy import load

    labels = load()
    rng = random.Random(seed)
    corpus, validated = root / "corpus", root / "validated"
    corpus.mkdir(parents=True)
    validated.mkdir(parents=True)
    schema = pa.schema(
        [(c, pa.string()) for c in ("id", "title", "text", "text_sha256", "source", "url",
                                    "published", "retrieved", "author", "language")]
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
            rows.append({**art, "text_sha256": text_digest(art["text"])})
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
