"""Benchmark: `extractor batch` on 200 text PDFs with --jobs 1 and --jobs 2, as whole processes.

The inputs are copies of the bundled samples' text PDFs in a temporary folder. Each round runs the
command into a fresh output folder (nothing to skip), jobs 1 and jobs 2 interleaved. The speed-up
is that of the best times, the runs least disturbed by other work on the machine (as `timeit` takes
its minimum); the medians are recorded beside them, with the load average before the runs, in
bench/results/batch.json. The target is a speed-up of at least 1.8 on a 2-core machine.

    python bench/batch.py [--reports 200] [--rounds 5]
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SAMPLES = ROOT / "samples" / "reports"
TARGET = 1.8


def make_inputs(folder: Path, n: int) -> int:
    """`n` text PDFs: the samples' text PDFs copied round-robin. Returns their total pages."""
    pdfs = sorted(SAMPLES.glob("*.pdf"))
    for i in range(n):
        shutil.copy(pdfs[i % len(pdfs)], folder / f"r{i:03}_{pdfs[i % len(pdfs)].name}")
    return n


def run(folder: Path, out: Path, jobs: int) -> float:
    shutil.rmtree(out, ignore_errors=True)
    cmd = [sys.executable, "-m", "extractor", "batch", str(folder), "-o", str(out), "--jobs", str(jobs)]
    start = time.perf_counter()
    done = subprocess.run(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True, check=False)
    seconds = time.perf_counter() - start
    if done.returncode != 0:
        raise SystemExit(f"extractor batch failed ({done.returncode}):\n{done.stderr[-2000:]}")
    return seconds


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--reports", type=int, default=200)
    parser.add_argument("--rounds", type=int, default=5)
    args = parser.parse_args()
    load = os.getloadavg()[0]
    times: dict[int, list[float]] = {1: [], 2: []}
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp) / "in"
        folder.mkdir()
        make_inputs(folder, args.reports)
        run(folder, Path(tmp) / "warm", 2)  # warm the file cache and the byte-code
        for _ in range(args.rounds):
            for jobs in (1, 2):
                times[jobs].append(run(folder, Path(tmp) / f"out{jobs}", jobs))
    medians = {jobs: statistics.median(t) for jobs, t in times.items()}
    best = {jobs: min(t) for jobs, t in times.items()}
    speedup = best[1] / best[2]
    result = {
        "benchmark": f"extractor batch on {args.reports} text PDFs (copies of the samples), whole processes",
        "rounds": args.rounds,
        "python": platform.python_version(),
        "machine": f"{platform.machine()}, {os.cpu_count()} cores",
        "load_before": round(load, 2),
        "seconds": {f"jobs_{jobs}": [round(t, 3) for t in ts] for jobs, ts in times.items()},
        "median_s": {f"jobs_{jobs}": round(m, 3) for jobs, m in medians.items()},
        "best_s": {f"jobs_{jobs}": round(m, 3) for jobs, m in best.items()},
        "reports_per_s": {f"jobs_{jobs}": round(args.reports / m, 1) for jobs, m in best.items()},
        "speedup_jobs2_vs_jobs1": round(speedup, 3),
        "speedup_of_medians": round(medians[1] / medians[2], 3),
        "target_speedup": TARGET,
        "meets_target": speedup >= TARGET,
    }
    out = ROOT / "bench" / "results" / "batch.json"
    out.write_text(json.dumps(result, indent=2) + "\n", encoding="utf-8")
    print(
        f"{args.reports} text PDFs: --jobs 1 {best[1]:.2f} s, --jobs 2 {best[2]:.2f} s "
        f"(best of {args.rounds}; medians {medians[1]:.2f} s, {medians[2]:.2f} s); "
        f"speed-up {speedup:.2f}x (target {TARGET}x) -> {out.relative_to(ROOT)}"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
