"""pdfium geometry gives pdfplumber's tables: the same cell boxes (within 1 pt) and the same cell text.

The reference is pdfplumber itself on the same file, every page: `page.find_tables()` and
`table.extract()`. pdfplumber's parse of ~70 pages is most of this module's time, so it runs in
worker processes, all files at once, while the test process reads the same pages with pdfium.
"""

from __future__ import annotations

import io
import os
import re
from bisect import bisect_left
from collections.abc import Callable, Iterator
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path
from typing import Any

import pdfplumber
import pypdfium2 as pdfium
import pytest
from pdfplumber.utils.text import extract_text

from extractor.grid import find_table_boxes
from extractor.ingest.pdfium_geometry import Box, page_chars, page_edges, page_frame

SAMPLE_PDFS = sorted((Path(__file__).resolve().parents[1] / "samples" / "reports").glob("*.pdf"))
CORPUS = Path(__file__).resolve().parents[2] / "shared" / "corpus"
CORPUS_PDFS = [CORPUS / "docs" / name for name in ("001_hongzequ_2023.pdf", "003_huaianshi_2024.pdf")]
TOLERANCE = 1.0  # pt

# Per page: pdfplumber's page.bbox, and each table as {cell box: its text without whitespace}.
Reference = list[tuple[Box, list[dict[Box, str]]]]


def _squash(text: str | None) -> str:
    return re.sub(r"\s+", "", text or "")


def _box(values: Any) -> Box:
    x0, top, x1, bottom = values
    return (float(x0), float(top), float(x1), float(bottom))


def _plumber_reference(data: bytes) -> Reference:
    """pdfplumber's tables on every page (in a worker process)."""
    pages: Reference = []
    with pdfplumber.open(io.BytesIO(data)) as plumber:
        for page in plumber.pages:
            tables = []
            for table in page.find_tables():
                texts: dict[Box, str] = {}
                for row, values in zip(table.rows, table.extract(), strict=True):
                    for cell, value in zip(row.cells, values, strict=True):
                        if cell is not None:
                            texts[_box(cell)] = _squash(value)
                tables.append({_box(cell): texts[_box(cell)] for cell in table.cells})
            pages.append((_box(page.bbox), tables))
    return pages


@pytest.fixture(scope="module")
def references() -> Iterator[Callable[[Path], Reference]]:
    """pdfplumber's reference for a file: all sample and corpus files are submitted at once to
    worker processes, unless pytest-xdist already spreads the files over processes."""
    if os.environ.get("PYTEST_XDIST_WORKER"):
        yield lambda path: _plumber_reference(path.read_bytes())
        return
    present = [p for p in [*SAMPLE_PDFS, *CORPUS_PDFS] if p.is_file()]
    with ProcessPoolExecutor(max_workers=max(1, min(4, os.cpu_count() or 1))) as pool:
        futures = {p: pool.submit(_plumber_reference, p.read_bytes()) for p in present}
        yield lambda path: futures[path].result()


class _Centres:
    """The page's chars by the centre pdfplumber's Table.extract places them with, sorted by y."""

    def __init__(self, chars: list[dict[str, Any]]) -> None:
        self.placed = sorted((((c["top"] + c["bottom"]) / 2, (c["x0"] + c["x1"]) / 2), c) for c in chars)
        self.ys = [y for (y, _), _ in self.placed]

    def text(self, cell: Box) -> str:
        """The cell's text, as Table.extract joins it: chars whose centre lies in the cell."""
        x0, top, x1, bottom = cell
        rows = self.placed[bisect_left(self.ys, top) : bisect_left(self.ys, bottom)]
        inside = [c for (_, x), c in rows if x0 <= x < x1]
        return _squash(extract_text(inside)) if inside else ""


def _near(a: Box, b: Box) -> bool:
    return max(abs(p - q) for p, q in zip(a, b, strict=True)) <= TOLERANCE


def _page_differences(page: pdfium.PdfPage, expected: list[dict[Box, str]]) -> tuple[int, list[str]]:
    chars = page_chars(page)
    found = find_table_boxes(chars, page_edges(page), page_frame(page)[1])
    if len(found) != len(expected):
        return len(found), [f"{len(found)} tables, pdfplumber {len(expected)}"]
    problems = []
    centres = _Centres(chars)
    for n, (cells, reference) in enumerate(zip(found, expected, strict=True)):
        if len(cells) != len(reference):
            problems.append(f"table {n}: {len(cells)} cells, pdfplumber {len(reference)}")
            continue
        boxes = list(reference)
        for k, cell in enumerate(cells):
            # Same algorithm, so normally the same order; else any pdfplumber cell within tolerance.
            match = boxes[k] if _near(cell, boxes[k]) else next((r for r in boxes if _near(cell, r)), None)
            if match is None:
                problems.append(f"table {n}: cell {cell} is not pdfplumber's")
            elif (text := centres.text(cell)) != reference[match]:
                problems.append(f"table {n}: cell {cell} reads {text!r}, pdfplumber {reference[match]!r}")
    return len(found), problems


def _check(data: bytes, reference: Reference) -> None:
    pdf = pdfium.PdfDocument(data)
    problems: list[str] = []
    n_tables = 0
    try:
        assert len(reference) == len(pdf)
        for i, (bbox, expected) in enumerate(reference):
            page = pdf[i]
            assert page_frame(page)[1] == pytest.approx(bbox, abs=1e-3)
            found, differences = _page_differences(page, expected)
            n_tables += found
            problems += [f"page {i + 1}: {d}" for d in differences]
    finally:
        pdf.close()
    assert problems == []
    assert n_tables > 0, "no table on any page: nothing was compared"


def test_there_are_samples() -> None:
    assert len(SAMPLE_PDFS) >= 5


@pytest.mark.parametrize("path", SAMPLE_PDFS, ids=[p.name for p in SAMPLE_PDFS])
def test_sample_tables_match_pdfplumber(path: Path, references: Callable[[Path], Reference]) -> None:
    _check(path.read_bytes(), references(path))


@pytest.mark.corpus
@pytest.mark.parametrize("path", CORPUS_PDFS, ids=[p.name for p in CORPUS_PDFS])
def test_corpus_tables_match_pdfplumber(path: Path, references: Callable[[Path], Reference]) -> None:
    if not path.is_file():
        pytest.skip(f"{path.name} is not in the shared corpus beside this checkout (../shared/corpus/docs)")
    _check(path.read_bytes(), references(path))


def test_rotated_offset_and_form_pages_match_pdfplumber() -> None:
    """The table-richest page of the smallest sample, turned by /Rotate on a MediaBox off the origin,
    and drawn as a scaled form XObject: the coordinate frame and the composed matrices must still
    give pdfplumber's tables."""
    source = pdfium.PdfDocument(min(SAMPLE_PDFS, key=lambda p: p.stat().st_size))
    out = pdfium.PdfDocument.new()
    try:
        paths = [len(list(source[i].get_objects([pdfium.raw.FPDF_PAGEOBJ_PATH]))) for i in range(len(source))]
        index = paths.index(max(paths))
        out.import_pages(source, [index])
        page = out[0]
        page.set_rotation(90)
        left, bottom, right, top = page.get_mediabox()
        page.set_mediabox(left - 40, bottom + 25, right - 40, top + 25)
        width, height = source[index].get_size()
        framed = out.new_page(width, height)
        drawn = pdfium.PdfDocument.page_as_xobject(source, index, out).as_pageobject()
        drawn.transform(pdfium.PdfMatrix().scale(0.8, 0.7).translate(30, 50))
        framed.insert_obj(drawn)
        framed.gen_content()
        buffer = io.BytesIO()
        out.save(buffer)
    finally:
        out.close()
        source.close()
    data = buffer.getvalue()
    _check(data, _plumber_reference(data))
