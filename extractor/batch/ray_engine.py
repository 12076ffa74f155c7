"""The Ray engine: a batch's files read as tasks on a Ray cluster, one task per file.

`RayEngine(address)` has the local pool's interface (`batch.Engine`), so the batch logic (manifest,
resume, summary, progress, Ctrl-C) is the same code whichever engine reads the files:

- A task reads one file on one core (`num_cpus=1`). Inside it the file is read in a child process
  of the Ray worker (a `workers.Pool` of one, kept for the next task), exactly as the local pool
  reads it: the same time limit (the child is killed), the same memory limit (the child's address
  space), the same outcomes (`done`, `error`, `timeout`, `crash`), OCR in that one process.
- The task is retried by Ray (`max_retries`) when the Ray worker or its node is lost mid-file, on
  another node; its output is written in one piece by whichever attempt finishes, and the driver
  records one outcome per file, so nothing is lost and nothing is counted twice.
- Results stream back with `ray.wait` as tasks finish; at most `jobs` tasks are in flight (default:
  twice the cluster's CPUs, so that no core waits for the driver).
- Workers keep no state but the child process.

`ray` is imported only here, and only when a batch runs on Ray: `pip install 'extractor[cluster]'`.
"""

from __future__ import annotations

import contextlib
import logging
import time
import uuid
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from types import TracebackType
from typing import Any

from ..errors import DependencyMissingError, UsageError
from ..workers import Outcome, Pool
from .storage import INSTALL

RETRIES = 3
"""How many times a file is tried again when its Ray worker or node is lost (not when it fails)."""


def _ray() -> Any:
    try:
        import ray
    except ImportError as e:
        raise DependencyMissingError(
            f"--engine ray needs Ray, which is not installed; install it: {INSTALL}"
        ) from e
    return ray


@dataclass(frozen=True)
class RayEngine:
    """Tasks on the Ray cluster at `address`: "auto" (the one started on this machine with `ray start`,
    or named by RAY_ADDRESS), "HOST:PORT" of its head, "ray://HOST:PORT" (Ray Client), or None: a
    Ray instance started for this run on this machine and stopped after it."""

    address: str | None = None

    def pool(self, fn: Callable[[Any], Any], jobs: int | None, tasks: int, timeout: float | None) -> RayPool:
        return RayPool(fn, jobs, timeout, self.address)


# --- in a Ray worker ------------------------------------------------------------------------------

_cached: tuple[str, Pool[Any, Any]] | None = None


def _read(batch: str, fn: Callable[[Any], Any], task: Any, timeout: float | None) -> Outcome[Any, Any]:
    """A Ray task: run `fn` on `task` in this worker's child process; its Outcome, whatever happens."""
    global _cached
    if _cached is None or _cached[0] != batch:  # a new batch: a new child, with the new batch's fn
        if _cached is not None:
            _cached[1].close()
        _cached = (batch, Pool(fn, jobs=1, timeout=timeout))
    return next(iter(_cached[1].run([task])))


# --- in the driver --------------------------------------------------------------------------------


class RayPool:
    """`with RayPool(fn, jobs, timeout, address) as pool: for outcome in pool.run(tasks): ...`"""

    def __init__(
        self, fn: Callable[[Any], Any], jobs: int | None, timeout: float | None, address: str | None
    ) -> None:
        if jobs is not None and jobs < 1:
            raise ValueError("jobs must be at least 1")
        self.fn, self.jobs, self.timeout, self.address = fn, jobs, timeout, address
        self._started = False  # whether this pool started Ray (then it stops it)
        self._pending: dict[Any, Any] = {}
        self._ray: Any = None

    def __enter__(self) -> RayPool:
        ray = self._ray = _ray()
        if not ray.is_initialized():
            options: dict[str, Any] = {
                "include_dashboard": False,
                "log_to_driver": False,  # a worker's output would mix with the progress on stderr
                "logging_level": logging.WARNING,
            }
            if self.address is not None and self.address.startswith("ray://"):
                options = {}  # Ray Client: the driver runs in the cluster, with the cluster's settings
            try:
                ray.init(address=self.address, **options)
            except ConnectionError as e:
                raise UsageError(
                    f"cannot reach the Ray cluster at {self.address} ({e}); start it (`ray start --head`) "
                    "or give its address with --address"
                ) from e
            self._started = True
        return self

    def __exit__(
        self, kind: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.close()

    def close(self) -> None:
        ray, pending, self._pending = self._ray, self._pending, {}
        if ray is None:
            return
        for ref in pending:  # Ctrl-C or an error: what has not finished is dropped, not left running
            with contextlib.suppress(Exception):
                ray.cancel(ref, force=True)
        if self._started:
            ray.shutdown()
            self._started = False

    def run(self, tasks: Iterable[Any]) -> Iterator[Outcome[Any, Any]]:
        ray = self._ray
        remote = ray.remote(num_cpus=1, max_retries=RETRIES, retry_exceptions=False)(_read)
        batch = uuid.uuid4().hex
        fn_ref = ray.put(self.fn)
        window = self.jobs or max(2 * int(ray.cluster_resources().get("CPU", 1)), 1)
        queue = iter(tasks)
        started: dict[Any, float] = {}

        def submit() -> bool:
            task = next(queue, None)
            if task is None:
                return False
            ref = remote.remote(batch, fn_ref, task, self.timeout)
            self._pending[ref], started[ref] = task, time.monotonic()
            return True

        while len(self._pending) < window and submit():
            pass
        while self._pending:
            ready, _ = ray.wait(list(self._pending), num_returns=1)
            for ref in ready:
                task = self._pending.pop(ref)
                yield self._outcome(ref, task, time.monotonic() - started.pop(ref))
                submit()

    def _outcome(self, ref: Any, task: Any, seconds: float) -> Outcome[Any, Any]:
        ray = self._ray
        try:
            outcome: Outcome[Any, Any] = ray.get(ref)
            return outcome
        except ray.exceptions.RayError as e:  # lost more often than it may be retried
            reason = str(e).strip().splitlines()[0] if str(e).strip() else type(e).__name__
            return Outcome(
                task,
                "crash",
                None,
                f"the Ray task was lost {RETRIES + 1} times ({type(e).__name__}: {reason})",
                seconds,
            )
