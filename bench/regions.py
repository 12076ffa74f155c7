"""What page triage by region costs: searchable scans, and a text PDF with a table picture.

    python bench/regions.py [--rounds 1]

1. A searchable scan (samples/pixels: OCRmyPDF's text layer over 200 and 300 dpi scans) against the
   same scan without its text layer (the text objects removed with pdfium, the images untouched):
   the survey of the page objects and the text layer's vote are all the searchable scan adds.
   Target: at most 1.1 times.
2. A text PDF whose table runs on to page 3 as a picture, against the parts it is made of: the same
   report as a text PDF (samples/reports), and the picture's region alone through the OCR path
   (rendered at 300 dpi, ruling lines, cells), each a process of its own; for scale, whole-page OCR
   of every page (the report's scan in samples/scans). Target: no more than text + region.

Every figure is the median wall time of `--rounds` runs of a whole process (`extractor extract`,
pages in worker processes, real tesseract), interleaved. On a shared machine these swing by 10% from
run to run, more than the differences measured; so the same comparisons are also made in this
process with tesseract's output replayed from the tests' recordings (`--replay-rounds`, medians):
what the extractor itself adds, without the engine's time. Results go to bench/results/regions.json.
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

import pypdfium2 as pdfium
import pypdfium2.raw as pdfium_c

ROOT = Path(__file__).resolve().parents[1]
PIXELS = ROOT / "samples" / "pixels"
SEARCHABLE = ("s01_gov_2021_split4_searchable200.pdf", "s04_gov_2021_dashes_searchable300.pdf")
CONTINUED = PIXELS / "s01_gov_2021_split4_picture_continued.pdf"
TEXT = ROOT / "samples" / "reports" / "s01_gov_2021_split4.pdf"
SCAN = ROOT / "samples" / "scans" / "s01_gov_2021_split4_scan.pdf"

REGION_SCRIPT = """
import sys
from extractor.ingest.regions import survey_file
from extractor.ocr.options import Tesseract
from extractor.ocr.page import PageJob, ocr_page
path = sys.argv[1]
engine = Tesseract()()
for s in survey_file(__import__("pathlib").Path(path), None):
    for box in s.regions():
        ocr_page(PageJob(path, s.number, "pdf", box=box, tables_only=True), engine)
"""


def without_text(source: Path, out: Path) -> Path:
    """The PDF with every page's text objects removed (a scan without its text layer)."""
    pdf = pdfium.PdfDocument(str(source))
    try:
        for i in range(len(pdf)):
            page = pdf[i]
            for obj in list(page.get_objects(max_depth=1)):
                # OCRmyPDF writes its text as a form of its own: a form without images goes too
                if obj.type == pdfium_c.FPDF_PAGEOBJ_TEXT or (
                    obj.type == pdfium_c.FPDF_PAGEOBJ_FORM and not _holds_image(obj.raw)
                ):
                    page.remove_obj(obj)
            page.gen_content()
            page.close()
        pdf.save(str(out))
    finally:
        pdf.close()
    return out


def _holds_image(form: object) -> bool:
    for j in range(pdfium_c.FPDFFormObj_CountObjects(form)):
        child = pdfium_c.FPDFFormObj_GetObject(form, j)
        kind = pdfium_c.FPDFPageObj_GetType(child)
        if kind == pdfium_c.FPDF_PAGEOBJ_IMAGE or (
            kind == pdfium_c.FPDF_PAGEOBJ_FORM and _holds_image(child)
        ):
            return True
    return False


def timed(command: list[str]) -> float:
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    start = time.perf_counter()
    subprocess.run(command, env=env, check=True, capture_output=True)
    return time.perf_counter() - start


def extract(doc: Path, tmp: Path) -> float:
    return timed([sys.executable, "-m", "extractor", "extract", str(doc), "-o", str(tmp / "out.json")])


def region_only(doc: Path) -> float:
    return timed([sys.executable, "-c", REGION_SCRIPT, str(doc)])


def replayed(doc: Path, fixture: str) -> float:
    """Seconds of one in-process extraction with tesseract's output replayed."""
    from extractor import Settings
    from extractor import extract as run
    from extractor.ocr.options import OcrOptions, Recorded

    engine = Recorded(str(ROOT / "tests" / "fixtures" / "ocr" / f"{fixture}.json"))
    start = time.perf_counter()
    run(doc, Settings(ocr=OcrOptions(engine=engine, workers=1)))
    return time.perf_counter() - start


def replayed_region(doc: Path) -> float:
    from extractor.ingest.regions import survey_file
    from extractor.ocr.options import Recorded
    from extractor.ocr.page import PageJob, ocr_page

    start = time.perf_counter()
    engine = Recorded(str(ROOT / "tests" / "fixtures" / "ocr" / f"{doc.name}.json"))()
    for s in survey_file(doc, None):
        for box in s.regions():
            ocr_page(PageJob(str(doc), s.number, "pdf", box=box, tables_only=True), engine)
    return time.perf_counter() - start


def replay_figures(tmp: Path, rounds: int) -> dict[str, object]:
    out: dict[str, object] = {}
    for name in SEARCHABLE:
        plain = without_text(PIXELS / name, tmp / f"plain-{name}")  # the same pixels: the same records
        a = statistics.median(replayed(PIXELS / name, name) for _ in range(rounds))
        b = statistics.median(replayed(plain, name) for _ in range(rounds))
        out[name] = {
            "searchable_s": round(a, 3),
            "without_text_layer_s": round(b, 3),
            "extra_s": round(a - b, 3),
        }
        print(f"replayed {name}: {a:.3f} s searchable, {b:.3f} s without its text layer: +{a - b:.3f} s")
    pic = statistics.median(replayed(CONTINUED, CONTINUED.name) for _ in range(rounds))
    text = statistics.median(replayed(TEXT, CONTINUED.name) for _ in range(rounds))
    region = statistics.median(replayed_region(CONTINUED) for _ in range(rounds))
    out["picture"] = {
        "picture_pdf_s": round(pic, 3),
        "text_pdf_s": round(text, 3),
        "region_alone_s": round(region, 3),
    }
    print(f"replayed {CONTINUED.name}: {pic:.3f} s; text PDF {text:.3f} s + region alone {region:.3f} s")
    return out


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0] if __doc__ else None)
    parser.add_argument("--rounds", type=int, default=1)
    parser.add_argument("--replay-rounds", type=int, default=5)
    args = parser.parse_args(argv)
    results: dict[str, object] = {
        "machine": f"{platform.machine()}, {os.cpu_count()} cores",
        "rounds": args.rounds,
    }
    with tempfile.TemporaryDirectory(prefix="bench-regions-") as t:
        tmp = Path(t)
        results["replayed"] = replay_figures(tmp, args.replay_rounds)
        searchable: dict[str, dict[str, float]] = {}
        for name in SEARCHABLE:
            doc = PIXELS / name
            plain = without_text(doc, tmp / f"plain-{name}")
            with_layer, without = [], []
            for _ in range(args.rounds):
                with_layer.append(extract(doc, tmp))
                without.append(extract(plain, tmp))
            a, b = statistics.median(with_layer), statistics.median(without)
            searchable[name] = {
                "searchable_s": round(a, 2),
                "without_text_layer_s": round(b, 2),
                "ratio": round(a / b, 3),
            }
            print(f"{name}: {a:.2f} s searchable, {b:.2f} s without its text layer: {a / b:.3f}x")
        results["searchable"] = searchable
        runs: dict[str, list[float]] = {
            "picture_pdf": [],
            "text_pdf": [],
            "region_alone": [],
            "scan_every_page": [],
        }
        for _ in range(args.rounds):
            runs["picture_pdf"].append(extract(CONTINUED, tmp))
            runs["text_pdf"].append(extract(TEXT, tmp))
            runs["region_alone"].append(region_only(CONTINUED))
            runs["scan_every_page"].append(extract(SCAN, tmp))
        med = {k: round(statistics.median(v), 2) for k, v in runs.items()}
        med["text_plus_region"] = round(med["text_pdf"] + med["region_alone"], 2)
        results["picture"] = {"doc": CONTINUED.name, **med}
        print(
            f"{CONTINUED.name}: {med['picture_pdf']:.2f} s; the text PDF {med['text_pdf']:.2f} s + "
            f"its region alone {med['region_alone']:.2f} s = {med['text_plus_region']:.2f} s; "
            f"whole-page OCR of every page {med['scan_every_page']:.2f} s"
        )
    out = ROOT / "bench" / "results" / "regions.json"
    out.write_text(json.dumps(results, indent=1) + "\n", encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
