"""Time the OCR path on a scanned report, against whole-page tesseract on the same pages.

    python bench/scan.py [--doc ../shared/corpus/docs/003_huaianshi_2024_scan300.pdf] [--rounds 3]

Runs, interleaved, `extractor extract DOC` as a whole process (pages in worker processes, one per
core), and the baseline: the same pages rendered at 300 dpi, read by `tesseract PAGE stdout -l
chi_sim` (whole page, page segmentation as tesseract chooses), one process per page, as many at a
time as there are cores, with OMP_THREAD_LIMIT=1 (tesseract's own threads only fight the
processes; unset, a page takes several times longer on 2 cores). The extractor's peak memory is the
largest sum of the resident memory of its process tree, sampled every 20 ms from /proc. Beside the
wall-clock times, the CPU seconds of each run's whole process tree (user + system, from the
rusage of the children this script waited for): on a machine shared with other work they move far
less than wall-clock times. Medians go to bench/results/scan.json.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
DEFAULT = ROOT.parent / "shared" / "corpus" / "docs" / "003_huaianshi_2024_scan300.pdf"
FALLBACK = ROOT / "samples" / "scans" / "s01_gov_2021_split4_scan.pdf"


def _children(pid: int) -> list[int]:
    """The processes `pid`'s threads started (from /proc, without walking every process: the
    sampling must cost next to nothing beside what it measures)."""
    out: list[int] = []
    try:
        tasks = os.listdir(f"/proc/{pid}/task")
    except OSError:
        return out
    for task in tasks:
        try:
            out += [int(p) for p in Path(f"/proc/{pid}/task/{task}/children").read_text().split()]
        except OSError:
            continue
    return out


def _tree_rss(pid: int) -> int:
    """Resident memory of a process and all its descendants, in bytes."""
    total, todo = 0, [pid]
    while todo:
        p = todo.pop()
        todo.extend(_children(p))
        try:
            for line in Path(f"/proc/{p}/status").read_text().splitlines():
                if line.startswith("VmRSS:"):
                    total += int(line.split()[1]) * 1024
        except OSError:
            continue
    return total


def _children_cpu() -> float:
    """CPU seconds (user + system) of every descendant process waited for so far."""
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def compile_sources() -> None:
    """Byte-compile the extractor once, as `pip install` does: a run from the source tree where
    PYTHONDONTWRITEBYTECODE is set would otherwise compile every module again (0.2 s a run)."""
    import compileall

    compileall.compile_dir(str(ROOT / "extractor"), quiet=1)


def run_extractor(doc: Path, out: Path) -> tuple[float, float, int]:
    """Wall seconds, CPU seconds and peak tree memory of one `extractor extract` run."""
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    command = [sys.executable, "-m", "extractor", "extract", str(doc), "-o", str(out)]
    cpu = _children_cpu()
    start = time.perf_counter()
    proc = subprocess.Popen(command, env=env, stderr=subprocess.PIPE)
    peak = 0
    while proc.poll() is None:
        peak = max(peak, _tree_rss(proc.pid))
        time.sleep(0.02)
    seconds = time.perf_counter() - start
    if proc.returncode != 0:
        raise SystemExit(
            f"extractor failed ({proc.returncode}): {proc.stderr.read().decode() if proc.stderr else ''}"
        )
    return seconds, _children_cpu() - cpu, peak


def render(doc: Path, folder: Path) -> list[Path]:
    import pypdfium2 as pdfium

    pdf = pdfium.PdfDocument(str(doc))
    pages = []
    for i in range(len(pdf)):
        path = folder / f"page{i + 1}.png"
        pdf[i].render(scale=300 / 72, grayscale=True).to_pil().save(path, dpi=(300, 300))
        pages.append(path)
    return pages


def run_tesseract(pages: list[Path], jobs: int) -> tuple[float, float]:
    """Wall and CPU seconds of whole-page `tesseract -l chi_sim` over the pages, `jobs` at a time."""
    env = {**os.environ, "OMP_THREAD_LIMIT": "1"}
    cpu = _children_cpu()
    start = time.perf_counter()
    running: list[subprocess.Popen[bytes]] = []
    for page in pages:
        while len(running) >= jobs:
            running[0].wait()
            running = [p for p in running if p.poll() is None]
        running.append(
            subprocess.Popen(
                ["tesseract", str(page), "stdout", "-l", "chi_sim"],
                env=env,
                stdout=subprocess.DEVNULL,
                stderr=subprocess.DEVNULL,
            )
        )
    for p in running:
        p.wait()
    return time.perf_counter() - start, _children_cpu() - cpu


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0] if __doc__ else None)
    parser.add_argument("--doc", type=Path, default=DEFAULT if DEFAULT.exists() else FALLBACK)
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args(argv)
    jobs = os.cpu_count() or 1
    ours, ours_cpu, peaks, baseline, baseline_cpu, ratios = [], [], [], [], [], []
    load = os.getloadavg()[0]
    compile_sources()
    with tempfile.TemporaryDirectory() as tmp:
        pages = render(args.doc, Path(tmp))
        for _ in range(args.rounds):
            seconds, cpu, peak = run_extractor(args.doc, Path(tmp) / "out.json")
            ours.append(seconds)
            ours_cpu.append(cpu)
            peaks.append(peak)
            wall, cpu = run_tesseract(pages, jobs)
            baseline.append(wall)
            baseline_cpu.append(cpu)
            ratios.append(seconds / wall)
        report = json.loads((Path(tmp) / "out.json").read_text(encoding="utf-8"))
    result = {
        "benchmark": "a scanned report end to end (extractor extract, a whole process) against whole-page "
        "tesseract -l chi_sim on the same pages rendered at 300 dpi",
        "document": args.doc.name,
        "pages": len(pages),
        "cores": jobs,
        "rounds": args.rounds,
        "extractor_s": round(statistics.median(ours), 2),
        "extractor_runs_s": [round(s, 2) for s in ours],
        "extractor_peak_rss_mb": round(max(peaks) / 2**20),
        "tesseract_chi_sim_whole_pages_s": round(statistics.median(baseline), 2),
        "tesseract_runs_s": [round(s, 2) for s in baseline],
        "ratio": round(statistics.median(ours) / statistics.median(baseline), 2),
        "ratio_per_round": [round(r, 2) for r in ratios],
        "extractor_cpu_s": round(statistics.median(ours_cpu), 2),
        "tesseract_cpu_s": round(statistics.median(baseline_cpu), 2),
        "cpu_ratio": round(statistics.median(ours_cpu) / statistics.median(baseline_cpu), 2),
        "load_average_at_start": round(load, 2),
        "target_ratio": 1.8,
        "target_s": 30,
        "target_peak_mb": 1024,
        "cells_flagged": len(report["needs_review"]),
        "machine": f"{platform.machine()}, Python {platform.python_version()}",
    }
    out = ROOT / "bench" / "results" / "scan.json"
    out.write_text(json.dumps(result, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
    print(
        f"{args.doc.name} ({len(pages)} pages, {jobs} cores): extractor {result['extractor_s']} s "
        f"(peak {result['extractor_peak_rss_mb']} MB), whole-page tesseract -l chi_sim "
        f"{result['tesseract_chi_sim_whole_pages_s']} s (medians of {args.rounds}): {result['ratio']}×; CPU "
        f"{result['extractor_cpu_s']} s against {result['tesseract_cpu_s']} s: {result['cpu_ratio']}×"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
