"""Pixels where a text layer is expected: page triage by region (ingest/regions.py) and pictures of
tables in Word files and web pages (ingest/pictures.py), end to end on the samples of
samples/pixels.py: searchable scans made by OCRmyPDF at 200 and 300 dpi, a text layer covered by
page images, a Word file whose tables are pictures (and its LibreOffice PDF), a web page with
`<img>` tables beside it. Every cell of the truth is exact or flagged, never wrong and unflagged.
Tesseract's output is replayed from tests/fixtures/ocr/ (see test_scans.py)."""

from __future__ import annotations

import json
import shutil
from dataclasses import dataclass
from pathlib import Path

import pypdfium2 as pdfium
import pytest

from extractor import extract
from extractor.document import Page, Table, TableCell
from extractor.errors import DependencyMissingError
from extractor.ingest import read_document
from extractor.ingest.regions import VOTED, Survey, survey, vote
from extractor.model import json_schema
from extractor.ocr.engine import Engine
from extractor.ocr.options import OcrOptions

from .conftest import SAMPLES
from .test_scans import replay, score

jsonschema = pytest.importorskip("jsonschema")

PIXELS = SAMPLES.parent / "pixels"  # samples/pixels: made by samples/pixels.py
KINDS = {
    "s01_gov_2021_split4_searchable200.pdf": "pdf-scanned",
    "s04_gov_2021_dashes_searchable300.pdf": "pdf-scanned",
    "s05_gov_2019_wanyuan_covered.pdf": "pdf-scanned",
    "office_2021_pictures_word.pdf": "pdf-mixed",
    "s01_gov_2021_split4_picture_continued.pdf": "pdf-mixed",
    "office_2021_pictures.docx": "docx",
    "office_2021_pictures.html": "html",
}


def _surveys(path: Path) -> list[Survey]:
    pdf = pdfium.PdfDocument(str(path))
    try:
        return list(survey(pdf))
    finally:
        pdf.close()


def test_survey_tells_what_pages_show() -> None:
    searchable = survey_of("s01_gov_2021_split4_searchable200.pdf")
    assert all(s.full_page_image() for s in searchable)
    # OCRmyPDF's text is invisible (render mode 3): the pages with text show pixels.
    assert any(s.invisible for s in searchable)
    assert all(s.shows_pixels() for s in searchable if s.text_objects)
    covered = survey_of("s05_gov_2019_wanyuan_covered.pdf")
    assert all(s.covered == s.text_objects > 0 and s.shows_pixels() for s in covered)
    # A text PDF: no pixels, no regions; a scan without a text layer is the OCR triage's (no text).
    text = _surveys(SAMPLES / "s01_gov_2021_split4.pdf")
    assert not any(s.shows_pixels() or s.regions() for s in text)
    scan = _surveys(SAMPLES.parent / "scans" / "s01_gov_2021_split4_scan.pdf")
    assert not any(s.shows_pixels() for s in scan)
    # LibreOffice's export of a Word file with table pictures: text pages with picture regions.
    word = survey_of("office_2021_pictures_word.pdf")
    assert not any(s.shows_pixels() for s in word)
    assert [s.number for s in word if s.regions()] == [2, 3, 4]


def survey_of(name: str) -> list[Survey]:
    return _surveys(PIXELS / name)


@pytest.mark.parametrize("name", sorted(KINDS))
def test_sample_exact_or_flagged(name: str) -> None:
    sample = PIXELS / name
    if not sample.exists():
        pytest.skip(f"{name} not generated (python -m samples.pixels)")
    truth = json.loads(Path(f"{sample}.json").read_text(encoding="utf-8"))
    report = extract(sample, replay(name))
    assert report.source.kind == KINDS[name]
    assert report.source.ocr is not None and report.source.ocr.startswith("tesseract ")
    n, wrong_flagged, wrong_unflagged = score(report, truth)
    assert wrong_unflagged == []
    assert (n - len(wrong_flagged)) / n >= 0.995, wrong_flagged
    for key in ("agency", "year", "template"):
        assert getattr(report.report, key) == truth["report"][key]
    jsonschema.validate(json.loads(report.to_json()), json_schema())


def test_searchable_scan_is_read_as_a_scan_with_a_warning() -> None:
    name = "s01_gov_2021_split4_searchable200.pdf"
    doc = read_document(PIXELS / name, ocr=replay(name).ocr)
    assert doc.kind == "pdf-scanned"
    assert any("invisible or covered text layer" in w for w in doc.warnings)
    cells = [c for p in doc.pages for t in p.tables for c in t.cells]
    # The text layer votes on number cells; it never raises a cell above VOTED.
    notes = [n for c in cells for n in c.notes if "text layer" in n]
    assert notes
    voted = [c for c in cells if any("reads the same" in n for n in c.notes) and c.confidence < 0.9]
    assert all(c.confidence <= VOTED for c in voted)


def test_region_tables_are_placed_on_the_page_in_points() -> None:
    name = "office_2021_pictures_word.pdf"
    doc = read_document(PIXELS / name, ocr=replay(name).ocr)
    regions = {s.number: s.regions() for s in survey_of(name)}
    page2 = doc.pages[1]
    assert page2.tables, "the picture on page 2 holds section 二's table"
    (box,) = regions[2]
    for table in page2.tables:
        assert table.page == 2 and table.bbox is not None and table.col_x is not None
        x0, y0, x1, y1 = table.bbox
        assert box[0] - 2 <= x0 < x1 <= box[2] + 2 and box[1] - 2 <= y0 < y1 <= box[3] + 2
        for cell in table.cells:
            assert cell.source_bbox is not None
            assert box[0] - 2 <= cell.source_bbox[0] and cell.source_bbox[3] <= box[3] + 2
    # The text above the picture comes before the table, the text below after it.
    assert any(ln.y < page2.tables[0].row_y[0] for ln in page2.lines)
    assert any("pictures on text pages" in w for w in doc.warnings)


def test_a_table_that_runs_on_as_a_picture_stitches() -> None:
    """Section 三's table starts as text on page 2 and runs on as a picture on page 3."""
    name = "s01_gov_2021_split4_picture_continued.pdf"
    truth = json.loads((PIXELS / f"{name}.json").read_text(encoding="utf-8"))
    report = extract(PIXELS / name, replay(name))
    assert "requests: table stitched across pages 2, 3" in report.warnings
    pages = {c.page for row in report.requests.values() for c in row.values()}
    assert pages == {2, 3}
    assert score(report, truth)[1:] == ([], [])


def _cell(text: str, confidence: float) -> TableCell:
    return TableCell(row=0, col=0, text=text, bbox=(10.0, 10.0, 50.0, 30.0), confidence=confidence)


def _chars(text: str) -> list[dict[str, object]]:
    return [
        {"text": ch, "x0": 12.0 + 5 * i, "x1": 16.0 + 5 * i, "top": 12.0, "bottom": 28.0}
        for i, ch in enumerate(text)
    ]


@pytest.mark.parametrize(
    ("ours", "confidence", "layer", "after", "note"),
    [
        ("123", 0.4, "|123|", VOTED, "reads the same"),  # readings disagreed: the vote lifts it
        ("123", 0.4, "128", 0.4, "reads '128'"),  # the layer disagrees: a note, no change
        ("123", 0.95, "128", 0.95, "reads '128'"),  # never decides alone: our sure reading stays
        ("123", 0.95, "123", 0.95, "reads the same"),  # never above our own readings
        ("123", 0.3, "123", 0.3, "reads the same"),  # no consistent reading: a vote is not enough
    ],
)
def test_the_text_layer_only_votes(ours: str, confidence: float, layer: str, after: float, note: str) -> None:
    cell = _cell(ours, confidence)
    page = Page(number=1, tables=[Table(page=1, n_rows=1, n_cols=1, cells=[cell], row_y=[10.0])])
    vote(page, _chars(layer))
    assert cell.confidence == after
    assert any(note in n for n in cell.notes)


def test_labels_get_no_vote() -> None:
    cell = _cell("申请人情况", 0.5)
    page = Page(number=1, tables=[Table(page=1, n_rows=1, n_cols=1, cells=[cell], row_y=[10.0])])
    vote(page, _chars("申请人情况"))
    assert cell.confidence == 0.5 and cell.notes == []


def test_web_page_without_its_pictures_names_them(tmp_path: Path) -> None:
    page = tmp_path / "office_2021_pictures.html"
    shutil.copyfile(PIXELS / page.name, page)
    doc = read_document(page)
    assert doc.tables() == []
    named = [w for w in doc.warnings if "is not beside the page" in w]
    assert len(named) == 3
    assert any("table2.png" in w and "section requests" in w for w in named)


def test_pictures_without_a_table_add_nothing(tmp_path: Path) -> None:
    """A web page whose only picture beside it is no table (a photo-like block of grey)."""
    from PIL import Image

    Image.new("L", (400, 300), 128).save(tmp_path / "photo.png")
    (tmp_path / "p.html").write_text(
        "<html><body><p>三、收到和处理政府信息公开申请情况</p><img src='photo.png' width='300'>"
        "<p>四、政府信息公开行政复议、行政诉讼情况</p></body></html>",
        encoding="utf-8",
    )
    doc = read_document(tmp_path / "p.html", ocr=replay("office_2021_pictures.html").ocr)
    assert doc.tables() == [] and doc.ocr is None
    assert not any("not beside" in w for w in doc.warnings)


def test_an_image_under_a_text_table_is_no_region(tmp_path: Path) -> None:
    """A background image under a ruled table of the text layer: the table is read from the text
    layer once, the image is not read as a picture of it."""
    from PIL import Image
    from reportlab.lib.utils import ImageReader
    from reportlab.pdfgen.canvas import Canvas

    path = tmp_path / "background.pdf"
    c = Canvas(str(path), pagesize=(595, 842))
    c.drawString(72, 780, "Annual report on the disclosure of government information, 2024")
    c.drawImage(ImageReader(Image.new("L", (60, 40), 235)), 90, 400, 420, 280)
    for i in range(5):
        c.line(100, 420 + 60 * i, 500, 420 + 60 * i)
    for x in (100, 300, 500):
        c.line(x, 420, x, 660)
    for i in range(4):
        c.drawString(110, 440 + 60 * i, f"row {i}")
        c.drawString(310, 440 + 60 * i, str(10 * i + 7))
    c.save()
    (survey_page,) = _surveys(path)
    assert survey_page.regions()  # large enough to hold a table ...
    doc = read_document(path, ocr=replay("office_2021_pictures_word.pdf").ocr)
    assert doc.kind == "pdf-text" and doc.ocr is None  # ... but it lies under one of the text layer
    (table,) = doc.tables()
    assert table.n_rows == 4 and table.n_cols == 2


@dataclass(frozen=True)
class _NoEngine:
    """An engine factory for a machine without tesseract."""

    def __call__(self) -> Engine:
        raise DependencyMissingError("this file needs OCR, and tesseract is not installed")


def test_pictures_without_tesseract_are_named_not_fatal() -> None:
    doc = read_document(PIXELS / "office_2021_pictures.docx", ocr=OcrOptions(engine=_NoEngine(), workers=1))
    assert doc.tables() == []
    assert any("pictures that may hold tables were not read" in w for w in doc.warnings)
    assert any("一、总体情况" in ln.text for ln in doc.pages[0].lines)
