"""Where the OCR path's time goes on a scan: engine calls by kind of request, and the steps around them.

    python bench/scan_profile.py [--doc ../shared/corpus/docs/003_huaianshi_2024_scan300.pdf] [--pages 1,2]

Reads every page of the document in this process, one at a time, with the real engine wrapped so
that each call is counted and timed by what asked for it (the page's text, a line read again, a
label and its enlarged copies, a number and its copies, OSD), and the steps around the engine
(rendering, preprocessing, orientation, ruling lines, cell crops) timed by wrapping the functions
`extractor.ocr.page` and `extractor.ocr.preprocess` call. CPU seconds of this process (one thread),
so that other work on the machine matters less than to wall-clock time. Prints one table.
"""

from __future__ import annotations

import argparse
import sys
import time
from collections import defaultdict
from collections.abc import Callable
from pathlib import Path
from types import FrameType
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
DEFAULT = ROOT.parent / "shared" / "corpus" / "docs" / "003_huaianshi_2024_scan300.pdf"

calls: dict[str, int] = defaultdict(int)
spent: dict[str, float] = defaultdict(float)
steps: dict[str, float] = defaultdict(float)


def _clock() -> float:
    return time.process_time()


def _kind(request: Any) -> str:
    """What asked for this engine call: the first frame in the OCR package's reading modules."""
    import linecache

    frame: FrameType | None = sys._getframe(2)
    while frame is not None:
        name = frame.f_code.co_filename
        if name.endswith(("ocr/read.py", "ocr/orient.py")) and frame.f_code.co_name != "_read":
            break
        frame = frame.f_back
    if frame is None:
        return f"other {request.key()}"
    fn = frame.f_code.co_name
    line = linecache.getline(frame.f_code.co_filename, frame.f_lineno)
    psm = f"{request.lang} psm{request.psm}"
    if fn == "_osd":
        return "OSD psm0"
    if fn == "page_lines":
        return f"page text {psm}"
    if fn == "_reread":
        return f"page line re-read {psm}"
    if fn == "_read_cell":
        return f"cell first read {psm}" if "request" in line else f"cell fallback {psm}"
    if fn == "_label":
        return f"label re-read {psm}"
    if fn == "_read_number":
        if "_copies(digits, 2)" in line:
            return "number doubled eng psm7"
        if "_copies(digits, 3)" in line:
            return "number tripled eng psm7"
        if "DIGIT" in line:
            return "number lone glyph eng psm10"
        return "number eng psm7"
    return f"{fn} {psm}"


class CountingEngine:
    def __init__(self, inner: Any) -> None:
        self.inner = inner
        self.name = inner.name

    def read(self, image: Any, request: Any) -> str:
        kind = _kind(request)
        start = _clock()
        try:
            return str(self.inner.read(image, request))
        finally:
            calls[kind] += 1
            spent[kind] += _clock() - start


def _timed(module: Any, name: str, label: str | None = None) -> None:
    fn: Callable[..., Any] = getattr(module, name)

    def wrapper(*args: Any, **kwargs: Any) -> Any:
        start = _clock()
        try:
            return fn(*args, **kwargs)
        finally:
            steps[label or name] += _clock() - start

    setattr(module, name, wrapper)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0] if __doc__ else None)
    parser.add_argument("--doc", type=Path, default=DEFAULT)
    parser.add_argument("--pages", default="", help="comma-separated page numbers (default: all)")
    args = parser.parse_args(argv)
    import os

    os.environ["OMP_THREAD_LIMIT"] = "1"
    import pypdfium2 as pdfium

    from extractor.ocr import lines, orient, page, preprocess
    from extractor.ocr.engine import TesseractEngine

    start = _clock()
    real = TesseractEngine()
    for lang in ("chi_sim", "eng", "osd"):
        t = _clock()
        real._handle(lang)
        steps[f"model load {lang}"] += _clock() - t
    engine = CountingEngine(real)
    _timed(page, "render_pdf_page", "render (pdfium, 300 dpi)")
    _timed(preprocess, "to_gray", "prepare: gray, flatten, seal")
    _timed(orient, "detect", "prepare: orientation cues (+OSD)")
    _timed(preprocess, "skew_angle", "prepare: skew angle")
    _timed(lines, "square_up", "prepare: square up (rules)")
    _timed(preprocess, "warp", "prepare: warp")
    _timed(page, "prepare", "prepare (all)")
    _timed(page, "find_structure", "ruling lines → cells")
    _timed(page, "ink_crop", "cell crops")
    _timed(page, "read_cell", "cells (all, with OCR)")
    _timed(page, "page_lines", "page text (all, with OCR)")
    pdf = pdfium.PdfDocument(str(args.doc))
    numbers = [int(n) for n in args.pages.split(",")] if args.pages else list(range(1, len(pdf) + 1))
    pdf.close()
    for n in numbers:
        t = _clock()
        before = dict(steps)
        result = page.ocr_page(page.PageJob(str(args.doc), n, "pdf"), engine)
        cells = sum(len(t.cells) for t in result.page.tables)
        part = {k: steps[k] - before.get(k, 0.0) for k in ("prepare (all)", "page text (all, with OCR)")}
        print(
            f"page {n}: {_clock() - t:.2f} s CPU (prepare {part['prepare (all)']:.2f}, page text "
            f"{part['page text (all, with OCR)']:.2f}), {len(result.page.tables)} tables, {cells} cells"
        )
    total = _clock() - start
    ocr = sum(spent.values())
    print(f"\n{'engine calls by kind':45} {'calls':>6} {'s':>8} {'ms/call':>8}")
    for kind in sorted(spent, key=lambda k: -spent[k]):
        print(f"{kind:45} {calls[kind]:6} {spent[kind]:8.2f} {1000 * spent[kind] / calls[kind]:8.1f}")
    print(f"{'all engine calls':45} {sum(calls.values()):6} {ocr:8.2f}")
    print(f"\n{'steps (inclusive)':45} {'s':>8}")
    for step in sorted(steps):
        print(f"{step:45} {steps[step]:8.2f}")
    osd = spent.get("OSD psm0", 0.0)
    cell_ocr = sum(v for k, v in spent.items() if k.startswith(("cell", "label", "number")))
    text_ocr = sum(v for k, v in spent.items() if k.startswith("page"))
    print(f"{'cells without OCR':45} {steps['cells (all, with OCR)'] - cell_ocr:8.2f}")
    print(f"{'page text without OCR':45} {steps['page text (all, with OCR)'] - text_ocr:8.2f}")
    print(f"{'orientation cues without OSD':45} {steps['prepare: orientation cues (+OSD)'] - osd:8.2f}")
    print(f"\ntotal {total:.2f} s CPU, of which engine calls {ocr:.2f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
