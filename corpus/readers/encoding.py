"""Turning the bytes of an input file into text, in one encoding only when it explains them.

Scraped Arabic news arrives as UTF-8 (with or without a BOM), UTF-16/32 (files saved by Windows
tools, usually with a BOM) or Windows-1256 (older Arabic sites and exports). The decision, in
this order:

1. a BOM names the encoding, and the bytes must then decode in it, strictly;
2. valid UTF-8 is UTF-8;
3. bytes with NULs (or control characters as UTF-8) are tried as UTF-32/UTF-16 without a BOM,
   taken only when the result is plausible text (Arabic, Latin, digits, punctuation);
4. UTF-8 *in bulk* with a few invalid bytes (at most one per ``_MIN_GOOD_PER_BAD`` valid
   non-ASCII characters) is UTF-8 with each invalid sequence replaced by U+FFFD, and the count
   is returned so that the record's provenance names it (``REPLACED_RULE``);
5. otherwise Windows-1256, only when the result is mostly Arabic letters.

Anything else, binary files included, is refused with a reason and the byte offset of the first
problem, never decoded into noise.
"""

from __future__ import annotations

import codecs
import re
import threading
from dataclasses import dataclass

REPLACED_RULE = "utf8_invalid_bytes_replaced_v1"

_BOMS = (  # longest first: the UTF-32 LE BOM starts with the UTF-16 LE one
    (codecs.BOM_UTF32_LE, "utf-32"),
    (codecs.BOM_UTF32_BE, "utf-32"),
    (codecs.BOM_UTF8, "utf-8-sig"),
    (codecs.BOM_UTF16_LE, "utf-16"),
    (codecs.BOM_UTF16_BE, "utf-16"),
)
BOM_PREFIXES = tuple(bom for bom, _ in _BOMS)
# Tried in this order: a UTF-32 text read as UTF-16 has NUL characters in it, so it fails the
# plausibility check, never the other way round.
_WIDE = ("utf-32-le", "utf-32-be", "utf-16-le", "utf-16-be")

_ARABIC_LETTER = re.compile(r"[\u0621-\u064a\u0671-\u06d3]")
_LETTER = re.compile(r"[^\W\d_]")
# C0/C1 control characters other than the whitespace ones; text files have (almost) none.
_BINARY_CONTROL = re.compile(r"[\x00-\x08\x0e-\x1f\x7f\x80-\x9f]")
# What a news text is made of: whitespace, ASCII, Latin-1 letters, Arabic and its
# presentation forms, general punctuation and the BOM / no-break spaces.
_TEXT_CHAR = re.compile(
    r"[\t\n\r\x20-\x7e\u00a0-\u00ff\u0600-\u06ff\u0750-\u077f\u2000-\u206f"
    r"\ufb50-\ufdff\ufe70-\ufeff]"
)
_NEWLINES = re.compile(r"\r\n?")

# A decoded text is taken for binary when more than this share of it is control characters.
_MAX_CONTROL_SHARE = 0.01
# Windows-1256 is only taken when most letters of the result are Arabic.
_MIN_ARABIC_SHARE = 0.5
# UTF-16/32 without a BOM is only taken when nearly every character is ordinary text.
_MIN_TEXT_SHARE = 0.95
# Invalid bytes are replaced only in text that is UTF-8 in bulk: this many valid non-ASCII
# characters for every invalid sequence, at least. Windows-1256 is only considered when the
# invalid sequences outnumber the valid ones (Arabic UTF-8 read as Windows-1256 is mostly
# Arabic letters too, "ط³ظٹظˆظ„", so the script alone cannot tell them apart).
_MIN_GOOD_PER_BAD = 20
_SAMPLE = 65536


class DecodeError(ValueError):
    """The bytes are not text in an encoding we accept; ``str()`` says why and where."""

    def __init__(self, message: str, offset: int | None = None) -> None:
        super().__init__(message)
        self.offset = offset


@dataclass(frozen=True, slots=True)
class Decoded:
    """Text decoded from bytes: CRLF/CR already LF, and how many bytes had to be replaced."""

    text: str
    encoding: str
    replaced: int = 0  # invalid UTF-8 sequences replaced by U+FFFD

    def rules(self) -> dict[str, int]:
        """The decoding rules that applied, for the record's provenance."""
        return {REPLACED_RULE: self.replaced} if self.replaced else {}


def decode(data: bytes, base: int = 0) -> Decoded:
    """Decode ``data`` (see the module docstring); ``base`` is added to byte offsets in
    messages, for a piece (a line) of a larger file. Raises DecodeError."""
    decoded = _decode(data, base)
    text = decoded.text
    if "\r" in text:
        return Decoded(_NEWLINES.sub("\n", text), decoded.encoding, decoded.replaced)
    return decoded


def _decode(data: bytes, base: int) -> Decoded:
    for bom, encoding in _BOMS:
        if data.startswith(bom):
            try:
                text = data.decode(encoding)
            except UnicodeDecodeError as e:
                raise DecodeError(
                    f"starts with a {encoding} BOM but is not {encoding}: {e.reason} at byte "
                    f"{base + e.start}; re-save the file as UTF-8",
                    base + e.start,
                ) from e
            return _not_binary(Decoded(text, encoding), base)
    utf8_error: UnicodeDecodeError | None = None
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as e:
        utf8_error = e
    else:
        if not _looks_binary(text):
            return Decoded(text, "utf-8")
    if utf8_error is None or b"\x00" in data[:_SAMPLE]:
        wide = decode_wide(data)
        if wide is not None:
            return wide
    if utf8_error is None:
        raise DecodeError(
            "looks like a binary file: control characters in UTF-8 text, and it is not "
            "UTF-16/UTF-32 text either (with or without a BOM)",
            base,
        )
    replaced, good, bad = _utf8_replacing(data)
    offset = base + utf8_error.start
    if good >= _MIN_GOOD_PER_BAD * bad:
        return _not_binary(Decoded(replaced, "utf-8", bad), base)
    if good >= bad:
        raise DecodeError(
            f"mostly UTF-8, but {bad} invalid byte sequence(s), the first at byte {offset}, "
            "too many to replace; fix the bytes or re-save the file as UTF-8",
            offset,
        )
    text = data.decode("cp1256", errors="replace")
    if "\ufffd" not in text and _arabic_share(text) >= _MIN_ARABIC_SHARE:
        return _not_binary(Decoded(text, "cp1256"), base)
    raise DecodeError(
        f"not UTF-8 ({utf8_error.reason} at byte {offset}), not UTF-16/UTF-32 (with or without "
        "a BOM) and not Arabic Windows-1256; re-save the file as UTF-8",
        offset,
    )


def _not_binary(decoded: Decoded, base: int) -> Decoded:
    if _looks_binary(decoded.text):
        raise DecodeError(
            f"looks like a binary file (control characters in {decoded.encoding} text)", base
        )
    return decoded


def decode_wide(data: bytes) -> Decoded | None:
    """UTF-32 or UTF-16 without a BOM, when one of them turns the bytes into plausible text
    (CRLF/CR left as they are)."""
    for encoding in _WIDE:
        try:
            text = data.decode(encoding)
        except UnicodeDecodeError:
            continue
        sample = text[:_SAMPLE]
        if sample and len(_TEXT_CHAR.findall(sample)) >= _MIN_TEXT_SHARE * len(sample):
            return Decoded(text, encoding)
    return None


class _Replacements(threading.local):
    count = 0


_replacements = _Replacements()


def _count_and_replace(error: UnicodeError) -> tuple[str, int]:
    assert isinstance(error, UnicodeDecodeError)
    _replacements.count += 1
    return "\ufffd", error.end


codecs.register_error("akhbar-count-replace", _count_and_replace)


def _utf8_replacing(data: bytes) -> tuple[str, int, int]:
    """``(text, valid non-ASCII characters, invalid sequences)``: UTF-8 with each invalid
    sequence replaced by U+FFFD."""
    _replacements.count = 0
    text = data.decode("utf-8", errors="akhbar-count-replace")
    bad = _replacements.count
    good = len(text) - len(text.encode("ascii", errors="ignore")) - bad
    return text, good, bad


def _looks_binary(text: str) -> bool:
    if not text:
        return False
    sample = text[:_SAMPLE]
    controls = len(_BINARY_CONTROL.findall(sample))
    return controls > max(2, _MAX_CONTROL_SHARE * len(sample))


def _arabic_share(text: str) -> float:
    sample = text[:_SAMPLE]
    letters = len(_LETTER.findall(sample))
    if letters == 0:
        return 0.0
    return len(_ARABIC_LETTER.findall(sample)) / letters
