"""Worker processes: tasks run in parallel, each under a time limit; a worker that hangs is killed and
replaced, one that crashes is replaced, and neither stops the other tasks.

A `Pool` keeps `jobs` long-lived workers, each with its own pipe, so the parent always knows which
task a worker holds and since when. A worker starts with the extractor already imported: forked from
the parent itself when the parent runs a single thread (the command line), else from a server that
imported it once (multiprocessing's forkserver: forking a process with threads is not safe). Either
way starting or replacing a worker costs milliseconds. Workers ignore Ctrl-C: the parent decides
what an interrupt does. Their stdout is sent to stderr, so nothing a
library prints can mix with the data a command writes on stdout.

Scripts that use a Pool (or `extractor.extract_many`) must guard their entry point with
`if __name__ == "__main__":`, as for any multiprocessing code.
"""

from __future__ import annotations

import importlib
import multiprocessing
import os
import signal
import threading
import time
from collections import deque
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from multiprocessing.connection import Connection, wait
from multiprocessing.context import BaseContext
from multiprocessing.process import BaseProcess
from types import TracebackType
from typing import Any, Generic, Literal, TypeVar

T = TypeVar("T")
R = TypeVar("R")

# Imported once by the fork server, so that every worker starts with them loaded.
PRELOAD = [
    "extractor.pipeline",
    "extractor.ingest.pdf",
    "extractor.ingest.html",
    "extractor.ingest.docx",
]


PARENT_CHECK_S = 1.0  # how often an idle worker checks that its parent is alive


@dataclass(frozen=True)
class Outcome(Generic[T, R]):
    """What became of one task: `done` with fn's value, or `error` (fn raised), `timeout`, `crash`."""

    task: T
    kind: Literal["done", "error", "timeout", "crash"]
    value: R | None
    message: str
    seconds: float


def _serve(conn: Connection, fn: Callable[[Any], Any]) -> None:
    """A worker's loop: receive a task, send back (True, value) or (False, message); None stops it."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    os.environ["OMP_THREAD_LIMIT"] = "1"  # OCR engines: one thread per worker, the pool is the parallelism
    os.dup2(2, 1)
    parent = os.getppid()
    while True:
        try:
            # A forked worker holds copies of the parent's pipe ends too, so it would never read the
            # end of its pipe when the parent dies: it watches for a new parent instead.
            while not conn.poll(PARENT_CHECK_S):
                if os.getppid() != parent:
                    return
            task = conn.recv()
        except (EOFError, OSError):
            return
        if task is None:
            return
        try:
            reply: tuple[bool, Any] = (True, fn(task))
        except Exception as e:
            reply = (False, f"{type(e).__name__}: {e}")
        try:
            conn.send(reply)
        except Exception as e:  # a value that cannot be pickled
            conn.send((False, f"the result could not be sent back ({type(e).__name__}: {e})"))


def _context() -> BaseContext:
    methods = multiprocessing.get_all_start_methods()
    if "fork" in methods and threading.active_count() == 1:
        for name in PRELOAD:  # once here, instead of in every worker
            importlib.import_module(name)
        return multiprocessing.get_context("fork")
    if "forkserver" in methods:
        ctx = multiprocessing.get_context("forkserver")
        ctx.set_forkserver_preload(PRELOAD)
        return ctx
    return multiprocessing.get_context("spawn")  # pragma: no cover - platforms without fork


class _Worker:
    def __init__(self, ctx: BaseContext, fn: Callable[[Any], Any]) -> None:
        self.conn, child = ctx.Pipe()
        # Not daemonic, so that a reader may start processes of its own; a worker whose parent dies
        # leaves within PARENT_CHECK_S.
        self.proc: BaseProcess = ctx.Process(target=_serve, args=(child, fn))  # type: ignore[attr-defined]
        self.proc.start()
        child.close()
        self.task: Any = None
        self.started = 0.0

    def give(self, task: Any) -> None:
        self.task, self.started = task, time.monotonic()
        self.conn.send(task)

    def collect(self, ready: list[Any], timeout: float | None) -> Outcome[Any, Any] | None:
        """The outcome of the task this worker holds, or None while it is still working on it."""
        seconds = time.monotonic() - self.started
        if self.conn in ready:
            try:
                ok, payload = self.conn.recv()
            except (EOFError, OSError):
                return self._crashed(seconds)
            if ok:
                return Outcome(self.task, "done", payload, "", seconds)
            return Outcome(self.task, "error", None, str(payload), seconds)
        if self.proc.sentinel in ready:
            return self._crashed(seconds)
        if timeout is not None and seconds >= timeout:
            self.kill()
            return Outcome(self.task, "timeout", None, f"took longer than {timeout:g} s", seconds)
        return None

    def _crashed(self, seconds: float) -> Outcome[Any, Any]:
        self.proc.join(5)
        code = self.proc.exitcode
        how = f"signal {signal.Signals(-code).name}" if code is not None and code < 0 else f"exit code {code}"
        self.kill()
        return Outcome(self.task, "crash", None, f"the worker process died ({how})", seconds)

    @property
    def alive(self) -> bool:
        return self.proc.is_alive()

    def kill(self) -> None:
        if self.proc.is_alive():
            self.proc.kill()
        self.proc.join()
        self.conn.close()

    def stop(self) -> None:
        """Ask an idle worker to leave; kill one that is busy or does not leave in time."""
        if self.task is None and self.proc.is_alive():
            try:
                self.conn.send(None)
                self.proc.join(2)
            except OSError:
                pass
        self.kill()


class Pool(Generic[T, R]):
    """`with Pool(fn, jobs=2, timeout=60) as pool: for outcome in pool.run(tasks): ...`

    Outcomes come in the order tasks finish. Leaving the `with` block (normally, on an error or on
    Ctrl-C) stops every worker, killing those still at work.
    """

    def __init__(
        self,
        fn: Callable[[T], R],
        jobs: int,
        timeout: float | None = None,
        context: BaseContext | None = None,
    ) -> None:
        if jobs < 1:
            raise ValueError("jobs must be at least 1")
        self.fn, self.jobs, self.timeout = fn, jobs, timeout
        self.context = context  # how workers start (default: fork when safe, else the fork server)
        self._workers: list[_Worker] = []
        self._idle: list[_Worker] = []  # kept between runs: a pool that lives on starts no new process

    def __enter__(self) -> Pool[T, R]:
        return self

    def __exit__(
        self, kind: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.close()

    def close(self) -> None:
        workers, self._workers, self._idle = self._workers, [], []
        for w in workers:
            w.stop()

    def run(self, tasks: Iterable[T]) -> Iterator[Outcome[T, R]]:
        # A deque is the queue itself: tasks the caller adds to it while it takes outcomes run too.
        queue = tasks if isinstance(tasks, deque) else deque(tasks)
        idle = self._idle
        busy: list[_Worker] = []
        while queue or busy:
            while queue and len(busy) < self.jobs:
                while idle and not idle[-1].alive:  # died while it waited since an earlier run
                    self._workers.remove(idle[-1])
                    idle.pop().kill()
                worker = idle.pop() if idle else self._start()
                worker.give(queue.popleft())
                busy.append(worker)
            ready = wait([w.conn for w in busy] + [w.proc.sentinel for w in busy], self._wait_for(busy))
            for worker in list(busy):
                outcome = worker.collect(ready, self.timeout)
                if outcome is None:
                    continue
                busy.remove(worker)
                worker.task = None
                if outcome.kind in ("done", "error"):
                    idle.append(worker)
                else:
                    self._workers.remove(worker)
                yield outcome

    def _start(self) -> _Worker:
        worker = _Worker(self.context or _context(), self.fn)
        self._workers.append(worker)
        return worker

    def _wait_for(self, busy: list[_Worker]) -> float | None:
        if self.timeout is None:
            return None
        first = min(w.started for w in busy) + self.timeout
        return max(0.0, first - time.monotonic())
