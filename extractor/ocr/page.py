"""One page through OCR: image → upright working image → tables read cell by cell, prose by line.

Runs in a worker process (`extractor.ingest.ocr` runs pages in parallel), one page at a time, and
returns the page in the shared representation: lines outside the tables, and tables whose cells
carry their reading's confidence and notes. Positions are in the units of the output contract:
PDF points for a PDF page, pixels of the image file for an image; `bbox` is the cell's box in the
page as rendered (the working image's box mapped back through the deskew).
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import cv2
import numpy as np

from ..document import BBox, Line, Page, Reading, Table, TableCell
from ..grid import drop_frames, table_from_boxes
from . import quiet
from .arrays import Image
from .engine import Engine, EngineError, engine_messages
from .lines import TOLERANCE, find_structure
from .preprocess import (
    DPI,
    PageImage,
    binarize,
    half_turn,
    load_image_page,
    map_box,
    prepare,
    render_pdf_page,
)
from .read import ink_crop, label_likeness, page_lines, read_cell, turned_label_likeness

# A page line the engine is this unsure of, and that has no Han character, is noise (a seal's
# rim, a smudge), not text.
MIN_LINE_CONF = 40.0


@dataclass(frozen=True)
class PageJob:
    """Where a page comes from: page `number` (1-based) of a PDF, or frame `number - 1` of an image."""

    path: str
    number: int
    kind: str  # "pdf" or "image"
    password: str | None = None
    # A region of a PDF page (x0, top, x1, bottom in points): only it is rendered and read.
    box: tuple[float, float, float, float] | None = None
    # An image's resolution when its file does not say (a picture's size in a Word file tells it).
    dpi: float | None = None
    # A picture or a region of a page: only a ruled table is read from it (see `read_page`).
    tables_only: bool = False


@dataclass
class PageResult:
    page: Page
    notes: list[str]
    # Read without its text (`read_page(..., text=False)`): the page's prose, the tables blanked,
    # still to read with `read_text`; a working pixel in output units; and its dark pixels (a
    # sample), a measure of what reading it will cost.
    prose: Image | None = None
    scale: float = 1.0
    ink: int = 0


def load(job: PageJob, engine: Engine | None = None) -> tuple[PageImage, float]:
    """The working image of the job's page, and the size of a source pixel in output units;
    `engine` for the orientation question the page's own cues leave open."""
    if job.kind == "pdf":
        image = render_pdf_page(Path(job.path), job.number, DPI, job.password, job.box)
        return prepare(image, DPI, engine), 72 / DPI
    image, dpi = load_image_page(Path(job.path), job.number - 1)
    return prepare(image, dpi or job.dpi, engine), 1.0


@contextmanager
def opencv_single_threaded() -> Iterator[None]:
    """OpenCV without its thread pool for the duration. Pages run one per core: its threads on top
    only fight them (on two busy cores they doubled the CPU time of the full-page morphology and
    labelling; the results are the same). And a process forked while the pool's threads live
    inherits a pool whose threads are gone: the child's next call into it can wait forever, so
    page workers are forked with the pool stopped."""
    threads = cv2.getNumThreads()
    cv2.setNumThreads(1)
    try:
        yield
    finally:
        cv2.setNumThreads(threads)


def ocr_page(job: PageJob, engine: Engine, text: bool = True) -> PageResult:
    engine_messages(engine)  # what an earlier page left unsaid is not this page's
    with opencv_single_threaded():
        work, unit = load(job, engine)
        return read_page(work, unit, job.number, engine, tables_only=job.tables_only, text=text)


def read_page(
    work: PageImage,
    unit: float,
    number: int,
    engine: Engine,
    tables_only: bool = False,
    text: bool = True,
) -> PageResult:
    """The page's tables and lines from its working image; with `tables_only`, nothing (not even
    the text) from an image without a ruled table (a region of a page: a photo, a seal). Without
    `text`, the lines are left to `read_text` on the result's `prose` (a page in two tasks)."""
    gray = work.gray
    # Working pixels → output units (for ordering positions: row tops, column edges, line tops).
    scale = float(np.sqrt(abs(np.linalg.det(work.to_source[:2, :2])))) * unit
    ink = work.ink if work.ink is not None else binarize(gray)
    structure = find_structure(ink)
    tables: list[Table] = []
    for boxes in structure.tables:
        table = table_from_boxes(boxes, [], lambda _: (0.0, 0.0), lambda _: "", number, TOLERANCE / 2)
        if table is not None:
            tables.append(table)
    tables = drop_frames(tables)
    if tables_only and not tables:
        return PageResult(page=Page(number=number), notes=[])
    prose = gray.copy()
    for table in tables:
        for cell in table.cells:
            assert cell.bbox is not None
            x0, y0, x1, y1 = (round(v) for v in cell.bbox)
            reading = read_cell(engine, ink_crop(gray, structure.rule_mask, (x0, y0, x1, y1)))
            cell.text = reading.text
            cell.confidence = reading.confidence
            cell.notes = reading.notes
            cell.reading = Reading(reading.agreement, reading.engine_conf, reading.second)
        assert table.bbox is not None
        x0, y0, x1, y1 = (round(v) for v in table.bbox)
        prose[max(0, y0 - 4) : y1 + 5, max(0, x0 - 4) : x1 + 5] = 255  # the rules, not text beside
    if not work.turn_sure and _upside_down(engine, gray, structure.rule_mask, tables):
        note = "turned 180° after reading its tables: their labels read as the templates' only upside down"
        return read_page(half_turn(work, note), unit, number, engine, tables_only, text)
    page = Page(number=number, width=work.source_size[0] * unit, height=work.source_size[1] * unit)
    if text:
        page.lines, failed = read_text(engine, prose, scale, number)
        work.notes.extend(failed)
    for table in tables:
        _to_output_units(table, work, unit, scale)
        page.tables.append(table)
    notes = [*work.notes, *_engine_errors(engine)]
    result = PageResult(page=page, notes=[f"page {number}: {n}" for n in notes])
    if not text:
        result.prose, result.scale = prose, scale
        result.ink = int(np.count_nonzero(prose[::4, ::4] < 128))
    return result


def read_prose(engine: Engine, prose: Image, scale: float, number: int) -> tuple[list[Line], list[str]]:
    """A page's second task (`read_page(..., text=False)`): the lines of its prose, and notes for
    what failed, including what the engine's image library reported while it read them."""
    engine_messages(engine)  # what an earlier task left unsaid is not this one's
    lines, notes = read_text(engine, prose, scale, number)
    return lines, [*notes, *_engine_errors(engine)]


def read_text(engine: Engine, prose: Image, scale: float, number: int) -> tuple[list[Line], list[str]]:
    """The text lines of a page's prose (its working image, the tables blanked) in output units,
    and a note when the engine failed on it."""
    try:
        found = page_lines(engine, prose)
    except EngineError as e:
        return [], [f"the OCR engine failed on the page's text ({e})"]
    lines = []
    for text, conf, box in found:
        if conf < MIN_LINE_CONF and not any("\u4e00" <= ch <= "\u9fff" for ch in text):
            continue
        lines.append(
            Line(
                text=text,
                page=number,
                y=box[1] * scale,
                bbox=(box[0] * scale, box[1] * scale, box[2] * scale, box[3] * scale),
                confidence=round(conf / 100, 3),
            )
        )
    return lines, []


# Labels that read this near the templates' (label_likeness) are labels.
LABEL_LIKE = 0.6


def _upside_down(engine: Engine, gray: Image, rule_mask: Image, tables: list[Table]) -> bool:
    """A page whose turn is in doubt (OSD's answer, or none) is upside down when its tables' wide
    cells, their labels, read as nothing the templates know but do read as their labels turned
    180°. OSD errs on pages that are mostly table; the labels of a template's tables are known."""
    wide: list[TableCell] = []
    for table in tables:
        widths = sorted(c.bbox[2] - c.bbox[0] for c in table.cells if c.bbox is not None)
        if not widths:
            continue
        median = widths[len(widths) // 2]
        wide += [c for c in table.cells if c.bbox and c.text and c.bbox[2] - c.bbox[0] >= 2 * median]
    wide = wide[:6]
    if len(wide) < 2:
        return False
    as_is = sum(label_likeness(c.text) for c in wide) / len(wide)
    if as_is >= LABEL_LIKE:
        return False
    scores = []
    for c in wide:
        assert c.bbox is not None
        x0, y0, x1, y1 = (round(v) for v in c.bbox)
        crop = ink_crop(gray, rule_mask, (x0, y0, x1, y1))
        if crop is not None:
            scores.append(turned_label_likeness(engine, crop))
    turned = sum(scores) / max(1, len(scores))
    return turned >= LABEL_LIKE and turned >= as_is + 0.3


def _engine_errors(engine: Engine) -> list[str]:
    """One note for the errors the engine's image library reported while the page was read, when
    any of them matters (`quiet.matters`: the harmless ones are the picture finder's empty boxes)."""
    errors = [m for m in engine_messages(engine) if quiet.matters(m)]
    if not errors:
        return []
    n = len(errors)
    return [f"the OCR engine reported {n} image error{'s' if n > 1 else ''} (first: {errors[0]})"]


def _out_box(work: PageImage, unit: float, box: tuple[float, float, float, float]) -> BBox:
    x0, y0, x1, y1 = map_box(work.to_source, box)
    w, h = work.source_size
    return (
        round(max(0.0, x0) * unit, 2),
        round(max(0.0, y0) * unit, 2),
        round(min(float(w), x1) * unit, 2),
        round(min(float(h), y1) * unit, 2),
    )


def _to_output_units(table: Table, work: PageImage, unit: float, scale: float) -> None:
    """Geometry (rows, columns, boxes) in the working image scaled to output units, so that rows
    and columns line up; each cell's `source_bbox` is its box in the page as rendered."""

    def scaled(box: BBox) -> BBox:
        return (box[0] * scale, box[1] * scale, box[2] * scale, box[3] * scale)

    table.row_y = [y * scale for y in table.row_y]
    if table.col_x is not None:
        table.col_x = [x * scale for x in table.col_x]
    if table.bbox is not None:
        table.bbox = scaled(table.bbox)
    for cell in table.cells:
        if cell.bbox is not None:
            cell.source_bbox = _out_box(work, unit, cell.bbox)
            cell.bbox = scaled(cell.bbox)


def crop_image(work: PageImage, cell: TableCell) -> np.ndarray:  # pragma: no cover - debugging aid
    assert cell.bbox is not None
    x0, y0, x1, y1 = (int(v) for v in cell.bbox)
    return np.asarray(cv2.cvtColor(work.gray[y0:y1, x0:x1], cv2.COLOR_GRAY2BGR))
