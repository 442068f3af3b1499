"""The Ray engine of :mod:`akhbar.corpus.runtime.executor`: the same ``map`` on a Ray cluster, plus
``remote`` for the steps whose results should stay in the cluster (as object references).

Imported only when ``--executor ray`` is asked for, so that the rest of akhbar neither needs
nor loads Ray. With no address, a local cluster is started for the run and stopped after it;
with ``--ray-address`` (or when this process is already connected) the cluster is used as is
and left running.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Callable, Iterable, Iterator
from typing import Any, TypeVar

from akhbar.corpus.runtime.executor import WorkerError
from akhbar.schemas.errors import UsageError

try:
    import ray
except ImportError as e:  # pragma: no cover - depends on the installation
    raise UsageError(
        "--executor ray needs Ray, which is not installed: pip install 'akhbar[ray]'"
    ) from e

T = TypeVar("T")
R = TypeVar("R")


class RayExecutor:
    """Runs steps as Ray tasks; ``workers`` is the number of CPUs of the cluster."""

    def __init__(self, address: str | None = None, workers: int | None = None) -> None:
        self._started = False
        if not ray.is_initialized():
            kwargs: dict[str, Any] = {"include_dashboard": False, "log_to_driver": False}
            if address:
                kwargs["address"] = address
            elif workers:
                kwargs["num_cpus"] = workers
            try:
                ray.init(**kwargs)
            except (ConnectionError, RuntimeError, ValueError) as e:
                raise UsageError(
                    f"cannot reach the Ray cluster at {address or 'a new local cluster'} ({e}); "
                    "check --ray-address (host:port of the head node)"
                ) from e
            self._started = not address
        self.workers = max(1, int(ray.cluster_resources().get("CPU", 1)))

    def remote(self, fn: Callable[..., Any], num_returns: int = 1) -> Any:
        """``fn`` as a Ray remote function (call ``.remote(...)`` on the result)."""
        return ray.remote(num_returns=num_returns, max_retries=0)(fn)

    def map(self, step: Callable[[T], R], items: Iterable[T]) -> Iterator[R]:
        task = self.remote(_call)
        step_ref = ray.put(step)
        window = 2 * self.workers
        pending: deque[Any] = deque()
        try:
            for item in items:
                pending.append(task.remote(step_ref, item))
                if len(pending) >= window:
                    yield get(pending.popleft())
            while pending:
                yield get(pending.popleft())
        except BaseException:
            for ref in pending:
                ray.cancel(ref, force=True)
            raise

    def close(self) -> None:
        if self._started:
            self._started = False
            ray.shutdown()

    def __enter__(self) -> RayExecutor:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def _call(step: Callable[[T], R], item: T) -> R:
    return step(item)


def get(refs: Any) -> Any:
    """The values of object references (one, or a list). A step's exception reaches the caller
    with its class, as with the local engines; a lost worker is a ``WorkerError``."""
    try:
        return ray.get(refs)
    except ray.exceptions.RayTaskError as e:
        if isinstance(e.cause, BaseException):
            raise e.cause from None
        raise
    except (ray.exceptions.WorkerCrashedError, ray.exceptions.ObjectLostError) as e:
        raise WorkerError(
            f"a Ray worker stopped unexpectedly ({type(e).__name__}); nothing was written; "
            "check the cluster's memory, or run with --executor local"
        ) from e


def put(value: Any) -> Any:
    """An object reference to ``value``, stored once in the cluster for many tasks."""
    return ray.put(value)
