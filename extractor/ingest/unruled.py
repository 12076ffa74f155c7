"""Tables without ruling lines in text PDFs, rebuilt from the positions of their words.

Some agencies remove the borders of the official template's tables (or their PDF printer drops
them): the columns are then aligned by whitespace only, and the ruling-line table finder sees no
table at all. On the table pages the pre-pass named that hold no ruled table, the page's characters
become visual lines and words (a gap wider than a fraction of the font size separates words), and
the tables are found and read in that stream of lines, across page breaks:

- a table starts where the text reader's triggers say (a 第二十条 caption, the request table's
  corner note, header words in a row) and ends at a section heading or at prose;
- its value columns are the clusters of the x centres of its numbers, checked against the header:
  the number of columns the header names (the text reader's header parsing, which tolerates words
  shredded over several lines: "自然" above "人") must equal the clusters found, or the header
  words' own positions fill the columns no number marks (a column blank throughout);
- each number goes to the nearest column; one that sits nearly as close to a neighbouring column
  is flagged, and two numbers under one column in one line keep the nearer, flagged, the other
  reported, never moved;
- row labels are the words left of the numbers: a label that wraps over lines, or that the
  template centres vertically beside its numbers, is one item from its numbering ("1、", "（三）")
  through the lines below it in the same column; a row takes the items whose lines span it.

The rows then go through the text reader's table builder (`text_tables.build_table`), so the
tables are the same IR the other readers produce (label columns, a header row of the template's
column names, cells with spans), cut per page with the page's own positions.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from itertools import pairwise
from typing import Any

import pypdfium2 as pdfium

from ..document import BBox, CellKind, Document, Page, Table, TableCell
from ..grid import cluster
from ..numbers import parse_cell
from ..text import ordinal, squash
from ..vocabulary import heading_key, is_furniture
from .glued import Sum, well_formed
from .pdfium_geometry import page_chars
from .text_repair import holds
from .text_tables import (
    AMBIGUOUS,
    Column,
    Row,
    _word_pattern,
    build_table,
    complete_columns,
    find_trigger,
    is_prose,
    nospace,
    proactive_columns,
    request_columns,
    review_columns,
    row_sums,
)

WORD_GAP = 0.3  # a gap wider than this many font sizes separates two words
COLUMN_TOLERANCE = 0.8  # numbers of one column have centres within this many font sizes
NEAR_MIDDLE = 0.3  # a number this far (share of the column spacing) from its column is in doubt
PAGE_CODE = 100000.0  # a row's y in the stream of pages: page * PAGE_CODE + y on its page


@dataclass
class Word:
    text: str
    x0: float
    x1: float
    top: float
    bottom: float
    size: float

    @property
    def cx(self) -> float:
        return (self.x0 + self.x1) / 2

    @property
    def bbox(self) -> BBox:
        return (self.x0, self.top, self.x1, self.bottom)


class _Extent:
    """The extent of a group of words (a line, a label)."""

    words: list[Word]

    @property
    def x0(self) -> float:
        return min(w.x0 for w in self.words)

    @property
    def x1(self) -> float:
        return max(w.x1 for w in self.words)

    @property
    def top(self) -> float:
        return min(w.top for w in self.words)

    @property
    def bottom(self) -> float:
        return max(w.bottom for w in self.words)


@dataclass
class VLine(_Extent):
    """A visual line of a page: its words left to right."""

    page: int
    words: list[Word]

    @property
    def cy(self) -> float:
        return (self.top + self.bottom) / 2

    @property
    def text(self) -> str:
        return " ".join(w.text for w in self.words)

    @property
    def code(self) -> float:
        return self.page * PAGE_CODE + self.top

    @property
    def size(self) -> float:
        return max(w.size for w in self.words)

    def values(self) -> list[Word]:
        """The words that are cells. Marks alone ("/") are cells only with no text after them: the
        header "本 年 增 / 减", letter-spaced, is no row of values."""
        found = [w for w in self.words if is_value(w.text)]
        if not found or any(ch.isdigit() for w in found for ch in w.text):
            return found
        first = min(w.x0 for w in found)
        return [] if any(not is_value(w.text) and w.x0 > first for w in self.words) else found


def is_value(text: str) -> bool:
    """A word that is a whole cell: a number (maybe with its unit) or a null marker."""
    return well_formed(text)


# ---------------------------------------------------------------------------------------------
# Characters → visual lines → words
# ---------------------------------------------------------------------------------------------


def visual_lines(chars: list[dict[str, Any]], page: int) -> list[VLine]:
    """The page's characters as lines (by vertical centre) of words (split at wide gaps)."""
    upright = [c for c in chars if c.get("upright", True) and str(c["text"]).strip()]
    upright.sort(key=lambda c: ((c["top"] + c["bottom"]) / 2, c["x0"]))
    rows: list[list[dict[str, Any]]] = []
    centre = 0.0
    for ch in upright:
        cy = (ch["top"] + ch["bottom"]) / 2
        size = float(ch.get("size") or ch["bottom"] - ch["top"])
        if rows and abs(cy - centre) <= 0.45 * size:
            rows[-1].append(ch)
            centre = sum((c["top"] + c["bottom"]) / 2 for c in rows[-1]) / len(rows[-1])
        else:
            rows.append([ch])
            centre = cy
    out = []
    for row in rows:
        row.sort(key=lambda c: c["x0"])
        words: list[Word] = []
        for ch in row:
            size = float(ch.get("size") or ch["bottom"] - ch["top"])
            w = words[-1] if words else None
            if w is not None and ch["x0"] - w.x1 <= WORD_GAP * max(size, w.size):
                w.text += ch["text"]
                w.x1 = max(w.x1, ch["x1"])
                w.top, w.bottom = min(w.top, ch["top"]), max(w.bottom, ch["bottom"])
                w.size = max(w.size, size)
            else:
                words.append(Word(ch["text"], ch["x0"], ch["x1"], ch["top"], ch["bottom"], size))
        out.append(VLine(page, words))
    _rejoin(out)
    return [ln for ln in out if ln.words]


def _rejoin(lines: list[VLine]) -> None:
    """A short word that touches a word of a neighbouring line end to end goes into it: a digit in
    another font sits a little higher or lower than the Han text it numbers ("5" of "5.要求…"),
    enough for its centre to fall nearer a line of numbers beside the label."""
    for i, ln in enumerate(lines):
        for w in list(ln.words):
            if len(w.text) > 3:
                continue
            for other in lines[max(0, i - 2) : i + 3]:
                if other is ln:
                    continue
                hit = next(
                    (
                        v
                        for v in other.words
                        if len(v.text) > len(w.text)
                        and min(v.bottom, w.bottom) > max(v.top, w.top)
                        and (
                            -0.5 <= v.x0 - w.x1 <= WORD_GAP * w.size
                            or -0.5 <= w.x0 - v.x1 <= WORD_GAP * w.size
                        )
                    ),
                    None,
                )
                if hit is None:
                    continue
                hit.text = w.text + hit.text if w.x1 <= hit.x0 + 0.5 else hit.text + w.text
                hit.x0, hit.x1 = min(hit.x0, w.x0), max(hit.x1, w.x1)
                ln.words.remove(w)
                break


# ---------------------------------------------------------------------------------------------
# Table regions in the stream of lines
# ---------------------------------------------------------------------------------------------


@dataclass
class Region:
    kind: str
    lines: list[VLine] = field(default_factory=list)
    skipped: list[VLine] = field(default_factory=list)  # page furniture between its lines

    def label_limit(self) -> float | None:
        xs = [w.x0 for ln in self.lines for w in ln.values()]
        return min(xs) if xs else None


def regions(lines: list[VLine]) -> list[Region]:
    """The table regions of a stream of lines: from a trigger to a heading or prose."""
    out: list[Region] = []
    cur: Region | None = None
    edges = _page_edges(lines)
    for i, ln in enumerate(lines):
        text = ln.text
        values = ln.values()
        spread = max(w.cx for w in values) - min(w.cx for w in values) if values else 0.0
        if i in edges and is_furniture(text) and spread < 6 * ln.size:
            # A page number between a table's parts: at the top or foot of its page, its words close
            # together ("1 0 0 / 0 0 1" is a row, not "1/3"; "0 0" inside a table is a row too).
            if cur is not None:
                cur.skipped.append(ln)
            continue
        if not values and heading_key(text) is not None:
            cur = None
            continue
        trigger = None if values else find_trigger(nospace(text))
        if cur is None:
            if trigger is not None and not is_prose(text, in_header=True):
                cur = Region(trigger[1])
                out.append(cur)
                cur.lines.append(ln)
            continue
        if not values:
            limit = cur.label_limit()
            # Prose runs from the labels' side across the columns; header words sit in them.
            beyond = (
                limit is not None
                and trigger is None
                and any(w.x0 < limit - ln.size < limit + ln.size < w.x1 for w in ln.words)
            )
            if is_prose(text) or beyond:
                cur = None
                continue
            if (
                trigger is not None
                and trigger[1] != cur.kind
                and limit is not None
                and not _names(text, cur.kind)
            ):
                cur = Region(trigger[1])
                out.append(cur)
        cur.lines.append(ln)
    return [r for r in out if any(ln.values() for ln in r.lines)]


def _page_edges(lines: list[VLine]) -> set[int]:
    """The indices of the first two and last two lines of each page: where page furniture sits."""
    by_page: dict[int, list[int]] = {}
    for i, ln in enumerate(lines):
        by_page.setdefault(ln.page, []).append(i)
    return {i for idx in by_page.values() for i in (*idx[:2], *idx[-2:])}


def _names(text: str, kind: str) -> bool:
    """Whether the text holds a header word of `kind`'s table (the review header's 其他 is also a
    request column: it does not start a request table inside the review header)."""
    from .text_tables import vocabulary

    return any(
        any(x.kind == kind for x in vocabulary()[m["w"]]) for m in _word_pattern().finditer(nospace(text))
    )


# ---------------------------------------------------------------------------------------------
# Columns
# ---------------------------------------------------------------------------------------------


@dataclass
class Block:
    """One table of a region (section 二: one per caption or header): caption, header, data."""

    caption: VLine | None = None
    header: list[VLine] = field(default_factory=list)
    data: list[VLine] = field(default_factory=list)


def blocks(region: Region) -> list[Block]:
    out = [Block()]
    for ln in region.lines:
        b = out[-1]
        if ln.values():
            b.data.append(ln)
            continue
        trigger = find_trigger(nospace(ln.text))
        caption = trigger is not None and region.kind == "proactive" and _is_caption(ln.text)
        limit = min((w.x0 for d in b.data for w in d.values()), default=None)
        if caption:
            out.append(Block(caption=ln))
        elif region.kind == "proactive" and b.data and trigger is not None:
            out.append(Block(header=[ln]))
        elif (
            region.kind == "proactive"
            and b.data
            and any(w.cx >= limit for w in ln.words if limit is not None)
        ):
            out.append(Block(header=[ln]))  # a sub-table's header
        elif b.data and (trigger is not None or any(w.cx >= limit for w in ln.words if limit is not None)):
            continue  # a header repeated after a page break: words over the columns, no numbers
        elif b.data:
            b.data.append(ln)
        else:
            b.header.append(ln)
    return [b for b in out if b.data or b.caption is not None]


def _is_caption(text: str) -> bool:
    from .text_tables import _caption

    return _caption().search(nospace(text)) is not None


def _header_text(words: list[Word]) -> str:
    return "".join(nospace(w.text) for w in words)


def columns_of(kind: str, header: list[VLine], limit: float, warnings: list[str]) -> list[Column]:
    """The template columns the header names, in the template's (left-to-right) order; the request
    and review tables have all the template's columns, however little of the header is read."""
    words = [w for ln in header for w in ln.words if w.cx >= limit]
    text = _header_text(words)
    if kind == "requests":
        return complete_columns(kind, request_columns(text), warnings)
    if kind == "review":
        return complete_columns(kind, review_columns(text) or [], warnings)
    heads = [m.group() for m in _word_pattern().finditer(text)]
    return proactive_columns(heads)


def _leaf_piece(text: str, kind: str) -> bool:
    """Header text that is (part of) a column name of `kind`'s table, not a group or block word."""
    from .text_tables import vocabulary

    s = nospace(text)
    names = [w for w, xs in vocabulary().items() if any(x.kind == kind and x.role == "leaf" for x in xs)]
    groups = {w for w, xs in vocabulary().items() if any(x.kind == kind and x.role != "leaf" for x in xs)}
    return bool(s) and s not in groups and any(s in n for n in names)


# How a column aligns its numbers: centred (Word's table style), or flush left or right.
ALIGNMENTS: dict[str, Callable[[Word], float]] = {
    "centre": lambda w: w.cx,
    "left": lambda w: w.x0,
    "right": lambda w: w.x1,
}


def anchors(kind: str, block: Block, k: int, limit: float) -> tuple[list[float], str] | None:
    """Where each of the k value columns aligns its numbers, and how (a key of ALIGNMENTS); None
    when the numbers and the header disagree on the columns."""
    values = [w for ln in block.data for w in ln.values() if w.x0 >= limit - 0.5]
    if not values:
        return None
    size = max(w.size for w in values)
    tol = COLUMN_TOLERANCE * size
    # The alignment under which the numbers fall into the fewest columns is the table's.
    align, found = min(
        ((name, cluster([key(w) for w in values], tol)) for name, key in ALIGNMENTS.items()),
        key=lambda pair: len(pair[1]),
    )
    if len(found) == k:
        return found, align
    # The header's column words right of the row labels (a column no number marks is still named),
    # moved from their centres to where the numbers align.
    left = _label_edge(block, limit, float("-inf"))
    centres = cluster(
        [w.cx for ln in block.header for w in ln.words if w.cx > left and _leaf_piece(w.text, kind)], tol
    )
    if centres:
        offsets = sorted(f - min(centres, key=lambda h: abs(h - f)) for f in found)
        offset = offsets[len(offsets) // 2]
        heads = [h + offset for h in centres]
        merged = sorted(found + [h for h in heads if all(abs(h - c) > 1.5 * tol for c in found)])
        if len(found) < k and len(merged) == k:
            return merged, align
        if len(heads) == k and all(min(abs(h - c) for h in heads) <= 1.5 * tol for c in found):
            return heads, align
    spread = [w.cx for ln in block.header for w in ln.words if w.cx > left]
    filled = _fill_gaps(found, k, spread)
    return (filled, align) if filled is not None else None


def _label_edge(block: Block, limit: float, default: float | None = None) -> float:
    """Where the row labels end: header words right of it name the value columns (a header word
    spaced letter by letter over its column starts left of the column's numbers)."""
    labels = [w.x1 for ln in block.data for w in ln.words if w.cx < limit and not is_value(w.text)]
    fallback = limit - 2 * max((ln.size for ln in block.data), default=0.0) if default is None else default
    return max(labels, default=fallback)


def _fill_gaps(found: list[float], k: int, header: list[float]) -> list[float] | None:
    """Columns no number marks, where the header cannot say (its words spread letter by letter):
    a gap n times the usual spacing between the columns found holds n - 1, and the header running
    a column's width past the first or last column found holds one there."""
    if len(found) < 3 or not header:
        return None
    steps = sorted(b - a for a, b in pairwise(found))
    step = steps[len(steps) // 2]
    out = [found[0]]
    for x in found[1:]:
        n = round((x - out[-1]) / step)
        if n >= 2 and abs(x - out[-1] - n * step) <= 0.25 * step:
            out.extend(out[-1] + (x - out[-1]) * i / n for i in range(1, n))
        out.append(x)
    if min(header) < out[0] - 0.6 * step:
        out.insert(0, out[0] - step)
    if max(header) > out[-1] + 0.6 * step:
        out.append(out[-1] + step)
    return out if len(out) == k else None


# ---------------------------------------------------------------------------------------------
# Labels
# ---------------------------------------------------------------------------------------------


@dataclass
class Item(_Extent):
    """A label: its words from the numbered first line through its wrapped lines."""

    words: list[Word]

    @property
    def text(self) -> str:
        return "".join(nospace(w.text) for w in self.words)


def label_items(lines: list[VLine], limit: float) -> list[tuple[int, Item]]:
    """(page, item) for the label words of the lines: a numbered word starts an item, an
    unnumbered one continues the item whose last line is right above it and that it lines up with."""
    out: list[tuple[int, Item]] = []
    for ln in lines:
        for w in ln.words:
            if w.cx >= limit:
                continue
            near = [
                (w.top - it.bottom, it)
                for page, it in out
                if page == ln.page
                and _aligned(it.words[0], w)
                and 0.5 * w.size <= w.top - it.words[-1].top <= 2.2 * w.size  # the next line
            ]
            if ordinal(squash(w.text)) is None and near:
                min(near, key=lambda n: n[0])[1].words.append(w)
            else:
                out.append((ln.page, Item([w])))
    return out


def _aligned(first: Word, w: Word) -> bool:
    """Whether `w` lines up under a label's first line as its wrapped text does: flush left, centred
    or flush right (a vertical label's next character, centred in its narrow column, lines up with
    it; under a label that spans all the label columns, it does not)."""
    return abs(w.x0 - first.x0) <= 2.0 or abs(w.cx - first.cx) <= 0.6 * w.size or abs(w.x1 - first.x1) <= 2.0


def row_labels(ln: VLine, items: list[tuple[int, Item]], limit: float, same_line_only: bool) -> list[str]:
    """The labels of a data line: the items whose lines span it, left to right."""
    if same_line_only:
        text = "".join(nospace(w.text) for w in ln.words if w.cx < limit)
        return [text] if text else []
    mine = [it for page, it in items if page == ln.page and it.top - 1.0 <= ln.cy <= it.bottom + 1.0]
    mine.sort(key=lambda it: it.x0)
    return [it.text for it in mine]


# ---------------------------------------------------------------------------------------------
# Rows and tables
# ---------------------------------------------------------------------------------------------


@dataclass
class Reading:
    tables: list[Table] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    spans: dict[int, list[tuple[float, float]]] = field(default_factory=dict)  # page → table line extents


def _cells(
    ln: VLine, columns: tuple[list[float], str], limit: float, kind: str, warnings: list[str]
) -> list[TableCell]:
    """The line's value words placed under the nearest column; doubtful placements flagged."""
    xs, align = columns
    key = ALIGNMENTS[align]
    cells = [TableCell(0, 0, "") for _ in xs]
    taken: dict[int, float] = {}
    for w in ln.words:
        if w.cx < limit:
            continue
        dist = sorted((abs(key(w) - x), i) for i, x in enumerate(xs))
        d, i = dist[0]
        cell = cells[i]
        spacing = min((abs(xs[i] - xs[j]) for j in (i - 1, i + 1) if 0 <= j < len(xs)), default=4 * w.size)
        if i in taken:
            dropped = w.text if d >= taken[i] else cell.text
            warnings.append(
                f"{kind}: p.{ln.page}: {w.text!r} and {cell.text!r} fall under one column; "
                f"{dropped!r} not placed"
            )
            if d < taken[i]:
                cell.text, cell.bbox, taken[i] = w.text, w.bbox, d
            cell.confidence = AMBIGUOUS
            cell.notes = ["two numbers of this line fall under this column (a table without ruling lines)"]
            continue
        cell.text, cell.bbox, taken[i] = w.text, w.bbox, d
        if d > NEAR_MIDDLE * spacing:
            cell.confidence = AMBIGUOUS
            cell.notes = [
                "placed by its position in a table without ruling lines, nearly as close to the next column"
            ]
    return cells


def read_region(region: Region, reading: Reading) -> None:
    rows: list[Row] = []
    limit = region.label_limit()
    assert limit is not None  # regions() keeps only regions with values
    kind = region.kind
    for block in blocks(region):
        if block.caption is not None:
            rows.append(Row("caption", labels=[nospace(block.caption.text)], y=block.caption.code))
        if not block.data:
            continue
        block_limit = min(w.x0 for ln in block.data for w in ln.values()) - 0.5
        columns = columns_of(kind, block.header, _label_edge(block, block_limit), reading.warnings)
        xs = anchors(kind, block, len(columns), block_limit) if columns else None
        if xs is None:
            page = block.data[0].page
            reading.warnings.append(
                f"{kind}: p.{page}: a table without ruling lines whose columns could not be placed "
                f"({len(columns)} in the header); its numbers were not used"
            )
            continue
        if block.header:
            rows.append(
                Row(
                    "header",
                    labels=[nospace(ln.text) for ln in block.header],
                    columns=list(columns),
                    y=block.header[0].code,
                )
            )
        items = label_items(block.data, block_limit)
        if kind == "proactive":
            data = [
                Row(
                    "data",
                    labels=row_labels(ln, items, block_limit, same_line_only=True),
                    values=_cells(ln, xs, block_limit, kind, reading.warnings),
                    y=ln.code,
                )
                for ln in block.data
                if ln.values()
            ]
        else:
            data = _labelled_rows(block.data, items, xs, block_limit, kind, reading.warnings, columns)
            if kind == "requests":
                data.extend(_blank_rows([*block.data, *region.skipped], items, len(xs[0])))
        rows.extend(sorted(data, key=lambda row: row.y))
    table = build_table(kind, rows)
    if table is None:
        return
    reading.tables.extend(_per_page(table))
    for ln in region.lines:
        reading.spans.setdefault(ln.page, []).append((ln.top, ln.bottom))


def _leaf(ln: VLine, items: list[tuple[int, Item]]) -> Item | None:
    """The row label a line of numbers belongs to: of the labels whose lines span it, the
    rightmost (a group label spans its leaves' lines too), the nearest when two do."""
    mine = [it for page, it in items if page == ln.page and it.top - 1.0 <= ln.cy <= it.bottom + 1.0]
    if not mine:
        return None
    right = max(it.x0 for it in mine)
    leaves = [it for it in mine if it.x0 >= right - ln.size]
    return min(leaves, key=lambda it: abs((it.top + it.bottom) / 2 - ln.cy))


def _merge(
    row: Row, cells: list[TableCell], kind: str, page: int, warnings: list[str], note: str = ""
) -> list[TableCell]:
    """A row's second line of numbers (a cell the template centres apart from the others) merged
    into it: the cells it fills, flagged with `note` when given. Where both lines fill a column, the
    digits of a number its cell wrapped ("1605" over "8") are joined, flagged until the row's
    relations confirm them; else the first is kept, flagged, and the other reported."""
    merged = []
    for mine, other in zip(row.values, cells, strict=True):
        if not other.text:
            continue
        if mine.text and _wrapped(mine, other):
            top, bottom = sorted((mine, other), key=lambda c: c.bbox[1] if c.bbox else 0.0)
            boxes = [b for b in (mine.bbox, other.bbox) if b is not None]
            mine.text = top.text + bottom.text
            mine.bbox = (
                min(b[0] for b in boxes),
                min(b[1] for b in boxes),
                max(b[2] for b in boxes),
                max(b[3] for b in boxes),
            )
            mine.confidence = AMBIGUOUS
            mine.notes = [
                f"digits {top.text!r} and {bottom.text!r} on two lines of one cell read as one number"
            ]
            merged.append(mine)
            continue
        if mine.text:
            warnings.append(
                f"{kind}: p.{page}: {mine.text!r} and {other.text!r} fall under one column of one row; "
                f"{other.text!r} not placed"
            )
            mine.confidence = AMBIGUOUS
            mine.notes = [*mine.notes, f"another number ({other.text!r}) of this row falls under this column"]
            continue
        mine.text, mine.bbox, mine.confidence, mine.notes = (
            other.text,
            other.bbox,
            other.confidence,
            other.notes,
        )
        if note:
            mine.confidence = min(mine.confidence, AMBIGUOUS)
            mine.notes = [*mine.notes, note]
            merged.append(mine)
    return merged


def _wrapped(a: TableCell, b: TableCell) -> bool:
    """Whether two cells' digits are one number its narrow cell wrapped: digits alone, one right
    under the other, within a line or so."""
    if a.bbox is None or b.bbox is None or not (a.text.isdigit() and b.text.isdigit()):
        return False
    top, bottom = sorted((a.bbox, b.bbox), key=lambda box: box[1])
    height = top[3] - top[1]
    across = min(top[2], bottom[2]) - max(top[0], bottom[0]) > 0
    return across and 0.5 * height <= bottom[1] - top[1] <= 2.0 * height


def _confirm(rows: list[Row], merged: list[TableCell], kinds: list[CellKind], sums: list[Sum]) -> None:
    """Cells placed by merging lines are sure when their row's relations hold with a total that
    is not zero (a row of zeros satisfies any relation)."""
    if not sums:
        return
    ids = {id(c) for c in merged}
    for row in rows:
        mine = [c for c in row.values if id(c) in ids]
        texts = [c.text for c in row.values]
        if not mine or len(texts) != len(kinds) or not holds(texts, kinds, sums):
            continue
        if all(parse_cell(texts[t]).value in (None, 0) for _, t in sums):
            continue
        for cell in mine:
            cell.confidence = 1.0
            cell.notes = [*cell.notes, "the row's relations confirm it"]


def _labelled_rows(
    lines: list[VLine],
    items: list[tuple[int, Item]],
    columns: tuple[list[float], str],
    limit: float,
    kind: str,
    warnings: list[str],
    template: list[Column],
) -> list[Row]:
    """One row per row label: the lines of numbers its lines span, merged. A line of numbers no
    label spans joins the nearest row within a line's height, its cells flagged; else it is a row
    of its own, without a label (the reconstructor places it by its neighbours, flagged). Merged
    cells are sure when the row's relations confirm them (`template`: the row's columns)."""
    rows: list[Row] = []
    by_item: dict[int, Row] = {}
    loose: list[tuple[VLine, list[TableCell]]] = []
    merged: list[TableCell] = []
    for ln in lines:
        if not ln.values():
            continue
        cells = _cells(ln, columns, limit, kind, warnings)
        leaf = _leaf(ln, items) if kind == "requests" else None
        if leaf is not None and id(leaf) in by_item:
            merged.extend(_merge(by_item[id(leaf)], cells, kind, ln.page, warnings))
            continue
        if leaf is None and kind == "requests":
            loose.append((ln, cells))
            continue
        labels = (
            [
                it.text
                for page, it in sorted(items, key=lambda pi: pi[1].x0)
                if page == ln.page and it.top - 1.0 <= ln.cy <= it.bottom + 1.0 and it.x0 <= leaf.x0
            ]
            if leaf
            else []
        )
        row = Row("data", labels=labels, values=cells, y=ln.code)
        rows.append(row)
        if leaf is not None:
            by_item[id(leaf)] = row
    for ln, cells in loose:
        near = [r for r in rows if abs(r.y - ln.code) <= 1.2 * ln.size]
        if near:
            row = min(near, key=lambda r: abs(r.y - ln.code))
            note = "a line of numbers without a row label, placed in the nearest row (no ruling lines)"
            merged.extend(_merge(row, cells, kind, ln.page, warnings, note))
        else:
            rows.append(Row("data", labels=[], values=cells, y=ln.code))
    _confirm(rows, merged, [c.kind for c in template], row_sums(template))
    return rows


def _blank_rows(lines: list[VLine], items: list[tuple[int, Item]], width: int) -> list[Row]:
    """Rows whose cells are all blank (a report that prints zeros as blanks): a numbered row label
    that spans no line of numbers, with no label to its right (a group label has its leaves there)
    and no line of the region beside it at all, is a row of blank cells."""
    out = []
    for page, it in items:
        if ordinal(squash(it.text)) is None:
            continue
        beside = [ln for ln in lines if ln.page == page and it.top - 1.0 <= ln.cy <= it.bottom + 1.0]
        if any(ln.values() or any(w.x0 > it.x1 for w in ln.words) for ln in beside):
            # Numbers beside it (page furniture included: "0 0" may be a row read as a page number).
            continue
        right = [
            o for p, o in items if p == page and o.x0 > it.x1 and o.top <= it.bottom and it.top <= o.bottom
        ]
        if right:
            continue
        cells = [TableCell(0, 0, "") for _ in range(width)]
        out.append(Row("data", labels=[it.text], values=cells, y=page * PAGE_CODE + it.top))
    return out


def _per_page(table: Table) -> list[Table]:
    """A table read across page breaks, cut into one table per page with the page's own y."""
    pages = sorted({int(y // PAGE_CODE) for y in table.row_y})
    out = []
    for page in pages:
        rows = [r for r, y in enumerate(table.row_y) if int(y // PAGE_CODE) == page]
        first = rows[0]
        cells = []
        for cell in table.cells:
            if first <= cell.row <= rows[-1]:
                cell.row -= first
                cells.append(cell)
        boxes = [c.bbox for c in cells if c.bbox is not None]
        bbox = (
            (
                min(b[0] for b in boxes),
                min(b[1] for b in boxes),
                max(b[2] for b in boxes),
                max(b[3] for b in boxes),
            )
            if boxes
            else None
        )
        out.append(
            Table(
                page=page,
                n_rows=len(rows),
                n_cols=table.n_cols,
                cells=cells,
                row_y=[table.row_y[r] - page * PAGE_CODE for r in rows],
                bbox=bbox,
            )
        )
    return out


def read_lines(lines: list[VLine]) -> Reading:
    """The tables of a stream of visual lines (consecutive pages)."""
    reading = Reading()
    for region in regions(lines):
        read_region(region, reading)
    return reading


def _apply(page: Page, reading: Reading) -> None:
    page.tables.extend(t for t in reading.tables if t.page == page.number)
    for line in page.lines:
        if line.bbox is None:
            continue
        cy = (line.bbox[1] + line.bbox[3]) / 2
        if any(top - 0.5 <= cy <= bottom + 0.5 for top, bottom in reading.spans.get(page.number, [])):
            line.in_table = True


def read_unruled(pdf: pdfium.PdfDocument, doc: Document, numbers: list[int]) -> None:
    """Tables without ruling lines on the given pages (table pages without a ruled table), read
    in runs of consecutive pages so that a table continues across a page break."""
    runs: list[list[int]] = []
    for n in sorted(numbers):
        if runs and runs[-1][-1] == n - 1:
            runs[-1].append(n)
        else:
            runs.append([n])
    for run in runs:
        lines: list[VLine] = []
        for n in run:
            page = pdf[n - 1]
            try:
                lines.extend(visual_lines(page_chars(page), n))
            finally:
                page.close()
        reading = read_lines(lines)
        if not reading.tables:
            continue
        for n in run:
            _apply(doc.pages[n - 1], reading)
        pages = sorted({t.page for t in reading.tables})
        doc.warnings.append(
            f"pages {', '.join(map(str, pages))}: tables without ruling lines, rebuilt from the positions "
            "of their words"
        )
        doc.warnings.extend(reading.warnings)
