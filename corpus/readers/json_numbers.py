"""JSON numbers kept exactly: an integer too wide for 64 bits is kept as the string of its
digits, never rounded to a float.

orjson (the fast path) reads an integer outside the 64-bit range as a float, so
``123456789012345678901234567`` would become ``1.2345678901234568e+26`` (and one between 2^63
and 2^64 an int no other 64-bit reader takes). Only a value where orjson gave such a number
(a whole float of 2^63 or more, or an int over 2^63 - 1) can have been one; that rare text is
read again with the standard library's parser, which keeps integers exact, and every integer
outside the signed 64-bit range becomes a string (documented in
``schemas/article.schema.json``). Looking at the parsed values costs far less than scanning
the text.
"""

from __future__ import annotations

import json
from typing import Any

import orjson

_INT64 = (-(2**63), 2**63 - 1)


def _int(digits: str) -> int | str:
    value = int(digits)
    return value if _INT64[0] <= value <= _INT64[1] else digits


def _maybe_wide(value: Any) -> bool:
    """Whether orjson may have read an integer outside the signed 64-bit range in ``value``."""
    stack = [value]
    while stack:
        v = stack.pop()
        kind = type(v)
        if kind is dict:
            stack.extend(v.values())
        elif kind is list:
            stack.extend(v)
        elif kind is float:
            if abs(v) >= 2.0**63 and v.is_integer():
                return True
        elif kind is int and not _INT64[0] <= v <= _INT64[1]:
            return True
    return False


def loads(data: bytes | str) -> Any:
    """Like ``orjson.loads`` (and raising its ``JSONDecodeError``), with every integer kept
    exactly: one outside the signed 64-bit range as its decimal string."""
    value = orjson.loads(data)
    if not _maybe_wide(value):
        return value
    try:  # strict=False: control characters inside strings, as orjson lets them through
        return json.loads(data, parse_int=_int, strict=False)
    except RecursionError:  # deeper than the standard parser goes: the depth limit rejects it
        return value
