"""Benchmark: `extractor batch` through the local pool and through Ray, side by side, on this machine.

The inputs are 200 text PDFs (the samples' text PDFs copied round-robin, as bench/batch.py makes
them) and 20 scans, read by the real tesseract: by default copies of the cheapest sample scan,
samples/scans/s07_gov_2021_wrongtotal_mixed.pdf (4 pages, 2 of them scanned), to keep OCR's share
of a run on a shared 2-core machine within minutes; `--scan all` copies every sample scan
round-robin (4 scanned pages each). The local pool runs with its default (one worker per core); the Ray
engine runs on a Ray cluster started beforehand on this machine (one head node with as many CPUs
as cores, on 127.0.0.1), as a batch on a real cluster finds its cluster up. Both are whole
`extractor batch` processes into fresh output folders; the time to start the cluster is recorded
apart. Rounds alternate the engines (and which goes first); the figures are the best times (the
runs least disturbed by other work on the machine), with the medians and the load average beside
them.

Per-document costs, for the README's cost of a national run: `--costs` measures the CPU time
(user + system, of the command and every process it waited for, so independent of other work on
the machine) of `extractor batch -j 1` on 40 text PDFs and on each sample scan, per document, and
adds it to the results. (summary.csv's `seconds` is wall time: on a loaded machine it is not the
cost of a file.)

    python bench/ray_batch.py [--text 200] [--scans 20] [--scan all] [--rounds 1]
    python bench/ray_batch.py --costs
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import platform
import resource
import shutil
import signal
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
CHEAPEST_SCAN = "s07_gov_2021_wrongtotal_mixed.pdf"


def make_inputs(folder: Path, text: int, scans: int, which: str) -> None:
    pdfs = sorted((SAMPLES / "reports").glob("*.pdf"))
    for i in range(text):
        shutil.copy(pdfs[i % len(pdfs)], folder / f"t{i:03}_{pdfs[i % len(pdfs)].name}")
    if not scans:
        return
    scanned = sorted((SAMPLES / "scans").glob("*.pdf" if which == "all" else which))
    for i in range(scans):
        shutil.copy(scanned[i % len(scanned)], folder / f"s{i:03}_{scanned[i % len(scanned)].name}")


def run(folder: Path, out: Path, more: list[str]) -> float:
    shutil.rmtree(out, ignore_errors=True)
    cmd = [sys.executable, "-m", "extractor", "batch", str(folder), "-o", str(out), *more]
    env = {**os.environ, **DRIVER_ENV}
    start = time.perf_counter()
    # A session of its own, as the Ray cluster's processes have: where the kernel shares the cores
    # between sessions (autogroup), either engine then gets the same share of a busy machine.
    done = subprocess.run(
        cmd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True, env=env, start_new_session=True
    )
    seconds = time.perf_counter() - start
    if done.returncode != 0:
        raise SystemExit(
            f"extractor batch {' '.join(more)} failed ({done.returncode}):\n{done.stderr[:3000]}"
        )
    return seconds


def per_document(out: Path) -> dict[str, float]:
    """Mean wall seconds a file of each kind took in the batch (summary.csv), by kind."""
    with (out / "summary.csv").open(encoding="utf-8-sig", newline="") as f:
        rows = list(csv.DictReader(f))
    kinds: dict[str, list[float]] = {}
    for row in rows:
        kinds.setdefault(row["kind"], []).append(float(row["seconds"]))
    return {kind: round(statistics.mean(s), 3) for kind, s in sorted(kinds.items())}


def cpu_seconds(folder: Path, out: Path) -> float:
    """CPU time of `extractor batch -j 1` on `folder`: the command and the processes it waited for."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    run(folder, out, ["-j", "1"])
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    return (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)


def costs() -> dict[str, float]:
    """CPU seconds per document: a text PDF (40 copies of the samples'), and each sample scan."""
    result: dict[str, float] = {}
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp) / "text"
        folder.mkdir()
        make_inputs(folder, 40, 0, "")
        result["text_pdf"] = round(cpu_seconds(folder, Path(tmp) / "out-text") / 40, 3)
        for scan in sorted((SAMPLES / "scans").glob("*.pdf")):
            folder = Path(tmp) / scan.stem
            folder.mkdir()
            shutil.copy(scan, folder / scan.name)
            result[scan.name] = round(cpu_seconds(folder, Path(tmp) / f"out-{scan.stem}"), 2)
            print(f"{scan.name}: {result[scan.name]} CPU s", flush=True)
    return result


def same_outputs(a: Path, b: Path) -> bool:
    names = sorted(p.relative_to(a) for p in a.glob("*.json"))
    return names == sorted(p.relative_to(b) for p in b.glob("*.json")) and all(
        (a / n).read_bytes() == (b / n).read_bytes() for n in names
    )


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--text", type=int, default=200)
    parser.add_argument("--scans", type=int, default=20)
    parser.add_argument("--scan", default=CHEAPEST_SCAN, help="which of samples/scans ('all': every one)")
    parser.add_argument("--rounds", type=int, default=1)
    parser.add_argument("--costs", action="store_true", help="only the CPU seconds per document")
    args = parser.parse_args()
    out = ROOT / "bench" / "results" / "ray_batch.json"
    if args.costs:
        recorded = json.loads(out.read_text(encoding="utf-8")) if out.exists() else {}
        recorded["cpu_seconds_per_document"] = costs()
        recorded["cpu_seconds_note"] = (
            "extractor batch -j 1, whole process tree (user + system), per document: 40 text PDFs; "
            "each sample scan alone (s01 and s02: 4 scanned pages; s07: 2 of 4), with the command's start"
        )
        out.write_text(json.dumps(recorded, indent=2) + "\n", encoding="utf-8")
        print(recorded["cpu_seconds_per_document"])
        return 0
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))  # stop the cluster on the way out
    cores = len(os.sched_getaffinity(0))
    load = os.getloadavg()[0]
    times: dict[str, list[float]] = {"local": [], "ray": []}
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp) / "in"
        folder.mkdir()
        make_inputs(folder, args.text, args.scans, args.scan)
        cluster = LocalCluster(Path(tmp) / "cluster")
        start = time.perf_counter()
        cluster.start(head_cpus=cores, worker=False)
        cluster_start = time.perf_counter() - start
        try:
            engines = {"local": [], "ray": ["--engine", "ray", "--address", cluster.address]}
            for r in range(args.rounds):
                order = list(engines.items())
                for name, more in order if r % 2 == 0 else order[::-1]:  # alternate who goes first
                    times[name].append(run(folder, Path(tmp) / f"out-{name}", more))
                    print(f"{name}: {times[name][-1]:.1f} s", flush=True)
            walls = {name: per_document(Path(tmp) / f"out-{name}") for name in engines}
            identical = same_outputs(Path(tmp) / "out-local", Path(tmp) / "out-ray")
        finally:
            cluster.stop()
    best = {name: min(t) for name, t in times.items()}
    ratio = best["ray"] / best["local"]
    result = {
        "benchmark": (
            f"extractor batch on {args.text} text PDFs and {args.scans} scans (copies of the samples; "
            f"scans: {args.scan}), "
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
        "wall_seconds_per_document_in_batch": walls,
    }
    previous = json.loads(out.read_text(encoding="utf-8")) if out.exists() else {}
    for key in ("cpu_seconds_per_document", "cpu_seconds_note"):  # kept from an earlier --costs
        if key in previous:
            result[key] = previous[key]
    out.write_text(json.dumps(result, indent=2) + "\n", encoding="utf-8")
    print(
        f"{args.text} text PDFs + {args.scans} scans: local pool {best['local']:.1f} s, "
        f"Ray {best['ray']:.1f} s "
        f"(x{ratio:.2f}, target x{TARGET}); outputs identical: {identical} -> {out.relative_to(ROOT)}"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
