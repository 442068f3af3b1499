"""JSON arrays (or a single object) and JSON Lines of article objects, SaudiNewsNet's shape:
``{source, url, date_extracted, title, author, content}``, mapped through ``config.fields``.

orjson parses the bytes directly when they are UTF-8; other encodings go through
``encoding.decode`` first. A file that does not parse is one rejection; in JSON Lines a bad
line is rejected on its own and the other lines are read.
"""

from __future__ import annotations

from collections.abc import Iterator

import orjson

from akhbar.corpus.config import CorpusConfig
from akhbar.corpus.readers.base import Origin, a_type, excerpt_of, record_from_mapping, reject_input
from akhbar.corpus.readers.encoding import DecodeError, decode
from akhbar.corpus.records import Provenance, RawRecord, Rejection

JSON_READER = "json_v1"
JSONL_READER = "jsonl_v1"


def _text(data: bytes, origin: Origin, reader: str) -> tuple[str | bytes, str] | Rejection:
    """The input as orjson takes it: the bytes when UTF-8 without BOM, else decoded text."""
    if not data.startswith((b"\xef\xbb\xbf", b"\xff\xfe", b"\xfe\xff")):
        try:
            data.decode("utf-8")
            return data, "utf-8"
        except UnicodeDecodeError:
            pass
    try:
        return decode(data)
    except DecodeError as e:
        return reject_input(origin, reader, "undecodable", str(e), data=data)


def _loads(data: bytes, origin: Origin) -> tuple[object, str, Exception | Rejection | None]:
    """``(value, encoding, None)``, or the error: orjson first, other encodings after."""
    try:
        return orjson.loads(data), "utf-8", None
    except orjson.JSONDecodeError as e:
        error: Exception = e
    decoded = _text(data, origin, JSON_READER)
    if isinstance(decoded, Rejection):
        return None, "", decoded
    text, encoding = decoded
    if isinstance(text, bytes):  # valid UTF-8, so orjson's complaint was about the JSON
        return None, encoding, error
    try:
        return orjson.loads(text), encoding, None
    except orjson.JSONDecodeError as e:
        return None, encoding, e


def parse_json(
    data: bytes, origin: Origin, config: CorpusConfig
) -> Iterator[RawRecord | Rejection]:
    """A JSON array of article objects (or one object)."""
    if not data or data.isspace():
        yield reject_input(origin, JSON_READER, "empty_input", "the file is empty")
        return
    value, encoding, error = _loads(data, origin)
    if error is not None:
        if isinstance(error, Rejection):
            yield error
            return
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
    for i, obj in enumerate(value):
        yield record_from_mapping(obj, config, origin, str(i), JSON_READER, encoding)


def parse_jsonl(
    data: bytes, origin: Origin, config: CorpusConfig
) -> Iterator[RawRecord | Rejection]:
    """JSON Lines: one article object per line; blank lines are skipped."""
    decoded = _text(data, origin, JSONL_READER)
    if isinstance(decoded, Rejection):
        yield decoded
        return
    text, encoding = decoded
    lines = text.split(b"\n") if isinstance(text, bytes) else text.split("\n")
    seen = False
    for number, line in enumerate(lines, start=1):
        if not line.strip():
            continue
        seen = True
        position = f"line {number}"
        try:
            obj = orjson.loads(line)
        except orjson.JSONDecodeError as e:
            yield Rejection(
                reason="unparsable",
                detail=f"{origin.input_file} {origin.record(position)}: not valid JSON ({e})",
                provenance=Provenance(
                    origin.input_file, origin.record(position), JSONL_READER, encoding
                ),
                excerpt=excerpt_of(line if isinstance(line, str) else line.decode("utf-8")),
            )
            continue
        yield record_from_mapping(obj, config, origin, position, JSONL_READER, encoding)
    if not seen:
        yield reject_input(
            origin, JSONL_READER, "empty_input", "the file has no lines", encoding=encoding
        )
