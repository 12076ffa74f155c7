"""Page triage by region: what a reader sees on a PDF page, text or pixels.

A page's text layer is not always what the page shows. pdfium lists each page's objects in
painting order; from them (`survey`):

- A searchable scan (what OCRmyPDF, ABBYY or Adobe write) is a page image that covers the page,
  with a text layer that is invisible (text render mode 3, or 7: clip only) or painted before the
  image, so the image covers it. What the reader sees is the image: the page goes through the OCR
  path like any scan. OCRmyPDF tells its own text from a real one the same way: visible text is
  content, invisible text is a previous OCR's. The scanner's text layer misreads digits, so it
  never decides a cell: it may only add a vote where it agrees with our reading (`vote`).
- A text page may hold pictures: a table pasted as an image into a Word file, then exported. An
  image large enough to hold a table is a region: it alone is rendered at 300 dpi and read by the
  OCR path (ruling lines and cells from the pixels), and what it holds is placed on the page in PDF
  points, so a table that runs on from a text table on the previous page stitches as any other.
  A region without a ruled table (a photo, a seal, a logo) adds nothing.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pypdfium2 as pdfium
import pypdfium2.raw as pdfium_c
import regex

from ..document import BBox, Document, Line, Page, Table
from ..errors import DependencyMissingError
from ..numbers import is_number_text
from ..ocr.options import OcrOptions
from .pdfium_geometry import MAX_FORM_DEPTH, Matrix, _apply, _mul, _object_matrix, page_chars, page_frame

# An image covering this share of the page is the page (a scan, a photo of the page).
FULL_PAGE = 0.8
# The text of a page that is this share invisible or covered is not what the page shows.
HIDDEN_SHARE = 0.5
# An image on a text page is a region worth reading when it is at least this large in points
# (a table of a header and two rows in 9 pt type; seals and logos are smaller or hold no rules).
MIN_REGION_WIDTH = 150.0
MIN_REGION_HEIGHT = 60.0
# Text render modes that paint nothing: 3 invisible, 7 clip only.
_INVISIBLE_MODES = (3, 7)
# A reading the text layer agrees with, among OCR readings that disagreed: above the review
# threshold (0.8) only by that vote, so under `CERTAIN`, and the relations still localise it.
VOTED = 0.85

_SPACE = regex.compile(r"[\s,，]+")
# What an OCR text layer makes of the ruling lines beside a cell's text.
_RULES = regex.compile(r"^[|｜\[\]]+|[|｜\[\]]+$")


@dataclass
class Survey:
    """One page's objects, in PDF points from the top-left (pdfplumber's frame)."""

    number: int
    size: tuple[float, float]
    images: list[BBox] = field(default_factory=list)
    text_objects: int = 0
    invisible: int = 0  # text objects in an invisible render mode
    covered: int = 0  # visible text objects painted before a full-page image

    def full_page_image(self) -> bool:
        area = self.size[0] * self.size[1]
        return area > 0 and any(_area(_clip(b, self.size)) >= FULL_PAGE * area for b in self.images)

    def shows_pixels(self) -> bool:
        """Whether what the page shows is an image over (or under an invisible) text layer."""
        if not self.full_page_image() or self.text_objects == 0:
            return False
        return (self.invisible + self.covered) >= HIDDEN_SHARE * self.text_objects

    def regions(self) -> list[BBox]:
        """Images large enough to hold a table on a page whose text is what it shows."""
        if self.full_page_image():
            return []
        out = []
        for box in self.images:
            x0, y0, x1, y1 = _clip(box, self.size)
            if x1 - x0 >= MIN_REGION_WIDTH and y1 - y0 >= MIN_REGION_HEIGHT:
                out.append((x0, y0, x1, y1))
        return out


def _area(b: BBox) -> float:
    return max(0.0, b[2] - b[0]) * max(0.0, b[3] - b[1])


def _clip(b: BBox, size: tuple[float, float]) -> BBox:
    return (max(0.0, b[0]), max(0.0, b[1]), min(size[0], b[2]), min(size[1], b[3]))


def _unit_square(m: Matrix) -> BBox:
    """An image's box: the unit square through its matrix (PDF draws every image on it)."""
    pts = [_apply(m, x, y) for x, y in ((0, 0), (1, 0), (0, 1), (1, 1))]
    xs, ys = [p[0] for p in pts], [p[1] for p in pts]
    return (min(xs), min(ys), max(xs), max(ys))


def _flatten(obj: Any, outer: Matrix, out: list[tuple[Any, BBox | None]], depth: int) -> None:
    """The page's text objects (box None) and images (their box), in painting order, through forms."""
    kind = pdfium_c.FPDFPageObj_GetType(obj)
    if kind == pdfium_c.FPDF_PAGEOBJ_TEXT:
        out.append((obj, None))
    elif kind == pdfium_c.FPDF_PAGEOBJ_IMAGE:
        out.append((obj, _unit_square(_mul(_object_matrix(obj), outer))))
    elif kind == pdfium_c.FPDF_PAGEOBJ_FORM and depth < MAX_FORM_DEPTH:
        inner = _mul(_object_matrix(obj), outer)
        for j in range(pdfium_c.FPDFFormObj_CountObjects(obj)):
            _flatten(pdfium_c.FPDFFormObj_GetObject(obj, j), inner, out, depth + 1)


def survey_page(page: pdfium.PdfPage, number: int) -> Survey:
    frame, bbox = page_frame(page)
    out = Survey(number=number, size=(bbox[2] - bbox[0], bbox[3] - bbox[1]))
    found: list[tuple[Any, BBox | None]] = []
    get = pdfium_c.FPDFPage_GetObject
    for i in range(pdfium_c.FPDFPage_CountObjects(page)):
        _flatten(get(page, i), frame, found, 0)
    out.images = [box for _, box in found if box is not None]
    out.text_objects = sum(1 for _, box in found if box is None)
    if not out.full_page_image():
        return out  # a text page: how its text is painted does not matter (and costs nothing)
    area = out.size[0] * out.size[1]
    last_full = max(
        i
        for i, (_, box) in enumerate(found)
        if box is not None and _area(_clip(box, out.size)) >= FULL_PAGE * area
    )
    mode = pdfium_c.FPDFTextObj_GetTextRenderMode
    for i, (obj, box) in enumerate(found):
        if box is not None:
            continue
        if mode(obj) in _INVISIBLE_MODES:
            out.invisible += 1
        elif i < last_full:
            out.covered += 1  # visible, but painted before an image that covers the page
    return out


def survey(pdf: pdfium.PdfDocument) -> list[Survey]:
    """Every page's survey, in page order."""
    out = []
    for i in range(len(pdf)):
        page = pdf[i]
        try:
            out.append(survey_page(page, i + 1))
        finally:
            page.close()
    return out


# --- placing what a region holds on its page -----------------------------------------------------


def _shift_box(box: BBox | None, dx: float, dy: float) -> BBox | None:
    if box is None:
        return None
    return (box[0] + dx, box[1] + dy, box[2] + dx, box[3] + dy)


def place_region(page: Page, region: Page, box: BBox) -> int:
    """Adds to `page` the tables (and, with them, the lines) `region` holds, moved from the
    region's frame to the page's; returns the tables added. The page's own text lines that lie
    inside a placed table (an invisible text layer over the picture) give way to it."""
    dx, dy = box[0], box[1]
    placed: list[Table] = []
    for table in region.tables:
        table.page = page.number
        table.row_y = [y + dy for y in table.row_y]
        if table.col_x is not None:
            table.col_x = [x + dx for x in table.col_x]
        table.bbox = _shift_box(table.bbox, dx, dy)
        for cell in table.cells:
            cell.bbox = _shift_box(cell.bbox, dx, dy)
            cell.source_bbox = _shift_box(cell.source_bbox, dx, dy)
        placed.append(table)
    if not placed:
        return 0

    def under(line: Line) -> bool:
        if line.bbox is None:
            return False
        cx, cy = (line.bbox[0] + line.bbox[2]) / 2, (line.bbox[1] + line.bbox[3]) / 2
        return any(t.bbox is not None and t.bbox[0] <= cx <= t.bbox[2] and t.bbox[1] <= cy <= t.bbox[3]
                   for t in placed)  # fmt: skip

    page.lines = [ln for ln in page.lines if not under(ln)]
    for line in region.lines:
        line.page = page.number
        line.y += dy
        line.bbox = _shift_box(line.bbox, dx, dy)
        page.lines.append(line)
    page.lines.sort(key=lambda ln: ln.y)
    page.tables.extend(placed)
    page.tables.sort(key=lambda t: t.row_y[0] if t.row_y else 0.0)
    return len(placed)


# --- the invisible text layer's vote ----------------------------------------------------------------


def _norm(text: str) -> str:
    return _SPACE.sub("", text)


class _Layer:
    """A text layer's characters, with their centres in arrays for finding those in a box."""

    def __init__(self, chars: list[dict[str, Any]]) -> None:
        import numpy as np

        self.texts = [str(ch["text"]) for ch in chars]
        self.cx = np.array([(ch["x0"] + ch["x1"]) / 2 for ch in chars], dtype=np.float64)
        self.cy = np.array([(ch["top"] + ch["bottom"]) / 2 for ch in chars], dtype=np.float64)

    def text_in(self, box: BBox) -> str:
        """The characters whose centre lies in `box`, in their order."""
        import numpy as np

        inside = (self.cx >= box[0]) & (self.cx <= box[2]) & (self.cy >= box[1]) & (self.cy <= box[3])
        return "".join(self.texts[i] for i in np.flatnonzero(inside))


def vote(page: Page, chars: list[dict[str, Any]], threshold: float = 0.8) -> int:
    """The invisible text layer's vote on the OCR'd number cells of `page`: where it reads what we
    read, a reading whose OCR readings disagreed comes up to `VOTED` (never higher); where it reads
    otherwise, the cell only gains a note. Returns the cells raised."""
    raised = 0
    layer = _Layer(chars)
    for table in page.tables:
        for cell in table.cells:
            box = cell.source_bbox or cell.bbox
            ours = _norm(cell.text)
            if box is None or not ours or not is_number_text(ours):
                continue
            said = _RULES.sub("", _norm(layer.text_in(box)))
            if cell.reading is not None:
                cell.reading.layer = said
            if said == ours:
                if 0.4 <= cell.confidence < threshold and cell.glued is None:
                    cell.confidence = VOTED
                    raised += 1
                cell.notes.append("the page's invisible text layer reads the same")
            else:
                cell.notes.append(f"the page's invisible text layer reads {said!r}")
    return raised


# --- the PDF adapter's steps ------------------------------------------------------------------------


def survey_file(path: Path, password: str | None) -> list[Survey]:
    pdf = pdfium.PdfDocument(str(path), password=password)
    try:
        return survey(pdf)
    finally:
        pdf.close()


def pixel_pages(surveys: list[Survey], needs_ocr: dict[int, str], warnings: list[str]) -> list[int]:
    """Adds to `needs_ocr` the pages that show an image over a hidden text layer; their numbers."""
    found = [s.number for s in surveys if s.number not in needs_ocr and s.shows_pixels()]
    for number in found:
        needs_ocr[number] = "a page image over an invisible text layer (a searchable scan)"
    if found:
        warnings.append(
            f"pages {', '.join(map(str, found))}: a page image over an invisible or covered text layer "
            "(a searchable scan): read by OCR; the text layer only adds a vote where it agrees"
        )
    return found


def vote_pages(pdf: pdfium.PdfDocument, doc: Document, numbers: list[int]) -> None:
    """The invisible text layer's vote on the OCR'd cells of pages `numbers`."""
    for number in numbers:
        page = pdf[number - 1]
        try:
            chars = page_chars(page)
        finally:
            page.close()
        vote(doc.pages[number - 1], chars)


def region_pages(surveys: list[Survey], needs_ocr: dict[int, str]) -> dict[int, list[BBox]]:
    """The text pages' regions worth reading, by page number."""
    return {s.number: s.regions() for s in surveys if s.number not in needs_ocr and s.regions()}


def _under_text_table(page: Page, box: BBox) -> bool:
    area = _area(box)
    for table in page.tables:
        if table.bbox is None:
            continue
        overlap = (
            max(box[0], table.bbox[0]),
            max(box[1], table.bbox[1]),
            min(box[2], table.bbox[2]),
            min(box[3], table.bbox[3]),
        )
        if area > 0 and _area(overlap) >= 0.3 * area:
            return True
    return False


def read_regions(
    path: Path, password: str | None, doc: Document, regions: dict[int, list[BBox]], options: OcrOptions
) -> None:
    """Each region through the OCR path, what it holds placed on its page (read with geometry)."""
    from ..ocr.page import PageJob
    from .scanned import LANGS, run_pages

    placed: list[str] = []
    # An image under a table of the text layer (a background, a watermark) is no picture of one: the
    # region would render the text table too and read it twice.
    regions = {
        number: kept
        for number, boxes in regions.items()
        if (kept := [b for b in boxes if not _under_text_table(doc.pages[number - 1], b)])
    }
    rounds = max((len(boxes) for boxes in regions.values()), default=0)
    for k in range(rounds):  # the runner keys results by page: one region of each page per round
        jobs = [
            PageJob(str(path), number, "pdf", password, box=boxes[k], tables_only=True)
            for number, boxes in sorted(regions.items())
            if k < len(boxes)
        ]
        try:
            results, warnings, name = run_pages(jobs, options)
        except DependencyMissingError as e:
            doc.warnings.append(f"pictures on text pages that may hold tables were not read: {e}")
            return
        doc.warnings.extend(warnings)
        for job in jobs:
            result = results.get(job.number)
            if result is None or job.box is None:
                continue
            if place_region(doc.pages[job.number - 1], result.page, job.box):
                doc.warnings.extend(result.notes)
                x0, y0, x1, y1 = job.box
                placed.append(f"page {job.number} ({x0:.0f}, {y0:.0f})–({x1:.0f}, {y1:.0f}) pt")
                doc.ocr = doc.ocr or f"{name} ({LANGS})"
    if placed:
        if doc.kind == "pdf-text":
            doc.kind = "pdf-mixed"
        doc.warnings.append(f"tables read by OCR from pictures on text pages: {'; '.join(placed)}")
