"""File names as recorded in provenance and reports: any bytes a file system allows, kept
reversibly in text that is valid UTF-8.

A name that decodes as UTF-8 is recorded as it is; a byte that does not (an Arabic name saved
in Windows-1256, ``été.txt`` in Latin-1) is written ``\\xNN``, and a backslash in the name is
doubled so that the escape cannot be mistaken for part of a name. :func:`name_bytes` gives
back the exact bytes.
"""

from __future__ import annotations

import os
import re

_ESCAPE = re.compile(r"\\(\\|x[0-9a-f]{2})")


def recorded_name(path: str) -> str:
    """The form of ``path`` (as Python holds it, undecodable bytes as surrogates) that
    provenance records: valid UTF-8 text, from which :func:`name_bytes` restores the bytes."""
    raw = os.fsencode(path)
    return raw.replace(b"\\", b"\\\\").decode("utf-8", "backslashreplace")


def name_bytes(recorded: str) -> bytes:
    """The bytes of a name recorded by :func:`recorded_name`."""
    out = bytearray()
    pos = 0
    for m in _ESCAPE.finditer(recorded):
        out += recorded[pos : m.start()].encode("utf-8")
        token = m.group(1)
        out += b"\\" if token == "\\" else bytes([int(token[1:], 16)])
        pos = m.end()
    out += recorded[pos:].encode("utf-8")
    return bytes(out)
