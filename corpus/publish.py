"""Atomic publishing: the one way every stage puts an output directory or file in place.

An output is written into a temporary sibling, flushed to disk (``fsync``), and renamed onto its
final name in one step, so a reader sees either the old output or the whole new one, and a run
that fails or is interrupted leaves nothing half-written. Temporaries are named
``.<name>.akhbar-tmp-<pid>-<random>``: a later run recognises those left by a run that died
(its process is gone) and removes them (:func:`remove_stale`).

This is the only module that renames outputs into place. Two hooks are kept here on purpose,
for the safety rules built on top (one module, not a second helper):

- the output lock: :meth:`Output.lock` is entered before anything is written and left after
  the rename (today: no lock; two runs on one output are serialised by the rename);
- the marker: a file that says "this directory is an akhbar output" (``marker``, e.g.
  ``report.json``); an existing directory is replaced only with ``replace=True`` and only if
  it carries the marker or is empty (:meth:`Output.check_replaceable`).
"""

from __future__ import annotations

import contextlib
import ctypes
import ctypes.util
import os
import secrets
import shutil
import sys
from collections.abc import Iterator
from pathlib import Path

from akhbar.schemas.errors import OutputError

TMP_TAG = ".akhbar-tmp-"
_RENAME_EXCHANGE = 2
_AT_FDCWD = -100


def temporary_name(target: Path) -> Path:
    """A fresh temporary sibling of ``target``, recognisable by :func:`remove_stale`."""
    return target.parent / f".{target.name}{TMP_TAG}{os.getpid()}-{secrets.token_hex(4)}"


def _owner(tmp: Path) -> int | None:
    """The process id in a temporary's name, or None if the name is not one of ours."""
    _, sep, rest = tmp.name.partition(TMP_TAG)
    if not sep or not tmp.name.startswith("."):
        return None
    pid, _, _ = rest.partition("-")
    return int(pid) if pid.isdigit() else None


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # someone else's process
        return True
    return True


def remove_stale(directory: Path, name: str = "*") -> list[Path]:
    """Remove the temporaries for ``name`` (or any name) in ``directory`` whose run is dead."""
    removed = []
    if not directory.is_dir():
        return removed
    for p in directory.glob(f".{name}{TMP_TAG}*"):
        pid = _owner(p)
        if pid is None or pid == os.getpid() or _alive(pid):
            continue
        if p.is_dir() and not p.is_symlink():
            shutil.rmtree(p, ignore_errors=True)
        else:
            p.unlink(missing_ok=True)
        removed.append(p)
    return removed


def fsync_tree(path: Path) -> None:
    """Flush a file, or every file and directory under ``path``, to disk."""
    if path.is_dir():
        for root, _dirs, files in os.walk(path):
            for f in files:
                _fsync(Path(root) / f, os.O_RDONLY)
            _fsync(Path(root), os.O_RDONLY | getattr(os, "O_DIRECTORY", 0))
    else:
        _fsync(path, os.O_RDONLY)


def _fsync(path: Path, flags: int) -> None:
    fd = os.open(path, flags)
    try:
        os.fsync(fd)
    except OSError:  # some file systems cannot sync a directory; the data is still there
        if not path.is_dir():
            raise
    finally:
        os.close(fd)


def _exchange(a: Path, b: Path) -> bool:
    """Swap two paths in one atomic step (Linux ``renameat2``); False when unsupported."""
    libc_name = ctypes.util.find_library("c") if sys.platform.startswith("linux") else None
    if not libc_name:
        return False
    renameat2 = getattr(ctypes.CDLL(libc_name, use_errno=True), "renameat2", None)
    if renameat2 is None:
        return False
    rc = renameat2(_AT_FDCWD, os.fsencode(a), _AT_FDCWD, os.fsencode(b), _RENAME_EXCHANGE)
    return rc == 0


def _remove(path: Path) -> None:
    if path.is_dir() and not path.is_symlink():
        shutil.rmtree(path, ignore_errors=True)
    else:
        path.unlink(missing_ok=True)


def move(src: Path, dst: Path) -> None:
    """Rename ``src`` to ``dst`` inside an output that is not published yet (no checks)."""
    os.replace(src, dst)


class Output:
    """One output being written: ``path`` is the temporary; :meth:`commit` publishes it.

    Use as a context manager: leaving the block without a commit (an error, Ctrl-C) removes
    the temporary. ``replace``: an existing output may be replaced (``--force``); otherwise it
    is refused. ``directory``: the output is a directory (created empty) or a file (the caller
    creates it at ``path``, e.g. with ``open(out.path, "wb")``). ``mode`` is applied to a file
    before it is published (e.g. ``0o600`` for settings, ``0o444`` for a snapshot). A file
    whose name depends on its content may get its ``target`` set before :meth:`commit`.
    """

    def __init__(
        self,
        target: str | Path,
        *,
        directory: bool = True,
        replace: bool = False,
        marker: str | None = None,
        mode: int | None = None,
        what: str = "output",
    ) -> None:
        self.target = Path(target)
        self.directory = directory
        self.replace = replace
        self.marker = marker
        self.mode = mode
        self.what = what
        self.committed = False
        self._done = False
        self._lock = self.lock()
        self._lock.__enter__()
        try:
            self.check_replaceable()
            self.target.parent.mkdir(parents=True, exist_ok=True)
            remove_stale(self.target.parent)  # left by dead runs, whatever their output
            self.path = temporary_name(self.target)
            if directory:
                self.path.mkdir()
        except OSError as e:
            self._lock.__exit__(None, None, None)
            raise OutputError(
                f"{self.target}: cannot write the {what} there ({e.strerror or e}); choose a "
                "writable location"
            ) from e
        except BaseException:
            self._lock.__exit__(None, None, None)
            raise

    def lock(self) -> contextlib.AbstractContextManager[object]:
        """Hook: the lock held from start to publish (none yet; see the module docstring)."""
        return contextlib.nullcontext()

    def check_replaceable(self) -> None:
        """Hook: refuse to overwrite what is not ours, or anything without ``replace``."""
        t = self.target
        if not (t.exists() or t.is_symlink()):
            return
        if self.directory and not t.is_dir():
            raise OutputError(f"{t}: is a file; give a directory as --out")
        if not self.replace:
            raise OutputError(
                f"{t} already exists: pass --force to replace it, or choose another --out"
            )
        if self.directory and not (self.marker is None or (t / self.marker).is_file() or _empty(t)):
            raise OutputError(
                f"{t} exists and is not a {self.what} (not an earlier output: no "
                f"{self.marker}); refusing to replace it; remove it yourself or choose another "
                "--out"
            )
        if not self.directory and t.is_dir():
            raise OutputError(f"{t} is a directory; give a file name")

    def commit(self) -> Path:
        """Flush the temporary to disk and rename it onto the target; return the target."""
        try:
            if self.mode is not None:
                os.chmod(self.path, self.mode)
            fsync_tree(self.path)
            if self.directory and self.target.exists():
                if not self.replace:
                    raise OutputError(
                        f"{self.target} appeared while writing; it was left as it is, and "
                        "nothing was written; choose another --out"
                    )
                if _exchange(self.path, self.target):
                    _remove(self.path)  # after the swap, the temporary holds the old output
                else:  # no atomic swap here: the target is absent only between two renames
                    old = temporary_name(self.target)
                    os.rename(self.target, old)
                    os.rename(self.path, self.target)
                    _remove(old)
            elif self.directory or self.replace:
                os.replace(self.path, self.target)
            else:  # a new file, never one that is there already (a link cannot overwrite)
                try:
                    os.link(self.path, self.target)
                except FileExistsError as e:
                    raise OutputError(
                        f"{self.target} exists already and is never overwritten; move it "
                        "away or choose another --out"
                    ) from e
                _remove(self.path)
            with contextlib.suppress(OSError):
                _fsync(self.target.parent, os.O_RDONLY | getattr(os, "O_DIRECTORY", 0))
        except OSError as e:
            raise OutputError(
                f"{self.target}: cannot finish the {self.what} ({e}); nothing was written; "
                "check free space and permissions and run again"
            ) from e
        self.committed = self._done = True
        self._lock.__exit__(None, None, None)
        return self.target

    def abort(self) -> None:
        """Remove the temporary (idempotent)."""
        if not self._done:
            self._done = True
            _remove(self.path)
            self._lock.__exit__(None, None, None)

    def __enter__(self) -> Output:
        return self

    def __exit__(self, *exc: object) -> None:
        self.abort()


def _empty(path: Path) -> bool:
    return not any(path.iterdir())


@contextlib.contextmanager
def publishing(target: str | Path, **kw: object) -> Iterator[Output]:
    """``with publishing(target) as out: write into out.path`` -> published at the block's end
    (unless the block raised). Keywords as for :class:`Output`."""
    with Output(target, **kw) as out:  # type: ignore[arg-type]
        yield out
        out.commit()
