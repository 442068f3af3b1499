"""JSON arrays (or a single object) and JSON Lines of article objects, SaudiNewsNet's shape:
``{source, url, date_extracted, title, author, content}``, mapped through ``config.fields``.

orjson parses the bytes directly when they are UTF-8; other encodings go through
``encoding.decode`` first. A file that does not parse is one rejection. JSON Lines are decoded
line by line (unless the file is UTF-16/32): a bad line is rejected on its own, with its byte
offset, and never changes how the other lines are read.
"""

from __future__ import annotations

from collections.abc import Iterator

import orjson

from akhbar.corpus.config import CorpusConfig
from akhbar.corpus.readers import json_numbers
from akhbar.corpus.readers.base import Origin, a_type, excerpt_of, record_from_mapping, reject_input
from akhbar.corpus.readers.encoding import (
    BOM_PREFIXES,
    Decoded,
    DecodeError,
    decode,
    decode_wide,
)
from akhbar.corpus.records import Provenance, RawRecord, Rejection

JSON_READER = "json_v1"
JSONL_READER = "jsonl_v1"


def _is_utf8(data: bytes) -> bool:
    try:
        data.decode("utf-8")
    except UnicodeDecodeError:
        return False
    return True


def _loads(data: bytes, origin: Origin) -> tuple[object, Decoded | None, Exception | Rejection]:
    """``(value, decoded, None)``, or the error: orjson on the bytes first, decoded text after."""
    try:
        return json_numbers.loads(data), None, None
    except orjson.JSONDecodeError as e:
        error: Exception = e
    if not data.startswith(BOM_PREFIXES) and _is_utf8(data):
        return None, None, error  # valid UTF-8, so orjson's complaint was about the JSON
    try:
        decoded = decode(data)
    except DecodeError as e:
        return None, None, reject_input(origin, JSON_READER, "undecodable", str(e), data=data)
    try:
        return json_numbers.loads(decoded.text), decoded, None
    except orjson.JSONDecodeError as e:
        return None, decoded, e


def parse_json(
    data: bytes, origin: Origin, config: CorpusConfig
) -> Iterator[RawRecord | Rejection]:
    """A JSON array of article objects (or one object)."""
    if not data or data.isspace():
        yield reject_input(origin, JSON_READER, "empty_input", "the file is empty")
        return
    value, decoded, error = _loads(data, origin)
    encoding = decoded.encoding if decoded else "utf-8"
    if isinstance(error, Rejection):
        yield error
        return
    if error is not None:
        yield reject_input(
            origin,
            JSON_READER,
            "unparsable",
            f"not valid JSON ({error}); fix or re-export the file",
            data=data,
            encoding=encoding,
        )
        return
    if isinstance(value, dict):
        value = [value]
    if not isinstance(value, list):
        yield reject_input(
            origin,
            JSON_READER,
            "unparsable",
            f"the JSON value is {a_type(value)}; expected an array of article objects",
            data=data,
            encoding=encoding,
        )
        return
    if not value:
        yield reject_input(
            origin, JSON_READER, "empty_input", "the JSON array is empty", encoding=encoding
        )
        return
    rules = decoded.rules() if decoded else {}
    for i, obj in enumerate(value):
        yield record_from_mapping(obj, config, origin, str(i), JSON_READER, encoding, rules)


def _lines(data: bytes) -> Iterator[tuple[int, bytes | str, Decoded | DecodeError | None]]:
    """``(line number, line, how it was decoded)``: ``None`` for a line of valid UTF-8 bytes
    (orjson reads those directly), a DecodeError for a line that is not text."""
    wide: Decoded | DecodeError | None = None
    if data.startswith(BOM_PREFIXES):
        try:
            wide = decode(data)
        except DecodeError as e:
            wide = e
    elif b"\x00" in data:  # perhaps UTF-16/32 without a BOM, where a newline is wider
        wide = decode_wide(data)
    if isinstance(wide, DecodeError):
        yield 0, b"", wide
        return
    if wide is not None:
        for number, line in enumerate(wide.text.split("\n"), start=1):
            yield number, line, wide
        return
    whole_utf8 = _is_utf8(data)
    offset = 0
    for number, line in enumerate(data.split(b"\n"), start=1):
        start, offset = offset, offset + len(line) + 1
        if whole_utf8 or _is_utf8(line):
            yield number, line, None
            continue
        try:
            decoded = decode(line, base=start)
        except DecodeError as e:
            yield number, line, e
            continue
        yield number, decoded.text, decoded


def parse_jsonl(
    data: bytes, origin: Origin, config: CorpusConfig
) -> Iterator[RawRecord | Rejection]:
    """JSON Lines: one article object per line; blank lines are skipped."""
    seen = False
    encoding = "utf-8"
    for number, line, decoded in _lines(data):
        if isinstance(decoded, DecodeError) and number == 0:
            yield reject_input(origin, JSONL_READER, "undecodable", str(decoded), data=data)
            return
        if not line.strip():
            continue
        seen = True
        position = f"line {number}"
        where = f"{origin.input_file} {origin.record(position)}"
        encoding = decoded.encoding if isinstance(decoded, Decoded) else "utf-8"
        provenance = Provenance(origin.input_file, origin.record(position), JSONL_READER)
        if isinstance(decoded, DecodeError):
            yield Rejection(
                reason="undecodable",
                detail=f"{where}: {decoded}",
                provenance=provenance,
                excerpt=excerpt_of(line),
            )
            continue
        try:
            obj = json_numbers.loads(line)
        except orjson.JSONDecodeError as e:
            provenance.encoding = encoding
            yield Rejection(
                reason="unparsable",
                detail=f"{where}: not valid JSON ({e})",
                provenance=provenance,
                excerpt=excerpt_of(line if isinstance(line, str) else line.decode("utf-8")),
            )
            continue
        rules = decoded.rules() if decoded else {}
        yield record_from_mapping(obj, config, origin, position, JSONL_READER, encoding, rules)
    if not seen:
        yield reject_input(
            origin, JSONL_READER, "empty_input", "the file has no lines", encoding=encoding
        )
