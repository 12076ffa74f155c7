"""Benchmark: how fast `extractor review OUT --serve` opens the queue of a 100-report batch.

The batch: 100 text PDFs (the samples' text PDFs copied round-robin, each made a distinct file), read
by `extractor batch`; then three cells of each output are made doubtful (their confidence lowered
and listed in `needs_review`, as reading doubts are) and a few decisions recorded, so that the queue
holds 300 cells and the decisions are applied at start. Each agency is made distinct, so that the
checks across reports run without a hundred duplicates.

One round times, from the start of the command as a whole process: the address on stderr, then over
HTTP the page, `queue.json` and the first cell's crop, as the browser asks for them. The target is
under 2 seconds; the best and the median of the rounds go to bench/results/review_queue.json with
the load average before the runs.

    python bench/review_queue.py [--reports 100] [--rounds 5]
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SAMPLES = ROOT / "samples" / "reports"
RESULTS = ROOT / "bench" / "results" / "review_queue.json"
TARGET = 2.0
DOUBTS = ("requests.granted.total", "requests.new_received.natural_person", "review_litigation.review.upheld")


def make_batch(folder: Path, out: Path, n: int) -> int:
    """`n` reports under `out`, three doubtful cells each; returns the cells in the queue."""
    pdfs = sorted(SAMPLES.glob("*.pdf"))
    folder.mkdir()
    for i in range(n):
        source = pdfs[i % len(pdfs)]
        (folder / f"r{i:03}_{source.name}").write_bytes(source.read_bytes() + f"\n%copy {i}\n".encode())
    cmd = [sys.executable, "-m", "extractor", "batch", str(folder), "-o", str(out)]
    subprocess.run(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, check=True)
    queued = 0
    decisions = []
    for i, path in enumerate(sorted(out.glob("*.json"))):
        data = json.loads(path.read_text(encoding="utf-8"))
        data["report"]["agency"] = f"{data['report']['agency']}{i}"
        for confidence, cell_path in zip((0.3, 0.55, 0.7), DOUBTS, strict=True):
            table, row, column = cell_path.split(".")
            cell = data[table][row][column]
            cell["confidence"], cell["reasons"] = confidence, ["row label matched loosely"]
            data["needs_review"].append(
                {
                    "path": cell_path,
                    "value": cell["value"],
                    "confidence": confidence,
                    "reasons": cell["reasons"],
                }
            )
            queued += 1
        if i % 10 == 0:  # a review under way: some decisions to apply at start
            cell = data["requests"]["granted"]["total"]
            decisions.append(
                {
                    "sha256": data["source"]["sha256"],
                    "path": "requests.granted.total",
                    "read": cell["value"],
                    "value": cell["value"],
                    "action": "accept",
                    "by": "bench",
                    "at": "2025-01-01T00:00:00+00:00",
                    "note": "",
                }
            )
            queued -= 1
        path.write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
    lines = "".join(json.dumps(d, ensure_ascii=False) + "\n" for d in decisions)
    (out / "corrections.jsonl").write_text(lines, encoding="utf-8")
    return queued


def open_queue(out: Path, decide: int = 0) -> tuple[float, float, int, list[float]]:
    """(seconds to the queue, seconds to the first crop, cells in the queue), from the command's start;
    then the seconds each of `decide` decisions takes (accepting the first cell of the queue), as the
    page sends them (the answer is the new queue). Decisions are recorded: run on a copy."""
    cmd = [sys.executable, "-m", "extractor", "review", str(out), "--serve", "--no-browser"]
    start = time.perf_counter()
    server = subprocess.Popen(cmd, stderr=subprocess.PIPE, text=True)
    try:
        assert server.stderr is not None
        url = server.stderr.readline().split()[1]
        with urllib.request.urlopen(url) as page:
            page.read()
        with urllib.request.urlopen(url + "queue.json") as response:
            queue = json.loads(response.read())
        to_queue = time.perf_counter() - start
        with urllib.request.urlopen(url + queue["items"][0]["crop"]) as crop:
            crop.read()
        to_crop = time.perf_counter() - start
        left = int(queue["left"])
        decisions = []
        for _ in range(decide):
            item = queue["items"][0]
            body = json.dumps({"report": item["report"], "path": item["path"], "action": "accept"}).encode()
            request = urllib.request.Request(
                url + "decide", body, headers={"content-type": "application/json"}, method="POST"
            )
            began = time.perf_counter()
            with urllib.request.urlopen(request) as response:
                queue = json.loads(response.read())["queue"]
            decisions.append(time.perf_counter() - began)
        return to_queue, to_crop, left, decisions
    finally:
        server.send_signal(signal.SIGINT)
        try:
            server.wait(timeout=20)
        except subprocess.TimeoutExpired:
            server.kill()


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--reports", type=int, default=100)
    parser.add_argument("--rounds", type=int, default=5)
    args = parser.parse_args()
    load = os.getloadavg()[0]
    queue_times, crop_times = [], []
    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp) / "out"
        queued = make_batch(Path(tmp) / "in", out, args.reports)
        for _ in range(args.rounds):
            to_queue, to_crop, left, _ = open_queue(out)
            assert left == queued, (left, queued)
            queue_times.append(to_queue)
            crop_times.append(to_crop)
            print(
                f"queue of {left} cells in {to_queue:.3f} s, first crop at {to_crop:.3f} s", file=sys.stderr
            )
        copy = Path(tmp) / "decided"
        shutil.copytree(out, copy)
        *_, decision_times = open_queue(copy, decide=20)
        shutil.rmtree(out, ignore_errors=True)
    result = {
        "reports": args.reports,
        "cells_in_queue": queued,
        "rounds": args.rounds,
        "seconds_to_queue": {
            "best": round(min(queue_times), 3),
            "median": round(statistics.median(queue_times), 3),
        },
        "seconds_to_first_crop": {
            "best": round(min(crop_times), 3),
            "median": round(statistics.median(crop_times), 3),
        },
        "seconds_a_decision": {
            "median": round(statistics.median(decision_times), 3),
            "worst": round(max(decision_times), 3),
            "decisions": len(decision_times),
            "what": "POST decide to the new queue received (relations run again, the batch re-ranked)",
        },
        "target_seconds": TARGET,
        "met": statistics.median(crop_times) < TARGET,
        "what": "from the start of `extractor review OUT --serve --no-browser` as a whole process to the "
        "page, queue.json and the first crop received over HTTP",
        "load_average_before": round(load, 2),
        "cpus": os.cpu_count(),
        "python": platform.python_version(),
    }
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    RESULTS.write_text(json.dumps(result, indent=2) + "\n", encoding="utf-8")
    print(json.dumps(result, indent=2))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
