"""The list of a build's input files, held compactly: a few bytes per file, not Python objects.

A build lists every input file before it reads one (so that a usage error comes before any
output). A list of ``(name, pathlib.Path)`` pairs costs about 650 bytes a file, and the workers
forked after the listing inherit it, so a million one-article files would cost gigabytes in
every process. :class:`InputFiles` keeps, per file, only its path relative to the input it was
found under, as file-system bytes in one buffer with numpy offsets (tens of bytes a file), and
makes the ``(name for provenance, path)`` pair when it is asked for one.
"""

from __future__ import annotations

import os
from collections.abc import Iterator, Sequence
from pathlib import Path

import numpy as np

from akhbar.corpus.readers.names import recorded_name


class InputFiles(Sequence[tuple[str, Path]]):
    """``(name for provenance, path)`` of every input file, in reading order.

    Built with :meth:`add_file` (an input named as a file) and :meth:`add_tree` (the sorted
    relative paths of the files found under an input directory). The name is the one
    provenance records (:func:`akhbar.corpus.readers.names.recorded_name`: valid UTF-8
    whatever the bytes of the file's name); the path is the one to open.
    """

    def __init__(self) -> None:
        self._roots: list[Path] = []  # one per input named on the command line
        self._root_of = np.empty(0, np.uint32)
        self._ends = np.empty(0, np.int64)  # end of each relative path in _names
        self._names = b""  # relative paths (file-system bytes; b"" for an input file)

    def add_file(self, path: Path) -> None:
        """An input named as a file: recorded as given."""
        self._add(path, [b""])

    def add_tree(self, root: Path, relative: Sequence[str]) -> None:
        """The files found under ``root``, as paths relative to it (in reading order)."""
        self._add(root, [os.fsencode(r) for r in relative])

    def _add(self, root: Path, names: list[bytes]) -> None:
        self._roots.append(root)
        root_index = len(self._roots) - 1
        lengths = np.fromiter(map(len, names), np.int64, len(names))
        start = int(self._ends[-1]) if len(self._ends) else 0
        self._ends = np.concatenate([self._ends, start + np.cumsum(lengths)])
        self._root_of = np.concatenate([self._root_of, np.full(len(names), root_index, np.uint32)])
        self._names += b"".join(names)

    def __len__(self) -> int:
        return len(self._ends)

    def __getitem__(self, i: int) -> tuple[str, Path]:  # type: ignore[override]
        if not -len(self) <= i < len(self):
            raise IndexError(i)
        i %= len(self)
        start = int(self._ends[i - 1]) if i else 0
        root = self._roots[int(self._root_of[i])]
        rel = os.fsdecode(self._names[start : int(self._ends[i])])
        if not rel:
            return recorded_name(root.as_posix()), root
        return recorded_name(f"{root.as_posix()}/{rel}"), root / rel

    def __iter__(self) -> Iterator[tuple[str, Path]]:
        for i in range(len(self)):
            yield self[i]

    def __eq__(self, other: object) -> bool:
        if isinstance(other, InputFiles | list):
            return list(self) == list(other)
        return NotImplemented

    def __repr__(self) -> str:
        return f"InputFiles({len(self)} files)"
