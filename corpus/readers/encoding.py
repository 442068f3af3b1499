"""Turning the bytes of an input file into text: BOMs, strict UTF-8, then Windows-1256.

Scraped Arabic news arrives as UTF-8 (with or without a BOM), UTF-16 with a BOM (files saved
by Windows tools) or Windows-1256 (older Arabic sites and exports). Anything else, including
binary files, is refused with a reason rather than decoded into noise.
"""

from __future__ import annotations

import codecs
import re

_BOMS = (  # longest first: the UTF-32 LE BOM starts with the UTF-16 LE one
    (codecs.BOM_UTF32_LE, "utf-32"),
    (codecs.BOM_UTF32_BE, "utf-32"),
    (codecs.BOM_UTF8, "utf-8-sig"),
    (codecs.BOM_UTF16_LE, "utf-16"),
    (codecs.BOM_UTF16_BE, "utf-16"),
)

_ARABIC_LETTER = re.compile(r"[\u0621-\u064a\u0671-\u06d3]")
_LETTER = re.compile(r"[^\W\d_]")
# C0/C1 control characters other than the whitespace ones; text files have (almost) none.
_BINARY_CONTROL = re.compile(r"[\x00-\x08\x0e-\x1f\x7f\x80-\x9f]")
_NEWLINES = re.compile(r"\r\n?")

# A decoded text is taken for binary when more than this share of it is control characters.
_MAX_CONTROL_SHARE = 0.01
# Windows-1256 is only guessed when most letters of the result are Arabic.
_MIN_ARABIC_SHARE = 0.5


class DecodeError(ValueError):
    """The bytes are not text in an encoding we accept; ``str()`` says why."""


def decode(data: bytes) -> tuple[str, str]:
    """Decode ``data`` and turn CRLF/CR into LF; return ``(text, encoding)``.

    Raises DecodeError when the bytes are not UTF-8, UTF-16/32 with a BOM, or plausibly
    Arabic Windows-1256, or when the text looks binary.
    """
    text, encoding = _decode(data)
    if _looks_binary(text):
        raise DecodeError(f"looks like a binary file (control characters in {encoding} text)")
    if "\r" in text:
        text = _NEWLINES.sub("\n", text)
    return text, encoding


def _decode(data: bytes) -> tuple[str, str]:
    for bom, encoding in _BOMS:
        if data.startswith(bom):
            try:
                return data.decode(encoding), encoding
            except UnicodeDecodeError as e:
                raise DecodeError(
                    f"starts with a {encoding} BOM but is not {encoding}: {e.reason} at byte {e.start}"
                ) from e
    try:
        return data.decode("utf-8"), "utf-8"
    except UnicodeDecodeError as e:
        utf8_error = e
    text = data.decode("cp1256", errors="replace")
    if "\ufffd" not in text and _arabic_share(text) >= _MIN_ARABIC_SHARE:
        return text, "cp1256"
    raise DecodeError(
        f"not UTF-8 ({utf8_error.reason} at byte {utf8_error.start}), not UTF-16 with a BOM, "
        "and not Arabic Windows-1256; re-save the file as UTF-8"
    )


def _looks_binary(text: str) -> bool:
    if not text:
        return False
    sample = text[:65536]
    controls = len(_BINARY_CONTROL.findall(sample))
    return controls > max(2, _MAX_CONTROL_SHARE * len(sample))


def _arabic_share(text: str) -> float:
    sample = text[:65536]
    letters = len(_LETTER.findall(sample))
    if letters == 0:
        return 0.0
    return len(_ARABIC_LETTER.findall(sample)) / letters
