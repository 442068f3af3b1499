"""Writes the Label Studio export fixtures of the validation tests (run it after editing it).

    .venv/bin/python tests/data/labelstudio/make_fixtures.py

Everything is in the shape of Label Studio 1.23's full JSON export (tasks with ``annotations``,
``drafts``, ``predictions``, ``data`` ...; ``labels`` results and ``relation`` results), with
Arabic news text written for these tests. Offsets are computed from the text here so that the
valid fixtures are exactly right and each broken one is broken in exactly one way.

- ``corpus.json``: the articles (id, title, text, source, url); tests write them to Parquet.
- ``clean.json``: an export that validates clean (exit 0), written indented like an export
  snapshot, with several annotations per task, skipped ones, an unannotated task, a draft,
  relations drawn left and both ways, astral characters before the spans.
- ``checks/<name>.json``: one export per check, each triggering it; ``checks/expected.json``
  says what each must produce.
"""

from __future__ import annotations

import copy
import json
from pathlib import Path

from akhbar.corpus.records import article_id

HERE = Path(__file__).resolve().parent
SOURCE = "akhbar-fixtures"

ARTICLES = {
    "attack": (
        "غارة جوية قرب حلب",
        "قصفت الطائرات الحربية مواقع المسلحين قرب حلب فجر الخميس، ما أدى إلى مقتل ثلاثة "
        "مسلحين. وقال المتحدث باسم الجيش إن الغارة استهدفت مخزنا للأسلحة.",
    ),
    "arrest": (
        "اعتقال شخصين في بغداد",
        "اعتقلت الشرطة شخصين في بغداد مساء السبت بتهمة التخطيط لهجمات، وأعلنت وزارة "
        "الداخلية أن المعتقلين نُقلوا إلى مقر الأمن العام.",
    ),
    "emoji": (
        "إصابة جنديين في الموصل",
        "أصيب جنديان 🇮🇶 بجروح طفيفة في الموصل 😢 فجر اليوم، وفق ما أفاد مصدر أمني.",
    ),
    "protest": (
        "تظاهرة أمام البرلمان",
        "تظاهر المئات أمام مبنى البرلمان في بيروت يوم الأحد للمطالبة بالإفراج عن المعتقلين.",
    ),
    "meeting": (
        "لقاء وزيري الخارجية",
        "التقى وزير الخارجية نظيره الأردني في عمّان يوم الاثنين لبحث وقف إطلاق النار.",
    ),
    "blast": (
        "انفجار في بغداد",
        "قُتل رجل في بغداد صباح اليوم بانفجار عبوة ناسفة قرب مبنى البرلمان.",
    ),
    "crlf": (
        "احتجاج في بيروت",
        "تظاهر المئات أمام مبنى البرلمان.\r\nوطالب المحتجون في بيروت بالإفراج عن المعتقلين.",
    ),
    "spaces": (
        "قصف في درعا",
        "قصفت المدفعية  أحياء درعا   مساء الجمعة.",
    ),
    "toll": (
        "حصيلة القصف",
        "قُتل 15 مدنيًا في 12 مارس 2024 بصواريخ Grad أطلقتها القوات.",
    ),
}


def aid(key: str) -> str:
    title, text = ARTICLES[key]
    return article_id(SOURCE, f"https://news.example.org/{key}", title, text)


def region(rid: str, control: str, text: str, word: str, label: str, nth: int = 0) -> dict:
    start = -1
    for _ in range(nth + 1):
        start = text.index(word, start + 1)
    return {
        "value": {"start": start, "end": start + len(word), "text": word, "labels": [label]},
        "id": rid,
        "from_name": control,
        "to_name": "text",
        "type": "labels",
        "origin": "manual",
    }


def relation(src: str, dst: str, role: str, direction: str = "right") -> dict:
    return {
        "from_id": src,
        "to_id": dst,
        "type": "relation",
        "direction": direction,
        "labels": [role],
    }


def annotation(
    ann_id: int,
    task_id: int,
    result: list,
    updated: str,
    *,
    user: int | dict = 1,
    cancelled: bool = False,
    ground_truth: bool = False,
) -> dict:
    return {
        "id": ann_id,
        "completed_by": user,
        "result": result,
        "was_cancelled": cancelled,
        "ground_truth": ground_truth,
        "created_at": "2026-11-20T09:00:00.000000Z",
        "updated_at": updated,
        "draft_created_at": None,
        "lead_time": 35.2,
        "prediction": {},
        "result_count": len(result),
        "unique_id": f"0b6c1f2e-4a51-4d8e-9f30-{ann_id:012d}",
        "import_id": None,
        "last_action": None,
        "bulk_created": False,
        "task": task_id,
        "project": 3,
        "updated_by": user if isinstance(user, int) else user["id"],
        "parent_prediction": None,
        "parent_annotation": None,
        "last_created_by": None,
    }


def task(task_id: int, key: str, annotations: list, *, text: str | None = None, drafts=()) -> dict:
    title, body = ARTICLES[key]
    n_cancelled = sum(1 for a in annotations if a["was_cancelled"])
    return {
        "id": task_id,
        "annotations": annotations,
        "drafts": list(drafts),
        "predictions": [],
        "data": {
            "text": body if text is None else text,
            "title": title,
            "article_id": aid(key),
            "source": SOURCE,
            "url": f"https://news.example.org/{key}",
        },
        "meta": {},
        "created_at": "2026-11-19T08:00:00.000000Z",
        "updated_at": "2026-11-20T09:30:00.000000Z",
        "allow_skip": True,
        "inner_id": task_id,
        "total_annotations": len(annotations) - n_cancelled,
        "cancelled_annotations": n_cancelled,
        "total_predictions": 0,
        "comment_count": 0,
        "unresolved_comment_count": 0,
        "last_comment_updated_at": None,
        "project": 3,
        "updated_by": 1,
        "comment_authors": [],
    }


# --- the clean export ---------------------------------------------------------------------------


def attack_result(text: str) -> list:
    return [
        region("Xa1", "trigger", text, "قصفت", "Attack"),
        region("Xa2", "entity", text, "الطائرات الحربية", "WEA"),
        region("Xa3", "entity", text, "حلب", "GPE"),
        region("Xa4", "entity", text, "فجر الخميس", "TIME"),
        region("Xa5", "trigger", text, "مقتل", "Die"),
        region("Xa6", "entity", text, "ثلاثة مسلحين", "PER"),
        region("Xa7", "entity", text, "المتحدث باسم الجيش", "PER"),
        relation("Xa1", "Xa2", "Instrument"),
        relation("Xa1", "Xa3", "Place"),
        relation("Xa4", "Xa1", "Time", direction="left"),  # drawn from the entity
        relation("Xa5", "Xa6", "Victim", direction="bi"),
        relation("Xa3", "Xa5", "Place", direction="bi"),  # both ways, drawn from the entity
    ]


def arrest_result(text: str, *, with_transport: bool = True) -> list:
    out = [
        region("Rb1", "trigger", text, "اعتقلت", "Arrest"),
        region("Rb2", "entity", text, "الشرطة", "ORG"),
        region("Rb3", "entity", text, "شخصين", "PER"),
        region("Rb4", "entity", text, "بغداد", "GPE"),
        region("Rb5", "entity", text, "مساء السبت", "TIME"),
        relation("Rb1", "Rb2", "Agent"),
        relation("Rb1", "Rb3", "Person"),
        relation("Rb1", "Rb4", "Place"),
        relation("Rb1", "Rb5", "Time"),
    ]
    if with_transport:
        out += [
            region("Rb6", "trigger", text, "نُقلوا", "Transport"),
            region("Rb7", "entity", text, "المعتقلين", "PER"),
            region("Rb8", "entity", text, "مقر الأمن العام", "FAC"),
            relation("Rb6", "Rb7", "Artifact"),
            relation("Rb6", "Rb8", "Destination"),
        ]
    return out


def emoji_result(text: str) -> list:
    return [
        region("Em1", "trigger", text, "أصيب", "Injure"),
        region("Em2", "entity", text, "جنديان", "PER"),
        region("Em3", "entity", text, "الموصل", "GPE"),
        region("Em4", "entity", text, "فجر اليوم", "TIME"),
        relation("Em1", "Em2", "Victim"),
        relation("Em1", "Em3", "Place"),
        relation("Em1", "Em4", "Time"),
    ]


def clean_export() -> list:
    at, ar, em = (ARTICLES[k][1] for k in ("attack", "arrest", "emoji"))
    expanded = {"id": 2, "email": "reviewer@example.org", "first_name": "", "last_name": ""}
    draft = {
        "id": 9,
        "user": "annotator@example.org",
        "created_username": "annotator@example.org, 1",
        "created_ago": "0 minutes",
        "result": [region("Dr1", "entity", ARTICLES["protest"][1], "بيروت", "GPE")],
        "lead_time": 4.0,
        "was_postponed": False,
        "import_id": None,
        "created_at": "2026-11-20T11:00:00.000000Z",
        "updated_at": "2026-11-20T11:00:00.000000Z",
        "task": 4,
        "annotation": None,
    }
    return [
        # an older and a newer annotation, and a newer skip: the newer annotation wins
        task(
            1,
            "attack",
            [
                annotation(101, 1, attack_result(at)[:4], "2026-11-20T10:00:00.000000Z"),
                annotation(102, 1, attack_result(at), "2026-11-20T12:00:00.000000Z", user=expanded),
                annotation(103, 1, [], "2026-11-20T13:00:00.000000Z", cancelled=True),
            ],
        ),
        # a ground truth wins over a newer annotation
        task(
            2,
            "arrest",
            [
                annotation(
                    201, 2, arrest_result(ar), "2026-11-20T10:00:00.000000Z", ground_truth=True
                ),
                annotation(
                    202,
                    2,
                    arrest_result(ar, with_transport=False),
                    "2026-11-20T12:00:00.000000Z",
                    user=3,
                ),
            ],
        ),
        # flags and emoji (outside the BMP) before the spans; offsets are code points
        task(3, "emoji", [annotation(301, 3, emoji_result(em), "2026-11-20T10:00:00.000000Z")]),
        task(4, "protest", [], drafts=[draft]),  # no annotation yet, one unsaved draft
        task(5, "meeting", [annotation(501, 5, [], "2026-11-20T10:00:00.000000Z", cancelled=True)]),
    ]


# --- one fixture per check ----------------------------------------------------------------------


def blast_result(text: str) -> list:
    return [
        region("Bl1", "trigger", text, "قُتل", "Die"),
        region("Bl2", "entity", text, "رجل", "PER"),
        region("Bl3", "entity", text, "بغداد", "GPE"),
        region("Bl4", "entity", text, "صباح اليوم", "TIME"),
        region("Bl5", "trigger", text, "انفجار", "Attack"),
        region("Bl6", "entity", text, "عبوة ناسفة", "WEA"),
        region("Bl7", "entity", text, "مبنى البرلمان", "FAC"),
        relation("Bl1", "Bl2", "Victim"),
        relation("Bl1", "Bl3", "Place"),
        relation("Bl5", "Bl6", "Instrument"),
        relation("Bl5", "Bl7", "Place"),
    ]


def blast(mutate=None, *, task_id: int = 7, text: str | None = None) -> dict:
    """The valid blast task, changed by ``mutate(task, result)``."""
    body = ARTICLES["blast"][1]
    t = task(
        task_id,
        "blast",
        [annotation(700 + task_id, task_id, blast_result(body), "2026-11-20T10:00:00.000000Z")],
        text=text,
    )
    if mutate is not None:
        mutate(t, t["annotations"][0]["result"])
    return t


def value(result: list, rid: str) -> dict:
    return next(r for r in result if r.get("id") == rid)["value"]


def utf16_offsets(text: str, word: str) -> tuple[int, int]:
    """Where ``word`` is in UTF-16 code units, as a JavaScript front end would count."""
    start = text.index(word)
    units = len(text[:start].encode("utf-16-le")) // 2
    return units, units + len(word.encode("utf-16-le")) // 2


def check_fixtures() -> dict[str, tuple[list, dict]]:
    b = ARTICLES["blast"][1]
    out: dict[str, tuple[list, dict]] = {}

    def add(name: str, tasks: list, code: str, message: str, **extra) -> None:
        out[name] = (tasks, {"code": code, "message": message, **extra})

    def setv(rid: str, **kw):
        return lambda t, r: value(r, rid).update(kw)

    add(
        "AK001_schema_violation",
        [blast(lambda t, r: t["data"].update(article_id=""))],
        "AK001",
        "/data/article_id: minLength",
    )
    add(
        "AK002_missing_field",
        [blast(lambda t, r: t["annotations"][0].pop("was_cancelled"))],
        "AK002",
        "/annotations/0 lacks the required field 'was_cancelled'",
    )
    add(
        "AK003_wrong_type",
        [blast(lambda t, r: t["annotations"][0].update(ground_truth="false"))],
        "AK003",
        "/annotations/0/ground_truth is a string ('false'), expected boolean",
    )
    add(
        "AK004_unexpected_value",
        [blast(lambda t, r: r[7].update(direction="up"))],
        "AK004",
        "/annotations/0/result/7/direction is 'up'; expected one of right, left, bi",
    )
    add(
        "AK101_float_offset",
        [blast(setv("Bl2", start=5.5))],
        "AK101",
        "start offset 5.5 is a number, not an integer",
    )
    add(
        "AK101_integral_float_offset",
        [blast(setv("Bl2", end=8.0))],
        "AK101",
        "end offset 8.0 is a float, not an integer",
    )
    add(
        "AK101_string_offset",
        [blast(setv("Bl3", start="12"))],
        "AK101",
        "start offset '12' is a string, not an integer",
    )
    add(
        "AK102_past_the_end",
        [blast(setv("Bl7", end=len(b) + 5))],
        "AK102",
        f"end {len(b) + 5} is past the end of the text ({len(b)} code points)",
    )
    add(
        "AK102_negative",
        [blast(setv("Bl2", start=-1))],
        "AK102",
        "start offset -1 is negative",
    )
    em = ARTICLES["emoji"][1]
    s16, e16 = utf16_offsets(em, "الموصل")

    def utf16(t, r):
        t.update(copy.deepcopy(task(3, "emoji", [])))
        res = emoji_result(em)
        value(res, "Em3").update(start=s16, end=e16)
        t["annotations"] = [annotation(301, 3, res, "2026-11-20T10:00:00.000000Z")]

    add(
        "AK103_utf16",
        [blast(utf16)],
        "AK103",
        f"the offsets count UTF-16 code units (2 character(s) outside the BMP, e.g. emoji, come "
        f"before the span); in code points it is [{em.index('الموصل')}, "
        f"{em.index('الموصل') + len('الموصل')})",
        diagnosis="utf16",
    )
    crlf = ARTICLES["crlf"][1]
    lf = crlf.replace("\r\n", "\n")

    def crlf_fix(t, r):
        t.update(copy.deepcopy(task(8, "crlf", [])))
        res = [region("Cr1", "entity", lf, "بيروت", "GPE")]  # counted on \n, not \r\n
        t["annotations"] = [annotation(801, 8, res, "2026-11-20T10:00:00.000000Z")]

    add(
        "AK103_crlf",
        [blast(crlf_fix)],
        "AK103",
        "the offsets were counted on the text with \\r\\n counted as one character",
        diagnosis="whitespace",
    )
    sp = ARTICLES["spaces"][1]
    collapsed = " ".join(sp.split())

    def spaces_fix(t, r):
        t.update(copy.deepcopy(task(9, "spaces", [])))
        res = [region("Sp1", "entity", collapsed, "مساء الجمعة", "TIME")]
        t["annotations"] = [annotation(901, 9, res, "2026-11-20T10:00:00.000000Z")]

    add(
        "AK103_collapsed_whitespace",
        [blast(spaces_fix)],
        "AK103",
        "the offsets were counted on the text with whitespace collapsed",
        diagnosis="whitespace",
    )
    add(
        "AK103_shifted",
        [blast(setv("Bl3", start=13, end=18))],
        "AK103",
        "value.text occurs at [12, 17) instead (shift -1)",
        diagnosis="shifted",
    )
    drifted = b.replace("رجل", "شاب")  # same length: the offsets still fit, the words do not
    add(
        "AK103_text_drift",
        [blast(text=drifted)],
        "AK103",
        "the task text differs from the corpus article, and value.text matches the corpus text",
        diagnosis="text_drift",
        also=["AK104"],
    )
    add(
        "AK104_task_text_drift",
        [blast(text=b + " وأكدت مصادر طبية الحصيلة.")],
        "AK104",
        f"the task text differs from the corpus article from code point {len(b)}",
    )
    add(
        "AK105_span_empty",
        [blast(setv("Bl4", end=value(blast_result(b), "Bl4")["start"]))],
        "AK105",
        "a region must cover at least one character",
    )
    add(
        "AK110_unknown_label",
        [blast(setv("Bl2", labels=["PERSON"]))],
        "AK110",
        "label 'PERSON' is not a label of control 'entity' in ace-ar-conflict@1.0.0",
    )
    add(
        "AK110_event_label_on_entity_control",
        [blast(setv("Bl3", labels=["Attack"]))],
        "AK110",
        "label 'Attack' is not a label of control 'entity'",
    )
    add(
        "AK111_unknown_control",
        [blast(lambda t, r: r[1].update(from_name="entities"))],
        "AK111",
        "from_name 'entities': regions come from ['entity', 'trigger'] and target 'text'",
    )
    add(
        "AK112_label_count",
        [blast(setv("Bl2", labels=["PER", "ORG"]))],
        "AK112",
        "the region carries 2 labels ['PER', 'ORG']; exactly one is expected",
    )
    add(
        "AK120_relation_endpoint_missing",
        [blast(lambda t, r: r[8].update(to_id="Zz9"))],
        "AK120",
        "relation 'Bl1' -> 'Zz9' points at no region 'Zz9' (deleted region?)",
    )
    add(
        "AK121_relation_not_trigger_to_entity",
        [blast(lambda t, r: r.append(relation("Bl2", "Bl3", "Place")))],
        "AK121",
        "relation runs from entity 'Bl2' (PER) to entity 'Bl3' (GPE) with direction 'right'",
    )
    add(
        "AK121_drawn_backwards",
        [blast(lambda t, r: r[7].update(from_id="Bl2", to_id="Bl1"))],
        "AK121",
        "relation runs from entity 'Bl2' (PER) to trigger 'Bl1' (Die)",
    )
    add(
        "AK122_role_not_allowed_for_event",
        [blast(lambda t, r: r[7].update(labels=["Attacker"]))],
        "AK122",
        "role 'Attacker' is not a role of event Die (allowed: Victim, Agent, Instrument, Place, "
        "Time)",
    )
    add(
        "AK123_entity_type_not_allowed_for_role",
        [blast(lambda t, r: r[10].update(to_id="Bl2"))],
        "AK123",
        "a PER cannot be the Place of Attack (allowed: FAC, GPE, LOC)",
    )
    add(
        "AK124_relation_role_count",
        [blast(lambda t, r: r[9].update(labels=[]))],
        "AK124",
        "relation 'Bl5' -> 'Bl6' carries 0 roles []; exactly one argument role is expected",
    )
    add(
        "AK130_duplicate_region_id",
        [blast(lambda t, r: r[3].update(id="Bl2"))],
        "AK130",
        "region id 'Bl2' is used again (first by result 1)",
    )
    add(
        "AK131_bad_timestamp",
        [blast(lambda t, r: t["annotations"][0].update(updated_at="yesterday"))],
        "AK131",
        "updated_at 'yesterday' is not an ISO 8601 time",
    )
    add(
        "AK140_empty_annotation",
        [blast(lambda t, r: r.clear())],
        "AK140",
        "the annotation was submitted with no regions and no relations",
    )
    add(
        "AK141_conflicting_labels_same_span",
        [blast(lambda t, r: r.append(region("Bl8", "entity", b, "رجل", "ORG")))],
        "AK141",
        "entity span [5, 8) is labelled both 'PER' (region 'Bl2') and 'ORG'",
    )
    add(
        "AK142_span_edge_whitespace",
        [blast(setv("Bl2", end=9, text="رجل "))],
        "AK142",
        "span 'رجل ' [5, 9) had whitespace at its edges: trimmed to 'رجل' [5, 8)",
    )
    add(
        "AK145_span_edge_punctuation",
        [blast(setv("Bl7", end=b.index(".") + 1, text="مبنى البرلمان."))],
        "AK145",
        "span 'مبنى البرلمان.' [52, 66) had punctuation at its edges: trimmed to "
        "'مبنى البرلمان' [52, 65)",
        options={"trim_punctuation": True},
    )
    toll = ARTICLES["toll"][1]
    add(
        "AK146_span_cuts_number",
        [
            task(
                10,
                "toll",
                [
                    annotation(
                        1000,
                        10,
                        [region("To1", "entity", toll, "12 مارس 2", "TIME")],
                        "2026-11-20T10:00:00.000000Z",
                    )
                ],
            )
        ],
        "AK146",
        "span '12 مارس 2' [18, 27) ends inside a number at 27",
    )
    add(
        "AK147_span_cuts_word",
        [
            task(
                11,
                "toll",
                [
                    annotation(
                        1100,
                        11,
                        # the clitic ب left outside is the guideline's cut, not a finding
                        [
                            region("To1", "entity", toll, "صواريخ G", "WEA"),
                            region("To2", "entity", toll, "صواريخ", "WEA"),
                        ],
                        "2026-11-20T10:00:00.000000Z",
                    )
                ],
            )
        ],
        "AK147",
        "span 'صواريخ G' [32, 40) ends inside a word at 40",
    )
    add(
        "AK143_duplicate_relation",
        [blast(lambda t, r: r.append(relation("Bl1", "Bl2", "Victim")))],
        "AK143",
        "argument Victim from 'Bl1' to 'Bl2' is drawn twice; it is kept once",
    )
    add(
        "AK144_duplicate_span",
        [blast(lambda t, r: r.append(region("Bl8", "entity", b, "رجل", "PER")))],
        "AK144",
        "entity span [5, 8) is labelled 'PER' twice (regions 'Bl2' and 'Bl8')",
    )
    add(
        "AK150_unknown_article",
        [blast(lambda t, r: t["data"].update(article_id="art_00000000000000000000"))],
        "AK150",
        "article 'art_00000000000000000000' is not in the corpus",
    )
    add(
        "AK151_duplicate_task_id",
        [blast(), blast()],
        "AK151",
        "task id 7 occurs again (first at /0)",
    )
    add(
        "AK152_article_annotated_twice",
        [blast(), blast(task_id=17)],
        "AK152",
        "article " + aid("blast") + " already has a document from task 7",
    )
    return out


def dump_compact(tasks: list) -> str:
    # what the direct export writes: json.dumps(tasks, ensure_ascii=False)
    return json.dumps(tasks, ensure_ascii=False)


def dump_snapshot(tasks: list) -> str:
    # what an export snapshot writes: one indented json.dump per task, joined by ",\n"
    return "[\n" + ",\n".join(json.dumps(t, ensure_ascii=False, indent=2) for t in tasks) + "\n]"


def main() -> None:
    corpus = [
        {
            "id": aid(k),
            "title": title,
            "text": text,
            "source": SOURCE,
            "url": f"https://news.example.org/{k}",
        }
        for k, (title, text) in ARTICLES.items()
    ]
    (HERE / "corpus.json").write_text(
        json.dumps(corpus, ensure_ascii=False, indent=1) + "\n", encoding="utf-8"
    )
    (HERE / "clean.json").write_text(dump_snapshot(clean_export()) + "\n", encoding="utf-8")
    checks = HERE / "checks"
    checks.mkdir(exist_ok=True)
    expected = {}
    for name, (tasks, exp) in check_fixtures().items():
        (checks / f"{name}.json").write_text(dump_compact(tasks) + "\n", encoding="utf-8")
        expected[name] = exp
    (checks / "expected.json").write_text(
        json.dumps(expected, ensure_ascii=False, indent=1) + "\n", encoding="utf-8"
    )


if __name__ == "__main__":
    main()
