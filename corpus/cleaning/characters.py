"""Character-level cleaning rules: markup, invisible characters, spacing, normal form.

None of them changes a letter: they remove characters that carry no text (tags, controls,
bidi marks, tatweel, ad placeholders), replace unusual spaces by a plain one, and put the
text in NFC with one space between words and one blank line between paragraphs.
"""

from __future__ import annotations

import html
import re
import unicodedata

from akhbar.corpus.cleaning.registry import RuleContext, rule
from akhbar.corpus.cleaning.text import BIDI_AND_ZERO_WIDTH, TATWEEL

# Tags are only removed when they look like HTML (a letter, "/" or "!" after "<"), so that
# "3 < 5" or "<<" in prose survives. Block-level tags become line breaks.
_SCRIPT_STYLE = re.compile(r"<(script|style)\b[^>]*>.*?</\1\s*>", re.I | re.S)
_COMMENT = re.compile(r"<!--.*?-->", re.S)
_BLOCK_TAG = re.compile(
    r"</?(?:br|p|div|li|ul|ol|h[1-6]|tr|td|th|table|blockquote|section|article|header|footer)"
    r"\b[^<>]*>",
    re.I,
)
_TAG = re.compile(r"</?[A-Za-z][A-Za-z0-9:-]*(?:\s[^<>]*)?/?>|<![A-Za-z][^<>]*>")
_ENTITY = re.compile(r"&(?:#[0-9]{1,7}|#[xX][0-9a-fA-F]{1,6}|[A-Za-z][A-Za-z0-9]{1,31});")

_NEWLINE_VARIANTS = re.compile(r"\r\n?|[\x0b\x0c\x85\u2028\u2029]")
NEWLINE_VARIANT = re.compile(r"[\r\x0b\x0c\x85\u2028\u2029]")
# C0/C1 controls (tab and the newline family aside) and lone surrogates, which are not text
# at all (strict decoding never yields them, but a str built elsewhere can hold them).
CONTROL = re.compile("[\x00-\x08\x0e-\x1f\x7f\x80-\x84\x86-\x9f\ud800-\udfff]")
INVISIBLE = re.compile(f"[{BIDI_AND_ZERO_WIDTH}\u206a-\u206f\ufff9-\ufffb]")
ODD_SPACE = re.compile(r"[\t\u00a0\u1680\u2000-\u200a\u202f\u205f\u3000]")
# Any character one of the four rules above would touch: one scan decides whether to run them.
RARE_CHARACTERS = re.compile(
    "[\x00-\x09\x0b-\x1f\x7f-\xa0\xad\u061c\u1680\u180e\u2000-\u200f\u2028-\u202f"
    "\u205f-\u206f\u3000\ud800-\udfff\ufeff\ufff9-\ufffb]"
)
_AD_MARKER = re.compile(r"\[ad(?:_\d+)?\]", re.I)


@rule("strip_html_v1")
def strip_html(text: str, ctx: RuleContext) -> tuple[str, int]:
    """Remove HTML tags, comments and script/style blocks; decode entities (``&amp;``).

    Repeated until nothing changes, so that doubly escaped markup (``&amp;lt;b&amp;gt;``)
    does not reappear when the text is cleaned a second time.
    """
    if "<" not in text and "&" not in text:
        return text, 0
    total = 0
    while True:  # every pass that changes something shortens the text, so this ends
        n = 0
        if "<" in text:
            text, k1 = _SCRIPT_STYLE.subn("", text)
            text, k2 = _COMMENT.subn("", text)
            text, k3 = _BLOCK_TAG.subn("\n", text)
            text, k4 = _TAG.subn("", text)
            n += k1 + k2 + k3 + k4
        if "&" in text:
            text, k5 = _unescape_entities(text)
            n += k5
        if n == 0:
            break
        total += n
    return text, total


def _unescape_entities(text: str) -> tuple[str, int]:
    """Decode the entities that mean something; unknown ones (``&foo;``) stay as written."""
    decoded = 0

    def unescape(m: re.Match[str]) -> str:
        nonlocal decoded
        entity = m.group()
        char = html.unescape(entity)
        if char != entity:
            decoded += 1
        return char

    text = _ENTITY.sub(unescape, text)
    return text, decoded


@rule("normalize_newlines_v1")
def normalize_newlines(text: str, ctx: RuleContext) -> tuple[str, int]:
    """CRLF, CR, vertical tab, form feed, NEL and the Unicode line/paragraph separators -> LF."""
    if not NEWLINE_VARIANT.search(text):
        return text, 0
    return _NEWLINE_VARIANTS.subn("\n", text)


@rule("strip_control_chars_v1")
def strip_control_chars(text: str, ctx: RuleContext) -> tuple[str, int]:
    """Remove NUL, the other C0/C1 control characters (tab and newline stay) and lone
    surrogates."""
    if not CONTROL.search(text):
        return text, 0
    return CONTROL.subn("", text)


@rule("strip_bidi_controls_v1")
def strip_bidi_controls(text: str, ctx: RuleContext) -> tuple[str, int]:
    """Remove zero-width and bidi controls: ZWSP, ZWNJ, ZWJ, LRM, RLM, ALM, LRE..RLO,
    LRI..PDI, word joiner, BOM, soft hyphen. They are invisible and break offsets and search."""
    if not INVISIBLE.search(text):
        return text, 0
    return INVISIBLE.subn("", text)


@rule("strip_tatweel_v1")
def strip_tatweel(text: str, ctx: RuleContext) -> tuple[str, int]:
    """Remove tatweel (kashida, U+0640), a stretching stroke that is not a letter."""
    n = text.count(TATWEEL)
    if n:
        text = text.replace(TATWEEL, "")
    return text, n


@rule("strip_ad_markers_v1")
def strip_ad_markers(text: str, ctx: RuleContext) -> tuple[str, int]:
    """Remove advertisement placeholders such as ``[ad_1]`` left by the scraper."""
    if "[" not in text:
        return text, 0
    total = 0
    while True:  # "[ad_[ad_1]1]" must not leave a marker behind
        text, n = _AD_MARKER.subn("", text)
        if not n:
            return text, total
        total += n


@rule("replace_no_break_spaces_v1")
def replace_no_break_spaces(text: str, ctx: RuleContext) -> tuple[str, int]:
    """No-break, narrow, figure, ideographic and other typographic spaces and tabs -> space."""
    if not ODD_SPACE.search(text):
        return text, 0
    return ODD_SPACE.subn(" ", text)


@rule("normalize_nfc_v1")
def normalize_nfc(text: str, ctx: RuleContext) -> tuple[str, int]:
    """Unicode NFC (canonical composition): the same letters, one code-point sequence."""
    if unicodedata.is_normalized("NFC", text):
        return text, 0
    # Normalise only the lines that need it (often one word with its marks out of order):
    # a newline never composes with anything, so line by line is the same as the whole.
    lines = text.split("\n")
    for i, line in enumerate(lines):
        if not unicodedata.is_normalized("NFC", line):
            lines[i] = unicodedata.normalize("NFC", line)
    return "\n".join(lines), 1


@rule("collapse_whitespace_v1")
def collapse_whitespace(text: str, ctx: RuleContext) -> tuple[str, int]:
    """One space between words, none at line ends, each line a paragraph, paragraphs
    separated by exactly one blank line. Counts the whitespace characters it removed (net;
    at least 1 whenever it changed the text).

    Expects spaces and newlines as the only whitespace (the rules before it see to that).
    Built from str.replace and one split on newlines, because splitting every line into
    words costs several times more over a whole corpus.
    """
    t = text
    while "  " in t:
        t = t.replace("  ", " ")
    if "\n" in t:
        lines = [line.strip(" ") for line in t.split("\n")]
        paragraphs = [line for line in lines if line]
        t = "\n\n".join(paragraphs)
    else:
        t = t.strip(" ")
    if t == text:
        return text, 0
    return t, max(1, abs(len(text) - len(t)))


@rule("collapse_title_v1")
def collapse_title(text: str, ctx: RuleContext) -> tuple[str, int]:
    """A title is one line: every run of whitespace, line breaks included, becomes one space."""
    out = " ".join(text.split())
    return out, int(out != text)
