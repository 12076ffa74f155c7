"""What the second engine (RapidOCR's recogniser) costs next to tesseract, on number cell crops.

    python bench/rapid.py [--crops 200]

1. Loading: in a fresh process, the seconds to import rapidocr and onnxruntime, load the model and
   make the first read (which starts the onnxruntime session), and the peak resident memory that
   adds (ru_maxrss after, less before: numpy, OpenCV and the extractor already imported).
2. Reading: `--crops` numbers (1 to 7 digits, some with a decimal point or thousands commas),
   drawn with the four CJK fonts the samples use at 22-48 px, lightly blurred, cut and padded as
   cell crops are; each read by RapidEngine (`RAPID`) and by tesseract's eng model at psm 7 with the
   digit whitelist (`NUMBER`), interleaved: latency per crop (mean, median, p95) and how many each
   reads exactly.

Results go to bench/results/rapid.json, with the load average the run started with.
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
import time
from pathlib import Path
from typing import Any

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

FONTS = ("wqy-zenhei", "wqy-microhei", "ar-uming", "ar-ukai")


def load_cost() -> dict[str, float]:
    """Run in a fresh process (`--load`): import and model load time, peak RSS added."""
    import cv2  # noqa: F401  (already there when a page worker reads a cell)

    from extractor.ocr import rapid
    from extractor.ocr.read import PAD

    before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    image = np.full((40 + 2 * PAD, 120 + 2 * PAD), 255, np.uint8)
    image[PAD + 5 : PAD + 35, PAD + 10 : PAD + 14] = 0  # a '1'
    # rapidocr imports its parts when first used: the import is timed with the model's load.
    start = time.perf_counter()
    engine = rapid.RapidEngine()
    engine.read(image, rapid.RAPID)
    loaded = time.perf_counter()
    after = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    engine.read(image, rapid.RAPID)
    return {
        "import_load_and_first_read_s": round(loaded - start, 3),
        "second_read_s": round(time.perf_counter() - loaded, 3),
        "peak_rss_added_mb": round((after - before) / 1024, 1),
    }


def numbers(count: int, rng: np.random.Generator) -> list[str]:
    out = []
    for _ in range(count):
        digits = int(rng.integers(1, 8))
        n = int(rng.integers(10 ** (digits - 1) if digits > 1 else 0, 10**digits))
        kind = rng.random()
        if kind < 0.15:
            out.append(f"{n / 10:.1f}")
        elif kind < 0.25 and n >= 1000:
            out.append(f"{n:,}")
        else:
            out.append(str(n))
    return out


def crops(texts: list[str], rng: np.random.Generator) -> list[np.ndarray]:
    import cv2
    from PIL import Image, ImageDraw, ImageFont

    from extractor.ocr.read import _pad, _trim
    from samples.render_pdf import FONTS as FILES
    from samples.render_pdf import _font_file

    out = []
    for text in texts:
        name = FONTS[int(rng.integers(0, len(FONTS)))]
        size = int(rng.integers(22, 49))
        font = ImageFont.truetype(_font_file(name), size, index=FILES[name][2])
        page = Image.new("L", (size * (len(text) + 2), size * 3), 255)
        ImageDraw.Draw(page).text((size, size), text, font=font, fill=0)
        image = np.asarray(page, dtype=np.uint8)
        if rng.random() < 0.5:  # a scan's softness
            image = np.asarray(cv2.GaussianBlur(image, (3, 3), 0.8), dtype=np.uint8)
        out.append(_pad(_trim(image)))
    return out


def _stats(seconds: list[float]) -> dict[str, float]:
    ms = sorted(s * 1000 for s in seconds)
    return {
        "mean_ms": round(statistics.fmean(ms), 2),
        "median_ms": round(statistics.median(ms), 2),
        "p95_ms": round(ms[int(0.95 * (len(ms) - 1))], 2),
    }


def reading(count: int) -> dict[str, Any]:
    from extractor.ocr.engine import TesseractEngine, parse_tsv
    from extractor.ocr.rapid import RAPID, RapidEngine
    from extractor.ocr.read import NUMBER

    rng = np.random.default_rng(2024)
    texts = numbers(count, rng)
    images = crops(texts, rng)
    engines = {"rapidocr": (RapidEngine(), RAPID), "tesseract_eng_psm7": (TesseractEngine(), NUMBER)}
    for engine, request in engines.values():  # models loaded, caches warm
        engine.read(images[0], request)
    times: dict[str, list[float]] = {k: [] for k in engines}
    right: dict[str, int] = dict.fromkeys(engines, 0)
    for text, image in zip(texts, images, strict=True):
        for key, (engine, request) in engines.items():
            start = time.perf_counter()
            raw = engine.read(image, request)
            times[key].append(time.perf_counter() - start)
            right[key] += "".join(w.text for w in parse_tsv(raw)).replace(" ", "") == text
    return {
        key: {**_stats(times[key]), "read_exactly": right[key], "crops": len(texts)} for key in engines
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--crops", type=int, default=200)
    parser.add_argument("--load", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.load:
        print(json.dumps(load_cost()))
        return 0
    load = os.getloadavg()[0]
    fresh = subprocess.run(
        [sys.executable, __file__, "--load"], capture_output=True, text=True, check=True, cwd=ROOT
    )
    result = {
        "machine": f"{platform.machine()}, {os.cpu_count()} cores, load {load:.1f} at start",
        "loading": json.loads(fresh.stdout),
        "stderr_of_loading": fresh.stderr,
        "reading": reading(args.crops),
    }
    print(json.dumps(result, ensure_ascii=False, indent=1))
    out = ROOT / "bench" / "results" / "rapid.json"
    out.write_text(json.dumps(result, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
