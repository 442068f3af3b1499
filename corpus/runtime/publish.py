"""Atomic publishing: the one way every stage puts an output directory or file in place.

An output is written into a temporary sibling, flushed to disk (``fsync``), and renamed onto its
final name in one step, so a reader sees either the old output or the whole new one, and a run
that fails or is interrupted leaves nothing half-written. Temporaries are named
``.<name>.akhbar-tmp-<pid>-<random>``: a later run recognises those left by a run that died
(its process is gone) and removes them (:func:`remove_stale`).

This is the only module that renames outputs into place. It also keeps the safety rules of
outputs, so that every stage gets them from one place:

- the output lock (:class:`OutputLock`): taken before anything is written and held until the
  rename, and checked again just before it, so a second run into the same output fails at
  once with a clear message instead of silently replacing the first one's work;
- the marker: a directory output that may be replaced later (``marker`` given) carries a
  hidden ``.akhbar-output`` file naming what it is; ``replace`` (``--force``) replaces only a
  directory with that marker (or an empty one), and never one that holds an input or lies
  inside one (``inputs``).
"""

from __future__ import annotations

import contextlib
import ctypes
import ctypes.util
import fcntl
import json
import os
import secrets
import shutil
import sys
import time
from collections.abc import Iterator, Sequence
from pathlib import Path

from akhbar.schemas.errors import OutputError

TMP_TAG = ".akhbar-tmp-"
LOCK_TAG = ".akhbar-lock"
MARKER = ".akhbar-output"  # in a replaceable directory output: what wrote it
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


def lock_path(target: Path) -> Path:
    """The lock file of an output: a hidden sibling, ``.<name>.akhbar-lock``."""
    return target.parent / f".{target.name}{LOCK_TAG}"


class OutputLock:
    """An exclusive lock on one output, held from before the first byte is written until the
    output is published: a second run into the same output fails at once (or after ``wait``
    seconds). It is a ``flock`` on a sibling file, so the kernel releases it however the
    holder ends (``kill -9`` included) and a stale lock file never blocks anyone."""

    def __init__(self, target: Path, what: str = "output", wait: float = 0.0) -> None:
        self.path = lock_path(target)
        self.target = target
        self.what = what
        self.wait = wait
        self._fd: int | None = None

    def __enter__(self) -> OutputLock:
        deadline = time.monotonic() + self.wait
        while True:
            try:
                self.path.parent.mkdir(parents=True, exist_ok=True)
                fd = os.open(self.path, os.O_RDWR | os.O_CREAT, 0o644)
            except OSError as e:
                raise OutputError(
                    f"{self.target}: cannot write the {self.what} there ({e.strerror or e}); "
                    "choose a writable location"
                ) from e
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except BlockingIOError:
                holder = os.pread(fd, 32, 0).decode("ascii", "replace").strip() or "?"
                os.close(fd)
                if time.monotonic() < deadline:
                    time.sleep(0.05)
                    continue
                raise OutputError(
                    f"{self.target} is being written by another akhbar run (pid {holder}); "
                    "wait for it to finish, or choose another --out"
                ) from None
            if not self._same_file(fd):  # its holder removed it as we opened it: again
                os.close(fd)
                continue
            os.ftruncate(fd, 0)
            os.pwrite(fd, f"{os.getpid()}\n".encode("ascii"), 0)
            self._fd = fd
            return self

    def _same_file(self, fd: int) -> bool:
        try:
            return os.fstat(fd).st_ino == os.stat(self.path).st_ino
        except FileNotFoundError:
            return False

    def check(self) -> None:
        """At publish time: the lock is still this run's (not removed and taken by another)."""
        if self._fd is None or not self._same_file(self._fd):
            raise OutputError(
                f"{self.target}: the output lock {self.path.name} was removed while writing, "
                "so another run may be writing here too; nothing was published, run again"
            )

    def __exit__(self, *exc: object) -> None:
        if self._fd is None:
            return
        if self._same_file(self._fd):  # removed while still held: no one can take it between
            with contextlib.suppress(OSError):
                self.path.unlink()
        os.close(self._fd)
        self._fd = None


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
        inputs: Sequence[str | Path] = (),
        wait: float = 0.0,
    ) -> None:
        self.target = Path(target)
        self.inputs = [Path(p) for p in inputs]
        self.wait = wait
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
                if marker is not None:
                    (self.path / MARKER).write_text(
                        json.dumps({"tool": "akhbar", "kind": what}) + "\n", encoding="utf-8"
                    )
        except OSError as e:
            self._undo_start()
            raise OutputError(
                f"{self.target}: cannot write the {what} there ({e.strerror or e}); choose a "
                "writable location"
            ) from e
        except BaseException:  # Ctrl-C included: no temporary may outlive the run
            self._undo_start()
            raise

    def _undo_start(self) -> None:
        if getattr(self, "path", None) is not None:
            _remove(self.path)
        self._lock.__exit__(None, None, None)

    def lock(self) -> OutputLock:
        """The lock held from start to publish (see :class:`OutputLock`)."""
        return OutputLock(self.target, self.what, self.wait)

    def check_replaceable(self) -> None:
        """Refuse to overwrite what is not ours, an input, or anything without ``replace``."""
        t = self.target
        if not (t.exists() or t.is_symlink()):
            return
        if self.directory and not t.is_dir():
            raise OutputError(f"{t}: is a file; give a directory as --out")
        if not self.replace:
            raise OutputError(
                f"{t} already exists: pass --force to replace it, or choose another --out"
            )
        _refuse_inputs(t, self.inputs)
        if self.directory and not (self.marker is None or _marked(t, self.what) or _empty(t)):
            raise OutputError(
                f"{t} exists and was not written by akhbar as a {self.what} (no {MARKER} "
                "marker); refusing to replace it; remove it yourself or choose another --out"
            )
        if not self.directory and t.is_dir():
            raise OutputError(f"{t} is a directory; give a file name")

    def commit(self) -> Path:
        """Flush the temporary to disk and rename it onto the target; return the target."""
        try:
            if self.mode is not None:
                os.chmod(self.path, self.mode)
            fsync_tree(self.path)
            self._lock.check()  # still this run's output, now that it is about to appear
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


def _marked(path: Path, what: str) -> bool:
    """Whether ``path`` carries the marker of an akhbar output of this kind."""
    try:
        mark = json.loads((path / MARKER).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return False
    return isinstance(mark, dict) and mark.get("tool") == "akhbar" and mark.get("kind") == what


def _refuse_inputs(target: Path, inputs: Sequence[Path]) -> None:
    """An output to be replaced may neither hold an input nor lie inside one."""
    real = target.resolve()
    for given in inputs:
        p = given.resolve()
        if p == real or p.is_relative_to(real) or real.is_relative_to(p):
            raise OutputError(
                f"{target}: refusing to replace it, it holds or lies inside the input {given}; "
                "choose an --out apart from the inputs"
            )


@contextlib.contextmanager
def publishing(target: str | Path, **kw: object) -> Iterator[Output]:
    """``with publishing(target) as out: write into out.path`` -> published at the block's end
    (unless the block raised). Keywords as for :class:`Output`."""
    with Output(target, **kw) as out:  # type: ignore[arg-type]
        yield out
        out.commit()
