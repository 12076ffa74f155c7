"""OCR page workers that start the same from a script, a notebook or `python -c`, with or without a
`if __name__ == "__main__":` guard.

multiprocessing's spawn and forkserver methods make each worker import the caller's main module
again: a script without the guard then runs its own `extract()` inside every worker, which cannot
start a pool there (multiprocessing's bootstrapping error), and the parent waited for pages that
never came. So the workers start without importing the caller:

- forked from this process when it runs a single thread (a script, `python -c`, the command line):
  nothing is imported again, and starting a worker costs milliseconds;
- from multiprocessing's fork server when threads make forking unsafe, but only when the caller's
  main module is not re-imported by it (a notebook, an interactive session, `python -c`);
- otherwise (a script with threads of its own) the pages are read in this process, one at a time.

Pages run in `extractor.workers.Pool`: a page over its time has its worker killed and replaced, a
worker that dies (a crash on one page) is replaced, and either becomes a warning for that page. A
first task that only answers proves the workers can start: if it fails, the run stops at once
with an error that says so, instead of waiting for pages.

A page is read in two tasks: its image, tables and cells, then its prose (the working image with
the tables blanked, sent back through the parent). Whole pages are pieces of very unequal cost
(a page of tables, a dense page of prose, one that needs OSD), so one worker often sat idle while
the other finished the last page; the prose tasks, queued after the pages and the largest first,
let the end of a run share out small pieces. The readings are the same: the same images are read.
"""

from __future__ import annotations

import multiprocessing
import sys
import threading
from collections import deque
from dataclasses import dataclass
from multiprocessing.context import BaseContext
from typing import Any

from ..errors import WorkerStartError
from ..ocr.options import EngineFactory, OcrOptions
from ..workers import Outcome, Pool

# Imported once by the fork server, so that its workers start with them loaded.
PRELOAD = ["extractor.ingest.ocr_pool", "extractor.ocr.page", "extractor.ocr.engine"]
_PING = "ping"

# In a worker: the engine built for each factory (one model load per process), or why it failed.
_engines: dict[EngineFactory, Any] = {}


def main_reimported() -> bool:
    """Whether spawn and forkserver workers would import the caller's main module again (a script
    run by path or with -m); a notebook's, an interactive session's or `python -c`'s is not."""
    main = sys.modules.get("__main__")
    if main is None:
        return False
    return getattr(getattr(main, "__spec__", None), "name", None) is not None or bool(
        getattr(main, "__file__", None)
    )


def start_context() -> BaseContext | None:
    """The start method for page workers that never re-imports the caller; None: read in-process."""
    methods = multiprocessing.get_all_start_methods()
    if "fork" in methods and threading.active_count() == 1:
        return multiprocessing.get_context("fork")
    if main_reimported():
        return None
    if "forkserver" in methods:
        ctx = multiprocessing.get_context("forkserver")
        ctx.set_forkserver_preload(PRELOAD)
        return ctx
    return multiprocessing.get_context("spawn")  # pragma: no cover - platforms without fork


def _engine(factory: EngineFactory) -> Any:
    import os

    os.environ["OMP_THREAD_LIMIT"] = "1"
    if factory not in _engines:
        try:
            _engines[factory] = factory()
        except Exception as e:  # reported with each page, as a page that failed
            _engines[factory] = e
    engine = _engines[factory]
    if isinstance(engine, Exception):
        raise engine
    return engine


@dataclass(eq=False)
class _Prose:
    """The second task of a page: its prose to read (`PageResult.prose`)."""

    number: int
    image: Any
    scale: float
    ink: int
    options: OcrOptions


def _read(task: Any) -> Any:
    """A worker's task: a page job, its options and whether to leave the text for a second task →
    (PageResult, records added); a page's prose → ((lines, notes), records added); a ping → None."""
    if task == _PING:
        return None
    from ..ocr.engine import added_records
    from ..ocr.page import ocr_page, opencv_single_threaded, read_prose

    options = task.options if isinstance(task, _Prose) else task[1]
    engine = _engine(options.engine)
    before = set(added_records(engine))
    if isinstance(task, _Prose):
        with opencv_single_threaded():
            result: Any = read_prose(engine, task.image, task.scale, task.number)
    else:
        job, _, *later = task
        result = ocr_page(job, engine, text=not (later and later[0]))
    return result, {k: v for k, v in added_records(engine).items() if k not in before}


def _queue_prose(queue: deque[Any], prose: _Prose, workers: int) -> None:
    """A page's prose into the queue: after the pages still to read, the largest first, so that
    the run ends on small pieces; but no more than two per worker wait (each holds a page image),
    the largest of any more going first."""
    waiting = sorted([t for t in queue if isinstance(t, _Prose)] + [prose], key=lambda t: -t.ink)
    pages = [t for t in queue if not isinstance(t, _Prose)]
    now = max(0, len(waiting) - 2 * workers)
    queue.clear()
    queue.extend(waiting[:now] + pages + waiting[now:])


def run_in_workers(
    jobs: list[Any], options: OcrOptions, workers: int, ctx: BaseContext, loaded: Any = None
) -> tuple[dict[int, Any], list[str], dict[str, str]]:
    """Each job's PageResult by page number, warnings for the pages given up, and the OCR outputs
    the workers recorded. `loaded`: the engine this process built for `options.engine`, models
    loaded; forked workers inherit it (the models copy-on-write) instead of loading their own."""
    results: dict[int, Any] = {}
    warnings: dict[int, str] = {}
    added: dict[str, str] = {}
    tasks: deque[Any] = deque([_PING, *((job, options, True) for job in jobs)])
    outcome: Outcome[Any, Any]
    from ..ocr.page import opencv_single_threaded

    held = [loaded] if loaded is not None else []
    inherited = bool(held) and ctx.get_start_method() == "fork"
    if inherited:
        _engines[options.engine] = loaded

    def let_go() -> None:
        # Once the workers are forked this process needs no models; a worker started later (one
        # that replaces a crashed one) loads its own.
        while held:
            if _engines.get(options.engine) is held[-1]:
                del _engines[options.engine]
            held.pop().close()

    if not inherited:
        let_go()  # workers from a fork server or spawned start afresh
    try:
        pool = Pool(_read, jobs=workers, timeout=options.page_timeout, context=ctx)
        with opencv_single_threaded(), pool:
            for outcome in pool.run(tasks):
                let_go()
                if outcome.task == _PING:
                    if outcome.kind != "done":
                        raise WorkerStartError(
                            f"the OCR worker processes could not start ({outcome.message}); read the "
                            "pages in this process with OcrOptions(workers=1), and report it"
                        )
                    continue
                if isinstance(outcome.task, _Prose):
                    _prose_read(outcome, results, warnings, added)
                    continue
                number = outcome.task[0].number
                if outcome.kind == "done" and outcome.value is not None:
                    page, records = outcome.value
                    results[number] = page
                    added.update(records)
                    if page.prose is not None:
                        prose = _Prose(number, page.prose, page.scale, page.ink, options)
                        _queue_prose(tasks, prose, workers)
                        page.prose = None
                elif outcome.kind == "timeout":
                    warnings[number] = f"page {number}: OCR took too long; the page is empty"
                else:
                    warnings[number] = f"page {number}: OCR failed ({outcome.message}); the page is empty"
    except OSError as e:  # fork or pipe refused: out of processes or memory
        raise WorkerStartError(
            f"the OCR worker processes could not start ({type(e).__name__}: {e}); free some memory or "
            "processes and rerun, or read the pages in this process with OcrOptions(workers=1)"
        ) from e
    finally:
        let_go()
    return results, [warnings[n] for n in sorted(warnings)], added


def _prose_read(
    outcome: Outcome[Any, Any], results: dict[int, Any], warnings: dict[int, str], added: dict[str, str]
) -> None:
    """A page's lines (or why it has none) into its result."""
    number = outcome.task.number
    if outcome.kind == "done" and outcome.value is not None:
        (lines, notes), records = outcome.value
        results[number].page.lines = lines
        results[number].notes.extend(f"page {number}: {n}" for n in notes)
        added.update(records)
    elif outcome.kind == "timeout":
        warnings[number] = f"page {number}: OCR of the page's text took too long; its text is left out"
    else:
        why = outcome.message
        warnings[number] = f"page {number}: OCR of the page's text failed ({why}); its text is left out"
