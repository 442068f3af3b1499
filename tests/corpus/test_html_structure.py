"""The structural rules the HTML reader applies before trafilatura (corpus/readers/html_structure):
each one checked on a small page made for it, through the real reader."""

from __future__ import annotations

import re

from akhbar.corpus.cleaning import clean
from akhbar.corpus.config import CorpusConfig
from akhbar.corpus.readers import read_file
from akhbar.corpus.readers.html_structure import headline, prepare

BODY = [
    "أعلنت البلدية بدء أعمال توسعة الطريق الساحلي الذي يربط المدينة بالمطار، على أن تستمر الأعمال "
    "ثمانية أشهر وتشمل إنشاء جسرين للمشاة وممرات للدراجات.",
    "وقال رئيس البلدية إن المشروع سيخفف الازدحام في ساعات الذروة، وإن حركة السير ستحول إلى طرق "
    "بديلة خلال فترة التنفيذ مع لوحات إرشادية واضحة.",
    "وأبدى سكان الأحياء المجاورة ارتياحهم للمشروع، مطالبين بتسريع الأعمال وتقليل الضجيج خلال "
    "ساعات الليل قدر الإمكان.",
]


def _read(tmp_path, html: str):
    path = tmp_path / "page.html"
    path.write_text(html, encoding="utf-8")
    (record,) = read_file(path, "page.html", CorpusConfig())
    return record, clean(record, CorpusConfig())


def _words(text: str) -> set[str]:
    return set(re.findall(r"\w+", text))


def _paras() -> str:
    return "\n".join(f"<p>{p}</p>" for p in BODY)


def test_a_left_to_right_menu_of_an_arabic_page_goes_but_latin_inside_the_text_stays(tmp_path):
    body = _paras().replace("الطريق الساحلي", 'الطريق <span dir="ltr">Corniche Road</span>')
    page = f"""<html lang="ar" dir="rtl"><head><title>توسعة الطريق الساحلي</title></head><body>
<div dir="ltr"><a href="/">Home</a> <a href="/w">World</a> <a href="/b">Business</a> Subscribe now
to our newsletter for the latest headlines every single morning</div>
<div class="main">{body}</div>
<div dir="ltr">Copyright 2023 Coast Daily. All rights reserved. Terms of use and privacy.</div>
</body></html>"""
    _, article = _read(tmp_path, page)
    words = _words(article.text)
    assert {"Corniche", "Road"} <= words
    assert not {"Home", "World", "Subscribe", "Copyright", "privacy"} & words


def test_a_layout_table_is_read_as_blocks_and_a_data_table_as_a_table(tmp_path):
    cell = "<br><br>".join(BODY)
    table = (
        "<table><tr><th>المحافظة</th><th>الطول</th></tr><tr><td>الساحل</td><td>12</td></tr></table>"
    )
    page = f"""<html dir="rtl"><head><title>x :: توسعة الطريق الساحلي</title></head><body>
<table width="100%"><tr><td colspan="2"><b>صحيفة الساحل</b> موقع إخباري مستقل</td></tr>
<tr><td><table><tr><td><a href="/">الرئيسية</a></td></tr><tr><td><a href="/a">أخبار محلية</a></td></tr>
<tr><td><a href="/b">اقتصاد</a></td></tr><tr><td><a href="/c">منوعات</a></td></tr></table></td>
<td><font size="4"><b>توسعة الطريق الساحلي</b></font><br>{cell}<br>{table}</td></tr></table>
</body></html>"""
    root = prepare(page)
    tables = [t.text_content() for t in root.iter("table")]
    assert any("المحافظة" in t for t in tables)  # the data table stays a table
    assert not any("صحيفة الساحل" in t for t in tables)  # the page's frame does not
    record, article = _read(tmp_path, page)
    assert record.title == "توسعة الطريق الساحلي"
    assert article.text.startswith(BODY[0])
    assert not {"الرئيسية", "منوعات", "مستقل"} & _words(article.text)


def test_page_regions_go_and_an_article_header_with_its_headline_stays(tmp_path):
    page = f"""<html lang="ar"><head><title>موقع</title></head><body>
<header><a href="/">الصفحة الأولى للموقع</a> <span>الطقس اليوم مشمس في معظم المناطق الساحلية</span></header>
<div role="navigation"><a href="/a">محليات</a> <a href="/b">دوليات</a></div>
<article><header><h1>توسعة الطريق الساحلي</h1></header>{_paras()}</article>
<aside><p>الأكثر قراءة اليوم في الموقع كله من الأخبار والتقارير المصورة الحصرية</p></aside>
</body></html>"""
    record, article = _read(tmp_path, page)
    assert record.title == "توسعة الطريق الساحلي"
    assert article.text == "\n\n".join(BODY)


def test_the_headline_is_a_heading_or_the_larger_part_of_the_title():
    root = prepare("<html><body><h2>عنوان الخبر هنا</h2><p>نص</p></body></html>")
    assert headline(root, "عنوان الخبر هنا\nنص", "صحيفة - نسخة للطباعة") == "عنوان الخبر هنا"
    assert headline(root, "عنوان آخر\nنص", "موقع :: عنوان آخر") == "عنوان آخر"
    assert headline(root, "نص الخبر الأول\nنص", "صحيفة") is None
