"""Helpers shared by the tests: paths, the in-process command line, composed articles.

Fixtures live in ``tests/conftest.py``; plain functions and constants live here, so that no
test module imports another.
"""

from __future__ import annotations

import io
import json
from contextlib import redirect_stderr, redirect_stdout
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
TEST_DATA = REPO / "tests" / "data"
CHECKS_DIR = TEST_DATA / "labelstudio" / "checks"
SHARED_DATA = REPO.parent / "shared" / "data"


def run_akhbar(*argv) -> tuple[int, str, str]:
    """Run ``akhbar`` in-process as the console script does: (exit code, stdout, stderr)."""
    from akhbar.cli.main import main

    out, err = io.StringIO(), io.StringIO()
    code = 0
    with redirect_stdout(out), redirect_stderr(err):
        try:
            main([str(a) for a in argv])
        except SystemExit as e:
            code = e.code if isinstance(e.code, int) else (0 if e.code is None else 1)
    return code, out.getvalue(), err.getvalue()


_EVENTS = [
    (
        "غارة على مواقع مسلحين قرب {place}",
        "قصفت الطائرات الحربية مواقع للمسلحين قرب {place} فجر {day}، ما أدى إلى مقتل {n} "
        "مسلحين وإصابة آخرين. وقال المتحدث باسم الجيش إن الغارات استهدفت مخازن للأسلحة "
        "والذخيرة.\n\nوأكد شهود عيان أن الانفجارات سُمعت في الأحياء المجاورة.",
    ),
    (
        "اعتقال مشتبه بهم في {place}",
        "اعتقلت الشرطة {n} أشخاص في {place} مساء {day} بتهمة التخطيط لهجمات. وأعلنت وزارة "
        "الداخلية في بيان أن المعتقلين نُقلوا إلى مقر الأمن العام للتحقيق معهم.",
    ),
    (
        "تظاهرة أمام البرلمان في {place}",
        "تظاهر المئات أمام مبنى البرلمان في {place} يوم {day} للمطالبة بالإفراج عن {n} "
        "معتقلين. وردد المتظاهرون شعارات تطالب الحكومة بالاستجابة لمطالبهم.",
    ),
    (
        "لقاء وزيري الخارجية في {place}",
        "التقى وزير الخارجية نظيره في {place} صباح {day} لبحث وقف إطلاق النار. وقال الوزير "
        "في مؤتمر صحفي إن الجانبين اتفقا على عقد {n} اجتماعات أخرى خلال الشهر المقبل.",
    ),
]
_PLACES = ["حلب", "الموصل", "بنغازي", "صنعاء", "درعا", "طرابلس", "عدن", "الرمادي"]
_DAYS = ["الخميس", "الجمعة", "السبت", "الأحد", "الاثنين"]


def sample_articles(n: int, prefix: str = "art_test") -> list[dict]:
    """``n`` distinct articles with the corpus store's columns."""
    rows = []
    for i in range(n):
        title, text = _EVENTS[i % len(_EVENTS)]
        fill = {
            "place": _PLACES[(i // len(_EVENTS)) % len(_PLACES)],
            "day": _DAYS[i % len(_DAYS)],
            "n": str(i + 2),
        }
        rows.append(
            {
                "id": f"{prefix}_{i:06d}",
                "title": title.format(**fill),
                "text": text.format(**fill),
                "source": "akhbar-test",
                "url": f"https://news.example.org/{prefix}/{i}",
                "published": "2026-11-20",
                "retrieved": None,
                "author": None,
                "language": "ar",
                "truncated": False,
                "cluster_id": f"{prefix}_{i:06d}",
                "metadata": "{}",
                "provenance": json.dumps(
                    {"input_file": "composed", "record": str(i), "reader": "test"}
                ),
            }
        )
    return rows


def read_jsonl(path: Path) -> list[dict]:
    return [json.loads(line) for line in path.read_bytes().splitlines()]


def write_fixture_corpus(d: Path) -> Path:
    """The corpus of the Label Studio export fixtures (``tests/data/labelstudio``) as a store."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    rows = json.loads((TEST_DATA / "labelstudio" / "corpus.json").read_text(encoding="utf-8"))
    d.mkdir(parents=True, exist_ok=True)
    pq.write_table(pa.Table.from_pylist(rows), d / "articles.parquet")
    return d
