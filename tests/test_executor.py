"""Executors: the same results, in the same order, wherever the step runs."""

from __future__ import annotations

import os

import pytest

from akhbar.corpus.errors import InputError
from akhbar.corpus.executor import LocalExecutor, ProcessExecutor, make_executor


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
    with pytest.raises(ValueError, match="workers"):
        make_executor(-1)
