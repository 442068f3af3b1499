"""Executors: the same results, in the same order, wherever the step runs."""

from __future__ import annotations

import multiprocessing
import os
import signal
import subprocess
import sys
import threading
import time
from concurrent.futures import ProcessPoolExecutor

import pytest

from akhbar.corpus.runtime.executor import (
    LocalExecutor,
    ProcessExecutor,
    WorkerError,
    available_cores,
    make_executor,
    resolve_workers,
)
from akhbar.schemas.errors import InputError, UsageError


class Square:
    """A picklable step that also says which process ran it."""

    def __call__(self, chunk: list[int]) -> list[tuple[int, int]]:
        if -1 in chunk:
            raise InputError("record -1: cannot be squared; remove it")
        return [(x * x, os.getpid()) for x in chunk]


CHUNKS = [list(range(i, i + 5)) for i in range(0, 200, 5)]
EXPECTED = [[x * x for x in c] for c in CHUNKS]


def values(results):
    return [[v for v, _ in r] for r in results]


def test_local_executor_runs_here_in_order():
    ex = LocalExecutor()
    results = list(ex.map(Square(), CHUNKS))
    assert values(results) == EXPECTED
    assert {pid for r in results for _, pid in r} == {os.getpid()}


def test_process_executor_keeps_the_order_and_uses_other_processes():
    ex = ProcessExecutor(2)
    try:
        results = list(ex.map(Square(), iter(CHUNKS)))  # an iterator: read as it goes
    finally:
        ex.close()
    assert values(results) == EXPECTED
    assert os.getpid() not in {pid for r in results for _, pid in r}


def test_an_error_in_a_worker_reaches_the_caller_with_its_class():
    ex = ProcessExecutor(2)
    try:
        with pytest.raises(InputError, match="record -1"):
            list(ex.map(Square(), [[1, 2], [3, -1], [5]]))
    finally:
        ex.close()


def test_make_executor():
    assert isinstance(make_executor(1), LocalExecutor)
    ex = make_executor(2)
    try:
        assert isinstance(ex, ProcessExecutor) and ex.workers == 2
    finally:
        ex.close()
    with pytest.raises(UsageError, match="--workers -1"):
        make_executor(-1)
    assert resolve_workers(0) == available_cores() and resolve_workers(3) == 3


class KillSelf:
    """A step whose worker dies (as if killed by the kernel) on the item 3."""

    def __call__(self, x: int) -> int:
        if x == 3:
            os.kill(os.getpid(), signal.SIGKILL)
        return x


@pytest.mark.parametrize("start", ["fork", "spawn"])
def test_a_worker_that_dies_ends_the_run_with_one_error_not_a_hang(start):
    with ProcessExecutor(2, start=start) as ex, pytest.raises(WorkerError, match="--workers 1"):
        list(ex.map(KillSelf(), range(10)))


def test_stopping_early_terminates_the_workers():
    ex = ProcessExecutor(2)
    procs = list(ex._pool._processes.values())
    for _ in ex.map(Square(), CHUNKS):
        break  # the consumer stops: the generator closes and the pool with it
    assert procs and not any(_running(p.pid) for p in procs)


class CtrlCToAnotherThread(ProcessPoolExecutor):
    """A pool hit by Ctrl-C just after each worker is forked, before the pool has taken note of
    it; the kernel hands the signal to another thread of the process (a reader thread started
    before the pool), not the main one."""

    bystander: threading.Thread

    def __init__(self, *args, mp_context, **kwargs):
        super().__init__(*args, mp_context=_SignalAfterStart(mp_context, self.bystander), **kwargs)


class _SignalAfterStart:
    def __init__(self, context, bystander: threading.Thread) -> None:
        self._context, self._bystander = context, bystander

    def __getattr__(self, name):
        return getattr(self._context, name)

    def Process(self, *args, **kwargs):  # the name multiprocessing gives it
        process = self._context.Process(*args, **kwargs)
        start = process.start

        def start_then_signal():
            start()
            signal.pthread_kill(self._bystander.ident, signal.SIGINT)
            time.sleep(0.05)  # the main thread runs the Python handler here at the latest

        process.start = start_then_signal
        return process


def test_ctrl_c_while_workers_are_forked_stops_every_worker(monkeypatch):
    # Before: the KeyboardInterrupt was raised between a fork and the pool's note of the new
    # process; that worker lived on and the exit of the command waited on it forever.
    stop = threading.Event()
    CtrlCToAnotherThread.bystander = threading.Thread(target=stop.wait, args=(10,))
    CtrlCToAnotherThread.bystander.start()
    monkeypatch.setattr("akhbar.corpus.runtime.executor.ProcessPoolExecutor", CtrlCToAnotherThread)
    try:
        with pytest.raises(KeyboardInterrupt):
            ProcessExecutor(2)
    finally:
        stop.set()
    assert multiprocessing.active_children() == []


PARENT = """
import sys, time
from akhbar.corpus.runtime.executor import ProcessExecutor

def nap(x):
    time.sleep(60)

if __name__ == "__main__":
    ex = ProcessExecutor(2, start=sys.argv[1])
    print(*(p.pid for p in ex._pool._processes.values()), flush=True)
    list(ex.map(nap, range(4)))
"""


@pytest.mark.parametrize("start", ["fork", "spawn"])
def test_workers_exit_when_their_parent_is_killed_with_sigkill(tmp_path, start):
    # A real process boundary is the point here: the parent dies without any cleanup.
    script = tmp_path / "parent.py"
    script.write_text(PARENT)
    parent = subprocess.Popen(
        [sys.executable, str(script), start], stdout=subprocess.PIPE, text=True
    )
    try:
        pids = [int(p) for p in parent.stdout.readline().split()]
        assert len(pids) == 2
        time.sleep(0.5)  # the workers are in their step
        parent.kill()
        parent.wait()
        deadline = time.monotonic() + 10
        alive = pids
        while alive and time.monotonic() < deadline:
            alive = [p for p in pids if _running(p)]
            time.sleep(0.1)
        assert not alive, f"workers {alive} outlived their parent"
    finally:
        parent.kill()


def _running(pid: int) -> bool:
    try:
        with open(f"/proc/{pid}/stat") as f:
            return f.read().split(") ")[1][0] != "Z"
    except FileNotFoundError:
        return False
