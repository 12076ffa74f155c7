"""Text PDFs: pdfium reads every page's text; only the pages that hold tables get geometry.

The pages that hold tables are read for characters with boxes and ruling lines; which pages those
are is the caller's pre-pass over the text layer (`TablePages`: the pipeline passes the section
locator's choice, between the headings of sections 二 and 五). pdfium (C) gives both an order of magnitude
faster than pdfminer (`pdfium_geometry.py`); pdfplumber's own table finder turns the ruling lines
into cell boxes, and those become grids with spans. Should pdfium's geometry fail on a page, that
page is read by pdfplumber itself, as before. What each page shows, text or pixels (a searchable
scan, a picture of a table on a text page), is `regions.py`'s to say, from the page objects.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pypdfium2 as pdfium
from pdfplumber.utils.text import chars_to_textmap, extract_text

from ..document import BBox, Document, Line, Page
from ..errors import PasswordRequiredError, UnsupportedInputError
from ..grid import drop_frames, find_table_boxes, table_from_boxes, table_row_bands
from ..limits import DEFAULT_MAX_PIXELS, page_pixels
from ..ocr.options import OcrOptions
from .pages import TablePages
from .pdfium_geometry import page_chars, page_edges, page_frame
from .regions import Survey, pixel_pages, read_regions, region_pages, survey_page, vote_pages
from .scanned import triage
from .unruled import read_unruled


def _pdfium_pages(path: Path, password: str | None, surveys: list[Survey] | None = None) -> list[Page]:
    try:
        pdf = pdfium.PdfDocument(str(path), password=password)
    except pdfium.PdfiumError as e:
        if "password" in str(e).lower():
            raise PasswordRequiredError(
                f"{path}: the PDF is encrypted with a password"
                + (" and the one given is wrong" if password else "")
                + "; give it with --password"
            ) from e
        raise UnsupportedInputError(
            f"{path}: the PDF cannot be opened ({e}); check the file is complete"
        ) from e
    pages: list[Page] = []
    try:
        for i in range(len(pdf)):
            try:
                page = pdf[i]
                textpage = page.get_textpage()
                text = textpage.get_text_range()
            except pdfium.PdfiumError as e:  # a page object pdfium cannot parse: the file is damaged
                raise UnsupportedInputError(
                    f"{path}: page {i + 1} of the PDF is damaged and cannot be read ({e}); check the file "
                    "is complete, or fetch it again"
                ) from e
            width, height = page.get_size()
            lines = [
                Line(text=t, page=i + 1, y=float(n))
                for n, t in enumerate(text.replace("\r\n", "\n").split("\n"))
            ]
            pages.append(
                Page(number=i + 1, width=width, height=height, lines=[ln for ln in lines if ln.text.strip()])
            )
            if surveys is not None:  # what the page shows (regions.py), while it is loaded
                surveys.append(survey_page(page, i + 1))
            textpage.close()
            page.close()
    finally:
        pdf.close()
    return pages


def _char_center(ch: dict[str, Any]) -> tuple[float, float]:
    return (ch["x0"] + ch["x1"]) / 2, (ch["top"] + ch["bottom"]) / 2


def _assemble(
    number: int, size: tuple[float, float], chars: list[dict[str, Any]], boxes: list[list[BBox]]
) -> Page:
    """A table page from its characters and the cell boxes of its tables."""
    page = Page(number=number, width=size[0], height=size[1])
    for cells in boxes:
        table = table_from_boxes(
            cells, chars, _char_center, lambda cs: extract_text(cs) if cs else "", page=number
        )
        if table is not None:
            page.tables.append(table)
    page.tables = drop_frames(page.tables)
    bands = [band for table in page.tables for band in table_row_bands(table)]
    for tl in chars_to_textmap(chars).extract_text_lines(strip=True, return_chars=False):
        cx, cy = _char_center(tl)
        inside = any(b[0] <= cx <= b[2] and b[1] <= cy <= b[3] for b in bands)
        bbox = (float(tl["x0"]), float(tl["top"]), float(tl["x1"]), float(tl["bottom"]))
        page.lines.append(Line(text=tl["text"], page=number, y=bbox[1], bbox=bbox, in_table=inside))
    return page


def _pdfium_table_page(pdf: pdfium.PdfDocument, number: int) -> Page:
    page = pdf[number - 1]
    textpage = page.get_textpage()
    try:
        chars = page_chars(page, textpage)
        _, bbox = page_frame(page)
        boxes = find_table_boxes(chars, page_edges(page), bbox)
        return _assemble(number, (bbox[2] - bbox[0], bbox[3] - bbox[1]), chars, boxes)
    finally:
        textpage.close()
        page.close()


def _plumber_table_page(path: Path, number: int, password: str | None) -> Page:
    import pdfplumber

    with pdfplumber.open(path, pages=[number], password=password or "") as pdf:
        p = pdf.pages[0]
        boxes = [found.cells for found in p.find_tables()]
        return _assemble(number, (float(p.width), float(p.height)), p.chars, boxes)


def _plumber_or_text(path: Path, number: int, password: str | None, warnings: list[str]) -> Page | None:
    """The page read by pdfplumber; None when pdfminer cannot parse it either (a damaged page: it
    keeps the text pdfium read, without tables)."""
    try:
        return _plumber_table_page(path, number, password)
    except MemoryError:
        raise
    except Exception as e:  # pdfminer is pure Python: a damaged page raises anything
        warnings.append(
            f"page {number}: damaged, its tables cannot be read ({type(e).__name__}: {e}); its text is kept"
        )
        return None


def read_pdf(
    path: Path,
    password: str | None = None,
    ocr: OcrOptions | None = None,
    max_pixels: int = DEFAULT_MAX_PIXELS,
    table_pages: TablePages | None = None,
) -> Document:
    """The text layer of every page; OCR for the pages without a usable one; geometry for the pages
    `table_pages` names in the text layer (every page when None)."""
    surveys: list[Survey] = []
    pages = _pdfium_pages(path, password, surveys)
    doc = Document(path=path, kind="pdf-text", pages=pages, n_pages=len(pages))
    # Pages without a usable text layer (scans, fonts without a ToUnicode map) are read by OCR.
    needs_ocr = triage(["\n".join(line.text for line in p.lines) for p in pages])
    # What the pages show (regions.py): searchable scans are read as scans, pictures as regions.
    pixels = pixel_pages(surveys, needs_ocr, doc.warnings)
    for number in sorted(needs_ocr):  # a page too large to render stays as its text layer
        from ..ocr.preprocess import DPI

        page = pages[number - 1]
        if page_pixels(page.width or 0, page.height or 0, DPI) > max_pixels:
            del needs_ocr[number]
            doc.warnings.append(
                f"page {number}: {page.width or 0:.0f} × {page.height or 0:.0f} pt is over the pixel limit "
                f"rendered for OCR ({max_pixels / 1e6:.0f} million at {DPI} dpi); not read "
                "(raise --max-pixels to read it)"
            )
    if needs_ocr:
        from .scanned import ocr_document_pages

        numbers = sorted(needs_ocr)
        read, warnings, doc.ocr = ocr_document_pages(path, "pdf", numbers, ocr or OcrOptions(), password)
        for number in numbers:
            doc.pages[number - 1] = read[number]
        doc.kind = "pdf-scanned" if len(numbers) == len(pages) else "pdf-mixed"
        if doc.kind == "pdf-mixed":
            reasons = sorted(set(needs_ocr.values()))
            doc.warnings.append(
                f"pages {', '.join(map(str, numbers))} of {len(pages)} read by OCR ({'; '.join(reasons)})"
            )
        doc.warnings.extend(warnings)
    pdf = pdfium.PdfDocument(str(path), password=password)
    regions = region_pages(surveys, needs_ocr)
    try:
        vote_pages(pdf, doc, [n for n in pixels if n in needs_ocr])
        wanted = table_pages(doc) if table_pages is not None else [p.number for p in doc.pages]
        for number in sorted(set(wanted) | set(regions)):  # a page with a picture: with geometry
            if number in needs_ocr:
                continue
            try:
                doc.pages[number - 1] = _pdfium_table_page(pdf, number)
            except Exception as e:  # pdfium geometry is an optimisation: pdfplumber reads any page
                doc.warnings.append(f"page {number}: read with pdfplumber ({type(e).__name__}: {e})")
                plumbed = _plumber_or_text(path, number, password, doc.warnings)
                if plumbed is not None:
                    doc.pages[number - 1] = plumbed
        # Table pages without a ruled table may hold tables aligned by whitespace only.
        unruled = [n for n in wanted if n not in needs_ocr and not doc.pages[n - 1].tables]
        if unruled:
            read_unruled(pdf, doc, unruled)
    finally:
        pdf.close()
    if regions:
        read_regions(path, password, doc, regions, ocr or OcrOptions())
    return doc
