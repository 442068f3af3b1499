"""Filters: after cleaning, drop an article with a reason (``empty``, ``too_short``,
``wrong_script``) or keep it. Each filter returns ``None`` to keep, or ``(reason, detail)``."""

from __future__ import annotations

import unicodedata
from collections.abc import Callable

import numpy as np

from akhbar.corpus.config import FilterConfig
from akhbar.schemas.errors import UsageError

Verdict = tuple[str, str] | None

# Letter classes over UTF-16 code units: 0 not a letter, 1 Arabic, 2 Latin, 3 another script.
_OTHER, _ARABIC, _LATIN, _ELSE = 0, 1, 2, 3
SCRIPTS = {"arabic": _ARABIC, "latin": _LATIN}


def _letter_table() -> np.ndarray:
    table = np.zeros(0x10000, dtype=np.uint8)
    for cp in range(0x10000):
        ch = chr(cp)
        if not unicodedata.category(ch).startswith("L"):
            continue
        name = unicodedata.name(ch, "")
        if name.startswith("ARABIC"):
            table[cp] = _ARABIC
        elif name.startswith("LATIN"):
            table[cp] = _LATIN
        else:
            table[cp] = _ELSE
    table[0xD800:0xE000] = _ELSE  # astral letters (surrogate pairs) count as another script
    return table


_LETTERS = _letter_table()


def script_share(text: str, script: str) -> tuple[float, int]:
    """The share of letters of ``text`` that are in ``script``, and how many letters it has."""
    classes = _LETTERS.take(np.frombuffer(text.encode("utf-16-le", "surrogatepass"), np.uint16))
    letters = int(np.count_nonzero(classes))
    if not letters:
        return 0.0, 0
    return int(np.count_nonzero(classes == SCRIPTS[script])) / letters, letters


def empty(text: str, cfg: FilterConfig) -> Verdict:
    if not text:
        return "empty", "no text left after cleaning"
    return None


def _words(text: str, enough: int) -> int:
    """Words of a cleaned text (single spaces, "\n\n" between paragraphs), counted exactly
    when fewer than ``enough``; a long text stops counting once it has shown enough."""
    prefix = text[: 64 * enough]
    words = prefix.count(" ") + prefix.count("\n\n") + 1
    if words >= enough or len(prefix) == len(text):
        return words
    return text.count(" ") + text.count("\n\n") + 1


def too_short(text: str, cfg: FilterConfig) -> Verdict:
    chars = len(text)
    words = _words(text, cfg.min_words)
    if chars < cfg.min_chars or words < cfg.min_words:
        return (
            "too_short",
            f"{chars} characters and {words} words after cleaning; the minimum is "
            f"{cfg.min_chars} characters and {cfg.min_words} words (filters.min_chars/min_words)",
        )
    return None


def wrong_script(text: str, cfg: FilterConfig) -> Verdict:
    if cfg.script == "any":
        return None
    share, letters = script_share(text, cfg.script)
    if share < cfg.min_script_ratio:
        return (
            "wrong_script",
            f"{share:.0%} of {letters} letters are {cfg.script}; at least "
            f"{cfg.min_script_ratio:.0%} expected (filters.script/min_script_ratio)",
        )
    return None


FILTERS: tuple[Callable[[str, FilterConfig], Verdict], ...] = (empty, too_short, wrong_script)


def check_config(cfg: FilterConfig) -> None:
    """Refuse a filter configuration that cannot work, naming the valid values."""
    if cfg.script != "any" and cfg.script not in SCRIPTS:
        raise UsageError(
            f"filters.script: unknown script {cfg.script!r}; use one of {sorted([*SCRIPTS, 'any'])}"
        )
    if not 0.0 <= cfg.min_script_ratio <= 1.0:
        raise UsageError(f"filters.min_script_ratio: {cfg.min_script_ratio} is not between 0 and 1")


def first_failure(text: str, cfg: FilterConfig) -> Verdict:
    """The first filter that rejects ``text``, or None when it is kept."""
    for f in FILTERS:
        verdict = f(text, cfg)
        if verdict is not None:
            return verdict
    return None
