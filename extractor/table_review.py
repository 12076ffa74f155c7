"""Section 四: review and litigation, 15 cells under a two-level merged header."""

from __future__ import annotations

from dataclasses import dataclass

from . import patterns
from .cells import CellSource, Doubt, build_cell
from .document import TableCell
from .model import Cell
from .rows import RowRef, header_paths, header_rows, is_data_row, parts, starting_cells
from .text import best_similarity, label_key


@dataclass
class ReviewTables:
    cells: dict[str, dict[str, Cell]]
    warnings: list[str]


def _column_key(path: list[TableCell]) -> tuple[str, str, float] | None:
    """(block, leaf, similarity) for a column's header path, or None."""
    if not path:
        return None
    joined = "".join(label_key(c.text) for c in path)
    block = next(
        (b.key for b in patterns.review_blocks() if any(label_key(a) in joined for a in b.aliases)), None
    )
    if block is None:
        return None
    scored = sorted(((best_similarity(path[-1].text, leaf.aliases), leaf.key) for leaf in patterns.review_leaves()))
    sim, leaf = scored[-1]
    return (block, leaf, sim) if sim >= 0.6 else None


def reconstruct_review(rows: list[RowRef]) -> ReviewTables | None:
    warnings: list[str] = []
    order = [(b.key, leaf.key) for b in reversed(patterns.review_blocks()) for leaf in patterns.review_leaves()]
    for part in parts(rows):
        table = part.table
        heads = header_rows(part)
        data = [r for r in part.rows if r not in heads and is_data_row(table, r)]
        if not data:
            continue
        if len(data) > 1:
            warnings.append(f"review_litigation: {len(data)} rows of values; the first was used")
        r = data[0]
        keyed: dict[tuple[str, str], tuple[TableCell | None, float]] = {}
        for c, path in enumerate(header_paths(table, heads)):
            key = _column_key(path)
            if key is None or (key[0], key[1]) in keyed:
                continue
            keyed[(key[0], key[1])] = (table.at(r, c), key[2])
        doubts: list[Doubt] = []
        if len(keyed) < len(order):
            values = [c for c in starting_cells(table, r)]
            if len(values) != len(order):
                warnings.append(
                    f"review_litigation: header not understood and {len(values)} values instead of {len(order)}"
                )
                continue
            # The header could not be read, but the row has exactly the template's 15 cells.
            keyed = {k: (v, 0.0) for k, v in zip(order, values, strict=True)}
            doubts.append(Doubt(0.6, "columns placed by position: the header was not understood"))
            warnings.append("review_litigation: header not understood; columns placed by position")
        cells: dict[str, dict[str, Cell]] = {}
        for (block, leaf), (cell, sim) in sorted(keyed.items(), key=lambda kv: order.index(kv[0])):
            ds = list(doubts)
            if 0 < sim < 0.8:
                ds.append(Doubt(sim, f"column header matched loosely ({sim:.2f})"))
            cells.setdefault(block, {})[leaf] = build_cell(CellSource(table, cell, ds))
        return ReviewTables(cells, warnings)
    return None
