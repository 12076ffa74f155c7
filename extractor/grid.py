"""Physical tables from ruling lines: cell boxes, then a rectangular grid whose merged cells are spans.

Shared by the readers that see ruling lines (a text PDF's vector paths, the rules found in a page
image): pdfplumber's own table finder turns the lines into the box of every cell (`find_table_boxes`).
The grid's column edges are the distinct x of all box sides, its row edges the distinct y; a box
that covers several grid columns is a cell with that colspan. Text goes to the cell that holds
the centre of each character.
"""

from __future__ import annotations

from bisect import bisect_right
from collections.abc import Callable, Sequence
from typing import Any, TypeVar, cast

from pdfplumber.table import TableFinder, TableSettings
from pdfplumber.utils.text import extract_words

from .document import BBox, Table, TableCell

Obj = dict[str, Any]

T = TypeVar("T")


def cluster(values: Sequence[float], tolerance: float) -> list[float]:
    """Sorted values, with runs closer than `tolerance` merged into their mean."""
    out: list[list[float]] = []
    for v in sorted(values):
        if out and v - out[-1][-1] <= tolerance:
            out[-1].append(v)
        else:
            out.append([v])
    return [sum(run) / len(run) for run in out]


def _nearest(edges: list[float], v: float) -> int:
    i = bisect_right(edges, v)
    if i == 0:
        return 0
    if i == len(edges):
        return len(edges) - 1
    return i if edges[i] - v < v - edges[i - 1] else i - 1


def table_from_boxes(
    boxes: Sequence[BBox],
    items: Sequence[T],
    item_center: Callable[[T], tuple[float, float]],
    join: Callable[[list[T]], str],
    page: int,
    tolerance: float = 2.0,
) -> Table | None:
    """Build a Table from cell boxes and the positioned items (characters, words) that fill them."""
    boxes = [b for b in boxes if b[2] - b[0] > tolerance and b[3] - b[1] > tolerance]
    if not boxes:
        return None
    xs = cluster([v for b in boxes for v in (b[0], b[2])], tolerance)
    ys = cluster([v for b in boxes for v in (b[1], b[3])], tolerance)
    n_cols, n_rows = len(xs) - 1, len(ys) - 1
    if n_cols < 1 or n_rows < 1:
        return None
    grid: dict[tuple[int, int], int] = {}
    spans: list[tuple[int, int, int, int]] = []
    for i, (x0, top, x1, bottom) in enumerate(boxes):
        c0, c1 = _nearest(xs, x0), _nearest(xs, x1)
        r0, r1 = _nearest(ys, top), _nearest(ys, bottom)
        if c1 <= c0 or r1 <= r0 or any((r, c) in grid for r in range(r0, r1) for c in range(c0, c1)):
            spans.append((-1, -1, -1, -1))  # degenerate, or overlaps a cell already placed
            continue
        spans.append((r0, c0, r1 - r0, c1 - c0))
        for r in range(r0, r1):
            for c in range(c0, c1):
                grid[(r, c)] = i
    contents: dict[int, list[T]] = {}
    for item in items:
        x, y = item_center(item)
        if not (xs[0] <= x <= xs[-1] and ys[0] <= y <= ys[-1]):
            continue
        r = min(bisect_right(ys, y) - 1, n_rows - 1)
        c = min(bisect_right(xs, x) - 1, n_cols - 1)
        owner = grid.get((r, c))
        if owner is not None:
            contents.setdefault(owner, []).append(item)
    cells = [
        TableCell(row=r, col=c, rowspan=rs, colspan=cs, text=join(contents.get(i, [])), bbox=boxes[i])
        for i, (r, c, rs, cs) in enumerate(spans)
        if r >= 0
    ]
    cells.sort(key=lambda cell: (cell.row, cell.col))
    return Table(
        page=page,
        n_rows=n_rows,
        n_cols=n_cols,
        cells=cells,
        row_y=ys[:-1],
        col_x=xs,
        bbox=(xs[0], ys[0], xs[-1], ys[-1]),
    )


def table_row_bands(table: Table) -> list[BBox]:
    """The boxes of the rows that hold more than one cell: table text, not prose in a frame."""
    if table.col_x is None or table.bbox is None:
        return []
    bottoms = [*table.row_y[1:], table.bbox[3]]
    return [
        (table.col_x[0], table.row_y[r], table.col_x[-1], bottoms[r])
        for r in range(table.n_rows)
        if len(table.row_cells(r)) > 1
    ]


def drop_frames(tables: list[Table], tolerance: float = 2.0) -> list[Table]:
    """Tables that hold no other table. Web pages printed to PDF frame the whole article in a
    layout table; its one giant cell is page layout, not data."""

    def holds(outer: Table, inner: Table) -> bool:
        if outer is inner or outer.bbox is None or inner.bbox is None:
            return False
        a, b = outer.bbox, inner.bbox
        return (
            a[0] - tolerance <= b[0]
            and a[1] - tolerance <= b[1]
            and b[2] <= a[2] + tolerance
            and b[3] <= a[3] + tolerance
            and (b[2] - b[0]) * (b[3] - b[1]) < (a[2] - a[0]) * (a[3] - a[1])
        )

    return [t for t in tables if not any(holds(t, other) for other in tables)]


def edge(x0: float, top: float, x1: float, bottom: float, orientation: str, object_type: str = "line") -> Obj:
    """A ruling line as pdfplumber's table finder reads it (one of `page.edges`)."""
    return {
        "x0": x0,
        "x1": x1,
        "top": top,
        "bottom": bottom,
        "width": x1 - x0,
        "height": bottom - top,
        "orientation": orientation,
        "object_type": object_type,
    }


class _PageGeometry:
    """What pdfplumber's TableFinder reads from a page: edges, bbox and (text strategy) words."""

    def __init__(self, chars: list[Obj], edges: list[Obj], bbox: BBox) -> None:
        self.chars = chars
        self.edges = edges
        self.bbox = bbox

    def extract_words(self, **kwargs: Any) -> list[Obj]:
        return extract_words(self.chars, **kwargs)


def find_table_boxes(
    chars: list[Obj], edges: list[Obj], page_bbox: BBox, settings: dict[str, Any] | None = None
) -> list[list[BBox]]:
    """The cell boxes (x0, top, x1, bottom) of each table, as pdfplumber's `page.find_tables()`
    would give them for a page with these chars and edges: its own TableFinder runs on them, with
    its default settings (the "lines" strategy reads only the edges) unless others are given."""
    finder = TableFinder(cast(Any, _PageGeometry(chars, edges, page_bbox)), TableSettings.resolve(settings))
    return [[cast(BBox, tuple(map(float, cell))) for cell in table.cells] for table in finder.tables]
