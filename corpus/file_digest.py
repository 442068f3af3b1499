"""The one sha256 of a file (or of files read one after the other), with its size in bytes.

Every output that names its inputs (``validation.json``, ``agreement.json``, a release's
manifest, a CoNLL import's report) records them by this digest. A digest made while bytes
arrive (a download, a snapshot hashed beside validation) updates its own ``hashlib`` object
and is not a file's digest in this sense.
"""

from __future__ import annotations

import hashlib
from pathlib import Path
from typing import NamedTuple

BLOCK = 1 << 22  # bytes read at a time (hashlib releases the GIL on blocks this large)


class FileDigest(NamedTuple):
    sha256: str  # hex
    size: int  # bytes


def sha256_file(*paths: str | Path) -> FileDigest:
    """sha256 and size of the files' bytes, read one after the other (OSError as open raises)."""
    h = hashlib.sha256()
    size = 0
    for path in paths:
        with open(path, "rb") as f:
            while block := f.read(BLOCK):
                h.update(block)
                size += len(block)
    return FileDigest(h.hexdigest(), size)
