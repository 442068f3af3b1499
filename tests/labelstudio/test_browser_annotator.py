"""The annotator's flow in a real browser: Chromium on Label Studio 1.23.2 with akhbar's config.

Every region is made as an annotator makes it: a label's key, then a mouse drag between the
pixels where the caret falls at the span's first and last code point (or a double-click).
Relations are drawn with a click, Alt+R and a click, and their role picked in the Relations
panel. Then ``annotate pull`` and ``annotate validate`` must give back exactly the intended
code-point spans: after non-BMP characters (😀, 𝐀𝐁𝐂, 🇸🇦), with diacritics, with Latin words
and digits inside Arabic, at the very start and end of a paragraph.
"""

from __future__ import annotations

import json
import os
import uuid
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from akhbar.schemas import taxonomy
from tests.helpers import REPO, run_akhbar, sample_articles

pytestmark = [pytest.mark.browser, pytest.mark.labelstudio]

# Two paragraphs; the second starts after an emoji and ends the text with a span.
FLOW = (
    "قصفت الطائرات مواقع في حلب يوم 12 مارس 2024 بصواريخ Grad، ما أدى إلى مقتل 15 مدنيًا.\n\n"
    "😀 وقُتِلَ 𝐀𝐁𝐂 جنديان 🇸🇦 في الموصل الساعة 10:30 صباح الخميس"
)
ORDER = "اعتقلت الشرطة ثلاثة أشخاص في حلب مساء الخميس بتهمة التخطيط لهجمات."
SLOPPY = "قُتل 15 مدنيًا في 12 مارس 2024 بصواريخ Grad في أعنف هجوم على درعا منذ 2011."
# one span per label of the taxonomy, in its order, for the colour check
COLOUR_SPANS = [
    "زيد", "وزارة", "العراق", "الصحراء", "المطار", "صاروخ", "شاحنة", "12 مارس 2024",
    "قصف", "مات", "أصيب", "اعتقل", "نقل", "التقى", "تظاهر",
]  # fmt: skip
COLOURS = " ".join(COLOUR_SPANS) + " والناس ينتظرون الأخبار."


def at(text: str, word: str, nth: int = 0) -> tuple[int, int]:
    """[start, end) of the nth occurrence of ``word`` in ``text``, in code points."""
    s = -1
    for _ in range(nth + 1):
        s = text.index(word, s + 1)
    return s, s + len(word)


@pytest.fixture(scope="module")
def project(labelstudio, tmp_path_factory):
    """A project holding the articles of this module; (title, id, {article key: task id})."""
    texts = {"flow": FLOW, "order": ORDER, "sloppy": SLOPPY, "colours": COLOURS}
    rows = sample_articles(len(texts), "art_browser")
    for row, (key, text) in zip(rows, texts.items(), strict=True):
        row["title"] = f"خبر للاختبار: {key}"
        row["text"] = text
    corpus = tmp_path_factory.mktemp("browser_corpus")
    pq.write_table(pa.Table.from_pylist(rows), corpus / "articles.parquet")
    title = f"browser {uuid.uuid4().hex[:8]}"
    code, _, err = run_akhbar(
        "annotate", "push", corpus, "--project", title, *labelstudio.cli_args()
    )
    assert code == 0, err
    with labelstudio.client() as c:
        pid = c.find_project(title)["id"]
        tasks = {t["data"]["article_id"]: t["id"] for t in c.iter_tasks(pid)}
    ids = {key: tasks[row["id"]] for key, row in zip(texts, rows, strict=True)}
    yield {"title": title, "id": pid, "tasks": ids, "corpus": corpus, "rows": rows}
    with labelstudio.client() as c:
        c.delete_project(pid)


def pull_and_validate(labelstudio, project, tmp_path, *extra) -> tuple[int, Path, str]:
    snaps = tmp_path / "snapshots"
    code, out, err = run_akhbar(
        "annotate", "pull", "--project", project["title"], "--out", snaps,
        *labelstudio.cli_args(),
    )  # fmt: skip
    assert code == 0, err
    (snapshot,) = [p for p in snaps.glob("snapshot-*.json") if ".manifest" not in p.name]
    out_dir = tmp_path / "validated"
    code, out, err = run_akhbar(
        "annotate", "validate", snapshot, "--corpus", project["corpus"], "--out", out_dir, *extra
    )
    return code, out_dir, out


def documents(out_dir: Path) -> dict[str, dict]:
    lines = (out_dir / "documents.jsonl").read_text(encoding="utf-8").splitlines()
    return {d["article_id"]: d for d in map(json.loads, lines)}


def article_id(project, key: str) -> str:
    keys = list(project["tasks"])
    return project["rows"][keys.index(key)]["id"]


def test_annotator_flow_gives_back_exact_code_point_spans(
    labeling_page, project, labelstudio, tmp_path
):
    ui = labeling_page
    ui.open_task(project["id"], project["tasks"]["flow"])
    assert ui.rendered_text() == FLOW  # what is on screen is the task text, code for code

    attack = at(FLOW, "قصفت")  # the very start of a paragraph
    die = at(FLOW, "قُتِلَ")  # after 😀, diacritics, the clitic و left outside
    entities = {
        "GPE": [at(FLOW, "حلب"), at(FLOW, "الموصل")],
        "TIME": [at(FLOW, "12 مارس 2024"), at(FLOW, "الخميس")],  # the end of a paragraph
        "WEA": [at(FLOW, "Grad")],  # a Latin word inside Arabic
        "PER": [at(FLOW, "15 مدنيًا")],  # digits, then a tanwin
        "ORG": [at(FLOW, "𝐀𝐁𝐂")],  # non-BMP letters
    }
    keys = {e.name: e.hotkey for e in taxonomy.load().entities}
    ui.label("q", *attack)
    ui.label("w", *die)
    for label, spans in entities.items():
        for s, e in spans:
            ui.label(keys[label], s, e)
    # a double-click takes the word: جنديان, between 𝐀𝐁𝐂 and 🇸🇦
    soldiers = at(FLOW, "جنديان")
    ui.double_click_label(keys["PER"], soldiers[0] + 2)

    ui.relate(attack, at(FLOW, "حلب"), "Place")
    ui.relate(attack, at(FLOW, "Grad"), "Instrument")
    ui.relate(attack, at(FLOW, "12 مارس 2024"), "Time")
    ui.relate(die, soldiers, "Victim")
    ui.relate(die, at(FLOW, "الموصل"), "Place")
    ui.submit()

    code, out_dir, report = pull_and_validate(labelstudio, project, tmp_path)
    assert code == 0, report
    doc = documents(out_dir)[article_id(project, "flow")]
    got = sorted((x["label"], x["start"], x["end"], x["text"]) for x in doc["entities"])
    want = sorted(
        (label, s, e, FLOW[s:e])
        for label, spans in {**entities, "PER": [*entities["PER"], soldiers]}.items()
        for s, e in spans
    )
    assert got == want
    assert "span_edits" not in doc  # every drag landed exactly
    by_id = {x["id"]: (x["start"], x["end"]) for x in doc["entities"]}
    events = {
        ev["type"]: (
            (ev["trigger"]["start"], ev["trigger"]["end"]),
            sorted((a["role"], by_id[a["entity_id"]]) for a in ev["arguments"]),
        )
        for ev in doc["events"]
    }
    assert events == {
        "Attack": (
            attack,
            sorted(
                [
                    ("Place", at(FLOW, "حلب")),
                    ("Instrument", at(FLOW, "Grad")),
                    ("Time", at(FLOW, "12 مارس 2024")),
                ]
            ),
        ),
        "Die": (die, sorted([("Victim", soldiers), ("Place", at(FLOW, "الموصل"))])),
    }


def test_the_documented_order_makes_regions_and_the_other_order_does_not(labeling_page, project):
    """Finding 1: select-then-key makes nothing in Label Studio 1.23; key-then-select does,
    and the label switches off after each region. The instructions say exactly that."""
    ui = labeling_page
    ui.open_task(project["id"], project["tasks"]["order"])
    police = at(ORDER, "الشرطة")
    aleppo = at(ORDER, "حلب")

    ui.drag(*police)  # select first ...
    ui.page.keyboard.press("2")  # ... then the key
    # the key switched the label on, and nothing else happened
    ui.page.wait_for_selector(".lsf-label_selected")
    assert ui.regions() == 0 and ui.page.locator("span.htx-highlight").count() == 0

    ui.page.keyboard.press("2")  # off again
    ui.page.wait_for_selector(".lsf-label_selected", state="detached")
    ui.clear_selection()
    ui.label("2", *police)  # the key, then the selection: a region
    assert ui.page.locator(".lsf-label_selected").count() == 0  # the label switched off
    ui.drag(*aleppo)  # so a second selection makes nothing
    ui.clear_selection()
    assert ui.regions() == 1
    ui.label("3", *aleppo)  # until the key is pressed again
    assert ui.regions() == 2
    # a double-click takes the whole word, its proclitic too: the instructions say to drag
    charge = at(ORDER, "بتهمة")
    ui.double_click_label("4", charge[0] + 2)
    texts = ui.page.locator("span.htx-highlight").all_inner_texts()
    assert "بتهمة" in texts and "تهمة" not in texts

    ui.page.get_by_role("button", name="Instructions").click()
    steps = ui.page.locator("ol li").first
    steps.wait_for()
    assert "first press the entity's key" in steps.inner_text()
    assert "Selecting first and pressing the key afterwards makes nothing" in steps.inner_text()
    guide = (REPO / "docs" / "guidelines.md").read_text(encoding="utf-8")  # the annotator's guide
    assert "First press the entity's key" in guide


def test_sloppy_drags_are_trimmed_and_a_cut_number_is_reported(
    labeling_page, project, labelstudio, tmp_path
):
    """Finding 2: a drag that takes the spaces around ``12 مارس 2024`` is trimmed in the
    document (and recorded there and in validation.json); one that stops in ``2024`` is a
    warning with its code."""
    ui = labeling_page
    ui.open_task(project["id"], project["tasks"]["sloppy"])
    date = at(SLOPPY, "12 مارس 2024")
    ui.label("8", date[0] - 1, date[1] + 1)  # one space too many on each side
    word = at(SLOPPY, "15 مدن")  # stops inside مدنيًا
    number = at(SLOPPY, "منذ 201")  # stops inside 2011
    ui.label("1", *word)
    ui.label("8", *number)
    ui.submit()

    code, out_dir, report = pull_and_validate(labelstudio, project, tmp_path)
    assert code == 0, report
    doc = documents(out_dir)[article_id(project, "sloppy")]
    spans = sorted((x["label"], x["start"], x["end"], x["text"]) for x in doc["entities"])
    # trimmed; the cut spans are kept as they are, for a person to look at
    assert spans == [
        ("PER", *word, "15 مدن"),
        ("TIME", *date, "12 مارس 2024"),
        ("TIME", *number, "منذ 201"),
    ]
    (edit,) = doc["span_edits"]
    assert edit["exported"]["text"] == " 12 مارس 2024 " and edit["removed"] == ["whitespace"]
    assert (edit["start"], edit["end"]) == date
    summary = json.loads((out_dir / "validation.json").read_text(encoding="utf-8"))
    mine = [
        json.loads(line)
        for line in (out_dir / "issues.jsonl").read_text(encoding="utf-8").splitlines()
        if json.loads(line)["article_id"] == article_id(project, "sloppy")
    ]
    assert sorted(i["code"] for i in mine) == ["AK142", "AK146", "AK147"]
    assert summary["span_edges"]["trimmed"]["whitespace"] >= 1
    assert summary["span_edges"]["cut"]["number"] >= 1
    assert summary["span_edges"]["cut"]["word"] >= 1
    assert "AK142 span-edge-whitespace" in report


def _luminance(rgb: tuple[float, float, float]) -> float:
    def lin(c: float) -> float:
        c /= 255
        return c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4

    r, g, b = map(lin, rgb)
    return 0.2126 * r + 0.7152 * g + 0.0722 * b


def contrast(a: tuple[float, float, float], b: tuple[float, float, float]) -> float:
    """WCAG contrast ratio of two colours."""
    la, lb = sorted((_luminance(a), _luminance(b)), reverse=True)
    return (la + 0.05) / (lb + 0.05)


def _rgba(css: str) -> tuple[float, float, float, float]:
    inside = css[css.index("(") + 1 : css.index(")")]
    parts = [float(x) for x in inside.replace("/", ",").replace(" ", ",").split(",") if x]
    return (*parts[:3], parts[3] if len(parts) > 3 else 1.0)


def _over(fg: tuple[float, float, float, float], bg: tuple[float, ...]) -> tuple[float, ...]:
    a = fg[3]
    return tuple(a * f + (1 - a) * b for f, b in zip(fg[:3], bg[:3], strict=True))


MIN_HIGHLIGHT_CONTRAST = 1.3  # highlight against the page: below this it is hard to see
MIN_TEXT_CONTRAST = 4.5  # the text on a highlight stays readable (WCAG AA)


def test_every_highlight_is_visible_the_title_and_tables_read_right_to_left(labeling_page, project):
    """Finding 6 and 4: each label's highlight, as Chromium paints it, stands out from the
    page and keeps the text readable; the title is right-aligned; the Regions panel orders
    mixed Arabic and digits right to left; the instructions' Arabic cells are right to left."""
    ui = labeling_page
    ui.open_task(project["id"], project["tasks"]["colours"])
    tax = taxonomy.load()
    labels = [*tax.entities, *tax.events]
    assert len(labels) == len(COLOUR_SPANS)
    for lab, word in zip(labels, COLOUR_SPANS, strict=True):
        ui.label(lab.hotkey, *at(COLOURS, word))
    page_bg = _rgba(ui.page.evaluate("getComputedStyle(document.body).backgroundColor"))[:3]
    painted = ui.page.evaluate(
        """() => Array.from(document.querySelectorAll('span.htx-highlight')).map(e => [
            e.textContent, getComputedStyle(e).backgroundColor, getComputedStyle(e).color])"""
    )
    seen = {}
    for word, bg, fg in painted:
        colour = _over(_rgba(bg), page_bg)
        seen[word] = (contrast(colour, page_bg), contrast(colour, _rgba(fg)[:3]))
    assert set(seen) == set(COLOUR_SPANS)
    faint = {w: round(c, 2) for w, (c, _) in seen.items() if c < MIN_HIGHLIGHT_CONTRAST}
    unreadable = {w: round(t, 2) for w, (_, t) in seen.items() if t < MIN_TEXT_CONTRAST}
    assert not faint and not unreadable, (faint, unreadable)

    # the title: right to left, against the right edge of the text column
    title = ui.page.get_by_text("خبر للاختبار: colours", exact=True)
    style = title.evaluate("e => [getComputedStyle(e).direction, getComputedStyle(e).textAlign]")
    assert style == ["rtl", "right"]
    t_box = title.evaluate(
        "e => { const r = document.createRange(); r.selectNodeContents(e); "
        "const b = r.getBoundingClientRect(); return [b.left, b.right]; }"
    )
    text_right = ui.root.bounding_box()["x"] + ui.root.bounding_box()["width"]
    assert abs(t_box[1] - text_right) < 40 and t_box[0] > text_right - 400

    # the Regions panel, and the Info panel of the selected region, lay "12 مارس 2024" out
    # right to left: 12 to the right of 2024
    ui.open_regions_tab()
    ui.page.mouse.click(*ui.center(*at(COLOURS, "مارس")))
    for panel in (".lsf-outliner-item__text", ".lsf-region-meta__content_type_text"):
        item = ui.page.locator(panel, has_text="مارس").first
        x12, x2024 = item.evaluate(
            """e => [[0, 2], [8, 12]].map(([s, t]) => { const r = document.createRange();
                r.setStart(e.firstChild, s); r.setEnd(e.firstChild, t);
                return r.getBoundingClientRect().left; })"""
        )
        assert x12 > x2024, panel

    ui.page.get_by_role("button", name="Instructions").click()
    cell = ui.page.locator("td[dir='rtl']", has_text="[قصفت]").first
    cell.wait_for()
    assert cell.evaluate("e => getComputedStyle(e).direction") == "rtl"


SCREENSHOT_ARTICLE = "art_9225af04402fac285ae5"  # the sample's first article: Die, Injure, Attack


def test_screenshot_of_a_sample_task(labeling_page, labelstudio, tmp_path):
    """The README's picture: a task of the bundled sample, pushed with its own annotations,
    as an annotator sees it. ``make screenshots`` writes it to docs/ (AKHBAR_SCREENSHOTS)."""
    from akhbar.cli.demo import SAMPLE_ANNOTATIONS, SAMPLE_RAW

    corpus = tmp_path / "corpus"
    code, _, err = run_akhbar("corpus", "build", SAMPLE_RAW, "--out", corpus)
    assert code == 0, err
    title = f"sample {uuid.uuid4().hex[:8]}"
    code, _, err = run_akhbar(
        "annotate", "push", corpus, "--project", title, "--annotations", SAMPLE_ANNOTATIONS,
        *labelstudio.cli_args(),
    )  # fmt: skip
    assert code == 0, err
    doc = next(
        d
        for d in map(json.loads, SAMPLE_ANNOTATIONS.read_text(encoding="utf-8").splitlines())
        if d["article_id"] == SCREENSHOT_ARTICLE
    )
    with labelstudio.client() as c:
        pid = c.find_project(title)["id"]
        (task,) = [t for t in c.iter_tasks(pid) if t["data"]["article_id"] == SCREENSHOT_ARTICLE]
    try:
        ui = labeling_page
        ui.open_task(pid, task["id"])
        regions = len(doc["entities"]) + len(doc["events"])
        ui.wait_regions(regions)
        arrows = sum(len(ev["arguments"]) for ev in doc["events"])
        ui.page.wait_for_function(
            "n => document.querySelectorAll('svg.relations-overlay path').length >= n",
            arg=arrows,
        )
        out = Path(os.environ.get("AKHBAR_SCREENSHOTS") or tmp_path) / "annotator.png"
        out.parent.mkdir(parents=True, exist_ok=True)
        ui.page.screenshot(path=str(out))
        assert out.stat().st_size > 10_000
    finally:
        with labelstudio.client() as c:
            c.delete_project(pid)
