"""Where the work runs, kept apart from what a step does: the one executor of every stage.

A step is a picklable callable from one item (a chunk of records, a range of an export, a part
of a release) to one result. ``Executor.map`` applies it to the items and yields the results in
input order, so an output never depends on how many processes made it. Two engines:

- ``LocalExecutor``: this process, one item after the other;
- ``ProcessExecutor``: a pool of local processes with at most ``2 * workers`` items in flight,
  so memory stays flat however large the input.

The Ray engine is :class:`akhbar.corpus.runtime.executor_ray.RayExecutor` (the same ``workers``,
``map`` and ``close``, plus ``remote`` for results that stay in the cluster); it is imported
only when ``--executor ray`` asks for it, so the local engines never load Ray.

One policy for interruption and failure, whatever the stage:

- Workers ignore Ctrl-C (SIGINT) and take the default action on SIGTERM (a silent exit): the
  parent alone reacts, by raising (``KeyboardInterrupt``, or :class:`Terminated` within
  :func:`handle_sigterm`). Leaving ``map``/``with`` that way terminates the
  workers at once, and the caller's own cleanup (unpublished temporaries) runs as usual; the
  command line prints one line and exits 130 or 143.
- A worker asks the kernel to kill it when its parent dies, even by ``kill -9`` (Linux
  ``PR_SET_PDEATHSIG``; elsewhere a thread watches the parent), so no worker outlives a run.
- An exception raised by a step reaches the caller with its class. A worker that dies (killed,
  out of memory) ends the run with :class:`WorkerError`, one line, never a hang.
- ``workers`` has one meaning everywhere: 0 = one per core, 1 = this process only, N = N
  processes; a negative number is refused (:func:`resolve_workers`).

Start method: ``fork`` (cheap; workers inherit the imported modules and large read-only state)
where the platform has it, ``spawn`` when the caller asks for it because its process already
runs threads that a fork would copy in the middle of their work (Arrow's thread pools).
"""

from __future__ import annotations

import contextlib
import ctypes
import ctypes.util
import gc
import multiprocessing
import os
import signal
import sys
import threading
import time
from collections import deque
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import Future, ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from typing import Any, Protocol, TypeVar

from akhbar.schemas.errors import AkhbarError, UsageError

T = TypeVar("T")
R = TypeVar("R")

_PR_SET_PDEATHSIG = 1


class WorkerError(AkhbarError):
    """A worker process died (killed, out of memory) before it returned its result."""


class Terminated(BaseException):
    """Raised in the main thread on SIGTERM (see :func:`handle_sigterm`), like Ctrl-C's
    ``KeyboardInterrupt``: ``finally`` blocks and context managers clean up on the way out."""


class Executor(Protocol):
    """Maps a step over items; results come back in the order of the items."""

    workers: int

    def map(self, step: Callable[[T], R], items: Iterable[T]) -> Iterator[R]: ...

    def close(self) -> None: ...

    def __enter__(self) -> Executor: ...

    def __exit__(self, *exc: object) -> None: ...


class LocalExecutor:
    """Runs every item in the calling process, one after the other. The worker initializer is
    not run: a caller with one process already holds what a worker would build."""

    workers = 1

    def map(self, step: Callable[[T], R], items: Iterable[T]) -> Iterator[R]:
        for item in items:
            yield step(item)

    def close(self) -> None:
        pass

    def __enter__(self) -> LocalExecutor:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


class ProcessExecutor:
    """Runs items in ``workers`` local processes, at most ``2 * workers`` in flight.

    ``initializer(*initargs)`` runs once in each worker (to build state a step reads from a
    module global). The processes start here, before the constructor returns.
    """

    def __init__(
        self,
        workers: int,
        initializer: Callable[..., Any] | None = None,
        initargs: tuple[Any, ...] = (),
        *,
        start: str = "fork",
    ) -> None:
        if workers < 2:
            raise ValueError(f"a process pool needs 2 workers or more, got {workers}")
        self.workers = workers
        if start not in multiprocessing.get_all_start_methods():
            start = "spawn"
        ctx = multiprocessing.get_context(start)
        self._closed = False
        # Ctrl-C or SIGTERM while the workers are being forked would be raised inside the
        # fork's bookkeeping, leaving a worker the pool does not know of (and the exit waiting
        # on it forever): both are held back until every worker is started, then raised here,
        # where the pool is stopped. Workers start with them blocked and unblock them once set up.
        try:
            with _stop_signals_held() as blocked:
                self._pool = ProcessPoolExecutor(
                    max_workers=workers,
                    mp_context=ctx,
                    initializer=_worker_start,
                    initargs=(os.getpid(), start == "fork", initializer, initargs, blocked),
                )
                # Start every worker now, in the calling thread (the parent-death signal is
                # tied to the thread that forks), rather than on the first items.
                for _ in range(workers if start != "fork" else 1):
                    self._pool.submit(int)
        except BaseException:
            if hasattr(self, "_pool"):
                self.close(stop=True)
            raise

    def map(self, step: Callable[[T], R], items: Iterable[T]) -> Iterator[R]:
        window = 2 * self.workers
        pending: deque[Future[R]] = deque()
        try:
            for item in items:
                try:
                    pending.append(self._pool.submit(step, item))
                except BrokenProcessPool as e:
                    raise _worker_error() from e
                if len(pending) >= window:
                    yield _result(pending.popleft())
            while pending:
                yield _result(pending.popleft())
        except BaseException:
            for f in pending:
                f.cancel()
            self.close(stop=True)
            raise

    def close(self, stop: bool = True) -> None:
        """Stop the pool. ``stop``: terminate workers at once (the default: by the time a
        caller closes, every result it wanted is in, or an error ended the run)."""
        if self._closed:
            return
        self._closed = True
        processes = list((getattr(self._pool, "_processes", None) or {}).values())
        manager = getattr(self._pool, "_executor_manager_thread", None)
        if not stop:
            self._pool.shutdown(wait=True)
            return
        self._pool.shutdown(wait=False, cancel_futures=True)
        for p in processes:
            if p.is_alive():
                p.terminate()
        deadline = time.monotonic() + 5
        for p in processes:
            p.join(max(0.0, deadline - time.monotonic()))
            if p.is_alive():
                p.kill()
                p.join()
        if manager is not None:  # it reaps the workers too: let it finish before returning
            manager.join(max(0.0, deadline - time.monotonic()))

    def __enter__(self) -> ProcessExecutor:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def _result(future: Future[R]) -> R:
    try:
        return future.result()
    except BrokenProcessPool as e:
        raise _worker_error() from e


def _worker_error() -> WorkerError:
    return WorkerError(
        "a worker process stopped unexpectedly (killed, or out of memory); nothing was "
        "written; check free memory, or run again with --workers 1"
    )


@contextlib.contextmanager
def _stop_signals_held() -> Iterator[set[signal.Signals] | None]:
    """Hold SIGINT and SIGTERM back within the block; one that came meanwhile is raised on
    leaving it. Yields the signal mask for a forked child to restore (None where unsupported).

    Two layers, because either alone leaks: the mask blocks the signals in this thread, so a
    child forked here starts with them blocked; but the kernel then hands them to any other
    thread (a reader, a hasher) and Python runs the handler in the main thread regardless, so
    the handlers are swapped for ones that only take note.
    """
    if threading.current_thread() is not threading.main_thread() or not hasattr(
        signal, "pthread_sigmask"
    ):
        yield None
        return
    stops = (signal.SIGINT, signal.SIGTERM)
    noted: list[int] = []
    handlers = {s: signal.signal(s, lambda signum, frame: noted.append(signum)) for s in stops}
    blocked = signal.pthread_sigmask(signal.SIG_BLOCK, set(stops))
    try:
        yield blocked
    finally:
        signal.pthread_sigmask(signal.SIG_SETMASK, blocked)  # one pending is noted here
        _checkpoint()
        for s, handler in handlers.items():
            signal.signal(s, handler)
        if noted:
            signal.raise_signal(noted[0])  # now through the caller's own handler
            _checkpoint()


def _checkpoint() -> None:
    """A Python call: the interpreter runs pending signal handlers on entering it."""


def _worker_start(
    parent: int,
    forked: bool,
    initializer: Callable[..., Any] | None,
    initargs: tuple[Any, ...],
    blocked: set[signal.Signals] | None = None,
) -> None:
    """In each worker, before anything else: the signal policy, then the caller's initializer."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C is the parent's to handle
    signal.signal(signal.SIGTERM, signal.SIG_DFL)  # a forked worker inherits the parent's handler
    if blocked is not None:  # blocked while the pool started (see ProcessExecutor)
        signal.pthread_sigmask(signal.SIG_SETMASK, blocked)
    _exit_with_parent(parent)
    if forked:
        # A forked worker starts with a copy of everything the parent holds; the collector
        # must not walk those objects again and again (slow, and it unshares their pages).
        gc.freeze()
    if initializer is not None:
        initializer(*initargs)


def _exit_with_parent(parent: int) -> None:
    """Have this process end when ``parent`` does, however the parent ends."""
    libc_name = ctypes.util.find_library("c") if sys.platform.startswith("linux") else None
    if libc_name:
        libc = ctypes.CDLL(libc_name, use_errno=True)
        if libc.prctl(_PR_SET_PDEATHSIG, signal.SIGTERM, 0, 0, 0) == 0:
            if os.getppid() != parent:  # the parent died before the request was made
                os._exit(1)
            return
    threading.Thread(target=_watch_parent, args=(parent,), daemon=True).start()


def _watch_parent(parent: int) -> None:
    while os.getppid() == parent:
        time.sleep(1.0)
    os._exit(1)


def _raise_terminated(signum: int, frame: object) -> None:
    raise Terminated


@contextlib.contextmanager
def handle_sigterm() -> Iterator[None]:
    """Within the block, SIGTERM raises :class:`Terminated` in the main thread (for ``main``)."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    previous = signal.signal(signal.SIGTERM, _raise_terminated)
    try:
        yield
    finally:
        signal.signal(signal.SIGTERM, previous)


def available_cores() -> int:
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # not on Linux
        return os.cpu_count() or 1


def resolve_workers(workers: int | None) -> int:
    """The number of processes ``workers`` asks for: 0 (or None) = one per core."""
    if workers is None or workers == 0:
        return available_cores()
    if workers < 0:
        raise UsageError(f"--workers {workers}: give 0 (one per core) or a positive number")
    return workers


def make_executor(
    workers: int | None,
    initializer: Callable[..., Any] | None = None,
    initargs: tuple[Any, ...] = (),
    *,
    start: str = "fork",
) -> LocalExecutor | ProcessExecutor:
    """An executor for ``workers`` (see :func:`resolve_workers`): in this process for 1."""
    n = resolve_workers(workers)
    if n == 1:
        return LocalExecutor()
    return ProcessExecutor(n, initializer, initargs, start=start)
