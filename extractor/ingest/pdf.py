"""Text PDFs: pdfium for every page's text (fast), pdfplumber's table finder only on table pages.

Reading a page with pdfplumber costs far more than with pdfium, so the text of every page comes
from pdfium; the pages that hold tables (their text names the tables, or they lie between the
headings of sections 二 and 五) are then read with pdfplumber for words with boxes, ruling lines
and the cell boxes of each table, which become grids with spans.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pdfplumber
import pypdfium2 as pdfium
from pdfplumber.utils.text import extract_text

from ..document import Document, Line, Page
from ..errors import UnsupportedInputError
from ..grid import drop_frames, table_from_boxes, table_row_bands
from ..locate import locate_sections, mentions_tables

# A page with fewer characters than this has no usable text layer.
MIN_TEXT_CHARS = 20


def _pdfium_pages(path: Path, password: str | None) -> list[Page]:
    try:
        pdf = pdfium.PdfDocument(str(path), password=password)
    except pdfium.PdfiumError as e:
        raise UnsupportedInputError(
            f"{path}: the PDF cannot be opened ({e}); check the file is complete"
        ) from e
    pages: list[Page] = []
    try:
        for i in range(len(pdf)):
            page = pdf[i]
            textpage = page.get_textpage()
            text = textpage.get_text_range()
            width, height = page.get_size()
            lines = [
                Line(text=t, page=i + 1, y=float(n))
                for n, t in enumerate(text.replace("\r\n", "\n").split("\n"))
            ]
            pages.append(
                Page(number=i + 1, width=width, height=height, lines=[ln for ln in lines if ln.text.strip()])
            )
            textpage.close()
            page.close()
    finally:
        pdf.close()
    return pages


def _table_pages(doc: Document) -> list[int]:
    """Pages to read with the table finder: from the heading of 二 (or 三) to that of 五 (or 六) when
    the text shows them, else every page whose text names a table."""
    located = locate_sections(doc)
    start = located.get("proactive") or located.get("requests")
    stop = located.get("problems") or located.get("other")
    if start is not None and stop is not None and start.start[0] <= stop.start[0]:
        return list(range(start.start[0], stop.start[0] + 1))
    return [p.number for p in doc.pages if any(mentions_tables(line.text) for line in p.lines)]


def _read_table_page(plumber_page: Any, number: int) -> Page:
    chars = plumber_page.chars
    page = Page(number=number, width=float(plumber_page.width), height=float(plumber_page.height))
    for found in plumber_page.find_tables():
        table = table_from_boxes(
            found.cells,
            chars,
            item_center=lambda ch: ((ch["x0"] + ch["x1"]) / 2, (ch["top"] + ch["bottom"]) / 2),
            join=lambda cs: extract_text(cs) if cs else "",
            page=number,
        )
        if table is not None:
            page.tables.append(table)
    page.tables = drop_frames(page.tables)
    bands = [band for table in page.tables for band in table_row_bands(table)]
    for tl in plumber_page.extract_text_lines(return_chars=False):
        cx, cy = (tl["x0"] + tl["x1"]) / 2, (tl["top"] + tl["bottom"]) / 2
        inside = any(b[0] <= cx <= b[2] and b[1] <= cy <= b[3] for b in bands)
        bbox = (float(tl["x0"]), float(tl["top"]), float(tl["x1"]), float(tl["bottom"]))
        page.lines.append(Line(text=tl["text"], page=number, y=bbox[1], bbox=bbox, in_table=inside))
    return page


def read_pdf(path: Path, password: str | None = None) -> Document:
    pages = _pdfium_pages(path, password)
    doc = Document(path=path, kind="pdf-text", pages=pages, n_pages=len(pages))
    text_chars = sum(len(line.text.strip()) for p in pages for line in p.lines)
    if text_chars < MIN_TEXT_CHARS * max(1, len(pages)) // 2:
        raise UnsupportedInputError(
            f"{path}: the PDF has no text layer (a scan); OCR is not available in this version: "
            "export the report as a text PDF"
        )
    wanted = _table_pages(doc)
    if wanted:
        with pdfplumber.open(path, pages=wanted, password=password or "") as pdf:
            for number, plumber_page in zip(wanted, pdf.pages, strict=True):
                doc.pages[number - 1] = _read_table_page(plumber_page, number)
    return doc
