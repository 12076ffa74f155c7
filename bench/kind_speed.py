"""Whole-process speed of `extractor extract` on one kind of input, against a target.

Every file of the kind in the shared corpus and one folder of the project is extracted in fresh
processes (`python -m extractor extract FILE -o OUT`), `--rounds` times each, next to a process
that only starts Python and fails on a missing file (the fixed cost of any run). Medians go to
bench/results/<name>.json and a table on stdout; the target is a median under 0.2 s a report.
Used by bench/html_docx.py and bench/text_md.py.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
CORPUS = ROOT.parent / "shared" / "corpus"
TARGET_S = 0.2


def inputs(suffixes: tuple[str, ...], extra: Path) -> list[Path]:
    files = sorted(p for p in (CORPUS / "docs").glob("*") if p.suffix in suffixes) if CORPUS.is_dir() else []
    return files + sorted(p for p in extra.glob("*") if p.suffix in suffixes)


def timed(cmd: list[str]) -> float:
    start = time.perf_counter()
    subprocess.run(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, check=False)
    return time.perf_counter() - start


def main(name: str, suffixes: tuple[str, ...], extra: Path, label: str, what: str, description: str) -> int:
    """Time `extractor extract` on the corpus's and `extra`'s files with these suffixes (the latter
    labelled `label`); write bench/results/<name>.json; exit 0 when the worst median is under the target."""
    parser = argparse.ArgumentParser(description=description)
    parser.add_argument("--rounds", type=int, default=9)
    args = parser.parse_args()
    files = inputs(suffixes, extra)
    if not files:
        print(f"no {what} found", file=sys.stderr)
        return 1
    rows = []
    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp) / "out.json"
        floor_cmd = [sys.executable, "-m", "extractor", "extract", str(Path(tmp) / ("missing" + suffixes[0]))]
        floor = []
        for f in files:
            cmd = [sys.executable, "-m", "extractor", "extract", str(f), "-o", str(out)]
            subprocess.run(cmd, check=True, stdout=subprocess.DEVNULL)  # warm the file cache; must work
            times = []
            for _ in range(args.rounds):
                times.append(timed(cmd))
                floor.append(timed(floor_cmd))
            rows.append(
                {
                    "file": f.name,
                    "set": "corpus" if f.is_relative_to(CORPUS) else label,
                    "median_s": round(statistics.median(times), 3),
                    "min_s": round(min(times), 3),
                }
            )
    floor_s = round(statistics.median(floor), 3)
    medians = [r["median_s"] for r in rows]
    result = {
        "benchmark": f"extractor extract on {' and '.join(suffixes)}, whole processes",
        "rounds": args.rounds,
        "python": platform.python_version(),
        "machine": f"{platform.machine()}, {os.cpu_count()} cores",
        "target_median_s": TARGET_S,
        "process_floor_median_s": floor_s,
        "files": rows,
        "summary": {
            "reports": len(rows),
            "median_s_per_report": statistics.median(medians),
            "worst_median_s": max(medians),
        },
    }
    (Path(__file__).resolve().parent / "results" / f"{name}.json").write_text(
        json.dumps(result, ensure_ascii=False, indent=2) + "\n", encoding="utf-8"
    )
    width = max(len(r["file"]) for r in rows)
    print(f"{'file':<{width}}  median(s)  min(s)")
    for r in rows:
        print(f"{r['file']:<{width}}  {r['median_s']:9.3f}  {r['min_s']:6.3f}")
    print(
        f"{len(rows)} reports: median {statistics.median(medians):.3f} s, worst {max(medians):.3f} s "
        f"(target {TARGET_S} s; starting Python and failing on a missing file: {floor_s:.3f} s)"
    )
    return 0 if max(medians) < TARGET_S else 2
