"""Benchmark: `extractor batch` through the local pool and through Ray, side by side, on this machine.

The inputs are 200 text PDFs (the samples' text PDFs copied round-robin, as bench/batch.py makes
them) and 20 scans (the samples' scans, samples/scans/*.pdf, copied round-robin: four pages each,
read by the real tesseract). The local pool runs with its default (one worker per core); the Ray
engine runs on a Ray cluster started beforehand on this machine (one head node with as many CPUs
as cores, on 127.0.0.1), as a batch on a real cluster finds its cluster up. Both are whole
`extractor batch` processes into fresh output folders; the time to start the cluster is recorded
apart. Rounds alternate the engines; the figures are the best times (the runs least disturbed by
other work on the machine), with the medians and the load average beside them.

Per-document costs (core-seconds per text PDF and per scan, from summary.csv's `seconds`, which
each file spends on one core) are recorded too: the README's cost of a national run uses them.

    python bench/ray_batch.py [--text 200] [--scans 20] [--rounds 1]
"""

from __future__ import annotations

import argparse
import csv
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
sys.path.insert(0, str(ROOT))

from tests.ray_cluster import DRIVER_ENV, LocalCluster  # noqa: E402

SAMPLES = ROOT / "samples"
TARGET = 1.15


def make_inputs(folder: Path, text: int, scans: int) -> None:
    pdfs = sorted((SAMPLES / "reports").glob("*.pdf"))
    for i in range(text):
        shutil.copy(pdfs[i % len(pdfs)], folder / f"t{i:03}_{pdfs[i % len(pdfs)].name}")
    scanned = sorted((SAMPLES / "scans").glob("*.pdf"))
    for i in range(scans):
        shutil.copy(scanned[i % len(scanned)], folder / f"s{i:03}_{scanned[i % len(scanned)].name}")


def run(folder: Path, out: Path, more: list[str]) -> float:
    shutil.rmtree(out, ignore_errors=True)
    cmd = [sys.executable, "-m", "extractor", "batch", str(folder), "-o", str(out), *more]
    env = {**os.environ, **DRIVER_ENV}
    start = time.perf_counter()
    done = subprocess.run(
        cmd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True, env=env, check=False
    )
    seconds = time.perf_counter() - start
    if done.returncode != 0:
        raise SystemExit(
            f"extractor batch {' '.join(more)} failed ({done.returncode}):\n{done.stderr[:3000]}"
        )
    return seconds


def per_document(out: Path) -> dict[str, float]:
    """Mean core-seconds a file of each kind took (summary.csv), by the kind the extractor found."""
    with (out / "summary.csv").open(encoding="utf-8-sig", newline="") as f:
        rows = list(csv.DictReader(f))
    kinds: dict[str, list[float]] = {}
    for row in rows:
        kinds.setdefault(row["kind"], []).append(float(row["seconds"]))
    return {kind: round(statistics.mean(s), 3) for kind, s in sorted(kinds.items())}


def same_outputs(a: Path, b: Path) -> bool:
    names = sorted(p.relative_to(a) for p in a.glob("*.json"))
    return names == sorted(p.relative_to(b) for p in b.glob("*.json")) and all(
        (a / n).read_bytes() == (b / n).read_bytes() for n in names
    )


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--text", type=int, default=200)
    parser.add_argument("--scans", type=int, default=20)
    parser.add_argument("--rounds", type=int, default=1)
    args = parser.parse_args()
    cores = len(os.sched_getaffinity(0))
    load = os.getloadavg()[0]
    times: dict[str, list[float]] = {"local": [], "ray": []}
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp) / "in"
        folder.mkdir()
        make_inputs(folder, args.text, args.scans)
        cluster = LocalCluster(Path(tmp) / "cluster")
        start = time.perf_counter()
        cluster.start(head_cpus=cores, worker=False)
        cluster_start = time.perf_counter() - start
        try:
            engines = {"local": [], "ray": ["--engine", "ray", "--address", cluster.address]}
            for _ in range(args.rounds):
                for name, more in engines.items():
                    times[name].append(run(folder, Path(tmp) / f"out-{name}", more))
                    print(f"{name}: {times[name][-1]:.1f} s", flush=True)
            costs = {name: per_document(Path(tmp) / f"out-{name}") for name in engines}
            identical = same_outputs(Path(tmp) / "out-local", Path(tmp) / "out-ray")
        finally:
            cluster.stop()
    best = {name: min(t) for name, t in times.items()}
    ratio = best["ray"] / best["local"]
    result = {
        "benchmark": (
            f"extractor batch on {args.text} text PDFs and {args.scans} scans (copies of the samples), "
            "local pool against Ray on this machine, whole processes"
        ),
        "rounds": args.rounds,
        "python": platform.python_version(),
        "machine": f"{platform.machine()}, {cores} cores",
        "load_before": round(load, 2),
        "ray_cluster": f"one head node on 127.0.0.1 with {cores} CPUs, started before the runs",
        "ray_cluster_start_s": round(cluster_start, 2),
        "seconds": {name: [round(t, 2) for t in ts] for name, ts in times.items()},
        "best_s": {name: round(t, 2) for name, t in best.items()},
        "median_s": {name: round(statistics.median(t), 2) for name, t in times.items()},
        "ray_vs_local": round(ratio, 3),
        "target_ratio": TARGET,
        "meets_target": ratio <= TARGET,
        "outputs_identical": identical,
        "core_seconds_per_document": costs,
    }
    out = ROOT / "bench" / "results" / "ray_batch.json"
    out.write_text(json.dumps(result, indent=2) + "\n", encoding="utf-8")
    print(
        f"{args.text} text PDFs + {args.scans} scans: local pool {best['local']:.1f} s, "
        f"Ray {best['ray']:.1f} s "
        f"(x{ratio:.2f}, target x{TARGET}); outputs identical: {identical} -> {out.relative_to(ROOT)}"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
