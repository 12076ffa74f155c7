"""Section 三's columns when the header cannot be read, from the national template and the relations.

A scan whose header row is smudged, or that OCR cannot read, loses the columns it names. The header
is the national template's: seven value columns in a fixed order (自然人, the five 法人或其他组织
columns, 总计). When the table's data rows hold exactly seven value positions, and the columns the
header did name sit at their template places among them, the others are placed at theirs
(`fill_columns`).

A column placed this way is confirmed by the data's own relations, not by its header
(`confirm`): a cell is sure when its row's 总计 equals the sum of the six applicant columns, or
when its whole column satisfies a column relation (一 + 二 = （七）总计 + 四; （七）总计 = the sum of
the outcome rows). Only the cells neither confirms are flagged.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass

from .. import patterns
from ..document import Table
from ..model import Cell
from ..numbers import is_number_text
from ..text import best_similarity
from .rows import ColumnMap, Part, is_data_row, starting_cells

# A placed column whose cells no relation confirms is capped at this confidence (under the review
# threshold: a person looks at it).
UNCONFIRMED = 0.5
# A part is section 三's table when at least this many of its data rows read as its row labels.
MIN_LABELLED_ROWS = 3
BALANCE = (("new_received", "carried_over"), ("total", "carried_forward"))
# Rows that are not outcome rows (the outcome rows are the others, down to （七）总计).
NOT_OUTCOMES = ("new_received", "carried_over", "total", "carried_forward")


@dataclass
class Placed:
    """Columns placed by the template: key → grid columns, and why."""

    columns: ColumnMap
    keys: list[str]
    note: str


def value_slots(table: Table, rows: list[int]) -> list[list[int]]:
    """The table's value positions, left to right: the grid columns of the cells that hold a number
    in at least half of the part's data rows (a position is a cell's column span)."""
    data = [r for r in rows if is_data_row(table, r)]
    if not data:
        return []
    seen: Counter[tuple[int, int]] = Counter()
    for r in data:
        for cell in starting_cells(table, r):
            if cell.rowspan == 1 and is_number_text(cell.text):
                seen[(cell.col, cell.last_col)] += 1
    slots = sorted(span for span, n in seen.items() if 2 * n >= len(data))
    # Overlapping spans (a cell spanning two grid columns in some rows): the position is one.
    merged: list[tuple[int, int]] = []
    for a, b in slots:
        if merged and a <= merged[-1][1]:
            merged[-1] = (merged[-1][0], max(b, merged[-1][1]))
        else:
            merged.append((a, b))
    return [list(range(a, b + 1)) for a, b in merged]


def labelled_rows(table: Table, rows: list[int], first_value_col: int) -> int:
    """Data rows whose label (the cells left of the values) reads as a row of section 三's table."""
    labels = tuple(x for spec in patterns.request_rows() for x in (spec.label, *spec.aliases))
    count = 0
    for r in rows:
        if not is_data_row(table, r):
            continue
        text = "".join(c.text for c in table.row_cells(r) if c.last_col < first_value_col and c.row == r)
        if text and best_similarity(text, labels) >= 0.8:
            count += 1
    return count


def fill_columns(part: Part, found: ColumnMap) -> Placed | None:
    """The column map with the columns the header did not name placed at their template positions;
    None when the table's value positions do not fit the template (not seven, or a named column
    away from its place), or when the part does not read as section 三's table."""
    keys = [spec.key for spec in patterns.request_columns()]
    slots = value_slots(part.table, part.rows)
    if len(slots) != len(keys):
        return None
    for key, cols in found.items():
        if not set(cols) & set(slots[keys.index(key)]):
            return None  # the header says something the template does not: no guessing
    if not found and labelled_rows(part.table, part.rows, slots[0][0]) < MIN_LABELLED_ROWS:
        return None
    missing = [k for k in keys if k not in found]
    if not missing:
        return None
    columns = {k: list(found[k]) if k in found else slots[i] for i, k in enumerate(keys)}
    named = "no column" if not found else f"{len(found)} of {len(keys)} columns"
    note = (
        f"the header named {named}; {', '.join(missing)} placed at the template's positions "
        "(seven value columns in the national template's order)"
    )
    return Placed(columns, missing, note)


def _sum(cells: list[Cell | None]) -> int | float:
    total = sum(c.value for c in cells if c is not None and c.value is not None)
    return round(total, 6) if isinstance(total, float) else total


def _sure(cells: list[Cell | None]) -> bool:
    """Every cell there and a number or a blank (a cell text that is not a number confirms nothing)."""
    return all(c is not None and (c.value is not None or c.raw == "") for c in cells)


def _row_holds(row: dict[str, Cell], applicants: list[str]) -> bool:
    """The row's 总计 equals the sum of its six applicant cells (a row blank throughout holds too:
    a blank reads the same in any column)."""
    parts = [row.get(k) for k in applicants]
    total = row.get("total")
    if not _sure([*parts, total]) or total is None:
        return False
    if total.value is None:
        return all(c is not None and c.value is None for c in parts)
    return _sum(parts) == total.value


def _column_holds(cells: dict[str, dict[str, Cell]], key: str) -> dict[str, str]:
    """Row → the column relation that confirms the column's cell in that row: each relation the
    column satisfies confirms the cells that take part in it."""

    def col(rows: tuple[str, ...] | list[str]) -> list[Cell | None]:
        return [cells.get(r, {}).get(key) for r in rows]

    out: dict[str, str] = {}
    outcomes = [r for r in cells if r not in NOT_OUTCOMES]
    parts, total = col(outcomes), cells.get("total", {}).get(key)
    # A column of zeros that adds up confirms its zeros as much as any other column its numbers.
    stated = total.value if total is not None else None
    if outcomes and stated is not None and _sure([*parts, total]) and _sum(parts) == stated:
        out.update(dict.fromkeys([*outcomes, "total"], "（七）总计 = the sum of the outcome rows"))
    left, right = col(BALANCE[0]), col(BALANCE[1])
    if _sure(left + right) and any(c and c.value is not None for c in left) and _sum(left) == _sum(right):
        out.update(dict.fromkeys([*BALANCE[0], *BALANCE[1]], "一 + 二 = （七）总计 + 四"))
    return out


def confirm(cells: dict[str, dict[str, Cell]], placed: list[str]) -> int:
    """Mark each cell of the placed columns as confirmed by a relation, or flag it; the number of
    cells flagged."""
    applicants = [spec.key for spec in patterns.request_columns() if spec.key != "total"]
    by_column = {key: _column_holds(cells, key) for key in placed}
    flagged = 0
    why = "column placed by the template (header unreadable)"
    for name, row in cells.items():
        row_ok = _row_holds(row, applicants)
        for key in placed:
            cell = row.get(key)
            if cell is None:
                continue
            relation = by_column[key].get(name)
            if row_ok:
                cell.reasons.append(f"{why}; its row's 总计 adds up")
            elif relation is not None:
                cell.reasons.append(f"{why}; its column checks: {relation}")
            else:
                cell.confidence = min(cell.confidence, UNCONFIRMED)
                cell.reasons.append(f"{why}, and no relation confirms it")
                flagged += 1
    return flagged
