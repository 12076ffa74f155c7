"""Documents without geometry (web pages, Word files): one page, positions from a running counter.

Every block of text and every table row takes the next value of one counter as its `y`, in
document order, so that sections can be cut by position exactly as in a PDF: a table row lies in
the section whose heading came before it. Tables are kept as tables only when they hold the
report's data; a table used for layout or for a page's metadata (索引号, 发布机构 …) is read as text.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import regex

from ..document import Document, Line, Page, Table, TableCell
from ..numbers import is_number_text
from ..vocabulary import mentions_tables

PAGE = 1
# A cell holding more text than this is prose: its table frames a page, it is not a data table.
PROSE_CHARS = 300

_SPACES = regex.compile(r"[^\S\n]+")


def clean_lines(text: str) -> list[str]:
    """The non-empty lines of a text, each with its runs of whitespace (nbsp, ideographic space
    included) made one space and stripped."""
    out = []
    for line in text.split("\n"):
        s = _SPACES.sub(" ", line).strip()
        if s:
            out.append(s)
    return out


def clean_text(text: str) -> str:
    """Cell text: its non-empty lines joined by newlines ("" for a blank or `&nbsp;` cell)."""
    return "\n".join(clean_lines(text))


def is_data_table(table: Table) -> bool:
    """Whether a table holds the report's data: at least two columns, no prose in its cells, and
    a number or a word of the report's tables (第二十条, 申请人情况 …) in some cell."""
    if table.n_cols < 2:
        return False
    texts = [c.text for c in table.cells]
    if any(len(t) > PROSE_CHARS for t in texts):
        return False
    return any(is_number_text(t) for t in texts) or any(mentions_tables(t) for t in texts)


@dataclass
class Flow:
    """Lines and tables in document order, placed on one page by a running counter."""

    path: Path
    kind: str
    is_chrome: Callable[[str], bool] = lambda _: False
    lines: list[Line] = field(default_factory=list)
    tables: list[Table] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    # Pictures in document order: (position, what names it, width in inches or None); `pictures.py`
    # reads them and places what they hold between their position and the next.
    pictures: list[tuple[float, str, float | None]] = field(default_factory=list)
    _y: int = 0

    def _next(self) -> float:
        self._y += 1
        return float(self._y)

    def add_text(self, text: str) -> None:
        """A block of text: one Line per line of it (chrome lines dropped)."""
        for line in clean_lines(text):
            if not self.is_chrome(line):
                self.lines.append(Line(text=line, page=PAGE, y=self._next(), block_end=True))

    def add_picture(self, ref: str, width_in: float | None = None) -> None:
        """A picture (a part of a Word file, an `<img>`'s src): its place in the flow."""
        self.pictures.append((self._next(), ref, width_in))

    def add_table(self, cells: list[TableCell]) -> None:
        """A table from cells at grid positions with spans: a Table when it holds data, else its
        rows as lines of text."""
        if not cells:
            return
        n_rows = max(c.last_row for c in cells) + 1
        n_cols = max(c.last_col for c in cells) + 1
        table = Table(page=PAGE, n_rows=n_rows, n_cols=n_cols, cells=cells, row_y=[0.0] * n_rows)
        if is_data_table(table):
            table.row_y = [self._next() for _ in range(n_rows)]
            self.tables.append(table)
            return
        for r in range(n_rows):
            texts = [c.text for c in table.row_cells(r) if c.row == r and c.text]
            if all("\n" not in t for t in texts):
                self.add_text(" ".join(texts))  # a row of short cells reads as one line
            else:
                for t in texts:
                    self.add_text(t)

    def document(self) -> Document:
        page = Page(number=PAGE, lines=self.lines, tables=self.tables)
        return Document(path=self.path, kind=self.kind, pages=[page], n_pages=None, warnings=self.warnings)
