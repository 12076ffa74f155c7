"""End to end on scans: the corpus's scanned renditions and the bundled sample scans.

The criterion of the OCR path: every ground-truth cell is exact or flagged, no wrong cell is left
unflagged, and on the corpus scans at least 99.5% of the cells are exact. Tesseract's raw output is
replayed from `tests/fixtures/ocr/<file>.json` (keyed by a hash of each image read), so these tests
run without tesseract and fast; where the pixels differ on another machine, the missing reads fall
back to tesseract when it is installed. `EXTRACTOR_OCR_RECORD=1` records what is missing (and a
test fails while it is set). The tests marked `tesseract` run the real engine.
"""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

import pytest

from extractor import Settings, extract
from extractor.model import Report, json_schema
from extractor.ocr.options import OcrOptions, Recorded

from .conftest import CORPUS, FIXTURES, SAMPLES
from .truth import TABLES

jsonschema = pytest.importorskip("jsonschema")

RECORD = os.environ.get("EXTRACTOR_OCR_RECORD") == "1"
OCR_KINDS = ("pdf-scanned", "pdf-mixed", "image")
CORPUS_SCANS = {
    "001_hongzequ_2023_scan300.pdf": "001_hongzequ_2023.pdf.json",
    "003_huaianshi_2024_scan300.pdf": "003_huaianshi_2024.pdf.json",
}
SCANS = SAMPLES.parent / "scans"  # samples/scans: made by samples/scan.py from samples/reports
SAMPLE_SCANS = sorted(p for p in SCANS.glob("*.pdf") if Path(f"{p}.json").exists())


def replay(name: str) -> Settings:
    """Settings that replay the recorded OCR of `name` (in this process: no worker start-up)."""
    engine = Recorded(str(FIXTURES / "ocr" / f"{name}.json"), record=RECORD, fallback=True)
    return Settings(ocr=OcrOptions(engine=engine, workers=1))


def score(report: Report, truth: dict[str, Any]) -> tuple[int, list[str], list[str]]:
    """(cells in the truth, cells wrong and flagged, cells wrong and NOT flagged)."""
    flagged = {item.path for item in report.needs_review}
    n, wrong_flagged, wrong_unflagged = 0, [], []
    for table in TABLES:
        got = getattr(report, table)
        for row, cols in truth[table].items():
            for col, value in cols.items():
                n += 1
                path = f"{table}.{row}.{col}"
                cell = got.get(row, {}).get(col)
                if cell is not None and cell.value == value:
                    continue
                shown = f"{path}: got {None if cell is None else cell.value!r}, truth {value!r}"
                (wrong_flagged if path in flagged else wrong_unflagged).append(shown)
    return n, wrong_flagged, wrong_unflagged


def test_recording_is_off() -> None:
    assert not RECORD, "EXTRACTOR_OCR_RECORD=1 is set: recordings were refreshed; unset it and rerun"


def _corpus_scans() -> list[Any]:
    docs = [CORPUS / "docs" / name for name in CORPUS_SCANS if (CORPUS / "docs" / name).exists()]
    if not docs:
        return [
            pytest.param(None, marks=pytest.mark.skip(reason="the shared corpus is not beside this checkout"))
        ]
    return [pytest.param(p, id=p.name) for p in docs]


@pytest.mark.corpus
@pytest.mark.parametrize("doc", _corpus_scans())
def test_corpus_scan_meets_the_criterion(doc: Path) -> None:
    truth = json.loads((CORPUS / "gt" / CORPUS_SCANS[doc.name]).read_text(encoding="utf-8"))
    report = extract(doc, replay(doc.name))
    n, wrong_flagged, wrong_unflagged = score(report, truth)
    assert wrong_unflagged == []
    assert (n - len(wrong_flagged)) / n >= 0.995, wrong_flagged
    for key in ("agency", "year", "template"):
        assert getattr(report.report, key) == truth["report"][key]
    assert report.source.kind == "pdf-scanned"
    assert report.source.ocr is not None and report.source.ocr.startswith("tesseract ")
    sections = report.sections
    assert all(
        getattr(sections, key) is not None for key in ("overview", "proactive", "requests", "problems")
    )
    # Provenance: the page and the box in PDF points of every table cell.
    cells = [c for t in TABLES for row in getattr(report, t).values() for c in row.values()]
    assert all(c.page is not None and c.bbox is not None for c in cells)
    assert all(
        0 <= c.bbox[0] < c.bbox[2] <= 595.5 and 0 <= c.bbox[1] < c.bbox[3] <= 842.5 for c in cells if c.bbox
    )
    jsonschema.validate(json.loads(report.to_json()), json_schema())


@pytest.mark.corpus
def test_corpus_scan_source_failure_stays_the_documents(corpus: Path) -> None:
    """001 prints 总计 0 beside 10 and 1: every reading of it agrees, so it is the document's."""
    report = extract(
        corpus / "docs" / "001_hongzequ_2023_scan300.pdf", replay("001_hongzequ_2023_scan300.pdf")
    )
    failed = {c.id: c for c in report.checks if not c.passed}
    assert failed["review_litigation.review"].cause == "source"
    assert failed["review_litigation.review"].expected == 11
    cell = report.review_litigation["review"]["upheld"]
    assert cell.value == 10 and cell.page == 4


@pytest.mark.parametrize("sample", SAMPLE_SCANS, ids=[p.name for p in SAMPLE_SCANS])
def test_sample_scan_exact_or_flagged(sample: Path) -> None:
    truth = json.loads(Path(f"{sample}.json").read_text(encoding="utf-8"))
    report = extract(sample, replay(sample.name))
    assert report.source.kind == ("pdf-mixed" if sample.stem.endswith("_mixed") else "pdf-scanned")
    _, _, wrong_unflagged = score(report, truth)
    assert wrong_unflagged == []
    for key in ("agency", "year", "template"):
        assert getattr(report.report, key) == truth["report"][key]
    jsonschema.validate(json.loads(report.to_json()), json_schema())


# --- the real engine ------------------------------------------------------------------------------


@pytest.mark.tesseract
def test_real_tesseract_reads_a_drawn_table(tmp_path: Path) -> None:
    """A PNG of a small request-like table, drawn with a CJK font, read by tesseract itself."""
    from PIL import Image, ImageDraw, ImageFont

    from samples.render_pdf import FONTS, _font_file

    pytest.importorskip("cv2")
    font = ImageFont.truetype(_font_file("wqy-zenhei"), 40, index=FONTS["wqy-zenhei"][2])
    page = Image.new("L", (2480, 1200), 255)
    draw = ImageDraw.Draw(page)
    draw.text((300, 150), "三、收到和处理政府信息公开申请情况", font=font, fill=0)
    rows = [300, 420, 540, 660]
    cols = [300, 1100, 1500, 1900]
    for y in rows:
        draw.line((cols[0], y, cols[-1], y), fill=0, width=4)
    for x in cols:
        draw.line((x, rows[0], x, rows[-1]), fill=0, width=4)
    cells = [["信息内容", "自然人", "总计"], ["行政许可", "3985758", "12"], ["行政处罚", "1", "96171.6"]]
    for r, row in enumerate(cells):
        for c, text in enumerate(row):
            draw.text((cols[c] + 40, rows[r] + 35), text, font=font, fill=0)
    path = tmp_path / "table.png"
    page.save(path, dpi=(300, 300))

    from extractor.ingest.image import read_image

    doc = read_image(path, OcrOptions(workers=1))
    assert doc.kind == "image" and doc.ocr is not None and "chi_sim+eng" in doc.ocr
    (table,) = doc.pages[0].tables
    texts = [[cell.text for cell in table.row_cells(r)] for r in range(table.n_rows)]
    assert texts == cells
    assert all(c.confidence >= 0.9 for c in table.cells if c.text)
    assert any("收到和处理" in line.text for line in doc.pages[0].lines)
    # Pixels of the image: the box of 3985758 in the source image.
    cell = table.at(1, 1)
    assert cell is not None and cell.source_bbox is not None
    x0, y0, x1, y1 = cell.source_bbox
    assert abs(x0 - 1100) < 6 and abs(y0 - 420) < 6 and abs(x1 - 1500) < 6 and abs(y1 - 540) < 6


@pytest.mark.tesseract
def test_real_tesseract_on_a_mixed_sample_in_worker_processes() -> None:
    """The mixed sample (two scanned pages) with the real engine, pages in parallel processes."""
    sample = SCANS / "s07_gov_2021_wrongtotal_mixed.pdf"
    truth = json.loads(Path(f"{sample}.json").read_text(encoding="utf-8"))
    report = extract(sample, Settings(ocr=OcrOptions(workers=2)))
    assert report.source.kind == "pdf-mixed"
    _, wrong_flagged, wrong_unflagged = score(report, truth)
    assert wrong_unflagged == [] and len(wrong_flagged) <= 2
