"""Benchmark: `extractor extract` against bare pdfplumber, whole processes, side by side in one run.

For every text PDF of the shared corpus (and the bundled samples), both commands run in fresh
processes, interleaved, `--rounds` times; the medians are compared. Results go to
bench/results/text_pdf.json and a table on stdout.

    python bench/text_pdf.py [--rounds 7] [--no-samples]
"""

from __future__ import annotations

import argparse
import json
import platform
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
CORPUS = ROOT.parent / "shared" / "corpus"
BASELINE = Path(__file__).resolve().parent / "baseline_pdfplumber.py"


def has_text_layer(pdf: Path) -> bool:
    import pypdfium2 as pdfium

    doc = pdfium.PdfDocument(str(pdf))
    try:
        return any(len(doc[i].get_textpage().get_text_range().strip()) > 50 for i in range(len(doc)))
    finally:
        doc.close()


def inputs(with_samples: bool) -> list[Path]:
    files = sorted((CORPUS / "docs").glob("*.pdf")) if CORPUS.is_dir() else []
    if with_samples:
        files += sorted((ROOT / "samples" / "reports").glob("*.pdf"))
    return [f for f in files if has_text_layer(f)]


def timed(cmd: list[str]) -> float:
    start = time.perf_counter()
    subprocess.run(cmd, check=True, stdout=subprocess.DEVNULL)
    return time.perf_counter() - start


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=7)
    parser.add_argument("--no-samples", action="store_true", help="only the shared corpus")
    args = parser.parse_args()
    files = inputs(not args.no_samples)
    if not files:
        print("no text PDFs found (neither the shared corpus nor samples/reports)", file=sys.stderr)
        return 1
    rows = []
    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp) / "out.json"
        for f in files:
            ours_cmd = [sys.executable, "-m", "extractor", "extract", str(f), "-o", str(out)]
            bare_cmd = [sys.executable, str(BASELINE), str(f)]
            timed(ours_cmd), timed(bare_cmd)  # warm the file cache
            ours, bare = [], []
            for _ in range(args.rounds):
                ours.append(timed(ours_cmd))
                bare.append(timed(bare_cmd))
            rows.append(
                {
                    "file": f.name,
                    "set": "corpus" if f.is_relative_to(CORPUS) else "samples",
                    "ours_median_s": round(statistics.median(ours), 3),
                    "baseline_median_s": round(statistics.median(bare), 3),
                    "ratio": round(statistics.median(ours) / statistics.median(bare), 3),
                }
            )
    summary = {}
    for subset in ("corpus", "samples"):
        sel = [r for r in rows if r["set"] == subset]
        if sel:
            summary[subset] = {
                "reports": len(sel),
                "ours_median_s_per_report": statistics.median(r["ours_median_s"] for r in sel),
                "baseline_median_s_per_report": statistics.median(r["baseline_median_s"] for r in sel),
                "median_ratio": statistics.median(r["ratio"] for r in sel),
                "worst_ratio": max(r["ratio"] for r in sel),
            }
    result = {
        "benchmark": "extractor extract vs pdfplumber extract_tables() on every page, whole processes",
        "rounds": args.rounds,
        "python": platform.python_version(),
        "machine": f"{platform.machine()}, {__import__('os').cpu_count()} cores",
        "files": rows,
        "summary": summary,
    }
    (Path(__file__).resolve().parent / "results" / "text_pdf.json").write_text(
        json.dumps(result, ensure_ascii=False, indent=2) + "\n", encoding="utf-8"
    )
    width = max(len(r["file"]) for r in rows)
    print(f"{'file':<{width}}  ours(s)  bare(s)  ratio")
    for r in rows:
        ours, bare = r["ours_median_s"], r["baseline_median_s"]
        print(f"{r['file']:<{width}}  {ours:7.3f}  {bare:7.3f}  {r['ratio']:5.2f}")
    for subset, s in summary.items():
        print(
            f"{subset}: {s['reports']} reports, median {s['ours_median_s_per_report']:.3f} s/report (bare "
            f"{s['baseline_median_s_per_report']:.3f}), median ratio {s['median_ratio']:.2f}, "
            f"worst {s['worst_ratio']:.2f}"
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
