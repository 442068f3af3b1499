"""Boilerplate rules for the chrome of news web pages that an extractor lets through.

trafilatura keeps what sits in the article's column, and many Arabic news sites put their menu
line, breadcrumbs, date line, byline, comment policy and copyright notice right there. Each rule
below drops one kind of such paragraph, matched in full (never a sentence inside prose):

- ``strip_menu_bar_v1``: four or more short items separated by ``|``
  (``الصفحة الرئيسية | فيديو | الشرق الأوسط | ...``), or two or more separated by ``•`` (a
  bullet never separates words of prose);
- ``strip_breadcrumb_v1``: a trail that starts at the home page
  (``الرئيسية › العالم العربي › المشرق العربي``, ``أنت هنا: الرئيسية » محليات``);
- ``strip_date_line_v1``: a paragraph made only of dates, times, weekdays, Hijri dates, "published
  on"/"updated" and an issue number; its Gregorian date becomes the article's ``published`` when
  the page's metadata gave none;
- ``strip_byline_v1`` (first paragraph): ``كتب محمد ...``, ``بقلم: ...``, ``بواسطة: ...`` or a
  dateline city and a name (``بغداد: فاضل الربيعي``);
- ``strip_comment_notice_v1``: comment forms and policies (``التعليقات لا تعبر عن رأي ...``);
- ``strip_copyright_v1`` (last paragraph): ``© ...``, ``جميع الحقوق محفوظة``;
- ``strip_counter_line_v1``: a counter of views, reads or comments (``عدد المشاهدات: 2417``),
  alone or after a date line (``تاريخ النشر: 2023/01/19 - عدد القراءات: 1532``);
- ``strip_credit_line_v1`` (last paragraph): a wire story's credits in parentheses
  (``(تغطية صحفية ... - تحرير ...)``).
"""

from __future__ import annotations

import re
from datetime import date

from akhbar.corpus.cleaning.boilerplate import paragraph_rule
from akhbar.corpus.cleaning.registry import RuleContext

_WORD = r"[^\W\d_]+"
_ITEM = rf"{_WORD}(?: {_WORD}){{0,3}}"  # a menu item: one to four words, no digits

# --- menus and breadcrumbs ----------------------------------------------------------------------

_MENU_BAR = re.compile(rf"{_ITEM}(?: ?\| ?{_ITEM}){{3,}}|{_ITEM}(?: ?• ?{_ITEM})+")
_HOME = r"(?:أنت هنا ?: ?)?(?:الرئيسية|الصفحة الرئيسية|الرئيسيه|home)"
_BREADCRUMB = re.compile(rf"{_HOME}(?: ?[›»>/|] ?{_ITEM})+", re.I)


@paragraph_rule("strip_menu_bar_v1", where="any", max_len=300)
def strip_menu_bar(p: str, ctx: RuleContext) -> str:
    """Drop a site menu written as a line of items: ``الرئيسية | سياسة | رياضة | فن``."""
    return "" if ("|" in p or "•" in p) and _MENU_BAR.fullmatch(p) else p


@paragraph_rule("strip_breadcrumb_v1", where="any", max_len=200)
def strip_breadcrumb(p: str, ctx: RuleContext) -> str:
    """Drop a breadcrumb trail from the home page: ``الرئيسية › العالم العربي › العراق``."""
    return "" if _BREADCRUMB.fullmatch(p) else p


# --- date lines ---------------------------------------------------------------------------------

_MONTHS = {
    **dict.fromkeys(("يناير", "كانون الثاني", "جانفي"), 1),
    **dict.fromkeys(("فبراير", "شباط", "فيفري"), 2),
    **dict.fromkeys(("مارس", "آذار", "اذار"), 3),
    **dict.fromkeys(("أبريل", "ابريل", "إبريل", "نيسان", "أفريل"), 4),
    **dict.fromkeys(("مايو", "أيار", "ايار", "ماي"), 5),
    **dict.fromkeys(("يونيو", "يونيه", "حزيران", "جوان"), 6),
    **dict.fromkeys(("يوليو", "يوليه", "تموز", "جويلية"), 7),
    **dict.fromkeys(("أغسطس", "اغسطس", "آب", "اب", "أوت"), 8),
    **dict.fromkeys(("سبتمبر", "أيلول", "ايلول"), 9),
    **dict.fromkeys(("أكتوبر", "اكتوبر", "تشرين الأول", "تشرين الاول"), 10),
    **dict.fromkeys(("نوفمبر", "تشرين الثاني"), 11),
    **dict.fromkeys(("ديسمبر", "كانون الأول", "كانون الاول"), 12),
}
# Words a date line may hold besides numbers and month names.
_DATE_WORDS = frozenset(
    str.split(
        """الأحد الاحد الاثنين الإثنين الثلاثاء الأربعاء الاربعاء الخميس الجمعة السبت
    محرم صفر ربيع الأول الاول الآخر الثاني جمادى الأولى الاولى الآخرة رجب شعبان رمضان شوال ذو ذي
    القعدة الحجة ه هـ م مـ ص
    نشر نشرت في بتاريخ تاريخ النشر آخر اخر تحديث محدث التحديث تم منذ يوم
    الساعة صباحا مساء صباحاً مساءً بتوقيت مكة المكرمة غرينتش جرينتش القدس القاهرة بيروت
    الرياض أبوظبي ابوظبي الدوحة gmt utc am pm رقم العدد"""
    )
)
_MONTH_RE = "|".join(sorted(map(re.escape, _MONTHS), key=len, reverse=True))
_DAY_MONTH_YEAR = re.compile(rf"(\d{{1,2}}) ?(?:{_MONTH_RE}) ?(\d{{4}})")
_NUMERIC_DATE = re.compile(r"(?<!\d)(\d{1,2})[/.-](\d{1,2})[/.-](\d{4})(?!\d)")
_ISO_DATE = re.compile(r"(?<!\d)(\d{4})[/.-](\d{1,2})[/.-](\d{1,2})(?!\d)")
_TOKENS = re.compile(r"\d+|[^\W\d_]+")


def _gregorian(p: str) -> str | None:
    """The first Gregorian date written in ``p``, as ISO 8601, or None."""
    found = []
    for m in _DAY_MONTH_YEAR.finditer(p):
        month = _MONTHS[re.sub(r"^\d+ ?| ?\d+$", "", m.group(0))]
        found.append((m.start(), int(m.group(2)), month, int(m.group(1))))
    found += [(m.start(), int(m[3]), int(m[2]), int(m[1])) for m in _NUMERIC_DATE.finditer(p)]
    found += [(m.start(), int(m[1]), int(m[2]), int(m[3])) for m in _ISO_DATE.finditer(p)]
    for _, y, mo, d in sorted(found):
        if not 1900 <= y <= 2100:  # a Hijri year (1436) is not a Gregorian date
            continue
        try:
            return date(y, mo, d).isoformat()
        except ValueError:
            continue
    return None


def _is_date_line(p: str) -> bool:
    """Only dates, times and date words, with a Gregorian date among them (a paragraph of
    Hijri dates alone is a list in the article, not the page's date line)."""
    if len(p) > 160 or not any(c.isdigit() for c in p) or _gregorian(p) is None:
        return False
    rest = _DAY_MONTH_YEAR.sub(" ", p)
    for name in _MONTHS:  # two-word names ("كانون الثاني") before their words are checked
        rest = rest.replace(name, " ")
    return all(t.isdigit() or t.lower() in _DATE_WORDS for t in _TOKENS.findall(rest))


# --- counters -----------------------------------------------------------------------------------

_COUNT_WORD = (
    r"(?:عدد|المشاهدات|مشاهدات|مشاهدة|القراءات|قراءات|قراءة|الزيارات|زيارات|التعليقات|تعليقات"
    r"|views|reads|hits|comments)"
)
# "label: number": a label of one to three words, one of them a count word.
_COUNTER = rf"(?:{_WORD} ){{0,2}}{_COUNT_WORD}(?: {_WORD})? ?[:：] ?\d[\d,.]*"
_COUNTER_LINE = re.compile(_COUNTER, re.I)
_TRAILING_COUNTER = re.compile(rf" ?[-–|] ?{_COUNTER}$", re.I)


@paragraph_rule("strip_counter_line_v1", where="any", max_len=60)
def strip_counter_line(p: str, ctx: RuleContext) -> str:
    """Drop a counter of views, reads or comments: ``عدد المشاهدات: 2417``."""
    return "" if _COUNTER_LINE.fullmatch(p) else p


@paragraph_rule("strip_date_line_v1", where="any", max_len=160)
def strip_date_line(p: str, ctx: RuleContext) -> str:
    """Drop a date line (``الخميس - 15 يونيو 2023 مـ``, ``نشر في 26/7/2023 | آخر تحديث ...``,
    with a counter after it); its date becomes the article's ``published`` date if none was
    known."""
    segments = [s for s in re.split(r" ?\| ?", _TRAILING_COUNTER.sub("", p)) if s]
    kinds = [_is_date_line(s) or _is_byline(s) for s in segments]
    if not segments or not all(kinds) or not any(_is_date_line(s) for s in segments):
        return p
    if ctx.published is None:
        ctx.published = _gregorian(p)
    return ""


# --- bylines ------------------------------------------------------------------------------------

_BYLINE_WORD = r"(?:كتب|كتبت|بقلم|بواسطة|إعداد|اعداد|تحرير|متابعة|ترجمة|حوار|تقرير|by)"
_BYLINE = re.compile(rf"{_BYLINE_WORD} ?[:：\-–]? ?{_WORD}(?: {_WORD}){{0,4}}", re.I)
# Cities a dateline names before the writer ("بغداد: فاضل الربيعي").
_CITIES = (
    "القاهرة|الرياض|جدة|مكة المكرمة|المدينة المنورة|الدمام|بغداد|البصرة|الموصل|أربيل|دمشق|حلب"
    "|بيروت|عمان|عمّان|القدس|رام الله|غزة|الدوحة|أبوظبي|دبي|الشارقة|المنامة|الكويت|مسقط|صنعاء|عدن"
    "|الخرطوم|طرابلس|بنغازي|تونس|الجزائر|الرباط|الدار البيضاء|نواكشوط|الإسكندرية|أنقرة|إسطنبول"
    "|طهران|واشنطن|نيويورك|لندن|باريس|موسكو|بروكسل|جنيف|برلين|بكين|نيودلهي"
)
_DATELINE = re.compile(rf"(?:{_CITIES}) ?[:：\-–] ?{_WORD}(?: {_WORD}){{1,3}}")


def _is_byline(p: str) -> bool:
    return len(p) <= 80 and bool(_BYLINE.fullmatch(p) or _DATELINE.fullmatch(p))


@paragraph_rule("strip_byline_v1", where="first", max_len=80)
def strip_byline(p: str, ctx: RuleContext) -> str:
    """Drop a byline at the top: ``كتب محمد عبد الرازق``, ``بقلم: ريتا الخوري``,
    ``بغداد: فاضل الربيعي``."""
    return "" if _is_byline(p) else p


# --- comment notices and copyright ----------------------------------------------------------------

_COMMENT_NOTICE = re.compile(
    r"(?:التعليقات|تعليق|تعليقات)[^.]{0,80}(?:لا تعبر|تعبر عن آراء|تخضع للمراجعة|آداب الحوار)"
    r"|(?:أضف|اضف|اترك|أترك) (?:تعليق|تعليقك|تعليقا|تعليقاً)"
    r"|لا تعبر (?:بالضرورة )?عن رأي (?:ال)?(?:صحيفة|موقع|جريدة|قناة|شبكة)"
    r"|لن يتم نشر (?:عنوان )?بريدك الإلكتروني",
)


@paragraph_rule("strip_comment_notice_v1", where="any", max_len=250)
def strip_comment_notice(p: str, ctx: RuleContext) -> str:
    """Drop a comment form or policy: ``التعليقات المنشورة لا تعبر عن رأي الصحيفة``."""
    return "" if _COMMENT_NOTICE.search(p) else p


_COPYRIGHT = re.compile(r"©|\(c\)|جميع الحقوق محفوظة|الحقوق محفوظة|all rights reserved", re.I)


@paragraph_rule("strip_copyright_v1", where="last", max_len=200)
def strip_copyright(p: str, ctx: RuleContext) -> str:
    """Drop a trailing copyright notice: ``© جميع الحقوق محفوظة لصحيفة المدار 2023``."""
    return "" if _COPYRIGHT.search(p) else p


_CREDIT_WORD = r"(?:تغطية|إعداد|اعداد|تحرير|ترجمة|مراجعة|شارك في التغطية|reporting|editing)"
_CREDIT_LINE = re.compile(rf"\((?=[^()]*{_CREDIT_WORD})[^()]{{3,200}}\)", re.I)


@paragraph_rule("strip_credit_line_v1", where="last", max_len=220)
def strip_credit_line(p: str, ctx: RuleContext) -> str:
    """Drop a wire story's trailing credits: ``(تغطية صحفية ... - تحرير ...)``."""
    return "" if _CREDIT_LINE.fullmatch(p) else p
