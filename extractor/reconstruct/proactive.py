"""Section 二: the 第二十条 sub-tables, read row by row across pages.

The sub-tables are one physical table in the template, broken by caption rows (第二十条第（五）项);
pages cut it anywhere. Rows are read in order with a running state: a caption opens a sub-table, a
header row (信息内容 | 本年制发件数 …) sets the columns, a data row (规章 | 1 | 0 | 11) is mapped onto
them by x position where the source has geometry, by order where it does not.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cache

import regex

from .. import patterns
from ..document import Table, TableCell
from ..model import Cell
from ..numbers import header_money_unit, is_number_text
from ..patterns import ColumnSpec
from ..text import best_similarity, squash
from .cells import CellSource, Doubt, build_cell
from .rows import RowRef

SURE = 0.8
# A row placed by the template's order alone: a guess, whatever its readings (a cap that stays,
# see validate/confidence.py).
UNPLACED = 0.3


@dataclass
class HeaderColumn:
    spec: ColumnSpec
    cell: TableCell
    unit: str


@dataclass
class Proactive:
    cells: dict[str, dict[str, Cell]] = field(default_factory=dict)
    template: str | None = None
    warnings: list[str] = field(default_factory=list)
    # Where each cell was read: row → column → table cell.
    sources: dict[str, dict[str, TableCell]] = field(default_factory=dict)


@cache
def _caption() -> regex.Pattern[str]:
    return regex.compile(patterns.load("sections")["proactive_caption"]["regex"])


def _match_column(text: str) -> tuple[ColumnSpec, float] | None:
    scored = sorted(
        ((best_similarity(text, c.aliases), n) for n, c in enumerate(patterns.proactive_columns()))
    )
    sim, n = scored[-1]
    return (patterns.proactive_columns()[n], sim) if sim >= 0.75 else None


def _match_row(text: str) -> tuple[str, float] | None:
    scored = sorted((best_similarity(text, r.aliases), r.key) for r in patterns.proactive_rows())
    sim, key = scored[-1]
    return (key, sim) if sim >= 0.7 else None


def _overlap(a: TableCell, b: TableCell) -> float:
    if a.bbox is None or b.bbox is None:
        return 0.0
    return max(0.0, min(a.bbox[2], b.bbox[2]) - max(a.bbox[0], b.bbox[0]))


def _assign(
    header: list[HeaderColumn], values: list[TableCell]
) -> list[tuple[HeaderColumn, TableCell | None]]:
    if len(values) == len(header):
        return list(zip(header, values, strict=True))
    if all(v.bbox is not None for v in values) and all(h.cell.bbox is not None for h in header):
        out: list[tuple[HeaderColumn, TableCell | None]] = []
        for h in header:
            best = max(values, key=lambda v: _overlap(h.cell, v), default=None)
            out.append((h, best if best is not None and _overlap(h.cell, best) > 0 else None))
        return out
    return [(h, values[i] if i < len(values) else None) for i, h in enumerate(header)]


@dataclass
class _Row:
    """A data row: its key (None while its label is unread), how well the label matched, its
    values and the header above them."""

    key: str | None
    sim: float
    table: Table
    values: list[TableCell]
    header: list[HeaderColumn]
    label: str = ""
    doubts: list[Doubt] = field(default_factory=list)


def _unread(label: TableCell) -> bool:
    """A label cell OCR could not read: blank, a number, under two Han characters, or unsure. A
    label that reads as words the templates do not know is the report's own row, never guessed."""
    text = squash(label.text)
    return is_number_text(text) or len(regex.findall(r"\p{Han}", text)) < 2 or label.confidence < 0.6


def _place_unlabelled(pending: list[_Row], result: Proactive) -> list[_Row]:
    """Rows of values whose label could not be read, placed by the template's order of rows when
    it leaves no choice: between the labelled rows before and after them, exactly as many rows of
    the template with their header's columns are missing as there are unread labels. The
    placement is a guess all the same (a report can leave a row out and add its own), so its
    cells stay flagged. Any other is left out with a warning."""
    order = [r.key for r in patterns.proactive_rows()]
    specs = {r.key: r for r in patterns.proactive_rows()}
    labelled = {r.key for r in pending if r.key is not None}
    out: list[_Row] = []
    i = 0
    while i < len(pending):
        if pending[i].key is not None:
            out.append(pending[i])
            i += 1
            continue
        j = i
        while j < len(pending) and pending[j].key is None and pending[j].header is pending[i].header:
            j += 1
        gap = pending[i:j]
        before = next((order.index(r.key) for r in reversed(out) if r.key is not None), -1)
        after = next((order.index(r.key) for r in pending[j:] if r.key is not None), len(order))
        columns = {h.spec.key for h in gap[0].header}
        candidates = [
            k
            for k in order[before + 1 : after]
            if k not in labelled
            and any(
                columns <= set(cols)
                for t, cols in specs[k].columns.items()
                if result.template is None or t == result.template
            )
        ]
        for n, row in enumerate(gap):
            if len(candidates) != len(gap):
                why = f"its label could not be read ({row.label!r})"
                result.warnings.append(f"proactive: a row with values was not placed: {why}")
                continue
            key = candidates[n]
            why = f"row label not read ({row.label!r}); placed as {key} by the template's order of rows"
            result.warnings.append(f"proactive: {why}")
            out.append(_Row(key, 0.0, row.table, row.values, row.header, row.label, [Doubt(UNPLACED, why)]))
        i = j
    return out


def reconstruct_proactive(rows: list[RowRef]) -> Proactive | None:
    result = Proactive()
    header: list[HeaderColumn] = []
    templates_seen: set[str] = set()
    pending: list[_Row] = []
    for table, r in rows:
        cells = [c for c in table.row_cells(r) if c.row == r]
        texts = [squash(c.text) for c in cells]
        if not any(texts):
            continue
        if any(_caption().search(t) and len(t) <= 30 for t in texts):
            header = []
            continue
        columns = [(c, _match_column(c.text)) for c in cells]
        if any(m is not None and m[1] >= SURE for _, m in columns) and not any(
            is_number_text(t) for t in texts
        ):
            header = [HeaderColumn(m[0], c, header_money_unit(c.text)) for c, m in columns if m is not None]
            templates_seen.update(h.spec.template for h in header if h.spec.template)
            continue
        row = _match_row(cells[0].text)
        if row is not None:
            pending.append(_Row(row[0], row[1], table, cells[1:], header))
        elif header and _unread(cells[0]) and any(is_number_text(t) for t in texts[1:]):
            pending.append(_Row(None, 0.0, table, cells[1:], header, cells[0].text))
    if len(templates_seen) == 1:
        result.template = templates_seen.pop()
    elif templates_seen:
        result.warnings.append("proactive: columns of both templates seen")
    pending = _place_unlabelled(pending, result)
    if not pending:
        return None
    for entry in pending:
        key, sim, table, values, head = entry.key, entry.sim, entry.table, entry.values, entry.header
        assert key is not None
        doubts = list(entry.doubts)
        if sim < SURE and not entry.doubts:
            doubts.append(Doubt(sim, f"row label matched {key} loosely ({sim:.2f})"))
            result.warnings.append(f"proactive: a row label matched {key} only loosely ({sim:.2f})")
        if not head:
            result.warnings.append(f"proactive: row {key} has no column header; its values were not placed")
            continue
        geometry = all(v.bbox is not None for v in values) and all(h.cell.bbox is not None for h in head)
        if values and len(values) != len(head) and not geometry:
            # Without positions, values placed by order may sit one column over: never silently.
            doubts = [
                *doubts,
                Doubt(0.5, f"the row has {len(values)} cells for {len(head)} columns: placed by order"),
            ]
            result.warnings.append(f"proactive: row {key} has {len(values)} cells for {len(head)} columns")
        row_cells = result.cells.setdefault(key, {})
        for h, cell in _assign(head, values):
            if h.spec.key in row_cells:
                continue
            row_cells[h.spec.key] = build_cell(
                CellSource(table, cell, doubts), money=h.spec.money, signed=h.spec.signed, unit=h.unit
            )
            if cell is not None:
                result.sources.setdefault(key, {})[h.spec.key] = cell
    return result
