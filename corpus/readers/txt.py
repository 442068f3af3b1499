"""Scraped plain-text articles in the seed's shape: the first non-blank line is the title,
everything after it is the body (the body may repeat the title, carry ``[ad_N]`` markers and
end with a ``المصدر`` line; cleaning removes those)."""

from __future__ import annotations

from collections.abc import Iterator

from akhbar.corpus.config import CorpusConfig
from akhbar.corpus.readers.base import Origin, reject_input
from akhbar.corpus.readers.encoding import DecodeError, decode
from akhbar.corpus.records import Provenance, RawRecord, Rejection

READER = "txt_v1"


def parse_txt(data: bytes, origin: Origin, config: CorpusConfig) -> Iterator[RawRecord | Rejection]:
    """One article per file."""
    try:
        decoded = decode(data)
    except DecodeError as e:
        yield reject_input(origin, READER, "undecodable", str(e), data=data)
        return
    encoding = decoded.encoding
    stripped = decoded.text.lstrip()
    if not stripped:
        yield reject_input(
            origin, READER, "empty_input", "the file has no text", data=data, encoding=encoding
        )
        return
    title, _, body = stripped.partition("\n")
    yield RawRecord(
        title=title.strip(),
        text=body,
        provenance=Provenance(
            origin.input_file, origin.record("0"), READER, encoding, decoded.rules()
        ),
    )
