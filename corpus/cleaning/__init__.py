"""Cleaning: turn a RawRecord into an Article (or a Rejection with a reason).

``clean(record, config)`` runs the named rules of ``characters`` and ``boilerplate`` in a
fixed order, counts every application in the article's provenance, then applies the filters.
It is a pure function of the record and the configuration, so it can run anywhere (a
process pool today, a distributed engine later) and gives the same article id everywhere.

Order matters and is deliberate:

1. character rules: HTML, newlines, control characters, bidi/zero-width controls, no-break
   spaces, tatweel, ad markers; repeated while a removal has left markup behind (taking the
   tatweel out of ``<ـb>`` makes a tag; a decoded ``&#8207;`` makes a bidi mark);
2. NFC, then whitespace made canonical (paragraphs one blank line apart);
3. boilerplate paragraph rules, repeated until none fires: the repeated title, "read
   also", slideshow navigation, share/follow chrome, web-page chrome (menu bars, breadcrumbs,
   counters of views, date lines, bylines, comment notices, copyright, wire credits;
   ``page_chrome``), the source's configured lines, then trailing truncation markers, source
   lines, permalink trailers, SMS/e-mail/phone footers. A removed date line gives the
   article its ``published`` date when it had none.

Every repetition only runs after something was removed, so the text shrinks each time and a
fixed point always comes: cleaning is idempotent. Titles and authors get the character rules
and are folded onto one line.

Part of akhbar.corpus; may import akhbar.corpus and akhbar.schemas.
"""

from __future__ import annotations

import functools
import re

from akhbar.corpus.cleaning import boilerplate, characters, filters, page_chrome
from akhbar.corpus.cleaning.registry import Rule, RuleContext, get_rule, known_rules
from akhbar.corpus.config import CorpusConfig
from akhbar.corpus.records import Article, Provenance, RawRecord, Rejection, article_id
from akhbar.schemas.errors import UsageError

__all__ = [
    "BOILERPLATE_RULES",
    "CHARACTER_RULES",
    "FINISH_RULES",
    "check_config",
    "clean",
    "clean_text",
    "clean_title",
    "known_rules",
]

CHARACTER_RULES = (
    "strip_html_v1",
    "normalize_newlines_v1",
    "strip_control_chars_v1",
    "strip_bidi_controls_v1",
    "replace_no_break_spaces_v1",
    "strip_tatweel_v1",
    "strip_ad_markers_v1",
)
FINISH_RULES = ("normalize_nfc_v1", "collapse_whitespace_v1")
BOILERPLATE_RULES = (
    "strip_repeated_title_v1",
    "strip_read_also_v1",
    "strip_slideshow_navigation_v1",
    "strip_share_follow_v1",
    "strip_menu_bar_v1",
    "strip_breadcrumb_v1",
    "strip_counter_line_v1",
    "strip_date_line_v1",
    "strip_byline_v1",
    "strip_comment_notice_v1",
    "strip_copyright_v1",
    "strip_credit_line_v1",
    "drop_configured_lines_v1",
    "strip_truncation_marker_v1",
    "strip_source_line_v1",
    "strip_permalink_trailer_v1",
    "strip_sms_footer_v1",
    "strip_email_footer_v1",
    "strip_phone_footer_v1",
)
_TITLE_FINISH = ("normalize_nfc_v1", "collapse_title_v1")

_HTML, _NEWLINES, _CONTROLS, _BIDI, _SPACES, _TATWEEL, _ADS = (
    (name, get_rule(name)) for name in CHARACTER_RULES
)
# The rules that act on rare characters, each with the characters it acts on and whether it
# removes them (only a removal can make markup); one scan of the text (RARE_CHARACTERS)
# decides which of them to run.
_RARE = (
    (*_NEWLINES, characters.NEWLINE_VARIANT, False),
    (*_CONTROLS, characters.CONTROL, True),
    (*_BIDI, characters.INVISIBLE, True),
    (*_SPACES, characters.ODD_SPACE, False),
)
_FINISH = tuple((name, get_rule(name)) for name in FINISH_RULES)
_TITLE_FINISH_RULES = tuple((name, get_rule(name)) for name in _TITLE_FINISH)
_PARAGRAPH_RULES = tuple(boilerplate.PARAGRAPH_RULES[n] for n in BOILERPLATE_RULES)
assert page_chrome.__name__  # imported for its rules, which register themselves


def _count(counts: dict[str, int], name: str, n: int) -> None:
    counts[name] = counts.get(name, 0) + n


def _characters(text: str, ctx: RuleContext, finish: tuple[tuple[str, Rule], ...]) -> str:
    counts = ctx.counts
    while True:
        removed = False
        if "<" in text or "&" in text:
            text, n = _HTML[1](text, ctx)
            if n:
                _count(counts, _HTML[0], n)
        if characters.RARE_CHARACTERS.search(text):
            present = set(characters.RARE_CHARACTERS.findall(text))
            for name, fn, pattern, removes in _RARE:
                if any(pattern.match(c) for c in present):
                    text, n = fn(text, ctx)
                    if n:
                        _count(counts, name, n)
                        removed = removed or removes
        for name, fn in (_TATWEEL, _ADS):
            text, n = fn(text, ctx)
            if n:
                _count(counts, name, n)
                removed = True
        # Removing a character can make a tag or an entity ("<ـb>"); only then go round again.
        if not (removed and ("<" in text or "&" in text)):
            break
    for name, fn in finish:
        text, n = fn(text, ctx)
        if n:
            _count(counts, name, n)
    return text


def _boilerplate(text: str, ctx: RuleContext) -> str:
    if not text:
        return text
    active = [r for r in _PARAGRAPH_RULES if r.hint is None or r.hint(text, ctx)]
    paragraphs = text.split(boilerplate.PARAGRAPH_BREAK)
    counts = ctx.counts
    while True:  # every rule only drops or shortens paragraphs, so this ends
        changed = False
        for prule in active:
            n = boilerplate.apply_to_paragraphs(prule, paragraphs, ctx)
            if n:
                _count(counts, prule.name, n)
                changed = True
        if not changed or not paragraphs:
            break
    return boilerplate.PARAGRAPH_BREAK.join(paragraphs)


def clean_text(text: str, ctx: RuleContext) -> str:
    """The cleaned body: character rules, canonical whitespace, then boilerplate rules."""
    text = _characters(text, ctx, _FINISH)
    return _boilerplate(text, ctx)


def clean_title(title: str, ctx: RuleContext) -> str:
    """A title (or author) cleaned like the body's characters and folded onto one line."""
    if not title:
        return ""
    return _characters(title, ctx, _TITLE_FINISH_RULES)


@functools.lru_cache(maxsize=256)
def _compile_drop_lines(source: str, patterns: tuple[str, ...]) -> re.Pattern[str] | None:
    if not patterns:
        return None
    for pattern in patterns:
        try:
            re.compile(pattern)
        except re.error as e:
            raise UsageError(
                f"sources.{source}.drop_line_patterns: {pattern!r} is not a valid regular "
                f"expression ({e}); fix or remove it"
            ) from None
    return re.compile("|".join(f"(?:{p})" for p in patterns))


def _drop_lines(source: str | None, config: CorpusConfig) -> re.Pattern[str] | None:
    """This source's configured patterns plus those under the key ``"*"`` (every source)."""
    patterns: list[str] = []
    for key in ("*", source):
        sc = config.sources.get(key) if key is not None else None
        if sc is not None:
            patterns.extend(sc.drop_line_patterns)
    return _compile_drop_lines(source or "*", tuple(patterns))


def check_config(config: CorpusConfig) -> None:
    """Refuse a configuration that cleaning cannot use, before any record is read."""
    filters.check_config(config.filters)
    for source in config.sources:
        _drop_lines(source, config)


def clean(record: RawRecord, config: CorpusConfig) -> Article | Rejection:
    """Clean one record: an Article, or a Rejection with the filter's reason."""
    ctx = RuleContext(
        source=record.source,
        drop_lines=_drop_lines(record.source, config),
        published=record.published,
    )
    title = clean_title(record.title, ctx)
    ctx.title = title
    author = clean_title(record.author, ctx) if record.author else record.author
    text = clean_text(record.text, ctx)
    prov = record.provenance
    rules = {**prov.rules, **ctx.counts}  # the reader's (decoding) rules, then cleaning's
    provenance = Provenance(
        prov.input_file, prov.record, prov.reader, prov.encoding, dict(sorted(rules.items()))
    )
    verdict = filters.first_failure(text, config.filters)
    if verdict is not None:
        reason, detail = verdict
        excerpt = " ".join(record.text[:300].split())[:200]
        return Rejection(
            reason=reason,
            detail=detail,
            provenance=provenance,
            title=title or None,
            excerpt=excerpt or None,
        )
    source = record.source.strip() if record.source else record.source
    url = record.url.strip() if record.url else record.url
    return Article(
        id=article_id(source, url, title, text),
        title=title,
        text=text,
        provenance=provenance,
        source=source,
        url=url,
        published=ctx.published,
        retrieved=record.retrieved,
        author=author or None,
        language=config.language,
        truncated=ctx.truncated,
        metadata=dict(record.metadata),
    )
