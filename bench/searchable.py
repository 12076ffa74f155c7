"""Photographed scans made searchable by a real OCR tool: are their cells read, and right?

    python bench/searchable.py [--seeds 5001:5240] [--count 8] [--workers 2]

Takes the photographed scans (keystone, colour, uneven light; 150–300 dpi, JPEG) among the held-out
(odd) seeds of the calibration set (`bench/scanset.py`, never used to fit the confidence model),
makes each searchable with `ocrmypdf -l chi_sim+eng` (the page image kept, tesseract's invisible
text under it, as scanner software writes them), extracts it with the extractor's real engines and
compares every truth cell: cells exact, flagged, flagged and really wrong, wrong and not flagged
(silent errors), absent. Also what each file was taken for (`source.kind` and `source.ocr`: a
searchable scan is read by our OCR, its text layer only a vote).

ocrmypdf is a tool of this bench, not of the extractor (`apt-get install ocrmypdf`); without it the
bench says so and stops. Searchable files and OCR recordings are kept under
bench/out/searchable/ (a second run replays them). Results: bench/results/searchable.json.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import shutil
import subprocess
import sys
import time
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

import calibrate  # noqa: E402
from scanset import Item, make_set  # noqa: E402

OUT = ROOT / "bench" / "out" / "searchable"
RESULTS = ROOT / "bench" / "results"


def searchable(item: Item) -> Path:
    """The item's scan made searchable by ocrmypdf (made once)."""
    out = OUT / f"{item.path.stem}_searchable.pdf"
    if not out.exists():
        # --skip-text: most scans of the set are mixed (their prose pages keep a text layer), and
        # a scanner tool leaves such pages as they are.
        cmd = [
            "ocrmypdf",
            "-q",
            "-l",
            "chi_sim+eng",
            "--skip-text",
            "--output-type",
            "pdf",
            "--optimize",
            "0",
        ]
        subprocess.run([*cmd, "--jobs", "1", str(item.path), str(out)], check=True, timeout=1800)
    return out


def extract(path: Path) -> dict[str, Any]:
    from extractor import Settings, extract
    from extractor.ocr.options import OcrOptions, Recorded

    recorded = Recorded(str(path.with_suffix(".ocr.json")), record=True)
    t = time.perf_counter()
    try:
        data: dict[str, Any] = json.loads(
            extract(path, Settings(ocr=OcrOptions(engine=recorded, workers=1))).to_json()
        )
    except Exception as e:  # a failed extraction is a finding of this bench
        data = {"error": f"{type(e).__name__}: {e}"}
    data["_seconds"] = round(time.perf_counter() - t, 1)
    return data


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0] if __doc__ else None)
    parser.add_argument("--seeds", default="5001:5240", help="first:last (exclusive); odd seeds only")
    parser.add_argument("--count", type=int, default=8, help="how many photographed scans")
    parser.add_argument("--workers", type=int, default=os.cpu_count() or 1)
    args = parser.parse_args(argv)
    if shutil.which("ocrmypdf") is None:
        print("ocrmypdf is not installed: apt-get install ocrmypdf (a tool of this bench only)")
        return 2
    from extractor import Settings

    threshold = Settings().review_threshold
    first, last = (int(x) for x in args.seeds.split(":"))
    odd = [s for s in range(first, last) if s % 2]
    photos: list[Item] = []
    for seed in odd:  # the scans are made (and kept) as they are needed
        item = make_set(range(seed, seed + 1), calibrate.OUT)[0]
        if "photo" in item.quality:
            photos.append(item)
        if len(photos) == args.count:
            break
    OUT.mkdir(parents=True, exist_ok=True)
    t = time.perf_counter()
    with ProcessPoolExecutor(max_workers=args.workers) as pool:
        paths = list(pool.map(searchable, photos))
        outputs = list(pool.map(extract, paths))
    seconds = time.perf_counter() - t
    per_report, documents = [], []
    for item, report in zip(photos, outputs, strict=True):
        if "error" in report:
            documents.append({"seed": item.seed, "quality": item.quality, "error": report["error"]})
            continue
        rows = calibrate.cells(report, json.loads(item.truth.read_text(encoding="utf-8")))
        per_report.append(rows)
        score = calibrate.at_threshold([rows], threshold)
        documents.append(
            {
                "seed": item.seed,
                "quality": item.quality,
                "kind": report["source"]["kind"],
                "ocr": report["source"].get("ocr"),
                "cells": len(rows),
                "exact": sum(r["right"] for r in rows),
                "flagged": round(score["flags_per_report"]),
                "silent_errors": score["silent_errors"],
                "absent": score["absent"],
                "seconds": report["_seconds"],
            }
        )
    total = calibrate.at_threshold(per_report, threshold)
    result = {
        "benchmark": "photographed scans made searchable by ocrmypdf, read by the extractor",
        "reports": len(per_report),
        "failed": [d for d in documents if "error" in d],
        **total,
        "documents": documents,
        "seconds": round(seconds, 1),
        "machine": f"{platform.machine()}, Python {platform.python_version()}",
    }
    RESULTS.mkdir(parents=True, exist_ok=True)
    (RESULTS / "searchable.json").write_text(
        json.dumps(result, ensure_ascii=False, indent=1) + "\n", encoding="utf-8"
    )
    for d in documents:
        print(d)
    print(
        f"{len(per_report)} searchable photos, {total['cells']} cells: exact {total['exact']:.2%}, "
        f"{total['flags_per_report']} flags a report ({total['flagged_really_wrong']} really wrong), "
        f"{total['silent_errors']} silent errors, {total['absent']} absent; {seconds:.0f} s"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
