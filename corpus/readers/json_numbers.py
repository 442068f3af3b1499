"""JSON numbers kept exactly: an integer too wide for 64 bits is kept as the string of its
digits, never rounded to a float.

orjson (the fast path) reads an integer outside the 64-bit range as a float, so
``123456789012345678901234567`` would become ``1.2345678901234568e+26``. Only a text that holds
a run of 19 or more digits can hold such an integer; that rare text is read again with the
standard library's parser, which keeps integers exact, and every integer outside the signed
64-bit range becomes a string (documented in ``schemas/article.schema.json``).
"""

from __future__ import annotations

import json
import re
from typing import Any

import orjson

_LONG_DIGITS = re.compile(rb"\d{19}")
_LONG_DIGITS_TEXT = re.compile(r"\d{19}")
_INT64 = (-(2**63), 2**63 - 1)


def _int(digits: str) -> int | str:
    value = int(digits)
    return value if _INT64[0] <= value <= _INT64[1] else digits


def loads(data: bytes | str) -> Any:
    """Like ``orjson.loads`` (and raising its ``JSONDecodeError``), with every integer kept
    exactly: one outside the signed 64-bit range as its decimal string."""
    value = orjson.loads(data)
    wide = _LONG_DIGITS if isinstance(data, bytes) else _LONG_DIGITS_TEXT
    if wide.search(data) is None:  # type: ignore[arg-type]
        return value
    try:  # strict=False: control characters inside strings, as orjson lets them through
        return json.loads(data, parse_int=_int, strict=False)
    except RecursionError:  # deeper than the standard parser goes: the depth limit rejects it
        return value
