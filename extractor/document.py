"""The intermediate representation every ingest adapter produces.

A Document is pages of text lines and physical tables. A table is a rectangular grid whose cells
carry their spans (a merged cell is one cell with rowspan/colspan, never copied text). Positions are
`(page, y)`: PDF points from the top for PDFs, pixels for images, a running block counter for
formats without geometry, so that sections can be cut by position whatever the source.
"""

from __future__ import annotations

from bisect import bisect_right
from dataclasses import dataclass, field
from pathlib import Path

BBox = tuple[float, float, float, float]  # x0, top, x1, bottom
Pos = tuple[int, float]  # page (1-based), y


# --- glued cells: a source that printed cells with nothing between them ("21710000218") ----------
# Ingest finds the ways to split such a run; later stages choose among them with the relations.


@dataclass(frozen=True)
class CellKind:
    """What a column holds: a count (the default), a signed change (本年增/减), money in `unit`."""

    money: bool = False
    signed: bool = False
    unit: str = "万元"


@dataclass(eq=False)
class GluedRun:
    """One run of glued cells and the ways to split it, best first. The run's cells share it."""

    raw: str  # as printed, e.g. "230 000023"
    kinds: tuple[CellKind, ...]
    splits: list[tuple[str, ...]]  # each: the cells' texts, left to right
    checked: bool = False  # the row's relations were applied
    fits_row: bool = True  # False: no split satisfies the row's relations; every well-formed one is kept
    truncated: bool = False  # more splits exist than were kept
    what: str = "glued digits"  # what the run is, in reasons (cells a converter dropped or moved, too)

    @property
    def ambiguous(self) -> bool:
        return len(self.splits) > 1

    def differs(self, index: int) -> bool:
        """Whether the splits disagree on cell `index`'s value (a cell all splits agree on is sure;
        a blank and a printed "/" both say nothing)."""
        return len({self.value(s, index) for s in self.splits}) > 1

    def value(self, split: tuple[str, ...], index: int) -> object:
        """The value of cell `index` in `split` (its text when it is no well-formed cell)."""
        from .numbers import parse_cell

        kind = self.kinds[index]
        reading = parse_cell(split[index], money=kind.money, signed=kind.signed, unit=kind.unit)
        return reading.value if reading.ok else split[index]

    def shown(self, split: tuple[str, ...]) -> str:
        return "/".join(split)


@dataclass(frozen=True)
class GluedPart:
    """A table cell's place in a glued run."""

    run: GluedRun
    index: int


@dataclass
class Line:
    text: str
    page: int
    y: float
    bbox: BBox | None = None
    in_table: bool = False  # inside a multi-cell table row: table text, not prose
    confidence: float = 1.0
    # The source ends a paragraph here (a block of a web page or a Word paragraph). False when the
    # source does not say (PDF lines: the line's length decides whether the paragraph wraps on).
    block_end: bool = False

    @property
    def pos(self) -> Pos:
        return (self.page, self.y)


@dataclass
class Reading:
    """What an OCR reading of a table cell rests on, for the confidence model (validate/confidence)."""

    agreement: str  # how the engine's readings agreed (ocr/read.py: "unanimous", "pair", "split", …)
    engine_conf: float | None = None  # tesseract's confidence in its first reading, 0–100
    second: str | None = None  # what the second engine read, None when it was not asked
    layer: str | None = None  # what an invisible text layer over the scan says here, None without one


@dataclass
class TableCell:
    row: int
    col: int
    text: str
    rowspan: int = 1
    colspan: int = 1
    bbox: BBox | None = None
    confidence: float = 1.0  # how sure the reading of `text` is (1.0 for a text layer)
    notes: list[str] = field(default_factory=list)  # why the reading is what it is (become reasons)
    # The box as the source page shows it, when that differs from `bbox` (OCR: `bbox` is in the
    # deskewed working image, this in the page as rendered); the output reports this one.
    source_bbox: BBox | None = None
    # Set when the source printed this cell glued to its neighbours with no separator ("21710000218"):
    # the run and this cell's place in it. `text` is one split of the run; `resolve` chooses.
    glued: GluedPart | None = None
    reading: Reading | None = None  # OCR only: the evidence behind `text` and `confidence`

    @property
    def last_row(self) -> int:
        return self.row + self.rowspan - 1

    @property
    def last_col(self) -> int:
        return self.col + self.colspan - 1


@dataclass
class Table:
    page: int
    n_rows: int
    n_cols: int
    cells: list[TableCell]
    row_y: list[float]  # the y of each grid row's top: orders rows among the document's lines
    col_x: list[float] | None = None  # n_cols + 1 column edges, when the source has geometry
    bbox: BBox | None = None
    _at: dict[tuple[int, int], TableCell] = field(default_factory=dict, repr=False)

    def __post_init__(self) -> None:
        for cell in self.cells:
            for r in range(cell.row, cell.row + cell.rowspan):
                for c in range(cell.col, cell.col + cell.colspan):
                    self._at[(r, c)] = cell

    def at(self, row: int, col: int) -> TableCell | None:
        """The cell covering grid position (row, col), spans included."""
        return self._at.get((row, col))

    def row_cells(self, row: int) -> list[TableCell]:
        """The distinct cells covering a grid row, left to right."""
        seen: list[TableCell] = []
        for c in range(self.n_cols):
            cell = self._at.get((row, c))
            if cell is not None and all(s is not cell for s in seen):
                seen.append(cell)
        return seen

    def col_at_x(self, x: float) -> int | None:
        if self.col_x is None or not self.col_x[0] <= x <= self.col_x[-1]:
            return None
        return min(bisect_right(self.col_x, x) - 1, self.n_cols - 1)

    def grid(self) -> list[list[str | None]]:
        """Each cell's text at its top-left grid position; None where a span covers or nothing is."""
        out: list[list[str | None]] = [[None] * self.n_cols for _ in range(self.n_rows)]
        for cell in self.cells:
            out[cell.row][cell.col] = cell.text
        return out

    def pos(self, row: int) -> Pos:
        return (self.page, self.row_y[row])


@dataclass
class Page:
    number: int
    width: float | None = None
    height: float | None = None
    lines: list[Line] = field(default_factory=list)
    tables: list[Table] = field(default_factory=list)


@dataclass
class Document:
    path: Path
    kind: str  # pdf-text, pdf-scanned, pdf-mixed, image, html, docx, text
    pages: list[Page]
    n_pages: int | None = None
    ocr: str | None = None
    warnings: list[str] = field(default_factory=list)

    def lines(self) -> list[Line]:
        return [line for page in self.pages for line in page.lines]

    def tables(self) -> list[Table]:
        return [table for page in self.pages for table in page.tables]
