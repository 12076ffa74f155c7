"""`extract()` from a plain script, `python -c` and a caller with threads of its own: OCR page workers
start without importing the caller's script again, so a script without `if __name__ == "__main__":`
returns the same Report as in process and as the command line, and a worker that cannot start is an
error at once, never a wait (extractor/ingest/ocr_pool.py)."""

from __future__ import annotations

import json
import multiprocessing
import os
import subprocess
import sys
import types
from pathlib import Path
from typing import Any

import pytest

from extractor import extract
from extractor.errors import WorkerStartError
from extractor.ingest import ocr_pool
from extractor.ocr.options import OcrOptions, Recorded
from extractor.ocr.page import PageJob

from .conftest import FIXTURES, ROOT
from .test_scans import replay

SCAN = ROOT / "samples" / "scans" / "s02_bureau_2019_blanks_photo.pdf"
RECORDED = FIXTURES / "ocr" / f"{SCAN.name}.json"
LIMIT_S = 300  # a hang fails the test instead of holding the suite

# The README's example with the recorded OCR, and two page workers: no main guard.
SCRIPT = """\
import sys
from extractor import Settings, extract
from extractor.ocr.options import OcrOptions, Recorded

settings = Settings(ocr=OcrOptions(engine=Recorded(sys.argv[2], fallback=True), workers=2))
sys.stdout.write(extract(sys.argv[1], settings).to_json())
"""
# A caller with a thread of its own: forking is not safe, so another start method is chosen.
THREADED = "import threading, time\nthreading.Thread(target=time.sleep, args=(60,), daemon=True).start()\n"


def _run(args: list[str], cwd: Path) -> dict[str, Any]:
    done = subprocess.run(
        [sys.executable, *args],
        cwd=cwd,
        capture_output=True,
        text=True,
        timeout=LIMIT_S,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
    )
    assert done.returncode == 0, done.stderr[-3000:]
    assert "RuntimeError" not in done.stderr, done.stderr[-3000:]
    return dict(json.loads(done.stdout))


@pytest.fixture(scope="module")
def in_process() -> dict[str, Any]:
    return dict(json.loads(extract(SCAN, replay(SCAN.name)).to_json()))


@pytest.mark.parametrize(
    ("how", "threads"),
    [("script", False), ("script", True), ("-c", False), ("-c", True)],
    ids=["script", "script-with-a-thread", "python-c", "python-c-with-a-thread"],
)
def test_extract_without_a_main_guard(
    tmp_path: Path, in_process: dict[str, Any], how: str, threads: bool
) -> None:
    """Forked workers (a single thread), the fork server (`-c` with a thread: nothing to re-import)
    and the pages read in process (a script with a thread): the same Report every way."""
    code = (THREADED if threads else "") + SCRIPT
    if how == "script":
        (tmp_path / "run.py").write_text(code, encoding="utf-8")
        args = ["run.py", str(SCAN), str(RECORDED)]
    else:
        args = ["-c", code, str(SCAN), str(RECORDED)]
    got = _run(args, tmp_path)
    assert got == in_process
    assert got["source"]["kind"] == "pdf-scanned" and got["report"]["agency"]


# A caller that ran OpenCV's threads, then extracts in processes it forks itself (a process pool).
FORKING = """\
import sys
from concurrent.futures import ProcessPoolExecutor
import multiprocessing
import cv2
import numpy as np
from extractor import Settings, extract
from extractor.ocr.options import OcrOptions, Recorded

cv2.setNumThreads(2)
cv2.dilate(np.zeros((2000, 2000), np.uint8), np.ones((15, 15), np.uint8))  # the pool's threads run


def one(path):
    settings = Settings(ocr=OcrOptions(engine=Recorded(sys.argv[2], fallback=True), workers=1))
    return extract(path, settings).to_json()


if __name__ == "__main__":
    with ProcessPoolExecutor(2, mp_context=multiprocessing.get_context("fork")) as pool:
        out = list(pool.map(one, [sys.argv[1]] * 2, timeout=120))
    sys.stdout.write(out[0])
"""


def test_extract_in_processes_the_caller_forks_after_using_opencv(
    tmp_path: Path, in_process: dict[str, Any]
) -> None:
    """A child forked while OpenCV's pool ran inherits the pool without its threads, and its first
    OpenCV call waited forever (extractor/forksafe.py stops the pool across the fork)."""
    (tmp_path / "run.py").write_text(FORKING, encoding="utf-8")
    assert _run(["run.py", str(SCAN), str(RECORDED)], tmp_path) == in_process


@pytest.mark.tesseract
def test_readme_example_as_a_script_equals_the_command_line(tmp_path: Path) -> None:
    """The README's "From Python" example saved as a script without a main guard, with the real
    tesseract and the default page workers: the Report the command line writes."""
    (tmp_path / "run.py").write_text(
        "import sys\nfrom extractor import extract\n\n"
        "report = extract(sys.argv[1])\nsys.stdout.write(report.to_json())\n",
        encoding="utf-8",
    )
    script = _run(["run.py", str(SCAN)], tmp_path)
    command = _run(["-m", "extractor", "extract", str(SCAN)], tmp_path)
    assert script == command
    assert script["source"]["kind"] == "pdf-scanned"


def test_start_method_never_reimports_the_caller(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(ocr_pool.threading, "active_count", lambda: 1)
    ctx = ocr_pool.start_context()
    assert ctx is not None and ctx.get_start_method() == "fork"
    monkeypatch.setattr(ocr_pool.threading, "active_count", lambda: 3)
    script = types.ModuleType("__main__")
    script.__file__ = "/somewhere/run.py"
    monkeypatch.setitem(sys.modules, "__main__", script)
    assert ocr_pool.main_reimported() and ocr_pool.start_context() is None  # read in process
    monkeypatch.setitem(sys.modules, "__main__", types.ModuleType("__main__"))  # a notebook, `-c`
    ctx = ocr_pool.start_context()
    assert ctx is not None and ctx.get_start_method() == "forkserver"


class _Context:
    """A fork context whose workers die as they start, or cannot be started at all."""

    def __init__(self, refuse: bool) -> None:
        self.fork = multiprocessing.get_context("fork")
        self.refuse = refuse

    def Pipe(self) -> Any:
        return self.fork.Pipe()

    def Process(self, target: Any, args: Any) -> Any:
        process = self.fork.Process(target=os._exit, args=(3,))
        if self.refuse:

            def start() -> None:
                raise OSError(11, "Resource temporarily unavailable")

            process.start = start  # type: ignore[method-assign]
        return process


@pytest.mark.parametrize("refuse", [False, True], ids=["dies-at-start", "fork-refused"])
def test_a_worker_that_cannot_start_is_an_error_not_a_wait(refuse: bool) -> None:
    jobs = [PageJob(str(SCAN), n, "pdf") for n in (1, 2, 3)]
    options = OcrOptions(engine=Recorded(str(RECORDED)), workers=2, page_timeout=600)
    with pytest.raises(WorkerStartError, match="OCR worker processes could not start"):
        ocr_pool.run_in_workers(jobs, options, 2, _Context(refuse))  # type: ignore[arg-type]


def _children(pid: int) -> list[int]:
    path = Path(f"/proc/{pid}/task/{pid}/children")
    return [int(p) for p in path.read_text().split()] if path.exists() else []


def _running(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except (FileNotFoundError, IndexError):
        return False
    return state != "Z"  # a zombie no one reaps has left


@pytest.mark.skipif(not Path("/proc/self/task").exists(), reason="reads /proc (Linux)")
def test_workers_leave_when_their_caller_is_killed(tmp_path: Path) -> None:
    """Forked workers hold copies of the caller's pipe ends, so the pipe never tells them it died:
    they watch their parent, and leave instead of staying as orphans."""
    import signal
    import time

    code = (
        "import sys, time\nfrom extractor.workers import Pool\n"
        "with Pool(time.sleep, jobs=2) as pool:\n"
        "    list(pool.run([0.01, 0.01]))\n"
        "    print('ready', flush=True)\n"
        "    time.sleep(600)\n"
    )
    caller = subprocess.Popen(
        [sys.executable, "-c", code],
        stdout=subprocess.PIPE,
        text=True,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
    )
    try:
        assert caller.stdout is not None and caller.stdout.readline().strip() == "ready"
        workers = _children(caller.pid)
        assert len(workers) == 2
    finally:
        caller.send_signal(signal.SIGKILL)
        caller.wait()
    for _ in range(300):  # they check every second; a hang would keep them for good
        if not any(_running(pid) for pid in workers):
            break
        time.sleep(0.1)
    left = [pid for pid in workers if _running(pid)]
    for pid in left:  # a failing run leaves nothing behind either
        os.kill(pid, signal.SIGKILL)
    assert not left
