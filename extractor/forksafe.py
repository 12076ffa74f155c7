"""OpenCV's thread pool stopped across every fork of a process that imported the extractor.

OpenCV's pthreads pool does not survive fork(): a child forked while the pool's threads live
inherits its locks and condition variables but not its threads, and its first call that touches
the pool (`cv2.setNumThreads`, any parallel filter) waits forever. Our own page workers are forked
with the pool stopped (`ocr.page.opencv_single_threaded`), but a caller's script forks too (a
`multiprocessing.Pool` or `ProcessPoolExecutor` that calls `extract`, after OpenCV ran in the
parent). So, once the package is imported, each fork of the process stops the pool first and the
parent starts it again after: the child starts with a single-threaded OpenCV that works.

A script that used OpenCV's threads and forks before it imports `extractor` is not covered.
"""

from __future__ import annotations

import os
import sys

_saved: list[int] = []
_installed: list[bool] = []


def _before() -> None:
    cv2 = sys.modules.get("cv2")  # never imported here: a process without OpenCV has no pool
    if cv2 is None:
        return
    threads = int(cv2.getNumThreads())
    _saved.append(threads)
    if threads != 1:
        cv2.setNumThreads(1)  # joins the pool's threads


def _after_in_parent() -> None:
    cv2 = sys.modules.get("cv2")
    if cv2 is None or not _saved:
        return
    threads = _saved.pop()
    if threads != 1:
        cv2.setNumThreads(threads)


def _after_in_child() -> None:
    _saved.clear()  # the child keeps one thread: it is one of several processes sharing the cores


def install() -> None:
    """Register the fork handlers once a process (fork() runs them in the forking thread)."""
    if _installed or not hasattr(os, "register_at_fork"):
        return
    os.register_at_fork(before=_before, after_in_parent=_after_in_parent, after_in_child=_after_in_child)
    _installed.append(True)
