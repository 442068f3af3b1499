"""Zip archives of inputs (SaudiNewsNet ships one JSON array per day in a zip). Members are
read in name order and handed to the reader for their extension; a member that cannot be
read is rejected on its own and the others are still read."""

from __future__ import annotations

import zipfile
import zlib
from collections.abc import Callable, Iterator
from pathlib import PurePosixPath

from akhbar.corpus.config import CorpusConfig
from akhbar.corpus.readers.base import Origin, reject_input
from akhbar.corpus.records import RawRecord, Rejection

READER = "zip_v1"

Parser = Callable[[bytes, Origin, CorpusConfig], Iterator[RawRecord | Rejection]]


def _skipped(name: str) -> bool:
    """Directory entries and the hidden files archivers add (``__MACOSX/``, ``.DS_Store``)."""
    parts = PurePosixPath(name).parts
    return name.endswith("/") or any(p.startswith(".") or p == "__MACOSX" for p in parts)


def parse_zip(
    path: str, origin: Origin, config: CorpusConfig, parsers: dict[str, Parser]
) -> Iterator[RawRecord | Rejection]:
    """Every member whose extension has a reader in ``parsers`` (nested zips excepted)."""
    try:
        archive = zipfile.ZipFile(path)
    except (zipfile.BadZipFile, OSError, ValueError) as e:
        yield reject_input(origin, READER, "unparsable", f"not a readable zip archive ({e})")
        return
    with archive:
        members = sorted(
            (info for info in archive.infolist() if not _skipped(info.filename)),
            key=lambda info: info.filename,
        )
        if not members:
            yield reject_input(origin, READER, "empty_input", "the zip archive has no files")
            return
        for info in members:
            inner = Origin(origin.input_file, info.filename)
            suffix = PurePosixPath(info.filename).suffix.lower()
            parser = parsers.get(suffix) if suffix != ".zip" else None
            if parser is None:
                yield reject_input(
                    inner,
                    READER,
                    "unsupported",
                    f"no reader for {suffix or 'files without an extension'} inside a zip; "
                    f"supported: {', '.join(sorted(parsers))}",
                )
                continue
            try:
                data = archive.read(info)
            except (zipfile.BadZipFile, zlib.error, EOFError, OSError) as e:
                yield reject_input(inner, READER, "unparsable", f"cannot extract ({e})")
                continue
            except (NotImplementedError, RuntimeError) as e:  # compression method, encryption
                yield reject_input(inner, READER, "unsupported", f"cannot extract ({e})")
                continue
            yield from parser(data, inner, config)
