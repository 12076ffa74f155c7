"""What finding a page's orientation costs, and whether it is right, on the sample scans.

    python bench/orient.py [--rounds 2]

1. Every page of every sample scan (`samples/scans/*.pdf`; pages with a text layer too, as if they
   were scanned) is rendered at 300 dpi and flattened as the OCR path does, and `orient.detect`
   runs on it with the real engine: the turn found is checked against the one the scan was made
   with (`samples.scan.SCANS`), and its time taken, apart for the pages the cues decide and those
   that needed tesseract's OSD.
2. `extractor extract` as a whole process, interleaved, on the scan fed sideways
   (s08_gov_2021_dashes_sideways) and on its upright twin (the same scan made without the turn):
   the cost of reading a sideways document against the same document upright, and the cells each
   gets right against the truth.

Results go to bench/results/orient.json, with the load average the run started with.
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
from dataclasses import replace
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

SIDEWAYS = "s08_gov_2021_dashes_sideways"


def expected_turns(scan: Any, pages: list[tuple[float, float]]) -> list[int]:
    """The counter-clockwise turn each page of a sample scan was made with."""
    out = []
    landscape = _landscape_pages(scan) if scan.portrait_feed else set()
    for number, _ in enumerate(pages, start=1):
        if number in landscape:
            out.append(270)  # a landscape page taken by a portrait scanner: a quarter clockwise
        elif scan.turn and (not scan.turn_pages or number in scan.turn_pages):
            out.append(scan.turn)
        else:
            out.append(0)
    return out


def _landscape_pages(scan: Any) -> set[int]:
    from samples.scan import redraw

    with tempfile.TemporaryDirectory() as tmp:
        import pypdfium2 as pdfium

        path, _ = redraw(scan, ROOT / "samples" / "reports", Path(tmp))
        pdf = pdfium.PdfDocument(str(path))
        try:
            return {i + 1 for i in range(len(pdf)) if pdf[i].get_size()[0] > pdf[i].get_size()[1]}
        finally:
            pdf.close()


def detection(rows: list[dict[str, Any]]) -> None:
    import pypdfium2 as pdfium

    from extractor.ocr import orient
    from extractor.ocr.engine import TesseractEngine
    from extractor.ocr.preprocess import binarize, render_pdf_page, to_gray
    from samples.scan import SCANS

    engine = TesseractEngine()
    for scan in SCANS:
        path = ROOT / "samples" / "scans" / f"{scan.id}{scan.suffix}"
        if scan.suffix != ".pdf" or not path.exists():
            continue
        pdf = pdfium.PdfDocument(str(path))
        sizes = [pdf[i].get_size() for i in range(len(pdf))]
        pdf.close()
        for number, want in enumerate(expected_turns(scan, sizes), start=1):
            gray, _ = to_gray(render_pdf_page(path, number))
            ink = binarize(gray)
            t = time.perf_counter()
            found = orient.detect(ink, engine, gray)
            seconds = time.perf_counter() - t
            rows.append(
                {
                    "scan": scan.id,
                    "page": number,
                    "expected": want,
                    "found": found.degrees,
                    "how": found.how,
                    "seconds": round(seconds, 3),
                }
            )
            print(f"{scan.id} p.{number}: {found.degrees}° ({found.how}, want {want}°) {seconds:.2f} s")


def _cells_exact(out: Path, truth: Path) -> tuple[int, int, int]:
    """(cells in the truth, exact, wrong and not flagged)."""
    report = json.loads(out.read_text(encoding="utf-8"))
    want = json.loads(truth.read_text(encoding="utf-8"))
    flagged = {item["path"] for item in report["needs_review"]}
    n = exact = unflagged = 0
    for table in ("proactive", "requests", "review_litigation"):
        for row, cols in want[table].items():
            for col, value in cols.items():
                n += 1
                cell = report[table].get(row, {}).get(col)
                if cell is not None and cell["value"] == value:
                    exact += 1
                elif f"{table}.{row}.{col}" not in flagged:
                    unflagged += 1
    return n, exact, unflagged


def whole(rounds: int) -> dict[str, Any]:
    from samples.scan import SCANS, build

    scan = next(s for s in SCANS if s.id == SIDEWAYS)
    exe = str(Path(sys.executable).parent / "extractor")
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        sources = ROOT / "samples" / "reports"
        docs = {
            "sideways": build(scan, sources, folder),
            "upright": build(replace(scan, id=f"{SIDEWAYS}_upright", turn=0), sources, folder),
        }
        times: dict[str, list[float]] = {k: [] for k in docs}
        cells: dict[str, tuple[int, int, int]] = {}
        for _ in range(rounds):
            for key, doc in docs.items():
                out = folder / f"{key}.json"
                t = time.perf_counter()
                subprocess.run([exe, "extract", str(doc), "-o", str(out)], check=True)
                times[key].append(time.perf_counter() - t)
                cells[key] = _cells_exact(out, Path(f"{doc}.json"))
                print(f"{key}: {times[key][-1]:.1f} s, cells (n, exact, wrong unflagged) {cells[key]}")
    return {
        key: {
            "median_s": round(statistics.median(ts), 2),
            "runs_s": [round(t, 2) for t in ts],
            "cells_n_exact_wrong_unflagged": cells[key],
        }
        for key, ts in times.items()
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0] if __doc__ else None)
    parser.add_argument("--rounds", type=int, default=2)
    args = parser.parse_args()
    load = os.getloadavg()[0]
    rows: list[dict[str, Any]] = []
    detection(rows)
    cues = [r["seconds"] for r in rows if r["how"] == "cues"]
    osd = [r["seconds"] for r in rows if r["how"] != "cues"]
    summary = {
        "pages": len(rows),
        "right": sum(r["found"] == r["expected"] for r in rows),
        "decided_by_cues": len(cues),
        "needed_osd": len(osd),
        "cues_median_s": round(statistics.median(cues), 3) if cues else None,
        "osd_median_s": round(statistics.median(osd), 3) if osd else None,
    }
    print(summary)
    result = {
        "machine": f"{platform.machine()}, {os.cpu_count()} cores, load {load:.1f} at start",
        "detection": summary,
        "pages": rows,
        "extract_sideways_vs_upright": whole(args.rounds),
    }
    out = ROOT / "bench" / "results" / "orient.json"
    out.write_text(json.dumps(result, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
    print(f"written {out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
