"""Cleaning rules, filters and ``clean()``: every rule fires and is counted, letters are never
changed, the seed comes out exactly as the golden file, and the whole of SaudiNewsNet comes out
free of tatweel, controls, bidi marks and no-break spaces with every empty body rejected."""

from __future__ import annotations

import re
import unicodedata
from collections import Counter

import pytest

from akhbar.corpus.cleaning import (
    BOILERPLATE_RULES,
    CHARACTER_RULES,
    FINISH_RULES,
    characters,
    check_config,
    clean,
    clean_text,
)
from akhbar.corpus.cleaning.filters import script_share
from akhbar.corpus.cleaning.registry import RuleContext, get_rule, known_rules
from akhbar.corpus.cleaning.text import fold_for_dedup
from akhbar.corpus.config import CorpusConfig, FilterConfig, SourceConfig
from akhbar.corpus.readers import read_inputs
from akhbar.corpus.records import Article, Provenance, RawRecord, Rejection, article_id
from akhbar.schemas.errors import UsageError
from tests.helpers import REPO

ROOT = REPO
SHARED = ROOT.parent / "shared" / "data"
SEED = SHARED / "seed"
SNN = SHARED / "saudinewsnet"
GOLDEN_SEED = ROOT / "tests" / "data" / "expected" / "seed_clean.txt"
SAMPLE = ROOT / "corpus" / "sample" / "raw"

needs_seed = pytest.mark.skipif(not SEED.is_dir(), reason=f"shared data absent: {SEED}")
needs_snn = pytest.mark.skipif(not SNN.is_dir(), reason=f"shared data absent: {SNN}")

BODY = (
    "أعلنت وزارة الداخلية اليوم القبض على ثلاثة أشخاص يشتبه في تورطهم بسرقة سيارات من "
    "مواقف المستشفى المركزي في مدينة الميناء، بعد تحريات استمرت أسبوعين."
)
BODY2 = (
    "وقال المتحدث باسم الوزارة إن الموقوفين اعترفوا بسرقة سبع سيارات، وإن التحقيق ما زال "
    "جاريا لمعرفة بقية أفراد الشبكة."
)


def record(text: str, title: str = "", source: str | None = None, **kw) -> RawRecord:
    return RawRecord(
        title=title,
        text=text,
        provenance=Provenance("in.json", "0", "json_v1", "utf-8"),
        source=source,
        **kw,
    )


def run_rule(name: str, text: str, **ctx) -> tuple[str, int, RuleContext]:
    context = RuleContext(**ctx)
    out, n = get_rule(name)(text, context)
    return out, n, context


# --- every rule fires, does what it says, and counts ----------------------------------------

RULE_CASES = [
    # (rule, input, expected output, expected count)
    ("strip_html_v1", "<p>قال <b>الوزير</b> &quot;نعم&quot;</p>", '\nقال الوزير "نعم"\n', 6),
    ("strip_html_v1", "<script>var x = 1;</script>نص<!-- تعليق -->", "نص", 2),
    ("strip_html_v1", "&amp;lt;b&amp;gt;عاجل", "عاجل", 5),  # doubly escaped markup, to the end
    ("strip_html_v1", "3 < 5 و AT&T و &foo;", "3 < 5 و AT&T و &foo;", 0),
    ("normalize_newlines_v1", "سطر\r\nسطر\rسطر\u2028سطر", "سطر\nسطر\nسطر\nسطر", 3),
    ("strip_control_chars_v1", "نص\x00 عربي\x1a\x07\x9f", "نص عربي", 4),
    ("strip_control_chars_v1", "نص\ud800", "نص", 1),
    (
        "strip_bidi_controls_v1",
        "\u200fقال\u200e \u202bالوزير\u202c \u2067نعم\u2069\u061c\u200c\u200d\ufeff\u00ad",
        "قال الوزير نعم",
        11,
    ),
    ("strip_tatweel_v1", "الـمـرور حــادث", "المرور حادث", 4),
    ("strip_ad_markers_v1", "[ad_1]\n\nنص [ad_22] آخر [ad_[ad_3]4]", "\n\nنص  آخر ", 4),
    ("replace_no_break_spaces_v1", "نص\u00a0عربي\u202f1\u2009\t2", "نص عربي 1  2", 4),
    ("normalize_nfc_v1", "ا\u0654مير", "أمير", 1),  # alef + combining hamza -> one code point
    ("normalize_nfc_v1", "أمير", "أمير", 0),
    (
        "collapse_whitespace_v1",
        "  سطر  أول \n سطر ثان\n\n\n\nثالث  ",
        "سطر أول\n\nسطر ثان\n\nثالث",
        8,
    ),
    ("collapse_whitespace_v1", "أول\n\nثان", "أول\n\nثان", 0),
    ("collapse_title_v1", " عنوان\n  الخبر ", "عنوان الخبر", 1),
]


@pytest.mark.parametrize(("name", "text", "expected", "count"), RULE_CASES)
def test_character_rule_fires_and_counts(name, text, expected, count):
    out, n, _ = run_rule(name, text)
    assert out == expected
    assert n == count
    again, n2, _ = run_rule(name, out)
    assert (again, n2) == (out, 0), "a second application changes nothing and counts nothing"


PARAGRAPH_CASES = [
    # (rule, input, expected, count, context)
    ("strip_repeated_title_v1", f"عاجل: انفجار\n\n{BODY}", BODY, 1, {"title": "عاجل: انفجار"}),
    ("strip_repeated_title_v1", f"عاجل انفجار.\n\n{BODY}", BODY, 1, {"title": "عاجل: انفجار"}),
    (
        "strip_repeated_title_v1",
        f"{BODY}\n\nعاجل: انفجار",
        f"{BODY}\n\nعاجل: انفجار",
        0,
        {"title": "عاجل: انفجار"},
    ),
    (
        "strip_read_also_v1",
        f"{BODY}\n\nاقرأ أيضاً: سيول في الوادي\n\n{BODY2}",
        f"{BODY}\n\n{BODY2}",
        1,
        {},
    ),
    (
        "strip_read_also_v1",
        f"{BODY}\n\n- اقرأ ايضا عن الحادث\n\n{BODY2}",
        f"{BODY}\n\n{BODY2}",
        1,
        {},
    ),
    ("strip_read_also_v1", f"اقرأ أيضًا\n\n{BODY}", BODY, 1, {}),
    ("strip_share_follow_v1", f"{BODY}\n\nشارك: فيسبوك | تويتر | واتساب", BODY, 1, {}),
    ("strip_share_follow_v1", f"{BODY}\n\nتابعونا على تويتر وفيسبوك", BODY, 1, {}),
    ("strip_share_follow_v1", f"{BODY}\n\nShare Tweet Email", BODY, 1, {}),
    (
        "strip_menu_bar_v1",
        f"الصفحة الرئيسية | فيديو | الشرق الأوسط | العالم | رياضة\n\n{BODY}",
        BODY,
        1,
        {},
    ),
    ("strip_menu_bar_v1", f"{BODY}\n\nمن نحن • اتصل بنا • للإعلان • الخصوصية", BODY, 1, {}),
    ("strip_breadcrumb_v1", f"الرئيسية › العالم العربي › المشرق العربي\n\n{BODY}", BODY, 1, {}),
    ("strip_breadcrumb_v1", f"أنت هنا: الرئيسية » محليات » الإمارات\n\n{BODY}", BODY, 1, {}),
    (
        "strip_date_line_v1",
        f"الخميس - 26 ذو القعدة 1444 ه - 15 يونيو 2023 م رقم العدد [ 16270 ]\n\n{BODY}",
        BODY,
        1,
        {},
    ),
    (
        "strip_date_line_v1",
        f"نشر في 26/7/2023 | آخر تحديث: 26/7/2023 05:45 م (بتوقيت مكة المكرمة)\n\n{BODY}",
        BODY,
        1,
        {},
    ),
    (
        "strip_date_line_v1",
        f"نشر بتاريخ ١١ مايو ٢٠٢٣ | بواسطة: فريق التحرير\n\n{BODY}",
        BODY,
        1,
        {},
    ),
    ("strip_byline_v1", f"كتب محمد عبد الرازق\n\n{BODY}", BODY, 1, {}),
    ("strip_byline_v1", f"بغداد: فاضل الربيعي\n\n{BODY}", BODY, 1, {}),
    ("strip_byline_v1", f"{BODY}\n\nبقلم: ريتا الخوري", f"{BODY}\n\nبقلم: ريتا الخوري", 0, {}),
    (
        "strip_comment_notice_v1",
        f"{BODY}\n\nالتعليقات المنشورة لا تعبر بالضرورة عن رأي الصحيفة.",
        BODY,
        1,
        {},
    ),
    ("strip_comment_notice_v1", f"{BODY}\n\nاترك تعليقاً", BODY, 1, {}),
    ("strip_copyright_v1", f"{BODY}\n\n© جميع الحقوق محفوظة لصحيفة المدار 2023", BODY, 1, {}),
    (
        "strip_slideshow_navigation_v1",
        f"Next Previous عين اليوم – جدة\n\n{BODY}",
        f"عين اليوم – جدة\n\n{BODY}",
        1,
        {},
    ),
    ("strip_truncation_marker_v1", f"{BODY}\n\n...المزيد", BODY, 1, {}),
    ("strip_truncation_marker_v1", f"{BODY} ....المزيد", BODY, 1, {}),
    ("strip_source_line_v1", f"{BODY}\n\nالمصدر", BODY, 1, {}),
    ("strip_source_line_v1", f"{BODY}\n\nالمصدر: وكالة الأنباء الوطنية", BODY, 1, {}),
    ("strip_source_line_v1", f"{BODY}\n\nالمصدر: https://example.org/a/1", BODY, 1, {}),
    ("strip_permalink_trailer_v1", f"{BODY} رابط الخبر بصحيفة الوئام: سرقة سيارات", BODY, 1, {}),
    (
        "strip_sms_footer_v1",
        f"{BODY}\n\nللتواصل مع الكاتب ارسل رسالة SMS\n\nتبدأ بالرمز (7) ثم مسافة ثم نص الرسالة إلى\n\n88591 - Stc\n\n737221 - Zain",
        BODY,
        4,
        {},
    ),
    (
        "strip_sms_footer_v1",
        f"{BODY}\n\nللتواصل أرسل sms إلى 88548 الاتصالات، 636250 موبايلي، 738303 زين تبدأ بالرمز 153 مسافة ثم الرسالة",
        BODY,
        1,
        {},
    ),
    ("strip_email_footer_v1", f"{BODY}\n\nلمراسلة الكاتب: writer@example.com", BODY, 1, {}),
    ("strip_email_footer_v1", f"{BODY}\n\nتويتر: @writer_1\n\nwww.writer.example", BODY, 2, {}),
    ("strip_phone_footer_v1", f"{BODY}\n\nهاتف: 011 4567 8900 - فاكس: 6923348", BODY, 1, {}),
]


@pytest.mark.parametrize(("name", "text", "expected", "count", "ctx"), PARAGRAPH_CASES)
def test_boilerplate_rule_fires_and_counts(name, text, expected, count, ctx):
    out, n, context = run_rule(name, text, **ctx)
    assert out == expected
    assert n == count
    assert get_rule(name)(out, context) == (out, 0)


def test_truncation_marker_marks_the_context_truncated():
    _, _, ctx = run_rule("strip_truncation_marker_v1", f"{BODY}\n\n...المزيد")
    assert ctx.truncated
    _, _, ctx = run_rule("strip_truncation_marker_v1", f"{BODY}\n\nوسنحصد المزيد")
    assert not ctx.truncated


def test_configured_lines_drop_whole_paragraphs_only():
    ctx = {"drop_lines": re.compile(r"// ?انتهى ?//")}
    out, n, _ = run_rule("drop_configured_lines_v1", f"{BODY}\n\n// انتهى //", **ctx)
    assert (out, n) == (BODY, 1)
    text = f"{BODY} // انتهى // {BODY2}"
    assert run_rule("drop_configured_lines_v1", text, **ctx)[:2] == (text, 0)


@pytest.mark.parametrize(
    "paragraph",
    [
        "وقال المصدر إن الهجوم وقع فجرا وأسفر عن إصابة ثلاثة أشخاص بجروح متوسطة.",
        "المصدر الرئيسي للطاقة في المدينة محطة تعمل بالغاز منذ عشرين عاما وتغذي أكثر من مئة ألف منزل وتخطط الشركة لتوسعتها قريبا.",
        "وأطلقت الشركة خدمة رسائل SMS جديدة للمشتركين في المناطق النائية.",
        "شارك آلاف المغردين على تويتر في حملة لجمع التبرعات لضحايا السيول في القرى الجنوبية.",
        "وتابعوا المباراة على شاشات عملاقة نصبت في الساحات العامة في وسط المدينة.",
        "وفي 15 يونيو 2023 أعلنت الحكومة عن خطة جديدة لدعم المزارعين في المحافظات الشمالية.",
        "الخميس 15 يونيو 2023 موعد انطلاق المؤتمر الدولي للطاقة في العاصمة بمشاركة عشرين دولة.",
        "كتب الرئيس رسالة إلى نظيره يدعوه فيها إلى زيارة البلاد في أقرب وقت ممكن لبحث العلاقات.",
        "11-10-1436ه 15-10-1436ه",  # Hijri dates only: a list in the article, not a date line
        "أقر البرلمان قانون حقوق النشر الجديد بعد نقاش استمر أسابيع بين النواب والناشرين.",
        "وانتقد نواب التعليقات التي أدلى بها الوزير أمس حول الموازنة ووصفوها بأنها غير مسؤولة.",
    ],
)
def test_prose_that_mentions_boilerplate_words_is_kept(paragraph):
    text = f"{BODY}\n\n{paragraph}"
    assert clean_text(text, RuleContext(title="عنوان")) == text


def test_a_removed_date_line_gives_the_published_date():
    ctx = RuleContext()
    clean_text(f"السبت 18 شباط 2023\n\n{BODY}", ctx)
    assert ctx.published == "2023-02-18"
    ctx = RuleContext(published="2023-02-17")  # a date from the page's metadata stays
    clean_text(f"السبت 18 شباط 2023\n\n{BODY}", ctx)
    assert ctx.published == "2023-02-17"


def test_boilerplate_in_the_middle_of_the_article_is_left_alone():
    text = f"{BODY}\n\nالمصدر\n\n{BODY2}"  # only a *trailing* source line is attribution
    assert clean_text(text, RuleContext()) == text


def test_registry_lists_known_rules_for_an_unknown_name():
    with pytest.raises(UsageError) as err:
        get_rule("strip_adverts_v9")
    message = str(err.value)
    assert "strip_adverts_v9" in message and "strip_ad_markers_v1" in message
    assert "\n" not in message


def test_every_rule_in_the_pipeline_is_registered_and_versioned():
    names = set(known_rules())
    for name in (*CHARACTER_RULES, *FINISH_RULES, *BOILERPLATE_RULES):
        assert name in names
        assert re.fullmatch(r"[a-z_]+_v\d+", name)


def test_rare_character_scan_covers_the_rules_it_gates():
    """The one-scan shortcut must never hide a character that one of its rules handles."""
    gated = (
        characters.NEWLINE_VARIANT,
        characters.CONTROL,
        characters.INVISIBLE,
        characters.ODD_SPACE,
    )
    for cp in range(0x10000):
        ch = chr(cp)
        if any(p.match(ch) for p in gated):
            assert characters.RARE_CHARACTERS.match(ch), hex(cp)


# --- clean(): the Article, counts, filters, config -----------------------------------------


def test_clean_returns_an_article_with_id_of_the_cleaned_values():
    raw = record(
        f"عنوان الخبر\n\n[ad_1]\n\n{BODY}\n\n{BODY2.replace('الوزارة', 'الـوزارة')}\n\nالمصدر",
        title=" عنوان\u00a0الخبر ",
        source="alwadi",
        url=" https://alwadi.example/1 ",
        author="الميناء:\u200f فهد",
        metadata={"section": "local"},
    )
    article = clean(raw, CorpusConfig(language="ar"))
    assert isinstance(article, Article)
    assert article.title == "عنوان الخبر"
    assert article.text == f"{BODY}\n\n{BODY2}"
    assert article.url == "https://alwadi.example/1" and article.author == "الميناء: فهد"
    assert article.id == article_id(
        "alwadi", "https://alwadi.example/1", article.title, article.text
    )
    assert article.language == "ar" and not article.truncated
    assert article.metadata == {"section": "local"}
    rules = article.provenance.rules
    assert rules["strip_ad_markers_v1"] == 1
    assert rules["strip_repeated_title_v1"] == 1
    assert rules["strip_source_line_v1"] == 1
    assert rules["strip_tatweel_v1"] == 1
    assert rules["replace_no_break_spaces_v1"] == 1  # in the title: titles count too
    assert rules["strip_bidi_controls_v1"] == 1  # in the author
    assert article.provenance.input_file == "in.json" and raw.provenance.rules == {}


def test_clean_marks_truncated_articles():
    article = clean(record(f"{BODY}\n\n ...المزيد"), CorpusConfig())
    assert isinstance(article, Article)
    assert article.truncated and article.text == BODY


def test_same_input_same_id():
    cfg = CorpusConfig()
    a, b = clean(record(BODY, title="ت"), cfg), clean(record(BODY, title="ت"), cfg)
    assert a.id == b.id
    assert clean(record(BODY + " إضافة", title="ت"), cfg).id != a.id


@pytest.mark.parametrize(
    ("text", "reason"),
    [
        ("", "empty"),
        (" \n\n \u00a0 \u200f ", "empty"),
        ("[ad_1]\n\nالمصدر", "empty"),
        ("محمد بن علي العامري", "too_short"),
        (
            "The city council voted on Tuesday to approve four new bus lanes downtown, officials said.",
            "wrong_script",
        ),
    ],
)
def test_filters_reject_with_a_reason(text, reason):
    result = clean(record(text, title="عنوان"), CorpusConfig())
    assert isinstance(result, Rejection)
    assert result.reason == reason and result.detail
    assert result.title == "عنوان"
    assert result.provenance.record == "0"


def test_filter_thresholds_and_script_are_configurable():
    short = record("خبر قصير من ثلاث كلمات فقط")
    assert clean(short, CorpusConfig()).reason == "too_short"
    lenient = CorpusConfig(filters=FilterConfig(min_chars=5, min_words=3))
    assert isinstance(clean(short, lenient), Article)
    english = record(
        "The city council voted on Tuesday to approve four new bus lanes downtown today."
    )
    assert isinstance(clean(english, CorpusConfig(filters=FilterConfig(script="latin"))), Article)
    assert isinstance(clean(english, CorpusConfig(filters=FilterConfig(script="any"))), Article)


def test_bad_filter_config_is_a_usage_error():
    with pytest.raises(UsageError, match=r"hebrew.*arabic"):
        check_config(CorpusConfig(filters=FilterConfig(script="hebrew")))
    with pytest.raises(UsageError, match="min_script_ratio"):
        check_config(CorpusConfig(filters=FilterConfig(min_script_ratio=2)))


def test_source_patterns_come_from_config():
    text = f"{BODY}\n\n// انتهى //\n\n20:26 ت م"
    config = CorpusConfig(
        sources={
            "*": SourceConfig(drop_line_patterns=[r"// ?انتهى ?//"]),
            "was": SourceConfig(drop_line_patterns=[r"\d{1,2}:\d{2} ت م"]),
        }
    )
    was = clean(record(text, source="was"), config)
    assert was.text == BODY and was.provenance.rules["drop_configured_lines_v1"] == 2
    other = clean(record(text, source="okaz"), config)
    assert other.text == f"{BODY}\n\n20:26 ت م"
    assert clean(record(text, source="was"), CorpusConfig()).text == text  # not configured: kept


def test_a_bad_source_pattern_is_a_usage_error_naming_it():
    config = CorpusConfig(sources={"okaz": SourceConfig(drop_line_patterns=["(unclosed"])})
    with pytest.raises(UsageError, match=r"sources\.okaz\.drop_line_patterns.*\(unclosed"):
        check_config(config)


def test_shipped_saudinewsnet_config_loads_and_compiles():
    from akhbar.corpus.config import load_config

    config = load_config(ROOT / "corpus" / "configs" / "saudinewsnet.yaml")
    check_config(config)
    assert "was" in config.sources and "*" in config.sources


# --- letters are never changed --------------------------------------------------------------


def test_cleaning_never_folds_letters_or_drops_diacritics():
    words = "أحمد إبراهيم آمنة ٱلله مستشفى مدرسة عليّ القُوّات الإسلاميّة مُؤْتَمَر شؤون سئل"
    text = f"{words} " * 3
    article = clean(record(text.strip()), CorpusConfig())
    assert isinstance(article, Article)
    assert article.text == text.strip()


def test_nfc_keeps_letter_identity():
    # decomposed alef + hamza becomes the single code point أ: the same letter, canonically
    out, _, _ = run_rule("normalize_nfc_v1", "ا\u0654حمد")
    assert out == "أحمد"
    assert unicodedata.normalize("NFD", out) == unicodedata.normalize("NFD", "ا\u0654حمد")


# --- fold_for_dedup --------------------------------------------------------------------------


def test_fold_for_dedup_folds_variants_for_keys_only():
    assert fold_for_dedup("قالَ الوزيرُ: «إنّ المدرسـة الكبرى جاهزة»") == (
        "قال الوزير ان المدرسه الكبري جاهزه"
    )
    assert fold_for_dedup("أحمد") == fold_for_dedup("احمد") == fold_for_dedup("إحمد") == "احمد"
    assert fold_for_dedup("  Hello,\u00a0WORLD!\n\n١٢٣ ") == "hello world 123"
    assert fold_for_dedup("ﻻ إله") == "لا اله"  # presentation forms through NFKC
    assert fold_for_dedup("\u200fنص\u200e") == "نص"
    assert fold_for_dedup("") == ""
    assert fold_for_dedup("😀 x") == "😀 x"  # outside the BMP passes through


def test_script_share():
    assert script_share("عربي", "arabic") == (1.0, 4)
    assert script_share("abc عربي", "arabic")[0] == pytest.approx(4 / 7)
    assert script_share("123 ...", "arabic") == (0.0, 0)


# --- the bundled sample ----------------------------------------------------------------------


def test_sample_outcomes_match_its_readme():
    config = CorpusConfig()
    outcomes: Counter[str] = Counter()
    truncated = []
    for item in read_inputs([SAMPLE], config):
        result = clean(item, config) if isinstance(item, RawRecord) else item
        outcomes["kept" if isinstance(result, Article) else result.reason] += 1
        if isinstance(result, Article) and result.truncated:
            truncated.append(result.provenance.record)
    # 26 cleaned articles = 22 kept + 4 duplicates once de-duplicated
    assert outcomes == {
        "kept": 26,
        "empty": 2,
        "empty_input": 1,
        "too_short": 1,
        "missing_text": 1,
        "unparsable": 1,
        "wrong_script": 1,
    }
    assert truncated == ["1"]


# --- real data ---------------------------------------------------------------------------------


@needs_seed
def test_seed_golden():
    items = list(read_inputs([SEED], CorpusConfig()))
    assert len(items) == 1
    article = clean(items[0], CorpusConfig())
    assert isinstance(article, Article)
    expected = GOLDEN_SEED.read_text(encoding="utf-8")
    assert article.text == expected
    assert article.title == "هجوم صاروخي من العراق يستهدف قاعدة أمريكية في سوريا"
    assert "[ad_" not in article.text
    assert not article.text.startswith(article.title)
    assert not article.text.rstrip().endswith("المصدر")
    # every paragraph of the scraped body is there, verbatim and in order
    raw = (SEED / "000_a17d9a4bde7cdfa5.txt").read_text(encoding="utf-8").split("\n\n")
    body = [p.strip() for p in raw[2:] if p.strip() and not p.startswith("[ad_")][:-1]
    assert article.text.split("\n\n") == body
    assert article.provenance.rules == {
        "collapse_whitespace_v1": 5,
        "strip_ad_markers_v1": 2,
        "strip_repeated_title_v1": 1,
        "strip_source_line_v1": 1,
    }


_FORBIDDEN = re.compile("[\u0640\x00\u00a0\u200b-\u200f\u202a-\u202e\u2066-\u2069\u061c\ufeff]")


@needs_snn
@pytest.mark.shared_data
@pytest.mark.slow
def test_saudinewsnet_cleans_to_plain_text_and_rejects_every_empty_body():
    config = CorpusConfig()
    empty_bodies = 0
    outcomes: Counter[str] = Counter()
    for item in read_inputs([SNN], config):
        assert isinstance(item, RawRecord), getattr(item, "detail", item)
        result = clean(item, config)
        if not item.text.strip():
            empty_bodies += 1
            assert isinstance(result, Rejection) and result.reason == "empty"
        if isinstance(result, Rejection):
            outcomes[result.reason] += 1
            continue
        outcomes["kept"] += 1
        for field in (result.text, result.title):
            bad = _FORBIDDEN.search(field)
            assert bad is None, (result.provenance.record, hex(ord(bad.group())))
        assert "\n\n\n" not in result.text and "  " not in result.text
        assert unicodedata.is_normalized("NFC", result.text)
        assert "737221 - Zain" not in result.text and "88548" not in result.text[-300:]
        assert not result.text.endswith("المزيد")
    assert empty_bodies == 354
    assert sum(outcomes.values()) == 31030
    assert outcomes["empty"] >= 354
    # the defaults keep ordinary short news: fewer than 1% of bodies are too short
    assert outcomes["too_short"] < 310


def test_markup_uncovered_by_removals_is_cleaned_to_a_fixed_point():
    # each tatweel removal uncovers a tag inside the previous one: ten rounds, one clean() call
    text = "<" * 10 + "ـb>" * 10 + BODY
    ctx = RuleContext()
    out = clean_text(text, ctx)
    assert out == BODY
    assert ctx.counts == {"strip_html_v1": 10, "strip_tatweel_v1": 10}
    assert clean_text(out, RuleContext()) == out


def test_every_registered_rule_has_a_case_above():
    tested = {case[0] for case in RULE_CASES} | {case[0] for case in PARAGRAPH_CASES}
    tested.add("drop_configured_lines_v1")  # needs a compiled pattern: its own test
    assert tested == set(known_rules())
