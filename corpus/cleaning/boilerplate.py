"""Boilerplate rules: paragraphs that belong to the page, not to the article.

They run on text the character rules have made canonical (paragraphs separated by one blank
line, single spaces). Each rule looks at one paragraph and returns it unchanged, shortened,
or empty (dropped), and says where it looks: at the first paragraph (a repeated title), at
any paragraph ("read also", share/follow chrome, a source's configured lines), or at the
last one (source lines, contact footers, truncation markers), so that a sentence of the
article that merely mentions "المصدر" or "sms" in the middle of the text is never touched.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass

from akhbar.corpus.cleaning.registry import RuleContext, rule
from akhbar.corpus.cleaning.text import fold_for_dedup

PARAGRAPH_BREAK = "\n\n"


@dataclass(frozen=True, slots=True)
class ParagraphRule:
    """A paragraph-level rule: ``fn(paragraph, ctx)`` returns the new paragraph ("" drops)."""

    name: str
    fn: Callable[[str, RuleContext], str]
    where: str  # "first", "any" or "last"
    max_len: int  # longer paragraphs are never boilerplate of this kind
    hint: Callable[[str, RuleContext], bool] | None = None  # cheap whole-text test


PARAGRAPH_RULES: dict[str, ParagraphRule] = {}


def paragraph_rule(
    name: str,
    where: str,
    max_len: int = 1 << 30,
    hint: Callable[[str, RuleContext], bool] | None = None,
) -> Callable[[Callable[[str, RuleContext], str]], Callable[[str, RuleContext], str]]:
    """Register a paragraph rule, and the same rule over whole texts in the rule registry."""

    def register(fn: Callable[[str, RuleContext], str]) -> Callable[[str, RuleContext], str]:
        prule = ParagraphRule(name, fn, where, max_len, hint)
        PARAGRAPH_RULES[name] = prule
        rule(name)(lambda text, ctx: apply_to_text(prule, text, ctx))
        return fn

    return register


def apply_to_text(prule: ParagraphRule, text: str, ctx: RuleContext) -> tuple[str, int]:
    """Run one paragraph rule over a canonical text; return the text and the paragraphs changed."""
    if not text or (prule.hint is not None and not prule.hint(text, ctx)):
        return text, 0
    paragraphs = text.split(PARAGRAPH_BREAK)
    n = apply_to_paragraphs(prule, paragraphs, ctx)
    return (PARAGRAPH_BREAK.join(paragraphs), n) if n else (text, 0)


def apply_to_paragraphs(prule: ParagraphRule, paragraphs: list[str], ctx: RuleContext) -> int:
    """Run one paragraph rule over ``paragraphs`` in place; return how many it changed."""
    fn, max_len, n = prule.fn, prule.max_len, 0
    if prule.where == "any":
        for i, p in enumerate(paragraphs):
            if len(p) <= max_len:
                new = fn(p, ctx)
                if new != p:
                    paragraphs[i] = new
                    n += 1
        if n:
            paragraphs[:] = [p for p in paragraphs if p]
        return n
    # "first" and "last" repeat while the paragraph at that end keeps matching
    end = 0 if prule.where == "first" else -1
    while paragraphs and len(paragraphs[end]) <= max_len:
        p = paragraphs[end]
        new = fn(p, ctx)
        if new == p:
            break
        n += 1
        if new:
            paragraphs[end] = new
        else:
            del paragraphs[end]
    return n


# --- the title repeated at the top of the body ----------------------------------------------


@paragraph_rule("strip_repeated_title_v1", where="first")
def strip_repeated_title(p: str, ctx: RuleContext) -> str:
    """Drop a first paragraph that repeats the title (scrapers often print it twice).

    Compared exactly, then under the de-duplication folding (so a repeat that differs only
    in hamza, diacritics or punctuation counts) when the lengths are close enough to matter.
    """
    title = ctx.title
    if not title:
        return p
    if p == title:
        return ""
    if abs(len(p) - len(title)) <= max(8, len(title) // 4) and fold_for_dedup(p) == fold_for_dedup(
        title
    ):
        return ""
    return p


# --- "read also" ----------------------------------------------------------------------------

_READ_ALSO = re.compile(
    r"[\W_]*(?:(?:[اإأ]?قر[أا]|شاهد|طالع)\s+(?:أيضا|ايضا|أيضًا|ايضًا|أيضاً|ايضاً|كذلك)"
    r"|[اإأ]?قر[أا]\s+(?:المزيد|التفاصيل)|read also|see also|read more)(?:[\s\W_].*)?",
    re.I,
)


@paragraph_rule("strip_read_also_v1", where="any", max_len=400)
def strip_read_also(p: str, ctx: RuleContext) -> str:
    """Drop "read also" link lines: «اقرأ أيضا: …», «اقرأ أيضاً», «شاهد أيضا», "Read also"."""
    return "" if _READ_ALSO.fullmatch(p) else p  # anchored: fails at once on prose


# --- share / follow chrome ------------------------------------------------------------------

_NETWORKS = (
    r"فيسبوك|فيس بوك|الفيسبوك|الفيس بوك|تويتر|واتساب|واتس اب|واتس آب|الواتساب|تيليجرام|تلغرام|تليجرام"
    r"|انستغرام|إنستغرام|انستقرام|انستجرام|يوتيوب|سناب شات|لينكد إن|جوجل بلس|facebook|twitter|x\.com"
    r"|whatsapp|telegram|instagram|youtube|snapchat|linkedin|pinterest|google\+|tiktok|تيك توك"
)
_CHROME_WORD = (
    r"شارك|شاركها|شارك الخبر|شارك المقال|مشاركة|المشاركة|انشر|طباعة|اطبع|أرسل لصديق|ارسل لصديق"
    r"|نسخ الرابط|البريد الإلكتروني|البريد الالكتروني|تغريد|غرد|share|tweet|print|e-?mail"
    r"|copy link|next|previous|السابق|التالي"
)
# A paragraph made of nothing but sharing buttons and network names.
_CHROME_ONLY = re.compile(rf"(?:[\W\d_]*(?:{_NETWORKS}|{_CHROME_WORD})(?![^\W\d_]))+[\W\d_]*", re.I)
# "Follow us on …", "share on …": a call to action that names a network, an account or an app.
_FOLLOW = re.compile(
    r"[\W_]*(?:تابعونا|تابعنا على|تابعنا عبر|شاركونا|اشترك|اشتركوا|حمل تطبيق|حمّل تطبيق"
    r"|لمتابعة آخر|للمزيد تابعونا|follow us|share this|share on)\b.*",
    re.I,
)
_FOLLOW_TARGET = re.compile(rf"{_NETWORKS}|حساب|صفحت|قنات|تطبيق|account|page|channel", re.I)
_NAVIGATION = re.compile(r"\s*\b(?:Next Previous|Previous Next)\b\s*")


@paragraph_rule("strip_share_follow_v1", where="any", max_len=160)
def strip_share_follow(p: str, ctx: RuleContext) -> str:
    """Drop sharing buttons and "follow us on Twitter" calls to action."""
    if _CHROME_ONLY.fullmatch(p):
        return ""
    if _FOLLOW.fullmatch(p) and _FOLLOW_TARGET.search(p):
        return ""
    return p


@paragraph_rule(
    "strip_slideshow_navigation_v1",
    where="any",
    hint=lambda text, ctx: "Next Previous" in text or "Previous Next" in text,
)
def strip_slideshow_navigation(p: str, ctx: RuleContext) -> str:
    """Remove the "Next Previous" buttons of a photo slideshow, wherever the page put them."""
    if "Next Previous" in p or "Previous Next" in p:
        return " ".join(_NAVIGATION.sub(" ", p).split())
    return p


# --- configured per-source lines ------------------------------------------------------------


@paragraph_rule(
    "drop_configured_lines_v1", where="any", hint=lambda text, ctx: ctx.drop_lines is not None
)
def drop_configured_lines(p: str, ctx: RuleContext) -> str:
    """Drop paragraphs matched in full by the source's ``drop_line_patterns`` (config)."""
    assert ctx.drop_lines is not None
    return "" if ctx.drop_lines.fullmatch(p) else p


# --- the end of the article: truncation, source, contact footers -----------------------------

_TRUNCATION = re.compile(r"\s*(?:\.{2,}|…)\s*(?:[اإأ]?قر[أا]\s+)?المزيد\s*(?:\.{2,}|…|»)?$")


@paragraph_rule("strip_truncation_marker_v1", where="last")
def strip_truncation_marker(p: str, ctx: RuleContext) -> str:
    """Remove a trailing "...المزيد" ("more") link and mark the article truncated."""
    if not p.endswith(("المزيد", ".", "…", "»")) or "المزيد" not in p[-24:]:
        return p
    new = _TRUNCATION.sub("", p)
    if new != p:
        ctx.truncated = True
    return new.rstrip()


_SOURCE_LINE = re.compile(
    r"[\W_]*(?:المصدر|المصادر|مصدر الخبر|source)"
    r"(?:\s*[:：|\-–—]\s*\S.*|\s+(?:https?://|www\.)\S+|(?:\s+[^\s:：]+){0,4})[\s.]*",
    re.I,
)


@paragraph_rule("strip_source_line_v1", where="last", max_len=160)
def strip_source_line(p: str, ctx: RuleContext) -> str:
    """Drop a trailing attribution line: «المصدر», «المصدر: رويترز», «المصدر: https://…»."""
    return "" if _SOURCE_LINE.fullmatch(p) else p


_SMS = re.compile(
    r"للتواصل(?: مع \S+)? [أا]رسل(?: رسالة)?(?: نصية)?(?: قصيرة)? sms\b"
    r"|تبدأ بالرمز|بالرمز \(?\d+\)? (?:ثم )?مسافة|مسافة ثم (?:نص )?الرسالة",
    re.I,
)
# The operator short-code lines of a footer: "88591 - Stc", "الاتصالات ,636250 موبايلي, 738303".
_OPERATOR_WORD = r"stc|mobily|zain|موبايلي|زين|الاتصالات"
_OPERATORS = re.compile(rf"(?:[\s,،\-–]*(?:\d{{4,7}}|{_OPERATOR_WORD}|أو))+[\s,،]*", re.I)
_OPERATOR_NAME = re.compile(_OPERATOR_WORD, re.I)
_FOOTER_TAIL = re.compile(r"(?:مسافة )?ثم (?:نص )?الرسالة(?: إلى)?")
# Substrings one of which every SMS footer line has; the regexes only run when one is there.
_SMS_HINTS = ("sms", "بالرمز", "الرسالة", "stc", "mobily", "zain", "موبايلي", "زين", "الاتصالات")


@paragraph_rule("strip_sms_footer_v1", where="last", max_len=400)
def strip_sms_footer(p: str, ctx: RuleContext) -> str:
    """Drop a trailing "send an SMS to 88548 …" footer, including its operator-number lines."""
    lower = p.lower()
    if not any(hint in lower for hint in _SMS_HINTS):
        return p
    if _SMS.search(p) or _FOOTER_TAIL.fullmatch(p):
        return ""
    if any(c.isdigit() for c in p) and _OPERATOR_NAME.search(p) and _OPERATORS.fullmatch(p):
        return ""
    return p


_EMAIL_LINE = re.compile(
    r"(?:[^\s@:：]{1,24}(?:\s+[^\s@:：]{1,24}){0,3}\s*[:：]\s*)?"
    r"(?:(?:mailto:)?(?:[\w.+-]+@[\w-]+(?:\.[\w-]+)+|@\w{2,})[\s,،;/|]*)+",
)


# A columnist's handle or site: "تويتر: @name", "Twitter: name", "www.example.com".
_HANDLE_LINE = re.compile(
    r"(?:(?:تويتر|twitter|انستغرام|إنستغرام|instagram|سناب شات|snapchat|فيسبوك|facebook)"
    r"\s*[:：]?\s*@?[\w.]{2,40}|(?:https?://|www\.)[\w.-]+(?:/\S*)?)",
    re.I,
)


@paragraph_rule("strip_email_footer_v1", where="last", max_len=200)
def strip_email_footer(p: str, ctx: RuleContext) -> str:
    """Drop a trailing e-mail address, @handle or personal site line (a short label allowed)."""
    if "@" in p and _EMAIL_LINE.fullmatch(p):
        return ""
    return "" if _HANDLE_LINE.fullmatch(p) else p


_PHONE_LINE = re.compile(
    r"(?:(?:هاتف|الهاتف|جوال|الجوال|فاكس|الفاكس|تلفون|تليفون|الرقم المجاني|tel|phone|mobile|fax)"
    r"\s*[:：.]?\s*\+?\d[\d\s\-()/]{5,}[\s,،;|\-–]*)+",
    re.I,
)


@paragraph_rule("strip_phone_footer_v1", where="last", max_len=200)
def strip_phone_footer(p: str, ctx: RuleContext) -> str:
    """Drop a trailing "هاتف: 011 …" / "Tel: …" contact line."""
    return "" if _PHONE_LINE.fullmatch(p) else p


_PERMALINK = re.compile(r"\s*رابط (?:الخبر|المقال|المادة)[^:：\n]{0,40}[:：].{0,300}$")


@paragraph_rule("strip_permalink_trailer_v1", where="last")
def strip_permalink_trailer(p: str, ctx: RuleContext) -> str:
    """Remove a trailing "رابط الخبر …: <headline or URL>" permalink left by a share widget."""
    if "رابط " not in p:
        return p
    return _PERMALINK.sub("", p).rstrip()
