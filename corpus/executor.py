"""Where the work runs, kept apart from what a step does.

A step is a picklable callable from one chunk (a list of records) to a list of results. An
executor maps it over chunks and yields the results in input order, so the output of a build
never depends on how many processes ran it. ``LocalExecutor`` runs in this process;
``ProcessExecutor`` spreads chunks over a pool of local processes with a bounded number in
flight, so memory stays flat however large the input. A distributed engine would be one more
class with the same ``map``.
"""

from __future__ import annotations

import multiprocessing
import os
import signal
from collections import deque
from collections.abc import Callable, Iterable, Iterator
from multiprocessing.pool import AsyncResult
from typing import Any, Protocol, TypeVar

T = TypeVar("T")
R = TypeVar("R")


class Executor(Protocol):
    """Maps a step over chunks; results come back in the order of the chunks."""

    workers: int

    def map(self, step: Callable[[list[T]], R], chunks: Iterable[list[T]]) -> Iterator[R]: ...

    def close(self) -> None: ...


class LocalExecutor:
    """Runs every chunk in the calling process, one after the other."""

    workers = 1

    def map(self, step: Callable[[list[T]], R], chunks: Iterable[list[T]]) -> Iterator[R]:
        for chunk in chunks:
            yield step(chunk)

    def close(self) -> None:
        pass


class ProcessExecutor:
    """Runs chunks in ``workers`` local processes, at most ``2 * workers + 1`` in flight."""

    def __init__(self, workers: int) -> None:
        self.workers = workers
        # fork is cheap and inherits imported modules; elsewhere the platform default is used.
        # The pool forks all its processes now, before it or anyone else starts a thread.
        methods = multiprocessing.get_all_start_methods()
        ctx = multiprocessing.get_context("fork" if "fork" in methods else None)
        self._pool = ctx.Pool(processes=workers, initializer=_ignore_interrupts)

    def map(self, step: Callable[[list[T]], R], chunks: Iterable[list[T]]) -> Iterator[R]:
        window = 2 * self.workers + 1
        pending: deque[AsyncResult[Any]] = deque()
        for chunk in chunks:
            pending.append(self._pool.apply_async(step, (chunk,)))
            if len(pending) >= window:
                yield pending.popleft().get()
        while pending:
            yield pending.popleft().get()

    def close(self) -> None:
        # Every result is in, or an error ended the build: nothing left to wait for.
        self._pool.terminate()
        self._pool.join()


def _ignore_interrupts() -> None:
    """In a worker: leave Ctrl-C to the main process, which stops the pool and cleans up
    (otherwise every worker would print its own traceback)."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)


def available_cores() -> int:
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # not on Linux
        return os.cpu_count() or 1


def make_executor(workers: int) -> LocalExecutor | ProcessExecutor:
    """``workers`` processes; 0 means one per core, 1 means this process only."""
    if workers < 0:
        raise ValueError(f"workers must be 0 (one per core) or more, got {workers}")
    n = workers or available_cores()
    return LocalExecutor() if n == 1 else ProcessExecutor(n)
