"""Zip archives of inputs (SaudiNewsNet ships one JSON array per day in a zip). Members are
read in name order and handed to the reader for their extension; a member that cannot be
read is rejected on its own and the others are still read.

Nothing is extracted to disk. Members are decompressed in memory up to
``limits.max_file_bytes`` each and ``limits.max_archive_bytes`` in all, counted while they
stream (a header's sizes can lie), so a zip bomb is a rejection, not an out-of-memory. A member
named with ``..`` or an absolute path is rejected as ``unsafe_member``."""

from __future__ import annotations

import re
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
    return name.endswith("/") or any(
        (p.startswith(".") and p != "..") or p == "__MACOSX" for p in parts
    )


_DRIVE = re.compile(r"^[A-Za-z]:")


def _unsafe(name: str) -> bool:
    """A name that would land outside the folder it is extracted to."""
    parts = name.replace("\\", "/").split("/")
    return name.startswith(("/", "\\")) or bool(_DRIVE.match(name)) or ".." in parts


def _read_member(
    archive: zipfile.ZipFile, info: zipfile.ZipInfo, limit: int
) -> bytes | tuple[str, str]:
    """The member's bytes, or ``(reason, detail)``; never more than ``limit + 1`` in memory."""
    if info.file_size > limit:
        return "too_large", f"{info.file_size} bytes once decompressed, over the limit ({limit})"
    try:
        with archive.open(info) as f:
            data = f.read(limit + 1)
    except (zipfile.BadZipFile, zlib.error, EOFError, OSError) as e:
        return "unparsable", f"cannot extract ({e})"
    except (NotImplementedError, RuntimeError) as e:  # compression method, encryption
        return "unsupported", f"cannot extract ({e})"
    if len(data) > limit:
        return "too_large", f"decompresses to more than the limit ({limit} bytes)"
    return data


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
        left = config.limits.max_archive_bytes
        for info in members:
            inner = Origin(origin.input_file, info.filename)
            if _unsafe(info.filename):
                yield reject_input(
                    inner,
                    READER,
                    "unsafe_member",
                    "named with '..' or an absolute path (it would land outside the folder "
                    "it is extracted to); not read",
                )
                continue
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
            limit = min(config.limits.max_file_bytes, left)
            data = _read_member(archive, info, limit)
            if isinstance(data, tuple):
                reason, detail = data
                if reason == "too_large":
                    setting = (
                        "limits.max_file_bytes"
                        if limit == config.limits.max_file_bytes
                        else "what is left of limits.max_archive_bytes"
                    )
                    detail = f"{detail}: {setting}"
                yield reject_input(inner, READER, reason, detail)
                continue
            left -= len(data)
            yield from parser(data, inner, config)
