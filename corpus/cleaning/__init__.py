"""Cleaning: turn a RawRecord into an Article (or a Rejection with a reason).

``clean(record, config)`` runs the named rules of ``characters`` and ``boilerplate`` in a
fixed order, counts every application in the article's provenance, then applies the filters.
It is a pure function of the record and the configuration, so it can run anywhere (a
process pool today, a distributed engine later) and gives the same article id everywhere.

Order matters and is deliberate:

1. character rules, repeated until none fires (removing a bidi mark or tatweel can turn
   ``<ـb>`` into a tag, a decoded entity can produce a control character): HTML, newlines,
   control characters, bidi/zero-width controls, tatweel, ad markers;
2. no-break spaces, NFC, then whitespace made canonical (paragraphs one blank line apart);
3. boilerplate paragraph rules, repeated until none fires: the repeated title, "read
   also", share/follow chrome, the source's configured lines, then trailing truncation
   markers, source lines, permalink trailers and SMS/e-mail/phone footers.

Titles and authors get the character rules and are folded onto one line.
"""

from __future__ import annotations

import functools
import re
from dataclasses import replace

from corpus.cleaning import boilerplate, characters, filters
from corpus.cleaning.registry import RuleContext, apply, get_rule, known_rules
from corpus.config import CorpusConfig
from corpus.errors import UsageError
from corpus.records import Article, RawRecord, Rejection, article_id

__all__ = ["BOILERPLATE_RULES", "CHARACTER_RULES", "clean", "clean_text", "known_rules"]

# Removal rules that can enable one another; the first four only run when the text has a
# character they act on (one scan instead of four).
_RARE_RULES = (
    "normalize_newlines_v1",
    "strip_control_chars_v1",
    "strip_bidi_controls_v1",
    "replace_no_break_spaces_v1",
)
CHARACTER_RULES = ("strip_html_v1", *_RARE_RULES, "strip_tatweel_v1", "strip_ad_markers_v1")
_FINISH_RULES = ("normalize_nfc_v1", "collapse_whitespace_v1")
BOILERPLATE_RULES = (
    "strip_repeated_title_v1",
    "strip_read_also_v1",
    "strip_share_follow_v1",
    "drop_configured_lines_v1",
    "strip_truncation_marker_v1",
    "strip_source_line_v1",
    "strip_permalink_trailer_v1",
    "strip_sms_footer_v1",
    "strip_email_footer_v1",
    "strip_phone_footer_v1",
)
_TITLE_RULES = (*CHARACTER_RULES, "normalize_nfc_v1", "collapse_title_v1")
_MAX_PASSES = 6  # each pass only removes text, so fixed points come fast; this is a backstop

for _name in (*CHARACTER_RULES, *_FINISH_RULES, *BOILERPLATE_RULES, *_TITLE_RULES):
    get_rule(_name)  # fail at import, not mid-build, if the order names a missing rule
_PARAGRAPH_RULES = tuple(boilerplate.PARAGRAPH_RULES[n] for n in BOILERPLATE_RULES)


def _characters(text: str, ctx: RuleContext, finish: tuple[str, ...]) -> str:
    for _ in range(_MAX_PASSES):
        changed = False
        text, c = apply(("strip_html_v1",), text, ctx)
        changed |= c
        if characters.RARE_CHARACTERS.search(text):
            text, c = apply(_RARE_RULES, text, ctx)
            changed |= c
        text, c = apply(("strip_tatweel_v1", "strip_ad_markers_v1"), text, ctx)
        changed |= c
        if not changed:
            break
    text, _ = apply(finish, text, ctx)
    return text


def _boilerplate(text: str, ctx: RuleContext) -> str:
    if not text:
        return text
    paragraphs = text.split(boilerplate.PARAGRAPH_BREAK)
    counts = ctx.counts
    for _ in range(_MAX_PASSES):
        changed = False
        for prule in _PARAGRAPH_RULES:
            if prule.hint is not None and not prule.hint(text, ctx):
                continue
            n = boilerplate.apply_to_paragraphs(prule, paragraphs, ctx)
            if n:
                counts[prule.name] = counts.get(prule.name, 0) + n
                changed = True
        if not changed:
            break
    return boilerplate.PARAGRAPH_BREAK.join(paragraphs)


def clean_text(text: str, ctx: RuleContext) -> str:
    """The cleaned body: character rules, canonical whitespace, then boilerplate rules."""
    text = _characters(text, ctx, _FINISH_RULES)
    return _boilerplate(text, ctx)


def clean_title(title: str, ctx: RuleContext) -> str:
    """A title (or author) cleaned like the body's characters and folded onto one line."""
    if not title:
        return ""
    text = _characters(title, ctx, ("normalize_nfc_v1", "collapse_title_v1"))
    return text


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
    ctx = RuleContext(source=record.source, drop_lines=_drop_lines(record.source, config))
    title = clean_title(record.title, ctx)
    ctx.title = title
    author = clean_title(record.author, ctx) if record.author else record.author
    text = clean_text(record.text, ctx)
    provenance = replace(record.provenance, rules=dict(sorted(ctx.counts.items())))
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
        published=record.published,
        retrieved=record.retrieved,
        author=author or None,
        language=config.language,
        truncated=ctx.truncated,
        metadata=dict(record.metadata),
    )
