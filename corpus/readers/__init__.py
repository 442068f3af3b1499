"""Readers: turn input files and directories into RawRecords, or Rejections with a reason.

``read_inputs(paths, config)`` accepts files and directories (walked in sorted order, so the
order of records, and everything downstream, is the same on every run and machine):

- ``.txt``: one scraped article per file, in the seed's shape (``txt.py``);
- ``.json`` (an array of objects, or one object) and ``.jsonl`` (``json_records.py``);
- ``.zip`` archives of the above, SaudiNewsNet's shape (``zip_archive.py``);
- ``.html``/``.htm`` pages, main text via trafilatura (``html.py``).

Text is decoded from UTF-8, UTF-8/16/32 with a BOM, or Windows-1256 (``encoding.py``). A
file that cannot be read, decoded or parsed becomes a Rejection and the run goes on; a path
that does not exist, or a directory with no inputs in it, is a usage error.

Part of akhbar.corpus; may import akhbar.corpus and akhbar.schemas.
"""

from __future__ import annotations

import dataclasses
import os
import stat
from collections.abc import Iterator, Sequence
from pathlib import Path

from akhbar.corpus.config import CorpusConfig
from akhbar.corpus.readers.base import OUR_FIELDS, Origin, excerpt_of, reject_input
from akhbar.corpus.readers.html import parse_html
from akhbar.corpus.readers.input_files import InputFiles
from akhbar.corpus.readers.json_records import parse_json, parse_jsonl
from akhbar.corpus.readers.txt import parse_txt
from akhbar.corpus.readers.zip_archive import Parser, parse_zip
from akhbar.corpus.records import RawRecord, Rejection
from akhbar.schemas.errors import UsageError

__all__ = [
    "SUPPORTED_SUFFIXES",
    "InputFiles",
    "check_fields",
    "list_inputs",
    "read_file",
    "read_inputs",
]

# Readers of one file's bytes, by extension (also used for members of zip archives).
PARSERS: dict[str, Parser] = {
    ".txt": parse_txt,
    ".json": parse_json,
    ".jsonl": parse_jsonl,
    ".ndjson": parse_jsonl,
    ".html": parse_html,
    ".htm": parse_html,
}
SUPPORTED_SUFFIXES = (*sorted(PARSERS), ".zip")


def read_inputs(
    paths: Sequence[str | Path], config: CorpusConfig
) -> Iterator[RawRecord | Rejection]:
    """Every record of every input, in a deterministic order.

    Checks the paths and the field mapping before reading anything, so that a usage error
    (raised here, not later from the iterator) never leaves a half-done run behind.
    """
    config = check_fields(config)
    files = list_inputs(paths)
    return (item for display, path in files for item in read_file(path, display, config))


def list_inputs(paths: Sequence[str | Path]) -> InputFiles:
    """``(name for provenance, path)`` of every input file, directories walked in sorted order.
    The name is valid UTF-8 whatever the bytes of the file's name (:mod:`.names`: reversibly
    escaped), so that provenance, reports and ``rejected.jsonl`` can always be written.

    Hidden files and directories (``.name``) are skipped; other files with an extension we
    cannot read are listed, so that they come out as ``unsupported`` rejections. The list is
    compact (:class:`.input_files.InputFiles`: tens of bytes a file).
    """
    if not paths:
        raise UsageError("no inputs given; name files or directories to read")
    files = InputFiles()
    for given in paths:
        path = Path(given)
        if path.is_file():
            files.add_file(path)
        elif path.is_dir():
            found = sorted(_walk(path))
            if not any(_suffix(rel) in SUPPORTED_SUFFIXES for rel in found):
                raise UsageError(
                    f"{path}: no input files in this directory (looked for "
                    f"{', '.join(SUPPORTED_SUFFIXES)}); give a file or a directory of inputs"
                )
            files.add_tree(path, found)
        elif path.exists():
            raise UsageError(f"{path}: neither a file nor a directory; give a file or directory")
        else:
            raise UsageError(f"{path}: no such file or directory; check the path")
    return files


def _suffix(relative: str) -> str:
    return os.path.splitext(relative.rpartition("/")[2])[1].lower()


def _walk(root: Path) -> Iterator[str]:
    """The path relative to ``root`` of every entry under it that is not a directory to
    descend into, symlinks followed but each real directory entered once (so a loop ends). A
    directory that cannot be listed, or that was entered already, is yielded itself:
    ``read_file`` turns it into a rejection. Only strings: the listing of a million files
    must not hold a million ``Path`` objects."""
    entered = {os.path.realpath(root)}

    def visit(directory: str, prefix: str) -> Iterator[str]:
        try:
            with os.scandir(directory) as it:
                entries = sorted(((e.name, e) for e in it), key=lambda pair: pair[0])
        except OSError:
            yield prefix.rstrip("/") or "."
            return
        for name, entry in entries:
            if name.startswith("."):
                continue
            rel = prefix + name
            try:
                is_dir = entry.is_dir()  # follows symlinks
            except OSError:
                is_dir = False
            real = os.path.realpath(entry.path) if is_dir else None
            if real is None or real in entered:
                yield rel
                continue
            entered.add(real)
            yield from visit(entry.path, rel + "/")

    yield from visit(str(root), "")


def _not_a_file(path: Path) -> tuple[str, str] | None:
    """``(reason, detail)`` when ``path`` is not a regular file to read; found by ``stat``,
    without opening it (opening a FIFO would wait for a writer forever)."""
    try:
        st = os.stat(path)
    except OSError as e:
        if path.is_symlink():
            return "unreadable", f"a symbolic link to nothing readable ({e.strerror})"
        return "unreadable", f"cannot read ({e.strerror})"
    mode = st.st_mode
    if stat.S_ISREG(mode):
        return None
    if stat.S_ISDIR(mode):
        try:
            with os.scandir(path):
                pass
        except OSError as e:
            return (
                "unreadable",
                f"cannot list this directory ({e.strerror}); its files are not read",
            )
        return (
            "repeated_directory",
            f"a symbolic link to {os.path.realpath(path)}, a directory already read (a loop or "
            "a second link); not read again",
        )
    if stat.S_ISFIFO(mode):
        kind = "a named pipe (FIFO)"
    elif stat.S_ISSOCK(mode):
        kind = "a socket"
    elif stat.S_ISCHR(mode) or stat.S_ISBLK(mode):
        kind = "a device"
    else:
        kind = "not a regular file"
    return "not_a_file", f"{kind}; not opened"


def _read_bounded(
    path: Path, limit: int, reason: str = "too_large", setting: str = "limits.max_file_bytes"
) -> bytes | tuple[str, str]:
    """The bytes of a regular file of at most ``limit`` bytes, or ``(reason, detail)``.

    Opened without blocking and checked again once open, so a file swapped for a FIFO after
    ``stat`` cannot hang the run."""
    flags = os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_NOCTTY", 0)
    try:
        fd = os.open(path, flags)
    except OSError as e:
        return "unreadable", f"cannot read ({e.strerror})"
    with os.fdopen(fd, "rb") as f:
        st = os.fstat(fd)
        if not stat.S_ISREG(st.st_mode):
            return "not_a_file", "not a regular file; not read"
        if st.st_size > limit:
            return reason, f"{st.st_size} bytes, over {setting} ({limit} bytes)"
        try:
            data = f.read(limit + 1)
        except OSError as e:
            return "unreadable", f"cannot read ({e.strerror})"
    if len(data) > limit:
        return reason, f"over {setting} ({limit} bytes)"
    return data


def read_file(path: Path, display: str, config: CorpusConfig) -> Iterator[RawRecord | Rejection]:
    """The records of one file; a file that cannot be read at all is one Rejection."""
    return _within_limits(_read_file(path, display, config), config.limits.max_article_chars)


def _read_file(path: Path, display: str, config: CorpusConfig) -> Iterator[RawRecord | Rejection]:
    origin = Origin(display)
    problem = _not_a_file(path)
    if problem is not None:
        yield reject_input(origin, "none", *problem)
        return
    suffix = path.suffix.lower()
    if suffix == ".zip":
        yield from parse_zip(str(path), origin, config, PARSERS)
        return
    parser = PARSERS.get(suffix)
    if parser is None:
        yield reject_input(
            origin,
            "none",
            "unsupported",
            f"no reader for {suffix or 'files without an extension'}; "
            f"supported: {', '.join(SUPPORTED_SUFFIXES)}",
        )
        return
    limits = config.limits
    if suffix == ".txt" and 4 * limits.max_article_chars < limits.max_file_bytes:
        # One article, and no character takes more than 4 bytes: longer is too long.
        data = _read_bounded(
            path, 4 * limits.max_article_chars, "too_long", "4 x limits.max_article_chars"
        )
    else:
        data = _read_bounded(path, limits.max_file_bytes)
    if isinstance(data, tuple):
        yield reject_input(origin, "none", *data)
        return
    if not data or data.isspace():  # isspace stops at the first byte of text; strip copies
        yield reject_input(origin, "none", "empty_input", "the file is empty")
        return
    yield from parser(data, origin, config)


def _within_limits(
    items: Iterator[RawRecord | Rejection], max_chars: int
) -> Iterator[RawRecord | Rejection]:
    """Records longer than ``limits.max_article_chars`` become rejections."""
    for item in items:
        if isinstance(item, RawRecord) and len(item.title) + len(item.text) > max_chars:
            prov = item.provenance
            yield Rejection(
                reason="too_long",
                detail=f"{prov.input_file} record {prov.record}: "
                f"{len(item.title) + len(item.text)} characters, over "
                f"limits.max_article_chars ({max_chars})",
                provenance=prov,
                title=item.title[:200] or None,
                excerpt=excerpt_of(item.text),
            )
        else:
            yield item


def check_fields(config: CorpusConfig) -> CorpusConfig:
    """The config with its field mapping checked and completed by the default mapping (as
    ``load_config`` does for a YAML file), so every reader can look every field up."""
    unknown = sorted(set(config.fields) - set(OUR_FIELDS))
    if unknown:
        raise UsageError(
            f"fields: unknown field(s) {unknown}; the fields that can be mapped are "
            f"{list(OUR_FIELDS)}"
        )
    for name, key in config.fields.items():
        if not isinstance(key, str) or not key:
            raise UsageError(f"fields.{name}: expected the input's key name, got {key!r}")
    fields = {**CorpusConfig().fields, **config.fields}
    return config if fields == config.fields else dataclasses.replace(config, fields=fields)
