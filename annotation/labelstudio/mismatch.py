"""Why a region's ``value.text`` is not the text at its offsets: a diagnosis for AK103.

Annotation tools count offsets in ways that differ from code points (UTF-16 code units, CRLF as
one character, whitespace collapsed) or the task text drifted from the corpus; each cause leaves
a recognisable trace, which the message names so that whoever fixes the export knows what to do.
"""

from __future__ import annotations

import re

_WS_RUN = re.compile(r"\s+")


def _utf16_to_cp(text: str, units: int) -> int | None:
    """The code point index at a UTF-16 code unit offset (None inside a surrogate pair)."""
    u = 0
    for i, ch in enumerate(text):
        if u == units:
            return i
        if u > units:
            return None
        u += 2 if ord(ch) > 0xFFFF else 1
    return len(text) if u == units else None


def diagnose_mismatch(
    text: str, start: int, end: int, span: str, corpus_text: str | None
) -> tuple[str, str]:
    """Why ``text[start:end] != span``: (diagnosis, explanation for the message)."""
    if any(ord(ch) > 0xFFFF for ch in text):
        a, b = _utf16_to_cp(text, start), _utf16_to_cp(text, end)
        if a is not None and b is not None and text[a:b] == span:
            astral = sum(1 for ch in text[:a] if ord(ch) > 0xFFFF)
            return (
                "utf16",
                f"the offsets count UTF-16 code units ({astral} character(s) outside the BMP, "
                f"e.g. emoji, come before the span); in code points it is [{a}, {b})",
            )
    for name, norm in (
        ("crlf", text.replace("\r\n", "\n")),
        ("whitespace", _WS_RUN.sub(" ", text)),
    ):
        if norm != text and norm[start:end] == span:
            how = "\\r\\n counted as one character" if name == "crlf" else "whitespace collapsed"
            return (
                "whitespace",
                f"the offsets were counted on the text with {how}; value.text matches there",
            )
    if _WS_RUN.sub(" ", text[start:end]).strip() == _WS_RUN.sub(" ", span).strip():
        return ("whitespace", "they differ only in whitespace (collapsed whitespace or CRLF)")
    if corpus_text is not None and corpus_text != text and corpus_text[start:end] == span:
        return (
            "text_drift",
            "the task text differs from the corpus article, and value.text matches the corpus "
            "text at these offsets: the task text was changed after annotation",
        )
    found = text.find(span) if span else -1
    if found >= 0:
        return (
            "shifted",
            f"value.text occurs at [{found}, {found + len(span)}) instead "
            f"(shift {found - start:+d})",
        )
    return ("unknown", "value.text does not occur in the task text")


# --- one annotation ----------------------------------------------------------------------------
