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
"""

from __future__ import annotations

import dataclasses
import os
from collections.abc import Iterator, Sequence
from pathlib import Path

from akhbar.corpus.config import CorpusConfig
from akhbar.corpus.errors import UsageError
from akhbar.corpus.readers.base import OUR_FIELDS, Origin, reject_input
from akhbar.corpus.readers.html import parse_html
from akhbar.corpus.readers.json_records import parse_json, parse_jsonl
from akhbar.corpus.readers.txt import parse_txt
from akhbar.corpus.readers.zip_archive import Parser, parse_zip
from akhbar.corpus.records import RawRecord, Rejection

__all__ = ["SUPPORTED_SUFFIXES", "list_inputs", "read_file", "read_inputs"]

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
    config = _with_default_fields(config)
    files = list_inputs(paths)
    return (item for display, path in files for item in read_file(path, display, config))


def list_inputs(paths: Sequence[str | Path]) -> list[tuple[str, Path]]:
    """``(name for provenance, path)`` of every input file, directories walked in sorted order.

    Hidden files and directories (``.name``) are skipped; other files with an extension we
    cannot read are listed, so that they come out as ``unsupported`` rejections.
    """
    if not paths:
        raise UsageError("no inputs given; name files or directories to read")
    files: list[tuple[str, Path]] = []
    for given in paths:
        path = Path(given)
        if path.is_file():
            files.append((path.as_posix(), path))
        elif path.is_dir():
            found = sorted(_walk(path))
            if not any(p.suffix.lower() in SUPPORTED_SUFFIXES for _, p in found):
                raise UsageError(
                    f"{path}: no input files in this directory (looked for "
                    f"{', '.join(SUPPORTED_SUFFIXES)}); give a file or a directory of inputs"
                )
            files.extend((f"{path.as_posix()}/{rel}", p) for rel, p in found)
        elif path.exists():
            raise UsageError(f"{path}: neither a file nor a directory; give a file or directory")
        else:
            raise UsageError(f"{path}: no such file or directory; check the path")
    return files


def _walk(root: Path) -> Iterator[tuple[str, Path]]:
    for dirpath, dirnames, filenames in os.walk(root, followlinks=True):
        dirnames[:] = sorted(d for d in dirnames if not d.startswith("."))
        for name in filenames:
            if not name.startswith("."):
                full = Path(dirpath, name)
                yield full.relative_to(root).as_posix(), full


def read_file(path: Path, display: str, config: CorpusConfig) -> Iterator[RawRecord | Rejection]:
    """The records of one file; a file that cannot be read at all is one Rejection."""
    origin = Origin(display)
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
    try:
        data = path.read_bytes()
    except OSError as e:
        yield reject_input(origin, "none", "unreadable", f"cannot read ({e.strerror})")
        return
    if not data or data.isspace():  # isspace stops at the first byte of text; strip copies
        yield reject_input(origin, "none", "empty_input", "the file is empty")
        return
    yield from parser(data, origin, config)


def _with_default_fields(config: CorpusConfig) -> CorpusConfig:
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
