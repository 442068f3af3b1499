"""Release inputs written by hand: a corpus store and validated documents, in the shapes the
corpus stage and the validation stage write them.

Articles are written in a small markup: ``[[بغداد|GPE]]`` is an entity, ``{{قُتل|Die}}`` a trigger;
entities nest (``[[المتحدث باسم [[وزارة الداخلية|ORG]]|PER]]``) and clitics stay attached
(``ب[[بغداد|GPE]]``). Entity ids are e1, e2, ... in order of their opening brackets, trigger ids
t1, t2, ...; each event's arguments name the entity by its surface text.
"""

from __future__ import annotations

import hashlib
import json
import re
import zlib
from dataclasses import dataclass, field
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq

from akhbar.corpus.records import article_id
from akhbar.corpus.store import text_digest

TAXONOMY = "ace-ar-conflict@1.0.0"
_CLOSE = re.compile(r"\|([A-Za-z]+)(\]\]|\}\})")


def parse_markup(markup: str) -> tuple[str, list[dict], list[dict]]:
    """Markup -> (text, entities, triggers) with code-point offsets into the text."""
    out: list[str] = []
    stack: list[dict] = []
    entities: list[dict] = []
    triggers: list[dict] = []
    i = 0
    while i < len(markup):
        two = markup[i : i + 2]
        if two in ("[[", "{{"):
            item = {"start": len(out)}
            stack.append(item)
            (entities if two == "[[" else triggers).append(item)
            i += 2
            continue
        m = _CLOSE.match(markup, i)
        if m:
            item = stack.pop()
            item.update(end=len(out), text="".join(out[item["start"] :]), label=m.group(1))
            i = m.end()
            continue
        out.append(markup[i])
        i += 1
    assert not stack, f"unclosed markup in {markup!r}"
    text = "".join(out)
    ents, trigs = [], []
    for n, e in enumerate(entities, start=1):
        ents.append(
            {
                "id": f"e{n}",
                "start": e["start"],
                "end": e["end"],
                "text": e["text"],
                "label": e["label"],
            }
        )
    for n, t in enumerate(triggers, start=1):
        trigs.append(
            {
                "id": f"t{n}",
                "start": t["start"],
                "end": t["end"],
                "text": t["text"],
                "type": t["label"],
            }
        )
    return text, ents, trigs


@dataclass
class Art:
    """One hand-written article: markup, arguments per trigger, and its corpus metadata."""

    title: str
    markup: str
    arguments: dict[str, list[tuple[str, str]]] = field(default_factory=dict)  # t1 -> (role, text)
    source: str = "alwatan"
    url: str | None = None
    published: str | None = "2015-07-21"
    cluster_of: str | None = None  # title of the article whose cluster this one joins
    annotated: bool = True
    truncated: bool = False

    @property
    def text(self) -> str:
        return parse_markup(self.markup)[0]

    @property
    def id(self) -> str:
        return article_id(self.source, self.url, self.title, self.text)

    def document(self) -> dict:
        text, ents, trigs = parse_markup(self.markup)
        by_text = {e["text"]: e["id"] for e in ents}
        events = []
        for t in trigs:
            events.append(
                {
                    "id": t["id"],
                    "type": t["type"],
                    "trigger": {"start": t["start"], "end": t["end"], "text": t["text"]},
                    "arguments": [
                        {"role": role, "entity_id": by_text[surface]}
                        for role, surface in self.arguments.get(t["id"], [])
                    ],
                }
            )
        return {
            "article_id": self.id,
            "text": text,
            "entities": ents,
            "events": events,
            "task_id": zlib.crc32(self.title.encode()) % 10_000,
            "annotation_id": zlib.crc32(self.markup.encode()) % 100_000,
            "annotator": "annotator@example.org",
            "created_at": "2026-11-20T10:00:00Z",
            "updated_at": "2026-11-20T10:05:00Z",
            "selection": "only",
            "taxonomy": TAXONOMY,
        }


ARTICLES: list[Art] = [
    Art(
        title="مقتل ثلاثة مدنيين في انفجار ببغداد",
        markup=(
            "{{قُتل|Die}} [[ثلاثة مدنيين|PER]] و{{أصيب|Injure}} [[جنديان|PER]] في انفجار سيارة "
            "مفخخة ب[[بغداد|GPE]] [[مساء الخميس|TIME]]. وقال [[المتحدث باسم [[وزارة الداخلية|ORG]]|PER]] "
            "إن [[الشرطة|ORG]] {{اعتقلت|Arrest}} [[شخصين|PER]] قرب [[الحدود الشمالية|LOC]]، "
            "وإن التحقيقات مستمرة."
        ),
        arguments={
            "t1": [("Victim", "ثلاثة مدنيين"), ("Place", "بغداد"), ("Time", "مساء الخميس")],
            "t2": [("Victim", "جنديان"), ("Place", "بغداد")],
            "t3": [("Agent", "الشرطة"), ("Person", "شخصين"), ("Place", "الحدود الشمالية")],
        },
        url="https://alwatan.example/news/1",
    ),
    Art(
        title="غارات على مواقع المسلحين في الموصل",
        markup=(
            "{{قصفت|Attack}} [[الطائرات|VEH]] مواقع [[المسلحين|PER]] في [[الموصل|GPE]] فجر اليوم، "
            "و{{أطلقت|Attack}} [[صواريخ|WEA]] على [[مطار المدينة|FAC]]. وبلغ سعر الوقود 9.50 دولار "
            "للتر الواحد في [[العراق|GPE]]."
        ),
        arguments={
            "t1": [("Instrument", "الطائرات"), ("Target", "المسلحين"), ("Place", "الموصل")],
            "t2": [("Instrument", "صواريخ"), ("Target", "مطار المدينة")],
        },
        source="okaz",
        url="https://okaz.example/2",
    ),
    Art(
        title="لقاء وزيري الخارجية في عمّان",
        markup=(
            "{{التقى|Meet}} [[وزير الخارجية|PER]] [[نظيره الأردني|PER]] في [[عمّان|GPE]] "
            "[[يوم الأحد|TIME]]. هل تنجح المحادثات؟ يرى [[محللون|PER]] أن الطريق ما زال طويلاً!"
        ),
        arguments={
            "t1": [("Entity", "وزير الخارجية"), ("Entity", "نظيره الأردني"), ("Place", "عمّان")]
        },
        source="alriyadh",
        url="https://alriyadh.example/3",
    ),
    Art(
        title="نقل الجرحى إلى المستشفى",
        markup=(
            "{{نُقل|Transport}} [[الجرحى|PER]] إلى [[المستشفى|FAC]] ب[[سيارات الإسعاف|VEH]]، "
            "وقال [[د. محمد علي|PER]] إن حالتهم مستقرة. وتوجه الوفد بعد ذلك إلى ال[[خرطوم|GPE]]."
        ),
        arguments={
            "t1": [
                ("Artifact", "الجرحى"),
                ("Destination", "المستشفى"),
                ("Vehicle", "سيارات الإسعاف"),
            ]
        },
        url="https://alwatan.example/news/4",
    ),
    Art(
        title="تظاهرة أمام البرلمان في بيروت",
        markup=(
            "{{تظاهر|Demonstrate}} [[المئات|PER]] أمام [[مبنى البرلمان|FAC]] في [[بيروت|GPE]] "
            "للمطالبة بالإصلاح، وشارك في التظاهرة [[نقابي|PER]]ون وطلاب. ودعت "
            "ا[[لأمم المتحدة|ORG]] إلى الهدوء."
        ),
        arguments={"t1": [("Entity", "المئات"), ("Place", "مبنى البرلمان")]},
        source="okaz",
        url="https://okaz.example/5",
    ),
    Art(
        title="وزارة الصحة تسجل إصابات جديدة",
        markup=(
            "أعلنت [[وزارة الصحة|ORG]] عن تسجيل 1,200 إصابة جديدة، فيما دعت "
            "[[منظمة الصحة العالمية|ORG]] إلى الحذر.\nوفي [[القاهرة|GPE]] عادت الحياة إلى طبيعتها"
        ),
        source="alriyadh",
        url=None,
        published=None,
        truncated=True,
    ),
    Art(
        title="طقس معتدل هذا الأسبوع",
        markup="تحدث التقرير عن الطقس المعتدل في المنطقة هذا الأسبوع، ولم يذكر أي حوادث تذكر.",
        source="sabq",
        url="https://sabq.example/7",
    ),
    Art(
        title="مقتل ثلاثة مدنيين في انفجار ببغداد (محدث)",
        markup=(
            "{{قُتل|Die}} [[ثلاثة مدنيين|PER]] في انفجار سيارة مفخخة ب[[بغداد|GPE]] "
            "[[مساء الخميس|TIME]]، بحسب مصادر أمنية."
        ),
        arguments={"t1": [("Victim", "ثلاثة مدنيين"), ("Place", "بغداد")]},
        url="https://alwatan.example/news/8",
        cluster_of="مقتل ثلاثة مدنيين في انفجار ببغداد",
    ),
    Art(
        title="خبر لم يُشرح بعد",
        markup="وصلت قافلة مساعدات إلى المدينة صباح اليوم بعد أيام من الانتظار الطويل.",
        source="sabq",
        url="https://sabq.example/9",
        annotated=False,
    ),
]

# Articles that a later release adds.
MORE_ARTICLES: list[Art] = [
    Art(
        title="اشتباكات قرب الحدود",
        markup=(
            "اندلعت {{اشتباكات|Attack}} عنيفة بين [[الجيش|ORG]] و[[مسلحين|PER]] قرب "
            "[[الحدود الشمالية|LOC]] [[ليلة السبت|TIME]]، و{{قُتل|Die}} [[جندي|PER]] واحد."
        ),
        arguments={
            "t1": [("Attacker", "الجيش"), ("Target", "مسلحين"), ("Place", "الحدود الشمالية")],
            "t2": [("Victim", "جندي")],
        },
        source="okaz",
        url="https://okaz.example/10",
    ),
    Art(
        title="وصول الوفد إلى جدة",
        markup="{{وصل|Transport}} [[الوفد|PER]] إلى [[جدة|GPE]] على متن [[طائرة خاصة|VEH]].",
        arguments={
            "t1": [("Artifact", "الوفد"), ("Destination", "جدة"), ("Vehicle", "طائرة خاصة")]
        },
        source="sabq",
        url="https://sabq.example/11",
    ),
]


def _provenance(a: Art, n: int) -> str:
    return json.dumps(
        {
            "input_file": f"raw/{a.source}.json",
            "record": f"{a.source}.json#{n}",
            "reader": "json_v1",
            "encoding": "utf-8",
            "rules": {"strip_ad_markers_v1": 1},
        },
        ensure_ascii=False,
    )


ARTICLE_SCHEMA = pa.schema(
    [
        ("id", pa.string()),
        ("title", pa.string()),
        ("text", pa.string()),
        ("text_sha256", pa.string()),
        ("source", pa.string()),
        ("url", pa.string()),
        ("published", pa.string()),
        ("retrieved", pa.string()),
        ("author", pa.string()),
        ("language", pa.string()),
        ("truncated", pa.bool_()),
        ("cluster_id", pa.string()),
        ("metadata", pa.string()),
        ("provenance", pa.string()),
    ]
)


def write_corpus(root: Path, articles: list[Art]) -> Path:
    """``root/articles.parquet`` (plus an empty report) as ``akhbar corpus build`` writes it."""
    root.mkdir(parents=True, exist_ok=True)
    by_title = {a.title: a for a in articles}
    rows = []
    for n, a in enumerate(articles):
        cluster = by_title[a.cluster_of].id if a.cluster_of else a.id
        rows.append(
            {
                "id": a.id,
                "title": a.title,
                "text": a.text,
                "text_sha256": text_digest(a.text),
                "source": a.source,
                "url": a.url,
                "published": a.published,
                "retrieved": "2015-08-01T12:00:00Z",
                "author": None,
                "language": "ar",
                "truncated": a.truncated,
                "cluster_id": cluster,
                "metadata": json.dumps({"section": "news"}, ensure_ascii=False),
                "provenance": _provenance(a, n),
            }
        )
    pq.write_table(pa.Table.from_pylist(rows, schema=ARTICLE_SCHEMA), root / "articles.parquet")
    (root / "report.json").write_text(json.dumps({"kept": len(rows)}), encoding="utf-8")
    return root


def write_documents(root: Path, articles: list[Art], taxonomy_sha256: str | None = None) -> Path:
    """``root/documents.jsonl`` and ``root/validation.json`` as validation writes them."""
    root.mkdir(parents=True, exist_ok=True)
    docs = [a.document() for a in articles if a.annotated]
    with (root / "documents.jsonl").open("w", encoding="utf-8") as f:
        for d in docs:
            f.write(json.dumps(d, ensure_ascii=False) + "\n")
    snapshot = root / "snapshot.json"
    snapshot.write_text(json.dumps({"tasks": len(docs)}), encoding="utf-8")
    validation = {
        "snapshot": {
            "path": str(snapshot),
            "sha256": hashlib.sha256(snapshot.read_bytes()).hexdigest(),
        },
        "taxonomy": {"name": "ace-ar-conflict", "version": "1.0.0", "sha256": taxonomy_sha256},
        "counts": {"annotations": len(docs), "valid": len(docs), "quarantined": 0, "cancelled": 0},
    }
    (root / "validation.json").write_text(json.dumps(validation), encoding="utf-8")
    return root


def write_inputs(root: Path, articles: list[Art] | None = None) -> tuple[Path, Path]:
    arts = ARTICLES if articles is None else articles
    return write_corpus(root / "corpus", arts), write_documents(root / "validated", arts)


def build_small_release(root: Path) -> Path:
    """Build v1.0.0 of the composed inputs under ``root``; returns the release directory."""
    from tests.helpers import run_akhbar

    corpus, documents = write_inputs(root / "in")
    code, _, err = run_akhbar(
        "release", "build", "--version", "1.0.0", "--corpus", corpus, "--documents", documents,
        "--out", root / "releases", "--ratios", "0.4,0.3,0.3", "--workers", "1",
    )  # fmt: skip
    assert code == 0, err
    return root / "releases" / "v1.0.0"
