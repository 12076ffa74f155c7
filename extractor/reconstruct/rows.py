"""Rows of physical tables as the reconstructors see them: header rows, data rows, column maps."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass

from ..document import Table, TableCell
from ..numbers import is_number_text

RowRef = tuple[Table, int]


@dataclass
class Part:
    """The rows of one physical table that fall in one section."""

    table: Table
    rows: list[int]


def parts(rows: Iterable[RowRef]) -> list[Part]:
    """Consecutive rows of the same table grouped together, in document order."""
    out: list[Part] = []
    for table, r in rows:
        if out and out[-1].table is table:
            out[-1].rows.append(r)
        else:
            out.append(Part(table, [r]))
    return out


def starting_cells(table: Table, r: int) -> list[TableCell]:
    return [c for c in table.row_cells(r) if c.row == r]


def is_data_row(table: Table, r: int) -> bool:
    return any(is_number_text(c.text) for c in starting_cells(table, r))


def header_rows(part: Part) -> list[int]:
    """The rows above the part's first data row."""
    out = []
    for r in part.rows:
        if is_data_row(part.table, r):
            break
        out.append(r)
    return out


def header_paths(table: Table, rows: list[int]) -> list[list[TableCell]]:
    """For each grid column, the distinct non-empty header cells above it, top to bottom."""
    paths: list[list[TableCell]] = []
    for c in range(table.n_cols):
        path: list[TableCell] = []
        for r in rows:
            cell = table.at(r, c)
            if cell is not None and cell.text.strip() and all(p is not cell for p in path):
                path.append(cell)
        paths.append(path)
    return paths


ColumnMap = dict[str, list[int]]


def inherit_columns(prev_table: Table, prev: ColumnMap, table: Table) -> ColumnMap:
    """A continuation's column map, from the previous part's by x position (or index without geometry)."""
    out: ColumnMap = {}
    if prev_table.col_x is not None and table.col_x is not None:
        for key, cols in prev.items():
            x0, x1 = prev_table.col_x[min(cols)], prev_table.col_x[max(cols) + 1]
            mine = [c for c in range(table.n_cols) if x0 <= (table.col_x[c] + table.col_x[c + 1]) / 2 <= x1]
            if mine:
                out[key] = mine
    elif prev_table.n_cols == table.n_cols:
        out = {k: list(v) for k, v in prev.items()}
    return out


def value_cell(table: Table, r: int, cols: list[int], pick: Callable[[TableCell], bool]) -> TableCell | None:
    """The cell under a mapped column in row r, preferring one `pick` accepts (e.g. non-empty)."""
    found: list[TableCell] = []
    for c in cols:
        cell = table.at(r, c)
        if cell is not None and all(f is not cell for f in found):
            found.append(cell)
    for cell in found:
        if pick(cell):
            return cell
    return found[0] if found else None
