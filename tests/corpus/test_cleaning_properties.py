"""Properties of cleaning, over Arabic text full of the noise scrapers leave behind.

- it never raises, whatever the string (lone surrogates and all);
- it is idempotent: cleaning cleaned text changes nothing;
- it never changes a letter: the Arabic letters and diacritics of the output, compared under
  canonical decomposition, are exactly those of the input when no boilerplate paragraph was
  dropped, and always an in-order subsequence of them (cleaning only removes);
- its output is plain: no tatweel, controls, bidi/zero-width marks, no-break spaces, runs of
  spaces or blank lines, and it is NFC.
"""

from __future__ import annotations

import os
import re
import unicodedata

from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st

from akhbar.corpus.cleaning import BOILERPLATE_RULES, clean, clean_text, clean_title
from akhbar.corpus.cleaning.registry import RuleContext
from akhbar.corpus.config import CorpusConfig
from akhbar.corpus.records import Article, Provenance, RawRecord, Rejection

# AKHBAR_HYPOTHESIS_EXAMPLES=5000 for a longer hunt; 300 keeps the suite quick.
EXAMPLES = int(os.environ.get("AKHBAR_HYPOTHESIS_EXAMPLES", "300"))
SETTINGS = settings(
    max_examples=EXAMPLES, deadline=None, suppress_health_check=[HealthCheck.too_slow]
)

LETTERS = [chr(c) for c in range(0x0621, 0x063B)] + [chr(c) for c in range(0x0641, 0x064B)]
ALEF_YAA_TAA = list("أإآٱاىيةه")  # the letters a folding would merge
DIACRITICS = [chr(c) for c in range(0x064B, 0x0653)] + ["\u0670", "\u0654", "\u0655"]
TATWEEL = "\u0640"
INVISIBLE = list(
    "\u200b\u200c\u200d\u200e\u200f\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069\u061c\ufeff\u00ad"
)
SPACES = list(" \t\u00a0\u202f\u2009\u3000")
NEWLINES = ["\n", "\r\n", "\r", "\n\n", "\u2028", "\x0c"]
CONTROLS = ["\x00", "\x01", "\x1a", "\x7f", "\x9c"]
PUNCT = list("،؛؟.,:!«»“”()-–/0123456789٠١٢٣")
TAGS = [
    "<p>",
    "</p>",
    "<br/>",
    "<b>",
    "</b>",
    '<a href="x">',
    "</a>",
    "<!-- c -->",
    "&amp;",
    "&quot;",
    "&nbsp;",
    "&lt;",
    "&gt;",
    "&foo;",
]
BOILERPLATE = [
    "[ad_1]",
    "[ad_2]",
    "\n\nالمصدر",
    "\n\nالمصدر: وكالات",
    "\n\nاقرأ أيضا: ",
    "\n\nاقرأ أيضاً",
    "\n\n...المزيد",
    "...المزيد",
    "\n\nللتواصل أرسل sms إلى 88548",
    "\n\nwriter@example.com",
    "\n\nتابعونا على تويتر",
    "\n\nشارك: فيسبوك | تويتر",
    "Next Previous",
    "رابط الخبر: ",
    "\n\n737221 - Zain",
]
NEWS_WORDS = str.split(
    "قال أعلن الوزير الشرطة مقتل إصابة هجوم انفجار سيارة مفخخة بلدة مدينة مستشفى الجيش "
    "القوات مسلحون اعتقال المتهم المحكمة صباح مساء الثلاثاء أمس اليوم عبوة ناسفة طائرة "
    "مسيرة حافلة الحدود الجنوبية وزارة الداخلية مؤتمر صحفي شؤون مسؤول أكثر من ثلاثة جنود "
    "إبراهيم أحمد آمنة عليّ القُوّات الإسلاميّة مُؤْتَمَر مصطفى فتاة مدرسة"
)


def arabic_key(text: str) -> str:
    """Arabic letters and diacritics, canonically decomposed and ordered: a letter's identity
    (أ is ا + hamza above in this form) with everything else (tatweel, marks that are not
    Arabic, spacing) left out."""
    decomposed = unicodedata.normalize("NFD", text)
    kept = "".join(
        c for c in decomposed if ("\u0621" <= c <= "\u065f" and c != TATWEEL) or c == "\u0670"
    )
    return unicodedata.normalize("NFD", kept)


def is_subsequence(small: str, big: str) -> bool:
    it = iter(big)
    return all(c in it for c in small)


def spell(base: str, extras: list[str]) -> str:
    """``base`` with one extra character after each of its first letters."""
    return "".join(a + b for a, b in zip(base, extras, strict=False)) + base[len(extras) :]


NOISE_IN_WORDS = ["", "", "", TATWEEL, *DIACRITICS, *INVISIBLE, *CONTROLS]
# News words spelled with noise inside them: tatweel, bidi marks, diacritics, controls.
news_word = st.builds(
    spell, st.sampled_from(NEWS_WORDS), st.lists(st.sampled_from(NOISE_IN_WORDS), max_size=8)
)
# Any sequence of letters, the alef/yaa/taa variants well represented, with the same noise.
letter_word = st.builds(
    spell,
    st.text(st.sampled_from(LETTERS + ALEF_YAA_TAA), min_size=1, max_size=8),
    st.lists(st.sampled_from(NOISE_IN_WORDS), max_size=8),
)
separator = st.sampled_from([" ", " ", " ", *SPACES, *NEWLINES, *PUNCT, *TAGS, *INVISIBLE])
# News prose with noise but no boilerplate: every letter in it must come out.
news_text = st.lists(st.one_of(news_word, separator), max_size=80).map("".join)
# Any letters: a random word may happen to spell a boilerplate line ("المصدر").
letter_text = st.lists(st.one_of(letter_word, news_word, separator), max_size=80).map("".join)
# Anything a scraper could leave: boilerplate lines and markers too.
noisy_text = st.lists(
    st.one_of(letter_word, news_word, separator, st.sampled_from(BOILERPLATE)), max_size=80
).map("".join)
any_text = st.one_of(noisy_text, st.text(), st.text(st.characters(exclude_categories=())))

FORBIDDEN = re.compile(
    "[\u0640\u00a0\u200b-\u200f\u202a-\u202e\u2060-\u2069\u061c\ufeff\u00ad\t\r\x00-\x09\x0b-\x1f\x7f-\x9f\ud800-\udfff]"
)


def raw(text: str, title: str = "") -> RawRecord:
    return RawRecord(title=title, text=text, provenance=Provenance("p.json", "0", "json_v1"))


@SETTINGS
@given(text=any_text, title=any_text)
def test_cleaning_never_raises(text, title):
    result = clean(raw(text, title), CorpusConfig())
    assert isinstance(result, Article | Rejection)


@SETTINGS
@given(text=any_text, title=st.one_of(st.just(""), noisy_text))
def test_cleaning_is_idempotent(text, title):
    ctx = RuleContext(title=clean_title(title, RuleContext()))
    once = clean_text(text, ctx)
    again_ctx = RuleContext(title=ctx.title)
    assert clean_text(once, again_ctx) == once
    assert again_ctx.counts == {}, "nothing fires on clean text"
    assert clean_title(ctx.title, RuleContext()) == ctx.title


@SETTINGS
@given(text=noisy_text, title=noisy_text)
def test_whole_article_cleaning_is_idempotent(text, title):
    first = clean(raw(text, title), CorpusConfig())
    if isinstance(first, Article):
        second = clean(raw(first.text, first.title), CorpusConfig())
        assert isinstance(second, Article)
        assert (second.text, second.title, second.id) == (first.text, first.title, first.id)
        assert (
            set(second.provenance.rules) <= {"strip_repeated_title_v1"}
            or not second.provenance.rules
        )


@SETTINGS
@given(text=news_text)
def test_news_prose_keeps_every_letter_and_diacritic(text):
    ctx = RuleContext(title="")
    out = clean_text(text, ctx)
    assert not set(ctx.counts) & set(BOILERPLATE_RULES), ctx.counts
    assert arabic_key(out) == arabic_key(text)


@SETTINGS
@given(text=letter_text)
def test_letters_are_kept_exactly_unless_a_boilerplate_paragraph_goes(text):
    ctx = RuleContext(title="")
    out = clean_text(text, ctx)
    if set(ctx.counts) & set(BOILERPLATE_RULES):
        assert is_subsequence(arabic_key(out), arabic_key(text))
    else:
        assert arabic_key(out) == arabic_key(text)


@SETTINGS
@given(text=noisy_text, title=noisy_text)
def test_letters_only_ever_disappear_in_order(text, title):
    ctx = RuleContext(title=clean_title(title, RuleContext()))
    out = clean_text(text, ctx)
    assert is_subsequence(arabic_key(out), arabic_key(text))
    event(f"boilerplate removed: {bool(set(ctx.counts) & set(BOILERPLATE_RULES))}")
    if not set(ctx.counts) & set(BOILERPLATE_RULES):
        assert arabic_key(out) == arabic_key(text)


@SETTINGS
@given(text=any_text)
def test_output_is_plain_canonical_text(text):
    out = clean_text(text, RuleContext())
    bad = FORBIDDEN.search(out)
    assert bad is None, hex(ord(bad.group()))
    assert "  " not in out and "\n\n\n" not in out
    assert out == out.strip()
    assert all(p and p == p.strip() and "\n" not in p for p in out.split("\n\n")) or out == ""
    assert unicodedata.is_normalized("NFC", out)
    assert "[ad_" not in out
